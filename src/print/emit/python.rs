//! Python with NumPy: every parameter is taken through `np.asarray`, so arithmetic follows
//! IEEE doubles (1/0 is inf with a warning, not an exception) and the helpers work
//! elementwise; a vector or matrix is returned as a NumPy array.

use super::code::{ATOM, Helper, Op, POWER, Target, Text};
use super::{Function, Language, Out};
use crate::expr::{Builtin, Constant};
use std::collections::BTreeSet;
use std::fmt::Write;

pub struct Python;

const RESERVED: &[&str] = &[
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "np",
    "math",
    "float",
    "int",
    "print",
    "_sigmoid",
    "_logsumexp",
    "_erf",
    "_oddroot",
];

fn call(f: &str, args: &[Text]) -> Text {
    let a: Vec<&str> = args.iter().map(|t| t.s.as_str()).collect();
    Text::atom(format!("{f}({})", a.join(", ")))
}

/// np.maximum(a, np.maximum(b, c)) for max(a, b, c).
fn nested(f: &str, args: &[Text]) -> Text {
    match args {
        [a] => a.clone(),
        [a, rest @ ..] => call(f, &[a.clone(), nested(f, rest)]),
        [] => Text::atom("0.0"),
    }
}

impl Target for Python {
    fn constant(&self, c: Constant) -> String {
        match c {
            Constant::Pi => "np.pi".into(),
            Constant::E => "np.e".into(),
        }
    }

    fn element(&self, array: &str, index: &[usize], _dims: &[usize]) -> String {
        let idx: Vec<String> = index.iter().map(usize::to_string).collect();
        format!("{array}[{}]", idx.join(", "))
    }

    fn op(&self, op: Op, args: Vec<Text>, used: &mut BTreeSet<Helper>) -> Text {
        use Builtin::*;
        let name = match op {
            Op::Exp => "np.exp",
            Op::Sqrt => "np.sqrt",
            Op::Log2 => "np.log2",
            Op::Log10 => "np.log10",
            // np.power: a negative base gives NaN, as in the other languages (Python's own
            // ** would give a complex number).
            Op::Pow => "np.power",
            Op::PowInt(k) => return Text::new(format!("{}**{k}", args[0].at(ATOM)), POWER),
            Op::OddRoot(p, q) => {
                used.insert(Helper::OddRoot);
                return Text::atom(format!("_oddroot({}, {p}, {q})", args[0].s));
            }
            Op::F(f) => match f {
                Sin => "np.sin",
                Cos => "np.cos",
                Tan => "np.tan",
                Asin => "np.arcsin",
                Acos => "np.arccos",
                Atan => "np.arctan",
                Sinh => "np.sinh",
                Cosh => "np.cosh",
                Tanh => "np.tanh",
                Log => "np.log",
                Abs => "np.abs",
                Asinh => "np.arcsinh",
                Acosh => "np.arccosh",
                Atanh => "np.arctanh",
                Floor => "np.floor",
                Ceil => "np.ceil",
                Sign => "np.sign",
                Atan2 => "np.arctan2",
                Sigmoid => {
                    used.insert(Helper::Sigmoid);
                    "_sigmoid"
                }
                Erf => {
                    used.insert(Helper::Erf);
                    "_erf"
                }
                Softplus => return call("np.logaddexp", &[Text::atom("0.0"), args[0].clone()]),
                Relu => return call("np.maximum", &[args[0].clone(), Text::atom("0.0")]),
                Heaviside => return call("np.heaviside", &[args[0].clone(), Text::atom("0.0")]),
                Max => return nested("np.maximum", &args),
                Min => return nested("np.minimum", &args),
                Logsumexp if args.len() == 2 => "np.logaddexp",
                Logsumexp => {
                    used.insert(Helper::Logsumexp(0));
                    "_logsumexp"
                }
                Sec | Csc | Cot | LogBase => unreachable!("written by the shared writer"),
            },
        };
        call(name, &args)
    }
}

impl Language for Python {
    fn reserved(&self) -> &'static [&'static str] {
        RESERVED
    }

    fn comment(&self, lines: &[String]) -> String {
        let mut s = String::new();
        for l in lines {
            let _ = writeln!(s, "# {l}");
        }
        s.push_str("import numpy as np\n");
        s
    }

    fn notes(&self, used: &BTreeSet<Helper>) -> Vec<String> {
        let mut v = vec![
            "Python 3 with NumPy: a number (or a NumPy array, elementwise) for each variable."
                .to_string(),
        ];
        if used.contains(&Helper::Erf) {
            v.push(
                "erf is Python's math.erf through np.vectorize (NumPy has none; \
                 scipy.special.erf is the same function, faster on arrays)."
                    .to_string(),
            );
        }
        v
    }

    fn helper(&self, h: Helper) -> String {
        match h {
            Helper::Sigmoid => "\
def _sigmoid(u):
    \"\"\"1/(1 + exp(-u)), with no overflow for any u.\"\"\"
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"
            .to_string(),
            Helper::Logsumexp(_) => "\
def _logsumexp(*a):
    \"\"\"log(exp(a[0]) + ...), shifted by the largest argument so that nothing overflows.\"\"\"
    m = a[0]
    for x in a[1:]:
        m = np.maximum(m, x)
    s = 0.0
    for x in a:
        s = s + np.exp(x - m)
    return m + np.log(s)
"
            .to_string(),
            Helper::Erf => "\
import math

_erf = np.vectorize(math.erf, otypes=[np.float64])
"
            .to_string(),
            Helper::OddRoot => "\
def _oddroot(x, p, q):
    \"\"\"x**(p/q) for an odd q, real for x < 0: (-8)**(1/3) = -2.\"\"\"
    r = np.abs(x) ** (p / q)
    return np.where(x < 0, -r, r) if p % 2 else r
"
            .to_string(),
            Helper::Softplus | Helper::Heaviside | Helper::Sign | Helper::Powi => String::new(),
        }
    }

    fn function(&self, f: &Function) -> String {
        let params: Vec<&str> = f.params.iter().map(|p| p.ident.as_str()).collect();
        let mut s = format!("def {}({}):\n", f.name, params.join(", "));
        for p in &f.params {
            let _ = writeln!(s, "    {0} = np.asarray({0}, dtype=np.float64)", p.ident);
        }
        for (name, e) in &f.locals {
            let _ = writeln!(s, "    {name} = {e}");
        }
        match f.out {
            Out::Scalar => {
                let _ = writeln!(s, "    return {}", f.outputs[0].0);
            }
            Out::Vector(_) => {
                s.push_str("    return np.array([\n");
                for (e, label) in &f.outputs {
                    let _ = writeln!(s, "        {e},  # {label}");
                }
                s.push_str("    ])\n");
            }
            Out::Matrix(r, c) => {
                s.push_str("    return np.array([\n");
                for row in 0..r {
                    s.push_str("        [\n");
                    for (e, label) in &f.outputs[row * c..(row + 1) * c] {
                        let _ = writeln!(s, "            {e},  # {label}");
                    }
                    s.push_str("        ],\n");
                }
                s.push_str("    ])\n");
            }
        }
        s
    }
}
