//! C (C99 and later, `<math.h>`; link with `-lm`): a function returning a double, or
//! writing a vector or matrix into an output array of stated length.

use super::code::{ATOM, Helper, Op, PRODUCT, Target, Text};
use super::{Function, Language, Out};
use crate::expr::{Builtin, Constant};
use std::collections::BTreeSet;
use std::fmt::Write;

pub struct C;

const RESERVED: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "bool",
    "true",
    "false",
    "_Bool",
    "main",
    "out",
    "pow",
    "fabs",
    "fmax",
    "fmin",
    "log1p",
    "log2",
    "log10",
    "isinf",
    "erf",
    "exp",
    "log",
    "sqrt",
    "atan2",
    "floor",
    "ceil",
    "asinh",
    "acosh",
    "atanh",
    "deriv_powi",
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

/// fmax(a, fmax(b, c)) for max(a, b, c).
fn nested(f: &str, args: &[Text]) -> Text {
    match args {
        [a] => a.clone(),
        [a, rest @ ..] => call(f, &[a.clone(), nested(f, rest)]),
        [] => Text::atom("0.0"),
    }
}

impl Target for C {
    fn constant(&self, c: Constant) -> String {
        match c {
            Constant::Pi => format!("{:?}", std::f64::consts::PI),
            Constant::E => format!("{:?}", std::f64::consts::E),
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
            Op::Exp => "exp",
            Op::Sqrt => "sqrt",
            Op::Log2 => "log2",
            Op::Log10 => "log10",
            Op::Pow => "pow",
            Op::PowInt(2) if args[0].prec == ATOM => {
                return Text::new(format!("{0}*{0}", args[0].s), PRODUCT);
            }
            Op::PowInt(k) => {
                used.insert(Helper::Powi);
                return Text::atom(format!("deriv_powi({}, {k})", args[0].s));
            }
            Op::OddRoot(p, q) => {
                used.insert(Helper::OddRoot);
                return Text::atom(format!("deriv_oddroot({}, {p}, {q})", args[0].s));
            }
            Op::F(f) => match f {
                Sin => "sin",
                Cos => "cos",
                Tan => "tan",
                Asin => "asin",
                Acos => "acos",
                Atan => "atan",
                Sinh => "sinh",
                Cosh => "cosh",
                Tanh => "tanh",
                Log => "log",
                Abs => "fabs",
                Asinh => "asinh",
                Acosh => "acosh",
                Atanh => "atanh",
                Erf => "erf",
                Floor => "floor",
                Ceil => "ceil",
                Atan2 => "atan2",
                Sigmoid | Softplus | Heaviside | Sign => {
                    let h = match f {
                        Sigmoid => Helper::Sigmoid,
                        Softplus => Helper::Softplus,
                        Heaviside => Helper::Heaviside,
                        _ => Helper::Sign,
                    };
                    used.insert(h);
                    return call(&format!("deriv_{}", f.name()), &args);
                }
                Relu => return call("fmax", &[args[0].clone(), Text::atom("0.0")]),
                Max => return nested("fmax", &args),
                Min => return nested("fmin", &args),
                Logsumexp => {
                    used.insert(Helper::Logsumexp(args.len()));
                    return call(&format!("deriv_logsumexp{}", args.len()), &args);
                }
                Sec | Csc | Cot | LogBase => unreachable!("written by the shared writer"),
            },
        };
        call(name, &args)
    }
}

impl Language for C {
    fn reserved(&self) -> &'static [&'static str] {
        RESERVED
    }

    fn comment(&self, lines: &[String]) -> String {
        let mut s = String::from("/*\n");
        for l in lines {
            let _ = writeln!(s, " * {l}");
        }
        s.push_str(" */\n#include <math.h>\n");
        s
    }

    fn notes(&self, _used: &BTreeSet<Helper>) -> Vec<String> {
        vec!["C99 with <math.h> (link with -lm).".to_string()]
    }

    fn helper(&self, h: Helper) -> String {
        match h {
            Helper::Sigmoid => "\
/* sigmoid(u) = 1/(1 + exp(-u)), with no overflow for any u */
static double deriv_sigmoid(double u)
{
    double e = exp(-fabs(u));
    return u >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}
"
            .to_string(),
            Helper::Softplus => "\
/* softplus(u) = log(1 + exp(u)), with no overflow and no loss of digits */
static double deriv_softplus(double u)
{
    return fmax(u, 0.0) + log1p(exp(-fabs(u)));
}
"
            .to_string(),
            Helper::Heaviside => "\
/* heaviside(u): 1 for u > 0, else 0 (0 at the jump: relu'(0) = 0) */
static double deriv_heaviside(double u)
{
    return u > 0 ? 1.0 : 0.0;
}
"
            .to_string(),
            Helper::Sign => "\
static double deriv_sign(double u)
{
    return u > 0 ? 1.0 : u < 0 ? -1.0 : 0.0;
}
"
            .to_string(),
            Helper::Powi => "\
/* x^n for an integer n >= 2, by repeated squaring */
static double deriv_powi(double x, int n)
{
    double r = 1.0;
    for (; n > 0; n >>= 1, x *= x)
        if (n & 1)
            r *= x;
    return r;
}
"
            .to_string(),
            Helper::OddRoot => "\
/* x^(p/q) for an odd q, real for x < 0: (-8)^(1/3) = -2 */
static double deriv_oddroot(double x, int p, int q)
{
    double r = pow(fabs(x), (double)p / q);
    return x < 0 && p % 2 != 0 ? -r : r;
}
"
            .to_string(),
            Helper::Logsumexp(n) => logsumexp(n),
            Helper::Erf => String::new(),
        }
    }

    fn function(&self, f: &Function) -> String {
        let mut params: Vec<String> = f
            .params
            .iter()
            .map(|p| {
                let dims: String = p.dims.iter().map(|d| format!("[{d}]")).collect();
                if dims.is_empty() {
                    format!("double {}", p.ident)
                } else {
                    format!("const double {}{dims}", p.ident)
                }
            })
            .collect();
        let (ret, out) = match f.out {
            Out::Scalar => ("double", None),
            Out::Vector(n) if n > 0 => ("void", Some(format!("double out[{n}]"))),
            Out::Matrix(r, c) if r > 0 && c > 0 => ("void", Some(format!("double out[{r}][{c}]"))),
            _ => ("void", Some("double *out".to_string())),
        };
        params.extend(out);
        if params.is_empty() {
            params.push("void".into());
        }
        let mut s = format!("{ret} {}({})\n{{\n", f.name, params.join(", "));
        for p in f.params.iter().filter(|p| !p.used) {
            let _ = writeln!(s, "    (void){};", p.ident);
        }
        for (name, e) in &f.locals {
            let _ = writeln!(s, "    const double {name} = {e};");
        }
        match f.out {
            Out::Scalar => {
                let _ = writeln!(s, "    return {};", f.outputs[0].0);
            }
            Out::Vector(_) => {
                if f.outputs.is_empty() {
                    s.push_str("    (void)out;\n");
                }
                for (i, (e, label)) in f.outputs.iter().enumerate() {
                    let _ = writeln!(s, "    out[{i}] = {e}; /* {label} */");
                }
            }
            Out::Matrix(_, c) => {
                if f.outputs.is_empty() {
                    s.push_str("    (void)out;\n");
                }
                for (i, (e, label)) in f.outputs.iter().enumerate() {
                    let _ = writeln!(s, "    out[{}][{}] = {e}; /* {label} */", i / c, i % c);
                }
            }
        }
        s.push_str("}\n");
        s
    }
}

/// logsumexp of n arguments, shifted by the largest so that no term overflows.
fn logsumexp(n: usize) -> String {
    let params: Vec<String> = (0..n).map(|i| format!("double a{i}")).collect();
    let args: Vec<Text> = (0..n).map(|i| Text::atom(format!("a{i}"))).collect();
    let terms: Vec<String> = (0..n).map(|i| format!("exp(a{i} - m)")).collect();
    format!(
        "/* log(exp(a0) + ... ), shifted by the largest argument so that nothing overflows */
static double deriv_logsumexp{n}({})
{{
    double m = {};
    if (isinf(m))
        return m;
    return m + log({});
}}
",
        params.join(", "),
        nested("fmax", &args).s,
        terms.join(" + ")
    )
}
