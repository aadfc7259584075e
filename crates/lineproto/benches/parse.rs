//! Throughput of `parse_points` on a 10,000-line body, and of `format_point`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kapa_lineproto::{format_point, parse_points};
use kapa_models::Precision;

const LINES: usize = 10_000;

fn body() -> Vec<u8> {
    let line = "cpu,host=server01,region=us-west usage_idle=97.5,usage_user=125i,ok=true 1600000000000000000\n";
    line.repeat(LINES).into_bytes()
}

fn parse(c: &mut Criterion) {
    let body = body();
    let mut group = c.benchmark_group("parse_points");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("lines", |b| {
        let mut out = Vec::with_capacity(LINES);
        b.iter(|| {
            out.clear();
            let errors = parse_points(black_box(&body), Precision::Nanosecond, 0, &mut out);
            black_box((&out, errors));
        });
    });
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("bytes", |b| {
        let mut out = Vec::with_capacity(LINES);
        b.iter(|| {
            out.clear();
            let errors = parse_points(black_box(&body), Precision::Nanosecond, 0, &mut out);
            black_box((&out, errors));
        });
    });
    group.finish();

    let mut points = Vec::new();
    let _ = parse_points(&body, Precision::Nanosecond, 0, &mut points);
    let mut group = c.benchmark_group("format_point");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("lines", |b| {
        let mut out = String::with_capacity(body.len());
        b.iter(|| {
            out.clear();
            for p in &points {
                format_point(black_box(p), Precision::Nanosecond, &mut out);
                out.push('\n');
            }
            black_box(&out);
        });
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
