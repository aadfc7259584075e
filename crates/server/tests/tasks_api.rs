//! The task API against the real binary: create/get/list/patch/delete with exact JSON,
//! validation errors, httpOut, and restarts (SIGTERM and SIGKILL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Server, error_json};
use serde_json::{Value, json};

const CPU_ALERT: &str = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n";

fn create_body(id: &str, script: &str, status: &str) -> String {
    json!({
        "id": id,
        "type": "stream",
        "dbrps": [{"db": "kapacitor_example", "rp": "autogen"}],
        "script": script,
        "status": status,
    })
    .to_string()
}

/// Checks the dynamic fields and replaces them with fixed text so the rest compares exactly.
fn normalize(mut task: Value) -> Value {
    let obj = task.as_object_mut().unwrap();
    for k in ["created", "modified", "last-enabled"] {
        let t = obj[k].as_str().unwrap();
        assert!(t.ends_with('Z') && t.len() >= 20, "{k}: {t}");
        if t != "0001-01-01T00:00:00Z" {
            obj.insert(k.into(), json!("<time>"));
        }
    }
    let dot = obj["dot"].as_str().unwrap();
    assert!(
        dot.starts_with(&format!("digraph {} {{", obj["id"].as_str().unwrap())),
        "{dot}"
    );
    obj.insert("dot".into(), json!("<dot>"));
    task
}

#[test]
fn create_get_list_patch_delete() {
    let s = Server::start();
    let r = s.post(
        "/kapacitor/v1/tasks",
        &create_body("cpu_alert", CPU_ALERT, "disabled"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let expected = json!({
        "link": {"rel": "self", "href": "/kapacitor/v1/tasks/cpu_alert"},
        "id": "cpu_alert",
        "template-id": "",
        "type": "stream",
        "dbrps": [{"db": "kapacitor_example", "rp": "autogen"}],
        "script": CPU_ALERT,
        "vars": {},
        "dot": "<dot>",
        "status": "disabled",
        "executing": false,
        "error": "",
        "stats": {},
        "created": "<time>",
        "modified": "<time>",
        "last-enabled": "0001-01-01T00:00:00Z",
    });
    let created = r.json();
    assert_eq!(normalize(created.clone()), expected);
    assert_eq!(created["created"], created["modified"]);
    // Kapacitor's field order.
    let keys: Vec<&str> = r
        .body
        .lines()
        .filter(|l| l.starts_with("    \""))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "link",
            "id",
            "template-id",
            "type",
            "dbrps",
            "script",
            "vars",
            "dot",
            "status",
            "executing",
            "error",
            "stats",
            "created",
            "modified",
            "last-enabled"
        ]
    );

    let got = s.get("/kapacitor/v1/tasks/cpu_alert");
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), created);
    let raw = s
        .get("/kapacitor/v1/tasks/cpu_alert?script-format=raw&dot-view=labels")
        .json();
    assert_eq!(raw["script"], json!(CPU_ALERT));

    let list = s.get("/kapacitor/v1/tasks").json();
    let entry = &list["tasks"][0];
    let mut list_keys: Vec<&str> = entry
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    list_keys.sort();
    assert_eq!(
        list_keys,
        [
            "created",
            "dbrps",
            "dot",
            "error",
            "executing",
            "id",
            "last-enabled",
            "link",
            "modified",
            "script",
            "stats",
            "status",
            "type",
            "vars"
        ]
    );
    assert_eq!(entry["stats"], Value::Null, "not executing");
    let only = s.get("/kapacitor/v1/tasks?fields=status").json();
    assert_eq!(
        only,
        json!({"tasks": [{"id": "cpu_alert", "link": {"rel": "self", "href": "/kapacitor/v1/tasks/cpu_alert"}, "status": "disabled"}]})
    );

    // Enable: starts executing and processes writes.
    let r = s.patch("/kapacitor/v1/tasks/cpu_alert", r#"{"status":"enabled"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    let enabled = r.json();
    assert_eq!(enabled["status"], json!("enabled"));
    assert_eq!(enabled["executing"], json!(true));
    assert_ne!(enabled["last-enabled"], json!("0001-01-01T00:00:00Z"));
    assert_eq!(enabled["created"], created["created"]);
    assert_eq!(
        s.post(
            "/write?db=kapacitor_example&rp=autogen",
            "cpu,host=a usage_idle=50\ncpu,host=b usage_idle=90"
        )
        .status,
        204
    );
    let t = s.get("/kapacitor/v1/tasks/cpu_alert").json();
    assert_eq!(
        t["stats"]["node-stats"]["from1"]["collected"],
        json!(2),
        "{t}"
    );
    assert!(
        t["dot"].as_str().unwrap().contains("processed=\"2\""),
        "{}",
        t["dot"]
    );

    // Changing the script of an enabled task does not restart it (Kapacitor reloads only
    // on a status change; the CLI disables and enables to reload): counters keep going.
    let new_script = CPU_ALERT.replace("< 70", "< 100");
    let r = s.patch(
        "/kapacitor/v1/tasks/cpu_alert",
        &json!({"script": new_script}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let t = r.json();
    assert_eq!(t["script"], json!(new_script));
    assert_eq!(t["executing"], json!(true));
    assert_eq!(
        t["stats"]["node-stats"]["from1"]["collected"],
        json!(2),
        "{t}"
    );
    assert_eq!(
        t["last-enabled"], enabled["last-enabled"],
        "status did not change"
    );

    // Disable.
    let t = s
        .patch("/kapacitor/v1/tasks/cpu_alert", r#"{"status":"disabled"}"#)
        .json();
    assert_eq!(
        (
            t["status"].clone(),
            t["executing"].clone(),
            t["stats"].clone()
        ),
        (json!("disabled"), json!(false), json!({}))
    );
    let vars = s.get("/kapacitor/v1/debug/vars").json();
    assert_eq!(
        (vars["num_tasks"].clone(), vars["num_enabled_tasks"].clone()),
        (json!(1), json!(0))
    );

    // Delete; deleting again is not an error (Kapacitor answers 204 too).
    assert_eq!(s.delete("/kapacitor/v1/tasks/cpu_alert").status, 204);
    let r = s.get("/kapacitor/v1/tasks/cpu_alert");
    assert_eq!((r.status, r.json()), (404, error_json("no task exists")));
    assert_eq!(s.delete("/kapacitor/v1/tasks/cpu_alert").status, 204);
    assert_eq!(s.get("/kapacitor/v1/tasks").json(), json!({"tasks": []}));
}

#[test]
fn implicit_dbrps_vars_and_generated_ids() {
    let s = Server::start();
    let script = "dbrp \"telegraf\".\"autogen\"\n\nvar limit = 70\n\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < limit)\n";
    let body =
        json!({"script": script, "vars": {"limit": {"type": "int", "value": 50}}}).to_string();
    let r = s.post("/kapacitor/v1/tasks", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let t = r.json();
    let id = t["id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(
        t["link"]["href"],
        json!(format!("/kapacitor/v1/tasks/{id}"))
    );
    assert_eq!(t["dbrps"], json!([{"db": "telegraf", "rp": "autogen"}]));
    assert_eq!(t["type"], json!("stream"));
    assert_eq!(
        t["vars"],
        json!({"limit": {"type": "int", "value": 50, "description": ""}})
    );
}

#[test]
fn pagination_and_patterns() {
    let s = Server::start();
    for id in ["t1", "t2", "t3", "other"] {
        assert_eq!(
            s.post(
                "/kapacitor/v1/tasks",
                &create_body(id, CPU_ALERT, "disabled")
            )
            .status,
            200
        );
    }
    let ids = |path: &str| -> Vec<String> {
        s.get(path).json()["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("/kapacitor/v1/tasks"), ["other", "t1", "t2", "t3"]);
    assert_eq!(ids("/kapacitor/v1/tasks?pattern=t*"), ["t1", "t2", "t3"]);
    assert_eq!(
        ids("/kapacitor/v1/tasks?pattern=t?&offset=1&limit=1"),
        ["t2"]
    );
    assert_eq!(ids("/kapacitor/v1/tasks?limit=2"), ["other", "t1"]);
    assert_eq!(ids("/kapacitor/v1/tasks?pattern=x*"), Vec::<String>::new());
    let r = s.get("/kapacitor/v1/tasks?limit=ten");
    assert_eq!(
        (r.status, r.json()),
        (
            400,
            error_json(
                "invalid limit parameter \"ten\" must be an integer: strconv.ParseInt: parsing \"ten\": invalid syntax"
            )
        )
    );
    let r = s.get("/kapacitor/v1/tasks?fields=colour");
    assert_eq!(
        (r.status, r.json()),
        (400, error_json("unsupported field \"colour\""))
    );
    let r = s.get("/kapacitor/v1/tasks?dot-view=pretty");
    assert_eq!(
        (r.status, r.json()),
        (400, error_json("invalid dot-view parameter \"pretty\""))
    );
}

#[test]
fn validation_errors_store_nothing() {
    let s = Server::start();
    let bad = |body: String, msg: &str| {
        let r = s.post("/kapacitor/v1/tasks", &body);
        assert_eq!((r.status, r.json()), (400, error_json(msg)), "{body}");
    };
    bad(
        create_body("syntax", "stream\n    |from(\n", "enabled"),
        "invalid TICKscript: parser: unexpected EOF line 3 char 1 in \"\". expected: \"number\",\"string\",\"duration\",\"identifier\",\"TRUE\",\"FALSE\",\"==\",\"(\",\"-\",\"!\"",
    );
    bad(
        create_body("method", "stream\n    |from()\n    .foo(1)\n", "enabled"),
        "invalid TICKscript: line 3 char 6: no method or property \"foo\" on *pipeline.FromNode",
    );
    bad(
        create_body("a b", CPU_ALERT, "enabled"),
        "task ID must contain only letters, numbers, '-', '.' and '_'. \"a b\"",
    );
    bad(
        json!({"id": "x", "script": CPU_ALERT}).to_string(),
        "must specify dbrp",
    );
    bad(
        json!({"id": "x", "script": format!("dbrp \"a\".\"b\"\n{CPU_ALERT}"), "dbrps": [{"db": "a", "rp": "b"}]}).to_string(),
        "cannot specify dbrp in both implicitly and explicitly",
    );
    bad(
        json!({"id": "x", "dbrps": [{"db": "a", "rp": "b"}]}).to_string(),
        "must provide TICKscript",
    );
    bad("{not json".into(), "invalid JSON");
    bad(
        json!({"id": "x", "script": CPU_ALERT, "status": "on"}).to_string(),
        "invalid JSON",
    );
    bad(
        json!({"id": "x", "script": CPU_ALERT, "dbrps": [{"db": "a", "rp": "b"}], "vars": {"v": {"type": "int", "value": "1"}}}).to_string(),
        "invalid var v: expected int value",
    );
    assert_eq!(s.get("/kapacitor/v1/tasks").json(), json!({"tasks": []}));

    assert_eq!(
        s.post(
            "/kapacitor/v1/tasks",
            &create_body("dup", CPU_ALERT, "disabled")
        )
        .status,
        200
    );
    bad(
        create_body("dup", CPU_ALERT, "disabled"),
        "task dup already exists",
    );

    let r = s.patch("/kapacitor/v1/tasks/missing", r#"{"status":"enabled"}"#);
    assert_eq!(
        (r.status, r.json()),
        (404, error_json("task does not exist, cannot update"))
    );
    let r = s.patch("/kapacitor/v1/tasks/dup", r#"{"script":"stream|nope("}"#);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid TICKscript: "),
        "{}",
        r.body
    );
    let r = s.patch(
        "/kapacitor/v1/tasks/dup",
        &json!({"script": format!("dbrp \"a\".\"b\"\n{CPU_ALERT}"), "dbrps": [{"db": "a", "rp": "b"}]}).to_string(),
    );
    assert_eq!(
        (r.status, r.json()),
        (
            400,
            error_json("cannot specify dbrp in implicitly and explicitly")
        )
    );
    assert_eq!(
        s.get("/kapacitor/v1/tasks/dup").json()["script"],
        json!(CPU_ALERT),
        "unchanged"
    );
}

#[test]
fn rename_through_patch() {
    let s = Server::start();
    assert_eq!(
        s.post(
            "/kapacitor/v1/tasks",
            &create_body("old", CPU_ALERT, "enabled")
        )
        .status,
        200
    );
    let t = s.patch("/kapacitor/v1/tasks/old", r#"{"id":"new"}"#).json();
    assert_eq!(
        (t["id"].clone(), t["executing"].clone()),
        (json!("new"), json!(true))
    );
    assert_eq!(s.get("/kapacitor/v1/tasks/old").status, 404);
    assert_eq!(
        s.get("/kapacitor/v1/tasks/new").json()["status"],
        json!("enabled")
    );
}

#[test]
fn http_out_endpoint() {
    let s = Server::start();
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |httpOut('last')\n";
    assert_eq!(
        s.post("/kapacitor/v1/tasks", &create_body("h", script, "enabled"))
            .status,
        200
    );
    let r = s.get("/kapacitor/v1/tasks/h/last");
    assert_eq!((r.status, r.json()), (200, json!({"series": null})));
    assert_eq!(
        s.post(
            "/write?db=kapacitor_example&rp=autogen&precision=s",
            "cpu,host=a v=1 10"
        )
        .status,
        204
    );
    assert_eq!(
        s.get("/kapacitor/v1/tasks/h/last").json(),
        json!({"series": [{"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "v"], "values": [["1970-01-01T00:00:10Z", 1]]}]})
    );
    let r = s.get("/kapacitor/v1/tasks/h/nope");
    assert_eq!((r.status, r.json()), (404, error_json("no task exists")));
}

#[test]
fn enabled_tasks_survive_restarts_and_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    let mut s = Server::start_in(tmp.path());
    let pidfile = tmp.path().join("kapacitord.pid");
    assert_eq!(
        std::fs::read_to_string(&pidfile).unwrap(),
        s.pid().to_string()
    );
    assert_eq!(
        s.post(
            "/kapacitor/v1/tasks",
            &create_body("on", CPU_ALERT, "enabled")
        )
        .status,
        200
    );
    assert_eq!(
        s.post(
            "/kapacitor/v1/tasks",
            &create_body("off", CPU_ALERT, "disabled")
        )
        .status,
        200
    );
    let cluster = s.get("/kapacitor/v1/debug/vars").json()["cluster_id"].clone();
    assert_eq!(s.stop(), Some(0), "clean exit on SIGTERM");
    assert!(!pidfile.exists(), "pidfile removed");
    assert!(s.log().contains("msg=\"server shutdown completed\""));

    let mut s = Server::start_in(tmp.path());
    assert_eq!(
        s.get("/kapacitor/v1/tasks/on").json()["executing"],
        json!(true)
    );
    assert_eq!(
        s.get("/kapacitor/v1/tasks/off").json()["executing"],
        json!(false)
    );
    assert_eq!(
        s.get("/kapacitor/v1/debug/vars").json()["cluster_id"],
        cluster
    );
    // A change acknowledged just before a crash is kept.
    assert_eq!(
        s.patch("/kapacitor/v1/tasks/off", r#"{"status":"enabled"}"#)
            .status,
        200
    );
    s.kill9();

    let s = Server::start_in(tmp.path());
    for id in ["on", "off"] {
        let t = s.get(&format!("/kapacitor/v1/tasks/{id}")).json();
        assert_eq!(
            (t["status"].clone(), t["executing"].clone()),
            (json!("enabled"), json!(true)),
            "{id}"
        );
    }
}

#[test]
fn a_task_that_cannot_start_keeps_its_error() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_config(tmp.path());
    {
        // Written behind the API's back, as an older or newer version might have stored it.
        let store = kapa_storage::TaskStore::open(tmp.path().join("data/kapacitor.db")).unwrap();
        store
            .put(&kapa_storage::TaskRecord {
                id: "broken".into(),
                template_id: String::new(),
                task_type: "stream".into(),
                dbrps: vec![kapa_storage::DbrpRecord {
                    db: "d".into(),
                    rp: "autogen".into(),
                }],
                script: "stream\n    |from()\n        .nosuchproperty(1)\n".into(),
                vars: json!({}),
                status: "enabled".into(),
                error: String::new(),
                created: 1,
                modified: 1,
                last_enabled: 1,
            })
            .unwrap();
    }
    let s = Server::start_in(tmp.path());
    let t = s.get("/kapacitor/v1/tasks/broken").json();
    assert_eq!(t["status"], json!("enabled"));
    assert_eq!(t["executing"], json!(false));
    assert_eq!(
        t["error"],
        json!("line 3 char 10: no method or property \"nosuchproperty\" on *pipeline.FromNode")
    );
    assert!(
        s.log().contains("msg=\"failed to start enabled task\""),
        "{}",
        s.log()
    );
    assert_eq!(
        s.get("/kapacitor/v1/ping").status,
        204,
        "the daemon keeps running"
    );
}

#[test]
fn writes_without_rp_reach_autogen_tasks() {
    let s = Server::start();
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |httpOut('last')\n";
    assert_eq!(
        s.post("/kapacitor/v1/tasks", &create_body("h", script, "enabled"))
            .status,
        200
    );
    assert_eq!(
        s.post("/write?db=kapacitor_example&precision=s", "cpu v=2 20")
            .status,
        204
    );
    let out = s.get("/kapacitor/v1/tasks/h/last").json();
    assert_eq!(
        out["series"][0]["values"],
        json!([["1970-01-01T00:00:20Z", 2]])
    );
}
