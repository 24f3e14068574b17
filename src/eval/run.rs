//! Running a tape: the values at a point, then (if compiled) the gradient's backward
//! sweep. No checks beyond one flag per instruction: IEEE arithmetic throughout, so an
//! overflow that the rest of the expression tames (1/(1 + exp(710)) = 0) gives the right
//! value; when the flag is raised or a result is not finite, `diagnose.rs` says why.

use super::tape::{BackKind, Op, Reg, Tape};
use super::{Kinks, local_derivative, sigmoid, softplus, subgradient};
use crate::expr::{Builtin, ExprId};

/// The registers of one run: values, and the gradient's adjoints.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub(super) v: Vec<f64>,
    pub(super) a: Vec<f64>,
}

/// Whether an instruction's operands were in its domain.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Check {
    Ok,
    /// Outside the domain (log(0), 0^-1, atanh(1), an unknown function, ...).
    Domain,
    /// heaviside at 0: no value (a kink of relu, max or min).
    Kink,
}

impl Tape {
    /// Registers for running this tape, the constants in place.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            v: self.init.clone(),
            a: vec![0.0; self.init.len()],
        }
    }

    /// Computes every value at `inputs` (one per variable of `inputs()`, in that order).
    /// True when every instruction stayed in its domain and none gave NaN; a root may
    /// still be infinite.
    pub fn forward(&self, ws: &mut Workspace, inputs: &[f64]) -> bool {
        let v = &mut ws.v;
        let mut clean = true;
        for (&(_, r, _), &x) in self.inputs.iter().zip(inputs) {
            v[r as usize] = x;
            clean &= !x.is_nan();
        }
        for inst in &self.insts {
            let (x, check) = self.compute(&inst.op, v);
            v[inst.dst as usize] = x;
            clean &= (check == Check::Ok) & !x.is_nan();
        }
        clean
    }

    /// Root `i`'s value after `forward`.
    pub fn value(&self, ws: &Workspace, i: usize) -> f64 {
        ws.v[self.roots[i] as usize]
    }

    /// The backward sweep after `forward`: the adjoint of every register the root depends
    /// on. At a kink, `Kinks::Subgradient` takes the frameworks' value; `Kinks::Error`
    /// returns the first kinked call (children before parents). Panics if the tape was
    /// compiled without a gradient.
    pub fn backward(&self, ws: &mut Workspace, kinks: Kinks) -> Result<(), ExprId> {
        let g = self
            .grad
            .as_ref()
            .expect("a tape compiled with its gradient");
        let (v, a) = (&ws.v, &mut ws.a);
        a.fill(0.0);
        a[g.root as usize] = 1.0;
        let mut kink: Option<u32> = None;
        for b in &g.back {
            let x = a[b.from as usize];
            // A zero adjoint contributes nothing, even through an infinite derivative
            // (the exp(710) under 1/(1 + exp(710))).
            if x == 0.0 {
                continue;
            }
            let d = match b.kind {
                BackKind::Dot => {
                    self.dot_adjoints(b.inst as usize, x, v, a);
                    continue;
                }
                BackKind::Pass => 1.0,
                BackKind::Times(r) => v[r as usize],
                BackKind::Local(k) => match self.local(b.inst as usize, k as usize, v) {
                    Some(d) => d,
                    None if kinks == Kinks::Subgradient => {
                        self.subgradient(b.inst as usize, k as usize, v)
                    }
                    None => {
                        kink = Some(kink.map_or(b.inst, |q| q.min(b.inst)));
                        0.0
                    }
                },
            };
            a[b.to as usize] += x * d;
        }
        match kink {
            Some(i) => Err(self.origin[i as usize]),
            None => Ok(()),
        }
    }

    /// A `Dot`'s adjoint `x` to its factors: each gets its partner's value times x.
    pub(super) fn dot_adjoints(&self, i: usize, x: f64, v: &[f64], a: &mut [f64]) {
        let Op::Dot(start, len) = self.insts[i].op else {
            return;
        };
        for p in self.args[start as usize..(start + 2 * len) as usize].chunks_exact(2) {
            let (l, r) = (p[0] as usize, p[1] as usize);
            a[l] += x * v[r];
            a[r] += x * v[l];
        }
    }

    /// Adds the gradient after `backward` to `sum`; false if an entry is not finite.
    pub fn add_gradient(&self, ws: &Workspace, sum: &mut [f64]) -> bool {
        let g = self
            .grad
            .as_ref()
            .expect("a tape compiled with its gradient");
        let mut finite = true;
        for (s, r) in sum.iter_mut().zip(&g.wrt) {
            if let Some(r) = r {
                let x = ws.a[*r as usize];
                finite &= x.is_finite();
                *s += x;
            }
        }
        finite
    }

    /// ∂root/∂(variable i of the gradient) after `backward`.
    pub fn gradient(&self, ws: &Workspace, i: usize) -> f64 {
        let g = self
            .grad
            .as_ref()
            .expect("a tape compiled with its gradient");
        g.wrt[i].map_or(0.0, |r| ws.a[r as usize])
    }

    /// The number of variables of the gradient.
    pub fn gradient_len(&self) -> usize {
        self.grad.as_ref().map_or(0, |g| g.wrt.len())
    }

    /// One instruction's value from the registers `v`, and whether it was in its domain.
    #[inline(always)]
    pub(super) fn compute(&self, op: &Op, v: &[f64]) -> (f64, Check) {
        let g = |r: Reg| v[r as usize];
        let domain = |ok: bool| if ok { Check::Ok } else { Check::Domain };
        match *op {
            Op::Add(a, b) => (g(a) + g(b), Check::Ok),
            Op::Mul(a, b) => (g(a) * g(b), Check::Ok),
            Op::Dot(start, len) => {
                let pairs = &self.args[start as usize..(start + 2 * len) as usize];
                let mut acc = g(pairs[0]) * g(pairs[1]);
                for p in pairs[2..].chunks_exact(2) {
                    acc += g(p[0]) * g(p[1]);
                }
                (acc, Check::Ok)
            }
            Op::Square(a) => (g(a) * g(a), Check::Ok),
            Op::Recip(a) => (1.0 / g(a), domain(g(a) != 0.0)),
            Op::Sqrt(a) => (g(a).sqrt(), Check::Ok),
            Op::PowK(b, k, odd) => (
                real_pow(g(b), g(k), odd),
                domain(g(b) != 0.0 || g(k) >= 0.0),
            ),
            Op::Pow(b, x) => (g(b).powf(g(x)), domain(g(b) != 0.0 || g(x) >= 0.0)),
            Op::Exp(x) => (g(x).exp(), Check::Ok),
            Op::Call(f, a) => unary(f, g(a)),
            Op::Call2(f, a, b) => binary(f, g(a), g(b)),
            Op::NAry(f, start, len) => {
                let args = self.args[start as usize..(start + len) as usize]
                    .iter()
                    .map(|&r| v[r as usize]);
                (nary(f, args), Check::Ok)
            }
            Op::LogSigmoid(u) => (-softplus(-g(u)), Check::Ok),
            Op::LogOneMinusSigmoid(u) => (-softplus(g(u)), Check::Ok),
            Op::Scale(a, f) => (g(a) * g(f), Check::Ok),
            Op::Unknown(_) | Op::Undefined => (f64::NAN, Check::Domain),
        }
    }

    /// The derivative of instruction `i`'s result by its operand `k`; `None` at a kink.
    pub(super) fn local(&self, i: usize, k: usize, v: &[f64]) -> Option<f64> {
        let inst = &self.insts[i];
        let g = |r: Reg| v[r as usize];
        let p = g(inst.dst);
        Some(match inst.op {
            Op::Add(..) => 1.0,
            Op::Mul(a, b) => g(if k == 0 { b } else { a }),
            Op::Dot(start, _) => g(self.args[start as usize + (k ^ 1)]),
            Op::Square(b) => 2.0 * g(b),
            Op::Recip(_) => -p * p,
            Op::Sqrt(_) => 0.5 / p,
            // k·b^(k−1), never k·b^k/b: b^k may underflow where b^(k−1) does not.
            Op::PowK(b, kr, odd) => g(kr) * real_pow(g(b), g(kr) - 1.0, odd.map(|o| !o)),
            Op::Pow(b, x) if k == 0 => g(x) * g(b).powf(g(x) - 1.0),
            Op::Pow(b, _) => p * g(b).ln(),
            Op::Exp(_) => p,
            Op::Call(f, a) => return local_derivative(f, &[g(a)], p, 0),
            Op::Call2(f, a, b) => return local_derivative(f, &[g(a), g(b)], p, k),
            Op::NAry(f, start, len) => {
                let args = &self.args[start as usize..(start + len) as usize];
                let xk = g(args[k]);
                if f == Builtin::Logsumexp {
                    return Some((xk - p).exp());
                }
                let tied = args.iter().filter(|&&r| g(r) == p).count();
                match (xk == p, tied) {
                    (true, 1) => 1.0,
                    (false, _) => 0.0,
                    _ => return None,
                }
            }
            Op::LogSigmoid(u) => sigmoid(-g(u)),
            Op::LogOneMinusSigmoid(u) => -sigmoid(g(u)),
            Op::Scale(_, f) => g(f),
            Op::Unknown(_) | Op::Undefined => f64::NAN,
        })
    }

    /// The derivative frameworks take at a kink of instruction `i` (see
    /// `Builtin::kink_convention`): 0, or a tie of max or min shared equally.
    pub(super) fn subgradient(&self, i: usize, k: usize, v: &[f64]) -> f64 {
        let inst = &self.insts[i];
        let g = |r: Reg| v[r as usize];
        match inst.op {
            Op::NAry(_, start, len) => {
                let args = &self.args[start as usize..(start + len) as usize];
                let p = g(inst.dst);
                if g(args[k]) == p {
                    1.0 / args.iter().filter(|&&r| g(r) == p).count() as f64
                } else {
                    0.0
                }
            }
            Op::Call(f, a) => subgradient(f, &[g(a)], k),
            _ => 0.0,
        }
    }
}

/// b^k for a constant k; with `odd_root` (k = p/q, q odd), a negative base has the real
/// root, of the sign (−1)^p: (−8)^(1/3) = −2.
fn real_pow(b: f64, k: f64, odd_root: Option<bool>) -> f64 {
    match odd_root {
        Some(odd_numer) if b < 0.0 => {
            let m = (-b).powf(k.abs());
            let m = if odd_numer { -m } else { m };
            if k < 0.0 { 1.0 / m } else { m }
        }
        _ => b.powf(k),
    }
}

/// A built-in function of one argument.
pub(super) fn unary(f: Builtin, u: f64) -> (f64, Check) {
    use Builtin::*;
    let ok = Check::Ok;
    let domain = |c: bool| if c { Check::Ok } else { Check::Domain };
    match f {
        Sin => (u.sin(), ok),
        Cos => (u.cos(), ok),
        Tan => (u.tan(), ok),
        Sec => (1.0 / u.cos(), ok),
        Csc => (1.0 / u.sin(), ok),
        Cot => (1.0 / u.tan(), ok),
        Asin => (u.asin(), ok),
        Acos => (u.acos(), ok),
        Atan => (u.atan(), ok),
        Sinh => (u.sinh(), ok),
        Cosh => (u.cosh(), ok),
        Tanh => (u.tanh(), ok),
        Log => (u.ln(), domain(u > 0.0)),
        Abs => (u.abs(), ok),
        Sigmoid => (sigmoid(u), ok),
        Asinh => (u.asinh(), ok),
        Acosh => (u.acosh(), domain(u >= 1.0)),
        // A pole at ±1: undefined, not an overflow.
        Atanh => (u.atanh(), domain(u.abs() < 1.0)),
        Erf => (libm::erf(u), ok),
        Softplus => (softplus(u), ok),
        Relu => (u.max(0.0), ok),
        Heaviside if u == 0.0 => (f64::NAN, Check::Kink),
        Heaviside => (f64::from(u > 0.0), ok),
        Sign => (f64::from(u > 0.0) - f64::from(u < 0.0), ok),
        Floor => (u.floor(), ok),
        Ceil => (u.ceil(), ok),
        Atan2 | LogBase | Max | Min | Logsumexp => (f64::NAN, Check::Domain),
    }
}

/// atan2(y, x) and log(u, b).
pub(super) fn binary(f: Builtin, u: f64, x: f64) -> (f64, Check) {
    let domain = |c: bool| if c { Check::Ok } else { Check::Domain };
    match f {
        Builtin::Atan2 => (u.atan2(x), domain(u != 0.0 || x != 0.0)),
        Builtin::LogBase => {
            let v = match x {
                2.0 => u.log2(),
                10.0 => u.log10(),
                _ => u.ln() / x.ln(),
            };
            (v, domain(u > 0.0 && x > 0.0 && x != 1.0))
        }
        _ => (f64::NAN, Check::Domain),
    }
}

/// max, min and logsumexp (shifted by the largest argument so that no term overflows).
pub(super) fn nary(f: Builtin, args: impl Iterator<Item = f64> + Clone) -> f64 {
    match f {
        Builtin::Max => args.fold(f64::NEG_INFINITY, f64::max),
        Builtin::Min => args.fold(f64::INFINITY, f64::min),
        _ => {
            let m = args.clone().fold(f64::NEG_INFINITY, f64::max);
            if m.is_infinite() {
                return m;
            }
            m + args.map(|x| (x - m).exp()).sum::<f64>().ln()
        }
    }
}
