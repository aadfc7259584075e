//! `kapacitord config`, `version`, `help` and flag errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kapacitord"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_prints_every_section() {
    let (code, out, _) = run(&["config"]);
    assert_eq!(code, 0);
    let table: toml::Table = out.parse().unwrap();
    let sections = table
        .values()
        .filter(|v| v.is_table() || v.is_array() && v[0].is_table())
        .count();
    assert_eq!(sections, 56);
    assert_eq!(table["http"]["bind-address"].as_str(), Some(":9092"));
    assert_eq!(
        table["storage"]["boltdb"].as_str(),
        Some("/var/lib/kapacitor/kapacitor.db")
    );
}

#[test]
fn config_merges_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("k.conf");
    std::fs::write(
        &f,
        "hostname = \"box\"\n[logging]\nlevel = \"DEBUG\"\n[custom]\nx = 1\n",
    )
    .unwrap();
    let (code, out, _) = run(&["config", "-config", f.to_str().unwrap()]);
    assert_eq!(code, 0);
    let t: toml::Table = out.parse().unwrap();
    assert_eq!(t["hostname"].as_str(), Some("box"));
    assert_eq!(t["logging"]["level"].as_str(), Some("DEBUG"));
    assert_eq!(t["logging"]["file"].as_str(), Some("STDERR"));
    assert_eq!(t["custom"]["x"].as_integer(), Some(1));
}

#[test]
fn version_help_and_bad_flags() {
    let (code, out, _) = run(&["version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Kapacitor OSS 1.8.2 "), "{out}");
    let (code, out, _) = run(&["help"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"run\" is the default command."));
    let (code, _, err) = run(&["run", "-bogus", "1"]);
    assert_eq!(code, 1);
    assert_eq!(err, "flag provided but not defined: -bogus\n");
    let (code, _, err) = run(&["frobnicate"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("unknown command \"frobnicate\""));
}

#[test]
fn env_overrides_and_bad_config_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("k.conf");
    std::fs::write(&f, "hostname = 5\n").unwrap();
    let (code, _, err) = run(&["-config", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("lvl=error"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_kapacitord"))
        .env("KAPACITOR_HTTP_LOG_ENABLED", "maybe")
        .args(["-config", "/nonexistent/k.conf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
