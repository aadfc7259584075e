//! Evaluates a program into a pipeline, following Kapacitor's `tick/eval.go`: a scope of
//! immutable vars, chain (`|`), property (`.`) and dynamic (`@`) dispatch with its hints.

use std::collections::HashMap;

use kapa_expr::Value;
use kapa_models::duration::format_influxql;
use kapa_tick::ast::{ChainOp, Expr, ExprKind, Pos, Program, Statement, UnaryOp, VarType};

use crate::nodes::{EdgeType, NodeKind, PipelineNode, Set};
use crate::value::{Val, VarValue};
use crate::{Pipeline, PipelineError, TaskType};

/// Evaluates `program` for a task of `task_type`; `vars` override script vars.
pub fn build(
    program: &Program,
    task_type: TaskType,
    vars: &HashMap<String, VarValue>,
) -> Result<Pipeline, PipelineError> {
    let mut ev = Evaluator {
        nodes: Vec::new(),
        next_name_id: 0,
        scope: HashMap::new(),
        predefined: vars,
    };
    let root = match task_type {
        TaskType::Stream => NodeKind::Stream,
        TaskType::Batch => NodeKind::Batch,
    };
    let root_id = ev.add_node(root, None);
    ev.scope
        .insert(task_type.as_str().to_string(), Val::Node(root_id));
    for s in &program.statements {
        ev.statement(s).map_err(PipelineError::Eval)?;
    }
    let deadman = crate::nodes::deadman_config();
    if deadman.global {
        // `[deadman] global = true`: every source of the task gets a deadman switch.
        let sources: Vec<usize> = ev.nodes[root_id].children.clone();
        for s in sources {
            let args = [
                Val::Float(deadman.threshold),
                Val::Duration(deadman.interval),
            ];
            ev.deadman(s, &args, Pos::default())
                .map_err(PipelineError::Eval)?;
        }
    }
    for n in &ev.nodes {
        n.validate().map_err(|e| {
            PipelineError::Eval(format!("invalid {} node {}: {e}", n.kind.desc(), n.name))
        })?;
        for p in &n.parents {
            let parent = &ev.nodes[*p];
            if let Some(wants) = n.kind.wants()
                && wants != parent.provides
            {
                return Err(PipelineError::Eval(format!(
                    "cannot add child mismatched edges: {}:{} -> {}:{}",
                    parent.name,
                    parent.provides.as_str(),
                    n.name,
                    wants.as_str()
                )));
            }
        }
    }
    Ok(Pipeline {
        nodes: ev.nodes,
        task_type,
    })
}

struct Evaluator<'a> {
    nodes: Vec<PipelineNode>,
    /// Kapacitor's node numbering: one id per parent link, so a join of n parents uses n ids.
    next_name_id: usize,
    scope: HashMap<String, Val>,
    predefined: &'a HashMap<String, VarValue>,
}

fn at(pos: Pos, msg: impl std::fmt::Display) -> String {
    format!("line {} char {}: {}", pos.line, pos.char, msg)
}

fn lower_first(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Evaluator<'_> {
    fn add_node(&mut self, kind: NodeKind, parent: Option<usize>) -> usize {
        let id = self.nodes.len();
        let name = format!("{}{}", kind.desc(), self.next_name_id);
        self.next_name_id += 1;
        let input = parent
            .map(|p| self.nodes[p].provides)
            .unwrap_or(EdgeType::Stream);
        let provides = kind.provides(input);
        self.nodes.push(PipelineNode {
            id,
            name,
            kind,
            parents: parent.into_iter().collect(),
            children: Vec::new(),
            quiet: false,
            provides,
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(id);
        }
        id
    }

    fn lookup(&self, name: &str, pos: Pos) -> Result<Val, String> {
        if let Some(v) = self.scope.get(name) {
            return Ok(v.clone());
        }
        let mut names: Vec<&str> = self.scope.keys().map(String::as_str).collect();
        names.push("time");
        names.sort_unstable();
        Err(at(
            pos,
            format!(
                "name {name:?} is undefined. Names in scope: {}",
                names.join(",")
            ),
        ))
    }

    fn statement(&mut self, s: &Statement) -> Result<(), String> {
        match s {
            Statement::Dbrp { .. } => Ok(()),
            Statement::Expr(e) => self.expr(e).map(|_| ()),
            Statement::Var {
                name, value, pos, ..
            } => {
                if self.scope.contains_key(name) {
                    return Err(at(
                        *pos,
                        format!("attempted to redefine {name}, vars are immutable"),
                    ));
                }
                let v = self.expr(value)?;
                let v = match self.predefined.get(name) {
                    Some(pre) => {
                        let exp = val_var_type(&v);
                        Self::var_value(name, pre, exp)?
                    }
                    None => v,
                };
                self.scope.insert(name.clone(), v);
                Ok(())
            }
            Statement::TypeDecl { name, ty, .. } => {
                let Some(pre) = self.predefined.get(name) else {
                    return Err(format!("missing value for var {name:?}."));
                };
                let v = Self::var_value(name, pre, Some(*ty))?;
                self.scope.insert(name.clone(), v);
                Ok(())
            }
        }
    }

    /// Converts a supplied var value, checking its type against the declared one.
    fn var_value(name: &str, v: &VarValue, exp: Option<VarType>) -> Result<Val, String> {
        let got = var_value_type(v);
        if let Some(exp) = exp
            && exp != got
        {
            return Err(format!(
                "invalid type supplied for {name}, got {} exp {}",
                got.as_str(),
                exp.as_str()
            ));
        }
        Ok(match v {
            VarValue::Int(i) => Val::Int(*i),
            VarValue::Float(f) => Val::Float(*f),
            VarValue::Bool(b) => Val::Bool(*b),
            VarValue::String(s) => Val::Str(s.clone()),
            VarValue::Regex(r) => Val::Regex(r.clone()),
            VarValue::Duration(d) => Val::Duration(*d),
            VarValue::Star => Val::Star,
            VarValue::List(items) => Val::List(
                items
                    .iter()
                    .map(|i| Self::var_value(name, i, None))
                    .collect::<Result<_, _>>()?,
            ),
            VarValue::Lambda(src) => Val::Lambda(
                kapa_tick::parse_lambda(src)
                    .map_err(|e| format!("invalid lambda for var {name}: {e}"))?,
            ),
        })
    }

    fn expr(&mut self, e: &Expr) -> Result<Val, String> {
        Ok(match &e.kind {
            ExprKind::Int(i) => Val::Int(*i),
            ExprKind::Float(f) => Val::Float(*f),
            ExprKind::Duration { ns, .. } => Val::Duration(*ns),
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::String { value, .. } => Val::Str(value.clone()),
            ExprKind::Reference(r) => Val::Reference(r.clone()),
            ExprKind::Regex(r) => Val::Regex(r.clone()),
            ExprKind::Star => Val::Star,
            ExprKind::Ident(name) => self.lookup(name, e.pos)?,
            ExprKind::List(items) => Val::List(
                items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Lambda(body) => Val::Lambda(self.substitute(body)?),
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand)?;
                match (op, v) {
                    (UnaryOp::Neg, Val::Int(i)) => Val::Int(-i),
                    (UnaryOp::Neg, Val::Float(f)) => Val::Float(-f),
                    (UnaryOp::Neg, Val::Duration(d)) => Val::Duration(-d),
                    (UnaryOp::Not, Val::Bool(b)) => Val::Bool(!b),
                    (op, v) => {
                        let sym = if *op == UnaryOp::Neg { '-' } else { '!' };
                        return Err(at(
                            e.pos,
                            format!("invalid arugument to '{sym}' {}", v.type_name()),
                        ));
                    }
                }
            }
            ExprKind::Binary { .. } => {
                let resolved = self.substitute(e)?;
                let value =
                    kapa_expr::eval_const(&resolved, &|_| None).map_err(|err| at(e.pos, err))?;
                value_to_val(value)
                    .ok_or_else(|| at(e.pos, "unsupported result type of expression"))?
            }
            ExprKind::Call { name, args } => {
                let args = self.args(args)?;
                self.global_call(name, &args, e.pos)?
            }
            ExprKind::Chain {
                lhs,
                op,
                name,
                args,
                parens,
                name_pos,
            } => {
                let obj = self.expr(lhs)?;
                let args = self.args(args)?;
                if !*parens {
                    return Err(at(
                        *name_pos,
                        format!("reading property {name:?} is not supported"),
                    ));
                }
                self.chain(obj, *op, name, &args, *name_pos)?
            }
        })
    }

    /// Evaluates call arguments; a single list argument is splatted as Kapacitor does.
    fn args(&mut self, args: &[Expr]) -> Result<Vec<Val>, String> {
        let mut vals: Vec<Val> = args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Result<_, _>>()?;
        if vals.len() == 1
            && matches!(vals[0], Val::List(_))
            && let Some(Val::List(items)) = vals.pop()
        {
            return Ok(items);
        }
        Ok(vals)
    }

    fn global_call(&self, name: &str, args: &[Val], pos: Pos) -> Result<Val, String> {
        match name {
            "time" => {
                let every = args
                    .first()
                    .map(crate::args::duration_of)
                    .transpose()
                    .map_err(|e| at(pos, e))?;
                let offset = args
                    .get(1)
                    .map(crate::args::duration_of)
                    .transpose()
                    .map_err(|e| at(pos, e))?;
                match (every, args.len()) {
                    (Some(every), 1 | 2) => Ok(Val::TimeDim {
                        every,
                        offset: offset.unwrap_or(0),
                    }),
                    _ => Err(at(pos, "time() takes a duration and an optional offset")),
                }
            }
            _ => Err(at(pos, format!("no global function {name:?} defined"))),
        }
    }

    fn chain(
        &mut self,
        obj: Val,
        op: ChainOp,
        raw: &str,
        args: &[Val],
        pos: Pos,
    ) -> Result<Val, String> {
        let name = lower_first(raw);
        let (node, handler) = match obj {
            Val::Node(n) => (n, None),
            Val::Handler { node, handler } => (node, Some(handler)),
            other => {
                return Err(at(
                    pos,
                    format!(
                        "cannot call {raw:?} on a value of type {}",
                        other.type_name()
                    ),
                ));
            }
        };
        let go_type = match (&self.nodes[node].kind, handler) {
            (NodeKind::Alert(a), Some(h)) => a.handler_go_type(h),
            (k, _) => k.go_type(),
        };
        let call_err = |e: String| {
            if e.starts_with("cannot assign *ast.ReferenceNode") {
                at(pos, e)
            } else {
                at(
                    pos,
                    format!("error calling func {raw:?} on obj {go_type}: {e}"),
                )
            }
        };
        let kind = &self.nodes[node].kind;
        let has_chain = kind.has_chain(&name);
        let has_prop = kind.has_property(&name);
        match op {
            ChainOp::Pipe => {
                if name == "stats" {
                    // A stats node observes this node; it is a source of its own.
                    let spec = crate::nodes::StatsSpec::new(args, node).map_err(call_err)?;
                    return Ok(Val::Node(self.add_node(NodeKind::Stats(spec), None)));
                }
                if name == "deadman" {
                    return self.deadman(node, args, pos).map_err(call_err);
                }
                if has_chain {
                    // join and union take other nodes as arguments: they become extra parents.
                    let (others, rest): (Vec<&Val>, Vec<&Val>) = args
                        .iter()
                        .partition(|a| matches!(a, Val::Node(_) | Val::Handler { .. }));
                    if !others.is_empty() && !matches!(name.as_str(), "join" | "union") {
                        return Err(call_err("a node cannot be an argument here".into()));
                    }
                    let rest: Vec<Val> = rest.into_iter().cloned().collect();
                    let child = NodeKind::create(&name, &rest).map_err(call_err)?;
                    let id = self.add_node(child, Some(node));
                    for o in &others {
                        let (Val::Node(p) | Val::Handler { node: p, .. }) = o else {
                            continue;
                        };
                        self.nodes[id].parents.push(*p);
                        self.nodes[*p].children.push(id);
                    }
                    if !others.is_empty() {
                        self.next_name_id += others.len();
                        self.nodes[id].name =
                            format!("{}{}", self.nodes[id].kind.desc(), self.next_name_id - 1);
                    }
                    return Ok(Val::Node(id));
                }
                if has_prop {
                    return Err(at(
                        pos,
                        format!(
                            "no chaining method {raw:?} on {go_type}, but property does exist. Use '.' operator instead: 'node.{raw}(..)'."
                        ),
                    ));
                }
            }
            ChainOp::Dot => {
                if name == "quiet" && !matches!(kind, NodeKind::Stream | NodeKind::Batch) {
                    crate::args::none(args).map_err(call_err)?;
                    self.nodes[node].quiet = true;
                    return Ok(match handler {
                        Some(h) => Val::Handler { node, handler: h },
                        None => Val::Node(node),
                    });
                }
                if let (Some(h), NodeKind::Alert(a)) = (handler, &mut self.nodes[node].kind)
                    && let Set::Handler(h) = a.set_handler(h, &name, args).map_err(call_err)?
                {
                    return Ok(Val::Handler { node, handler: h });
                }
                match self.nodes[node].kind.set(&name, args).map_err(call_err)? {
                    Set::Node => {
                        return Ok(match handler {
                            Some(h) => Val::Handler { node, handler: h },
                            None => Val::Node(node),
                        });
                    }
                    Set::Handler(h) => return Ok(Val::Handler { node, handler: h }),
                    Set::Unknown => {}
                }
                if has_chain {
                    return Err(at(
                        pos,
                        format!(
                            "no property method {raw:?} on {go_type}, but chaining method does exist. Use '|' operator instead: 'node|{raw}(..)'."
                        ),
                    ));
                }
            }
            ChainOp::At => {
                if has_prop {
                    return Err(at(
                        pos,
                        format!(
                            "no dynamic method {raw:?} on {go_type}, but property does exist. Use '.' operator instead: 'node.{raw}(..)'."
                        ),
                    ));
                }
                if has_chain {
                    return Err(at(
                        pos,
                        format!(
                            "no dynamic method {raw:?} on {go_type}, but chaining method does exist. Use '|' operator instead: 'node|{raw}(..)'."
                        ),
                    ));
                }
            }
        }
        Err(at(
            pos,
            format!("no method or property {raw:?} on {go_type}"),
        ))
    }

    /// `n|deadman(threshold, interval, lambdas...)`: `n|stats(interval).align()
    /// |derivative('emitted').unit(interval).nonNegative()|alert().crit(lambda: "emitted" <= threshold
    /// AND ...)` with the `[deadman]` id and message; returns the alert node.
    fn deadman(&mut self, node: usize, args: &[Val], pos: Pos) -> Result<Val, String> {
        let cfg = crate::nodes::deadman_config();
        if args.len() < 2 {
            return Err(format!(
                "wrong number of arguments: got {} exp at least 2",
                args.len()
            ));
        }
        let threshold = crate::args::float_of(&args[0])?;
        let interval = crate::args::duration_of(&args[1])?;
        let observed = self.nodes[node].name.clone();
        let mut stats = crate::nodes::StatsSpec::new(&args[1..2], node)?;
        stats.align = true;
        let stats_id = self.add_node(NodeKind::Stats(stats), None);
        let mut d = crate::nodes::DerivativeSpec::new(&[Val::Str("emitted".into())])?;
        d.unit = interval;
        d.non_negative = true;
        let d_id = self.add_node(NodeKind::Derivative(d), Some(stats_id));
        let mut body = kapa_tick::parse_lambda(&format!("\"emitted\" <= {threshold:?}"))
            .map_err(|e| e.to_string())?;
        for extra in &args[2..] {
            let Val::Lambda(l) = extra else {
                return Err(format!(
                    "deadman takes lambdas after the interval, got {}",
                    extra.type_name()
                ));
            };
            body = Expr {
                kind: ExprKind::Binary {
                    op: kapa_tick::BinaryOp::And,
                    lhs: Box::new(body),
                    rhs: Box::new(l.clone()),
                    parens: false,
                },
                pos,
            };
        }
        let mut alert = crate::nodes::AlertSpec::default();
        alert.levels[3] = Some(crate::args::lambda_of(&Val::Lambda(body))?);
        alert.id = cfg.id.replace("NODE_NAME", &observed);
        alert.message = cfg
            .message
            .replace("INTERVAL", &kapa_models::duration::format_go(interval));
        let a_id = self.add_node(NodeKind::Alert(Box::new(alert)), Some(d_id));
        Ok(Val::Node(a_id))
    }

    /// Replaces identifiers in an expression by the literal values of script vars, as
    /// Kapacitor's `resolveIdents` does when a lambda is defined.
    fn substitute(&self, e: &Expr) -> Result<Expr, String> {
        let kind = match &e.kind {
            ExprKind::Ident(name) => return self.literal(name, e.pos),
            ExprKind::List(items) => ExprKind::List(
                items
                    .iter()
                    .map(|i| self.substitute(i))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Lambda(body) => ExprKind::Lambda(Box::new(self.substitute(body)?)),
            ExprKind::Unary { op, operand } => ExprKind::Unary {
                op: *op,
                operand: Box::new(self.substitute(operand)?),
            },
            ExprKind::Binary {
                op,
                lhs,
                rhs,
                parens,
            } => ExprKind::Binary {
                op: *op,
                lhs: Box::new(self.substitute(lhs)?),
                rhs: Box::new(self.substitute(rhs)?),
                parens: *parens,
            },
            ExprKind::Call { name, args } => ExprKind::Call {
                name: name.clone(),
                args: args
                    .iter()
                    .map(|a| self.substitute(a))
                    .collect::<Result<_, _>>()?,
            },
            other => other.clone(),
        };
        Ok(Expr { kind, pos: e.pos })
    }

    fn literal(&self, name: &str, pos: Pos) -> Result<Expr, String> {
        let kind = match self.lookup(name, pos)? {
            Val::Int(i) => ExprKind::Int(i),
            Val::Float(f) => ExprKind::Float(f),
            Val::Bool(b) => ExprKind::Bool(b),
            Val::Str(s) => ExprKind::String {
                value: s,
                triple: false,
            },
            Val::Reference(r) => ExprKind::Reference(r),
            Val::Duration(ns) => ExprKind::Duration {
                ns,
                literal: format_influxql(ns),
            },
            Val::Regex(r) => ExprKind::Regex(r),
            Val::Star => ExprKind::Star,
            Val::Lambda(body) => {
                // Keep the inlined expression grouped as it was written on its own.
                let mut body = body;
                if let ExprKind::Binary { parens, .. } = &mut body.kind {
                    *parens = true;
                }
                return Ok(body);
            }
            other => {
                return Err(at(
                    pos,
                    format!(
                        "cannot use var {name:?} of type {} in an expression",
                        other.type_name()
                    ),
                ));
            }
        };
        Ok(Expr { kind, pos })
    }
}

fn value_to_val(v: Value) -> Option<Val> {
    Some(match v {
        Value::Float(f) => Val::Float(f),
        Value::Int(i) => Val::Int(i),
        Value::String(s) => Val::Str(s.to_string()),
        Value::Bool(b) => Val::Bool(b),
        Value::Duration(d) => Val::Duration(d),
        Value::Regex(r) => Val::Regex(r.as_str().to_string()),
        _ => return None,
    })
}

fn val_var_type(v: &Val) -> Option<VarType> {
    Some(match v {
        Val::Int(_) => VarType::Int,
        Val::Float(_) => VarType::Float,
        Val::Bool(_) => VarType::Bool,
        Val::Str(_) => VarType::String,
        Val::Regex(_) => VarType::Regex,
        Val::Duration(_) => VarType::Duration,
        Val::Lambda(_) => VarType::Lambda,
        Val::List(_) => VarType::List,
        Val::Star => VarType::Star,
        _ => return None,
    })
}

fn var_value_type(v: &VarValue) -> VarType {
    match v {
        VarValue::Int(_) => VarType::Int,
        VarValue::Float(_) => VarType::Float,
        VarValue::Bool(_) => VarType::Bool,
        VarValue::String(_) => VarType::String,
        VarValue::Regex(_) => VarType::Regex,
        VarValue::Duration(_) => VarType::Duration,
        VarValue::Lambda(_) => VarType::Lambda,
        VarValue::List(_) => VarType::List,
        VarValue::Star => VarType::Star,
    }
}
