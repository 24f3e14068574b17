//! Reverse mode: the gradient of one expression by many variables in one sweep. Adjoints
//! flow from the root down the shared DAG (parents before children), so the cost is a
//! small multiple of the expression's own, whatever the number of variables, and the
//! adjoints of shared subexpressions (the deltas of backpropagation) are shared too.

use super::partial::{outer_derivative, partial};
use crate::expr::names::free_prefix;
use crate::expr::{Constant, ExprId, Name, Node, Store};
use rustc_hash::{FxHashMap, FxHashSet};

/// ∂f/∂v for every v in `vars`, in order.
pub fn gradient(s: &mut Store, f: ExprId, vars: &[Name]) -> Vec<ExprId> {
    sweep(s, f, vars, None).0
}

/// The gradient with the backpropagation deltas named: the adjoint of each sum that feeds
/// several dependent terms (a layer's pre-activation) becomes a variable `{prefix}k`, so
/// the entries use it instead of repeating its factors (`prefix` gets a `_` appended
/// while a name the store has met is `{prefix}k`). Returns the entries and the deltas'
/// definitions, in the order they can be evaluated.
pub fn gradient_with_deltas(
    s: &mut Store,
    f: ExprId,
    vars: &[Name],
    prefix: impl AsRef<str>,
) -> (Vec<ExprId>, Vec<(Name, ExprId)>) {
    let taken: Vec<&str> = s.names().collect();
    let prefix = free_prefix(&[], prefix.as_ref(), &taken);
    sweep(s, f, vars, Some(&prefix))
}

fn sweep(
    s: &mut Store,
    f: ExprId,
    vars: &[Name],
    deltas: Option<&str>,
) -> (Vec<ExprId>, Vec<(Name, ExprId)>) {
    let mut named: Vec<(Name, ExprId)> = Vec::new();
    let mut named_nodes: Vec<ExprId> = Vec::new();
    let wanted: FxHashSet<Name> = vars.iter().copied().collect();
    let order = s.postorder(&[f]);
    let dep = dependents(s, &order, &wanted);
    let one = s.one();
    let mut contrib: FxHashMap<ExprId, Vec<ExprId>> = FxHashMap::default();
    contrib.insert(f, vec![one]);
    let mut adjoint: FxHashMap<Name, ExprId> = FxHashMap::default();
    for &n in order.iter().rev() {
        if !dep.contains(&n) {
            continue;
        }
        let Some(parts) = contrib.remove(&n) else {
            continue;
        };
        let mut adj = s.add(parts);
        if adj == s.zero() {
            continue;
        }
        if let (Some(prefix), Node::Add(ts)) = (deltas, s.node(n)) {
            let feeds = ts.iter().filter(|t| dep.contains(t)).count();
            let trivial = matches!(s.node(adj), Node::Num(_) | Node::Sym(_) | Node::Const(_));
            if feeds > 1 && !trivial {
                let name = s.intern_name(&format!("{prefix}{}", named.len() + 1));
                named.push((name, adj));
                named_nodes.push(n);
                adj = s.sym_name(name);
            }
        }
        let mut push = |s: &mut Store, child: ExprId, local: ExprId| {
            let t = s.mul2(local, adj);
            contrib.entry(child).or_default().push(t);
        };
        match s.node(n).clone() {
            Node::Sym(v) => {
                adjoint.insert(v, adj);
            }
            Node::Add(ts) => {
                for &t in ts.iter().filter(|t| dep.contains(t)) {
                    contrib.entry(t).or_default().push(adj);
                }
            }
            Node::Mul(fs) => {
                for (i, &g) in fs.iter().enumerate() {
                    if dep.contains(&g) {
                        // the product of the other factors
                        let others = s.mul_insert(n, Some(i), one);
                        push(s, g, others);
                    }
                }
            }
            Node::Pow(u, v) => {
                if dep.contains(&u) {
                    let m1 = s.minus_one();
                    let v1 = s.add2(v, m1);
                    let p = s.pow(u, v1);
                    let local = s.mul2(v, p);
                    push(s, u, local);
                }
                if dep.contains(&v) {
                    let local = if matches!(s.node(u), Node::Const(Constant::E)) {
                        n
                    } else {
                        let l = s.builtin(crate::expr::Builtin::Log, u);
                        s.mul2(n, l)
                    };
                    push(s, v, local);
                }
            }
            Node::Call(func, args) => {
                for (i, &a) in args.iter().enumerate() {
                    if dep.contains(&a) {
                        let local = outer_derivative(s, &func, &args, i);
                        push(s, a, local);
                    }
                }
            }
            _ => {}
        }
    }
    let mut entries: Vec<ExprId> = vars
        .iter()
        .map(|v| adjoint.get(v).copied().unwrap_or_else(|| s.zero()))
        .collect();
    if let Some(prefix) = deltas {
        named = renumber(s, prefix, named, &named_nodes, &order, &mut entries);
    }
    (entries, named)
}

/// The nodes of `order` (a postorder) that depend on a wanted variable.
fn dependents(s: &Store, order: &[ExprId], wanted: &FxHashSet<Name>) -> FxHashSet<ExprId> {
    let mut dep: FxHashSet<ExprId> = FxHashSet::default();
    for &n in order {
        let d = match s.node(n) {
            Node::Sym(v) => wanted.contains(v),
            _ => {
                let (slice, pair) = s.kids(n);
                slice
                    .iter()
                    .chain(pair.iter().flatten())
                    .any(|c| dep.contains(c))
            }
        };
        if d {
            dep.insert(n);
        }
    }
    dep
}

/// Numbers the deltas the way a person counts: each after the deltas it uses (the sweep
/// meets them root first), and otherwise in the expression's own order, so that `delta1`
/// belongs to sample 1 and hidden unit 1, not to the last one the sweep met first.
fn renumber(
    s: &mut Store,
    prefix: &str,
    named: Vec<(Name, ExprId)>,
    nodes: &[ExprId],
    order: &[ExprId],
    entries: &mut [ExprId],
) -> Vec<(Name, ExprId)> {
    let index: FxHashMap<Name, usize> = named
        .iter()
        .enumerate()
        .map(|(i, &(n, _))| (n, i))
        .collect();
    // A delta's level: one more than the highest level among the deltas it uses, which
    // were all named before it.
    let mut level = vec![0usize; named.len()];
    for (i, &(_, adj)) in named.iter().enumerate() {
        level[i] = s
            .free_symbols(&[adj])
            .iter()
            .filter_map(|n| index.get(n))
            .map(|&j| level[j] + 1)
            .max()
            .unwrap_or(0);
    }
    let delta_of: FxHashMap<ExprId, usize> =
        nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut position = vec![0usize; named.len()];
    for (p, e) in order.iter().enumerate() {
        if let Some(&i) = delta_of.get(e) {
            position[i] = p;
        }
    }
    let mut ranked: Vec<usize> = (0..named.len()).collect();
    ranked.sort_by_key(|&i| (level[i], position[i]));
    if ranked.iter().enumerate().all(|(r, &i)| r == i) {
        return named;
    }
    let mut map: FxHashMap<Name, ExprId> = FxHashMap::default();
    for (r, &i) in ranked.iter().enumerate() {
        let new = s.intern_name(&format!("{prefix}{}", r + 1));
        map.insert(named[i].0, s.sym_name(new));
    }
    for e in entries.iter_mut() {
        *e = s.substitute(*e, &map);
    }
    ranked
        .into_iter()
        .map(|i| {
            let Node::Sym(new) = *s.node(map[&named[i].0]) else {
                unreachable!("a delta is renamed to a variable")
            };
            (new, s.substitute(named[i].1, &map))
        })
        .collect()
}

/// The forward-mode answer, for comparison in tests: each ∂f/∂v on its own.
pub fn gradient_forward(s: &mut Store, f: ExprId, vars: &[Name]) -> Vec<ExprId> {
    vars.iter().map(|&v| partial(s, f, v)).collect()
}

/// Operations in the DAG under `roots`, each distinct node counted once: a sum or product
/// of k operands is k − 1 operations, a power or a function call one. This is the cost of
/// evaluating the `--cse` form.
pub fn op_count(s: &Store, roots: &[ExprId]) -> usize {
    s.postorder(roots)
        .into_iter()
        .map(|n| match s.node(n) {
            Node::Add(c) | Node::Mul(c) => c.len() - 1,
            Node::Pow(..) | Node::Call(..) => 1,
            _ => 0,
        })
        .sum()
}
