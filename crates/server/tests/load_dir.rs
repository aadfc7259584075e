//! `[load] dir`: tasks and topic handlers defined by files, loaded at start and again on
//! SIGHUP (removed files remove their items), refused to the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::Server;
use serde_json::Value;

const TASK: &str = "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" < 70)\n        .topic('cpu')\n";

fn setup(dir: &Path) {
    common::write_config(dir);
    let conf = dir.join("kapacitor.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(&format!(
        "[load]\n  enabled = true\n  dir = \"{}/load\"\n",
        dir.display()
    ));
    std::fs::write(&conf, text).unwrap();
    let load = dir.join("load");
    for sub in ["tasks", "handlers", "templates"] {
        std::fs::create_dir_all(load.join(sub)).unwrap();
    }
    std::fs::write(load.join("tasks/cpu_alert.tick"), TASK).unwrap();
    std::fs::write(
        load.join("handlers/log.yaml"),
        format!(
            "topic: cpu\nid: tolog\nkind: log\nmatch: level() == CRITICAL\noptions:\n  path: {}/alerts.log\n",
            dir.display()
        ),
    )
    .unwrap();
    // A file that cannot load does not stop the others.
    std::fs::write(load.join("handlers/broken.json"), "{not json").unwrap();
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn load_dir_at_start_and_on_sighup() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let mut s = Server::start_in(tmp.path());

    let t = s.get("/kapacitor/v1/tasks/cpu_alert").json();
    assert_eq!(t["status"], "enabled", "{t}");
    assert_eq!(
        t["dbrps"],
        serde_json::json!([{"db": "telegraf", "rp": "autogen"}])
    );
    let h = s.get("/kapacitor/v1/alerts/topics/cpu/handlers/tolog");
    assert_eq!(h.status, 200, "{}", h.body);

    // The data flows: task -> topic cpu -> loaded handler.
    let r = s.post(
        "/write?db=telegraf&rp=autogen&precision=s",
        "cpu usage_idle=50 10",
    );
    assert_eq!(r.status, 204);
    let log = tmp.path().join("alerts.log");
    wait_until("the alert", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("CRITICAL"))
    });

    // Loaded items are refused to the API.
    let r = s.patch("/kapacitor/v1/tasks/cpu_alert", "{\"status\":\"disabled\"}");
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.json()["error"],
        "cannot modify task \"cpu_alert\": it was loaded from the load directory"
    );
    let r = s.delete("/kapacitor/v1/alerts/topics/cpu/handlers/tolog");
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        s.log().contains("broken.json"),
        "the broken file is reported"
    );

    // Remove the handler file, change the task, and send SIGHUP.
    std::fs::remove_file(tmp.path().join("load/handlers/log.yaml")).unwrap();
    std::fs::write(
        tmp.path().join("load/tasks/cpu_alert.tick"),
        TASK.replace("< 70", "< 60"),
    )
    .unwrap();
    let status = Command::new("kill")
        .arg("-HUP")
        .arg(s.pid().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    wait_until("the handler to go", || {
        s.get("/kapacitor/v1/alerts/topics/cpu/handlers/tolog")
            .status
            == 404
    });
    wait_until("the script to change", || {
        let t: Value = s.get("/kapacitor/v1/tasks/cpu_alert").json();
        t["script"].as_str().is_some_and(|x| x.contains("< 60"))
    });
    let t = s.get("/kapacitor/v1/tasks/cpu_alert").json();
    assert_eq!(t["status"], "enabled");

    // A restart keeps the loaded task (and its refusal) without reloading twice.
    assert_eq!(s.stop(), Some(0));
    let mut s = Server::start_in(tmp.path());
    assert_eq!(s.patch("/kapacitor/v1/tasks/cpu_alert", "{}").status, 403);
    // The task file removed: the task goes at the next load.
    std::fs::remove_file(tmp.path().join("load/tasks/cpu_alert.tick")).unwrap();
    Command::new("kill")
        .arg("-HUP")
        .arg(s.pid().to_string())
        .status()
        .unwrap();
    wait_until("the task to go", || {
        s.get("/kapacitor/v1/tasks/cpu_alert").status == 404
    });
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn templates_and_template_tasks_load_from_the_dir() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let load = tmp.path().join("load");
    std::fs::write(
        load.join("templates/threshold.tick"),
        "// The measurement\nvar measurement string\nvar crit = 70.0\n\nstream\n    |from()\n        .measurement(measurement)\n    |alert()\n        .crit(lambda: \"usage_idle\" < crit)\n        .topic('cpu')\n",
    )
    .unwrap();
    std::fs::write(
        load.join("tasks/mem_alert.yaml"),
        "template-id: threshold\ndbrps:\n  - db: telegraf\n    rp: autogen\nvars:\n  measurement:\n    type: string\n    value: mem\n",
    )
    .unwrap();
    let s = Server::start_in(tmp.path());
    let t = s.get("/kapacitor/v1/templates/threshold");
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.json()["vars"]["crit"]["value"], 70.0);
    let task = s.get("/kapacitor/v1/tasks/mem_alert").json();
    assert_eq!(task["template-id"], "threshold", "{task}");
    assert_eq!(task["status"], "enabled", "{task}");
    assert_eq!(task["vars"]["measurement"]["value"], "mem");

    // The template file goes away: on SIGHUP the template is removed (its task stays,
    // as with a template deleted through the API).
    std::fs::remove_file(load.join("templates/threshold.tick")).unwrap();
    std::fs::remove_file(load.join("tasks/mem_alert.yaml")).unwrap();
    let pid = s.pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    wait_until("the template to go", || {
        s.get("/kapacitor/v1/templates/threshold").status == 404
    });
}
