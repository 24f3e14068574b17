//! Binding E's variables for training and `step`: the parameters' starting values, the
//! data's columns and the fixed values; and a sample's failure said for a user. Apart from
//! the training loop so that `step` uses it without depending on `train`'s driver.

use super::fit::{SampleError, Source};
use crate::app::data::Data;
use crate::app::inputs::Point;
use deriv::diagnostic::Diagnostic;
use deriv::eval::{EvalError, Rng, eval};
use deriv::expr::{Name, Store};
use deriv::print::{Style, render};
use rustc_hash::FxHashMap;

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
