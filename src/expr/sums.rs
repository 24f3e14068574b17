//! Expanding `sum(i = lo..hi, body)`: in closed form when the body does not use its
//! index, term by term otherwise, with the cost checked before any term is built.

use super::{ExprId, Func, Node, Rat, Seen, Store};
use rustc_hash::{FxHashMap, FxHashSet};

/// One `sum(...)` whose body uses its index expands to at most this many terms.
pub const MAX_SUM_TERMS: i64 = 1_000_000;

/// Why a sum cannot be expanded. The engine says what and where; the diagnostic layer
/// words it (`diagnostic::sum_message` shows the offending bound as written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SumError {
    /// A bound is not a known integer (a variable, a fraction): the sum's index and the
    /// bound as it stands.
    NotInteger {
        /// The sum's index, as written.
        index: String,
        /// The bound.
        bound: ExprId,
    },
    /// The body uses its index and there are more than `MAX_SUM_TERMS` terms.
    TooManyTerms {
        /// The sum's index, as written.
        index: String,
        /// The lower bound.
        lo: Rat,
        /// The upper bound.
        hi: Rat,
    },
    /// Expanding would build about `terms` × `per_term` subexpressions, more than the
    /// `limit` left of the node budget (`--max-nodes`).
    OverBudget {
        /// The sum's index, as written.
        index: String,
        /// The lower bound.
        lo: Rat,
        /// The upper bound.
        hi: Rat,
        /// New subexpressions per term.
        per_term: usize,
        /// What is left of the node budget.
        limit: usize,
    },
}

impl std::fmt::Display for SumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SumError::NotInteger { index, .. } => write!(
                f,
                "the bounds of sum({index} = ...) must be known integers \
                 (give a variable bound with --let, e.g. --let 'I = 4')"
            ),
            SumError::TooManyTerms { index, lo, hi } => write!(
                f,
                "sum({index} = {lo}..{hi}, ...) has more than {MAX_SUM_TERMS} terms \
                 (the limit for a sum whose terms depend on {index})"
            ),
            SumError::OverBudget {
                index,
                lo,
                hi,
                per_term,
                limit,
            } => write!(
                f,
                "the computation is too large: sum({index} = {lo}..{hi}, ...) would expand to \
                 {} terms of up to {per_term} new subexpressions each, more than the {limit} \
                 left of the limit set by --max-nodes",
                hi.sub(lo).add(&Rat::ONE)
            ),
        }
    }
}

impl std::error::Error for SumError {}

impl Store {
    /// Expands every `sum(i = lo..hi, body)` whose bounds are integers (all of them must
    /// be by now). A body that does not use `i` is multiplied by the number of terms, for
    /// any bounds (`sum(i = 1..10^100, 1)`); otherwise the sum is expanded term by term,
    /// refused before it starts when it would pass `MAX_SUM_TERMS` or the node budget.
    /// A bound may use an enclosing sum's index (`sum(i = 1..3, sum(j = 1..i, ...))`):
    /// that sum waits for the enclosing one to put in its values, one pass per level.
    pub fn expand_sums(&mut self, e: ExprId) -> Result<ExprId, SumError> {
        let has_sum = self.has(Seen::SumCall)
            && self
                .postorder(&[e])
                .iter()
                .any(|&n| matches!(self.node(n), Node::Call(Func::Sum(_), _)));
        if !has_sum {
            return Ok(e);
        }
        let mut e = e;
        loop {
            // The first sum left as it is (with why), and whether any other was expanded.
            let mut kept: Option<SumError> = None;
            let mut expanded = false;
            let r = self.rewrite(&[e], |s, n, kids| {
                let Node::Call(Func::Sum(_), _) = s.node(n) else {
                    return Ok(None);
                };
                match s.expand_sum(n, kids)? {
                    Ok(r) => {
                        expanded = true;
                        Ok(Some(r))
                    }
                    Err(why) => {
                        kept.get_or_insert(why);
                        Ok(None)
                    }
                }
            })?;
            e = r[0];
            match (kept, expanded) {
                (None, _) => return Ok(e),
                (Some(why), false) => return Err(why),
                (Some(_), true) => {}
            }
        }
    }

    /// One sum node `n` with its rewritten children (lo, hi, body): `Ok(Ok(sum))`,
    /// `Ok(Err(why))` when a bound is not an integer yet (an enclosing sum may still give
    /// it a value), `Err` when the sum cannot be expanded at all.
    fn expand_sum(
        &mut self,
        n: ExprId,
        kids: &[ExprId],
    ) -> Result<Result<ExprId, SumError>, SumError> {
        let Node::Call(Func::Sum(var), _) = *self.node(n) else {
            unreachable!("expand_sum is called on sums")
        };
        let (lo, hi, body) = (kids[0], kids[1], kids[2]);
        let integer = |s: &Store, b: ExprId| s.as_num(b).filter(|r| r.is_integer()).cloned();
        let (Some(a), Some(b)) = (integer(self, lo), integer(self, hi)) else {
            let bound = if integer(self, lo).is_none() { lo } else { hi };
            return Ok(Err(SumError::NotInteger {
                index: self.name(var).to_string(),
                bound,
            }));
        };
        let per_term = self.dependent_nodes(body, var);
        if per_term == 0 {
            let count = b.sub(&a).add(&Rat::ONE);
            if !count.is_positive() {
                return Ok(Ok(self.zero()));
            }
            let c = self.num(count);
            return Ok(Ok(self.mul(vec![c, body])));
        }
        let index = || self.name(var).to_string();
        let (Some(a), Some(b)) = (a.to_i64(), b.to_i64()) else {
            return Err(SumError::TooManyTerms {
                index: index(),
                lo: a,
                hi: b,
            });
        };
        let terms = i128::from(b) - i128::from(a) + 1;
        if terms > i128::from(MAX_SUM_TERMS) {
            return Err(SumError::TooManyTerms {
                index: index(),
                lo: Rat::int(a),
                hi: Rat::int(b),
            });
        }
        let left = self.max_nodes.saturating_sub(self.len());
        if terms.max(0) * per_term as i128 > left as i128 {
            return Err(SumError::OverBudget {
                index: index(),
                lo: Rat::int(a),
                hi: Rat::int(b),
                per_term,
                limit: left,
            });
        }
        let mut terms = Vec::with_capacity(terms.max(0) as usize);
        for k in a..=b {
            let kk = self.int(k);
            let map = FxHashMap::from_iter([(var, kk)]);
            terms.push(self.substitute(body, &map));
            if self.fault.is_some() {
                break;
            }
        }
        Ok(Ok(self.add(terms)))
    }

    /// How many distinct subexpressions of `body` contain the variable `var`: the most
    /// that putting a value for it in can build.
    fn dependent_nodes(&self, body: ExprId, var: super::Name) -> usize {
        let mut dependent: FxHashSet<ExprId> = FxHashSet::default();
        for n in self.postorder(&[body]) {
            let uses = match self.node(n) {
                Node::Sym(v) => *v == var,
                _ => {
                    let (slice, pair) = self.kids(n);
                    slice
                        .iter()
                        .chain(pair.iter().flatten())
                        .any(|k| dependent.contains(k))
                }
            };
            if uses {
                dependent.insert(n);
            }
        }
        dependent.len()
    }
}
