//! Lambda expression compiler and evaluator with the built-in function library.
//!
//! A lambda is compiled once ([`Lambda::compile`]) and evaluated per point against a
//! [`Scope`]. Typing follows Kapacitor's operator table ([`ops::OPERATOR_TABLE`]): pairs of
//! constants are checked at compile time, everything that reads a point at evaluation time.
//! Stateful functions (`sigma`, `count`, `spread`, `rand`) keep their state in a
//! [`LambdaState`], one per group.
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
