//! Script -> pipeline evaluation, as `define` sees it.

use std::collections::HashMap;

use super::*;

fn build_stream(script: &str) -> Result<Pipeline, PipelineError> {
    compile(script, TaskType::Stream, &HashMap::new())
}

fn names(p: &Pipeline) -> Vec<&str> {
    p.nodes.iter().map(|n| n.name.as_str()).collect()
}

#[test]
fn guide_script_builds_three_nodes() {
    let p = build_stream(
        "stream\n    // Select just the cpu measurement\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" <  70)\n        .log('/tmp/alerts.log')\n",
    )
    .unwrap();
    assert_eq!(names(&p), vec!["stream0", "from1", "alert2"]);
    match &p.nodes[1].kind {
        NodeKind::From(f) => assert_eq!(f.measurement, "cpu"),
        other => panic!("{other:?}"),
    }
    match &p.nodes[2].kind {
        NodeKind::Alert(a) => {
            assert!(a.levels[3].is_some());
            assert_eq!(a.handlers.len(), 1);
            assert_eq!(a.handlers[0].options["path"], "/tmp/alerts.log");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        dot(&p, "cpu_alert"),
        "digraph cpu_alert {\nstream0 -> from1;\nfrom1 -> alert2;\n}"
    );
}

#[test]
fn infers_type_and_reads_dbrps() {
    let prog =
        kapa_tick::parse("dbrp \"telegraf\".\"autogen\"\nvar data = stream|from()\ndata|alert()")
            .unwrap();
    assert_eq!(task_type_from_program(&prog), Some(TaskType::Stream));
    assert_eq!(
        dbrps_from_program(&prog),
        vec![Dbrp {
            db: "telegraf".into(),
            rp: "autogen".into()
        }]
    );
    let prog = kapa_tick::parse("batch|query('SELECT 1')").unwrap();
    assert_eq!(task_type_from_program(&prog), Some(TaskType::Batch));
    let prog = kapa_tick::parse("var x = 1").unwrap();
    assert_eq!(task_type_from_program(&prog), None);
    let prog = kapa_tick::parse("stream|from()\nbatch|query('q')").unwrap();
    assert_eq!(task_type_from_program(&prog), None);
}

#[test]
fn vars_are_substituted_into_lambdas() {
    let p = build_stream(
        "var threshold = 70\nvar m = 'cpu'\nvar period = 10s * 2\nstream|from().measurement(m)|alert().crit(lambda: \"usage_idle\" < threshold)",
    )
    .unwrap();
    match &p.nodes[2].kind {
        NodeKind::Alert(a) => {
            let src = a.levels[3].as_ref().unwrap().source().to_string();
            assert!(src.contains("70"), "{src}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn vars_are_immutable() {
    let err = build_stream("var x = 1\nvar x = 2").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2 char 1: attempted to redefine x, vars are immutable"
    );
}

#[test]
fn template_vars_need_values_of_the_declared_type() {
    let script = "var threshold float\nstream|from()|alert().crit(lambda: \"v\" > threshold)";
    let err = build_stream(script).unwrap_err();
    assert_eq!(err.to_string(), "missing value for var \"threshold\".");
    let mut vars = HashMap::new();
    vars.insert("threshold".to_string(), VarValue::Int(3));
    let err = compile(script, TaskType::Stream, &vars).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type supplied for threshold, got int exp float"
    );
    vars.insert("threshold".to_string(), VarValue::Float(3.5));
    assert!(compile(script, TaskType::Stream, &vars).is_ok());
}

#[test]
fn undefined_name_lists_scope() {
    let err = build_stream("batch|query('q')").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 1: name \"batch\" is undefined. Names in scope: stream,time"
    );
}

#[test]
fn stream_only_chains_from() {
    let err = build_stream("stream|alert()").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 8: no method or property \"alert\" on *pipeline.StreamNode"
    );
}

#[test]
fn property_used_as_chain_gets_a_hint() {
    let err = build_stream("stream|from()|measurement('cpu')").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 15: no chaining method \"measurement\" on *pipeline.FromNode, but property does exist. Use '.' operator instead: 'node.measurement(..)'."
    );
}

#[test]
fn unbuilt_nodes_are_refused_honestly() {
    let err = build_stream("stream|from()|k8sAutoscale()").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1 char 15: error calling func \"k8sAutoscale\" on obj *pipeline.FromNode: the \"k8sAutoscale\" node is not implemented yet in this build of Kapacitor"
    );
    // Every alert handler kind of Kapacitor is built.
    assert!(build_stream("stream|from()|alert().zenoss().talk().bigPanda()").is_ok());
}

#[test]
fn eval_needs_one_name_per_expression() {
    let err = build_stream("stream|from()|eval(lambda: 1, lambda: 2).as('a')").unwrap_err();
    assert!(
        err.to_string()
            .contains("must provide one name per expression"),
        "{err}"
    );
}

#[test]
fn list_argument_is_splatted_and_star_groups_all() {
    let p = build_stream("var tags = ['host', 'cpu']\nstream|from().groupBy(tags)|from2()").err();
    assert!(p.is_some());
    let p = build_stream("stream|from().groupBy(*)").unwrap();
    match &p.nodes[1].kind {
        NodeKind::From(f) => assert!(f.group_by_star),
        other => panic!("{other:?}"),
    }
    let p = build_stream("var tags = ['host', 'cpu']\nstream|from().groupBy(tags)").unwrap();
    match &p.nodes[1].kind {
        NodeKind::From(f) => assert_eq!(f.group_by, vec!["host".to_string(), "cpu".to_string()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn handler_properties_fall_through_to_the_alert_node() {
    let p = build_stream("stream|from()|alert().log('/tmp/a.log').mode(0644).crit(lambda: TRUE).stateChangesOnly(5m)|httpOut('x')")
        .unwrap();
    assert_eq!(names(&p), vec!["stream0", "from1", "alert2", "http_out3"]);
    match &p.nodes[2].kind {
        NodeKind::Alert(a) => {
            assert_eq!(a.handlers[0].options["mode"], 0o644);
            assert!(a.state_changes_only);
            assert_eq!(a.state_changes_only_interval, 300_000_000_000);
            assert!(a.levels[3].is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn syntax_errors_are_parse_errors() {
    let err = build_stream("stream\n    |from()\n        .measurement('cpu'\n    |alert()\n")
        .unwrap_err();
    assert!(matches!(err, PipelineError::Parse(_)));
    assert!(err.to_string().contains("line 4 char 5"), "{err}");
}

#[test]
fn lambda_template_var_is_parsed_without_prefix() {
    let script = "var crit lambda\nstream|from()|alert().crit(crit)";
    let mut vars = HashMap::new();
    vars.insert(
        "crit".to_string(),
        VarValue::Lambda("\"usage_idle\" < 70".into()),
    );
    let p = compile(script, TaskType::Stream, &vars).unwrap();
    match &p.nodes[2].kind {
        NodeKind::Alert(a) => assert!(
            a.levels[3]
                .as_ref()
                .unwrap()
                .source()
                .contains("usage_idle")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn window_and_influxql_nodes_build_with_edge_types() {
    let p = build_stream(
        "stream|from().measurement('cpu')|window().period(10s).every(10s)|mean('value').as('m')",
    )
    .unwrap();
    assert_eq!(names(&p), vec!["stream0", "from1", "window2", "mean3"]);
    assert_eq!(p.nodes[2].provides, nodes::EdgeType::Batch);
    assert_eq!(p.nodes[3].provides, nodes::EdgeType::Stream);
    match &p.nodes[3].kind {
        NodeKind::InfluxQl(s) => assert_eq!((s.field.as_str(), s.as_.as_str()), ("value", "m")),
        other => panic!("{other:?}"),
    }
    let p = build_stream("stream|from()|window().period(1m)|top(3, 'value', 'host')").unwrap();
    assert_eq!(p.nodes[3].provides, nodes::EdgeType::Batch);
}

#[test]
fn window_validation_and_edge_mismatch() {
    let err = build_stream("stream|from()|window()").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid window node window2: window node must have either a 'period' or a 'periodCount'"
    );
    let err = build_stream("stream|from()|window().period(1m)|window().period(1m)").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot add child mismatched edges: window2:batch -> window3:stream"
    );
}

#[test]
fn join_takes_other_nodes_as_parents() {
    let script = "var errors = stream|from().measurement('errors')\nvar views = stream|from().measurement('views')\nerrors|join(views).as('errors', 'views').tolerance(1s)|httpOut('x')";
    let p = build_stream(script).unwrap();
    assert_eq!(
        names(&p),
        vec!["stream0", "from1", "from2", "join4", "http_out5"]
    );
    assert_eq!(p.nodes[3].parents, vec![1, 2]);
    assert_eq!(p.nodes[2].children, vec![3]);
    let err = build_stream("var a = stream|from()\nvar b = stream|from()\na|join(b).as('x')")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid join node join4: number of prefixes specified by join.as() must match the number of joined streams"
    );
}

fn build_batch(script: &str) -> Result<Pipeline, PipelineError> {
    compile(script, TaskType::Batch, &HashMap::new())
}

#[test]
fn batch_query_properties() {
    let p = build_batch(
        "batch|query('SELECT mean(usage_idle) FROM \"telegraf\".\"autogen\".cpu')
            .period(5m).every(1m).align().offset(10s).alignGroup()
            .groupBy(time(1m, 5s), 'host', *).groupByMeasurement().fill(0).cluster('other')
          |alert().crit(lambda: \"mean\" < 70)",
    )
    .unwrap();
    assert_eq!(names(&p), vec!["batch0", "query1", "alert2"]);
    let nodes::NodeKind::Query(q) = &p.nodes[1].kind else {
        panic!("not a query node");
    };
    assert_eq!(q.period, 300_000_000_000);
    assert_eq!(q.every, 60_000_000_000);
    assert!(q.align && q.align_group && q.group_by_measurement);
    assert_eq!(q.offset, 10_000_000_000);
    assert_eq!(q.cluster, "other");
    assert_eq!(q.fill, Some(nodes::QueryFill::Int(0)));
    assert_eq!(
        q.dimensions,
        Some(vec![
            nodes::QueryDimension::Time {
                length: 60_000_000_000,
                offset: 5_000_000_000
            },
            nodes::QueryDimension::Tag("host".into()),
            nodes::QueryDimension::Star,
        ])
    );
    assert_eq!(p.nodes[1].provides, nodes::EdgeType::Batch);
}

#[test]
fn batch_query_schedule_is_required_once() {
    let err = build_batch("batch|query('SELECT v FROM m').period(1m)").unwrap_err();
    assert!(
        err.to_string()
            .contains("must define one of 'every' or 'cron'"),
        "{err}"
    );
    let err =
        build_batch("batch|query('SELECT v FROM m').every(1m).cron('* * * * *')").unwrap_err();
    assert!(
        err.to_string()
            .contains("must not set both 'every' and 'cron' properties"),
        "{err}"
    );
}

#[test]
fn influxdb_out_properties() {
    let p = build_stream(
        "stream|from().measurement('cpu')|influxDBOut().database('db').retentionPolicy('rp')
            .measurement('out').tag('k', 'v').precision('s').buffer(10).flushInterval(1s)
            .create().writeConsistency('any').cluster('c')",
    )
    .unwrap();
    let nodes::NodeKind::InfluxDbOut(o) = &p.nodes[2].kind else {
        panic!("not influxDBOut");
    };
    assert_eq!(p.nodes[2].name, "influxdb_out2");
    assert_eq!(
        (
            o.database.as_str(),
            o.retention_policy.as_str(),
            o.measurement.as_str()
        ),
        ("db", "rp", "out")
    );
    assert_eq!(o.tags, vec![("k".to_string(), "v".to_string())]);
    assert_eq!((o.buffer, o.flush_interval), (10, 1_000_000_000));
    assert!(o.create);
    assert_eq!(o.write_consistency, "any");
    assert_eq!(o.cluster, "c");
    let d = build_stream("stream|from()|influxDBOut()").unwrap();
    let nodes::NodeKind::InfluxDbOut(o) = &d.nodes[2].kind else {
        panic!("not influxDBOut");
    };
    assert_eq!((o.buffer, o.flush_interval), (1000, 10_000_000_000));
    assert!(
        build_stream("stream|from()|influxDBOut().buffer(0)")
            .unwrap_err()
            .to_string()
            .contains("buffer must be greater than 0")
    );
}
