//! `--check`: every derivative step of an answer against a difference quotient, at the
//! `--at` point or at random points.

use super::Job;
use crate::app::request::Op;
use deriv::calculus::check::{self, CheckReport, Point};
use deriv::diagnostic::Diagnostic;
use deriv::eval::eval;
use deriv::expr::{ExprId, Name, Store};

/// `--check`: every derivative step against a difference quotient.
pub fn run(job: &mut Job, point: Option<&[(Name, ExprId)]>) -> Result<String, Diagnostic> {
    // `partial --given` checks ∂f/∂x itself, before the constraints are substituted.
    let held = matches!(
        job.req.op,
        Op::Partial {
            substitute_first: false
        }
    ) && !job.inp.cons.is_empty();
    let defs = &job.inp.defs;
    let s = &mut job.s;
    let steps = &job.steps;
    // Numbers need every definition expanded, rule functions included: one walk over
    // all the steps, which share most of their DAG.
    let roots: Vec<ExprId> = steps.iter().flat_map(|&(g, _, d)| [g, d]).collect();
    let expanded = defs
        .expand_all(s, &roots, true)
        .map_err(|e| Diagnostic::error(e.message))?;
    let full: Vec<(ExprId, Name, ExprId)> = steps
        .iter()
        .zip(expanded.chunks(2))
        .map(|(&(_, v, _), gd)| (gd[0], v, gd[1]))
        .collect();
    let steps = &full[..];
    let s: &Store = s;
    let names = s.free_symbols(
        &steps
            .iter()
            .flat_map(|&(g, _, d)| [g, d])
            .collect::<Vec<_>>(),
    );
    let (report, used): (CheckReport, usize) = match point {
        Some(p) => {
            let mut q: Point = Vec::new();
            for &(n, v) in p {
                let x = eval(s, v, &|_| None).map_err(|_| {
                    Diagnostic::error("--check: a value in --at cannot be evaluated")
                })?;
                q.push((n, x));
            }
            let r = check::check_chain(s, steps, &[q]);
            let used = usize::from(r.points > 0);
            (r, used)
        }
        None => check::check_random(s, steps, &names, 3, 0xC0FFEE),
    };
    if report.points == 0 {
        let why = if steps.is_empty() {
            "nothing here is a derivative step it can compare (an implicit relation's \
             derivative is not checked)"
        } else if report.inconclusive > 0 {
            "a difference quotient was not precise enough to judge by at any point tried: \
             the function varies too fast there, or is computed from numbers too large \
             for doubles"
        } else {
            "the derivative or a difference quotient could not be evaluated at any \
             point: unknown functions, or outside the domain or too near its edge"
        };
        return Ok(format!("check: skipped ({why})\n"));
    }
    if report.ok() {
        let err = if report.max_rel_error == 0.0 {
            "0".to_string()
        } else {
            format!("{:.0e}", report.max_rel_error)
        };
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let what = if held {
            ": the partial derivative with the constrained variables held constant, before \
             they are substituted, not the total derivative"
        } else {
            ""
        };
        return Ok(format!(
            "check: ok (max rel. error {err}; {} at {}){what}\n",
            plural(steps.len(), "derivative"),
            plural(used, "point"),
        ));
    }
    Err(Diagnostic::error(format!(
        "check failed: the symbolic derivative disagrees with a difference quotient (rel. error {:.1e})",
        report.max_rel_error
    ))
    .with_note(format!(
        "at {}: symbolic {} but numeric {}",
        report.worst_at, report.symbolic, report.numeric
    ))
    .with_note(if job.inp.def_texts.iter().any(|t| t.contains('\'')) {
        "a derivative rule from the definitions may be wrong (it is checked against the \
         function's own definition); otherwise this is a bug in deriv: please report it"
    } else {
        "this is a bug in deriv; please report it with the command"
    }))
}
