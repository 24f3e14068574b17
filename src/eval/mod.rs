//! Numeric evaluation in double precision: one evaluator, the compiled `Tape`, for `--at`,
//! `step`, `train`, `plot`, `--check` and the warning's second opinion. An expression
//! (and its gradient) is compiled once and run per point; the functions here compile and
//! run once, for a single point. Errors name the subexpression where a value leaves the
//! domain or overflows.

pub mod ball;
mod big;
mod diagnose;
pub mod exact;
mod run;
mod tape;
pub mod wide;

pub use run::Workspace;
pub use tape::{Options, Tape};

use crate::expr::{Builtin, ExprId, Name, Store};

/// Why an expression has no numeric value at a point.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// A variable has no value.
    Unbound(Name),
    /// A subexpression is undefined or not a finite real number there.
    Domain(ExprId),
    /// An unknown function (`f(x)`) has no numeric value.
    UnknownFunction(Name),
    /// A subexpression's value is beyond the range of a double (`exp(1000)`).
    Overflow(ExprId),
    /// A derivative met a kink or a jump, where it does not exist: the subexpression is
    /// `heaviside(u)` at u = 0 (the derivative of relu, max or min), or, from `kink_at`
    /// and `gradient_at`, the call of a function with a kink whose argument is at it
    /// (`relu(x)` at x = 0). The application words it (`app::ops::at`).
    Kink(ExprId),
    /// The derivative by a variable is not a finite number there, although the value is:
    /// the derivative of `at` (the subexpression named) is infinite or undefined
    /// (`sqrt(w)` at w = 0), or the adjoints overflowed on their way down.
    Gradient {
        /// The variable differentiated by.
        var: Name,
        /// The subexpression whose derivative is not finite, when known.
        at: Option<ExprId>,
    },
}

impl Tape {
    /// The roots' values at the point `env` gives, each its own result (one root outside
    /// the domain does not hide the others' values).
    pub fn values_at(&self, env: &dyn Fn(Name) -> Option<f64>) -> Vec<Result<f64, EvalError>> {
        let xs: Vec<Option<f64>> = self.inputs().map(env).collect();
        if let Some(inputs) = xs.iter().copied().collect::<Option<Vec<f64>>>() {
            let mut ws = self.workspace();
            let clean = self.forward(&mut ws, &inputs);
            let values: Vec<f64> = (0..self.roots.len()).map(|i| self.value(&ws, i)).collect();
            if clean && values.iter().all(|v| v.is_finite()) {
                return values.into_iter().map(Ok).collect();
            }
        }
        self.root_results(&self.checked(&xs).0)
    }

    /// The value of the gradient's root and its gradient at `inputs` (one per `inputs()`),
    /// into `grad`. An error if the value is not finite (naming the subexpression that
    /// overflowed or left its domain), at a kink with `Kinks::Error`, or if an entry of the
    /// gradient is not finite (naming the variable and the subexpression whose derivative
    /// is to blame).
    pub fn value_and_gradient(
        &self,
        ws: &mut Workspace,
        inputs: &[f64],
        kinks: Kinks,
        grad: &mut [f64],
    ) -> Result<f64, EvalError> {
        let g = self
            .grad
            .as_ref()
            .expect("a tape compiled with its gradient");
        let root = self.roots.iter().position(|&r| r == g.root).unwrap_or(0);
        let clean = self.forward(ws, inputs);
        let value = self.value(ws, root);
        if !clean || !value.is_finite() {
            let xs: Vec<Option<f64>> = inputs.iter().map(|&x| Some(x)).collect();
            self.root_results(&self.checked(&xs).0).swap_remove(root)?;
        }
        self.backward(ws, kinks).map_err(EvalError::Kink)?;
        for (i, out) in grad.iter_mut().enumerate() {
            *out = self.gradient(ws, i);
        }
        if let Some(i) = grad.iter().position(|x| !x.is_finite()) {
            let culprits = self.gradient_culprits(&ws.v);
            return Err(EvalError::Gradient {
                var: g.wrt_names[i],
                at: culprits[i],
            });
        }
        Ok(value)
    }
}

/// The values of several expressions in one run over their shared DAG; each is its own
/// result, so one entry outside the domain does not hide the others' values.
pub fn eval_many(
    store: &Store,
    roots: &[ExprId],
    env: &dyn Fn(Name) -> Option<f64>,
) -> Vec<Result<f64, EvalError>> {
    Tape::compile(store, roots, Options::default()).values_at(env)
}

/// The value of `e` where each variable has the value `env` gives it.
pub fn eval(store: &Store, e: ExprId, env: &dyn Fn(Name) -> Option<f64>) -> Result<f64, EvalError> {
    eval_perturbed(store, e, env, None)
}

/// A probe of rounding errors: each value computed from one of the `varying` variables is
/// moved by a few units in the last place (`ULPS`), all of them up (`mixed` false), or up
/// or down depending on the node (`mixed` true). All up compounds the moves, as errors
/// that add up do; mixed catches what moving alike cancels (`-tanh(u)` next to -1 under
/// `acos`).
#[derive(Clone, Copy)]
pub struct Perturbation<'a> {
    /// The variables whose values are moved.
    pub varying: &'a [Name],
    /// Moves up or down by node, rather than all up.
    pub mixed: bool,
    /// Every value, numbers and constants too, whatever it depends on: the rounding of a
    /// whole computation (a value at a point with the point put in).
    pub every: bool,
}

impl<'a> Perturbation<'a> {
    /// Both probes for `varying`.
    pub fn both(varying: &'a [Name]) -> [Perturbation<'a>; 2] {
        [false, true].map(|mixed| Perturbation {
            varying,
            mixed,
            every: false,
        })
    }

    /// Both probes of every value.
    pub fn everywhere() -> [Perturbation<'static>; 2] {
        [false, true].map(|mixed| Perturbation {
            varying: &[],
            mixed,
            every: true,
        })
    }
}

/// A relative error a little larger than a double's usual rounding of one operation.
const ULPS: f64 = 4.0 * f64::EPSILON;

/// The value of `e`, computed with the values moved as `perturb` says.
pub fn eval_perturbed(
    store: &Store,
    e: ExprId,
    env: &dyn Fn(Name) -> Option<f64>,
    perturb: Option<Perturbation>,
) -> Result<f64, EvalError> {
    let opts = Options {
        perturb,
        ..Options::default()
    };
    Tape::compile(store, &[e], opts)
        .values_at(env)
        .swap_remove(0)
}

/// `e` compiled for `eval_with_rounding` at many points: plain, and with each probe.
pub struct RoundingProbe {
    plain: Tape,
    probes: [Tape; 2],
}

impl RoundingProbe {
    /// Compiles `e`, with probes that move the values depending on `varying`.
    pub fn new(store: &Store, e: ExprId, varying: &[Name]) -> RoundingProbe {
        let compile = |perturb| {
            let opts = Options {
                perturb,
                unfused: true,
                ..Options::default()
            };
            Tape::compile(store, &[e], opts)
        };
        RoundingProbe {
            plain: compile(None),
            probes: Perturbation::both(varying).map(|p| compile(Some(p))),
        }
    }

    /// The value, and the size of its rounding error (see `eval_with_rounding`).
    pub fn at(&self, env: &dyn Fn(Name) -> Option<f64>) -> Result<(f64, f64), EvalError> {
        let t = &self.plain;
        let v = t.values_at(env).swap_remove(0)?;
        let inputs: Vec<f64> = t.inputs().map(|n| env(n).unwrap_or(f64::NAN)).collect();
        let mut ws = t.workspace();
        t.forward(&mut ws, &inputs);
        let largest = t
            .nodes
            .iter()
            .map(|&r| ws.v[r as usize])
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let moved = self
            .probes
            .iter()
            .map(|p| {
                p.values_at(env)
                    .swap_remove(0)
                    .map_or(f64::INFINITY, |p| (p - v).abs())
            })
            .fold(0.0, f64::max);
        Ok((v, moved.max(100.0 * f64::EPSILON * largest)))
    }
}

/// The value of `e`, and the size of its rounding error as a function of the `varying`
/// variables: how far the value moves when the values computed from them are moved by a
/// few units in the last place (`Perturbation`), which follows the amplification of
/// `asin` near 1 or of a difference of nearly equal numbers; and at least 100 EPSILON
/// times the largest value computed (`tan(exp(342))` is computed from 1e148). Infinite if
/// the perturbed computation leaves the domain: the value is on its edge.
///
/// Values that do not depend on `varying` are computed alike at every value of them, so
/// their rounding changes the function slightly, not its differences, nor how the
/// function and its derivative agree when both are computed from the same values.
pub fn eval_with_rounding(
    store: &Store,
    e: ExprId,
    env: &dyn Fn(Name) -> Option<f64>,
    varying: &[Name],
) -> Result<(f64, f64), EvalError> {
    RoundingProbe::new(store, e, varying).at(env)
}

/// log(1 + e^u) without overflow for large u or loss of digits for very negative u.
pub fn softplus(u: f64) -> f64 {
    u.max(0.0) + (-u.abs()).exp().ln_1p()
}

/// 1/(1 + e^(-u)): for very negative u, e^(-u) overflows to infinity and the value is
/// 0, as it should be (and accurate relative to its size before that).
pub fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

/// log(Σ e^aᵢ), shifted by the largest aᵢ so that no term overflows.
pub fn logsumexp(a: &[f64]) -> f64 {
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m.is_infinite() {
        return m;
    }
    m + a.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// ∂f/∂(argument i) at the arguments `x`, where f's value is `fx`; `None` at a kink.
pub(crate) fn local_derivative(f: Builtin, x: &[f64], fx: f64, i: usize) -> Option<f64> {
    let u = x[0];
    use Builtin::*;
    Some(match f {
        Sin => u.cos(),
        Cos => -u.sin(),
        Tan => 1.0 / (u.cos() * u.cos()),
        Sec => u.tan() / u.cos(),
        Csc => -1.0 / (u.sin() * u.tan()),
        Cot => -1.0 / (u.sin() * u.sin()),
        Asin => 1.0 / (1.0 - u * u).sqrt(),
        Acos => -1.0 / (1.0 - u * u).sqrt(),
        Atan => 1.0 / (1.0 + u * u),
        Sinh => u.cosh(),
        Cosh => u.sinh(),
        Tanh => 1.0 - u.tanh() * u.tanh(),
        Log => 1.0 / u,
        Sigmoid => fx * (1.0 - fx),
        Asinh => 1.0 / (u * u + 1.0).sqrt(),
        Acosh => 1.0 / (u * u - 1.0).sqrt(),
        Atanh => 1.0 / (1.0 - u * u),
        Erf => 2.0 / std::f64::consts::PI.sqrt() * (-u * u).exp(),
        Softplus => sigmoid(u),
        Abs | Relu | Heaviside | Sign if u == 0.0 => return None,
        Floor | Ceil if u.fract() == 0.0 => return None,
        Abs => u.signum(),
        Relu => f64::from(u > 0.0),
        Heaviside | Sign | Floor | Ceil => 0.0,
        Atan2 => {
            let (y, x) = (x[0], x[1]);
            let r2 = x * x + y * y;
            if i == 0 { x / r2 } else { -y / r2 }
        }
        LogBase => {
            let (u, b) = (x[0], x[1]);
            if i == 0 {
                1.0 / (u * b.ln())
            } else {
                -u.ln() / (b * b.ln() * b.ln())
            }
        }
        Max | Min => {
            let tied = x.iter().filter(|&&a| a == fx).count();
            match (x[i] == fx, tied) {
                (true, 1) => 1.0,
                (false, _) => 0.0,
                _ => return None,
            }
        }
        Logsumexp => (x[i] - fx).exp(),
    })
}

/// The derivative a framework takes at a kink (see `Builtin::kink_convention`).
pub(crate) fn subgradient(f: Builtin, x: &[f64], i: usize) -> f64 {
    match f {
        Builtin::Max | Builtin::Min => {
            let best = if f == Builtin::Max {
                x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            } else {
                x.iter().copied().fold(f64::INFINITY, f64::min)
            };
            if x[i] == best {
                1.0 / x.iter().filter(|&&a| a == best).count() as f64
            } else {
                0.0
            }
        }
        _ => 0.0,
    }
}

/// The first call, children before parents, of a function with a kink (relu, abs, max,
/// min, heaviside, sign, floor, ceil) whose arguments depend on `vars` and sit at the
/// kink at this point (relu(x) at x = 0, max(x, y) at x = y, floor(x) at an integer):
/// there a derivative of `f` by `vars` may not exist, whatever its formula gives (the
/// derivative of abs is sign, which is 0 at 0; floor's is 0). `None` where there is none.
pub fn kink_at(
    store: &Store,
    f: ExprId,
    vars: &[Name],
    env: &dyn Fn(Name) -> Option<f64>,
) -> Option<ExprId> {
    let opts = Options {
        gradient: Some((0, vars)),
        ..Options::default()
    };
    let t = Tape::compile(store, &[f], opts);
    let xs: Vec<Option<f64>> = t.inputs().map(env).collect();
    let (st, v) = t.checked(&xs);
    t.first_kink(&st, &v)
}

/// A small deterministic generator (xorshift*) for sample points; no external crate.
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed` (any value, 0 too).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// For the engine's unit tests: asserts that `a` and `b` have equal values (to 1e-9,
/// relative) at `tries` random points of x, y, z and t in [-2, 2), wherever both are
/// defined, and that at least `min` points were.
#[cfg(test)]
pub(crate) fn assert_same_values(
    s: &Store,
    (a, b): (ExprId, ExprId),
    text: &str,
    tries: usize,
    min: usize,
) {
    let mut rng = Rng::new(7);
    let mut checked = 0;
    for _ in 0..tries {
        let vals: Vec<f64> = (0..4).map(|_| rng.uniform(-2.0, 2.0)).collect();
        let env = |n: Name| {
            let i = ["x", "y", "z", "t"].iter().position(|v| *v == s.name(n))?;
            Some(vals[i])
        };
        if let (Ok(u), Ok(v)) = (eval(s, a, &env), eval(s, b, &env)) {
            assert!(
                (u - v).abs() <= 1e-9 * u.abs().max(1.0),
                "{text}: {u} vs {v}"
            );
            checked += 1;
        }
    }
    assert!(checked >= min, "{text}: only {checked} points");
}

/// Are `a` and `b` numerically equal at several random points? `None` when no point
/// could be evaluated (so the question cannot be settled numerically).
pub fn numerically_equal(store: &Store, a: ExprId, b: ExprId) -> Option<bool> {
    let names = store.free_symbols(&[a, b]);
    let mut rng = Rng::new(0x5EED);
    let mut checked = 0;
    for _ in 0..12 {
        let point: Vec<(Name, f64)> = names.iter().map(|&n| (n, rng.uniform(0.1, 1.9))).collect();
        let env = |n: Name| point.iter().find(|(m, _)| *m == n).map(|p| p.1);
        if let (Ok(x), Ok(y)) = (eval(store, a, &env), eval(store, b, &env)) {
            let scale = x.abs().max(y.abs()).max(1.0);
            if (x - y).abs() > 1e-9 * scale {
                return Some(false);
            }
            checked += 1;
            if checked >= 4 {
                break;
            }
        }
    }
    (checked > 0).then_some(true)
}

/// The value of `f` and its gradient by `vars` at a point, by reverse-mode automatic
/// differentiation on the compiled tape: one forward run for the values, one backward
/// sweep for the adjoints, no symbolic derivative built. An error at a kink.
pub fn gradient_at(
    store: &Store,
    f: ExprId,
    vars: &[Name],
    env: &dyn Fn(Name) -> Option<f64>,
) -> Result<(f64, Vec<f64>), EvalError> {
    gradient_at_with(store, f, vars, env, Kinks::Error)
}

/// What `gradient_at_with` does at a kink, where the derivative does not exist.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kinks {
    /// `EvalError::Kink` naming the call (what `--at` reports).
    Error,
    /// The subgradient a framework takes (`Builtin::kink_convention`): relu'(0) = 0,
    /// abs'(0) = 0, 0 for a step or floor at its jump, and a tie of max or min shared
    /// equally. What gradient descent wants (`step`, training): an input of exactly 0
    /// must not stop it.
    Subgradient,
}

/// `gradient_at`, with the choice of what to do at a kink.
pub fn gradient_at_with(
    store: &Store,
    f: ExprId,
    vars: &[Name],
    env: &dyn Fn(Name) -> Option<f64>,
    kinks: Kinks,
) -> Result<(f64, Vec<f64>), EvalError> {
    let opts = Options {
        gradient: Some((0, vars)),
        ..Options::default()
    };
    let t = Tape::compile(store, &[f], opts);
    let xs: Vec<Option<f64>> = t.inputs().map(env).collect();
    let Some(inputs) = xs.iter().copied().collect::<Option<Vec<f64>>>() else {
        // (Every variable of a single root is one its value needs.)
        let err = t.root_results(&t.checked(&xs).0).swap_remove(0);
        return Err(err.err().unwrap_or(EvalError::Domain(f)));
    };
    let mut ws = t.workspace();
    let mut grad = vec![0.0; vars.len()];
    let v = t.value_and_gradient(&mut ws, &inputs, kinks, &mut grad)?;
    Ok((v, grad))
}
