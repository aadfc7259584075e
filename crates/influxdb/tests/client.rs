//! The client's requests as a real HTTP listener receives them, and the writer's bounded
//! queue while nothing answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use kapa_influxdb::{BufferedWriter, Cluster, ClusterConfig, WriteTarget, WriterOptions};
use kapa_models::{FieldValue, Fields, Point, Tags};

/// Accepts one request, answers `status` with `body`, returns (request line, headers, body).
fn one_request(l: &TcpListener, status: &str, body: &str) -> (String, Vec<String>, Vec<u8>) {
    let (s, _) = l.accept().unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut headers = Vec::new();
    let mut len = 0;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end().to_string();
        if h.is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        headers.push(h.to_ascii_lowercase());
    }
    let mut buf = vec![0; len];
    r.read_exact(&mut buf).unwrap();
    let mut s = s;
    write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Influxdb-Version: 1.6.7\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    (line.trim_end().to_string(), headers, buf)
}

fn cluster(url: &str, f: impl FnOnce(&mut ClusterConfig)) -> Cluster {
    let mut c = ClusterConfig {
        urls: vec![url.to_string()],
        timeout: 5_000_000_000,
        ..ClusterConfig::default()
    };
    f(&mut c);
    Cluster::new(c).unwrap()
}

fn point(v: f64) -> Point {
    Point {
        name: "cpu".into(),
        tags: Tags::from_pairs(vec![("host".into(), "a".into())]),
        fields: Fields::from_pairs(vec![("v".into(), FieldValue::Float(v))]),
        time: 1_000_000_000,
    }
}

#[test]
fn query_sends_epoch_ns_and_basic_auth_and_reads_batches() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let c = cluster(&url, |c| {
        c.username = "bob".into();
        c.password = "secret".into();
    });
    let t = std::thread::spawn(move || {
        one_request(
            &l,
            "200 OK",
            r#"{"results":[{"statement_id":0,"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","mean","n"],"values":[[60000000000,1.5,null],[120000000000,null,null],[180000000000,2,"x"]]}]}]}"#,
        )
    });
    let batches = c.query("SELECT mean(v) FROM db..cpu").unwrap();
    let (line, headers, _) = t.join().unwrap();
    assert!(line.starts_with("POST /query?q=SELECT"), "{line}");
    assert!(line.contains("epoch=ns"), "{line}");
    // Headers are lower-cased by `one_request`: this is `Basic Ym9iOnNlY3JldA==`.
    assert!(
        headers.contains(&"authorization: basic ym9ionnly3jlda==".to_string()),
        "{headers:?}"
    );
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.name, "cpu");
    assert_eq!(b.points.len(), 2, "the all-null row is dropped");
    assert_eq!(b.tmax, 180_000_000_000);
    assert_eq!(
        b.points[1].fields.get("mean"),
        Some(&FieldValue::Float(2.0))
    );
    assert_eq!(
        b.points[1].fields.get("n"),
        Some(&FieldValue::String("x".into()))
    );
}

#[test]
fn statement_errors_and_http_errors_are_reported() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let c = cluster(&url, |_| {});
    let t = std::thread::spawn(move || {
        one_request(
            &l,
            "200 OK",
            r#"{"results":[{"statement_id":0,"error":"database not found: nope"}]}"#,
        );
        one_request(
            &l,
            "401 Unauthorized",
            r#"{"error":"authorization failed"}"#,
        );
        one_request(&l, "503 Service Unavailable", "overloaded");
    });
    let e = c.query("SELECT v FROM nope..m").unwrap_err();
    assert_eq!(e.to_string(), "database not found: nope");
    assert!(!e.is_transient());
    let e = c.query("SELECT v FROM m").unwrap_err();
    assert_eq!(e.to_string(), "authorization failed");
    assert!(!e.is_transient());
    let e = c.query("SELECT v FROM m").unwrap_err();
    assert_eq!(e.to_string(), "overloaded");
    assert!(e.is_transient());
    t.join().unwrap();
}

#[test]
fn writes_are_gzipped_line_protocol_with_token_auth() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let c = cluster(&url, |c| c.token = "tok".into());
    let t = std::thread::spawn(move || one_request(&l, "204 No Content", ""));
    let mut body = String::new();
    kapa_lineproto::format_points(&[point(1.5)], kapa_models::Precision::Second, &mut body);
    c.write(
        &WriteTarget {
            database: "db".into(),
            retention_policy: "rp".into(),
            precision: "s".into(),
            consistency: "any".into(),
        },
        body.as_bytes(),
    )
    .unwrap();
    let (line, headers, payload) = t.join().unwrap();
    assert!(
        line.starts_with("POST /write?db=db&rp=rp&precision=s&consistency=any "),
        "{line}"
    );
    assert!(
        headers.contains(&"content-encoding: gzip".to_string()),
        "{headers:?}"
    );
    assert!(
        headers.contains(&"authorization: token tok".to_string()),
        "{headers:?}"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(&payload[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "cpu,host=a v=1.5 1\n");
}

#[test]
fn a_second_url_is_used_when_the_first_is_down() {
    let down = TcpListener::bind("127.0.0.1:0").unwrap();
    let down_url = format!("http://{}", down.local_addr().unwrap());
    drop(down);
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let up_url = format!("http://{}", l.local_addr().unwrap());
    let c = cluster(&down_url, |c| c.urls.push(up_url));
    let t = std::thread::spawn(move || one_request(&l, "204 No Content", ""));
    assert_eq!(c.client().ping().unwrap(), "1.6.7");
    let (line, _, _) = t.join().unwrap();
    assert!(line.starts_with("GET /ping "), "{line}");
}

#[test]
fn the_writer_keeps_retrying_and_drops_only_the_oldest_when_full() {
    let down = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", down.local_addr().unwrap());
    drop(down);
    let c = std::sync::Arc::new(cluster(&url, |_| {}));
    let w = BufferedWriter::start(
        c,
        WriterOptions {
            max_queued_points: 10,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(50),
            ..WriterOptions::default()
        },
    );
    let stats = w.stats();
    for i in 0..8 {
        w.push(
            WriteTarget::default(),
            vec![point(f64::from(i)), point(f64::from(i))],
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats.write_errors.load(Ordering::Relaxed) < 2 {
        assert!(Instant::now() < deadline, "no retries seen");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(w.queued_points() <= 12, "bounded: {}", w.queued_points());
    assert!(stats.points_dropped.load(Ordering::Relaxed) >= 4);
    assert_eq!(stats.points_written.load(Ordering::Relaxed), 0);
    w.close(Duration::from_millis(100));
}
