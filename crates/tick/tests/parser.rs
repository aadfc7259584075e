//! Parsed trees, positions and precedence, with cases from Kapacitor's `parser_test.go`.
#![allow(clippy::unwrap_used)]

use kapa_tick::{
    BinaryOp, ChainOp, Expr, ExprKind, Pos, Statement, UnaryOp, VarType, parse, parse_lambda,
};

fn p(offset: usize, line: usize, char: usize) -> Pos {
    Pos { offset, line, char }
}

fn e(kind: ExprKind, pos: Pos) -> Expr {
    Expr { kind, pos }
}

fn int(v: i64, pos: Pos) -> Expr {
    e(ExprKind::Int(v), pos)
}

fn ident(name: &str, pos: Pos) -> Expr {
    e(ExprKind::Ident(name.to_string()), pos)
}

fn string(v: &str, pos: Pos) -> Expr {
    e(
        ExprKind::String {
            value: v.to_string(),
            triple: false,
        },
        pos,
    )
}

fn bin(op: BinaryOp, lhs: Expr, rhs: Expr, pos: Pos) -> Expr {
    e(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            parens: false,
        },
        pos,
    )
}

fn var(name: &str, value: Expr, pos: Pos) -> Statement {
    Statement::Var {
        name: name.to_string(),
        value,
        comment: None,
        pos,
    }
}

/// The single var value of a one-statement script.
fn value_of(src: &str) -> Expr {
    let program = parse(src).unwrap();
    assert_eq!(program.statements.len(), 1, "{src}");
    match program.statements.into_iter().next().unwrap() {
        Statement::Var { value, .. } => value,
        other => panic!("not a var: {other:?}"),
    }
}

/// Renders a lambda body with explicit parentheses to check grouping.
fn shape(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Binary { op, lhs, rhs, .. } => {
            format!("({} {op} {})", shape(lhs), shape(rhs))
        }
        ExprKind::Unary { op, operand } => format!("{op}{}", shape(operand)),
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::Reference(r) => format!("{r:?}"),
        ExprKind::Regex(r) => format!("/{r}/"),
        ExprKind::String { value, .. } => format!("'{value}'"),
        ExprKind::Duration { literal, .. } => literal.clone(),
        ExprKind::Call { name, args } => {
            let args: Vec<String> = args.iter().map(shape).collect();
            format!("{name}({})", args.join(", "))
        }
        ExprKind::Lambda(inner) => format!("lambda: {}", shape(inner)),
        other => format!("{other:?}"),
    }
}

fn lambda_shape(body: &str) -> String {
    match value_of(&format!("var x = lambda: {body}")).kind {
        ExprKind::Lambda(inner) => shape(&inner),
        other => panic!("not a lambda: {other:?}"),
    }
}

#[test]
fn type_declarations() {
    for (name, ty) in [
        ("int", VarType::Int),
        ("float", VarType::Float),
        ("bool", VarType::Bool),
        ("string", VarType::String),
        ("regex", VarType::Regex),
        ("duration", VarType::Duration),
        ("lambda", VarType::Lambda),
        ("list", VarType::List),
        ("star", VarType::Star),
    ] {
        let program = parse(&format!("var x {name}")).unwrap();
        assert_eq!(
            program.statements,
            vec![Statement::TypeDecl {
                name: "x".to_string(),
                ty,
                comment: None,
                pos: p(0, 1, 1)
            }]
        );
    }
}

#[test]
fn literal_values_with_positions() {
    assert_eq!(value_of("var x = 'str'"), string("str", p(8, 1, 9)));
    assert_eq!(
        value_of("var x = TRUE"),
        e(ExprKind::Bool(true), p(8, 1, 9))
    );
    assert_eq!(value_of("var x = 1"), int(1, p(8, 1, 9)));
    assert_eq!(value_of("var x = 0644"), int(420, p(8, 1, 9)));
    assert_eq!(value_of("var x = 1.0"), e(ExprKind::Float(1.0), p(8, 1, 9)));
    assert_eq!(value_of("var x = .5"), e(ExprKind::Float(0.5), p(8, 1, 9)));
    assert_eq!(
        value_of("var x = 5h"),
        e(
            ExprKind::Duration {
                ns: 5 * 3_600_000_000_000,
                literal: "5h".to_string()
            },
            p(8, 1, 9)
        )
    );
    assert_eq!(
        value_of(r"var x = /.*\//"),
        e(ExprKind::Regex(".*/".to_string()), p(8, 1, 9))
    );
    assert_eq!(
        value_of(r#"var x = "a \"b\"""#),
        e(ExprKind::Reference("a \"b\"".to_string()), p(8, 1, 9))
    );
    assert_eq!(
        value_of("var x = '''multi\nline'''"),
        e(
            ExprKind::String {
                value: "multi\nline".to_string(),
                triple: true
            },
            p(8, 1, 9)
        )
    );
}

#[test]
fn unary_operators() {
    assert_eq!(
        value_of("var x = !FALSE"),
        e(
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand: Box::new(e(ExprKind::Bool(false), p(9, 1, 10)))
            },
            p(8, 1, 9)
        )
    );
    assert_eq!(
        value_of("var x = -0600"),
        e(
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand: Box::new(int(384, p(9, 1, 10)))
            },
            p(8, 1, 9)
        )
    );
    assert_eq!(
        value_of("var x = -1.0"),
        e(
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand: Box::new(e(ExprKind::Float(1.0), p(9, 1, 10)))
            },
            p(8, 1, 9)
        )
    );
}

#[test]
fn list_of_strings_idents_and_star() {
    assert_eq!(
        value_of("var x = ['str', 'asdf', 'another', s, *]"),
        e(
            ExprKind::List(vec![
                string("str", p(9, 1, 10)),
                string("asdf", p(16, 1, 17)),
                string("another", p(24, 1, 25)),
                ident("s", p(35, 1, 36)),
                e(ExprKind::Star, p(38, 1, 39)),
            ]),
            p(8, 1, 9)
        )
    );
    assert_eq!(
        value_of("var x = []"),
        e(ExprKind::List(vec![]), p(8, 1, 9))
    );
    assert_eq!(
        value_of("var x = ['a',]"),
        e(ExprKind::List(vec![string("a", p(9, 1, 10))]), p(8, 1, 9))
    );
}

#[test]
fn binary_positions_are_the_operator() {
    assert_eq!(
        value_of("var x = 5 + 5"),
        bin(
            BinaryOp::Add,
            int(5, p(8, 1, 9)),
            int(5, p(12, 1, 13)),
            p(10, 1, 11)
        )
    );
    let program = parse("var x = 5\nvar y = x * 2").unwrap();
    assert_eq!(
        program.statements,
        vec![
            var("x", int(5, p(8, 1, 9)), p(0, 1, 1)),
            var(
                "y",
                bin(
                    BinaryOp::Mul,
                    ident("x", p(18, 2, 9)),
                    int(2, p(22, 2, 13)),
                    p(20, 2, 11)
                ),
                p(10, 2, 1)
            ),
        ]
    );
}

#[test]
fn global_function_with_string_concatenation() {
    let program = parse("f('first ' + string(5m) + 'third')").unwrap();
    let expected = e(
        ExprKind::Call {
            name: "f".to_string(),
            args: vec![bin(
                BinaryOp::Add,
                bin(
                    BinaryOp::Add,
                    string("first ", p(2, 1, 3)),
                    e(
                        ExprKind::Call {
                            name: "string".to_string(),
                            args: vec![e(
                                ExprKind::Duration {
                                    ns: 300_000_000_000,
                                    literal: "5m".to_string(),
                                },
                                p(20, 1, 21),
                            )],
                        },
                        p(13, 1, 14),
                    ),
                    p(11, 1, 12),
                ),
                string("third", p(26, 1, 27)),
                p(24, 1, 25),
            )],
        },
        p(0, 1, 1),
    );
    assert_eq!(program.statements, vec![Statement::Expr(expected)]);
}

#[test]
fn function_call_in_binary() {
    assert_eq!(
        shape(&value_of("var x = int(sqrt(16.0)) + 4")),
        "(int(sqrt(16.0)) + 4)"
    );
    assert_eq!(value_of("var x = int(sqrt(16.0)) + 4").pos, p(24, 1, 25));
}

#[test]
fn chains_and_their_positions() {
    assert_eq!(
        value_of("var x = a.f()"),
        e(
            ExprKind::Chain {
                lhs: Box::new(ident("a", p(8, 1, 9))),
                op: ChainOp::Dot,
                name: "f".to_string(),
                args: vec![],
                parens: true,
                name_pos: p(10, 1, 11),
            },
            p(9, 1, 10)
        )
    );
    assert_eq!(
        value_of("var x = a|b()"),
        e(
            ExprKind::Chain {
                lhs: Box::new(ident("a", p(8, 1, 9))),
                op: ChainOp::Pipe,
                name: "b".to_string(),
                args: vec![],
                parens: true,
                name_pos: p(10, 1, 11),
            },
            p(9, 1, 10)
        )
    );
    assert_eq!(
        value_of("var x = a.f(/.*/)"),
        e(
            ExprKind::Chain {
                lhs: Box::new(ident("a", p(8, 1, 9))),
                op: ChainOp::Dot,
                name: "f".to_string(),
                args: vec![e(ExprKind::Regex(".*".to_string()), p(12, 1, 13))],
                parens: true,
                name_pos: p(10, 1, 11),
            },
            p(9, 1, 10)
        )
    );
    assert_eq!(
        value_of("var x = a.f(y/4.0)"),
        e(
            ExprKind::Chain {
                lhs: Box::new(ident("a", p(8, 1, 9))),
                op: ChainOp::Dot,
                name: "f".to_string(),
                args: vec![bin(
                    BinaryOp::Div,
                    ident("y", p(12, 1, 13)),
                    e(ExprKind::Float(4.0), p(14, 1, 15)),
                    p(13, 1, 14)
                )],
                parens: true,
                name_pos: p(10, 1, 11),
            },
            p(9, 1, 10)
        )
    );
}

#[test]
fn property_without_parens_and_udf() {
    assert_eq!(
        value_of("var x = a.b"),
        e(
            ExprKind::Chain {
                lhs: Box::new(ident("a", p(8, 1, 9))),
                op: ChainOp::Dot,
                name: "b".to_string(),
                args: vec![],
                parens: false,
                name_pos: p(10, 1, 11),
            },
            p(9, 1, 10)
        )
    );
    let udf = value_of("var x = s@myUDF('a', 1)");
    match udf.kind {
        ExprKind::Chain {
            op,
            name,
            args,
            parens,
            ..
        } => {
            assert_eq!(op, ChainOp::At);
            assert_eq!(name, "myUDF");
            assert_eq!(args.len(), 2);
            assert!(parens);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chains_are_left_associative() {
    let v = value_of("var x = stream|from().measurement('cpu')|window().period(10s)");
    let mut names = Vec::new();
    let mut cur = &v;
    while let ExprKind::Chain { lhs, op, name, .. } = &cur.kind {
        names.push(format!("{op:?}:{name}"));
        cur = lhs;
    }
    assert_eq!(cur, &ident("stream", p(8, 1, 9)));
    assert_eq!(
        names,
        vec!["Dot:period", "Pipe:window", "Dot:measurement", "Pipe:from"]
    );
}

#[test]
fn lambda_in_where_with_positions() {
    let program = parse("var t = 42\n\t\t\tstream.where(lambda: \"value\" > t)\n\t\t\t").unwrap();
    assert_eq!(program.statements.len(), 2);
    let expected = e(
        ExprKind::Chain {
            lhs: Box::new(ident("stream", p(14, 2, 4))),
            op: ChainOp::Dot,
            name: "where".to_string(),
            args: vec![e(
                ExprKind::Lambda(Box::new(bin(
                    BinaryOp::Gt,
                    e(ExprKind::Reference("value".to_string()), p(35, 2, 25)),
                    ident("t", p(45, 2, 35)),
                    p(43, 2, 33),
                ))),
                p(27, 2, 17),
            )],
            parens: true,
            name_pos: p(21, 2, 11),
        },
        p(20, 2, 10),
    );
    assert_eq!(program.statements[1], Statement::Expr(expected));
}

#[test]
fn lambda_with_parens_and_comments() {
    let src = "global(lambda: \n\t// Test Left-Associative operators\n\t// should parse as ((1+2)-(3*4)/5)\n\t(1 + 2 - 3 * 4 / 5)\n)\n";
    let program = parse(src).unwrap();
    let Statement::Expr(Expr {
        kind: ExprKind::Call { name, args },
        ..
    }) = &program.statements[0]
    else {
        panic!("not a call");
    };
    assert_eq!(name, "global");
    assert_eq!(args[0].pos, p(7, 1, 8));
    let ExprKind::Lambda(body) = &args[0].kind else {
        panic!("not a lambda");
    };
    assert_eq!(shape(body), "((1 + 2) - ((3 * 4) / 5))");
    assert_eq!(body.pos, p(96, 4, 9));
    assert!(matches!(body.kind, ExprKind::Binary { parens: true, .. }));
}

#[test]
fn precedence_table() {
    assert_eq!(lambda_shape("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_eq!(lambda_shape("1 * 2 + 3"), "((1 * 2) + 3)");
    assert_eq!(lambda_shape("1 - 2 - 3"), "((1 - 2) - 3)");
    assert_eq!(lambda_shape("8 / 4 / 2"), "((8 / 4) / 2)");
    assert_eq!(lambda_shape("7 % 3 * 2"), "((7 % 3) * 2)");
    assert_eq!(lambda_shape("a OR b AND c"), "(a OR (b AND c))");
    assert_eq!(lambda_shape("a AND b OR c"), "((a AND b) OR c)");
    assert_eq!(lambda_shape("a OR b OR c"), "((a OR b) OR c)");
    assert_eq!(
        lambda_shape("\"a\" == 1 AND \"b\" != 2"),
        "((\"a\" == 1) AND (\"b\" != 2))"
    );
    assert_eq!(lambda_shape("a < b == c"), "((a < b) == c)");
    assert_eq!(lambda_shape("a == b < c"), "(a == (b < c))");
    assert_eq!(lambda_shape("a + 1 > b * 2"), "((a + 1) > (b * 2))");
    assert_eq!(lambda_shape("a >= 1 AND a <= 2"), "((a >= 1) AND (a <= 2))");
    assert_eq!(
        lambda_shape("\"host\" =~ /^srv/ OR \"host\" !~ /x/"),
        "((\"host\" =~ /^srv/) OR (\"host\" !~ /x/))"
    );
    assert_eq!(lambda_shape("(1 + 2) * 3"), "((1 + 2) * 3)");
    assert_eq!(
        lambda_shape("1 + 2 - 3 * 4 / 5"),
        "((1 + 2) - ((3 * 4) / 5))"
    );
    assert_eq!(
        lambda_shape("1 + 2 * 3 < 4 == TRUE AND FALSE OR x"),
        "(((((1 + (2 * 3)) < 4) == TRUE) AND FALSE) OR x)"
    );
}

#[test]
fn unary_binds_tightest() {
    assert_eq!(lambda_shape("-a * 2"), "(-a * 2)");
    assert_eq!(lambda_shape("!a AND b"), "(!a AND b)");
    assert_eq!(lambda_shape("- -5"), "--5");
    assert_eq!(lambda_shape("-(1 + 2)"), "-(1 + 2)");
    assert_eq!(lambda_shape("2 - -3"), "(2 - -3)");
    assert_eq!(lambda_shape("!(TRUE)"), "!TRUE");
}

#[test]
fn functions_inside_lambdas() {
    assert_eq!(
        lambda_shape("sigma(\"usage_idle\") > 3"),
        "(sigma(\"usage_idle\") > 3)"
    );
    assert_eq!(lambda_shape("count()"), "count()");
    assert_eq!(
        lambda_shape("if(\"a\" > 1, 'x', 'y')"),
        "if((\"a\" > 1), 'x', 'y')"
    );
    assert_eq!(
        lambda_shape("max(1.0, float(\"x\") * 2.0)"),
        "max(1.0, (float(\"x\") * 2.0))"
    );
}

#[test]
fn lambda_is_an_identifier_unless_followed_by_colon() {
    assert_eq!(value_of("var x = lambda"), ident("lambda", p(8, 1, 9)));
    let program = parse("var lambda = 5").unwrap();
    assert_eq!(
        program.statements,
        vec![var("lambda", int(5, p(13, 1, 14)), p(0, 1, 1))]
    );
}

#[test]
fn dbrp_statements() {
    let program =
        parse("dbrp \"telegraf\".\"autogen\"\ndbrp \"db\".\"rp\"\nstream|from()").unwrap();
    assert_eq!(
        program.statements[0],
        Statement::Dbrp {
            db: "telegraf".to_string(),
            rp: "autogen".to_string(),
            pos: p(0, 1, 1)
        }
    );
    assert_eq!(
        program.statements[1],
        Statement::Dbrp {
            db: "db".to_string(),
            rp: "rp".to_string(),
            pos: p(26, 2, 1)
        }
    );
    assert_eq!(program.statements.len(), 3);
}

#[test]
fn var_comments_become_descriptions() {
    let program = parse("// The threshold\n// in percent\nvar x = 5\nvar y = 6\n").unwrap();
    assert_eq!(
        program.statements[0],
        Statement::Var {
            name: "x".to_string(),
            value: int(5, p(39, 3, 9)),
            comment: Some("The threshold\nin percent".to_string()),
            pos: p(31, 3, 1)
        }
    );
    assert!(matches!(
        &program.statements[1],
        Statement::Var { comment: None, .. }
    ));
    let program = parse("// a\n\n// b\nvar x int").unwrap();
    assert!(matches!(
        &program.statements[0],
        Statement::TypeDecl { comment: Some(c), .. } if c == "a\n\n\nb"
    ));
}

#[test]
fn statements_need_no_separator() {
    let program = parse("var a = 1 var b = 2 a b").unwrap();
    assert_eq!(program.statements.len(), 4);
    let program = parse("a\n\n\nvar b = stream").unwrap();
    assert_eq!(
        program.statements[0],
        Statement::Expr(ident("a", p(0, 1, 1)))
    );
    assert_eq!(parse("").unwrap().statements, vec![]);
    assert_eq!(parse("  // only a comment\n").unwrap().statements, vec![]);
}

#[test]
fn decimal_durations_are_a_number_then_an_identifier() {
    let program = parse("var x = 1.5s").unwrap();
    assert_eq!(
        program.statements,
        vec![
            var("x", e(ExprKind::Float(1.5), p(8, 1, 9)), p(0, 1, 1)),
            Statement::Expr(ident("s", p(11, 1, 12))),
        ]
    );
}

#[test]
fn trailing_commas_are_accepted() {
    let v = value_of("var x = f(1, 2,)");
    assert!(matches!(v.kind, ExprKind::Call { ref args, .. } if args.len() == 2));
}

#[test]
fn parse_lambda_text() {
    let l = parse_lambda("\"value\" > 10").unwrap();
    assert_eq!(l.pos, p(0, 1, 1));
    let ExprKind::Lambda(inner) = l.kind else {
        panic!("not a lambda");
    };
    assert_eq!(shape(&inner), "(\"value\" > 10)");
    assert_eq!(
        parse_lambda("\"a\" >").unwrap_err().to_string(),
        "parser: unexpected EOF line 1 char 6 in \"\"a\" >\". expected: \"number\",\"string\",\"duration\",\"identifier\",\"TRUE\",\"FALSE\",\"==\",\"(\",\"-\",\"!\""
    );
}

#[test]
fn guide_scripts_parse() {
    let scripts = [
        "stream\n    // Select just the cpu measurement from our example database.\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage_idle\" <  70)\n        // Whenever we get an alert write it to a file.\n        .log('/tmp/alerts.log')\n",
        "var data = stream\n    |from()\n        .database('telegraf')\n        .retentionPolicy('autogen')\n        .measurement('cpu')\n        // NOTE: Double quotes on server1\n        .where(lambda: \"host\" == \"server1\")\n",
        "var data = stream\n    |from()\n        .database('telegraf')\n        .retentionPolicy('autogen')\n        .measurement('cpu')\n        // NOTE: Single quotes on server1\n        .where(lambda: \"host\" == 'server1')\n",
        "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        // Compare values to running mean and standard deviation\n        .crit(lambda: sigma(\"usage_idle\") > 3)\n        .log('/tmp/alerts.log')\n",
        "stream\n    |from()\n        .measurement('cpu')\n    // create a new field called 'used' which inverts the idle cpu.\n    |eval(lambda: 100.0 - \"usage_idle\")\n        .as('used')\n    |groupBy('service', 'datacenter')\n    |window()\n        .period(1m)\n        .every(1m)\n    // calculate the 95th percentile of the used cpu.\n    |percentile('used', 95.0)\n    |eval(lambda: sigma(\"percentile\"))\n        .as('sigma')\n        .keep('percentile', 'sigma')\n    |alert()\n        .id('{{ .Name }}/{{ index .Tags \"service\" }}/{{ index .Tags \"datacenter\"}}')\n        .message('{{ .ID }} is {{ .Level }} cpu-95th:{{ index .Fields \"percentile\" }}')\n        // Compare values to running mean and standard deviation\n        .warn(lambda: \"sigma\" > 2.5)\n        .crit(lambda: \"sigma\" > 3.0)\n        .log('/tmp/alerts.log')\n\n        // Post data to custom endpoint\n        .post('https://alerthandler.example.com')\n\n        // Execute custom alert handler script\n        .exec('/bin/custom_alert_handler.sh')\n\n        // Send alerts to slack\n        .slack()\n        .channel('#alerts')\n\n        // Sends alerts to PagerDuty\n        .pagerDuty()\n\n        // Send alerts to VictorOps\n        .victorOps()\n        .routingKey('team_rocket')\n",
        "batch\n    |query('''\n        SELECT mean(usage_idle)\n        FROM \"kapacitor_example\".\"autogen\".\"cpu\"\n    ''')\n        .period(5m)\n        .every(5m)\n        .groupBy(time(1m))\n    |alert()\n        .crit(lambda: \"mean\" < 70)\n        .log('/tmp/alerts.log')\n",
        "stream\n.from().measurement('cpu')\n.alert()\n.crit(lambda: \"value\" > 80.0)\n.log('/tmp/high_cpu.log')\n",
    ];
    for src in scripts {
        let program = parse(src).unwrap_or_else(|err| panic!("{err}\n{src}"));
        assert!(!program.statements.is_empty());
    }
}

#[test]
fn guide_batch_query_keeps_the_triple_quoted_text() {
    let src = "batch\n    |query('''\n        SELECT mean(usage_idle)\n    ''')\n        .groupBy(time(1m))";
    let Statement::Expr(chain) = &parse(src).unwrap().statements[0] else {
        panic!("not an expression");
    };
    let ExprKind::Chain {
        lhs, name, args, ..
    } = &chain.kind
    else {
        panic!("not a chain");
    };
    assert_eq!(name, "groupBy");
    assert_eq!(shape(&args[0]), "time(1m)");
    let ExprKind::Chain { args, .. } = &lhs.kind else {
        panic!("not a chain");
    };
    assert_eq!(
        args[0].kind,
        ExprKind::String {
            value: "\n        SELECT mean(usage_idle)\n    ".to_string(),
            triple: true
        }
    );
}
