//! Stream engine runtime: routing, tasks, and one module per node kind.
