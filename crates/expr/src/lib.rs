//! Lambda expression compiler and evaluator with the built-in function library.
