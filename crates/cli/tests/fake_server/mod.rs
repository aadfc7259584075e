//! A tiny HTTP/1.1 server on 127.0.0.1 that records every request and answers from a
//! scripted handler, so tests can assert exactly what the CLI sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Req {
    /// The request as `METHOD target body` for compact assertions.
    pub fn line(&self) -> String {
        if self.body.is_empty() {
            format!("{} {}", self.method, self.target)
        } else {
            format!("{} {} {}", self.method, self.target, self.body)
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Req) -> (u16, String) + Send + Sync;

/// A running fake server.
pub struct FakeServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Req>>>,
}

impl FakeServer {
    pub fn start(handler: impl Fn(&Req) -> (u16, String) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let recorded = Arc::clone(&recorded);
                let handler = Arc::clone(&handler);
                thread::spawn(move || serve(stream, &recorded, &*handler));
            }
        });
        Self { url, requests }
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }

    pub fn lines(&self) -> Vec<String> {
        self.requests().iter().map(Req::line).collect()
    }
}

fn serve(stream: TcpStream, recorded: &Mutex<Vec<Req>>, handler: &Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap();
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        let req = Req {
            method,
            target,
            body: String::new(),
            headers,
        };
        let len: usize = req
            .header("content-length")
            .map(|v| v.parse().unwrap())
            .unwrap_or(0);
        assert!(
            req.header("transfer-encoding").is_none(),
            "chunked bodies are not expected"
        );
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body).unwrap();
        let req = Req {
            body: String::from_utf8(body).unwrap(),
            ..req
        };
        recorded.lock().unwrap().push(req.clone());
        let (status, body) = handler(&req);
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            400 => "Bad Request",
            404 => "Not Found",
            _ => "Other",
        };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
