//! Why a run of a tape went wrong: the run again, each register checked, as the rules of
//! `EvalError` say. Only after `forward` raised its flag or gave a non-finite result, so
//! the checks cost nothing in the common case.

use super::EvalError;
use super::run::Check;
use super::tape::{BackKind, Op, Tape};
use crate::expr::ExprId;

/// A register's value and the overflow it came from, or why it has none.
pub(super) type Checked = Result<(f64, Option<ExprId>), EvalError>;

impl Tape {
    /// Every register, checked: an operand that failed fails its user too (the first
    /// one, in order); a NaN is a domain error, or the overflow it came from (inf - inf);
    /// an infinite value remembers the subexpression that first overflowed on its way up.
    /// `inputs` are the variables' values (`None`: unbound).
    pub(super) fn checked(&self, inputs: &[Option<f64>]) -> (Vec<Checked>, Vec<f64>) {
        let mut v = self.init.clone();
        let mut st: Vec<Checked> = self.init.iter().map(|&x| Ok((x, None))).collect();
        for &(r, node) in &self.huge {
            st[r as usize] = Ok((v[r as usize], Some(node)));
        }
        for (&(name, r, node), x) in self.inputs.iter().zip(inputs) {
            st[r as usize] = match *x {
                None => Err(EvalError::Unbound(name)),
                Some(x) if x.is_nan() => Err(EvalError::Domain(node)),
                Some(x) => Ok((x, x.is_infinite().then_some(node))),
            };
            v[r as usize] = x.unwrap_or(f64::NAN);
        }
        for (i, inst) in self.insts.iter().enumerate() {
            let ops = self.operands(&inst.op);
            let dst = inst.dst as usize;
            if let Some(e) = ops.iter().find_map(|&r| st[r as usize].as_ref().err()) {
                st[dst] = Err(e.clone());
                v[dst] = f64::NAN;
                continue;
            }
            let (x, check) = self.compute(&inst.op, &v);
            v[dst] = x;
            let n = self.origin[i];
            let inherited = ops
                .iter()
                .find_map(|&r| st[r as usize].as_ref().ok().and_then(|p| p.1));
            st[dst] = match (check, inst.op) {
                (_, Op::Unknown(name)) => Err(EvalError::UnknownFunction(name)),
                (Check::Kink, _) => Err(EvalError::Kink(n)),
                (Check::Domain, _) => Err(EvalError::Domain(n)),
                (Check::Ok, _) if x.is_nan() => {
                    Err(inherited.map_or(EvalError::Domain(n), EvalError::Overflow))
                }
                (Check::Ok, _) => Ok((x, x.is_infinite().then(|| inherited.unwrap_or(n)))),
            };
        }
        (st, v)
    }

    /// Each root's value from a checked run: an infinite one is an overflow.
    pub(super) fn root_results(&self, st: &[Checked]) -> Vec<Result<f64, EvalError>> {
        self.roots
            .iter()
            .zip(&self.root_nodes)
            .map(|(&r, &node)| match &st[r as usize] {
                Err(e) => Err(e.clone()),
                Ok((x, c)) if x.is_infinite() => Err(EvalError::Overflow(c.unwrap_or(node))),
                Ok((x, _)) => Ok(*x),
            })
            .collect()
    }

    /// For each variable of the gradient whose entry is not finite, after `backward`: the
    /// subexpression whose derivative first made an adjoint infinite or NaN on the way
    /// down (an infinite derivative, or a product that overflowed).
    pub(super) fn gradient_culprits(&self, v: &[f64]) -> Vec<Option<ExprId>> {
        let g = self
            .grad
            .as_ref()
            .expect("a tape compiled with its gradient");
        let mut a = vec![0.0; v.len()];
        let mut culprit: Vec<Option<ExprId>> = vec![None; v.len()];
        a[g.root as usize] = 1.0;
        for b in &g.back {
            let x = a[b.from as usize];
            if x == 0.0 {
                continue;
            }
            let d = match b.kind {
                BackKind::Dot => {
                    let before: Vec<f64> = a.clone();
                    self.dot_adjoints(b.inst as usize, x, v, &mut a);
                    for (r, (&now, &was)) in a.iter().zip(&before).enumerate() {
                        if !now.is_finite() && was.is_finite() && culprit[r].is_none() {
                            culprit[r] = if x.is_finite() {
                                Some(self.origin[b.inst as usize])
                            } else {
                                culprit[b.from as usize]
                            };
                        }
                    }
                    continue;
                }
                BackKind::Pass => 1.0,
                BackKind::Times(r) => v[r as usize],
                BackKind::Local(k) => self
                    .local(b.inst as usize, k as usize, v)
                    .unwrap_or_else(|| self.subgradient(b.inst as usize, k as usize, v)),
            };
            let to = b.to as usize;
            a[to] += x * d;
            if !a[to].is_finite() && culprit[to].is_none() {
                culprit[to] = if x.is_finite() {
                    Some(self.origin[b.inst as usize])
                } else {
                    culprit[b.from as usize]
                };
            }
        }
        g.wrt
            .iter()
            .map(|r| r.and_then(|r| culprit[r as usize]))
            .collect()
    }

    /// The first call (children before parents) of a function with a kink, depending on
    /// the gradient's variables, whose arguments sit at the kink in the checked run `st`.
    pub(super) fn first_kink(&self, st: &[Checked], v: &[f64]) -> Option<ExprId> {
        let g = self.grad.as_ref()?;
        for (i, inst) in self.insts.iter().enumerate() {
            let kinked = match inst.op {
                Op::Call(f, _) | Op::NAry(f, _, _) => f.has_kink(),
                _ => false,
            };
            if !kinked || !g.dep[inst.dst as usize] {
                continue;
            }
            let ops = self.operands(&inst.op);
            if ops.iter().any(|&r| st[r as usize].is_err()) {
                continue;
            }
            if (0..ops.len()).any(|k| self.local(i, k, v).is_none()) {
                return Some(self.origin[i]);
            }
        }
        None
    }
}
