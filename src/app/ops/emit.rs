//! `--emit LANG`: the symbolic result as a function in a programming language. Every
//! definition is expanded first (a function kept by its derivative rule too: code needs
//! its body), then `print::emit` writes the function; what it is called and what its
//! comment and outputs say is decided here, from the request.

use super::{Answer, Job};
use crate::app::request::Op;
use deriv::diagnostic::Diagnostic;
use deriv::expr::{ExprId, Name};
use deriv::print::emit::{self, EmitError, Lang, Spec};
use deriv::print::shape::Shape;
use rustc_hash::FxHashMap;

/// The answer with its code.
pub fn code(
    job: &mut Job,
    shape: Shape,
    deltas: Vec<(Name, ExprId)>,
    columns: &[Name],
    lang: Lang,
) -> Result<Answer, Diagnostic> {
    let entries = shape.entries();
    let mut roots = entries.clone();
    roots.extend(deltas.iter().map(|&(_, e)| e));
    roots.extend_from_slice(&job.subs);
    let full = job
        .inp
        .defs
        .expand_all(&mut job.s, &roots, true)
        .map_err(|e| job.place.at(Diagnostic::error(e.message)))?;
    if full.iter().any(|&e| job.s.is_undefined(e)) {
        return Err(job.undefined("the result, with the definitions expanded,"));
    }
    let map: FxHashMap<ExprId, ExprId> = roots.iter().copied().zip(full.iter().copied()).collect();
    let expanded = shape.map(&mut |e| map[&e]);
    let expanded_deltas: Vec<(Name, ExprId)> = deltas.iter().map(|&(n, e)| (n, map[&e])).collect();
    let spec = Spec {
        name: function_name(job.req.op),
        summary: summary(job, columns),
        shape: &expanded,
        labels: labels(job, &shape, columns),
        deltas: &expanded_deltas,
        inputs: &full[entries.len() + deltas.len()..],
    };
    let code = emit::emit(&job.s, &spec, lang).map_err(|e| job.place.at(refusal(e)))?;
    Ok(Answer::Code {
        shape,
        deltas,
        code,
    })
}

fn function_name(op: Op) -> &'static str {
    match op {
        Op::Partial { .. } => "partial",
        Op::Total => "total",
        Op::Differential => "differential",
        Op::Grad => "grad",
        Op::Hessian => "hessian",
        Op::Jacobian => "jacobian",
        Op::Simplify | Op::Eval | Op::Step | Op::Algebra(_) => "f",
    }
}

fn refusal(e: EmitError) -> Diagnostic {
    let d = Diagnostic::error(e.to_string());
    match e {
        EmitError::UnknownFunctions(_) => d.with_note(
            "code computes every function from its body: give each one with --let \
             'phi(s) = ...' (a derivative rule alone, phi'(s) = ..., has nothing to compute)",
        ),
        _ => d,
    }
}

/// What the function computes, in one line.
fn summary(job: &Job, columns: &[Name]) -> String {
    let s = &job.s;
    let quoted: Vec<String> = job.texts.iter().map(|t| format!("`{t}`")).collect();
    let f = quoted.join(", ");
    let names = |ns: &[Name]| ns.iter().map(|&n| s.name(n)).collect::<Vec<_>>();
    let by = |ns: &[Name]| {
        let all = names(ns);
        match all.len() {
            0..=8 => all.join(", "),
            n => format!("{}, ..., {} ({n} variables)", all[0], all[n - 1]),
        }
    };
    let given = match job.inp.given.is_empty() {
        true => String::new(),
        false => format!(", with {}", job.inp.given.join(", ")),
    };
    match job.req.op {
        Op::Partial { .. } => format!(
            "the partial derivative of {f} by {}{given}",
            names(&job.inp.vars).join(", ")
        ),
        Op::Total => format!(
            "the total derivative of {f} by {}{given}",
            names(&job.inp.vars).join(", ")
        ),
        Op::Differential => format!("the coefficients of the differential of {f}{given}"),
        Op::Grad => format!("the gradient of {f} by {}{given}", by(columns)),
        Op::Hessian => format!("the Hessian of {f} by {}{given}", by(columns)),
        Op::Jacobian => format!("the Jacobian of {f} by {}{given}", by(columns)),
        Op::Simplify | Op::Eval | Op::Step | Op::Algebra(_) => format!("{f}{given}"),
    }
}

/// What each entry of the result is.
fn labels(job: &Job, shape: &Shape, columns: &[Name]) -> Vec<String> {
    let s = &job.s;
    let columns: Vec<&str> = columns.iter().map(|&n| s.name(n)).collect();
    match (job.req.op, shape) {
        (_, Shape::Differential(ts)) => ts
            .iter()
            .map(|t| format!("coefficient of d{}", t.var))
            .collect(),
        (Op::Grad, _) => columns.iter().map(|c| format!("d/d{c}")).collect(),
        (Op::Hessian, _) => columns
            .iter()
            .flat_map(|a| columns.iter().map(move |b| format!("d2/d{a}d{b}")))
            .collect(),
        (Op::Jacobian, _) => (1..=job.subs.len())
            .flat_map(|r| {
                columns
                    .iter()
                    .map(move |c| format!("d(expression {r})/d{c}"))
            })
            .collect(),
        _ => Vec::new(),
    }
}
