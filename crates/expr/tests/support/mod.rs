//! Test helpers: a small lambda-expression reader that builds `kapa_tick` ASTs, so tests can
//! be written as TICKscript text while the real parser is not available, and shortcuts to
//! compile and evaluate.
#![allow(dead_code)]

use kapa_expr::{ExprError, Lambda, MapScope, Value};
use kapa_tick::ast::{BinaryOp, Expr, ExprKind, Pos, UnaryOp};

pub fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        pos: Pos::default(),
    }
}

/// Reads a lambda body such as `"x" > 5 AND strContains("host", 'a')`.
pub fn parse(src: &str) -> Expr {
    let toks = lex(src);
    let mut p = P { toks, i: 0 };
    let ex = p.expr(0);
    assert!(p.i == p.toks.len(), "trailing input in {src:?}: {:?}", &p.toks[p.i..]);
    ex
}

pub fn compile(src: &str) -> Result<Lambda, ExprError> {
    Lambda::compile(&parse(src), &|_| None)
}

pub fn compile_vars(src: &str, vars: &[(&str, Value)]) -> Result<Lambda, ExprError> {
    let vars: Vec<(String, Value)> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    Lambda::compile(&parse(src), &move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

/// Compiles and evaluates once against a scope.
pub fn eval_in(src: &str, scope: &MapScope) -> Result<Value, ExprError> {
    let l = compile(src)?;
    let mut st = l.new_state();
    l.eval(scope, &mut st)
}

pub fn eval(src: &str) -> Result<Value, ExprError> {
    eval_in(src, &MapScope::new())
}

pub fn err(src: &str) -> String {
    match eval(src) {
        Ok(v) => panic!("expected an error from {src}, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

pub fn err_in(src: &str, scope: &MapScope) -> String {
    match eval_in(src, scope) {
        Ok(v) => panic!("expected an error from {src}, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Float(f64),
    Dur(i64, String),
    Str(String),
    Ref(String),
    Regex(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

const OPS: [&str; 17] = [
    "==", "!=", "=~", "!~", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "!", "AND", "OR", "",
];

fn lex(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out: Vec<Tok> = Vec::new();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        let regex_ok = matches!(out.last(), Some(Tok::Op("=~" | "!~" | "==" | "!=")) | Some(Tok::LParen) | Some(Tok::Comma) | None);
        if ch == '/' && regex_ok {
            let mut s = String::new();
            i += 1;
            while c[i] != '/' {
                if c[i] == '\\' && c[i + 1] == '/' {
                    s.push('/');
                    i += 2;
                    continue;
                }
                s.push(c[i]);
                i += 1;
            }
            i += 1;
            out.push(Tok::Regex(s));
            continue;
        }
        if ch == '"' || ch == '\'' {
            let mut s = String::new();
            i += 1;
            while c[i] != ch {
                if c[i] == '\\' && c[i + 1] == ch {
                    s.push(ch);
                    i += 2;
                    continue;
                }
                s.push(c[i]);
                i += 1;
            }
            i += 1;
            out.push(if ch == '"' { Tok::Ref(s) } else { Tok::Str(s) });
            continue;
        }
        if ch.is_ascii_digit() || (ch == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                i += 1;
            }
            let num: String = c[start..i].iter().collect();
            let ustart = i;
            while i < c.len() && (c[i].is_alphabetic() || c[i] == 'µ') {
                i += 1;
            }
            let unit: String = c[ustart..i].iter().collect();
            if !unit.is_empty() {
                let lit = format!("{num}{unit}");
                let ns = kapa_models::duration::parse_influxql(&lit).expect("duration literal");
                out.push(Tok::Dur(ns, lit));
            } else if num.contains('.') {
                out.push(Tok::Float(num.parse().unwrap()));
            } else {
                out.push(Tok::Int(num.parse().unwrap()));
            }
            continue;
        }
        if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            match word.as_str() {
                "AND" => out.push(Tok::Op("AND")),
                "OR" => out.push(Tok::Op("OR")),
                _ => out.push(Tok::Ident(word)),
            }
            continue;
        }
        match ch {
            '(' => out.push(Tok::LParen),
            ')' => out.push(Tok::RParen),
            ',' => out.push(Tok::Comma),
            _ => {
                let two: String = c[i..(i + 2).min(c.len())].iter().collect();
                let op = OPS
                    .iter()
                    .find(|o| o.len() == 2 && **o == two)
                    .or_else(|| OPS.iter().find(|o| o.len() == 1 && o.starts_with(ch)))
                    .unwrap_or_else(|| panic!("bad char {ch} in {src}"));
                i += op.len();
                out.push(Tok::Op(op));
                continue;
            }
        }
        i += 1;
    }
    out
}

struct P {
    toks: Vec<Tok>,
    i: usize,
}

fn binop(op: &str) -> Option<(BinaryOp, u8)> {
    Some(match op {
        "OR" => (BinaryOp::Or, 0),
        "AND" => (BinaryOp::And, 1),
        "==" => (BinaryOp::Eq, 2),
        "!=" => (BinaryOp::Ne, 2),
        "=~" => (BinaryOp::RegexEq, 2),
        "!~" => (BinaryOp::RegexNe, 2),
        "<" => (BinaryOp::Lt, 3),
        "<=" => (BinaryOp::Le, 3),
        ">" => (BinaryOp::Gt, 3),
        ">=" => (BinaryOp::Ge, 3),
        "+" => (BinaryOp::Add, 4),
        "-" => (BinaryOp::Sub, 4),
        "*" => (BinaryOp::Mul, 5),
        "/" => (BinaryOp::Div, 5),
        "%" => (BinaryOp::Mod, 5),
        _ => return None,
    })
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    fn next(&mut self) -> Tok {
        self.i += 1;
        self.toks[self.i - 1].clone()
    }

    fn expr(&mut self, min: u8) -> Expr {
        let mut lhs = self.unary();
        while let Some(Tok::Op(op)) = self.peek() {
            let Some((bop, prec)) = binop(op) else { break };
            if prec < min {
                break;
            }
            self.i += 1;
            let rhs = self.expr(prec + 1);
            lhs = e(ExprKind::Binary {
                op: bop,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                parens: false,
            });
        }
        lhs
    }

    fn unary(&mut self) -> Expr {
        match self.peek() {
            Some(Tok::Op("-")) => {
                self.i += 1;
                let operand = self.unary();
                e(ExprKind::Unary { op: UnaryOp::Neg, operand: Box::new(operand) })
            }
            Some(Tok::Op("!")) => {
                self.i += 1;
                let operand = self.unary();
                e(ExprKind::Unary { op: UnaryOp::Not, operand: Box::new(operand) })
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Expr {
        match self.next() {
            Tok::Int(i) => e(ExprKind::Int(i)),
            Tok::Float(f) => e(ExprKind::Float(f)),
            Tok::Dur(ns, literal) => e(ExprKind::Duration { ns, literal }),
            Tok::Str(s) => e(ExprKind::String { value: s, triple: false }),
            Tok::Ref(s) => e(ExprKind::Reference(s)),
            Tok::Regex(s) => e(ExprKind::Regex(s)),
            Tok::Ident(w) if w == "TRUE" => e(ExprKind::Bool(true)),
            Tok::Ident(w) if w == "FALSE" => e(ExprKind::Bool(false)),
            Tok::Ident(w) => {
                if self.peek() == Some(&Tok::LParen) {
                    self.i += 1;
                    let mut args = Vec::new();
                    if self.peek() != Some(&Tok::RParen) {
                        loop {
                            args.push(self.expr(0));
                            if self.peek() == Some(&Tok::Comma) {
                                self.i += 1;
                                continue;
                            }
                            break;
                        }
                    }
                    assert_eq!(self.next(), Tok::RParen);
                    e(ExprKind::Call { name: w, args })
                } else {
                    e(ExprKind::Ident(w))
                }
            }
            Tok::LParen => {
                let mut inner = self.expr(0);
                assert_eq!(self.next(), Tok::RParen);
                if let ExprKind::Binary { parens, .. } = &mut inner.kind {
                    *parens = true;
                }
                inner
            }
            t => panic!("unexpected token {t:?}"),
        }
    }
}
