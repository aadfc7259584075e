//! The built-in library: values and type errors of every function.
#![allow(clippy::unwrap_used)]

mod support;

use kapa_expr::{MapScope, Value, function_names, functions};
use support::{err, eval, eval_in};

fn f(src: &str) -> f64 {
    match eval(src).unwrap_or_else(|e| panic!("{src}: {e}")) {
        Value::Float(x) => x,
        other => panic!("{src}: {other:?}"),
    }
}

fn s(src: &str) -> String {
    match eval(src).unwrap_or_else(|e| panic!("{src}: {e}")) {
        Value::String(x) => x.to_string(),
        other => panic!("{src}: {other:?}"),
    }
}

fn i(src: &str) -> i64 {
    match eval(src).unwrap_or_else(|e| panic!("{src}: {e}")) {
        Value::Int(x) => x,
        other => panic!("{src}: {other:?}"),
    }
}

fn b(src: &str) -> bool {
    match eval(src).unwrap_or_else(|e| panic!("{src}: {e}")) {
        Value::Bool(x) => x,
        other => panic!("{src}: {other:?}"),
    }
}

#[test]
fn registry_holds_83_functions() {
    let names: Vec<&str> = function_names().collect();
    assert_eq!(names.len(), 83);
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 83, "duplicate names");
    let stateful: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| functions::lookup(n).unwrap().is_stateful())
        .collect();
    assert_eq!(stateful, vec!["sigma", "count", "spread", "rand"]);
}

#[test]
fn bool_conversion() {
    assert!(b("bool(TRUE)"));
    assert!(b("bool('true')"));
    assert!(b("bool('T')"));
    assert!(!b("bool('0')"));
    assert!(b("bool(1)"));
    assert!(!b("bool(0)"));
    assert!(b("bool(1.0)"));
    assert!(!b("bool(0.0)"));
    assert_eq!(
        err("bool('abc')"),
        "error calling \"bool\": strconv.ParseBool: parsing \"abc\": invalid syntax"
    );
    assert_eq!(
        err("bool(3)"),
        "error calling \"bool\": cannot convert 3 to boolean"
    );
    assert_eq!(
        err("bool(2.5)"),
        "error calling \"bool\": cannot convert 2.5 to boolean"
    );
    assert_eq!(
        err("bool(1s)"),
        "Cannot call function \"bool\" with args (1s: duration), available signatures are [(boolean), (string), (int), (float)]."
    );
}

#[test]
fn int_conversion() {
    assert_eq!(i("int(2.9)"), 2);
    assert_eq!(i("int(-2.9)"), -2);
    assert_eq!(i("int('42')"), 42);
    assert_eq!(i("int('-7')"), -7);
    assert_eq!(i("int(TRUE)"), 1);
    assert_eq!(i("int(1s)"), 1_000_000_000);
    assert_eq!(
        err("int('4x')"),
        "error calling \"int\": strconv.ParseInt: parsing \"4x\": invalid syntax"
    );
    assert_eq!(
        err("int('99999999999999999999')"),
        "error calling \"int\": strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
    );
}

#[test]
fn float_conversion() {
    assert_eq!(f("float(3)"), 3.0);
    assert_eq!(f("float('2.5')"), 2.5);
    assert_eq!(f("float('1e3')"), 1000.0);
    assert_eq!(f("float(FALSE)"), 0.0);
    assert_eq!(
        err("float('x')"),
        "error calling \"float\": strconv.ParseFloat: parsing \"x\": invalid syntax"
    );
    assert_eq!(
        err("float(1s)"),
        "Cannot call function \"float\" with args (1s: duration), available signatures are [(boolean), (string), (int), (float)]."
    );
}

#[test]
fn string_conversion() {
    assert_eq!(s("string(1.5)"), "1.5");
    assert_eq!(s("string(3.0)"), "3");
    assert_eq!(s("string(0.1)"), "0.1");
    assert_eq!(s("string(10)"), "10");
    assert_eq!(s("string(TRUE)"), "true");
    assert_eq!(s("string(90s)"), "90s");
    assert_eq!(s("string(60m)"), "1h");
    assert_eq!(s("string(14d)"), "2w");
    assert_eq!(s("string(1500ms)"), "1500ms");
    assert_eq!(s("string('x')"), "x");
    assert_eq!(s("string(1.0 / 0.0)"), "+Inf");
}

#[test]
fn duration_conversion() {
    assert_eq!(
        eval("duration(5s)").unwrap(),
        Value::Duration(5_000_000_000)
    );
    assert_eq!(
        eval("duration(5, 1s)").unwrap(),
        Value::Duration(5_000_000_000)
    );
    assert_eq!(
        eval("duration(1.5, 1s)").unwrap(),
        Value::Duration(1_500_000_000)
    );
    assert_eq!(
        eval("duration('1h30m', 1s)").unwrap(),
        Value::Duration(5_400_000_000_000)
    );
    assert_eq!(
        eval("duration('-2m', 1s)").unwrap(),
        Value::Duration(-120_000_000_000)
    );
    assert_eq!(eval("duration('10ns', 1s)").unwrap(), Value::Duration(10));
    assert_eq!(
        err("duration('x', 1s)"),
        "error calling \"duration\": invalid duration string \"x\""
    );
    assert_eq!(
        err("duration(5)"),
        "Cannot call function \"duration\" with args (5: int), available signatures are [(duration), (int,duration), (float,duration), (string,duration)]."
    );
}

#[test]
fn math_functions() {
    let close = |src: &str, want: f64| {
        let got = f(src);
        assert!((got - want).abs() < 1e-12, "{src}: {got} != {want}");
    };
    close("abs(-2.5)", 2.5);
    close("acos(1.0)", 0.0);
    close("acosh(1.0)", 0.0);
    close("asin(0.0)", 0.0);
    close("asinh(0.0)", 0.0);
    close("atan(0.0)", 0.0);
    close("atan2(0.0, 1.0)", 0.0);
    close("atanh(0.0)", 0.0);
    close("cbrt(27.0)", 3.0);
    close("ceil(2.1)", 3.0);
    close("cos(0.0)", 1.0);
    close("cosh(0.0)", 1.0);
    close("erf(0.0)", 0.0);
    close("erfc(0.0)", 1.0);
    close("exp(0.0)", 1.0);
    close("exp2(3.0)", 8.0);
    close("expm1(0.0)", 0.0);
    close("floor(2.7)", 2.0);
    close("gamma(5.0)", 24.0);
    close("hypot(3.0, 4.0)", 5.0);
    close("j0(0.0)", 1.0);
    close("j1(0.0)", 0.0);
    close("jn(0, 0.0)", 1.0);
    close("log(1.0)", 0.0);
    close("log10(1000.0)", 3.0);
    close("log1p(0.0)", 0.0);
    close("log2(8.0)", 3.0);
    close("logb(8.0)", 3.0);
    close("logb(0.75)", -1.0);
    close("max(1.0, 2.0)", 2.0);
    close("min(1.0, 2.0)", 1.0);
    close("mod(7.0, 3.0)", 1.0);
    close("mod(-7.0, 3.0)", -1.0);
    close("pow(2.0, 10.0)", 1024.0);
    close("pow10(3)", 1000.0);
    close("sin(0.0)", 0.0);
    close("sinh(0.0)", 0.0);
    close("sqrt(16.0)", 4.0);
    close("tan(0.0)", 0.0);
    close("tanh(0.0)", 0.0);
    close("trunc(-2.7)", -2.0);
    close("y0(1.0)", 0.088_256_964_215_676_96);
    close("y1(1.0)", -0.781_212_821_300_288_7);
    close("yn(1, 1.0)", -0.781_212_821_300_288_7);
    assert_eq!(f("pow10(400)"), f64::INFINITY);
    assert_eq!(f("pow10(-400)"), 0.0);
    assert!(f("sqrt(-1.0)").is_nan());
    assert_eq!(f("logb(0.0)"), f64::NEG_INFINITY);
    // Go's Max/Min: an infinity wins over NaN.
    assert_eq!(f("max(0.0 / 0.0, 1.0 / 0.0)"), f64::INFINITY);
    assert!(f("max(0.0 / 0.0, 1.0)").is_nan());
    assert_eq!(f("min(0.0 / 0.0, -1.0 / 0.0)"), f64::NEG_INFINITY);
}

#[test]
fn math_functions_do_not_take_ints() {
    assert_eq!(
        err("abs(1)"),
        "Cannot call function \"abs\" with args (1: int), available signatures are [(float)]."
    );
    assert_eq!(
        err("pow(2, 3.0)"),
        "Cannot call function \"pow\" with args (2: int,3.0: float), available signatures are [(float,float)]."
    );
    assert_eq!(
        err("pow10(2.0)"),
        "Cannot call function \"pow10\" with args (2.0: float), available signatures are [(int)]."
    );
    let scope = MapScope::new().with("n", Value::Int(3));
    assert_eq!(
        support::err_in("sqrt(\"n\")", &scope),
        "Cannot call function \"sqrt\" with args (\"n\": int), available signatures are [(float)]."
    );
    assert_eq!(
        eval_in("sqrt(float(\"n\") * 3.0)", &scope).unwrap(),
        Value::Float(3.0)
    );
}

#[test]
fn string_functions() {
    assert!(b("strContains('abc', 'b')"));
    assert!(!b("strContains('abc', 'x')"));
    assert!(b("strContainsAny('abc', 'xyc')"));
    assert!(!b("strContainsAny('abc', '')"));
    assert_eq!(i("strCount('cheese', 'e')"), 3);
    assert_eq!(i("strCount('five', '')"), 5);
    assert!(b("strHasPrefix('prefix-x', 'prefix')"));
    assert!(b("strHasSuffix('x-suffix', 'suffix')"));
    assert_eq!(i("strIndex('chicken', 'ken')"), 4);
    assert_eq!(i("strIndex('chicken', 'dmr')"), -1);
    assert_eq!(i("strIndexAny('golang', 'ny')"), 4);
    assert_eq!(i("strLastIndex('go gopher', 'go')"), 3);
    assert_eq!(i("strLastIndexAny('go gopher', 'go')"), 4);
    assert_eq!(i("strLastIndexAny('go gopher', '')"), -1);
    assert_eq!(i("strLength('héllo')"), 6);
    assert_eq!(
        s("strReplace('oink oink oink', 'k', 'ky', 2)"),
        "oinky oinky oink"
    );
    assert_eq!(
        s("strReplace('oink oink oink', 'oink', 'moo', -1)"),
        "moo moo moo"
    );
    assert_eq!(s("strReplace('abc', 'b', 'x', 0)"), "abc");
    assert_eq!(s("strSubstring('abcdef', 1, 3)"), "bc");
    assert_eq!(
        err("strSubstring('abc', 0, 3)"),
        "error calling \"strSubstring\": stop index too large for string in strSubstring: 3"
    );
    assert_eq!(
        err("strSubstring('abc', -1, 2)"),
        "error calling \"strSubstring\": found negative index for strSubstring: -1"
    );
    assert_eq!(s("strToLower('ABC')"), "abc");
    assert_eq!(s("strToUpper('abc')"), "ABC");
    assert_eq!(s("strTrim('xxhixx', 'x')"), "hi");
    assert_eq!(s("strTrimLeft('xxhixx', 'x')"), "hixx");
    assert_eq!(s("strTrimRight('xxhixx', 'x')"), "xxhi");
    assert_eq!(s("strTrimPrefix('prefix-x', 'prefix-')"), "x");
    assert_eq!(s("strTrimPrefix('x', 'prefix-')"), "x");
    assert_eq!(s("strTrimSuffix('x-suffix', '-suffix')"), "x");
    assert_eq!(s("strTrimSpace('  a b \n')"), "a b");
    assert_eq!(
        err("strContains('a', 1)"),
        "Cannot call function \"strContains\" with args ('a': string,1: int), available signatures are [(string,string)]."
    );
    assert_eq!(
        err("strReplace('a', 'b', 'c')"),
        "Cannot call function \"strReplace\" with args ('a': string,'b': string,'c': string), available signatures are [(string,string,string,int)]."
    );
}

#[test]
fn regex_replace_expands_like_go() {
    assert_eq!(s("regexReplace(/a(x*)b/, '-ab-axxb-', '${1}W')"), "-W-xxW-");
    assert_eq!(s("regexReplace(/a(x*)b/, '-ab-axxb-', '$1W')"), "---");
    assert_eq!(s("regexReplace(/a(x*)b/, '-ab-axxb-', '$$')"), "-$-$-");
    assert_eq!(s("regexReplace(/\\d+/, 'a1b22', '#')"), "a#b#");
    assert_eq!(
        err("regexReplace('a', 'b', 'c')"),
        "Cannot call function \"regexReplace\" with args ('a': string,'b': string,'c': string), available signatures are [(regex,string,string)]."
    );
}

#[test]
fn time_functions_read_utc() {
    // 2024-03-05T06:07:08.5Z, a Tuesday.
    let t = 1_709_618_828_500_000_000;
    let scope = MapScope::new().with_time(t);
    let get = |src: &str| eval_in(src, &scope).unwrap();
    assert_eq!(get("unixNano(\"time\")"), Value::Int(t));
    assert_eq!(get("minute(\"time\")"), Value::Int(7));
    assert_eq!(get("hour(\"time\")"), Value::Int(6));
    assert_eq!(get("weekday(\"time\")"), Value::Int(2));
    assert_eq!(get("day(\"time\")"), Value::Int(5));
    assert_eq!(get("month(\"time\")"), Value::Int(3));
    assert_eq!(get("year(\"time\")"), Value::Int(2024));
    assert_eq!(
        support::err_in("hour(5)", &scope),
        "Cannot call function \"hour\" with args (5: int), available signatures are [(time)]."
    );
}

#[test]
fn now_reads_the_wall_clock() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let Value::Time(t) = eval("now()").unwrap() else {
        panic!("now() is not a time")
    };
    assert!(t >= before);
    assert_eq!(
        err("now(1)"),
        "Cannot call function \"now\" with args (1: int), available signatures are [()]."
    );
}

#[test]
fn human_bytes_uses_si_units() {
    assert_eq!(s("humanBytes(5)"), "5 B");
    assert_eq!(s("humanBytes(999)"), "999 B");
    assert_eq!(s("humanBytes(1000)"), "1.0 kB");
    assert_eq!(s("humanBytes(1500.0)"), "1.5 kB");
    assert_eq!(s("humanBytes(82854982)"), "83 MB");
    assert_eq!(s("humanBytes(-1)"), "18 EB");
    assert_eq!(
        err("humanBytes('x')"),
        "Cannot call function \"humanBytes\" with args ('x': string), available signatures are [(float), (int)]."
    );
}

#[test]
fn if_picks_a_branch_of_one_type() {
    assert_eq!(i("if(TRUE, 1, 2)"), 1);
    assert_eq!(s("if(FALSE, 'a', 'b')"), "b");
    assert_eq!(
        eval("if(1 > 2, 1s, 2s)").unwrap(),
        Value::Duration(2_000_000_000)
    );
    assert_eq!(
        err("if(TRUE, 1, 'b')"),
        "Cannot call function \"if\" with args (TRUE: boolean,1: int,'b': string), available signatures are [(boolean,float,float), (boolean,int,int), (boolean,string,string), (boolean,boolean,boolean), (boolean,regex,regex), (boolean,time,time), (boolean,duration,duration)]."
    );
}

#[test]
fn argument_errors_are_wrapped_with_their_position() {
    let empty = MapScope::new();
    assert_eq!(
        support::err_in("abs(\"x\" + 1.0)", &empty),
        "Failed to handle 1 argument: invalid math operator + for type missing"
    );
    assert_eq!(
        support::err_in("bool(\"x\" > 5)", &empty),
        "Failed to handle 1 argument: left reference value \"x\" is missing value"
    );
    assert_eq!(
        support::err_in("max(1.0, \"x\" * 2.0)", &empty),
        "Failed to handle 2 argument: invalid math operator * for type missing"
    );
}

#[test]
fn pure_calls_on_constants_are_folded() {
    // Folded at compile time: the lambda no longer calls anything.
    let l = support::compile("strToUpper('abc') + \"x\"").unwrap();
    let scope = MapScope::new().with("x", "d");
    assert_eq!(
        l.eval(&scope, &mut l.new_state()).unwrap(),
        Value::from("ABCd")
    );
    // A call that fails on constants is reported when evaluated, like Kapacitor.
    let l = support::compile("int('x')").unwrap();
    assert!(l.eval(&scope, &mut l.new_state()).is_err());
}
