//! The built-in functions: their names, how many arguments each takes, their symmetries
//! and, for those with a kink, the derivative frameworks take there.

/// The built-in functions. `exp` and `sqrt` are powers (`e^u`, `u^(1/2)`), `ln` is `log`,
/// `log2(u)` and `log10(u)` are `log(u, 2)` and `log(u, 10)` (`LogBase`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Builtin {
    /// sin(u).
    Sin,
    /// cos(u).
    Cos,
    /// tan(u).
    Tan,
    /// sec(u) = 1/cos(u).
    Sec,
    /// csc(u) = 1/sin(u).
    Csc,
    /// cot(u) = cos(u)/sin(u).
    Cot,
    /// asin(u), in [−π/2, π/2].
    Asin,
    /// acos(u), in [0, π].
    Acos,
    /// atan(u).
    Atan,
    /// sinh(u).
    Sinh,
    /// cosh(u).
    Cosh,
    /// tanh(u).
    Tanh,
    /// log(u): the natural logarithm (`ln`).
    Log,
    /// abs(u) = |u|.
    Abs,
    /// sigmoid(u) = 1/(1 + e^−u).
    Sigmoid,
    /// asinh(u).
    Asinh,
    /// acosh(u), for u ≥ 1.
    Acosh,
    /// atanh(u), for |u| < 1.
    Atanh,
    /// erf(u): the error function.
    Erf,
    /// softplus(u) = log(1 + e^u).
    Softplus,
    /// relu(u) = max(u, 0).
    Relu,
    /// heaviside(u): 0 below 0, 1 above, undefined at 0.
    Heaviside,
    /// sign(u): −1, 0 or 1.
    Sign,
    /// floor(u) = ⌊u⌋.
    Floor,
    /// ceil(u) = ⌈u⌉.
    Ceil,
    /// `atan2(y, x)`: the angle of the point (x, y).
    Atan2,
    /// `log(u, b)`: the logarithm of u to the base b.
    LogBase,
    /// n-ary, like `Min` and `Logsumexp`: `max(a, b, ...)`.
    Max,
    /// `min(a, b, ...)`.
    Min,
    /// `logsumexp(a, b, ...)` = log(e^a + e^b + ...).
    Logsumexp,
}

impl Builtin {
    /// Every built-in, in the order of the enum.
    pub const ALL: [Builtin; 30] = [
        Builtin::Sin,
        Builtin::Cos,
        Builtin::Tan,
        Builtin::Sec,
        Builtin::Csc,
        Builtin::Cot,
        Builtin::Asin,
        Builtin::Acos,
        Builtin::Atan,
        Builtin::Sinh,
        Builtin::Cosh,
        Builtin::Tanh,
        Builtin::Log,
        Builtin::Abs,
        Builtin::Sigmoid,
        Builtin::Asinh,
        Builtin::Acosh,
        Builtin::Atanh,
        Builtin::Erf,
        Builtin::Softplus,
        Builtin::Relu,
        Builtin::Heaviside,
        Builtin::Sign,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Atan2,
        Builtin::LogBase,
        Builtin::Max,
        Builtin::Min,
        Builtin::Logsumexp,
    ];

    /// The name written in plain text (`LogBase` is `log` with two arguments).
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Sin => "sin",
            Builtin::Cos => "cos",
            Builtin::Tan => "tan",
            Builtin::Sec => "sec",
            Builtin::Csc => "csc",
            Builtin::Cot => "cot",
            Builtin::Asin => "asin",
            Builtin::Acos => "acos",
            Builtin::Atan => "atan",
            Builtin::Sinh => "sinh",
            Builtin::Cosh => "cosh",
            Builtin::Tanh => "tanh",
            Builtin::Log | Builtin::LogBase => "log",
            Builtin::Abs => "abs",
            Builtin::Sigmoid => "sigmoid",
            Builtin::Asinh => "asinh",
            Builtin::Acosh => "acosh",
            Builtin::Atanh => "atanh",
            Builtin::Erf => "erf",
            Builtin::Softplus => "softplus",
            Builtin::Relu => "relu",
            Builtin::Heaviside => "heaviside",
            Builtin::Sign => "sign",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Atan2 => "atan2",
            Builtin::Max => "max",
            Builtin::Min => "min",
            Builtin::Logsumexp => "logsumexp",
        }
    }

    /// The function a name calls with one argument (`ln` is `log`); `log2`, `log10`,
    /// `exp` and `sqrt` are built by the parser (see `parse::builtin_arity`).
    pub fn from_name(s: &str) -> Option<Builtin> {
        // A match, not a search of `ALL`: the parser asks for every call it reads.
        use Builtin::*;
        Some(match s {
            "sin" => Sin,
            "cos" => Cos,
            "tan" => Tan,
            "sec" => Sec,
            "csc" => Csc,
            "cot" => Cot,
            "asin" => Asin,
            "acos" => Acos,
            "atan" => Atan,
            "sinh" => Sinh,
            "cosh" => Cosh,
            "tanh" => Tanh,
            "log" | "ln" => Log,
            "abs" => Abs,
            "sigmoid" => Sigmoid,
            "asinh" => Asinh,
            "acosh" => Acosh,
            "atanh" => Atanh,
            "erf" => Erf,
            "softplus" => Softplus,
            "relu" => Relu,
            "heaviside" => Heaviside,
            "sign" => Sign,
            "floor" => Floor,
            "ceil" => Ceil,
            "atan2" => Atan2,
            "max" => Max,
            "min" => Min,
            "logsumexp" => Logsumexp,
            _ => return None,
        })
    }

    /// How many arguments it takes: (at least, at most).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Builtin::Atan2 | Builtin::LogBase => (2, 2),
            Builtin::Max | Builtin::Min | Builtin::Logsumexp => (1, usize::MAX),
            _ => (1, 1),
        }
    }

    /// f(-u) = -f(u)
    pub fn is_odd(self) -> bool {
        use Builtin::*;
        matches!(
            self,
            Sin | Tan | Csc | Cot | Asin | Atan | Sinh | Tanh | Asinh | Atanh | Erf | Sign
        )
    }

    /// f(-u) = f(u)
    pub fn is_even(self) -> bool {
        use Builtin::*;
        matches!(self, Cos | Sec | Cosh | Abs)
    }

    /// Has a kink or a jump, where the derivative does not exist (see `kink_convention`).
    pub fn has_kink(self) -> bool {
        use Builtin::*;
        matches!(
            self,
            Abs | Relu | Heaviside | Sign | Floor | Ceil | Max | Min
        )
    }

    /// The derivative a machine-learning framework takes at the kink, where the true one
    /// does not exist (a subgradient, or 0 at a jump).
    pub fn kink_convention(self) -> &'static str {
        use Builtin::*;
        match self {
            Relu => "PyTorch and JAX take relu'(0) = 0",
            Abs => "PyTorch takes abs'(0) = sign(0) = 0, JAX takes 1",
            Max | Min => "JAX gives each tied argument of max or min 1/2",
            Floor | Ceil => "PyTorch and JAX take floor' and ceil' as 0 everywhere",
            Heaviside | Sign => "PyTorch and JAX take a step's derivative as 0 everywhere",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back() {
        for b in Builtin::ALL {
            let back = Builtin::from_name(b.name());
            let want = if b == Builtin::LogBase {
                Builtin::Log
            } else {
                b
            };
            assert_eq!(back, Some(want), "{b:?}");
        }
        assert_eq!(Builtin::from_name("ln"), Some(Builtin::Log));
        assert_eq!(Builtin::from_name("log10"), None);
    }
}
