//! Evaluating common lambdas on a point must not touch the heap.
#![allow(clippy::unwrap_used)]

mod support;

use kapa_models::{FieldValue, Fields, Point, Tags};
use smol_str::SmolStr;

fn point() -> Point {
    let mut fields = Fields::new();
    fields.insert("usage_idle", FieldValue::Float(42.5));
    fields.insert("usage_user", FieldValue::Float(30.0));
    fields.insert("usage_system", FieldValue::Float(20.0));
    fields.insert("usage_iowait", FieldValue::Float(7.5));
    let mut tags = Tags::new();
    tags.insert("host", SmolStr::new("serverA"));
    tags.insert("cpu", SmolStr::new("cpu-total"));
    Point {
        name: "cpu".into(),
        tags,
        fields,
        time: 1_000_000_000,
    }
}

fn allocations(src: &str) -> u64 {
    let lambda = support::compile(src).unwrap();
    let mut state = lambda.new_state();
    let p = point();
    lambda.eval(&p, &mut state).unwrap();
    let info = allocation_counter::measure(|| {
        for _ in 0..1000 {
            std::hint::black_box(lambda.eval_bool(&p, &mut state).unwrap());
        }
    });
    info.count_total
}

#[test]
fn hot_path_lambdas_do_not_allocate() {
    for src in [
        "\"usage_idle\" < 70",
        "sigma(\"usage_idle\") > 3",
        "\"host\" == 'serverA' AND \"usage_idle\" < 70.0",
        "\"cpu\" =~ /^cpu-total$/ OR \"usage_user\" + \"usage_system\" > 90.0",
        "abs(\"usage_idle\" - 50.0) > 10.0 AND isPresent(\"usage_iowait\")",
        "!(\"usage_idle\" >= 70)",
    ] {
        assert_eq!(allocations(src), 0, "{src}");
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Concatenating past SmolStr's inline size must allocate, proving the counter works.
    assert!(allocations("\"cpu\" + '-a-suffix-long-enough-to-leave-inline-storage' != ''") >= 1000);
}
