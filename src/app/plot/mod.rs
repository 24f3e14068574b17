//! Plots (`deriv plot`): f and its derivative df/dx sampled in double precision on a grid,
//! drawn in the terminal or written as an SVG figure (`draw`). f goes through the same
//! pipeline as every command (definitions, sums, constraints), as `deriv total` would.

pub(super) mod draw;
pub(super) mod scale;

use super::Failure;
use super::cli::PlotArgs;
use super::inputs::Inputs;
use super::ops::{self, Answer};
use super::request::{self, Exprs, Op, Request};
use super::settings::Settings;
use deriv::diagnostic::Diagnostic;
use deriv::eval::{EvalError, Options, Tape, eval};
use deriv::expr::{Name, Store};
use deriv::parse;
use deriv::print::shape::Shape;
use deriv::print::{Style, render};
use draw::{Figure, Series, svg, text, tick_label};
use std::io::{self, Write};

const DEFAULT_COLS: usize = 64;
const DEFAULT_ROWS: usize = 16;
const DEFAULT_SVG_WIDTH: usize = 640;
const DEFAULT_SVG_HEIGHT: usize = 400;
/// A legend entry's formula is cut to this many characters.
const MAX_LABEL: usize = 48;

/// The function and its derivative, every definition expanded and compiled (roots 0 and
/// 1 of `tape`), ready to sample.
struct Functions {
    store: Store,
    tape: Tape,
    var: Name,
    f_text: String,
    df_text: String,
}

impl Functions {
    /// Root `i` (0: f, 1: f') at x.
    fn value(&self, i: usize, x: f64) -> Result<Option<f64>, Diagnostic> {
        let env = |n: Name| (n == self.var).then_some(x);
        match self.tape.values_at(&env).swap_remove(i) {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            Ok(_)
            | Err(EvalError::Domain(_))
            | Err(EvalError::Overflow(_))
            | Err(EvalError::Kink(_))
            | Err(EvalError::Gradient { .. }) => Ok(None),
            Err(EvalError::UnknownFunction(n)) => Err(Diagnostic::error(format!(
                "`{}` is an unknown function: it has no values to plot",
                self.store.name(n)
            ))),
            Err(EvalError::Unbound(n)) => Err(unbound(self.store.name(n))),
        }
    }

    fn sample(&self, i: usize, xs: &[f64]) -> Result<Vec<Option<f64>>, Diagnostic> {
        xs.iter()
            .map(|&x| match deriv::expr::interrupted() {
                // Sampling builds no node: Ctrl-C in a session is looked for here.
                true => Err(Diagnostic::error(
                    deriv::expr::Fault::Interrupted.to_string(),
                )),
                false => self.value(i, x),
            })
            .collect()
    }
}

fn unbound(name: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "`{name}` has no value: a plot shows a function of one variable"
    ))
    .with_note(format!(
        "give it a value or make it depend on the variable, e.g. --given {name}=2"
    ))
}

/// Runs `deriv plot`; returns the exit status.
pub fn run(
    a: &PlotArgs,
    st: &Settings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let fig = match figure(a, st, a.svg.is_some()) {
        Ok(f) => f,
        Err(d) => {
            err.write_all(d.render(st.color_err).as_bytes())?;
            return Ok(1);
        }
    };
    match &a.svg {
        Some(path) => {
            let w = a.width.map_or(DEFAULT_SVG_WIDTH, |w| w as usize);
            let h = a.height.map_or(DEFAULT_SVG_HEIGHT, |h| h as usize);
            if let Err(e) = std::fs::write(path, svg(&fig, w, h)) {
                let d = Diagnostic::error(format!("cannot write {}: {e}", path.display()));
                err.write_all(d.render(st.color_err).as_bytes())?;
                return Ok(1);
            }
        }
        None => {
            let cols = a.width.map_or(DEFAULT_COLS, |w| w as usize);
            let rows = a.height.map_or(DEFAULT_ROWS, |h| h as usize);
            out.write_all(text(&fig, cols, rows, st.color_out).as_bytes())?;
        }
    }
    Ok(0)
}

/// A bound of the plot: a number or a constant expression (`-pi`, `2pi`).
fn number(s: &mut Store, text: &str, option: &str) -> Result<f64, Diagnostic> {
    let e = parse::parse(s, text).map_err(|e| {
        Diagnostic::error(format!("{option}: {}", e.message)).with_snippet("", text, e.span)
    })?;
    match eval(s, e, &|_| None) {
        Ok(v) if v.is_finite() => Ok(v),
        Err(EvalError::Unbound(n)) => Err(Diagnostic::error(format!(
            "{option} {text}: `{}` has no value; give a number",
            s.name(n)
        ))),
        _ => Err(Diagnostic::error(format!(
            "{option} {text} is not a finite number"
        ))),
    }
}

/// The request `deriv total EXPR VAR` with the plot's definitions and constraints.
fn request(a: &PlotArgs) -> Result<Request, Failure> {
    let (given, defs) = request::setup(a.setup.clone())?;
    Ok(Request {
        command: "plot".into(),
        op: Op::Total,
        exprs: Exprs::Args(vec![a.expr.clone()]),
        vars: vec![a.var.clone()],
        wrt: None,
        given,
        defs,
        at: Vec::new(),
        at_file: None,
        cse: false,
        check: false,
        explain: false,
        stats: false,
        rate: 0.0,
        dependent: None,
        samples: Default::default(),
        emit: None,
    })
}

/// f (definitions and sums expanded, constraints substituted) and df/dx, through the
/// pipeline every command uses, then expanded fully for numbers.
fn functions(a: &PlotArgs, st: &Settings) -> Result<Functions, Diagnostic> {
    let first = |ds: Vec<Diagnostic>| {
        ds.into_iter()
            .next()
            .unwrap_or_else(|| Diagnostic::error("no answer"))
    };
    let one = |f: Failure| match f {
        Failure::Usage(d) => d,
        Failure::Input(ds) => first(ds),
    };
    let req = request(a).map_err(one)?;
    let inp = Inputs::prepare(&req, st.max_nodes).map_err(one)?;
    let o = ops::answer(&inp, &req, st, &[&a.expr], "1").map_err(first)?;
    let (mut store, f) = (o.store, o.exprs[0]);
    let Answer::Symbolic {
        shape: Shape::Scalar(df),
        ..
    } = o.answer
    else {
        return Err(Diagnostic::error("the derivative is not one expression"));
    };
    let var = inp.vars[0];
    if let Some(other) = store.free_symbols(&[f]).into_iter().find(|&n| n != var) {
        return Err(unbound(store.name(other)));
    }
    let cut = |t: String| {
        if t.chars().count() > MAX_LABEL {
            let mut s: String = t.chars().take(MAX_LABEL - 1).collect();
            s.push('…');
            s
        } else {
            t
        }
    };
    let f_text = cut(render(&store, f, Style::Unicode));
    let df_text = cut(render(&store, df, Style::Unicode));
    let full = inp
        .defs
        .expand_all(&mut store, &[f, df], true)
        .map_err(|e| Diagnostic::error(e.message))?;
    Ok(Functions {
        tape: Tape::compile(&store, &full, Options::default()),
        store,
        var,
        f_text,
        df_text,
    })
}

fn figure(a: &PlotArgs, st: &Settings, svg: bool) -> Result<Figure, Diagnostic> {
    let fs = functions(a, st)?;
    let mut scratch = Store::new();
    let from = number(&mut scratch, &a.from, "--from")?;
    let to = number(&mut scratch, &a.to, "--to")?;
    if from >= to {
        return Err(Diagnostic::error(format!(
            "--from {} must be less than --to {}",
            a.from, a.to
        )));
    }
    if !(to - from).is_finite() {
        return Err(Diagnostic::error(format!(
            "--from {} --to {}: the interval is too wide to sample (its width overflows a double)",
            a.from, a.to
        )));
    }
    // One sample per dot column in the terminal; about one per pixel in an SVG.
    let n = if svg {
        a.width.map_or(DEFAULT_SVG_WIDTH, |w| w as usize).max(2)
    } else {
        2 * a.width.map_or(DEFAULT_COLS, |w| w as usize)
    };
    let xs = grid(from, to, n);
    if xs.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Diagnostic::error(format!(
            "--from {} --to {}: the interval is too narrow to sample: neighbouring points \
             would be the same double",
            a.from, a.to
        )));
    }
    let v = &a.var;
    let fy = fs.sample(0, &xs)?;
    let dy = fs.sample(1, &xs)?;
    let no_value = || Diagnostic::error(format!("f has no real value for {v} in [{from}, {to}]"));
    let (ymin, ymax) = scale::range(&fy, &dy).ok_or_else(no_value)?;
    if !(ymax - ymin).is_finite() {
        return Err(Diagnostic::error(format!(
            "the values of f and f′ for {v} in [{from}, {to}] span more than a double holds: \
             plot a scaled function"
        )));
    }
    let mut series = vec![
        Series {
            label: format!("f({v}) = {}", fs.f_text),
            ys: fy,
            pattern: |_| true,
            marker: "━━",
            ansi: "\x1b[36m",
            svg_color: "#1f77b4",
            svg_dash: "",
        },
        Series {
            label: format!("f′({v}) = {}", fs.df_text),
            ys: dy,
            pattern: |i| i % 4 < 2,
            marker: "╍╍",
            ansi: "\x1b[35m",
            svg_color: "#d62728",
            svg_dash: " stroke-dasharray=\"7 4\"",
        },
    ];
    let mut point = None;
    if let Some(at) = &a.at {
        let x0 = number(&mut scratch, at, "--at")?;
        let (Some(y0), Some(slope)) = (fs.value(0, x0)?, fs.value(1, x0)?) else {
            return Err(Diagnostic::error(format!(
                "f or f′ has no value at {v} = {at}: there is no tangent"
            )));
        };
        point = Some((x0, y0));
        series.push(Series {
            label: format!(
                "tangent at {v} = {}, slope {}",
                tick_label(x0, 0.0),
                tick_label(slope, 0.0)
            ),
            ys: xs
                .iter()
                .map(|x| Some(y0 + slope * (x - x0)).filter(|y| y.is_finite()))
                .collect(),
            pattern: |i| i % 3 == 0,
            marker: "┈┈",
            ansi: "\x1b[33m",
            svg_color: "#2ca02c",
            svg_dash: " stroke-dasharray=\"2 3\"",
        });
    }
    Ok(Figure {
        var: v.clone(),
        from,
        to,
        series,
        point,
        ymin,
        ymax,
        ylabel: format!("f({v}), f′({v})"),
    })
}

/// `n` points from `from` to `to`, mirrored exactly (the i-th from the end is the i-th
/// with `from` and `to` swapped), so an odd function's samples are exactly odd; no
/// intermediate value can overflow.
fn grid(from: f64, to: f64, n: usize) -> Vec<f64> {
    let last = (n - 1) as f64;
    (0..n)
        .map(|i| from * ((n - 1 - i) as f64 / last) + to * (i as f64 / last))
        .collect()
}
