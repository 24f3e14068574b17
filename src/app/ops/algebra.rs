//! `expand`, `factor` and `collect`: the engine's polynomial algebra (`deriv::algebra`) on
//! the expression with its definitions and constraints put in.

use super::Job;
use crate::app::request::Algebra;
use deriv::algebra::{self, AlgebraError};
use deriv::diagnostic::Diagnostic;
use deriv::print::shape::Shape;

/// The expression expanded, factored or collected; a refusal names the work limit.
pub(super) fn run(job: &mut Job, op: Algebra) -> Result<Shape, Diagnostic> {
    let e = job.subs[0];
    let r = match op {
        Algebra::Expand => algebra::expand(&mut job.s, e),
        Algebra::Factor => algebra::factor(&mut job.s, e),
        Algebra::Collect => algebra::collect(&mut job.s, e, job.inp.vars[0]),
    };
    r.map(Shape::Scalar).map_err(|err| {
        let d = Diagnostic::error(err.to_string());
        job.at_input(match err {
            AlgebraError::TooLarge => d.with_note(
                "deriv bounds this work so that every input ends quickly: see docs/limits.md",
            ),
            AlgebraError::DegreeTooHigh(_) => d,
        })
    })
}
