//! Formatter output, byte for byte.

use kapa_lineproto::{format_point, format_points, parse_points};
use kapa_models::{FieldValue, Fields, Point, Precision, Tags};

fn point(name: &str, tags: &[(&str, &str)], fields: Vec<(&str, FieldValue)>, time: i64) -> Point {
    let mut t = Tags::new();
    for (k, v) in tags {
        t.insert(*k, (*v).into());
    }
    let mut f = Fields::new();
    for (k, v) in fields {
        f.insert(k, v);
    }
    Point {
        name: name.into(),
        tags: t,
        fields: f,
        time,
    }
}

fn fmt(p: &Point, precision: Precision) -> String {
    let mut s = String::new();
    format_point(p, precision, &mut s);
    s
}

#[test]
fn every_value_type() {
    let p = point(
        "cpu",
        &[("region", "us-west"), ("host", "server01")],
        vec![
            ("f", FieldValue::Float(97.5)),
            ("whole", FieldValue::Float(3.0)),
            ("i", FieldValue::Int(-42)),
            ("u", FieldValue::UInt(42)),
            ("s", FieldValue::String("hello".into())),
            ("b", FieldValue::Bool(true)),
            ("c", FieldValue::Bool(false)),
        ],
        1_600_000_000_000_000_000,
    );
    assert_eq!(
        fmt(&p, Precision::Nanosecond),
        r#"cpu,host=server01,region=us-west b=true,c=false,f=97.5,i=-42i,s="hello",u=42u,whole=3 1600000000000000000"#
    );
}

#[test]
fn floats_print_in_full_decimal() {
    let p = point(
        "m",
        &[],
        vec![
            ("a", FieldValue::Float(1e21)),
            ("b", FieldValue::Float(1e-7)),
        ],
        0,
    );
    assert_eq!(
        fmt(&p, Precision::Nanosecond),
        "m a=1000000000000000000000,b=0.0000001 0"
    );
}

#[test]
fn escapes() {
    let p = point(
        "my cpu,x=y",
        &[("tag key", "a,b=c"), ("q", r#"say "hi""#)],
        vec![(
            "field key,=\"",
            FieldValue::String(r#"a "quoted" \ value"#.into()),
        )],
        5,
    );
    let line = fmt(&p, Precision::Nanosecond);
    assert_eq!(
        line,
        r#"my\ cpu\,x=y,q=say\ "hi",tag\ key=a\,b\=c field\ key\,\=\"="a \"quoted\" \\ value" 5"#
    );
    let mut out = Vec::new();
    assert!(parse_points(line.as_bytes(), Precision::Nanosecond, 0, &mut out).is_empty());
    assert_eq!(out, vec![p]);
}

#[test]
fn timestamp_divided_by_precision() {
    let p = point("m", &[], vec![("v", FieldValue::Int(1))], 7_123_456_789);
    assert_eq!(fmt(&p, Precision::Nanosecond), "m v=1i 7123456789");
    assert_eq!(fmt(&p, Precision::Microsecond), "m v=1i 7123456");
    assert_eq!(fmt(&p, Precision::Millisecond), "m v=1i 7123");
    assert_eq!(fmt(&p, Precision::Second), "m v=1i 7");
    let p = point("m", &[], vec![("v", FieldValue::Int(1))], -1_500_000_000);
    assert_eq!(fmt(&p, Precision::Second), "m v=1i -1");
}

#[test]
fn skips_what_line_protocol_cannot_carry() {
    let p = point(
        "m",
        &[("empty", ""), ("t", "v")],
        vec![
            ("nan", FieldValue::Float(f64::NAN)),
            ("inf", FieldValue::Float(f64::INFINITY)),
            ("ok", FieldValue::Int(1)),
        ],
        0,
    );
    assert_eq!(fmt(&p, Precision::Nanosecond), "m,t=v ok=1i 0");
}

#[test]
fn format_points_adds_newlines() {
    let a = point("a", &[], vec![("v", FieldValue::Bool(true))], 1);
    let b = point("b", &[], vec![("v", FieldValue::Bool(false))], 2);
    let mut s = String::new();
    format_points(&[a, b], Precision::Nanosecond, &mut s);
    assert_eq!(s, "a v=true 1\nb v=false 2\n");
}
