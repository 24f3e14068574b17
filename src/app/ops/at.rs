//! Results at a point (`--at`, `--at-file`): exact where the value folds, doubles
//! otherwise; a gradient of many entries by reverse-mode AD; and `step`.

use super::precision::{self, Refused};
use super::{Answer, EXACT_ENTRIES, Job};
use crate::app::request::Op;
use crate::app::train::bind::{bind, sample_diag};
use crate::app::train::fit::Problem;
use crate::app::values;
use deriv::diagnostic::Diagnostic;
use deriv::eval::{EvalError, Kinks, eval};
use deriv::expr::{Builtin, ExprId, Fault, Func, Name, Node, Store};
use deriv::print::shape::{DTerm, Shape};
use deriv::print::{Style, float, quote, render};
use rustc_hash::FxHashMap;

/// The point as doubles (its values are checked numbers; NaN if one has none).
fn doubles(s: &Store, p: &[(Name, ExprId)]) -> FxHashMap<Name, f64> {
    p.iter()
        .map(|&(n, v)| (n, eval(s, v, &|_| None).unwrap_or(f64::NAN)))
        .collect()
}

/// Why a value could not be computed; `result` is the expression it was part of.
fn eval_diag(s: &Store, err: EvalError, result: Option<ExprId>) -> Diagnostic {
    let the_result = |d: Diagnostic| match result {
        Some(e) => d.with_note(format!("the result is {}", quote(s, e, Style::Plain))),
        None => d,
    };
    match err {
        EvalError::Unbound(n) => Diagnostic::error(format!("no value for `{}`", s.name(n))),
        EvalError::UnknownFunction(n) => Diagnostic::error(format!(
            "`{}` is an unknown function, so it has no value",
            s.name(n)
        )),
        EvalError::Domain(sub) => the_result(Diagnostic::error(format!(
            "{} is undefined at this point",
            quote(s, sub, Style::Plain)
        ))),
        EvalError::Overflow(sub) => the_result(Diagnostic::error(format!(
            "{} is too large for a double at this point",
            quote(s, sub, Style::Plain)
        ))),
        EvalError::Kink(sub) => {
            let (message, note) = describe_kink(s, sub);
            Diagnostic::error(message).with_note(note)
        }
        EvalError::Gradient { var, at } => {
            let d = Diagnostic::error(format!(
                "the derivative by `{}` is not a finite number at this point",
                s.name(var)
            ));
            match at {
                Some(sub) => d.with_note(format!(
                    "the derivative of {} is infinite or undefined there",
                    quote(s, sub, Style::Plain)
                )),
                None => d,
            }
        }
    }
}

/// E and ∂E/∂θ at the point, as numbers (reverse-mode AD over the expanded expression).
pub fn numeric_gradient(
    job: &mut Job,
    e: ExprId,
    names: &[Name],
    p: &[(Name, ExprId)],
    kinks: Kinks,
) -> Result<(f64, Vec<f64>), Diagnostic> {
    let s = &mut job.s;
    let env = doubles(s, p);
    let full = job
        .inp
        .defs
        .expand(s, e, true)
        .map_err(|c| Diagnostic::error(c.message))
        .map_err(|d| job.place.at(d))?;
    let r = deriv::eval::gradient_at_with(s, full, names, &|n| env.get(&n).copied(), kinks);
    r.map_err(|err| {
        let d = match err {
            EvalError::Domain(sub) | EvalError::Overflow(sub) => Diagnostic::error(format!(
                "{} (or its derivative) has no finite value at this point",
                quote(s, sub, Style::Plain)
            )),
            EvalError::Unbound(_) => eval_diag(s, err, None)
                .with_note("give every variable a value in --at-file or --at"),
            err => eval_diag(s, err, None),
        };
        job.place.at(d)
    })
}

/// `step`: θ − η·∂E/∂θ for each parameter, from E at the point, or from the mean of E
/// over the samples of `--data`. The values file comes back as written, with only the
/// parameters rewritten.
pub fn step(
    job: &mut Job,
    e: ExprId,
    names: &[Name],
    p: &[(Name, ExprId)],
) -> Result<Answer, Diagnostic> {
    let eta = job.req.rate;
    if eta < 0.0 {
        job.warnings.push(Diagnostic::warning(format!(
            "--rate {} is negative: the step goes up the gradient, increasing E",
            float(eta, Style::Plain)
        )));
    }
    let s = &mut job.s;
    let full = job
        .inp
        .defs
        .expand(s, e, true)
        .map_err(|c| Diagnostic::error(c.message))
        .map_err(|d| job.place.at(d))?;
    let s = &job.s;
    let used = s.free_symbols(&[full]);
    if let Some(&n) = names
        .iter()
        .find(|n| !p.iter().any(|(m, _)| m == *n) && !used.contains(n))
    {
        let d = Diagnostic::error(format!(
            "the parameter `{}` has no value to update",
            s.name(n)
        ));
        return Err(job
            .place
            .at(d.with_note("give it one in --at-file or --at")));
    }
    let data = job.inp.data.as_ref();
    let bound = bind(s, names, &p.to_vec(), data, None).map_err(|d| job.place.at(d))?;
    let sources = &bound.sources;
    let mut problem =
        Problem::new(s, full, names, &|n| sources.get(&n).copied(), data).map_err(|n| {
            job.place
                .at(Diagnostic::error(format!("no value for `{}`", s.name(n)))
                    .with_note("give every variable a value in --at-file or --at"))
        })?;
    if job.req.stats {
        let note = stats_note(s, e, &problem);
        job.warnings.push(note);
    }
    let n = problem.samples();
    problem.set_params(&bound.theta);
    let rows: Vec<usize> = (0..n).collect();
    let total = problem
        .batch(&rows)
        .map_err(|se| job.place.at(sample_diag(s, &se, data)))?;
    let gradient: Vec<f64> = problem.sum.iter().map(|g| g / n as f64).collect();
    let changed = updated(s, names, &bound.theta, &gradient, eta).map_err(|d| job.place.at(d))?;
    let listed = p
        .iter()
        .map(|&(n, v)| {
            let name = s.name(n).to_string();
            let val = match changed.get(&name) {
                Some(&x) => values::double(x),
                None => render(s, v, Style::Plain),
            };
            (name, val)
        })
        .collect();
    let file = values::write(job.inp.at_text.as_deref(), &job.req.at, &changed, &[]);
    // The loss goes to stderr: the output is the next values file.
    let (loss, rate) = (values::double(total / n as f64), values::double(eta));
    job.warnings.push(Diagnostic::note(match data {
        Some(d) => format!(
            "E = {loss} before the step, the mean over the {n} samples of {} (rate {rate})",
            d.source
        ),
        None => format!("E = {loss} before the step (rate {rate})"),
    }));
    Ok(Answer::Step {
        values: listed,
        file,
        rate: eta,
        loss: total / n as f64,
    })
}

/// `--stats` for a step: the expression's operations and the compiled tape's instructions.
fn stats_note(s: &Store, e: ExprId, problem: &Problem) -> Diagnostic {
    let (fwd, back) = problem.cost();
    let ops = deriv::calculus::reverse::op_count(s, &[e]);
    Diagnostic::note(format!(
        "stats: the expression has {ops} operations; a step runs E and its gradient \
         compiled, {fwd} + {back} instructions per sample (a sum of products is one)"
    ))
    .with_kind(deriv::diagnostic::Kind::Stats)
}

/// θ − η·g for each parameter, by name; a value that leaves the doubles is an error.
fn updated(
    s: &Store,
    names: &[Name],
    theta: &[f64],
    gradient: &[f64],
    eta: f64,
) -> Result<FxHashMap<String, f64>, Diagnostic> {
    let mut changed = FxHashMap::default();
    for ((&name, &t), &g) in names.iter().zip(theta).zip(gradient) {
        let next = t - eta * g;
        if !next.is_finite() {
            return Err(Diagnostic::error(format!(
                "the step takes `{}` to {}: ∂E/∂{} = {}, rate {}",
                s.name(name),
                values::double(next),
                s.name(name),
                values::double(g),
                values::double(eta)
            )));
        }
        changed.insert(s.name(name).to_string(), next);
    }
    Ok(changed)
}

/// A derivative from an implicit relation F = 0 holds on the curve only: a point off it
/// (x = 2, y = 2 for x^2 + y^2 = 1) is refused, unless F is 0 there exactly or up to the
/// rounding of its terms.
pub fn on_the_curves(job: &mut Job, p: &[(Name, ExprId)]) -> Result<(), Diagnostic> {
    let s = &mut job.s;
    let map: FxHashMap<Name, ExprId> = p.iter().copied().collect();
    let point = doubles(s, p);
    for &(index, rel) in &job.inp.cons.implicit {
        let f = job.inp.cons.substitute(s, rel);
        let full = job
            .inp
            .defs
            .expand(s, f, true)
            .map_err(|ce| Diagnostic::error(ce.message))?;
        let exact = s.substitute(full, &map);
        if s.as_num(exact).is_some_and(|r| r.is_zero()) {
            continue;
        }
        let env = |n: Name| point.get(&n).copied();
        let Ok(v) = eval(s, full, &env) else { continue };
        // Values typed from doubles (0.4358898943540673) are on the curve up to rounding.
        let terms = match s.node(full) {
            deriv::expr::Node::Add(ts) => ts.to_vec(),
            _ => vec![full],
        };
        let scale: f64 = terms
            .iter()
            .filter_map(|&t| eval(s, t, &env).ok())
            .map(f64::abs)
            .sum();
        if v.abs() <= 1e-9 * scale.max(1.0) {
            continue;
        }
        let value = match s.as_num(exact) {
            Some(_) => render(s, exact, Style::Plain),
            None => float(v, Style::Plain),
        };
        let given = &job.inp.given[index];
        return Err(job.place.at(Diagnostic::error(format!(
            "the point is not on the curve {given}: there F = {} is {value}, not 0",
            render(s, f, Style::Plain)
        ))
        .with_note("the derivative from an implicit relation holds on its curve only")));
    }
    Ok(())
}

/// At a point where a function of `fs` has a kink in `vars` (relu(x) at x = 0), a
/// derivative by `vars` may not exist whatever its formula gives: an error naming the kink
/// and the convention frameworks use there.
pub fn kinks(
    job: &mut Job,
    fs: &[ExprId],
    vars: &[Name],
    p: &[(Name, ExprId)],
) -> Result<(), Diagnostic> {
    let s = &mut job.s;
    let fulls = job
        .inp
        .defs
        .expand_all(s, fs, true)
        .map_err(|ce| Diagnostic::error(ce.message));
    let fulls = fulls.map_err(|d| job.place.at(d))?;
    let point = doubles(s, p);
    for f in fulls {
        if let Some(k) = deriv::eval::kink_at(s, f, vars, &|n| point.get(&n).copied()) {
            let (message, note) = describe_kink(s, k);
            return Err(job.place.at(Diagnostic::error(message).with_note(note)));
        }
    }
    Ok(())
}

/// `kinks`, except where the kinks are of continuous functions (abs, relu, max, min) and
/// the derivatives found extend continuously to the point: f is continuous there and
/// differentiable around it, so by the mean value theorem it is differentiable at the
/// point, its derivative the limit (x·|x| at 0: 2·|x| = 0). First derivatives only: a
/// second one needs the first to be differentiable, not only continuous (abs(x)'' is 0
/// around 0 but does not exist at 0).
pub fn kinks_unless_smooth(
    job: &mut Job,
    fs: &[ExprId],
    vars: &[Name],
    p: &[(Name, ExprId)],
    results: &[ExprId],
) -> Result<(), Diagnostic> {
    let refused = kinks(job, fs, vars, p);
    let first = match job.req.op {
        Op::Partial { .. } | Op::Total => job.inp.vars.len() == 1,
        Op::Grad | Op::Jacobian | Op::Differential => true,
        _ => false,
    };
    if refused.is_err() && first && continuous_at(job, fs, p) && continuous_at(job, results, p) {
        return Ok(());
    }
    refused
}

/// Are `es` (definitions expanded) defined at the point, with no function that jumps
/// (sign, heaviside, floor, ceil) at its jump?
fn continuous_at(job: &mut Job, es: &[ExprId], p: &[(Name, ExprId)]) -> bool {
    let s = &mut job.s;
    let Ok(fulls) = job.inp.defs.expand_all(s, es, true) else {
        return false;
    };
    let point = doubles(s, p);
    let env = |n: Name| point.get(&n).copied();
    let jumps = s.postorder(&fulls).into_iter().any(|n| {
        let Node::Call(Func::Builtin(b), args) = s.node(n) else {
            return false;
        };
        let arg = || eval(s, args[0], &env).ok();
        match b {
            Builtin::Sign | Builtin::Heaviside => arg().is_none_or(|a| a == 0.0),
            Builtin::Floor | Builtin::Ceil => arg().is_none_or(|a| a == a.round()),
            _ => false,
        }
    });
    !jumps
        && fulls
            .iter()
            .all(|&f| eval(s, f, &env).is_ok_and(f64::is_finite))
}

/// The entries of `shape` at the point: exact when they fold to a number (for a few
/// entries), else doubles. A differential's terms take their sign and their "1" from the
/// values.
pub fn values(job: &mut Job, shape: Shape, p: &[(Name, ExprId)]) -> Result<Answer, Diagnostic> {
    let s = &mut job.s;
    let map: FxHashMap<Name, ExprId> = p.iter().copied().collect();
    let mut values: FxHashMap<ExprId, (Option<ExprId>, f64)> = FxHashMap::default();
    let entries = shape.entries();
    let fulls = job
        .inp
        .defs
        .expand_all(s, &entries, true)
        .map_err(|ce| Diagnostic::error(ce.message))
        .map_err(|d| job.place.at(d))?;
    // Doubles for every entry in one walk over the shared DAG (a gradient's entries
    // share most of it); exact values by substitution only for a few entries.
    let point = doubles(s, p);
    let floats = deriv::eval::eval_many(s, &fulls, &|n| point.get(&n).copied());
    let exact_wanted = entries.len() <= EXACT_ENTRIES;
    let mut warnings = Vec::new();
    for ((&e, &full), x) in entries.iter().zip(&fulls).zip(floats) {
        let mut substituted = None;
        let exact = if exact_wanted {
            let v = s.substitute(full, &map);
            substituted = Some(v);
            if s.is_undefined(v) && exact_too_costly(s) {
                // The doubles give the value; no exact digits were lost by trying.
                s.clear_fault();
                substituted = None;
                warnings.push(Diagnostic::warning(
                    "the exact value would take too long to compute (the limit of exact \
                     arithmetic in docs/limits.md): this is its value in doubles",
                ));
                None
            } else if s.is_undefined(v) {
                let why = s.fault().map(|f| f.to_string()).unwrap_or_default();
                let d = Diagnostic::error(format!("the result is undefined at this point: {why}"))
                    .with_note(format!("the result is {}", quote(s, e, Style::Plain)));
                return Err(job.at_fault(d));
            } else {
                s.as_num(v).is_some().then_some(v)
            }
        } else {
            None
        };
        // With the exact point put in: sin(10^22 + 1) from 10^22 + 1, not from 10^22; a
        // value out of range only on the way; an error names the subexpression with its
        // values.
        let x = match substituted {
            Some(v) if exact.is_none() => precision::at_point(s, v, x),
            _ => x.map(|x| (x, None)).map_err(Refused::Eval),
        };
        let x = match x {
            Ok((x, warning)) => {
                warnings.extend(warning);
                x
            }
            // An exact number needs no evaluation (it may be too large for a double).
            Err(_) if exact.is_some() => f64::NAN,
            Err(Refused::Said(d)) => {
                let d = d.with_note(format!("the result is {}", quote(s, e, Style::Plain)));
                return Err(job.place.at(d));
            }
            Err(Refused::Eval(err)) => {
                let d = match err {
                    EvalError::Unbound(n) => eval_diag(s, err, Some(e))
                        .with_note(format!("give it with --at {}=...", s.name(n))),
                    err => eval_diag(s, err, Some(e)),
                };
                return Err(job.place.at(d));
            }
        };
        values.insert(e, (exact, x));
    }
    job.warnings.extend(warnings);
    let s = &mut job.s;
    let shape = match shape {
        Shape::Differential(ts) => Shape::Differential(signed_terms(s, &ts, &mut values)),
        shape => shape,
    };
    Ok(Answer::AtPoint { shape, values })
}

/// Whether exact arithmetic gave up on its size or cost, not on the value (a pole, 0 as a
/// divisor): then the doubles may still answer.
fn exact_too_costly(s: &Store) -> bool {
    matches!(
        s.fault(),
        Some(Fault::NumberTooLarge { .. } | Fault::ArithmeticTooCostly { .. })
    )
}

/// A differential's terms at a point: a term's sign comes from its value, and a zero term
/// is left out.
fn signed_terms(
    s: &mut Store,
    ts: &[DTerm],
    values: &mut FxHashMap<ExprId, (Option<ExprId>, f64)>,
) -> Vec<DTerm> {
    let mut out = Vec::new();
    for t in ts {
        let (exact, x) = values[&t.coef];
        let signed = if t.negative { -x } else { x };
        let (value, negative) = match exact {
            Some(v) => {
                let v = if t.negative { s.neg(v) } else { v };
                let neg = s.is_negated(v);
                (if neg { s.neg(v) } else { v }, neg)
            }
            None => (t.coef, signed < 0.0),
        };
        match exact {
            None => values.insert(t.coef, (None, signed.abs())),
            Some(_) => values.insert(value, (Some(value), signed.abs())),
        };
        if s.as_num(value).is_some_and(|r| r.is_zero()) {
            continue;
        }
        out.push(DTerm {
            var: t.var.clone(),
            coef: value,
            negative,
            sum: false,
            unit: value == s.one(),
        });
    }
    out
}

/// What a derivative at the kink `at` (a call found by `eval::kink_at`) says: the message
/// (what has no derivative here, and why) and a note with the subgradient convention a
/// framework would use.
fn describe_kink(store: &Store, at: ExprId) -> (String, String) {
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
