//! Total derivatives: df/dx = ∂f/∂x + Σ ∂f/∂v · dv/dx over the constrained variables v,
//! and the comparison with substituting after a partial derivative (the warning).

use super::partial::partial;
use crate::expr::{ExprId, Name, Store};
use rustc_hash::FxHashMap;

/// One `--given NAME=EXPR`; `index` is its position among the `--given` options.
#[derive(Clone, Debug)]
pub struct Constraint {
    /// The variable it gives: v in `v = rhs`.
    pub name: Name,
    /// What v equals; it may use other constrained variables (`Constraints::new` resolves
    /// them).
    pub rhs: ExprId,
    /// Its position among the `--given` options, for messages.
    pub index: usize,
}

/// Why a set of constraints is refused. Each index is a `Constraint::index`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstraintError {
    /// The constraints at these indices refer to each other in a circle.
    Cycle(Vec<usize>),
    /// Two constraints give the same variable.
    Duplicate {
        /// The earlier constraint.
        first: usize,
        /// The later one.
        second: usize,
    },
    /// A constraint gives the variable the derivative is taken by.
    OnVariable(usize),
}

/// A validated set of constraints, each right-hand side resolved to independent symbols.
#[derive(Default)]
pub struct Constraints {
    /// The constraints as given to `new`, in that order (right-hand sides not resolved).
    pub items: Vec<Constraint>,
    resolved: FxHashMap<Name, ExprId>,
    /// Implicit relations F = 0 (`--given 'x^2 + y^2 = 1'` gives F = x^2 + y^2 - 1), with
    /// the index of their `--given`.
    pub implicit: Vec<(usize, ExprId)>,
}

/// A term that substituting after ∂/∂x leaves out: ∂f/∂v · dv/dx.
#[derive(Clone, Debug)]
pub struct Dropped {
    /// v, the constrained variable.
    pub name: Name,
    /// Which `--given` made v depend on x.
    pub index: usize,
    /// ∂f/∂v, constraints substituted.
    pub df_dv: ExprId,
    /// dv/dx
    pub dv_dx: ExprId,
    /// their product
    pub term: ExprId,
}

/// A partial derivative taken before substituting the constraints, beside the total
/// derivative it differs from (the ∂/d warning is built from `dropped`).
pub struct PartialOutcome {
    /// ∂ⁿf, then the constraints substituted (what `partial --given` prints).
    pub result: ExprId,
    /// The derivative of f with the constraints substituted first (what `total` prints).
    pub total: ExprId,
    /// For a first derivative, the terms the result leaves out, one per constraint.
    pub dropped: Vec<Dropped>,
}

impl Constraints {
    /// Checks `items` (each variable given once, no circle of constraints) and resolves
    /// each right-hand side to independent symbols, so substituting takes one pass. Does not
    /// check the variable of differentiation (`check_var`), and has no implicit relations:
    /// the caller sets `implicit`.
    pub fn new(store: &mut Store, items: Vec<Constraint>) -> Result<Constraints, ConstraintError> {
        let mut by_name: FxHashMap<Name, usize> = FxHashMap::default();
        for (k, c) in items.iter().enumerate() {
            if let Some(&j) = by_name.get(&c.name) {
                return Err(ConstraintError::Duplicate {
                    first: items[j].index,
                    second: c.index,
                });
            }
            by_name.insert(c.name, k);
        }
        // Depth-first search for a cycle, then resolve in dependency order.
        let deps: Vec<Vec<usize>> = items
            .iter()
            .map(|c| {
                store
                    .free_symbols(&[c.rhs])
                    .iter()
                    .filter_map(|n| by_name.get(n).copied())
                    .collect()
            })
            .collect();
        let mut state = vec![0u8; items.len()]; // 0 new, 1 on the path, 2 done
        let mut order = Vec::new();
        for start in 0..items.len() {
            let mut path: Vec<(usize, usize)> = vec![(start, 0)];
            if state[start] != 0 {
                continue;
            }
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                if *next < deps[node].len() {
                    let m = deps[node][*next];
                    *next += 1;
                    match state[m] {
                        0 => {
                            state[m] = 1;
                            path.push((m, 0));
                        }
                        1 => {
                            let from = path.iter().position(|&(n, _)| n == m).unwrap_or(0);
                            let cyc = path[from..].iter().map(|&(n, _)| items[n].index).collect();
                            return Err(ConstraintError::Cycle(cyc));
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    order.push(node);
                    path.pop();
                }
            }
        }
        let mut resolved = FxHashMap::default();
        for k in order {
            let r = store.substitute(items[k].rhs, &resolved);
            resolved.insert(items[k].name, r);
        }
        Ok(Constraints {
            items,
            resolved,
            implicit: Vec::new(),
        })
    }

    /// No explicit constraint (`NAME=EXPR`); implicit relations are not counted.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// A constraint may not give the variable the derivative is taken by.
    pub fn check_var(&self, var: Name) -> Result<(), ConstraintError> {
        match self.items.iter().find(|c| c.name == var) {
            Some(c) => Err(ConstraintError::OnVariable(c.index)),
            None => Ok(()),
        }
    }

    /// The right-hand side of v's constraint in terms of independent symbols.
    pub fn resolved(&self, v: Name) -> Option<ExprId> {
        self.resolved.get(&v).copied()
    }

    /// `e` with each constrained variable replaced by its resolved right-hand side.
    pub fn substitute(&self, store: &mut Store, e: ExprId) -> ExprId {
        store.substitute(e, &self.resolved)
    }

    /// d/dx (…) following the constraints: substitute, then differentiate.
    pub fn total(&self, store: &mut Store, f: ExprId, vars: &[Name]) -> ExprId {
        let mut r = self.substitute(store, f);
        for &v in vars {
            r = partial(store, r, v);
        }
        r
    }

    /// ∂ⁿf with the constraints substituted afterwards, compared with the total derivative.
    pub fn partial_then_substitute(
        &self,
        store: &mut Store,
        f: ExprId,
        vars: &[Name],
    ) -> PartialOutcome {
        let mut raw = f;
        for &v in vars {
            raw = partial(store, raw, v);
        }
        let sub = self.substitute(store, raw);
        let result = store.tidy(sub);
        let t = self.total(store, f, vars);
        let total = store.tidy(t);
        let mut dropped = Vec::new();
        if let [x] = vars {
            for c in &self.items {
                if !store.free_symbols(&[f]).contains(&c.name) {
                    continue;
                }
                let rhs = self.resolved[&c.name];
                let dv_dx = partial(store, rhs, *x);
                if dv_dx == store.zero() {
                    continue;
                }
                let dfv = partial(store, f, c.name);
                let df_dv = self.substitute(store, dfv);
                if df_dv == store.zero() {
                    continue;
                }
                let p = store.mul2(df_dv, dv_dx);
                let term = store.tidy(p);
                dropped.push(Dropped {
                    name: c.name,
                    index: c.index,
                    df_dv,
                    dv_dx,
                    term,
                });
            }
        }
        PartialOutcome {
            result,
            total,
            dropped,
        }
    }
}
