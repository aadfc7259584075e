//! Property tests: no input makes the front end panic, and formatting round-trips.
#![allow(clippy::unwrap_used)]

use kapa_tick::{
    Expr, ExprKind, Pos, Program, Statement, format, format_script, lex, parse, parse_lambda,
};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "stream",
    "batch",
    "var",
    "x",
    "y",
    "lambda",
    "lambda:",
    "dbrp",
    "\"db\"",
    "\"rp\"",
    "=",
    "==",
    "!=",
    "=~",
    "!~",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "AND",
    "OR",
    "TRUE",
    "FALSE",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "|",
    "@",
    "|from()",
    ".measurement('cpu')",
    "|window()",
    ".period(10s)",
    ".where(",
    "|alert()",
    ".crit(",
    "\"usage_idle\"",
    "'str'",
    "'it\\'s'",
    "'''tri\nple'''",
    "\"a\\\"b\"",
    "/re\\/x/",
    "/",
    "10s",
    "5m",
    "1ms",
    "2w",
    "1µ",
    "42",
    "0644",
    "09",
    "4.2",
    ".5",
    "1.2.3",
    "1.5s",
    "//c\n",
    "// two\n// lines\n",
    "\n",
    "\n\n",
    "int",
    "float",
    "list",
    "sigma(",
    "time(1m)",
    "*",
    "'",
    "\"",
    "'''",
    "_",
    "^",
    "é",
    "\u{0}",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(FRAGMENTS),
            prop::sample::select(&[" ", "", "\n", "  "][..]),
        ),
        0..40,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(frag, sep)| [frag, sep])
            .collect::<String>()
    })
}

fn strip_expr(e: &Expr) -> Expr {
    let kind = match &e.kind {
        ExprKind::List(items) => ExprKind::List(items.iter().map(strip_expr).collect()),
        ExprKind::Lambda(inner) => ExprKind::Lambda(Box::new(strip_expr(inner))),
        ExprKind::Unary { op, operand } => ExprKind::Unary {
            op: *op,
            operand: Box::new(strip_expr(operand)),
        },
        ExprKind::Binary {
            op,
            lhs,
            rhs,
            parens,
        } => ExprKind::Binary {
            op: *op,
            lhs: Box::new(strip_expr(lhs)),
            rhs: Box::new(strip_expr(rhs)),
            parens: *parens,
        },
        ExprKind::Call { name, args } => ExprKind::Call {
            name: name.clone(),
            args: args.iter().map(strip_expr).collect(),
        },
        ExprKind::Chain {
            lhs,
            op,
            name,
            args,
            parens,
            ..
        } => ExprKind::Chain {
            lhs: Box::new(strip_expr(lhs)),
            op: *op,
            name: name.clone(),
            args: args.iter().map(strip_expr).collect(),
            parens: *parens,
            name_pos: Pos::default(),
        },
        other => other.clone(),
    };
    Expr {
        kind,
        pos: Pos::default(),
    }
}

fn strip(program: &Program) -> Vec<Statement> {
    program
        .statements
        .iter()
        .map(|s| match s {
            Statement::Dbrp { db, rp, .. } => Statement::Dbrp {
                db: db.clone(),
                rp: rp.clone(),
                pos: Pos::default(),
            },
            Statement::Var {
                name,
                value,
                comment,
                ..
            } => Statement::Var {
                name: name.clone(),
                value: strip_expr(value),
                comment: comment.clone(),
                pos: Pos::default(),
            },
            Statement::TypeDecl {
                name, ty, comment, ..
            } => Statement::TypeDecl {
                name: name.clone(),
                ty: *ty,
                comment: comment.clone(),
                pos: Pos::default(),
            },
            Statement::Expr(e) => Statement::Expr(strip_expr(e)),
        })
        .collect()
}

/// A statement starting with `/` or `*` only stays separate from the one before it when a
/// comment sits between them (otherwise `/` divides and `*` multiplies), so such programs
/// cannot be written back without their comments.
fn starts_with_slash_or_star(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Regex(_) | ExprKind::Star => true,
        ExprKind::Binary {
            lhs, parens: false, ..
        } => starts_with_slash_or_star(lhs),
        ExprKind::Chain { lhs, .. } => starts_with_slash_or_star(lhs),
        _ => false,
    }
}

fn separable(program: &Program) -> bool {
    program.statements.iter().skip(1).all(|s| match s {
        Statement::Expr(e) => !starts_with_slash_or_star(e),
        _ => true,
    })
}

fn exercise(src: &str) {
    let tokens = lex(src);
    assert!(tokens.last().is_some());
    let _ = parse_lambda(src);
    let _ = format_script(src);
    if let Err(e) = parse(src) {
        assert!(e.line >= 1 && e.char >= 1, "{e:?}");
        let _ = e.render(src);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,120}") {
        exercise(&src);
    }

    #[test]
    fn token_soup_never_panics(src in soup()) {
        exercise(&src);
    }

    #[test]
    fn format_then_parse_gives_the_same_tree(src in soup()) {
        if let Some(program) = parse(&src).ok().filter(separable) {
            let formatted = format(&program);
            let reparsed = parse(&formatted)
                .unwrap_or_else(|e| panic!("{e}\nsource:\n{src}\nformatted:\n{formatted}"));
            prop_assert_eq!(strip(&reparsed), strip(&program), "formatted:\n{}", formatted);

            let script = format_script(&src).unwrap_or_else(|e| panic!("{e}"));
            let reparsed = parse(&script)
                .unwrap_or_else(|e| panic!("{e}\nsource:\n{src}\nformatted:\n{script}"));
            prop_assert_eq!(strip(&reparsed), strip(&program), "formatted:\n{}", script);
        }
    }
}

#[test]
fn guide_scripts_format_idempotently() {
    let scripts = [
        "stream\n    // Select just the cpu measurement from our example database.\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" <  70)\n        // Whenever we get an alert write it to a file.\n        .log('/tmp/alerts.log')\n",
        "batch\n    |query('''\n        SELECT mean(usage_idle)\n        FROM \"kapacitor_example\".\"autogen\".\"cpu\"\n    ''')\n        .period(5m)\n        .every(5m)\n        .groupBy(time(1m))\n    |alert()\n        .crit(lambda: \"mean\" < 70)\n        .log('/tmp/alerts.log')\n",
        "dbrp \"telegraf\".\"autogen\"\n\n// threshold\nvar warn = 80\nvar crit float\nstream|from().measurement('cpu').where(lambda: \"host\" =~ /^srv\\/1/ AND !(\"a\" > -1))|alert().warn(lambda: \"v\" > warn)",
    ];
    for src in scripts {
        let once = format_script(src).unwrap();
        let twice = format_script(&once).unwrap();
        assert_eq!(once, twice, "{src}");
        assert_eq!(strip(&parse(&once).unwrap()), strip(&parse(src).unwrap()));
    }
}

fn lambda_expr() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![
        "1",
        "042",
        "4.5",
        ".5",
        "10s",
        "1ms",
        "\"value\"",
        "\"a b\"",
        "'str'",
        "'''raw'''",
        "TRUE",
        "FALSE",
        "x",
        "lambda",
        "count()",
    ])
    .prop_map(str::to_string);
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop::sample::select(vec![
            " + ", "-", " * ", " / ", " % ", " AND ", " OR\n", " == ", " != ", " < ", "<=", " > ",
            " >= ",
        ]);
        let sep = prop::sample::select(vec!["", " ", "\n", "\n// note\n"]);
        prop_oneof![
            (inner.clone(), op, sep.clone(), inner.clone())
                .prop_map(|(a, op, sep, b)| format!("{a}{op}{sep}{b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.clone().prop_map(|a| format!("!{a}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("if({a}, {b}, {b})")),
            inner
                .clone()
                .prop_map(|a| format!("\"host\" =~ /^srv\\/{}/ AND {a}", a.len())),
        ]
    })
}

fn script() -> impl Strategy<Value = String> {
    let arg = prop_oneof![
        lambda_expr().prop_map(|e| format!("lambda: {e}")),
        Just("'cpu'".to_string()),
        Just("10s".to_string()),
        Just("*".to_string()),
        Just("time(1m)".to_string()),
    ];
    let call = (
        prop::sample::select(vec!["|", ".", "@", "\n    |", "\n        .", "\n// c\n|"]),
        prop::sample::select(vec![
            "from", "where", "window", "alert", "crit", "log", "groupBy",
        ]),
        prop::collection::vec(arg, 0..3),
        prop::sample::select(vec![", ", ",\n", ",\n// arg\n"]),
    )
        .prop_map(|(op, name, args, sep)| format!("{op}{name}({})", args.join(sep)));
    let chain = (
        prop::sample::select(vec!["stream", "batch", "data"]),
        prop::collection::vec(call, 0..6),
    )
        .prop_map(|(root, calls)| format!("{root}{}", calls.concat()));
    let statement = prop_oneof![
        chain.clone().prop_map(|c| format!("var data = {c}")),
        chain,
        lambda_expr().prop_map(|e| format!("// described\nvar t = lambda: {e}")),
        lambda_expr().prop_map(|e| format!("var v = {e}")),
        Just("var crit float".to_string()),
        Just("var groups = ['host', *]".to_string()),
        Just("dbrp \"telegraf\".\"autogen\"".to_string()),
    ];
    prop::collection::vec(statement, 1..5).prop_map(|s| s.join("\n\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn generated_scripts_parse_and_round_trip(src in script()) {
        let program = parse(&src).unwrap_or_else(|e| panic!("{e}\n{src}"));
        let formatted = format(&program);
        let reparsed = parse(&formatted).unwrap_or_else(|e| panic!("{e}\n{formatted}"));
        prop_assert_eq!(strip(&reparsed), strip(&program));
        let script = format_script(&src).unwrap_or_else(|e| panic!("{e}"));
        let reparsed = parse(&script).unwrap_or_else(|e| panic!("{e}\n{script}"));
        prop_assert_eq!(strip(&reparsed), strip(&program));
    }
}
