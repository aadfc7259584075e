//! Parser behaviour: values, escapes, errors with line numbers, partial bodies,
//! whitespace and comments, precision and default time.

use kapa_lineproto::{LineError, Parser, parse_line, parse_points};
use kapa_models::{FieldValue, Point, Precision};

const NOW: i64 = 1_600_000_000_123_456_789;

fn parse_ok(line: &str) -> Point {
    match parse_line(line.as_bytes(), Precision::Nanosecond, NOW) {
        Ok(p) => p,
        Err(e) => panic!("{line:?} failed: {e}"),
    }
}

fn reason(line: &str) -> String {
    match parse_line(line.as_bytes(), Precision::Nanosecond, NOW) {
        Ok(p) => panic!("{line:?} parsed as {p:?}"),
        Err(e) => e.reason,
    }
}

fn field(p: &Point, key: &str) -> FieldValue {
    p.fields
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("no field {key:?} in {p:?}"))
}

fn tags(p: &Point) -> Vec<(String, String)> {
    p.tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field_keys(p: &Point) -> Vec<String> {
    p.fields.keys().map(|k| k.to_string()).collect()
}

#[test]
fn full_line() {
    let p = parse_ok(
        "cpu,host=server01,region=us-west usage_idle=97.5,usage_user=125i,ok=true 1600000000000000000",
    );
    assert_eq!(p.name, "cpu");
    assert_eq!(
        tags(&p),
        vec![
            ("host".into(), "server01".into()),
            ("region".into(), "us-west".into())
        ]
    );
    assert_eq!(field(&p, "usage_idle"), FieldValue::Float(97.5));
    assert_eq!(field(&p, "usage_user"), FieldValue::Int(125));
    assert_eq!(field(&p, "ok"), FieldValue::Bool(true));
    assert_eq!(p.fields.len(), 3);
    assert_eq!(p.time, 1_600_000_000_000_000_000);
    // An integer cannot have a fraction.
    assert_eq!(
        reason("cpu,host=server01 usage_idle=97.5,usage_user=1.25i 1600000000000000000"),
        "invalid number"
    );
}

#[test]
fn float_values() {
    for (text, want) in [
        ("1", 1.0),
        ("1.5", 1.5),
        ("-1e3", -1000.0),
        (".5", 0.5),
        ("-.5", -0.5),
        ("5.", 5.0),
        ("1E+2", 100.0),
        ("2.5e-1", 0.25),
        ("-0", -0.0),
        ("00012", 12.0),
        (
            "179769313486231570000000000000000000000",
            1.7976931348623157e38,
        ),
    ] {
        let p = parse_ok(&format!("m v={text}"));
        assert_eq!(field(&p, "v"), FieldValue::Float(want), "{text}");
    }
}

#[test]
fn integer_and_unsigned_values() {
    let p = parse_ok(
        "m a=42i,b=-42i,c=42u,d=9223372036854775807i,e=-9223372036854775808i,f=18446744073709551615u",
    );
    assert_eq!(field(&p, "a"), FieldValue::Int(42));
    assert_eq!(field(&p, "b"), FieldValue::Int(-42));
    assert_eq!(field(&p, "c"), FieldValue::UInt(42));
    assert_eq!(field(&p, "d"), FieldValue::Int(i64::MAX));
    assert_eq!(field(&p, "e"), FieldValue::Int(i64::MIN));
    assert_eq!(field(&p, "f"), FieldValue::UInt(u64::MAX));
}

#[test]
fn boolean_values() {
    for t in ["t", "T", "true", "True", "TRUE"] {
        assert_eq!(
            field(&parse_ok(&format!("m v={t}")), "v"),
            FieldValue::Bool(true),
            "{t}"
        );
    }
    for f in ["f", "F", "false", "False", "FALSE"] {
        assert_eq!(
            field(&parse_ok(&format!("m v={f}")), "v"),
            FieldValue::Bool(false),
            "{f}"
        );
    }
    for bad in ["tRUE", "yes", "truE", "fals", "Inf", "+1", "x"] {
        assert_eq!(reason(&format!("m v={bad}")), "invalid boolean", "{bad}");
    }
}

#[test]
fn string_values() {
    let p = parse_ok(
        r#"m s="hello world",e="",q="say \"hi\"",b="back\\slash",o="keep \n and \t",c="a,b=c d""#,
    );
    assert_eq!(field(&p, "s"), FieldValue::String("hello world".into()));
    assert_eq!(field(&p, "e"), FieldValue::String("".into()));
    assert_eq!(field(&p, "q"), FieldValue::String(r#"say "hi""#.into()));
    assert_eq!(field(&p, "b"), FieldValue::String(r"back\slash".into()));
    assert_eq!(field(&p, "o"), FieldValue::String(r"keep \n and \t".into()));
    assert_eq!(field(&p, "c"), FieldValue::String("a,b=c d".into()));
}

#[test]
fn long_and_unicode_strings() {
    let long = "x".repeat(100);
    let p = parse_ok(&format!("mésure,hôte=素 s=\"{long}\",ü=\"日本\" 5"));
    assert_eq!(p.name, "mésure");
    assert_eq!(tags(&p), vec![("hôte".into(), "素".into())]);
    assert_eq!(field(&p, "s"), FieldValue::String(long.into()));
    assert_eq!(field(&p, "ü"), FieldValue::String("日本".into()));
}

#[test]
fn measurement_escapes() {
    assert_eq!(parse_ok(r"my\ cpu v=1").name, "my cpu");
    assert_eq!(parse_ok(r"my\,cpu v=1").name, "my,cpu");
    assert_eq!(parse_ok(r"my\=cpu v=1").name, "my=cpu");
    assert_eq!(parse_ok(r#"my\"cpu v=1"#).name, r#"my"cpu"#);
    assert_eq!(parse_ok(r"a=b v=1").name, "a=b");
    assert_eq!(parse_ok(r"C:\temp v=1").name, r"C:\temp");
    assert_eq!(parse_ok(r"a\\b v=1").name, r"a\\b");
}

#[test]
fn tag_escapes() {
    let p = parse_ok(r#"m,tag\ key=tag\ value,k\,2=v\,2,k\=3=v\=3,q"k=q"v v=1"#);
    assert_eq!(
        tags(&p),
        vec![
            ("k,2".into(), "v,2".into()),
            ("k=3".into(), "v=3".into()),
            (r#"q"k"#.into(), r#"q"v"#.into()),
            ("tag key".into(), "tag value".into()),
        ]
    );
    let p = parse_ok(r#"m,path=C:\dir\"x\" v=1"#);
    assert_eq!(tags(&p), vec![("path".into(), r#"C:\dir\"x\""#.into())]);
}

#[test]
fn field_key_escapes() {
    let p = parse_ok(r#"m f\ 1=1,f\,2=2,f\=3=3,f\"4=4,f"5=5"#);
    assert_eq!(field_keys(&p), vec!["f 1", "f\"4", "f\"5", "f,2", "f=3"]);
    assert_eq!(field(&p, "f=3"), FieldValue::Float(3.0));
}

#[test]
fn tags_are_sorted() {
    let p = parse_ok("m,z=1,a=2,m=3 v=1");
    assert_eq!(
        tags(&p),
        vec![
            ("a".into(), "2".into()),
            ("m".into(), "3".into()),
            ("z".into(), "1".into())
        ]
    );
    assert_eq!(reason("m,b=1,a=2,b=3 v=1"), "duplicate tags");
    assert_eq!(reason("m,a=1,a=2 v=1"), "duplicate tags");
}

#[test]
fn duplicate_field_keeps_last() {
    let p = parse_ok("m v=1,w=2,v=3");
    assert_eq!(field(&p, "v"), FieldValue::Float(3.0));
    assert_eq!(field_keys(&p), vec!["v", "w"]);
    let p = parse_ok("m z=1,a=2");
    assert_eq!(field_keys(&p), vec!["a", "z"]);
}

#[test]
fn structural_errors() {
    for (line, want) in [
        (",t=a v=1", "missing measurement"),
        ("cpu", "missing fields"),
        ("cpu,host=a", "missing fields"),
        ("cpu ", "invalid field format"),
        ("cpu,", "missing tag key"),
        ("cpu,=a v=1", "missing tag key"),
        ("cpu, v=1", "missing tag key"),
        ("cpu,host v=1", "missing tag value"),
        ("cpu,host= v=1", "missing tag value"),
        ("cpu,host=,x=y v=1", "missing tag value"),
        ("cpu,host", "missing tag value"),
        ("cpu,host=a=b v=1", "invalid tag format"),
        ("cpu value", "invalid field format"),
        ("cpu value=1,", "invalid field format"),
        ("cpu value=1,other", "invalid field format"),
        ("cpu a=1, b=2", "invalid field format"),
        ("cpu a b=1", "invalid field format"),
        ("cpu =1", "missing field key"),
        ("cpu a=1,=2", "missing field key"),
        ("cpu value=", "missing field value"),
        ("cpu value=,b=1", "missing field value"),
        ("cpu value= 1", "missing field value"),
        ("cpu s=\"abc", "unbalanced quotes"),
        ("cpu s=\"abc\\\"", "unbalanced quotes"),
        ("cpu a=1 12x", "bad timestamp"),
        ("cpu a=1 1.5", "bad timestamp"),
        ("cpu a=1 1-2", "bad timestamp"),
        ("cpu a=1 123 456", "point is invalid"),
        ("cpu a=1 123 \t", "point is invalid"),
        ("cpu a=1 123\t", "bad timestamp"),
        ("cpu,x=1 a=1,b=z", "invalid boolean"),
    ] {
        assert_eq!(reason(line), want, "{line:?}");
    }
}

#[test]
fn number_errors() {
    for (text, want) in [
        ("NaN", "invalid number"),
        ("nan", "invalid number"),
        ("-Inf", "invalid number"),
        ("1.1.1", "invalid number"),
        ("1.5i", "invalid number"),
        ("1e5i", "invalid number"),
        ("9i10", "invalid number"),
        ("1ii", "invalid number"),
        ("-", "invalid number"),
        (".", "invalid number"),
        ("-i", "invalid number"),
        ("-5u", "invalid number"),
        ("5.0u", "invalid number"),
        ("1-2", "invalid number"),
        ("12abc", "invalid number"),
        ("1\"", "invalid number"),
        ("1e", "invalid float"),
        ("1e400", "invalid float"),
        ("-1e400", "invalid float"),
        ("1e5e5", "invalid float"),
        ("Inf", "invalid boolean"),
        (
            "9223372036854775808i",
            "unable to parse integer 9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range",
        ),
        (
            "-9223372036854775809i",
            "unable to parse integer -9223372036854775809: strconv.ParseInt: parsing \"-9223372036854775809\": value out of range",
        ),
        (
            "18446744073709551616u",
            "unable to parse unsigned 18446744073709551616: strconv.ParseUint: parsing \"18446744073709551616\": value out of range",
        ),
    ] {
        assert_eq!(reason(&format!("m v={text}")), want, "{text}");
    }
}

#[test]
fn first_error_wins_like_influxdb() {
    // A value error inside the field section is reported before the format error.
    assert_eq!(reason("m a,b=x"), "invalid boolean");
    assert_eq!(reason("m a,b=1"), "invalid field format");
    // Tag scanning errors come before duplicate tags.
    assert_eq!(reason("m,a=1,a=2,b v=1"), "missing tag value");
    // Field errors come before timestamp errors.
    assert_eq!(reason("m a=x 12y"), "invalid boolean");
}

#[test]
fn timestamp_errors() {
    assert_eq!(
        reason("m v=1 99999999999999999999"),
        "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
    );
    assert_eq!(
        reason("m v=1 -"),
        "strconv.ParseInt: parsing \"-\": invalid syntax"
    );
    assert_eq!(
        reason("m v=1 -9223372036854775808"),
        "time -9223372037 is outside the range [-9223372036854775806, 9223372036854775806]"
    );
    assert_eq!(
        reason("m v=1 9223372036854775807"),
        "time 9223372036 is outside the range [-9223372036854775806, 9223372036854775806]"
    );
    let err = parse_line(b"m v=1 9223372037", Precision::Second, 0).unwrap_err();
    assert_eq!(
        err.reason,
        "time 9223372037 is outside the range [-9223372036, 9223372036]"
    );
}

#[test]
fn max_key_length() {
    let long = "a".repeat(65_536);
    assert_eq!(
        reason(&format!("{long} v=1")),
        "max key length exceeded: 65536 > 65535"
    );
    // The series key with a field key (plus 4) is limited too.
    let long = "a".repeat(65_530);
    assert_eq!(
        reason(&format!("{long},t=1 v=1")),
        "max key length exceeded: 65539 > 65535"
    );
    assert_eq!(reason(&format!("{long},t=1 v=x")), "invalid boolean");
    let ok = "a".repeat(65_000);
    assert_eq!(parse_ok(&format!("{ok} v=1")).name.len(), 65_000);
}

#[test]
fn negative_and_zero_timestamps() {
    assert_eq!(parse_ok("m v=1 -1").time, -1);
    assert_eq!(parse_ok("m v=1 0").time, 0);
    assert_eq!(parse_ok("m v=1 0000000001").time, 1);
    assert_eq!(parse_ok("m v=1 -9223372036854775806").time, i64::MIN + 2);
    assert_eq!(parse_ok("m v=1 9223372036854775806").time, i64::MAX - 1);
    assert_eq!(parse_ok("m v=1 -0").time, 0);
}

#[test]
fn precision_scaling() {
    for (prec, want) in [
        (Precision::Nanosecond, 7),
        (Precision::Microsecond, 7_000),
        (Precision::Millisecond, 7_000_000),
        (Precision::Second, 7_000_000_000),
        (Precision::Minute, 420_000_000_000),
        (Precision::Hour, 25_200_000_000_000),
    ] {
        let p = parse_line(b"m v=1 7", prec, 0).unwrap();
        assert_eq!(p.time, want, "{prec:?}");
    }
    let p = parse_line(b"m v=1 -7", Precision::Second, 0).unwrap();
    assert_eq!(p.time, -7_000_000_000);
}

#[test]
fn default_time_is_truncated_to_precision() {
    let at = |prec| parse_line(b"m v=1", prec, NOW).unwrap().time;
    assert_eq!(at(Precision::Nanosecond), NOW);
    assert_eq!(at(Precision::Microsecond), 1_600_000_000_123_456_000);
    assert_eq!(at(Precision::Millisecond), 1_600_000_000_123_000_000);
    assert_eq!(at(Precision::Second), 1_600_000_000_000_000_000);
    assert_eq!(at(Precision::Minute), 1_599_999_960_000_000_000);
    assert_eq!(at(Precision::Hour), 1_599_998_400_000_000_000);
    // Before the epoch, truncation goes down, like Go's Time.Truncate.
    assert_eq!(
        parse_line(b"m v=1", Precision::Second, -1).unwrap().time,
        -1_000_000_000
    );
    assert_eq!(
        parse_line(b"m v=1", Precision::Hour, i64::MIN)
            .unwrap()
            .time,
        i64::MIN
    );
    // Trailing spaces without a timestamp are fine.
    assert_eq!(parse_ok("m v=1   ").time, NOW);
}

#[test]
fn whitespace_between_sections() {
    let p = parse_ok("m,t=a  \t v=1 \t 5  ");
    assert_eq!(p.time, 5);
    assert_eq!(tags(&p), vec![("t".into(), "a".into())]);
}

#[test]
fn body_with_comments_blank_lines_and_leading_space() {
    let body = b"# a comment\n\n   \n  cpu v=1 1\n\t\tcpu v=2 2\n   # indented comment\nmem v=3 3";
    let mut out = Vec::new();
    let errors = parse_points(body, Precision::Nanosecond, NOW, &mut out);
    assert!(errors.is_empty(), "{errors:?}");
    let got: Vec<_> = out.iter().map(|p| (p.name.to_string(), p.time)).collect();
    assert_eq!(
        got,
        vec![("cpu".into(), 1), ("cpu".into(), 2), ("mem".into(), 3)]
    );
}

#[test]
fn crlf_line_endings() {
    let body = b"cpu v=1 1\r\ncpu v=2i\r\ncpu s=\"x\"\r\n\r\n";
    let mut out = Vec::new();
    let errors = parse_points(body, Precision::Nanosecond, NOW, &mut out);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].time, 1);
    assert_eq!(field(&out[1], "v"), FieldValue::Int(2));
    assert_eq!(field(&out[2], "s"), FieldValue::String("x".into()));
    assert_eq!(
        parse_line(b"cpu v=1 1\r\n", Precision::Nanosecond, 0)
            .unwrap()
            .time,
        1
    );
}

#[test]
fn partial_body_keeps_good_lines_and_numbers_bad_ones() {
    let body = b"cpu v=1 1\ncpu\n\n# c\ncpu v=x 3\ncpu v=4 4\n  bad,=1 v=1\ncpu v=6 6";
    let mut out = Vec::new();
    let errors = parse_points(body, Precision::Nanosecond, NOW, &mut out);
    let times: Vec<_> = out.iter().map(|p| p.time).collect();
    assert_eq!(times, vec![1, 4, 6]);
    assert_eq!(
        errors,
        vec![
            LineError {
                line: 2,
                text: "cpu".into(),
                reason: "missing fields".into()
            },
            LineError {
                line: 5,
                text: "cpu v=x 3".into(),
                reason: "invalid boolean".into()
            },
            LineError {
                line: 7,
                text: "bad,=1 v=1".into(),
                reason: "missing tag key".into()
            },
        ]
    );
    assert_eq!(
        errors[0].to_string(),
        "unable to parse 'cpu': missing fields (line 2)"
    );
}

#[test]
fn multi_line_strings_keep_line_numbers_right() {
    let body = b"a s=\"one\ntwo\" 1\nb v=x\nc s=\"x\n\ny\",v=1 3\nd v=\n";
    let mut out = Vec::new();
    let errors = parse_points(body, Precision::Nanosecond, NOW, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(field(&out[0], "s"), FieldValue::String("one\ntwo".into()));
    assert_eq!(field(&out[1], "s"), FieldValue::String("x\n\ny".into()));
    let lines: Vec<_> = errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert_eq!(
        lines,
        vec![(3, "invalid boolean"), (7, "missing field value")]
    );
}

#[test]
fn unbalanced_quote_swallows_the_rest_of_the_body() {
    let body = b"a v=1 1\nb s=\"open\nc v=2 2\n";
    let mut out = Vec::new();
    let errors = parse_points(body, Precision::Nanosecond, NOW, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
    assert_eq!(errors[0].reason, "unbalanced quotes");
    assert_eq!(errors[0].text, "b s=\"open\nc v=2 2\n");
}

#[test]
fn error_text_is_truncated_to_256_bytes() {
    let line = format!("{} v=x", "é".repeat(200));
    let err = parse_line(line.as_bytes(), Precision::Nanosecond, 0).unwrap_err();
    assert_eq!(err.reason, "invalid boolean");
    assert_eq!(err.text, "é".repeat(128));
    assert_eq!(err.line, 1);
}

#[test]
fn invalid_utf8_is_replaced() {
    let p = parse_line(b"m,t=a\xffb v=1 1", Precision::Nanosecond, 0).unwrap();
    assert_eq!(p.tags.get("t").map(|s| s.as_str()), Some("a\u{FFFD}b"));
}

#[test]
fn parse_line_does_not_skip_blank_lines() {
    assert_eq!(reason(""), "missing measurement");
    assert_eq!(reason("   "), "missing measurement");
    assert_eq!(parse_ok("  cpu v=1").name, "cpu");
}

#[test]
fn recording_fixture_line() {
    let p = parse_line(
        b"cpu,type=idle,host=serverA value=97.1 0000000001",
        Precision::Second,
        0,
    )
    .unwrap();
    assert_eq!(p.time, 1_000_000_000);
    assert_eq!(
        tags(&p),
        vec![
            ("host".into(), "serverA".into()),
            ("type".into(), "idle".into())
        ]
    );
    assert_eq!(field(&p, "value"), FieldValue::Float(97.1));
}

#[test]
fn empty_body() {
    let mut out = Vec::new();
    assert!(parse_points(b"", Precision::Nanosecond, 0, &mut out).is_empty());
    assert!(parse_points(b"\n\n\n", Precision::Nanosecond, 0, &mut out).is_empty());
    assert!(out.is_empty());
}

#[test]
fn failed_line_leaves_nothing_behind() {
    let body = b"m,a=1,b=2 v=x\nm v=1 1\nm,c=3 s=\"x\",v=\n";
    let mut out = Vec::new();
    let errors = parse_points(body, Precision::Nanosecond, 0, &mut out);
    assert_eq!(errors.len(), 2);
    assert_eq!(out.len(), 1);
    assert!(out[0].tags.is_empty());
    assert_eq!(field_keys(&out[0]), vec!["v"]);
}

#[test]
fn repeated_names_across_lines() {
    let long = "h".repeat(40);
    let body = format!(
        "cpu,host={long} v=1 1\ncpu,host={long} v=2 2\nmem,host=x w=3 3\ncpu,host={long} v=4 4\n"
    );
    let mut out = Vec::new();
    assert!(parse_points(body.as_bytes(), Precision::Nanosecond, 0, &mut out).is_empty());
    let names: Vec<_> = out.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["cpu", "cpu", "mem", "cpu"]);
    assert_eq!(
        out[3].tags.get("host").map(|s| s.as_str()),
        Some(long.as_str())
    );
    assert_eq!(out[2].tags.get("host").map(|s| s.as_str()), Some("x"));
    assert_eq!(field(&out[2], "w"), FieldValue::Float(3.0));
}

#[test]
fn reusable_parser_line_by_line() {
    let mut parser = Parser::new();
    let lines: [&[u8]; 4] = [
        b"cpu,h=a v=1 1\n",
        b"cpu,h=a v=x 2",
        b"cpu,h=b v=3 3\r\n",
        b"mem v=4i 4",
    ];
    let got: Vec<_> = lines
        .iter()
        .map(|l| {
            parser
                .parse_line(l, Precision::Second, 0)
                .map(|p| (p.name.to_string(), tags(&p), p.time))
        })
        .collect();
    assert_eq!(
        got[0],
        Ok(("cpu".into(), vec![("h".into(), "a".into())], 1_000_000_000))
    );
    assert_eq!(
        got[1].as_ref().map_err(|e| e.reason.as_str()),
        Err("invalid boolean")
    );
    assert_eq!(
        got[2],
        Ok(("cpu".into(), vec![("h".into(), "b".into())], 3_000_000_000))
    );
    assert_eq!(got[3], Ok(("mem".into(), vec![], 4_000_000_000)));
}
