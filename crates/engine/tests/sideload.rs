//! The sideload node against files on disk (Kapacitor's `TestStream_Sideload` data): values
//! looked up along the order templates, defaults, type conversion, JSON and YAML files,
//! batches, and reloading.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kapa_engine::{EngineConfig, NullAlertSink, ServerInfo, TaskDef, TaskMaster};
use kapa_models::Precision;
use kapa_models::time::ManualClock;
use kapa_pipeline::{Dbrp, TaskType};
use serde_json::Value;

const ZERO: i64 = 31_536_000 * 1_000_000_000;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sideload_data")
}

fn engine() -> Arc<TaskMaster> {
    TaskMaster::new(EngineConfig {
        clock: Arc::new(ManualClock::new(ZERO)),
        alerts: Arc::new(NullAlertSink),
        server: ServerInfo::default(),
        topic_prefix: "main".into(),
    })
}

fn start(tm: &TaskMaster, id: &str, script: &str) -> Result<(), String> {
    tm.start_task(&TaskDef {
        id: id.into(),
        task_type: TaskType::Stream,
        dbrps: vec![Dbrp {
            db: "dbname".into(),
            rp: "rpname".into(),
        }],
        script: script.into(),
        vars: HashMap::new(),
    })
    .map_err(|e| e.to_string())
}

fn write(tm: &TaskMaster, line: &str) {
    let mut p = kapa_lineproto::parse_line(line.as_bytes(), Precision::Second, 0).unwrap();
    p.time += ZERO;
    tm.write_points("dbname", "rpname", std::slice::from_ref(&p));
}

/// The httpOut result, reparsed from text so floats and ints compare as printed.
fn out(tm: &TaskMaster, id: &str) -> Value {
    let got = serde_json::to_string(&tm.http_out(id, "out").unwrap()).unwrap();
    serde_json::from_str(&got).unwrap()
}

fn row(tags: &str, cols: &str, vals: &str) -> Value {
    serde_json::from_str(&format!(
        r#"{{"series":[{{"name":"m","tags":{tags},"columns":{cols},"values":[["1971-01-01T00:00:00Z",{vals}]]}}]}}"#
    ))
    .unwrap()
}

fn script(dir: &Path, ext: &str) -> String {
    format!(
        "stream\n|from().measurement('m')\n|sideload()\n.source('file://{}')\n.order('t0/{{{{.t0}}}}.{ext}', 't1/{{{{.t1}}}}.{ext}', 't2/{{{{.t2}}}}.{ext}')\n.field('f1', 0)\n.field('f2', 0.0)\n.tag('t3', 'default')\n|httpOut('out')\n",
        dir.display()
    )
}

fn check_kapacitor_data(ext: &str) {
    let tm = engine();
    let id = format!("sideload_{ext}");
    start(&tm, &id, &script(&data_dir(), ext)).unwrap();
    let cols = r#"["time","f1","f2","value"]"#;
    write(&tm, "m,t0=a,t1=m,t2=x value=1 0");
    assert_eq!(
        out(&tm, &id),
        row(
            r#"{"t0":"a","t1":"m","t2":"x","t3":"default"}"#,
            cols,
            "0,0,1"
        )
    );
    write(&tm, "m,t0=b,t1=n,t2=y value=1 0");
    assert_eq!(
        out(&tm, &id),
        row(
            r#"{"t0":"b","t1":"n","t2":"y","t3":"why"}"#,
            cols,
            "2,3.5,1"
        )
    );
    write(&tm, "m,t0=c,t1=o,t2=y value=1 0");
    assert_eq!(
        out(&tm, &id),
        row(
            r#"{"t0":"c","t1":"o","t2":"y","t3":"why"}"#,
            cols,
            "12,13.5,1"
        )
    );
}

#[test]
fn sideload_yaml_files_first_hit_wins() {
    check_kapacitor_data("yml");
}

#[test]
fn sideload_json_files_first_hit_wins() {
    check_kapacitor_data("json");
}

#[test]
fn sideload_converts_to_the_default_type_or_keeps_the_default() {
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('m')\n|sideload()\n.source('file://{}')\n.order('t2/{{{{.t2}}}}.yml')\n.field('other', 'none')\n.field('t3', 1.5)\n.tag('other', 'x')\n|httpOut('out')\n",
        data_dir().display()
    );
    start(&tm, "conv", &s).unwrap();
    write(&tm, "m,t2=y value=1 0");
    // `other: 56` becomes the string "56"; `t3: why` is no float, so the default stays.
    assert_eq!(
        out(&tm, "conv"),
        row(
            r#"{"other":"56","t2":"y"}"#,
            r#"["time","other","t3","value"]"#,
            r#""56",1.5,1"#
        )
    );
}

#[test]
fn sideload_batches_set_every_point() {
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('m')\n|window().period(10s).every(10s)\n|sideload()\n.source('file://{}')\n.order('t0/{{{{.t0}}}}.json')\n.field('f1', 0)\n|httpOut('out')\n",
        data_dir().display()
    );
    start(&tm, "batch", &s).unwrap();
    write(&tm, "m,t0=b value=1 0");
    write(&tm, "m,t0=c value=2 1");
    write(&tm, "m,t0=zz value=3 2");
    write(&tm, "m,t0=b value=4 10");
    let got = out(&tm, "batch");
    let want: Value = serde_json::from_str(
        r#"{"series":[{"name":"m","columns":["time","f1","t0","value"],"values":[
            ["1971-01-01T00:00:00Z",2,"b",1],
            ["1971-01-01T00:00:01Z",12,"c",2],
            ["1971-01-01T00:00:02Z",0,"zz",3]]}]}"#,
    )
    .unwrap();
    assert_eq!(got, want);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kapa-sideload-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("host")).unwrap();
    dir
}

#[test]
fn sideload_reload_rereads_the_files() {
    let dir = scratch("reload");
    std::fs::write(dir.join("host/a.yml"), "maintenance: false\nlimit: 10\n").unwrap();
    let tm = engine();
    let s = format!(
        "stream\n|from().measurement('m')\n|sideload()\n.source('file://{}')\n.order('host/{{{{.host}}}}.yml')\n.field('maintenance', FALSE)\n.field('limit', 0.0)\n|httpOut('out')\n",
        dir.display()
    );
    start(&tm, "reload", &s).unwrap();
    let cols = r#"["time","limit","maintenance","value"]"#;
    write(&tm, "m,host=a value=1 0");
    assert_eq!(
        out(&tm, "reload"),
        row(r#"{"host":"a"}"#, cols, "10,false,1")
    );

    std::fs::write(dir.join("host/a.yml"), "maintenance: yes\nlimit: 20.5\n").unwrap();
    write(&tm, "m,host=a value=1 0");
    assert_eq!(
        out(&tm, "reload"),
        row(r#"{"host":"a"}"#, cols, "10,false,1"),
        "cached until reloaded"
    );

    kapa_engine::reload_sideload_sources().unwrap();
    write(&tm, "m,host=a value=1 0");
    assert_eq!(
        out(&tm, "reload"),
        row(r#"{"host":"a"}"#, cols, "20.5,true,1")
    );

    // A file that no longer parses fails the reload and keeps the values loaded before.
    std::fs::write(dir.join("host/a.yml"), "maintenance: [\n  bad: - x\n").unwrap();
    let err = kapa_engine::reload_sideload_sources().unwrap_err();
    assert!(
        err.starts_with(&format!(
            "failed to update source {:?}: failed to update sideload cache for source file",
            dir.display().to_string()
        )),
        "{err}"
    );
    write(&tm, "m,host=a value=1 0");
    assert_eq!(
        out(&tm, "reload"),
        row(r#"{"host":"a"}"#, cols, "20.5,true,1")
    );
    tm.stop_task("reload");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sideload_bad_sources_fail_the_task() {
    let tm = engine();
    let s = |src: &str| {
        format!(
            "stream\n|from()\n|sideload()\n.source('{src}')\n.order('a.yml')\n.field('x', 1)\n|httpOut('out')\n"
        )
    };
    assert_eq!(
        start(&tm, "rel", &s("file:relative/dir")).unwrap_err(),
        "sideload2: sideload source path must be absolute \"\""
    );
    assert_eq!(
        start(&tm, "ftp", &s("ftp://host/dir")).unwrap_err(),
        "sideload2: unsupported source scheme \"ftp\", must be 'file', 'http', or 'https'"
    );
    assert_eq!(
        start(&tm, "ep", &s("nosuch")).unwrap_err(),
        "sideload2: endpoint 'nosuch' does not exist"
    );
    // The host part of a file URL is not part of the path, as Go parses it.
    let missing = start(&tm, "missing", &s("file://nonexistent/kapa/sideload")).unwrap_err();
    assert!(
        missing.starts_with(
            "sideload2: failed to update sideload cache for source file \"/kapa/sideload\": "
        ),
        "{missing}"
    );
}
