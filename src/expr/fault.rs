//! Why a computation is undefined: the first reason is kept by the store, with the
//! subexpression it is about, so an error can point at it.

use super::{Builtin, ExprId, Rat, SLOTS_PER_NODE};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set from another thread (the session's Ctrl-C handler) to stop the computation in
/// progress: while it is set the store builds no new node, so the work collapses into
/// `Undefined` with `Fault::Interrupted` as the budget's refusal does. One flag for the
/// process: a computation is the only one running when a person presses Ctrl-C.
static INTERRUPT: AtomicBool = AtomicBool::new(false);

/// Asks the computation in progress to stop (safe from any thread).
pub fn interrupt() {
    INTERRUPT.store(true, Ordering::Relaxed);
}

/// Forgets an interrupt, before the next computation starts.
pub fn clear_interrupt() {
    INTERRUPT.store(false, Ordering::Relaxed);
}

/// Whether an interrupt is pending: one relaxed load, polled where a node is new, where
/// the printer writes a node and where a plot takes a sample (work that builds no node).
pub fn interrupted() -> bool {
    INTERRUPT.load(Ordering::Relaxed)
}

/// Why a computation produced `Undefined` (the first reason is kept). The variants with a
/// cause name the subexpression where the value left the domain, so a diagnostic can point
/// at it in the text (`parse::spans`): the divisor whose value is 0, the argument of
/// `log` whose value is 0, the argument at a function's pole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A division whose divisor is 0.
    DivisionByZero {
        /// The divisor.
        divisor: ExprId,
    },
    /// `log(0)`.
    LogOfZero {
        /// The logarithm's argument.
        arg: ExprId,
    },
    /// `func(multiple·π)` at one of its poles: `tan(pi/2)`, `cot(0)`, `csc(pi)`.
    Pole {
        /// The function.
        func: Builtin,
        /// The argument over π.
        multiple: Rat,
        /// The argument.
        arg: ExprId,
    },
    /// `heaviside(0)`: a step has no value at its jump, and a derivative that contains it
    /// (of relu, max or min) does not exist there.
    StepAtJump {
        /// The step's argument.
        arg: ExprId,
    },
    /// `atan2(0, 0)`: the origin has no angle.
    AngleOfOrigin,
    /// The store reached its node budget (`--max-nodes`).
    TooLarge {
        /// The budget.
        limit: usize,
    },
    /// Exact arithmetic would make a number of more than this many bits.
    NumberTooLarge {
        /// The bits the number would have needed.
        bits: u64,
    },
    /// Stopped by `interrupt` (Ctrl-C in a session).
    Interrupted,
    /// A node would nest deeper than the store's limit (`MAX_DEPTH`).
    TooDeep {
        /// The limit.
        limit: u32,
    },
    /// Exact arithmetic on large numbers spent more than this budget (`MAX_ARITHMETIC_COST`).
    ArithmeticTooCostly {
        /// The budget.
        budget: u64,
    },
}

impl Fault {
    /// The subexpression whose value caused the fault, if it has one.
    pub fn subject(&self) -> Option<ExprId> {
        match self {
            Fault::DivisionByZero { divisor: e }
            | Fault::LogOfZero { arg: e }
            | Fault::Pole { arg: e, .. }
            | Fault::StepAtJump { arg: e } => Some(*e),
            Fault::AngleOfOrigin
            | Fault::TooLarge { .. }
            | Fault::NumberTooLarge { .. }
            | Fault::Interrupted
            | Fault::TooDeep { .. }
            | Fault::ArithmeticTooCostly { .. } => None,
        }
    }

    /// The same fault with another subject (where a rewrite found it came from).
    pub(super) fn with_subject(&self, e: ExprId) -> Fault {
        let mut f = self.clone();
        match &mut f {
            Fault::DivisionByZero { divisor: s }
            | Fault::LogOfZero { arg: s }
            | Fault::Pole { arg: s, .. }
            | Fault::StepAtJump { arg: s } => *s = e,
            Fault::AngleOfOrigin
            | Fault::TooLarge { .. }
            | Fault::NumberTooLarge { .. }
            | Fault::Interrupted
            | Fault::TooDeep { .. }
            | Fault::ArithmeticTooCostly { .. } => {}
        }
        f
    }
}

/// `k·π` as the plain printer writes it: `pi`, `-pi/2`, `3*pi/4`.
fn multiple_of_pi(k: &Rat) -> String {
    let (n, d) = (k.numer(), k.denom());
    let top = match n.to_string().as_str() {
        "0" => return "0".into(),
        "1" => "pi".to_string(),
        "-1" => "-pi".to_string(),
        n => format!("{n}*pi"),
    };
    if d == num_bigint::BigInt::from(1) {
        top
    } else {
        format!("{top}/{d}")
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::DivisionByZero { .. } => write!(f, "division by zero"),
            Fault::LogOfZero { .. } => write!(f, "log(0) is undefined"),
            Fault::Pole { func, multiple, .. } => {
                let at = multiple_of_pi(multiple);
                write!(f, "{} has a pole at {at}", func.name())
            }
            Fault::StepAtJump { .. } => write!(
                f,
                "heaviside(0) has no value: a derivative with heaviside in it (of relu, max or \
                 min) does not exist at the kink; frameworks take a subgradient there: {}; {}",
                Builtin::Relu.kink_convention(),
                Builtin::Max.kink_convention()
            ),
            Fault::AngleOfOrigin => write!(f, "atan2(0, 0) is undefined: the origin has no angle"),
            Fault::Interrupted => write!(f, "interrupted: the computation was stopped (Ctrl-C)"),
            Fault::TooDeep { limit } => write!(
                f,
                "the computation is too deep: it builds an expression nested more than \
                 {limit} levels deep (see docs/limits.md)"
            ),
            Fault::NumberTooLarge { bits } => write!(
                f,
                "a number in the computation would have more than {bits} bits \
                 (about {} digits), the limit of exact arithmetic",
                bits * 3 / 10
            ),
            Fault::ArithmeticTooCostly { budget } => write!(
                f,
                "exact arithmetic on large numbers would take too long: the numbers grow \
                 with every term (the limit is {budget} squared bits of operands, a few \
                 seconds of work; see docs/limits.md)"
            ),
            Fault::TooLarge { limit } => write!(
                f,
                "the computation is too large: it needs more than {limit} distinct \
                 subexpressions, or {} stored terms and factors (the limit set by --max-nodes)",
                limit.saturating_mul(SLOTS_PER_NODE)
            ),
        }
    }
}
