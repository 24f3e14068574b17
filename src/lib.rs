//! deriv: exact partial and total derivatives. The pipeline runs one way:
//! text → `parse` → `expr::Store` → `calculus` → canonical form → `print`.

pub mod calculus;
pub mod cli;
pub mod commands;
pub mod defs;
pub mod diagnostic;
pub mod eval;
pub mod expr;
pub mod parse;
pub mod plot;
pub mod print;
pub mod repl;
pub mod tools;

/// The stack the work runs on. Every stage may recurse once per nesting level, and the
/// parser refuses nesting beyond `parse::MAX_DEPTH`, which this stack holds (see
/// docs/limits.md and the depth tests).
pub const STACK_SIZE: usize = 1 << 30;
