//! Ping, headers, 404s, writes and /debug/vars against the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

use common::{Server, error_json};
use serde_json::json;

#[test]
fn ping_and_common_headers() {
    let s = Server::start();
    let r = s.get("/kapacitor/v1/ping");
    assert_eq!(r.status, 204);
    assert_eq!(r.body, "");
    assert_eq!(r.header("X-Kapacitor-Version"), Some("1.8.2"));
    assert_eq!(r.header("Request-Id").map(str::len), Some(36));
    assert_eq!(s.head("/kapacitor/v1/ping").status, 204);
    let influx = s.get("/ping");
    assert_eq!(influx.status, 204);
    assert_eq!(influx.header("X-Influxdb-Version"), Some("1.8.2"));
    assert_eq!(s.head("/ping").status, 204);
}

#[test]
fn unknown_routes_and_methods_are_json_404s() {
    let s = Server::start();
    for r in [
        s.get("/kapacitor/v1/nope"),
        s.get("/"),
        s.put("/kapacitor/v1/ping", ""),
        s.delete("/kapacitor/v1/tasks"),
    ] {
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(r.json(), error_json("Not Found"));
        assert_eq!(
            r.header("Content-Type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(r.header("X-Kapacitor-Version"), Some("1.8.2"));
    }
    // The preview prefix serves the same routes.
    assert_eq!(s.get("/kapacitor/v1preview/ping").status, 204);
}

#[test]
fn writes_good_partial_empty_and_errors() {
    let s = Server::start();
    let r = s.post("/write", "cpu v=1");
    assert_eq!(
        (r.status, r.json()),
        (400, error_json("database is required"))
    );
    assert_eq!(
        s.post("/write?db=telegraf", "cpu,host=a v=1 1\nmem v=2 2")
            .status,
        204
    );
    assert_eq!(
        s.post(
            "/kapacitor/v1/write?db=telegraf&rp=autogen&precision=s",
            "cpu v=3 3"
        )
        .status,
        204
    );
    assert_eq!(s.post("/write?db=telegraf", "").status, 204);

    let r = s.post("/write?db=telegraf", "cpu v=4\nbad\ncpu v=\ncpu v=5");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        error_json(
            "partial write: unable to parse 'bad': missing fields (line 2)\n\
             unable to parse 'cpu v=': missing field value (line 3) dropped=2"
        )
    );
    let r = s.post("/write?db=telegraf", "bad");
    assert_eq!(
        (r.status, r.json()),
        (
            400,
            error_json("unable to parse 'bad': missing fields (line 1)")
        )
    );
    let r = s.post("/write?db=telegraf&precision=x", "cpu v=1");
    assert_eq!(
        (r.status, r.json()),
        (400, error_json("invalid precision \"x\""))
    );

    // Ingress counts: cpu 1+1+2 (partial write kept its good lines), mem 1.
    let vars = s.get("/kapacitor/v1/debug/vars").json();
    let ingress = &vars["kapacitor"];
    assert_eq!(
        ingress["ingress:telegraf:autogen:cpu"]["values"]["points_received"],
        json!(4)
    );
    assert_eq!(
        ingress["ingress:telegraf:autogen:mem"]["values"]["points_received"],
        json!(1)
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_bodies_and_size_limits() {
    let s = Server::start();
    let gz = [("Content-Encoding", "gzip")];
    let r = s.post_bytes("/write?db=d", &gzip(b"cpu v=1\ncpu v=2\n"), &gz);
    assert_eq!(r.status, 204, "{}", r.body);
    let r = s.post_bytes("/write?db=d", b"not gzip", &gz);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"].as_str().unwrap().starts_with("gzip: "),
        "{}",
        r.body
    );

    let limit = 25 * 1024 * 1024;
    let mut big = b"cpu v=1\n".repeat(limit / 8);
    big.extend_from_slice(b"cpu v=1\n");
    assert!(big.len() > limit);
    let r = s.post_bytes("/write?db=d", &big, &[]);
    assert_eq!(
        (r.status, r.json()),
        (413, error_json("request body too large"))
    );
    // Small on the wire, too large once decompressed.
    let r = s.post_bytes("/write?db=d", &gzip(&big), &gz);
    assert_eq!(
        (r.status, r.json()),
        (413, error_json("request body too large"))
    );
    // Exactly at the limit is accepted.
    let ok = b"cpu v=1\n".repeat(limit / 8);
    assert_eq!(s.post_bytes("/write?db=d", &gzip(&ok), &gz).status, 204);
}

#[test]
fn debug_vars_shape() {
    let s = Server::start();
    let r = s.get("/kapacitor/v1/debug/vars");
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("{\n\"cluster_id\": \""), "{}", r.body);
    let v = r.json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "cluster_id",
            "cmdline",
            "host",
            "kapacitor",
            "num_enabled_tasks",
            "num_subscriptions",
            "num_tasks",
            "platform",
            "product",
            "server_id",
            "version"
        ]
    );
    assert_eq!(v["host"], json!("localhost"));
    assert_eq!(v["num_tasks"], json!(0));
    assert_eq!(v["num_subscriptions"], json!(0));
    assert_eq!(v["version"], json!("1.8.2"));
    let cluster = std::fs::read_to_string(s.dir.join("data/cluster.id")).unwrap();
    assert_eq!(v["cluster_id"], json!(cluster));
}

#[test]
fn loglevel_endpoint() {
    let s = Server::start();
    assert_eq!(
        s.post("/kapacitor/v1/loglevel", r#"{"level":"debug"}"#)
            .status,
        204
    );
    let r = s.post("/kapacitor/v1/loglevel", r#"{"level":"loud"}"#);
    assert_eq!(
        (r.status, r.json()),
        (400, error_json("invalid log level \"loud\""))
    );
}
