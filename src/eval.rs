//! Numeric evaluation in double precision, for `--at`, for checking results and for the
//! warning's second opinion. Walks the DAG bottom-up (no recursion) and names the
//! subexpression where a value leaves the domain.

use crate::expr::{Builtin, Constant, ExprId, Func, Name, Node, Store};
use rustc_hash::{FxHashMap, FxHashSet};

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
    /// (`relu(x)` at x = 0). `describe_kink` words it.
    Kink(ExprId),
}

/// The values of several expressions in one walk over their shared DAG; each is its own
/// result, so one entry outside the domain does not hide the others' values.
pub fn eval_many(
    store: &Store,
    roots: &[ExprId],
    env: &dyn Fn(Name) -> Option<f64>,
) -> Vec<Result<f64, EvalError>> {
    let mut val: FxHashMap<ExprId, f64> = FxHashMap::default();
    let mut failed: FxHashMap<ExprId, EvalError> = FxHashMap::default();
    let mut over: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    for n in store.postorder(roots) {
        let (slice, pair) = store.kids(n);
        let mut kids = slice.iter().chain(pair.iter().flatten());
        if let Some(e) = kids.find_map(|c| failed.get(c)) {
            failed.insert(n, e.clone());
            continue;
        }
        match node_value(store, n, &val, env).and_then(|v| overflow_check(store, n, v, &over)) {
            Ok((v, culprit)) => {
                val.insert(n, v);
                if let Some(c) = culprit {
                    over.insert(n, c);
                }
            }
            Err(e) => {
                failed.insert(n, e);
            }
        }
    }
    roots
        .iter()
        .map(|r| match failed.get(r) {
            Some(e) => Err(e.clone()),
            None => finite(*r, val[r], &over),
        })
        .collect()
}

/// IEEE semantics inside an expression: an infinite value is kept (1/(1 + exp(710)) is
/// 0), with the subexpression that first overflowed on its way up (`culprit`), so that a
/// non-finite result names it. A NaN is a domain error, or the overflow it came from
/// (inf - inf).
fn overflow_check(
    store: &Store,
    n: ExprId,
    v: f64,
    over: &FxHashMap<ExprId, ExprId>,
) -> Result<(f64, Option<ExprId>), EvalError> {
    let (slice, pair) = store.kids(n);
    let inherited = slice
        .iter()
        .chain(pair.iter().flatten())
        .find_map(|c| over.get(c).copied());
    if v.is_nan() {
        return Err(inherited.map_or(EvalError::Domain(n), EvalError::Overflow));
    }
    Ok((v, v.is_infinite().then(|| inherited.unwrap_or(n))))
}

/// A root's value, or the overflow that made it infinite.
fn finite(root: ExprId, v: f64, over: &FxHashMap<ExprId, ExprId>) -> Result<f64, EvalError> {
    if v.is_infinite() {
        Err(EvalError::Overflow(
            over.get(&root).copied().unwrap_or(root),
        ))
    } else {
        Ok(v)
    }
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
    pub varying: &'a [Name],
    pub mixed: bool,
}

impl<'a> Perturbation<'a> {
    /// Both probes for `varying`.
    pub fn both(varying: &'a [Name]) -> [Perturbation<'a>; 2] {
        [false, true].map(|mixed| Perturbation { varying, mixed })
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
    let (val, over) = values(store, &store.postorder(&[e]), env, perturb)?;
    finite(e, val[&e], &over)
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
    let order = store.postorder(&[e]);
    let (vals, over) = values(store, &order, env, None)?;
    let v = finite(e, vals[&e], &over)?;
    let largest = vals
        .values()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let moved = Perturbation::both(varying)
        .iter()
        .map(|&m| {
            values(store, &order, env, Some(m)).map_or(f64::INFINITY, |(p, _)| (p[&e] - v).abs())
        })
        .fold(0.0, f64::max);
    Ok((v, moved.max(100.0 * f64::EPSILON * largest)))
}

/// The value of every node of `order` (children before parents), stopping at the first
/// one that is undefined; values moved as `perturb` says. Infinite values are kept (see
/// `overflow_check`), with the overflow that each came from.
#[allow(clippy::type_complexity)]
fn values(
    store: &Store,
    order: &[ExprId],
    env: &dyn Fn(Name) -> Option<f64>,
    perturb: Option<Perturbation>,
) -> Result<(FxHashMap<ExprId, f64>, FxHashMap<ExprId, ExprId>), EvalError> {
    let mut val: FxHashMap<ExprId, f64> = FxHashMap::default();
    let mut over: FxHashMap<ExprId, ExprId> = FxHashMap::default();
    // The nodes that depend on a varying variable, when perturbing.
    let mut varies: FxHashSet<ExprId> = FxHashSet::default();
    for &n in order {
        let mut v = node_value(store, n, &val, env)?;
        if let Some(Perturbation { varying, mixed }) = perturb {
            let (slice, pair) = store.kids(n);
            let depends = match store.node(n) {
                Node::Sym(name) => varying.contains(name),
                _ => slice
                    .iter()
                    .chain(pair.iter().flatten())
                    .any(|k| varies.contains(k)),
            };
            if depends {
                varies.insert(n);
                // Not the variables themselves: their values are given.
                if !matches!(store.node(n), Node::Sym(_)) {
                    let down = mixed && (n.index() as u32).wrapping_mul(0x9E37_79B9) >> 31 == 1;
                    v *= 1.0 + if down { -ULPS } else { ULPS };
                }
            }
        }
        let (v, culprit) = overflow_check(store, n, v, &over)?;
        if let Some(c) = culprit {
            over.insert(n, c);
        }
        val.insert(n, v);
    }
    Ok((val, over))
}

fn node_value(
    store: &Store,
    n: ExprId,
    val: &FxHashMap<ExprId, f64>,
    env: &dyn Fn(Name) -> Option<f64>,
) -> Result<f64, EvalError> {
    let get = |k: &ExprId| val[k];
    Ok(match store.node(n) {
        Node::Num(r) => r.to_f64(),
        Node::Const(Constant::Pi) => std::f64::consts::PI,
        Node::Const(Constant::E) => std::f64::consts::E,
        Node::Sym(name) => env(*name).ok_or(EvalError::Unbound(*name))?,
        Node::Add(ts) => ts.iter().map(get).sum(),
        Node::Mul(fs) => fs.iter().map(get).product(),
        Node::Pow(b, x) => {
            let (b, x) = (get(b), get(x));
            if b == 0.0 && x < 0.0 {
                return Err(EvalError::Domain(n));
            }
            if b < 0.0 {
                // A real odd root of a negative number: (-8)^(1/3) = -2.
                if let Some(r) = store.as_num(*match store.node(n) {
                    Node::Pow(_, x) => x,
                    _ => unreachable!(),
                }) {
                    let d = r.denom();
                    if !r.is_integer() && d.bit(0) {
                        let m = (-b).powf(x.abs()).copysign(-1.0);
                        let m = if r.numer().bit(0) { m } else { -m };
                        return Ok(if x < 0.0 { 1.0 / m } else { m });
                    }
                }
            }
            b.powf(x)
        }
        Node::Call(Func::Builtin(f), args) => {
            let v = builtin_value(store, n, *f, args, val)?;
            if v.is_nan() {
                return Err(EvalError::Domain(n));
            }
            v
        }
        Node::Call(Func::Unknown { name, .. } | Func::Index(name) | Func::Sum(name), _) => {
            return Err(EvalError::UnknownFunction(*name));
        }
        Node::Undefined => return Err(EvalError::Domain(n)),
    })
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

/// The value of a built-in function call. A logarithm of a sigmoid, of 1 - sigmoid or of
/// e^u + 1 is computed in its stable form (log(sigmoid(-800)) is -800, not log(0)).
fn builtin_value(
    store: &Store,
    n: ExprId,
    f: Builtin,
    args: &[ExprId],
    val: &FxHashMap<ExprId, f64>,
) -> Result<f64, EvalError> {
    let get = |k: &ExprId| val[k];
    let u = get(&args[0]);
    let domain = |ok: bool, v: f64| if ok { Ok(v) } else { Err(EvalError::Domain(n)) };
    use Builtin::*;
    Ok(match f {
        Sin => u.sin(),
        Cos => u.cos(),
        Tan => u.tan(),
        Sec => 1.0 / u.cos(),
        Csc => 1.0 / u.sin(),
        Cot => 1.0 / u.tan(),
        Asin => u.asin(),
        Acos => u.acos(),
        Atan => u.atan(),
        Sinh => u.sinh(),
        Cosh => u.cosh(),
        Tanh => u.tanh(),
        Log => match stable_log(store, args[0], val) {
            Some(v) => v,
            None => domain(u > 0.0, u.ln())?,
        },
        Abs => u.abs(),
        Sigmoid => sigmoid(u),
        Asinh => u.asinh(),
        Acosh => domain(u >= 1.0, u.acosh())?,
        // A pole at ±1: undefined, not an overflow.
        Atanh => domain(u.abs() < 1.0, u.atanh())?,
        Erf => libm::erf(u),
        Softplus => softplus(u),
        Relu => u.max(0.0),
        Heaviside if u == 0.0 => return Err(EvalError::Kink(n)),
        Heaviside => f64::from(u > 0.0),
        Sign => f64::from(u > 0.0) - f64::from(u < 0.0),
        Floor => u.floor(),
        Ceil => u.ceil(),
        Atan2 => {
            let x = get(&args[1]);
            domain(u != 0.0 || x != 0.0, u.atan2(x))?
        }
        LogBase => {
            let b = get(&args[1]);
            domain(u > 0.0 && b > 0.0 && b != 1.0, 0.0)?;
            match b {
                2.0 => u.log2(),
                10.0 => u.log10(),
                _ => u.ln() / b.ln(),
            }
        }
        Max => args.iter().map(get).fold(f64::NEG_INFINITY, f64::max),
        Min => args.iter().map(get).fold(f64::INFINITY, f64::min),
        Logsumexp => logsumexp(&args.iter().map(get).collect::<Vec<_>>()),
    })
}

/// log(sigmoid(u)) = -softplus(-u), log(1 - sigmoid(u)) = -softplus(u) and
/// log(e^u + 1) = softplus(u), from the value of u; `None` for any other logarithm.
fn stable_log(store: &Store, arg: ExprId, val: &FxHashMap<ExprId, f64>) -> Option<f64> {
    let sigmoid_of = |e: ExprId| match store.node(e) {
        Node::Call(Func::Builtin(Builtin::Sigmoid), a) => Some(val[&a[0]]),
        _ => None,
    };
    if let Some(u) = sigmoid_of(arg) {
        return Some(-softplus(-u));
    }
    let Node::Add(ts) = store.node(arg) else {
        return None;
    };
    let [t, one] = ts[..] else {
        return None;
    };
    if !store.as_num(one).is_some_and(|r| r.is_one()) {
        return None;
    }
    match store.node(t) {
        Node::Mul(fs) if fs.len() == 2 && store.as_num(fs[0]).is_some_and(|r| r.is_minus_one()) => {
            sigmoid_of(fs[1]).map(|u| -softplus(u))
        }
        &Node::Pow(b, x) if matches!(store.node(b), Node::Const(Constant::E)) => {
            Some(softplus(val[&x]))
        }
        _ => None,
    }
}

/// ∂f/∂(argument i) at the arguments `x`, where f's value is `fx`; `None` at a kink.
fn local_derivative(f: Builtin, x: &[f64], fx: f64, i: usize) -> Option<f64> {
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
fn subgradient(f: Builtin, x: &[f64], i: usize) -> f64 {
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
    let order = store.postorder(&[f]);
    let values = eval_many(store, &order, env);
    let value: FxHashMap<ExprId, f64> = order
        .iter()
        .zip(values)
        .filter_map(|(&n, v)| Some((n, v.ok()?)))
        .collect();
    let mut dep: FxHashSet<ExprId> = FxHashSet::default();
    for &n in &order {
        let (slice, pair) = store.kids(n);
        let depends = match store.node(n) {
            Node::Sym(v) => vars.contains(v),
            _ => slice
                .iter()
                .chain(pair.iter().flatten())
                .any(|k| dep.contains(k)),
        };
        if !depends {
            continue;
        }
        dep.insert(n);
        let Node::Call(Func::Builtin(b), args) = store.node(n) else {
            continue;
        };
        if !b.has_kink() {
            continue;
        }
        let Some(xs) = args
            .iter()
            .map(|a| value.get(a).copied())
            .collect::<Option<Vec<f64>>>()
        else {
            continue;
        };
        let fx = match b {
            Builtin::Max => xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Builtin::Min => xs.iter().copied().fold(f64::INFINITY, f64::min),
            _ => 0.0,
        };
        if (0..xs.len()).any(|i| local_derivative(*b, &xs, fx, i).is_none()) {
            return Some(n);
        }
    }
    None
}

/// What to tell a user about `EvalError::Kink(at)`: the sentence and a note naming the
/// convention a framework would use.
pub fn describe_kink(store: &Store, at: ExprId) -> (String, String) {
    use crate::print::{Style, render};
    let shown = render(store, at, Style::Plain);
    let Node::Call(Func::Builtin(b), args) = store.node(at) else {
        return (format!("{shown} has a kink at this point"), String::new());
    };
    let arg = |i: usize| render(store, args[i], Style::Plain);
    let (message, note) = match b {
        Builtin::Heaviside => (
            format!(
                "{shown} has no value where {} = 0: the derivative does not exist at this \
                 point (a kink, where relu, max or min turns)",
                arg(0)
            ),
            format!(
                "{}; {}",
                Builtin::Relu.kink_convention(),
                Builtin::Max.kink_convention()
            ),
        ),
        Builtin::Max | Builtin::Min => (
            format!(
                "the derivative does not exist at this point: {shown} has a kink where its \
                 arguments tie"
            ),
            b.kink_convention().to_string(),
        ),
        Builtin::Floor | Builtin::Ceil => (
            format!(
                "the derivative does not exist at this point: {shown} jumps where {} is an \
                 integer",
                arg(0)
            ),
            b.kink_convention().to_string(),
        ),
        _ => (
            format!(
                "the derivative does not exist at this point: {shown} has a {} where {} = 0",
                if matches!(b, Builtin::Heaviside | Builtin::Sign) {
                    "jump"
                } else {
                    "kink"
                },
                arg(0)
            ),
            b.kink_convention().to_string(),
        ),
    };
    (
        message,
        format!("frameworks take a subgradient there: {note}"),
    )
}

/// A small deterministic generator (xorshift*) for sample points; no external crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
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
/// differentiation on numbers: one forward pass for the values, one backward pass for the
/// adjoints, no symbolic derivative built. This is what `grad --at` with many variables and
/// `step` use (`--check` and small results go through the symbolic derivative instead).
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
    let order = store.postorder(&[f]);
    let (val, over) = values(store, &order, env, None)?;
    if let Some(&c) = over.values().min() {
        return Err(EvalError::Overflow(c));
    }
    let sym: FxHashMap<Name, ExprId> = order
        .iter()
        .filter_map(|&n| match store.node(n) {
            Node::Sym(name) => Some((*name, n)),
            _ => None,
        })
        .collect();
    let constant = |k: ExprId| matches!(store.node(k), Node::Num(_) | Node::Const(_));
    let mut adj: FxHashMap<ExprId, f64> = FxHashMap::default();
    adj.insert(f, 1.0);
    for &n in order.iter().rev() {
        let a = adj.get(&n).copied().unwrap_or(0.0);
        if a == 0.0 {
            continue;
        }
        let mut push = |k: ExprId, d: f64| {
            if !constant(k) {
                *adj.entry(k).or_insert(0.0) += a * d;
            }
        };
        match store.node(n) {
            Node::Add(ts) => ts.iter().for_each(|&t| push(t, 1.0)),
            Node::Mul(fs) => {
                // products of the other factors, by prefix and suffix products
                let vs: Vec<f64> = fs.iter().map(|k| val[k]).collect();
                let mut suffix = vec![1.0; vs.len() + 1];
                for i in (0..vs.len()).rev() {
                    suffix[i] = suffix[i + 1] * vs[i];
                }
                let mut prefix = 1.0;
                for (i, &k) in fs.iter().enumerate() {
                    push(k, prefix * suffix[i + 1]);
                    prefix *= vs[i];
                }
            }
            Node::Pow(b, x) => {
                let (bv, xv, pv) = (val[b], val[x], val[&n]);
                if !constant(*b) {
                    let d = if bv != 0.0 {
                        xv * pv / bv
                    } else {
                        xv * bv.powf(xv - 1.0)
                    };
                    push(*b, d);
                }
                if !constant(*x) {
                    if bv <= 0.0 {
                        return Err(EvalError::Domain(n));
                    }
                    push(*x, pv * bv.ln());
                }
            }
            Node::Call(Func::Builtin(func), args) => {
                let xs: Vec<f64> = args.iter().map(|k| val[k]).collect();
                for (i, &k) in args.iter().enumerate() {
                    if constant(k) {
                        continue;
                    }
                    let d = match local_derivative(*func, &xs, val[&n], i) {
                        Some(d) => d,
                        None if kinks == Kinks::Subgradient => subgradient(*func, &xs, i),
                        None => return Err(EvalError::Kink(n)),
                    };
                    if !d.is_finite() {
                        return Err(EvalError::Domain(n));
                    }
                    push(k, d);
                }
            }
            Node::Call(Func::Unknown { name, .. } | Func::Index(name) | Func::Sum(name), _) => {
                return Err(EvalError::UnknownFunction(*name));
            }
            _ => {}
        }
    }
    let grad = vars
        .iter()
        .map(|v| sym.get(v).and_then(|k| adj.get(k)).copied().unwrap_or(0.0))
        .collect();
    Ok((val[&f], grad))
}
