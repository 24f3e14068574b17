//! Stage 3, differentiate: partial derivatives by rule, and total derivatives that
//! follow the constraints given with `--given`.

pub mod check;
pub mod explain;
pub mod implicit;
mod partial;
pub mod reverse;
mod total;

pub use partial::{partial, partials};
pub use total::{Constraint, ConstraintError, Constraints, Dropped, PartialOutcome};
