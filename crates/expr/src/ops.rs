//! The typed operator table (Kapacitor's `evaluation_funcs.go`): an operator is defined only
//! for the type pairs listed here, and every other pair is a type error.

use std::cmp::Ordering;

use kapa_tick::ast::BinaryOp;

use crate::error::ExprError;
use crate::value::{Value, ValueType};

use BinaryOp as Op;
use ValueType as T;

/// Every valid (operator, left type, right type) with its result type: 61 entries.
pub const OPERATOR_TABLE: [(BinaryOp, ValueType, ValueType, ValueType); 61] = [
    // Logical.
    (Op::And, T::Bool, T::Bool, T::Bool),
    (Op::Or, T::Bool, T::Bool, T::Bool),
    // Equality.
    (Op::Eq, T::Bool, T::Bool, T::Bool),
    (Op::Ne, T::Bool, T::Bool, T::Bool),
    (Op::Eq, T::Int, T::Int, T::Bool),
    (Op::Ne, T::Int, T::Int, T::Bool),
    (Op::Eq, T::Float, T::Float, T::Bool),
    (Op::Ne, T::Float, T::Float, T::Bool),
    (Op::Eq, T::Int, T::Float, T::Bool),
    (Op::Ne, T::Int, T::Float, T::Bool),
    (Op::Eq, T::Float, T::Int, T::Bool),
    (Op::Ne, T::Float, T::Int, T::Bool),
    (Op::Eq, T::String, T::String, T::Bool),
    (Op::Ne, T::String, T::String, T::Bool),
    (Op::Eq, T::Duration, T::Duration, T::Bool),
    (Op::Ne, T::Duration, T::Duration, T::Bool),
    // Ordering.
    (Op::Lt, T::Int, T::Int, T::Bool),
    (Op::Le, T::Int, T::Int, T::Bool),
    (Op::Gt, T::Int, T::Int, T::Bool),
    (Op::Ge, T::Int, T::Int, T::Bool),
    (Op::Lt, T::Float, T::Float, T::Bool),
    (Op::Le, T::Float, T::Float, T::Bool),
    (Op::Gt, T::Float, T::Float, T::Bool),
    (Op::Ge, T::Float, T::Float, T::Bool),
    (Op::Lt, T::Int, T::Float, T::Bool),
    (Op::Le, T::Int, T::Float, T::Bool),
    (Op::Gt, T::Int, T::Float, T::Bool),
    (Op::Ge, T::Int, T::Float, T::Bool),
    (Op::Lt, T::Float, T::Int, T::Bool),
    (Op::Le, T::Float, T::Int, T::Bool),
    (Op::Gt, T::Float, T::Int, T::Bool),
    (Op::Ge, T::Float, T::Int, T::Bool),
    (Op::Lt, T::String, T::String, T::Bool),
    (Op::Le, T::String, T::String, T::Bool),
    (Op::Gt, T::String, T::String, T::Bool),
    (Op::Ge, T::String, T::String, T::Bool),
    (Op::Lt, T::Duration, T::Duration, T::Bool),
    (Op::Le, T::Duration, T::Duration, T::Bool),
    (Op::Gt, T::Duration, T::Duration, T::Bool),
    (Op::Ge, T::Duration, T::Duration, T::Bool),
    // Regex match.
    (Op::RegexEq, T::String, T::Regex, T::Bool),
    (Op::RegexNe, T::String, T::Regex, T::Bool),
    // Arithmetic.
    (Op::Add, T::Float, T::Float, T::Float),
    (Op::Sub, T::Float, T::Float, T::Float),
    (Op::Mul, T::Float, T::Float, T::Float),
    (Op::Div, T::Float, T::Float, T::Float),
    (Op::Add, T::Int, T::Int, T::Int),
    (Op::Sub, T::Int, T::Int, T::Int),
    (Op::Mul, T::Int, T::Int, T::Int),
    (Op::Div, T::Int, T::Int, T::Int),
    (Op::Mod, T::Int, T::Int, T::Int),
    (Op::Add, T::Duration, T::Duration, T::Duration),
    (Op::Sub, T::Duration, T::Duration, T::Duration),
    (Op::Mul, T::Duration, T::Int, T::Duration),
    (Op::Mul, T::Int, T::Duration, T::Duration),
    (Op::Mul, T::Duration, T::Float, T::Duration),
    (Op::Mul, T::Float, T::Duration, T::Duration),
    (Op::Div, T::Duration, T::Int, T::Duration),
    (Op::Div, T::Duration, T::Float, T::Duration),
    (Op::Div, T::Duration, T::Duration, T::Int),
    // String concatenation.
    (Op::Add, T::String, T::String, T::String),
];

/// The result type of `left op right`, or `None` when the pair is not in the table.
pub fn result_type(op: BinaryOp, left: ValueType, right: ValueType) -> Option<ValueType> {
    OPERATOR_TABLE
        .iter()
        .find(|(o, l, r, _)| *o == op && *l == left && *r == right)
        .map(|e| e.3)
}

/// Whether the operator's result is a boolean whatever its operands (comparison and logic).
pub(crate) fn is_boolean_op(op: BinaryOp) -> bool {
    !matches!(op, Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Mod)
}

fn op_kind(op: BinaryOp) -> &'static str {
    match op {
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Mod => "math",
        Op::And | Op::Or => "logical",
        _ => "comparison",
    }
}

/// Whether any entry with this operator has the type on either side.
fn type_supports(ty: ValueType, op: BinaryOp) -> bool {
    OPERATOR_TABLE
        .iter()
        .any(|(o, l, r, _)| *o == op && (*l == ty || *r == ty))
}

/// The error Kapacitor reports for a pair that is not in the table: an operator the left
/// type never takes part in is named as invalid for it, anything else is a mismatch.
pub(crate) fn type_error(op: BinaryOp, left: ValueType, right: ValueType) -> ExprError {
    if !type_supports(left, op) {
        ExprError::InvalidOperator {
            kind: op_kind(op),
            op: op.as_str(),
            ty: left,
        }
    } else {
        ExprError::MismatchedTypes {
            left,
            op: op.as_str(),
            right,
        }
    }
}

fn ordering_holds(op: BinaryOp, ord: Option<Ordering>) -> bool {
    match op {
        Op::Eq => ord == Some(Ordering::Equal),
        Op::Ne => ord != Some(Ordering::Equal),
        Op::Lt => ord == Some(Ordering::Less),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        _ => false,
    }
}

/// Applies a non-logical operator to two values (logical operators short-circuit and are
/// handled by the evaluator). Returns the table's type error for pairs it does not list.
pub(crate) fn apply(op: BinaryOp, left: &Value, right: &Value) -> Result<Value, ExprError> {
    use Value as V;
    let mismatch = || Err(type_error(op, left.value_type(), right.value_type()));
    match op {
        Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ord = match (left, right) {
                (V::Int(a), V::Int(b)) => Some(a.cmp(b)),
                (V::Float(a), V::Float(b)) => a.partial_cmp(b),
                (V::Int(a), V::Float(b)) => (*a as f64).partial_cmp(b),
                (V::Float(a), V::Int(b)) => a.partial_cmp(&(*b as f64)),
                (V::String(a), V::String(b)) => Some(a.as_str().cmp(b.as_str())),
                (V::Duration(a), V::Duration(b)) => Some(a.cmp(b)),
                (V::Bool(a), V::Bool(b)) if matches!(op, Op::Eq | Op::Ne) => Some(a.cmp(b)),
                _ => return mismatch(),
            };
            Ok(V::Bool(ordering_holds(op, ord)))
        }
        Op::RegexEq | Op::RegexNe => match (left, right) {
            (V::String(s), V::Regex(re)) => Ok(V::Bool(re.is_match(s) == (op == Op::RegexEq))),
            _ => mismatch(),
        },
        Op::Add => match (left, right) {
            (V::Float(a), V::Float(b)) => Ok(V::Float(a + b)),
            (V::Int(a), V::Int(b)) => Ok(V::Int(a.wrapping_add(*b))),
            (V::Duration(a), V::Duration(b)) => Ok(V::Duration(a.wrapping_add(*b))),
            (V::String(a), V::String(b)) => {
                let mut s = String::with_capacity(a.len() + b.len());
                s.push_str(a);
                s.push_str(b);
                Ok(V::String(s.into()))
            }
            _ => mismatch(),
        },
        Op::Sub => match (left, right) {
            (V::Float(a), V::Float(b)) => Ok(V::Float(a - b)),
            (V::Int(a), V::Int(b)) => Ok(V::Int(a.wrapping_sub(*b))),
            (V::Duration(a), V::Duration(b)) => Ok(V::Duration(a.wrapping_sub(*b))),
            _ => mismatch(),
        },
        Op::Mul => match (left, right) {
            (V::Float(a), V::Float(b)) => Ok(V::Float(a * b)),
            (V::Int(a), V::Int(b)) => Ok(V::Int(a.wrapping_mul(*b))),
            (V::Duration(d), V::Int(i)) | (V::Int(i), V::Duration(d)) => {
                Ok(V::Duration(d.wrapping_mul(*i)))
            }
            (V::Duration(d), V::Float(f)) | (V::Float(f), V::Duration(d)) => {
                Ok(V::Duration((*d as f64 * f) as i64))
            }
            _ => mismatch(),
        },
        Op::Div => match (left, right) {
            (V::Float(a), V::Float(b)) => Ok(V::Float(a / b)),
            (V::Int(a), V::Int(b)) => int_div(*a, *b).map(V::Int),
            (V::Duration(a), V::Int(b)) => int_div(*a, *b).map(V::Duration),
            (V::Duration(a), V::Float(b)) => Ok(V::Duration((*a as f64 / b) as i64)),
            (V::Duration(a), V::Duration(b)) => int_div(*a, *b).map(V::Int),
            _ => mismatch(),
        },
        Op::Mod => match (left, right) {
            (V::Int(_), V::Int(0)) => Err(ExprError::DivideByZero),
            (V::Int(a), V::Int(b)) => Ok(V::Int(a.wrapping_rem(*b))),
            _ => mismatch(),
        },
        Op::And | Op::Or => match (left, right) {
            (V::Bool(a), V::Bool(b)) => {
                Ok(V::Bool(if op == Op::And { *a && *b } else { *a || *b }))
            }
            _ => mismatch(),
        },
    }
}

/// The common numeric cases of [`apply`] without its general dispatch; `None` means "use
/// `apply`" (other types, mixed arithmetic, integer division).
#[inline(always)]
pub(crate) fn apply_numeric(op: BinaryOp, left: &Value, right: &Value) -> Option<Value> {
    let (a, b, both_float) = match (left, right) {
        (Value::Float(a), Value::Float(b)) => (*a, *b, true),
        (Value::Float(a), Value::Int(b)) => (*a, *b as f64, false),
        (Value::Int(a), Value::Float(b)) => (*a as f64, *b, false),
        (Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            return Some(match op {
                Op::Lt => Value::Bool(a < b),
                Op::Le => Value::Bool(a <= b),
                Op::Gt => Value::Bool(a > b),
                Op::Ge => Value::Bool(a >= b),
                Op::Eq => Value::Bool(a == b),
                Op::Ne => Value::Bool(a != b),
                Op::Add => Value::Int(a.wrapping_add(b)),
                Op::Sub => Value::Int(a.wrapping_sub(b)),
                Op::Mul => Value::Int(a.wrapping_mul(b)),
                _ => return None,
            });
        }
        _ => return None,
    };
    // IEEE comparisons give Go's NaN behaviour: only != holds.
    Some(match op {
        Op::Lt => Value::Bool(a < b),
        Op::Le => Value::Bool(a <= b),
        Op::Gt => Value::Bool(a > b),
        Op::Ge => Value::Bool(a >= b),
        Op::Eq => Value::Bool(a == b),
        Op::Ne => Value::Bool(a != b),
        Op::Add if both_float => Value::Float(a + b),
        Op::Sub if both_float => Value::Float(a - b),
        Op::Mul if both_float => Value::Float(a * b),
        Op::Div if both_float => Value::Float(a / b),
        _ => return None,
    })
}

fn int_div(a: i64, b: i64) -> Result<i64, ExprError> {
    if b == 0 {
        return Err(ExprError::DivideByZero);
    }
    Ok(a.wrapping_div(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path must agree with the general table wherever it answers.
    #[test]
    fn numeric_fast_path_agrees_with_apply() {
        let values = [
            Value::Int(-3),
            Value::Int(0),
            Value::Int(7),
            Value::Int(i64::MAX),
            Value::Float(-2.5),
            Value::Float(0.0),
            Value::Float(7.0),
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
        ];
        let ops = [
            Op::Lt,
            Op::Le,
            Op::Gt,
            Op::Ge,
            Op::Eq,
            Op::Ne,
            Op::Add,
            Op::Sub,
            Op::Mul,
            Op::Div,
            Op::Mod,
        ];
        let mut answered = 0;
        for op in ops {
            for l in &values {
                for r in &values {
                    let Some(fast) = apply_numeric(op, l, r) else {
                        continue;
                    };
                    answered += 1;
                    let slow =
                        apply(op, l, r).expect("fast path answered a pair the table rejects");
                    match (&fast, &slow) {
                        (Value::Float(a), Value::Float(b)) if a.is_nan() => assert!(b.is_nan()),
                        _ => assert_eq!(fast, slow, "{l:?} {op} {r:?}"),
                    }
                }
            }
        }
        assert!(answered > 300);
    }
}
