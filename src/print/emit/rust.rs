//! Rust (std only, no crate): a function of `f64`s and references to fixed-size arrays,
//! returning an `f64` or an array. Functions are called as `f64::sin(u)`, which types a
//! literal argument too (`2.0.ln()` would not compile). std has no erf: one is emitted.

use super::code::{Helper, Op, Target, Text};
use super::{Function, Language, Out, erf};
use crate::expr::{Builtin, Constant};
use std::collections::BTreeSet;
use std::fmt::Write;

pub struct Rust;

const RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "union",
    "f64",
    "std",
    "core",
    "deriv_sigmoid",
    "deriv_softplus",
    "deriv_logsumexp",
    "deriv_heaviside",
    "deriv_sign",
    "deriv_erf",
    "deriv_oddroot",
];

fn call(f: &str, args: &[Text]) -> Text {
    let a: Vec<&str> = args.iter().map(|t| t.s.as_str()).collect();
    Text::atom(format!("{f}({})", a.join(", ")))
}

/// f64::max(a, f64::max(b, c)) for max(a, b, c).
fn nested(f: &str, args: &[Text]) -> Text {
    match args {
        [a] => a.clone(),
        [a, rest @ ..] => call(f, &[a.clone(), nested(f, rest)]),
        [] => Text::atom("0.0"),
    }
}

impl Target for Rust {
    fn constant(&self, c: Constant) -> String {
        match c {
            Constant::Pi => "std::f64::consts::PI".into(),
            Constant::E => "std::f64::consts::E".into(),
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
            Op::Exp => "f64::exp",
            Op::Sqrt => "f64::sqrt",
            Op::Log2 => "f64::log2",
            Op::Log10 => "f64::log10",
            Op::Pow => "f64::powf",
            Op::PowInt(k) => {
                return Text::atom(format!("f64::powi({}, {k})", args[0].s));
            }
            Op::OddRoot(p, q) => {
                used.insert(Helper::OddRoot);
                return Text::atom(format!("deriv_oddroot({}, {p}, {q})", args[0].s));
            }
            Op::F(f) => match f {
                Sin => "f64::sin",
                Cos => "f64::cos",
                Tan => "f64::tan",
                Asin => "f64::asin",
                Acos => "f64::acos",
                Atan => "f64::atan",
                Sinh => "f64::sinh",
                Cosh => "f64::cosh",
                Tanh => "f64::tanh",
                Log => "f64::ln",
                Abs => "f64::abs",
                Asinh => "f64::asinh",
                Acosh => "f64::acosh",
                Atanh => "f64::atanh",
                Floor => "f64::floor",
                Ceil => "f64::ceil",
                Atan2 => "f64::atan2",
                Relu => return call("f64::max", &[args[0].clone(), Text::atom("0.0")]),
                Max => return nested("f64::max", &args),
                Min => return nested("f64::min", &args),
                Logsumexp => {
                    used.insert(Helper::Logsumexp(0));
                    let a: Vec<&str> = args.iter().map(|t| t.s.as_str()).collect();
                    return Text::atom(format!("deriv_logsumexp(&[{}])", a.join(", ")));
                }
                Sigmoid | Softplus | Heaviside | Sign | Erf => {
                    used.insert(match f {
                        Sigmoid => Helper::Sigmoid,
                        Softplus => Helper::Softplus,
                        Heaviside => Helper::Heaviside,
                        Sign => Helper::Sign,
                        _ => Helper::Erf,
                    });
                    return call(&format!("deriv_{}", f.name()), &args);
                }
                Sec | Csc | Cot | LogBase => unreachable!("written by the shared writer"),
            },
        };
        call(name, &args)
    }
}

impl Language for Rust {
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
        let mut v = vec!["Rust (std only): f64, and references to arrays for arrays.".to_string()];
        if used.contains(&Helper::Erf) {
            v.push(erf::NOTE.to_string());
        }
        v
    }

    fn helper(&self, h: Helper) -> String {
        match h {
            Helper::Sigmoid => "\
/// sigmoid(u) = 1/(1 + exp(-u)), with no overflow for any u
fn deriv_sigmoid(u: f64) -> f64 {
    let e = f64::exp(-u.abs());
    if u >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) }
}
"
            .to_string(),
            Helper::Softplus => "\
/// softplus(u) = log(1 + exp(u)), with no overflow and no loss of digits
fn deriv_softplus(u: f64) -> f64 {
    u.max(0.0) + f64::exp(-u.abs()).ln_1p()
}
"
            .to_string(),
            Helper::Heaviside => "\
/// heaviside(u): 1 for u > 0, else 0 (0 at the jump: relu'(0) = 0)
fn deriv_heaviside(u: f64) -> f64 {
    if u > 0.0 { 1.0 } else { 0.0 }
}
"
            .to_string(),
            Helper::Sign => "\
/// sign(u), 0 at 0 (f64::signum(0.0) is 1)
fn deriv_sign(u: f64) -> f64 {
    if u > 0.0 { 1.0 } else if u < 0.0 { -1.0 } else { 0.0 }
}
"
            .to_string(),
            Helper::Logsumexp(_) => "\
/// log(exp(a[0]) + ...), shifted by the largest argument so that nothing overflows
fn deriv_logsumexp(a: &[f64]) -> f64 {
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m.is_infinite() {
        return m;
    }
    m + a.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}
"
            .to_string(),
            Helper::OddRoot => "\
/// x^(p/q) for an odd q, real for x < 0: (-8)^(1/3) = -2
fn deriv_oddroot(x: f64, p: i32, q: i32) -> f64 {
    let r = x.abs().powf(p as f64 / q as f64);
    if x < 0.0 && p % 2 != 0 { -r } else { r }
}
"
            .to_string(),
            Helper::Erf => erf::rust(),
            Helper::Powi => String::new(),
        }
    }

    fn function(&self, f: &Function) -> String {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| {
                let ty = p
                    .dims
                    .iter()
                    .rev()
                    .fold("f64".to_string(), |t, d| format!("[{t}; {d}]"));
                if p.dims.is_empty() {
                    format!("{}: f64", p.ident)
                } else {
                    format!("{}: &{ty}", p.ident)
                }
            })
            .collect();
        let ret = match f.out {
            Out::Scalar => "f64".to_string(),
            Out::Vector(n) => format!("[f64; {n}]"),
            Out::Matrix(r, c) => format!("[[f64; {c}]; {r}]"),
        };
        let mut s = format!(
            "#[allow(unused_variables, non_snake_case, clippy::all)]\npub fn {}({}) -> {ret} {{\n",
            f.name,
            params.join(", ")
        );
        for (name, e) in &f.locals {
            let _ = writeln!(s, "    let {name} = {e};");
        }
        match f.out {
            Out::Scalar => {
                let _ = writeln!(s, "    {}", f.outputs[0].0);
            }
            Out::Vector(_) => {
                s.push_str("    [\n");
                for (e, label) in &f.outputs {
                    let _ = writeln!(s, "        {e}, // {label}");
                }
                s.push_str("    ]\n");
            }
            Out::Matrix(r, c) => {
                s.push_str("    [\n");
                for row in 0..r {
                    s.push_str("        [\n");
                    for (e, label) in &f.outputs[row * c..(row + 1) * c] {
                        let _ = writeln!(s, "            {e}, // {label}");
                    }
                    s.push_str("        ],\n");
                }
                s.push_str("    ]\n");
            }
        }
        s.push_str("}\n");
        s
    }
}
