//! Runs the real `kapacitord` on 127.0.0.1:0 with a temp-dir config and talks raw HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    agent: ureq::Agent,
    tmp: Option<tempfile::TempDir>,
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn write_config(dir: &Path) {
    let d = dir.display();
    let conf = format!(
        "data_dir = \"{d}/data\"\n\
         [http]\n  bind-address = \"127.0.0.1:0\"\n\
         [storage]\n  boltdb = \"{d}/data/kapacitor.db\"\n\
         [replay]\n  dir = \"{d}/replay\"\n\
         [logging]\n  file = \"{d}/kapacitord.log\"\n\
         [[influxdb]]\n  enabled = false\n"
    );
    std::fs::write(dir.join("kapacitor.conf"), conf).unwrap();
}

impl Server {
    /// Starts a server in a fresh directory.
    pub fn start() -> Server {
        let tmp = tempfile::tempdir().unwrap();
        write_config(tmp.path());
        let mut s = Server::start_in(tmp.path());
        s.tmp = Some(tmp);
        s
    }

    /// Starts a server on an existing directory (restarts keep the data).
    pub fn start_in(dir: &Path) -> Server {
        Server::start_in_with(dir, &[])
    }

    /// Starts a server on an existing directory with more `kapacitord run` flags.
    pub fn start_in_with(dir: &Path, flags: &[&str]) -> Server {
        let log = dir.join("kapacitord.log");
        let before = std::fs::read_to_string(&log).map(|s| s.len()).unwrap_or(0);
        let child = Command::new(env!("CARGO_BIN_EXE_kapacitord"))
            .arg("-config")
            .arg(dir.join("kapacitor.conf"))
            .arg("-pidfile")
            .arg(dir.join("kapacitord.pid"))
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = Server {
            child: Some(child),
            port: 0,
            dir: dir.to_path_buf(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                // A fresh connection per request: a test must not fail on a pooled
                // connection the server has just closed.
                .max_idle_connections(0)
                .build()
                .into(),
            tmp: None,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let fresh = text.get(before..).unwrap_or("");
            if let Some(port) = listening_port(fresh) {
                server.port = port;
                return server;
            }
            if let Some(Ok(Some(status))) = server.child.as_mut().map(Child::try_wait) {
                panic!("kapacitord exited with {status}: {fresh}");
            }
            assert!(
                Instant::now() < deadline,
                "kapacitord did not start: {fresh}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("kapacitord.log")).unwrap_or_default()
    }

    /// SIGTERM, then waits; returns the exit code.
    pub fn stop(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        child.wait().unwrap().code()
    }

    /// SIGKILL, then waits.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn finish(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
        let mut resp = resp.unwrap();
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let mut body = String::new();
        resp.body_mut()
            .as_reader()
            .read_to_string(&mut body)
            .unwrap();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        Self::finish(self.agent.get(self.url(path)).call())
    }
    pub fn head(&self, path: &str) -> Resp {
        Self::finish(self.agent.head(self.url(path)).call())
    }
    pub fn delete(&self, path: &str) -> Resp {
        Self::finish(self.agent.delete(self.url(path)).call())
    }
    pub fn post(&self, path: &str, body: &str) -> Resp {
        Self::finish(self.agent.post(self.url(path)).send(body))
    }
    pub fn post_bytes(&self, path: &str, body: &[u8], headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.post(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::finish(req.send(body))
    }
    pub fn patch(&self, path: &str, body: &str) -> Resp {
        Self::finish(self.agent.patch(self.url(path)).send(body))
    }
    pub fn put(&self, path: &str, body: &str) -> Resp {
        Self::finish(self.agent.put(self.url(path)).send(body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn listening_port(log: &str) -> Option<u16> {
    let line = log
        .lines()
        .find(|l| l.contains("msg=\"listening on\" service=http"))?;
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("addr="))?;
    addr.rsplit(':').next()?.parse().ok()
}

/// The JSON error body Kapacitor sends.
pub fn error_json(msg: &str) -> Value {
    serde_json::json!({ "error": msg })
}
