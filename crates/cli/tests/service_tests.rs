//! `kapacitor service-tests` and `kapacitor list service-tests` against a fake server: the
//! requests sent, the printed tables and the exit codes.

#![allow(clippy::unwrap_used)]

mod fake_server;

use std::process::{Command, Output};

use fake_server::{FakeServer, Req};

fn kapacitor(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kapacitor"))
        .arg("-url")
        .arg(url)
        .args(args)
        .env_remove("KAPACITOR_URL")
        .env_remove("KAPACITOR_UNSAFE_SSL")
        .output()
        .unwrap()
}

fn server() -> FakeServer {
    FakeServer::start(|req: &Req| {
        match req.method.as_str() {
        "GET" if req.target.contains("pattern=s%2A") || req.target.contains("pattern=s*") => (
            200,
            r#"{"link":{"rel":"self","href":"/kapacitor/v1/service-tests"},"services":[
                {"link":{"rel":"self","href":"/kapacitor/v1/service-tests/slack"},"name":"slack","options":{}},
                {"link":{"rel":"self","href":"/kapacitor/v1/service-tests/smtp"},"name":"smtp","options":{}}]}"#
                .to_string(),
        ),
        "GET" => (
            200,
            r#"{"link":{"rel":"self","href":"/kapacitor/v1/service-tests"},"services":[
                {"link":{"rel":"self","href":"/kapacitor/v1/service-tests/teams"},"name":"teams","options":{}}]}"#
                .to_string(),
        ),
        "POST" if req.target.ends_with("/smtp") => (
            200,
            r#"{"success":false,"message":"service is not enabled"}"#.to_string(),
        ),
        "POST" => (200, r#"{"success":true,"message":""}"#.to_string()),
        _ => (500, String::new()),
    }
    })
}

#[test]
fn service_tests_runs_each_match_and_prints_the_table() {
    let srv = server();
    let out = kapacitor(&srv.url, &["service-tests", "s*", "teams"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Service             Success   Message\n\
         slack               true      \n\
         smtp                false     service is not enabled\n\
         teams               true      \n"
    );
    let lines = srv.lines();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(
        lines[0].starts_with("GET /kapacitor/v1/service-tests?pattern=s"),
        "{lines:?}"
    );
    assert_eq!(lines[1], "GET /kapacitor/v1/service-tests?pattern=teams");
    assert_eq!(lines[2], "POST /kapacitor/v1/service-tests/slack null");
    assert_eq!(lines[3], "POST /kapacitor/v1/service-tests/smtp null");
    assert_eq!(lines[4], "POST /kapacitor/v1/service-tests/teams null");
}

#[test]
fn list_service_tests_prints_names() {
    let srv = server();
    let out = kapacitor(&srv.url, &["list", "service-tests"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Service Name\nteams\n"
    );
    assert_eq!(
        srv.lines(),
        vec!["GET /kapacitor/v1/service-tests?pattern=".to_string()]
    );
}

#[test]
fn service_tests_without_names_is_an_error() {
    let srv = server();
    let out = kapacitor(&srv.url, &["service-tests"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "must provide at least one service name or pattern.\n"
    );
    assert!(srv.lines().is_empty());
}
