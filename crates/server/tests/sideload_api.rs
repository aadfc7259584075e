//! Sideload sources reloaded through the real daemon: `POST /kapacitor/v1/sideload/reload`
//! (204, or 500 with the failure) and SIGHUP.

#![allow(clippy::unwrap_used)]

mod common;

use common::Server;
use serde_json::json;

fn last_limit(s: &Server) -> serde_json::Value {
    assert_eq!(
        s.post("/write?db=db&rp=rp&precision=s", "cpu,host=a v=1 10")
            .status,
        204
    );
    s.get("/kapacitor/v1/tasks/side/last").json()["series"][0]["values"][0][1].clone()
}

fn wait_for_limit(s: &Server, want: serde_json::Value) {
    for _ in 0..100 {
        if last_limit(s) == want {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("limit never became {want}");
}

#[test]
fn sideload_reload_endpoint_and_sighup() {
    let s = Server::start();
    let src = s.dir.join("sideload");
    std::fs::create_dir_all(src.join("host")).unwrap();
    std::fs::write(src.join("host/a.yml"), "limit: 10\n").unwrap();
    let script = format!(
        "stream\n|from().measurement('cpu')\n|sideload()\n.source('file://{}')\n.order('host/{{{{.host}}}}.yml')\n.field('limit', 0.0)\n|httpOut('last')\n",
        src.display()
    );
    let body = json!({"id": "side", "type": "stream", "dbrps": [{"db": "db", "rp": "rp"}], "script": script, "status": "enabled"});
    let r = s.post("/kapacitor/v1/tasks", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(last_limit(&s), json!(10));

    std::fs::write(src.join("host/a.yml"), "limit: 20\n").unwrap();
    assert_eq!(last_limit(&s), json!(10));
    let r = s.post("/kapacitor/v1/sideload/reload", "");
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    assert_eq!(last_limit(&s), json!(20));

    std::fs::write(src.join("host/a.yml"), "limit: 30\n").unwrap();
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &s.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    wait_for_limit(&s, json!(30));

    std::fs::write(src.join("host/a.json"), "{not json").unwrap();
    let r = s.post("/kapacitor/v1/sideload/reload", "");
    assert_eq!(r.status, 500);
    let err = r.json()["error"].as_str().unwrap().to_string();
    assert!(
        err.starts_with(&format!(
            "failed to update source {:?}: failed to update sideload cache for source file",
            src.display().to_string()
        )),
        "{err}"
    );
    assert_eq!(
        s.get("/kapacitor/v1/ping").status,
        204,
        "the daemon survives SIGHUP"
    );
}
