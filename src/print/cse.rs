//! `--cse`: name each subexpression that would be printed more than once, so the printed
//! size grows with the DAG, not with the tree it unfolds to.
//!
//! Counting follows the printer's own decomposition: a product inside a sum and a power
//! with a negative exponent inside a product are written through their parts, never as a
//! unit, so their parts are what get counted (and named).

use crate::expr::{ExprId, Node, Rat, Store};
use rustc_hash::FxHashMap;

/// The subexpressions to name, in an order in which each can be evaluated (every name is
/// defined before it is used), with their names.
pub struct Plan {
    pub bindings: Vec<(String, ExprId)>,
    pub names: FxHashMap<ExprId, String>,
}

/// The children of `e` as the printer writes them.
fn printed_children(s: &Store, e: ExprId, out: &mut Vec<ExprId>) {
    match s.node(e) {
        Node::Add(ts) => {
            for &t in ts.iter() {
                match s.node(t) {
                    Node::Mul(_) => product_children(s, t, out),
                    _ => out.push(t),
                }
            }
        }
        Node::Mul(_) => product_children(s, e, out),
        Node::Pow(b, x) => match s.node(*x) {
            Node::Num(r) if r.is_negative() => out.push(*b),
            Node::Num(_) => out.push(*b),
            _ if matches!(s.node(*b), Node::Const(_)) => out.push(*x),
            _ => {
                out.push(*b);
                out.push(*x)
            }
        },
        Node::Call(_, args) => out.extend_from_slice(args),
        _ => {}
    }
}

fn product_children(s: &Store, e: ExprId, out: &mut Vec<ExprId>) {
    for &f in s.term_factors(&e) {
        match s.node(f) {
            Node::Pow(b, x) if matches!(s.node(*x), Node::Num(r) if r.is_negative() && *r != Rat::int(-1)) => {
                out.push(*b)
            }
            Node::Pow(b, x) if matches!(s.node(*x), Node::Num(r) if *r == Rat::int(-1)) => {
                out.push(*b)
            }
            _ => out.push(f),
        }
    }
}

/// Plans the names for printing `roots`; `taken` are names already in use (variables).
pub fn plan(s: &Store, roots: &[ExprId], taken: &[&str]) -> Plan {
    // Printed references to each node, and a postorder of the printed graph.
    let mut refs: FxHashMap<ExprId, u32> = FxHashMap::default();
    let mut order = Vec::new();
    let mut stack: Vec<(ExprId, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    let mut kids = Vec::new();
    for &r in roots {
        *refs.entry(r).or_default() += 1;
    }
    let mut seen: FxHashMap<ExprId, ()> = FxHashMap::default();
    while let Some((e, done)) = stack.pop() {
        if done {
            order.push(e);
            continue;
        }
        if seen.insert(e, ()).is_some() {
            continue;
        }
        stack.push((e, true));
        kids.clear();
        printed_children(s, e, &mut kids);
        for &k in kids.iter().rev() {
            *refs.entry(k).or_default() += 1;
            if !seen.contains_key(&k) {
                stack.push((k, false));
            }
        }
    }
    let prefix = ["c", "cse", "_c"]
        .into_iter()
        .find(|p| {
            !taken.iter().any(|t| {
                t.strip_prefix(p).is_some_and(|rest| {
                    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
                })
            })
        })
        .unwrap_or("_cse");
    let mut bindings = Vec::new();
    let mut names = FxHashMap::default();
    for e in order {
        let leaf = matches!(s.node(e), Node::Num(_) | Node::Sym(_) | Node::Const(_));
        if leaf || refs.get(&e).copied().unwrap_or(0) < 2 {
            continue;
        }
        let name = format!("{prefix}{}", bindings.len() + 1);
        names.insert(e, name.clone());
        bindings.push((name, e));
    }
    Plan { bindings, names }
}
