//! JavaScript (ES2015 and later; browsers and Node): a function of numbers and nested
//! arrays, returning a number or (nested) arrays. `Math` has no erf: one is emitted.

use super::code::{Helper, Op, Target, Text};
use super::{Function, Language, Out, erf};
use crate::expr::{Builtin, Constant};
use std::collections::BTreeSet;
use std::fmt::Write;

pub struct Js;

const RESERVED: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "arguments",
    "eval",
    "undefined",
    "NaN",
    "Infinity",
    "Math",
    "isFinite",
    "deriv_sigmoid",
    "deriv_softplus",
    "deriv_logsumexp",
    "deriv_heaviside",
    "deriv_erf",
    "deriv_oddroot",
];

fn call(f: &str, args: &[Text]) -> Text {
    let a: Vec<&str> = args.iter().map(|t| t.s.as_str()).collect();
    Text::atom(format!("{f}({})", a.join(", ")))
}

impl Target for Js {
    fn int(&self, n: i64) -> String {
        n.to_string()
    }

    fn constant(&self, c: Constant) -> String {
        match c {
            Constant::Pi => "Math.PI".into(),
            Constant::E => "Math.E".into(),
        }
    }

    fn element(&self, array: &str, index: &[usize], _dims: &[usize]) -> String {
        let mut s = array.to_string();
        for i in index {
            let _ = write!(s, "[{i}]");
        }
        s
    }

    fn op(&self, op: Op, args: Vec<Text>, used: &mut BTreeSet<Helper>) -> Text {
        use Builtin::*;
        let name = match op {
            Op::Exp => "Math.exp",
            Op::Sqrt => "Math.sqrt",
            Op::Log2 => "Math.log2",
            Op::Log10 => "Math.log10",
            Op::Pow => "Math.pow",
            // Math.pow, not **: `-x ** 2` is a syntax error.
            Op::PowInt(k) => {
                return call("Math.pow", &[args[0].clone(), Text::atom(k.to_string())]);
            }
            Op::OddRoot(p, q) => {
                used.insert(Helper::OddRoot);
                return Text::atom(format!("deriv_oddroot({}, {p}, {q})", args[0].s));
            }
            Op::F(f) => match f {
                Sin => "Math.sin",
                Cos => "Math.cos",
                Tan => "Math.tan",
                Asin => "Math.asin",
                Acos => "Math.acos",
                Atan => "Math.atan",
                Sinh => "Math.sinh",
                Cosh => "Math.cosh",
                Tanh => "Math.tanh",
                Log => "Math.log",
                Abs => "Math.abs",
                Asinh => "Math.asinh",
                Acosh => "Math.acosh",
                Atanh => "Math.atanh",
                Floor => "Math.floor",
                Ceil => "Math.ceil",
                Sign => "Math.sign",
                Atan2 => "Math.atan2",
                Max => "Math.max",
                Min => "Math.min",
                Relu => return call("Math.max", &[args[0].clone(), Text::atom("0")]),
                Sigmoid | Softplus | Heaviside | Erf | Logsumexp => {
                    used.insert(match f {
                        Sigmoid => Helper::Sigmoid,
                        Softplus => Helper::Softplus,
                        Heaviside => Helper::Heaviside,
                        Erf => Helper::Erf,
                        _ => Helper::Logsumexp(0),
                    });
                    return call(&format!("deriv_{}", f.name()), &args);
                }
                Sec | Csc | Cot | LogBase => unreachable!("written by the shared writer"),
            },
        };
        call(name, &args)
    }
}

impl Language for Js {
    fn reserved(&self) -> &'static [&'static str] {
        RESERVED
    }

    fn comment(&self, lines: &[String]) -> String {
        let mut s = String::new();
        for l in lines {
            let _ = writeln!(s, "// {l}");
        }
        s
    }

    fn notes(&self, used: &BTreeSet<Helper>) -> Vec<String> {
        let mut v = vec!["JavaScript (ES2015): numbers, and nested arrays for arrays.".to_string()];
        if used.contains(&Helper::Erf) {
            v.push(erf::NOTE.to_string());
        }
        v
    }

    fn helper(&self, h: Helper) -> String {
        match h {
            Helper::Sigmoid => "\
// sigmoid(u) = 1/(1 + exp(-u)), with no overflow for any u
function deriv_sigmoid(u) {
  const e = Math.exp(-Math.abs(u));
  return u >= 0 ? 1 / (1 + e) : e / (1 + e);
}
"
            .to_string(),
            Helper::Softplus => "\
// softplus(u) = log(1 + exp(u)), with no overflow and no loss of digits
function deriv_softplus(u) {
  return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
}
"
            .to_string(),
            Helper::Heaviside => "\
// heaviside(u): 1 for u > 0, else 0 (0 at the jump: relu'(0) = 0)
function deriv_heaviside(u) {
  return u > 0 ? 1 : 0;
}
"
            .to_string(),
            Helper::Logsumexp(_) => "\
// log(exp(a[0]) + ...), shifted by the largest argument so that nothing overflows
function deriv_logsumexp(...a) {
  const m = Math.max(...a);
  if (!isFinite(m)) return m;
  let s = 0;
  for (const x of a) s += Math.exp(x - m);
  return m + Math.log(s);
}
"
            .to_string(),
            Helper::OddRoot => "\
// x^(p/q) for an odd q, real for x < 0: (-8)^(1/3) = -2
function deriv_oddroot(x, p, q) {
  const r = Math.pow(Math.abs(x), p / q);
  return x < 0 && p % 2 !== 0 ? -r : r;
}
"
            .to_string(),
            Helper::Erf => erf::javascript(),
            Helper::Sign | Helper::Powi => String::new(),
        }
    }

    fn function(&self, f: &Function) -> String {
        let params: Vec<&str> = f.params.iter().map(|p| p.ident.as_str()).collect();
        let mut s = format!("function {}({}) {{\n", f.name, params.join(", "));
        for (name, e) in &f.locals {
            let _ = writeln!(s, "  const {name} = {e};");
        }
        match f.out {
            Out::Scalar => {
                let _ = writeln!(s, "  return {};", f.outputs[0].0);
            }
            Out::Vector(_) => {
                s.push_str("  return [\n");
                for (e, label) in &f.outputs {
                    let _ = writeln!(s, "    {e}, // {label}");
                }
                s.push_str("  ];\n");
            }
            Out::Matrix(r, c) => {
                s.push_str("  return [\n");
                for row in 0..r {
                    s.push_str("    [\n");
                    for (e, label) in &f.outputs[row * c..(row + 1) * c] {
                        let _ = writeln!(s, "      {e}, // {label}");
                    }
                    s.push_str("    ],\n");
                }
                s.push_str("  ];\n");
            }
        }
        s.push_str("}\n");
        s
    }
}
