//! Parser/printer cases: what Kapacitor's `Query.String()` prints for a run.

use super::*;

const T0: i64 = 1_445_126_400_000_000_000; // 2015-10-18T00:00:00Z
const T1: i64 = T0 + 60_000_000_000;

fn run(q: &str) -> String {
    let mut q = Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    q.set_range(T0, T1);
    q.to_string()
}

const RANGE: &str = "time >= '2015-10-18T00:00:00Z' AND time < '2015-10-18T00:01:00Z'";

#[test]
fn adds_the_range_to_a_query_without_where() {
    assert_eq!(
        run("SELECT mean(usage_idle) FROM \"telegraf\".\"autogen\".cpu"),
        format!("SELECT mean(usage_idle) FROM telegraf.autogen.cpu WHERE {RANGE}")
    );
}

#[test]
fn ands_the_range_onto_an_existing_condition() {
    assert_eq!(
        run("select value from db.rp.m where host = 'a' and value > 1"),
        format!("SELECT value FROM db.rp.m WHERE host = 'a' AND value > 1 AND {RANGE}")
    );
}

#[test]
fn wraps_a_top_level_or() {
    assert_eq!(
        run("SELECT v FROM m WHERE a = 'x' OR b = 'y'"),
        format!("SELECT v FROM m WHERE (a = 'x' OR b = 'y') AND {RANGE}")
    );
}

#[test]
fn keeps_parentheses_and_precedence() {
    assert_eq!(
        run("SELECT v FROM m WHERE (a = 1 OR b = 2) AND c + 2 * 3 > 4"),
        format!("SELECT v FROM m WHERE (a = 1 OR b = 2) AND c + 2 * 3 > 4 AND {RANGE}")
    );
}

#[test]
fn floats_print_with_three_decimals() {
    assert_eq!(
        run("SELECT v FROM m WHERE v > 80.5"),
        format!("SELECT v FROM m WHERE v > 80.500 AND {RANGE}")
    );
}

#[test]
fn quotes_identifiers_that_need_it() {
    assert_eq!(
        run("SELECT \"usage idle\" AS \"my alias\", \"select\" FROM \"my db\"..\"cpu-total\""),
        format!(
            "SELECT \"usage idle\" AS \"my alias\", \"select\" FROM \"my db\"..\"cpu-total\" WHERE {RANGE}"
        )
    );
}

#[test]
fn regex_sources_and_conditions() {
    assert_eq!(
        run("SELECT * FROM db.rp./^cpu.*/ WHERE host =~ /web\\/[0-9]+/"),
        format!("SELECT * FROM db.rp./^cpu.*/ WHERE host =~ /web\\/[0-9]+/ AND {RANGE}")
    );
    assert_eq!(
        run("SELECT * FROM /cpu/ WHERE host !~ /x/"),
        format!("SELECT * FROM /cpu/ WHERE host !~ /x/ AND {RANGE}")
    );
}

#[test]
fn strings_are_escaped() {
    assert_eq!(
        run("SELECT v FROM m WHERE t = 'it\\'s'"),
        format!("SELECT v FROM m WHERE t = 'it\\'s' AND {RANGE}")
    );
}

#[test]
fn calls_casts_and_wildcards() {
    assert_eq!(
        run("SELECT percentile(\"v\", 95), count(*), v::field, *::tag FROM m"),
        format!("SELECT percentile(v, 95), count(*), v::field, *::tag FROM m WHERE {RANGE}")
    );
    assert_eq!(
        run("SELECT MEAN(v) * 2 + 1 FROM m"),
        format!("SELECT mean(v) * 2 + 1 FROM m WHERE {RANGE}")
    );
}

#[test]
fn own_group_by_fill_limit_order_and_tz_are_kept() {
    assert_eq!(
        run(
            "SELECT mean(v) FROM m GROUP BY time(1m), host fill(none) ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1 tz('Europe/Paris')"
        ),
        format!(
            "SELECT mean(v) FROM m WHERE {RANGE} GROUP BY time(1m), host fill(none) ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 3 SOFFSET 1 tz('Europe/Paris')"
        )
    );
    let mut q = Query::parse("SELECT v FROM m GROUP BY time(10s)").unwrap();
    q.set_range(T0, T1);
    assert!(
        !q.is_grouped_by_time(),
        "only .groupBy() sets the tmax rule"
    );
}

#[test]
fn group_by_is_replaced() {
    let mut q = Query::parse("SELECT mean(v) FROM m GROUP BY host").unwrap();
    q.set_dimensions(&[
        Dimension::Time {
            length: 10_000_000_000,
            offset: 0,
        },
        Dimension::Tag("cpu".into()),
        Dimension::Star,
    ])
    .unwrap();
    q.set_range(T0, T1);
    assert!(q.is_grouped_by_time());
    assert_eq!(
        q.to_string(),
        format!("SELECT mean(v) FROM m WHERE {RANGE} GROUP BY time(10s, 0s), cpu, *")
    );
}

#[test]
fn two_time_dimensions_are_refused() {
    let mut q = Query::parse("SELECT v FROM m").unwrap();
    let t = Dimension::Time {
        length: 1,
        offset: 0,
    };
    assert_eq!(
        q.set_dimensions(&[t.clone(), t]).unwrap_err().to_string(),
        "groupBy cannot have more than one time dimension"
    );
}

#[test]
fn align_group_sets_the_offset_to_start_mod_length() {
    let mut q = Query::parse("SELECT mean(v) FROM m").unwrap();
    q.align_group();
    q.set_dimensions(&[Dimension::Time {
        length: 7_000_000_000,
        offset: 0,
    }])
    .unwrap();
    q.set_range(T0 + 3_000_000_000, T1);
    let off = (T0 + 3_000_000_000).rem_euclid(7_000_000_000);
    assert!(
        q.to_string().ends_with(&format!(
            "GROUP BY time(7s, {})",
            kapa_models::duration::format_influxql(off)
        )),
        "{}",
        q
    );
}

#[test]
fn fill_options() {
    for (fill, text) in [
        (Fill::None, " fill(none)"),
        (Fill::Previous, " fill(previous)"),
        (Fill::Linear, " fill(linear)"),
        (Fill::Int(0), " fill(0)"),
        (Fill::Float(1.5), " fill(1.5)"),
        (Fill::Int(-3), " fill(-3)"),
    ] {
        let mut q = Query::parse("SELECT mean(v) FROM m").unwrap();
        q.set_fill(fill);
        assert!(q.to_string().ends_with(text), "{q}");
    }
    let mut q = Query::parse("SELECT mean(v) FROM m fill(5)").unwrap();
    q.set_fill(Fill::Null);
    assert!(!q.to_string().contains("fill"), "fill(null) is the default");
}

#[test]
fn durations_params_and_bools() {
    assert_eq!(
        run("SELECT v FROM m WHERE time > now() - 1h AND ok = true AND host = $h"),
        format!("SELECT v FROM m WHERE time > now() - 1h AND ok = true AND host = $h AND {RANGE}")
    );
}

#[test]
fn subqueries_and_into() {
    assert_eq!(
        run(
            "SELECT max(m) INTO db.rp.out FROM (SELECT mean(v) AS m FROM db..cpu GROUP BY time(1m))"
        ),
        format!(
            "SELECT max(m) INTO db.rp.out FROM (SELECT mean(v) AS m FROM db..cpu GROUP BY time(1m)) WHERE {RANGE}"
        )
    );
}

#[test]
fn printing_is_stable() {
    // The printed query parses back to the same statement.
    for q in [
        "SELECT mean(\"usage idle\") AS m FROM \"a b\".rp.cpu WHERE host = 'x' GROUP BY time(1m, 30s), host fill(previous)",
        "SELECT count(v) FROM m WHERE a != 1 AND b <> 2 ORDER BY time ASC",
    ] {
        let once = parse_select(q).unwrap().to_string();
        let twice = parse_select(&once).unwrap().to_string();
        assert_eq!(once, twice);
    }
    assert_eq!(
        parse_select("SELECT v FROM m WHERE b <> 2")
            .unwrap()
            .to_string(),
        "SELECT v FROM m WHERE b != 2"
    );
}

#[test]
fn kapacitor_errors() {
    let err = |q: &str| Query::parse(q).unwrap_err().to_string();
    assert_eq!(
        err("SELECT v FROM m; SELECT w FROM m"),
        "query must be a single select statement, got 2 statements"
    );
    assert_eq!(
        err(""),
        "query must be a single select statement, got 0 statements"
    );
    assert_eq!(
        err("SHOW DATABASES"),
        "query is not a select statement \"SHOW DATABASES\""
    );
    assert!(err("SELECT FROM m").starts_with("failed to parse InfluxQL query: found FROM"));
    assert!(
        err("SELECT v m").starts_with("failed to parse InfluxQL query: found m, expected FROM")
    );
    assert!(err("SELECT v FROM m WHERE x = 'open").contains("unterminated string"));
    assert!(err("SELECT v FROM m WHERE (x = 1").contains("expected )"));
    assert!(err("SELECT v FROM m LIMIT x").contains("expected integer"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let q = format!(
        "SELECT v FROM m WHERE {}x = 1{}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    assert!(
        Query::parse(&q)
            .unwrap_err()
            .to_string()
            .contains("nested too deeply")
    );
}
