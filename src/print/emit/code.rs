//! The expression writer every language shares: precedence, signs, fractions, the names of
//! the `--cse` plan, and the stable forms that `--at` uses too (log(sigmoid(u)) is
//! -softplus(-u)). It follows the printer's decomposition (`cse::printed_children`), so
//! every name it writes is defined before. A `Target` chooses the tokens.

use crate::expr::{Builtin, Constant, ExprId, Func, Name, Node, Rat, Store};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// How tightly a piece of code holds together.
pub const SUM: u8 = 1;
/// `*`, `/` and a leading minus.
pub const PRODUCT: u8 = 2;
/// Python's `**`.
pub const POWER: u8 = 3;
/// A name, a literal, a call, parentheses.
pub const ATOM: u8 = 4;

/// Code for an expression, with its precedence.
#[derive(Clone, Debug)]
pub struct Text {
    pub s: String,
    pub prec: u8,
}

impl Text {
    pub fn new(s: impl Into<String>, prec: u8) -> Text {
        Text { s: s.into(), prec }
    }

    pub fn atom(s: impl Into<String>) -> Text {
        Text::new(s, ATOM)
    }

    /// The code, in parentheses if it holds together less tightly than `min`.
    pub fn at(&self, min: u8) -> String {
        if self.prec < min {
            format!("({})", self.s)
        } else {
            self.s.clone()
        }
    }
}

/// -t, never written `--` (a decrement in C and JavaScript).
pub fn neg(t: Text) -> Text {
    if t.prec < PRODUCT {
        return Text::new(format!("-({})", t.s), PRODUCT);
    }
    match t.s.strip_prefix('-') {
        // A leading minus applies to the whole product: dropping it negates the product.
        Some(rest) => Text::new(rest, PRODUCT),
        None => Text::new(format!("-{}", t.s), PRODUCT),
    }
}

/// A leading minus taken off: (negated?, the rest). A text at the level of a product that
/// starts with `-` is the negation of the rest (see `neg`).
fn split_sign(t: Text) -> (bool, Text) {
    match t.s.strip_prefix('-') {
        Some(rest) if t.prec >= PRODUCT => (true, Text::new(rest, PRODUCT)),
        _ => (false, t),
    }
}

/// An operation as a language spells it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A built-in function of deriv (not `LogBase`, `Sec`, `Csc`, `Cot`: see `Writer::call`).
    F(Builtin),
    Exp,
    Sqrt,
    Log2,
    Log10,
    /// b^x for a real x.
    Pow,
    /// b^k for an integer k ≥ 2.
    PowInt(i64),
    /// b^(p/q) for an odd q > 1: real for b < 0, as `--at` computes it ((-8)^(1/3) = -2).
    OddRoot(i64, i64),
}

/// Functions a language writes once, before the function, when the code calls them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Helper {
    Sigmoid,
    Softplus,
    /// With this many arguments (C writes one per arity; the others one in all).
    Logsumexp(usize),
    Heaviside,
    Sign,
    Erf,
    Powi,
    OddRoot,
}

/// The tokens of a language.
pub trait Target {
    /// The double `n` (JavaScript writes 3, the others 3.0).
    fn int(&self, n: i64) -> String {
        format!("{n}.0")
    }
    fn constant(&self, c: Constant) -> String;
    /// The element at the 0-based `index` of an array of the dimensions `dims`.
    fn element(&self, array: &str, index: &[usize], dims: &[usize]) -> String;
    /// `op` applied to arguments already written; the helpers it calls go into `used`.
    fn op(&self, op: Op, args: Vec<Text>, used: &mut BTreeSet<Helper>) -> Text;
}

/// Writes expressions of one store, with the names of the `--cse` plan.
pub struct Writer<'a> {
    s: &'a Store,
    t: &'a dyn Target,
    /// Nodes bound to local variables.
    names: &'a FxHashMap<ExprId, String>,
    /// How each variable is written: a parameter, an array element, a local (a delta).
    syms: &'a FxHashMap<Name, String>,
    /// The helpers the code written so far calls.
    pub helpers: BTreeSet<Helper>,
}

impl<'a> Writer<'a> {
    pub fn new(
        s: &'a Store,
        t: &'a dyn Target,
        names: &'a FxHashMap<ExprId, String>,
        syms: &'a FxHashMap<Name, String>,
    ) -> Writer<'a> {
        Writer {
            s,
            t,
            names,
            syms,
            helpers: BTreeSet::new(),
        }
    }

    /// `e` by its name if it has one.
    pub fn expr(&mut self, e: ExprId) -> Text {
        match self.names.get(&e) {
            Some(n) => Text::atom(n.clone()),
            None => self.root(e),
        }
    }

    /// `e` written out, even when it has a name (it is the name's definition).
    pub fn root(&mut self, e: ExprId) -> Text {
        let s = self.s;
        match s.node(e) {
            Node::Num(r) => self.number(r),
            Node::Const(c) => Text::atom(self.t.constant(*c)),
            Node::Sym(n) => Text::atom(self.syms[n].clone()),
            Node::Add(ts) => self.sum(ts),
            Node::Mul(_) => self.product(s.term_coef(e), s.term_factors(&e)),
            Node::Pow(b, x) => match s.node(*x) {
                Node::Num(r) if r.is_negative() => self.product(&Rat::ONE, &[e]),
                Node::Num(r) => self.power(*b, r),
                _ if matches!(s.node(*b), Node::Const(Constant::E)) => {
                    let x = self.expr(*x);
                    self.op(Op::Exp, vec![x])
                }
                _ => {
                    let (b, x) = (self.expr(*b), self.expr(*x));
                    self.op(Op::Pow, vec![b, x])
                }
            },
            Node::Call(Func::Builtin(f), args) => self.call(*f, args),
            // `emit` refuses these before writing (`validate`).
            Node::Call(..) | Node::Undefined => Text::atom("undefined"),
        }
    }

    fn op(&mut self, op: Op, args: Vec<Text>) -> Text {
        self.t.op(op, args, &mut self.helpers)
    }

    /// A number as a double: an integer, a fraction p/q of exact doubles (the division is
    /// correctly rounded, as the value `--at` uses), or the nearest double.
    fn number(&self, r: &Rat) -> Text {
        const EXACT: i64 = 1 << 53;
        let a = if r.is_negative() { r.neg() } else { r.clone() };
        let t = match a {
            Rat::Small(n, 1) if n <= EXACT => Text::atom(self.t.int(n)),
            Rat::Small(n, d) if n <= EXACT && d <= EXACT => {
                Text::new(format!("{}/{}", self.t.int(n), self.t.int(d)), PRODUCT)
            }
            a => Text::atom(format!("{:?}", a.to_f64())),
        };
        if r.is_negative() { neg(t) } else { t }
    }

    /// A sum, a positive term first: `a + b - c`.
    fn sum(&mut self, ts: &[ExprId]) -> Text {
        let s = self.s;
        let first = if s.is_negated(ts[0]) {
            ts.iter().position(|&t| !s.is_negated(t)).unwrap_or(0)
        } else {
            0
        };
        let order = std::iter::once(ts[first]).chain(
            ts.iter()
                .enumerate()
                .filter(|&(i, _)| i != first)
                .map(|(_, &t)| t),
        );
        let mut out = String::new();
        for (i, t) in order.enumerate() {
            // A product is written through its factors, never by a name (as it is printed);
            // a stable logarithm may come with a minus: `a - softplus(u)`, not `a + -...`.
            let text = match s.node(t) {
                Node::Mul(_) | Node::Num(_) => self.product(s.term_coef(t), s.term_factors(&t)),
                _ => self.expr(t),
            };
            let (c, text) = split_sign(text);
            let text = text.at(PRODUCT);
            match (i, c) {
                (0, true) => {
                    out.push('-');
                    out.push_str(&text);
                }
                (0, false) => out.push_str(&text),
                (_, true) => {
                    out.push_str(" - ");
                    out.push_str(&text);
                }
                (_, false) => {
                    out.push_str(" + ");
                    out.push_str(&text);
                }
            }
        }
        Text::new(out, SUM)
    }

    /// coef · Π factors, factors of negative power under the fraction bar: `3.0*x/(2.0*y)`.
    fn product(&mut self, coef: &Rat, factors: &[ExprId]) -> Text {
        let s = self.s;
        let negative = coef.is_negative();
        let c = if negative { coef.neg() } else { coef.clone() };
        let (p, q) = c.split();
        let mut num: Vec<Text> = Vec::new();
        let mut den: Vec<Text> = Vec::new();
        for &f in factors {
            match s.node(f) {
                // Written through its base, as the printer does: never by the power's name.
                Node::Pow(b, x) if matches!(s.node(*x), Node::Num(r) if r.is_negative()) => {
                    let k = s.as_num(*x).map(Rat::neg).unwrap_or(Rat::ONE);
                    den.push(self.power(*b, &k));
                }
                _ => num.push(self.expr(f)),
            }
        }
        if !p.is_one() || num.is_empty() {
            num.insert(0, self.number(&p));
        }
        if !q.is_one() {
            den.insert(0, self.number(&q));
        }
        // Signs of the factors go to the front: `-a*b`, not `a*-b`.
        let mut negative = negative;
        for t in num.iter_mut().chain(den.iter_mut()) {
            let (minus, rest) = split_sign(std::mem::replace(t, Text::atom("")));
            negative ^= minus;
            *t = rest;
        }
        let mut text = if num.len() == 1 && den.is_empty() {
            num.pop().expect("one factor")
        } else {
            let top: Vec<String> = num.iter().map(|t| t.at(PRODUCT)).collect();
            let mut s = top.join("*");
            match den.len() {
                0 => {}
                1 => {
                    s.push('/');
                    s.push_str(&den[0].at(POWER));
                }
                _ => {
                    let bottom: Vec<String> = den.iter().map(|t| t.at(PRODUCT)).collect();
                    s.push_str(&format!("/({})", bottom.join("*")));
                }
            }
            Text::new(s, PRODUCT)
        };
        if negative {
            text = neg(text);
        }
        text
    }

    /// b^k for a positive rational k.
    fn power(&mut self, b: ExprId, k: &Rat) -> Text {
        if matches!(self.s.node(b), Node::Const(Constant::E)) {
            let x = self.number(k);
            return self.op(Op::Exp, vec![x]);
        }
        if k.is_one() {
            return self.expr(b);
        }
        let base = self.expr(b);
        if let Some(n) = k.to_i64() {
            return self.op(Op::PowInt(n), vec![base]);
        }
        match k {
            Rat::Small(1, 2) => self.op(Op::Sqrt, vec![base]),
            Rat::Small(p, q) if q % 2 == 1 => self.op(Op::OddRoot(*p, *q), vec![base]),
            k => {
                let x = self.number(k);
                self.op(Op::Pow, vec![base, x])
            }
        }
    }

    /// A built-in function: the reciprocal trigonometric functions as quotients, a
    /// logarithm to a base as log2, log10 or a quotient of logarithms, and the logarithms
    /// `--at` computes stably as softplus.
    fn call(&mut self, f: Builtin, args: &[ExprId]) -> Text {
        let one = || Text::atom(self.t.int(1));
        let recip = |w: &mut Writer, g: Builtin| {
            let u = w.expr(args[0]);
            let d = w.op(Op::F(g), vec![u]);
            Text::new(format!("{}/{}", one().s, d.at(POWER)), PRODUCT)
        };
        match f {
            Builtin::Sec => recip(self, Builtin::Cos),
            Builtin::Csc => recip(self, Builtin::Sin),
            Builtin::Cot => recip(self, Builtin::Tan),
            Builtin::Log => match self.stable_log(args[0]) {
                Some(t) => t,
                None => {
                    let u = self.expr(args[0]);
                    self.op(Op::F(Builtin::Log), vec![u])
                }
            },
            Builtin::LogBase => {
                let u = self.expr(args[0]);
                match self.s.as_num(args[1]).and_then(Rat::to_i64) {
                    Some(2) => self.op(Op::Log2, vec![u]),
                    Some(10) => self.op(Op::Log10, vec![u]),
                    _ => {
                        let b = self.expr(args[1]);
                        let top = self.op(Op::F(Builtin::Log), vec![u]);
                        let bottom = self.op(Op::F(Builtin::Log), vec![b]);
                        Text::new(format!("{}/{}", top.at(PRODUCT), bottom.at(POWER)), PRODUCT)
                    }
                }
            }
            f => {
                let xs: Vec<Text> = args.iter().map(|&a| self.expr(a)).collect();
                self.op(Op::F(f), xs)
            }
        }
    }

    /// log(sigmoid(u)) = -softplus(-u), log(1 - sigmoid(u)) = -softplus(u) and
    /// log(exp(u) + 1) = softplus(u): the forms `eval::stable_log` computes.
    fn stable_log(&mut self, arg: ExprId) -> Option<Text> {
        let s = self.s;
        let sigmoid_of = |e: ExprId| match s.node(e) {
            Node::Call(Func::Builtin(Builtin::Sigmoid), a) => Some(a[0]),
            _ => None,
        };
        let softplus = |w: &mut Writer, u: Text| w.op(Op::F(Builtin::Softplus), vec![u]);
        if let Some(u) = sigmoid_of(arg) {
            let u = neg(self.expr(u));
            return Some(neg(softplus(self, u)));
        }
        let Node::Add(ts) = s.node(arg) else {
            return None;
        };
        let [t, one] = ts[..] else {
            return None;
        };
        if !s.as_num(one).is_some_and(Rat::is_one) {
            return None;
        }
        match s.node(t) {
            Node::Mul(fs) if fs.len() == 2 && s.as_num(fs[0]).is_some_and(Rat::is_minus_one) => {
                let u = sigmoid_of(fs[1])?;
                let u = self.expr(u);
                Some(neg(softplus(self, u)))
            }
            &Node::Pow(b, x) if matches!(s.node(b), Node::Const(Constant::E)) => {
                let u = self.expr(x);
                Some(softplus(self, u))
            }
            _ => None,
        }
    }
}
