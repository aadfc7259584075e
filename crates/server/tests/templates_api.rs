//! Task templates through the real daemon: CRUD with Kapacitor's JSON, tasks made from a
//! template with typed vars, and a template update reaching its tasks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Server;
use serde_json::json;

const TEMPLATE: &str = "// Which measurement to consume\nvar measurement string\nvar where_filter = lambda: TRUE\nvar field = 'usage_idle'\nvar warn lambda\nvar crit lambda\nvar window = 5m\n\nstream\n    |from()\n        .measurement(measurement)\n        .where(where_filter)\n    |window()\n        .period(window)\n        .every(window)\n    |mean(field)\n    |alert()\n        .warn(warn)\n        .crit(crit)\n";

#[test]
fn template_lifecycle_and_template_tasks() {
    let s = Server::start();
    let r = s.post(
        "/kapacitor/v1/templates",
        &json!({"id": "generic_mean_alert", "type": "stream", "script": TEMPLATE}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let t = r.json();
    assert_eq!(t["id"], "generic_mean_alert");
    assert_eq!(t["type"], "stream");
    assert_eq!(t["error"], "");
    assert_eq!(
        t["link"],
        json!({"rel": "self", "href": "/kapacitor/v1/templates/generic_mean_alert"})
    );
    assert_eq!(
        t["vars"]["measurement"],
        json!({"type": "string", "value": null, "description": "Which measurement to consume"})
    );
    assert_eq!(
        t["vars"]["window"],
        json!({"type": "duration", "value": 300_000_000_000_i64, "description": ""})
    );
    assert_eq!(t["vars"]["field"]["value"], "usage_idle");
    assert!(
        t["dot"]
            .as_str()
            .unwrap()
            .starts_with("digraph generic_mean_alert")
    );
    for k in ["created", "modified", "script"] {
        assert!(t[k].is_string(), "{k}");
    }

    // The same id again, a bad id, no script, a bad script.
    let r = s.post(
        "/kapacitor/v1/templates",
        &json!({"id": "generic_mean_alert", "script": TEMPLATE}).to_string(),
    );
    assert_eq!(
        r.json(),
        common::error_json("template generic_mean_alert already exists")
    );
    let r = s.post(
        "/kapacitor/v1/templates",
        &json!({"id": "a/b", "script": TEMPLATE}).to_string(),
    );
    assert_eq!(r.status, 400);
    let r = s.post("/kapacitor/v1/templates", &json!({"id": "x"}).to_string());
    assert_eq!(r.json(), common::error_json("must provide TICKscript"));
    let r = s.post(
        "/kapacitor/v1/templates",
        &json!({"id": "x", "script": "stream|nope()"}).to_string(),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid TICKscript")
    );

    // A task from the template.
    let vars = json!({
        "measurement": {"type": "string", "value": "cpu"},
        "warn": {"type": "lambda", "value": "\"mean\" < 30"},
        "crit": {"type": "lambda", "value": "\"mean\" < 10"},
        "window": {"type": "duration", "value": "1m"},
    });
    let r = s.post(
        "/kapacitor/v1/tasks",
        &json!({"id": "cpu_alert", "template-id": "generic_mean_alert", "vars": vars,
                "dbrps": [{"db": "telegraf", "rp": "autogen"}], "status": "enabled"})
        .to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let task = r.json();
    assert_eq!(task["template-id"], "generic_mean_alert");
    assert_eq!(task["executing"], true);
    assert_eq!(task["vars"]["window"]["value"], 60_000_000_000_i64);
    assert!(
        task["script"]
            .as_str()
            .unwrap()
            .contains("var measurement string")
    );

    // A var of the wrong type and an unknown template.
    let r = s.post(
        "/kapacitor/v1/tasks",
        &json!({"id": "bad", "template-id": "generic_mean_alert",
                "vars": {"measurement": {"type": "int", "value": 1}},
                "dbrps": [{"db": "telegraf", "rp": "autogen"}]})
        .to_string(),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("invalid type supplied for measurement, got int exp string"),
        "{}",
        r.body
    );
    let r = s.post(
        "/kapacitor/v1/tasks",
        &json!({"id": "bad", "template-id": "nope", "dbrps": [{"db": "telegraf", "rp": "autogen"}]})
            .to_string(),
    );
    assert_eq!(
        r.json(),
        common::error_json("unknown template nope: err: no template exists")
    );

    // Updating the template updates and reloads its task.
    let new_script = TEMPLATE.replace("|mean(field)", "|max(field)\n        .as('mean')");
    let r = s.patch(
        "/kapacitor/v1/templates/generic_mean_alert",
        &json!({"script": new_script}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let task = s.get("/kapacitor/v1/tasks/cpu_alert").json();
    assert!(
        task["script"].as_str().unwrap().contains("|max(field)"),
        "{}",
        task["script"]
    );
    assert_eq!(task["executing"], true);
    assert!(
        task["dot"].as_str().unwrap().contains("max"),
        "{}",
        task["dot"]
    );

    // A template change a task cannot take is refused, and nothing changes.
    let r = s.patch(
        "/kapacitor/v1/templates/generic_mean_alert",
        &json!({"script": "var measurement int\nstream|from().measurement('x')\n"}).to_string(),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("error reloading associated task cpu_alert")
    );
    assert!(
        s.get("/kapacitor/v1/templates/generic_mean_alert").json()["script"]
            .as_str()
            .unwrap()
            .contains("|max(field)")
    );

    let list = s.get("/kapacitor/v1/templates?fields=type").json();
    assert_eq!(
        list,
        json!({"templates": [{"id": "generic_mean_alert", "type": "stream",
            "link": {"rel": "self", "href": "/kapacitor/v1/templates/generic_mean_alert"}}]})
    );
    assert_eq!(
        s.delete("/kapacitor/v1/templates/generic_mean_alert")
            .status,
        204
    );
    let r = s.get("/kapacitor/v1/templates/generic_mean_alert");
    assert_eq!(r.status, 404);
    assert_eq!(r.json(), common::error_json("no template exists"));
    assert_eq!(
        s.delete("/kapacitor/v1/templates/generic_mean_alert")
            .status,
        204
    );
}
