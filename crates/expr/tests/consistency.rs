//! Property: an expression over constants (checked and folded at compile time) and the same
//! expression reading those values from references (checked at eval time) agree on the
//! result or on the exact error.
#![allow(clippy::unwrap_used)]

use kapa_expr::{Lambda, MapScope, Value};
use kapa_tick::ast::{BinaryOp, Expr, ExprKind, Pos, UnaryOp};
use proptest::prelude::*;

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        pos: Pos::default(),
    }
}

/// A leaf: its value, and whether the expression reads it from a var (constant form) or a
/// reference (dynamic form). Both forms use the same name.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-5i64..6).prop_map(Value::Int),
        (-3i64..4).prop_map(|i| Value::Float(i as f64 * 1.5)),
        (0i64..3).prop_map(|i| Value::Duration(i * 1_000_000_000)),
        prop::sample::select(vec!["a", "b", ""]).prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
    ]
}

#[derive(Debug, Clone)]
enum Tree {
    Leaf(usize),
    Neg(Box<Tree>),
    Bin(BinaryOp, Box<Tree>, Box<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let ops = prop::sample::select(vec![
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
        BinaryOp::Lt,
        BinaryOp::Ge,
        BinaryOp::Eq,
        BinaryOp::Ne,
    ]);
    // Negation wraps leaves only: `-(a < b)` is rejected at compile time in the dynamic form
    // too (a comparison is known to be boolean), before the inner error could be seen.
    let leaf = prop_oneof![
        (0usize..6).prop_map(Tree::Leaf),
        (0usize..6).prop_map(|i| Tree::Neg(Box::new(Tree::Leaf(i)))),
    ];
    leaf.prop_recursive(4, 24, 2, move |inner| {
        (ops.clone(), inner.clone(), inner)
            .prop_map(|(op, l, r)| Tree::Bin(op, Box::new(l), Box::new(r)))
    })
}

fn build(t: &Tree, dynamic: bool) -> Expr {
    match t {
        Tree::Leaf(i) => {
            let name = format!("v{i}");
            e(if dynamic {
                ExprKind::Reference(name)
            } else {
                ExprKind::Ident(name)
            })
        }
        Tree::Neg(x) => e(ExprKind::Unary {
            op: UnaryOp::Neg,
            operand: Box::new(build(x, dynamic)),
        }),
        Tree::Bin(op, l, r) => e(ExprKind::Binary {
            op: *op,
            lhs: Box::new(build(l, dynamic)),
            rhs: Box::new(build(r, dynamic)),
            parens: true,
        }),
    }
}

/// The outcome of compiling and evaluating; `compile_error` tells where a failure happened.
#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<Value, String>,
    compile_error: bool,
}

fn run(expr: &Expr, vals: &[Value], scope: &MapScope) -> Outcome {
    let vars = |n: &str| {
        n.strip_prefix('v')
            .and_then(|i| i.parse::<usize>().ok())
            .map(|i| vals[i].clone())
    };
    match Lambda::compile(expr, &vars) {
        Err(e) => Outcome {
            result: Err(e.to_string()),
            compile_error: true,
        },
        Ok(l) => Outcome {
            result: l.eval(scope, &mut l.new_state()).map_err(|e| e.to_string()),
            compile_error: false,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn constant_and_dynamic_forms_agree(
        t in tree(),
        vals in prop::collection::vec(leaf(), 6),
    ) {
        let mut scope = MapScope::new();
        for (i, v) in vals.iter().enumerate() {
            scope.set(&format!("v{i}"), v.clone());
        }
        let constant = run(&build(&t, false), &vals, &MapScope::new());
        let dynamic = run(&build(&t, true), &vals, &scope);
        if dynamic.compile_error {
            // Comparisons are known to be boolean even over references, so the dynamic form
            // can reject a misuse of one before any value is read; then both must fail.
            prop_assert!(constant.result.is_err(), "{constant:?} vs {dynamic:?}");
        } else if constant.compile_error && dynamic.result != constant.result {
            // Evaluating values first, the dynamic form may hit a division by zero before
            // the type error the constant form found at compile time.
            prop_assert_eq!(
                &dynamic.result,
                &Err("runtime error: integer divide by zero".to_string())
            );
        } else {
            match (&constant.result, &dynamic.result) {
                (Ok(Value::Float(a)), Ok(Value::Float(b))) if a.is_nan() => prop_assert!(b.is_nan()),
                _ => prop_assert_eq!(&constant.result, &dynamic.result),
            }
        }
    }
}
