//! `deriv train`: E's parameters fitted to data in one process. The inputs go through the
//! pipeline every command uses (`Inputs`, `ops::objective`); E and its gradient are
//! compiled once (`fit`); the loss is reported per epoch (`report`); the parameters reached
//! are written in the `--at-file` format (`values`), also after Ctrl-C.

mod fit;
mod report;

pub use fit::{Problem, SampleError, Source};

use super::Failure;
use super::batch::Input;
use super::cli::TrainArgs;
use super::data::Data;
use super::inputs::{Inputs, Point};
use super::ops;
use super::request::Request;
use super::settings::{Settings, Terminal};
use super::values;
use deriv::diagnostic::Diagnostic;
use deriv::eval::{EvalError, Rng, eval};
use deriv::expr::{Name, Store};
use deriv::print::{Style, render};
use rustc_hash::FxHashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Raised by Ctrl-C: training stops after the current step.
static STOP: AtomicBool = AtomicBool::new(false);

/// The exit status of a run that Ctrl-C ended (128 + SIGINT, as shells report it).
const INTERRUPTED: i32 = 130;

/// The parameters' starting values and where every variable of E takes its value from.
pub struct Binding {
    pub theta: Vec<f64>,
    /// The parameters whose starting value was drawn from the seed.
    pub drawn: Vec<usize>,
    pub sources: FxHashMap<Name, Source>,
}

/// Binds E's variables: the parameters (from the point, or drawn from `seed` uniformly in
/// [-init, init]), the data's columns, and the point's other values.
pub fn bind(
    s: &Store,
    params: &[Name],
    point: &Point,
    data: Option<&Data>,
    seed: Option<(u64, f64)>,
) -> Result<Binding, Diagnostic> {
    let mut sources: FxHashMap<Name, Source> = FxHashMap::default();
    let columns: Vec<(usize, Name)> = data
        .map(|d| {
            d.names
                .iter()
                .enumerate()
                .filter_map(|(j, n)| Some((j, s.lookup_name(n.as_deref()?)?)))
                .collect()
        })
        .unwrap_or_default();
    for &(j, n) in &columns {
        sources.insert(n, Source::Column(j));
    }
    let source_name = data.map(|d| d.source.clone()).unwrap_or_default();
    for &(n, v) in point {
        if sources.contains_key(&n) {
            return Err(Diagnostic::error(format!(
                "`{}` is a column of {source_name} and also has a value in --at or --at-file",
                s.name(n)
            ))
            .with_note("data and parameters are kept apart: remove it from the values"));
        }
        let x = eval(s, v, &|_| None).ok().filter(|x| x.is_finite());
        let x = x.ok_or_else(|| {
            Diagnostic::error(format!(
                "the value of `{}` is not a finite number",
                s.name(n)
            ))
        })?;
        sources.insert(n, Source::Fixed(x));
    }
    let mut rng = seed.map(|(seed, init)| (Rng::new(seed), init));
    let mut b = Binding {
        theta: Vec::new(),
        drawn: Vec::new(),
        sources,
    };
    for (i, &n) in params.iter().enumerate() {
        let x = match (b.sources.get(&n), &mut rng) {
            (Some(Source::Column(_)), _) => {
                return Err(Diagnostic::error(format!(
                    "the parameter `{}` is a column of {source_name}",
                    s.name(n)
                )));
            }
            (Some(Source::Fixed(x)), _) => *x,
            (_, Some((rng, init))) => {
                b.drawn.push(i);
                rng.uniform(-*init, *init)
            }
            (_, None) => {
                return Err(Diagnostic::error(format!("no value for `{}`", s.name(n)))
                    .with_note("give every variable a value in --at-file or --at"));
            }
        };
        b.theta.push(x);
        b.sources.insert(n, Source::Param(i));
    }
    Ok(b)
}

/// Why a sample has no finite loss or gradient, said for a user.
pub fn sample_diag(s: &Store, e: &SampleError, data: Option<&Data>) -> Diagnostic {
    let at = match (e.sample, data) {
        (Some(i), Some(d)) => format!(" at {}", d.place(i)),
        _ => String::new(),
    };
    let show = |x| render(s, x, Style::Plain);
    match &e.err {
        EvalError::Unbound(n) => Diagnostic::error(format!("no value for `{}`", s.name(*n))),
        EvalError::UnknownFunction(n) => Diagnostic::error(format!(
            "`{}` is an unknown function, so E has no value",
            s.name(*n)
        )),
        EvalError::Domain(x) => Diagnostic::error(format!(
            "E has no value{at}: {} is undefined there",
            show(*x)
        )),
        EvalError::Overflow(x) => Diagnostic::error(format!(
            "E is not finite{at}: {} is too large for a double there",
            show(*x)
        )),
        EvalError::Kink(x) => Diagnostic::error(format!("E has a kink{at} at {}", show(*x))),
        EvalError::Gradient { var, at: culprit } => {
            let d = Diagnostic::error(format!(
                "the gradient is not finite{at}: ∂E/∂{} has no finite value",
                s.name(*var)
            ));
            match culprit {
                Some(c) => d.with_note(format!(
                    "the derivative of {} is infinite or undefined there",
                    show(*c)
                )),
                None => d,
            }
        }
    }
}

/// Runs `deriv train`; returns the exit status.
pub fn run(
    a: &TrainArgs,
    st: &Settings,
    term: &Terminal,
    stdin: &mut dyn Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let color = st.color_err;
    if a.expr == "-" {
        let d = Diagnostic::error("train takes one expression, E, not `-`");
        return Failure::Usage(d).report(err, color);
    }
    let prepared = Request::train(a)
        .and_then(|req| super::read_stdin_option(req, stdin))
        .and_then(|req| Ok((Inputs::prepare(&req, st.max_nodes)?, req)));
    let (inp, req) = match prepared {
        Ok(x) => x,
        Err(f) => return f.report(err, color),
    };
    let obj = match ops::objective(&inp, &req, st, &a.expr) {
        Ok(o) => o,
        Err(ds) => return Failure::Input(ds).report(err, color),
    };
    for w in &obj.warnings {
        err.write_all(w.render(color).as_bytes())?;
    }
    let s = &obj.store;
    let data = inp.data.as_ref();
    let point = inp.point.clone().unwrap_or_default();
    let fail = |d: Diagnostic, err: &mut dyn Write| Failure::Input(vec![d]).report(err, color);
    let bound = match bind(s, &obj.params, &point, data, a.seed.map(|x| (x, a.init))) {
        Ok(b) => b,
        Err(d) if a.seed.is_none() && d.message.starts_with("no value") => {
            return fail(
                d.with_note("or draw the parameters' starting values with --seed N"),
                err,
            );
        }
        Err(d) => return fail(d, err),
    };
    let sources = &bound.sources;
    let mut problem = match Problem::new(
        s,
        obj.full,
        &obj.params,
        &|n| sources.get(&n).copied(),
        data,
    ) {
        Ok(p) => p,
        Err(n) => return fail(unbound(s, n, data), err),
    };
    let mut plan = fit::Plan {
        epochs: a.epochs,
        batch: a.batch,
        rate: a.rate,
        shuffle: a
            .seed
            .filter(|_| !a.no_shuffle)
            .map(|x| Rng::new(x ^ 0x005E_ED0F_DA7A)),
        optimizer: a.optimizer,
        momentum: a.momentum,
        beta1: a.beta1,
        beta2: a.beta2,
        epsilon: a.epsilon,
    };
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
    let mut theta = bound.theta.clone();
    let mut rep = report::Reporter::new(st, term, a, err);
    let result = fit::train(&mut problem, &mut theta, &mut plan, &STOP, &mut |k, l| {
        rep.epoch(k, l)
    });
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            let d = train_diag(s, &e, data, &obj.params, a.rate);
            let err = rep.into_inner();
            return fail(d, err);
        }
    };
    rep.end(&run, problem.samples())?;
    let err = rep.into_inner();
    if let Err(d) = report::curves(a, &run, st, err) {
        return fail(d, err);
    }
    let text = parameters(s, &obj.params, &bound, &theta, &inp, &req);
    match &a.out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                let d = Diagnostic::error(format!("cannot write {}: {e}", path.display()));
                return fail(d, err);
            }
        }
        None => {
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(if run.interrupted { INTERRUPTED } else { 0 })
}

/// A variable of E with no value.
fn unbound(s: &Store, n: Name, data: Option<&Data>) -> Diagnostic {
    let columns = match data {
        Some(d) => format!("a column of {}", d.source),
        None => "a column of the data (--data)".to_string(),
    };
    Diagnostic::error(format!("no value for `{}`", s.name(n))).with_note(format!(
        "it is not a parameter (--wrt), not {columns}, and not given with --at or --at-file"
    ))
}

fn train_diag(
    s: &Store,
    e: &fit::TrainError,
    data: Option<&Data>,
    params: &[Name],
    rate: f64,
) -> Diagnostic {
    match e {
        fit::TrainError::Sample(se, epoch) => {
            sample_diag(s, se, data).with_note(format!("in epoch {epoch}"))
        }
        fit::TrainError::Step(st) => Diagnostic::error(format!(
            "step {} (epoch {}) takes `{}` to {}: the gradient there is {}",
            st.step,
            st.epoch,
            s.name(params[st.param]),
            values::double(st.value),
            values::double(st.gradient)
        ))
        .with_note(format!(
            "the rate {} may be too large for E",
            values::double(rate)
        )),
    }
}

/// The values file after training: the `--at-file` with the parameters that changed
/// rewritten, then the `--at` items, then the parameters drawn from the seed.
fn parameters(
    s: &Store,
    params: &[Name],
    bound: &Binding,
    theta: &[f64],
    inp: &Inputs,
    req: &Request,
) -> String {
    let mut changed: FxHashMap<String, f64> = FxHashMap::default();
    for (i, (&n, &x)) in params.iter().zip(theta).enumerate() {
        if x != bound.theta[i] && !bound.drawn.contains(&i) {
            changed.insert(s.name(n).to_string(), x);
        }
    }
    let drawn: Vec<(String, f64)> = bound
        .drawn
        .iter()
        .map(|&i| (s.name(params[i]).to_string(), theta[i]))
        .collect();
    values::write(inp.at_text.as_deref(), &req.at, &changed, &drawn)
}
