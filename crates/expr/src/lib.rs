//! Lambda expression compiler and evaluator with the built-in function library.
//!
//! A lambda is compiled once ([`Lambda::compile`]) and evaluated per point against a
//! [`Scope`]. Typing follows Kapacitor's operator table ([`ops::OPERATOR_TABLE`]): pairs of
//! constants are checked at compile time, everything that reads a point at evaluation time.
//! Stateful functions (`sigma`, `count`, `spread`, `rand`) keep their state in a
//! [`LambdaState`], one per group.
//!
//! Error texts are Kapacitor's (`mismatched type to binary operator. got int + float. ...`,
//! `left reference value "x" is missing value`, `Cannot call function "abs" with args ...`).
//!
//! Deliberate differences from Kapacitor 1.8:
//! - Calendar functions (`hour`, `day`, ...) read UTC, not the server's local zone.
//! - Unsigned fields read as `int` (as `float` beyond `i64`) instead of failing.
//! - `int(duration)` is accepted (Kapacitor's implementation has it, its signature not).
//! - `AND`/`OR` do not type-check a right side they do not evaluate, so
//!   `isPresent("x") AND strContains("x", 'a')` is false on a missing "x" instead of an error.
//! - A function's signature is always checked before it runs; unknown functions and `-`/`!`
//!   on constants of the wrong type are compile errors.
//! - `name "x" is undefined` omits Kapacitor's list of names in scope; lists of signatures and
//!   of references in messages are in a fixed order rather than Go map order.
#![warn(missing_docs)]

mod compile;
mod error;
mod eval;
pub mod functions;
mod lambda;
mod node;
pub mod ops;
mod regex;
mod scope;
mod source;
mod value;

pub use error::ExprError;
pub use functions::function_names;
pub use lambda::{Lambda, LambdaState, eval_const};
pub use regex::compile_go_regex;
pub use scope::{FieldsTagsScope, MapScope, Scope};
pub use value::{Value, ValueType};
