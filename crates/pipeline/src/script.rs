//! What the task store reads from a program without evaluating it: DBRPs and task type.

use kapa_tick::ast::{Expr, ExprKind, Program, Statement};

use crate::{Dbrp, TaskType};

/// The `dbrp "db"."rp"` statements, in order.
pub fn dbrps_from_program(program: &Program) -> Vec<Dbrp> {
    program
        .statements
        .iter()
        .filter_map(|s| match s {
            Statement::Dbrp { db, rp, .. } => Some(Dbrp {
                db: db.clone(),
                rp: rp.clone(),
            }),
            _ => None,
        })
        .collect()
}

fn chain_root(mut e: &Expr) -> Option<&str> {
    loop {
        match &e.kind {
            ExprKind::Chain { lhs, .. } => e = lhs,
            ExprKind::Ident(name) => return Some(name),
            _ => return None,
        }
    }
}

/// Infers the task type from the roots of the chains (`stream` or `batch`);
/// `None` when there is none or both appear.
pub fn task_type_from_program(program: &Program) -> Option<TaskType> {
    let mut found: Option<TaskType> = None;
    for s in &program.statements {
        let expr = match s {
            Statement::Var { value, .. } => value,
            Statement::Expr(e) if matches!(e.kind, ExprKind::Chain { .. }) => e,
            _ => continue,
        };
        let tt = match chain_root(expr) {
            Some("stream") => TaskType::Stream,
            Some("batch") => TaskType::Batch,
            _ => continue,
        };
        match found {
            None => found = Some(tt),
            Some(prev) if prev != tt => return None,
            Some(_) => {}
        }
    }
    found
}
