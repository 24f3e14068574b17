//! deriv: exact partial and total derivatives. The engine runs one way:
//! text → `parse` → `expr::Store` (definitions, sums, constraints) → `calculus` →
//! canonical form → `tidy` → `print`. The command-line application around it lives in
//! the binary (`src/app/`), not in this library.

#![warn(missing_docs)]

pub mod algebra;
pub mod calculus;
pub mod defs;
pub mod diagnostic;
pub mod eval;
pub mod expr;
pub mod parse;
pub mod print;
pub mod tidy;

/// The stack the work runs on. Every stage may recurse once per nesting level, and the
/// parser refuses nesting beyond `parse::MAX_DEPTH`, which this stack holds (see
/// docs/limits.md and the depth tests).
pub const STACK_SIZE: usize = 1 << 30;
