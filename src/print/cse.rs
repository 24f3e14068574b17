//! `--cse`: name each subexpression that would be printed more than once, so the printed
//! size grows with the DAG, not with the tree it unfolds to.
//!
//! Counting follows the printer's own decomposition: a product inside a sum and a power
//! with a negative exponent inside a product are written through their parts, never as a
//! unit, so their parts are what get counted (and named).

use crate::expr::{ExprId, Name, Node, Store};
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
            // x^-k is written under the fraction bar through its base
            Node::Pow(b, x) if matches!(s.node(*x), Node::Num(r) if r.is_negative()) => {
                out.push(*b)
            }
            _ => out.push(f),
        }
    }
}

pub use crate::expr::names::free_prefix;

/// Plans the names for printing `roots`; `taken` are names to avoid besides those the
/// store has met (every name of the input is in the store, so none is reused).
pub fn plan(s: &Store, roots: &[ExprId], taken: &[&str]) -> Plan {
    plan_with(s, roots, taken, &[])
}

/// `plan`, with variables already bound to expressions (`pre`: the deltas of a gradient)
/// printed as bindings too, all in an order where each name is defined before it is used.
pub fn plan_with(s: &Store, roots: &[ExprId], taken: &[&str], pre: &[(Name, ExprId)]) -> Plan {
    let mut all: Vec<ExprId> = pre.iter().map(|&(_, e)| e).collect();
    all.extend_from_slice(roots);
    let mut p = plan_nodes(s, &all, taken);
    if pre.is_empty() {
        return p;
    }
    // Order the node bindings and the given ones together (Kahn's algorithm, stable).
    let pre_names: FxHashMap<Name, usize> =
        pre.iter().enumerate().map(|(i, &(n, _))| (n, i)).collect();
    let mut items: Vec<(String, ExprId)> = pre
        .iter()
        .map(|&(n, e)| (s.name(n).to_string(), e))
        .collect();
    items.extend(p.bindings.iter().cloned());
    let index_of_node: FxHashMap<ExprId, usize> = p
        .bindings
        .iter()
        .enumerate()
        .map(|(i, (_, e))| (*e, pre.len() + i))
        .collect();
    let deps: Vec<Vec<usize>> = items
        .iter()
        .map(|&(_, e)| {
            let mut d = Vec::new();
            let mut stack: Vec<ExprId> = Vec::new();
            let mut kids = Vec::new();
            printed_children(s, e, &mut kids);
            stack.extend(kids.iter().copied());
            let mut seen = rustc_hash::FxHashSet::default();
            while let Some(k) = stack.pop() {
                if !seen.insert(k) {
                    continue;
                }
                if let Some(&i) = index_of_node.get(&k) {
                    d.push(i);
                    continue;
                }
                if let Node::Sym(n) = s.node(k)
                    && let Some(&i) = pre_names.get(n)
                {
                    d.push(i);
                    continue;
                }
                kids.clear();
                printed_children(s, k, &mut kids);
                stack.extend(kids.iter().copied());
            }
            d
        })
        .collect();
    let mut done = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let before = order.len();
        for i in 0..items.len() {
            if !done[i] && deps[i].iter().all(|&j| done[j] || j == i) {
                done[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            // Not expected (the deltas are built before what uses them); keep the rest.
            order.extend((0..items.len()).filter(|&i| !done[i]));
            break;
        }
    }
    p.bindings = order.into_iter().map(|i| items[i].clone()).collect();
    p
}

fn plan_nodes(s: &Store, roots: &[ExprId], taken: &[&str]) -> Plan {
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
    let mut avoid: Vec<&str> = s.names().collect();
    avoid.extend_from_slice(taken);
    let prefix = free_prefix(&["c", "cse", "_c"], "_cse", &avoid);
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
