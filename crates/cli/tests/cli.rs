//! Runs the built `kapacitor` binary against a fake server and checks the exact requests it
//! sends, what it prints and its exit codes.

#![allow(clippy::unwrap_used)] // Test helpers outside #[test] fns may unwrap too.

mod fake_server;

use std::path::Path;
use std::process::{Command, Output};

use fake_server::{FakeServer, Req};

const SCRIPT: &str = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" <  70)\n        .log('/tmp/alerts.log')\n";
/// SCRIPT as Go's JSON encoder writes it (`<` escaped).
const SCRIPT_JSON: &str = r#""stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" \u003c  70)\n        .log('/tmp/alerts.log')\n""#;

const GET_TASK: &str =
    "GET /kapacitor/v1/tasks/cpu_alert?dot-view=attributes&script-format=formatted";

fn kapacitor(url: &str, args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kapacitor"))
        .arg("-url")
        .arg(url)
        .args(args)
        .current_dir(cwd)
        .env_remove("KAPACITOR_URL")
        .env_remove("KAPACITOR_UNSAFE_SSL")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn script_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cpu_alert.tick"), SCRIPT).unwrap();
    dir
}

fn task_json(status: &str) -> String {
    format!(
        r#"{{"link":{{"rel":"self","href":"/kapacitor/v1/tasks/cpu_alert"}},"id":"cpu_alert","type":"stream","status":"{status}","dbrps":[{{"db":"kapacitor_example","rp":"autogen"}}],"script":"stream","dot":"digraph cpu_alert {{\n}}","executing":false,"error":"","created":"2016-05-04T21:01:00Z","modified":"2016-05-04T21:04:00Z","last-enabled":"0001-01-01T00:00:00Z"}}"#
    )
}

/// A server that knows one task `cpu_alert` with the given status (None: no task).
fn server_with_task(status: Option<&'static str>) -> FakeServer {
    FakeServer::start(move |req: &Req| match (req.method.as_str(), status) {
        ("GET", Some(s)) if req.target.starts_with("/kapacitor/v1/tasks/cpu_alert") => {
            (200, task_json(s))
        }
        ("GET", None) if req.target.starts_with("/kapacitor/v1/tasks/") => {
            (404, r#"{"error":"no task exists"}"#.to_string())
        }
        ("POST", _) => (200, task_json("disabled")),
        ("PATCH", _) => (200, task_json("enabled")),
        _ => (500, r#"{"error":"unexpected"}"#.to_string()),
    })
}

#[test]
fn define_new_task_posts_the_guide_definition() {
    let dir = script_dir();
    let srv = server_with_task(None);
    let out = kapacitor(
        &srv.url,
        &[
            "define",
            "cpu_alert",
            "-type",
            "stream",
            "-tick",
            "cpu_alert.tick",
            "-dbrp",
            "kapacitor_example.autogen",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let expected_body = format!(
        "{{\"id\":\"cpu_alert\",\"type\":\"stream\",\"dbrps\":[{{\"db\":\"kapacitor_example\",\"rp\":\"autogen\"}}],\"script\":{SCRIPT_JSON},\"status\":\"disabled\"}}\n"
    );
    assert_eq!(
        srv.lines(),
        vec![
            GET_TASK.to_string(),
            format!("POST /kapacitor/v1/tasks {expected_body}")
        ]
    );
    let post = &srv.requests()[1];
    assert_eq!(post.header("user-agent"), Some("KapacitorClient"));
    assert_eq!(post.header("content-type"), Some("application/json"));
}

#[test]
fn define_new_task_without_type_or_dbrp_omits_them() {
    let dir = script_dir();
    let srv = server_with_task(None);
    let out = kapacitor(
        &srv.url,
        &["define", "cpu_alert", "-tick=cpu_alert.tick"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.requests()[1].body,
        format!("{{\"id\":\"cpu_alert\",\"script\":{SCRIPT_JSON},\"status\":\"disabled\"}}\n")
    );
}

#[test]
fn define_existing_enabled_task_patches_then_reloads() {
    let dir = script_dir();
    let srv = server_with_task(Some("enabled"));
    let out = kapacitor(
        &srv.url,
        &["define", "cpu_alert", "-tick", "cpu_alert.tick"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines(),
        vec![
            GET_TASK.to_string(),
            format!("PATCH /kapacitor/v1/tasks/cpu_alert {{\"script\":{SCRIPT_JSON}}}\n"),
            "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"disabled\"}\n".to_string(),
            "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"enabled\"}\n".to_string(),
        ]
    );
}

#[test]
fn define_with_no_reload_only_patches() {
    let dir = script_dir();
    let srv = server_with_task(Some("enabled"));
    let out = kapacitor(
        &srv.url,
        &[
            "define",
            "cpu_alert",
            "-tick",
            "cpu_alert.tick",
            "-no-reload",
            "-dbrp",
            "\"db\".\"rp\"",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines(),
        vec![
            GET_TASK.to_string(),
            format!(
                "PATCH /kapacitor/v1/tasks/cpu_alert {{\"dbrps\":[{{\"db\":\"db\",\"rp\":\"rp\"}}],\"script\":{SCRIPT_JSON}}}\n"
            ),
        ]
    );
}

#[test]
fn define_existing_disabled_task_is_not_reloaded() {
    let dir = script_dir();
    let srv = server_with_task(Some("disabled"));
    let out = kapacitor(
        &srv.url,
        &["define", "cpu_alert", "-type", "batch"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines(),
        vec![
            GET_TASK.to_string(),
            "PATCH /kapacitor/v1/tasks/cpu_alert {\"type\":\"batch\"}\n".to_string()
        ]
    );
}

#[test]
fn define_with_missing_tick_file_fails_with_go_message() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server_with_task(None);
    let out = kapacitor(
        &srv.url,
        &["define", "cpu_alert", "-tick", "nope.tick"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out), "open nope.tick: no such file or directory\n");
    assert!(srv.lines().is_empty());
}

#[test]
fn define_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server_with_task(None);
    let out = kapacitor(&srv.url, &["define"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .starts_with("Must provide a task ID.\nUsage: kapacitor define <task ID> [options]\n")
    );
    let out = kapacitor(&srv.url, &["define", "t", "-dbrp", "nodot"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("invalid value \"nodot\" for flag -dbrp: does not contain a '.'")
    );
    let out = kapacitor(&srv.url, &["define", "t", "-bogus"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("flag provided but not defined: -bogus\n"));
    assert!(srv.lines().is_empty());
}

fn list_server(ids: &'static [&'static str]) -> FakeServer {
    FakeServer::start(move |req: &Req| match req.method.as_str() {
        "GET" => {
            let tasks: Vec<String> = ids
                .iter()
                .map(|id| {
                    format!(r#"{{"link":{{"rel":"self","href":"/kapacitor/v1/tasks/{id}"}},"id":"{id}"}}"#)
                })
                .collect();
            (200, format!("{{\"tasks\":[{}]}}", tasks.join(",")))
        }
        "PATCH" => (200, "{}".to_string()),
        "DELETE" => (204, String::new()),
        _ => (500, String::new()),
    })
}

#[test]
fn enable_lists_then_patches_each_task() {
    let dir = tempfile::tempdir().unwrap();
    let srv = list_server(&["cpu_alert"]);
    let out = kapacitor(&srv.url, &["enable", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines(),
        vec![
            "GET /kapacitor/v1/tasks?dot-view=attributes&fields=link&limit=100&offset=0&pattern=cpu_alert&script-format=formatted".to_string(),
            "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"enabled\"}\n".to_string(),
        ]
    );
}

#[test]
fn enable_glob_patches_every_match() {
    let dir = tempfile::tempdir().unwrap();
    let srv = list_server(&["cpu_alert", "mem_alert"]);
    let out = kapacitor(&srv.url, &["enable", "*_alert"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines(),
        vec![
            "GET /kapacitor/v1/tasks?dot-view=attributes&fields=link&limit=100&offset=0&pattern=%2A_alert&script-format=formatted".to_string(),
            "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"enabled\"}\n".to_string(),
            "PATCH /kapacitor/v1/tasks/mem_alert {\"status\":\"enabled\"}\n".to_string(),
        ]
    );
}

#[test]
fn disable_patches_status_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let srv = list_server(&["cpu_alert"]);
    let out = kapacitor(&srv.url, &["disable", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines()[1],
        "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"disabled\"}\n"
    );
}

#[test]
fn reload_disables_then_enables() {
    let dir = tempfile::tempdir().unwrap();
    let srv = list_server(&["cpu_alert"]);
    let out = kapacitor(&srv.url, &["reload", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = srv.lines();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"disabled\"}\n"
    );
    assert_eq!(
        lines[3],
        "PATCH /kapacitor/v1/tasks/cpu_alert {\"status\":\"enabled\"}\n"
    );
}

#[test]
fn delete_tasks_lists_then_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let srv = list_server(&["cpu_alert"]);
    let out = kapacitor(&srv.url, &["delete", "tasks", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines(),
        vec![
            "GET /kapacitor/v1/tasks?dot-view=attributes&fields=link&limit=100&offset=0&pattern=cpu_alert&script-format=formatted".to_string(),
            "DELETE /kapacitor/v1/tasks/cpu_alert".to_string(),
        ]
    );
}

#[test]
fn server_error_is_printed_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let srv = FakeServer::start(|req: &Req| {
        match req.method.as_str() {
        "GET" => (
            200,
            r#"{"tasks":[{"link":{"rel":"self","href":"/kapacitor/v1/tasks/cpu_alert"},"id":"cpu_alert"}]}"#
                .to_string(),
        ),
        _ => (400, r#"{"error":"failed to parse TICKscript"}"#.to_string()),
    }
    });
    let out = kapacitor(&srv.url, &["enable", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stderr(&out),
        "enabling task cpu_alert: failed to parse TICKscript\n"
    );

    let srv = server_with_task(None);
    let out = kapacitor(&srv.url, &["show", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out), "no task exists\n");
}

#[test]
fn refused_connection_exits_4_naming_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let out = kapacitor(&url, &["enable", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains(&url), "{err}");
    assert!(err.contains("kapacitord"), "{err}");
    assert!(err.contains("KAPACITOR_URL"), "{err}");

    let out = kapacitor(
        &url,
        &["define", "cpu_alert", "-type", "stream"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn bad_url_scheme_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let out = kapacitor("localhost:9092", &["list", "tasks"], dir.path());
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        stderr(&out),
        "Unsupported protocol scheme: localhost, your address must start with http:// or https://\n"
    );
}

#[test]
fn show_prints_kapacitor_layout() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server_with_task(Some("enabled"));
    let out = kapacitor(&srv.url, &["show", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ID: cpu_alert\nError: \nTemplate: \nType: stream\nStatus: enabled\nExecuting: false\n\
         Created: 04 May 16 21:01 UTC\nModified: 04 May 16 21:04 UTC\nLastEnabled: 01 Jan 01 00:00 UTC\n\
         Databases Retention Policies: [\"kapacitor_example\".\"autogen\"]\nTICKscript:\nstream\n\
         DOT:\ndigraph cpu_alert {\n}\n"
    );
    let out = kapacitor(
        &srv.url,
        &["show", "-replay", "r1", "cpu_alert"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        srv.lines()[1],
        "GET /kapacitor/v1/tasks/cpu_alert?dot-view=attributes&replay-id=r1&script-format=formatted"
    );
}

#[test]
fn list_tasks_prints_columns() {
    let dir = tempfile::tempdir().unwrap();
    let srv = FakeServer::start(|_: &Req| {
        (
            200,
            r#"{"tasks":[{"id":"cpu_alert","type":"stream","status":"enabled","executing":true,"dbrps":[{"db":"telegraf","rp":"autogen"}]}]}"#
                .to_string(),
        )
    });
    let out = kapacitor(&srv.url, &["list", "tasks"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ID        Type      Status    Executing Databases and Retention Policies\n\
         cpu_alert stream    enabled   true      [\"telegraf\".\"autogen\"]\n"
    );
    assert_eq!(
        srv.lines(),
        vec![
            "GET /kapacitor/v1/tasks?dot-view=attributes&fields=type&fields=status&fields=executing&fields=dbrps&limit=100&offset=0&pattern=&script-format=formatted"
        ]
    );
}

#[test]
fn usage_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:1";
    let out = kapacitor(url, &[], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("Error: Must pass a command.\n\nUsage: kapacitor"));
    let out = kapacitor(url, &["frobnicate"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("Unknown command frobnicate\n"));
    let out = kapacitor(url, &["enable"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("Must pass at least one task ID\nUsage: kapacitor enable"));
    let out = kapacitor(url, &["show"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = kapacitor(url, &["list"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = kapacitor(url, &["delete", "tasks"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unsupported_commands_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:1";
    let out = kapacitor(url, &["watch", "cpu_alert"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out), "watch is not supported yet by this build\n");
    let out = kapacitor(url, &["logs"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out), "logs is not supported yet by this build\n");
    let out = kapacitor(url, &["list", "things"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).starts_with("cannot list 'things' did you mean 'tasks'"));
}

#[test]
fn version_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:1";
    let out = kapacitor(url, &["version"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with(&format!(
        "Kapacitor OSS {} (git: ",
        env!("CARGO_PKG_VERSION")
    )));
    let out = kapacitor(url, &["help", "define"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.starts_with("Usage: kapacitor define <task ID> [options]\n"),
        "{err}"
    );
    assert!(err.contains("  -dbrp value\n"), "{err}");
    assert!(err.contains("  -no-reload\n"), "{err}");
    let out = kapacitor(url, &["help"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("Usage: kapacitor help [command]\n\n\nUsage: kapacitor [options]")
    );
}

#[test]
fn url_comes_from_environment() {
    let dir = tempfile::tempdir().unwrap();
    let srv = list_server(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_kapacitor"))
        .args(["disable", "x"])
        .current_dir(dir.path())
        .env("KAPACITOR_URL", &srv.url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(srv.lines().len(), 1);
}
