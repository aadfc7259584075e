//! Evaluations per second of typical lambdas on a 4-field point.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kapa_expr::Lambda;
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

fn bench(c: &mut Criterion) {
    let p = point();
    let mut group = c.benchmark_group("eval");
    group.throughput(Throughput::Elements(1));
    for (name, src) in [
        ("threshold", "\"usage_idle\" < 70"),
        ("sigma", "sigma(\"usage_idle\") > 3"),
        (
            "tag_and_threshold",
            "\"host\" == 'serverA' AND \"usage_idle\" < 70.0",
        ),
    ] {
        let body = kapa_tick::parse_lambda(src).expect("valid lambda");
        let lambda = Lambda::compile(&body, &|_| None).expect("compiles");
        let mut state = lambda.new_state();
        group.bench_function(name, |b| {
            b.iter(|| black_box(lambda.eval_bool(black_box(&p), &mut state)))
        });
    }
    group.finish();
}

/// The scope lookup alone, to separate it from evaluation overhead.
fn bench_lookup(c: &mut Criterion) {
    use kapa_expr::Scope;
    let p = point();
    c.bench_function("scope/point_lookup", |b| {
        b.iter(|| black_box(black_box(&p).lookup(black_box("usage_idle"))))
    });
}

criterion_group!(benches, bench, bench_lookup);
criterion_main!(benches);
