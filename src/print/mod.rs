//! Stage 4, print: one layout (precedence, signs, fractions) shared by the plain, Unicode
//! and LaTeX styles; each style only chooses tokens. JSON wraps these (see `json.rs`).

pub mod cse;
pub mod emit;
pub mod float;
pub mod json;
mod name;
pub mod shape;

pub use float::float;

use crate::expr::{Builtin, Constant, ExprId, Func, Node, Rat, Store};
pub use name::render_name;
use name::{subscript, superscript, write_name};
use rustc_hash::FxHashMap;
use std::fmt::Write;

/// How an expression is written: one layout, the tokens of one of these.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Style {
    /// ASCII text that `deriv` parses back.
    Plain,
    /// For people at a terminal: π, ·, superscripts, √.
    Unicode,
    /// For documents.
    Latex,
}

const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const POWER: u8 = 3;
const ATOM: u8 = 4;

/// `e` written in `style`. Printing lays out, it does not simplify: tidy `e` first for
/// the form people read.
pub fn render(store: &Store, e: ExprId, style: Style) -> String {
    render_named(store, e, style, &FxHashMap::default())
}

/// `e` as a message quotes it: in full when short, otherwise cut to what a reader can
/// take in (a number to its leading digits and its size, an expression to its two ends),
/// so that no message is longer than a screen whatever the expression (`h16(x)` at a
/// point unfolds to a number of 20,000 digits and an expression 65,536 levels deep).
pub fn quote(store: &Store, e: ExprId, style: Style) -> String {
    const MAX_CHARS: usize = 160;
    const MAX_NODES: u64 = 4_000;
    if let Some(r) = store.as_num(e)
        && r.is_integer()
        && r.numer().bits() > 512
    {
        let digits = r.numer().magnitude().to_string();
        let sign = if r.is_negative() { "-" } else { "" };
        return format!(
            "{sign}{}.{}…×10^{} (a number of {} digits)",
            &digits[..1],
            &digits[1..6],
            digits.len() - 1,
            digits.len()
        );
    }
    let size = store.tree_size(&[e]);
    if size > MAX_NODES {
        return format!("an expression of {size} subexpressions (too long to quote)");
    }
    let text = render(store, e, style);
    if text.chars().count() <= MAX_CHARS {
        return text;
    }
    let head: String = text.chars().take(MAX_CHARS * 2 / 3).collect();
    let tail: Vec<char> = text.chars().rev().take(MAX_CHARS / 3).collect();
    let tail: String = tail.into_iter().rev().collect();
    format!("{head} … {tail}")
}

/// Renders `e`, writing the subexpressions in `names` by their names (the `--cse` form;
/// `e` itself is written out even when it has a name, since it is being defined).
pub fn render_named(
    store: &Store,
    e: ExprId,
    style: Style,
    names: &FxHashMap<ExprId, String>,
) -> String {
    let mut p = Printer {
        s: store,
        style,
        out: String::new(),
        names,
        root: e,
        lengths: None,
    };
    p.expr(e, 0);
    p.out
}

/// The length of `render(store, e, Style::Plain)`, with the lengths of the subexpressions
/// printed remembered in `lengths` (a subexpression's text is the same wherever it
/// stands, up to the parentheses around it): measuring many expressions that share parts
/// costs each part once. For tidy, which keeps a rewrite only if it prints shorter.
pub fn plain_len(store: &Store, e: ExprId, lengths: &mut FxHashMap<ExprId, u32>) -> usize {
    let names = FxHashMap::default();
    let mut p = Printer {
        s: store,
        style: Style::Plain,
        out: String::new(),
        names: &names,
        root: e,
        lengths: Some(lengths),
    };
    p.expr(e, 0);
    p.out.len()
}

struct Printer<'a> {
    s: &'a Store,
    style: Style,
    out: String,
    names: &'a FxHashMap<ExprId, String>,
    root: ExprId,
    /// When measuring (`plain_len`): the text length of each node measured so far.
    lengths: Option<&'a mut FxHashMap<ExprId, u32>>,
}

/// A factor of a product or of a denominator: `base^exp` with a positive rational power
/// (the denominator of `x/y^2` holds (y, 2)), or a whole expression.
#[derive(Clone)]
enum Item {
    Number(Rat),
    Power(ExprId, Rat),
    Expr(ExprId),
}

impl Printer<'_> {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn u(&self) -> bool {
        self.style == Style::Unicode
    }
    fn tex(&self) -> bool {
        self.style == Style::Latex
    }

    fn open(&mut self) {
        self.w(if self.tex() { "\\left(" } else { "(" });
    }
    fn close(&mut self) {
        self.w(if self.tex() { "\\right)" } else { ")" });
    }

    /// The precedence at which `e` is written (how tightly it holds together).
    #[inline(always)]
    fn prec(&self, e: ExprId) -> u8 {
        match self.s.node(e) {
            Node::Num(r) => {
                // A huge integer prints as `2×10⁶⁰` in Unicode and LaTeX: a product.
                let sci = || {
                    self.style != Style::Plain && float::exact_scientific(r, self.style).is_some()
                };
                if r.is_negative() || !r.is_integer() || (!matches!(r, Rat::Small(..)) && sci()) {
                    PRODUCT
                } else {
                    ATOM
                }
            }
            Node::Add(_) => SUM,
            Node::Mul(_) => PRODUCT,
            Node::Pow(b, x) => match (self.s.node(*b), self.s.node(*x)) {
                (_, Node::Num(r)) if r.is_negative() => PRODUCT,
                (Node::Const(Constant::E), _) => ATOM,
                (_, Node::Num(r)) if *r == Rat::Small(1, 2) => ATOM,
                _ => POWER,
            },
            _ => ATOM,
        }
    }

    fn expr(&mut self, e: ExprId, min: u8) {
        // Printing builds no node, so it looks for Ctrl-C itself: a session drops what
        // was written when the flag is set (`repl`).
        if crate::expr::interrupted() {
            return;
        }
        if e != self.root
            && let Some(n) = self.names.get(&e)
        {
            let n = n.clone();
            return self.name(&n);
        }
        if self.prec(e) < min {
            self.open();
            self.expr(e, 0);
            self.close();
            return;
        }
        // Measuring (`plain_len`): a part measured before is counted, not written again.
        if let Some(&n) = self.lengths.as_ref().and_then(|m| m.get(&e)) {
            self.out.extend(std::iter::repeat_n(' ', n as usize));
            return;
        }
        let start = self.out.len();
        self.expr_body(e);
        if let Some(m) = self.lengths.as_mut() {
            m.insert(e, (self.out.len() - start) as u32);
        }
    }

    fn expr_body(&mut self, e: ExprId) {
        match self.s.node(e) {
            Node::Num(r) => self.number(r),
            Node::Const(Constant::Pi) => self.w(match self.style {
                Style::Plain => "pi",
                Style::Unicode => "π",
                Style::Latex => "\\pi",
            }),
            Node::Const(Constant::E) => self.w("e"),
            Node::Sym(n) => {
                let s = self.s;
                self.name(s.name(*n))
            }
            Node::Add(ts) => self.sum(ts),
            Node::Mul(_) => {
                let s = self.s;
                self.product(s.term_coef(e), s.term_factors(&e));
            }
            Node::Pow(b, x) => {
                let (b, x) = (*b, *x);
                match self.s.node(x) {
                    Node::Num(r) if r.is_negative() => self.product(&Rat::ONE, &[e]),
                    Node::Num(r) => self.power(b, Some(r.clone()), x),
                    _ => self.power(b, None, x),
                }
            }
            Node::Call(f, args) => self.call(f, args),
            Node::Undefined => self.w("undefined"),
        }
    }

    /// Does the integer `r` print as a product (`2×10⁶⁰` in Unicode and LaTeX)?
    fn number_is_product(&self, r: &Rat) -> bool {
        self.style != Style::Plain
            && !matches!(r, Rat::Small(..))
            && float::exact_scientific(r, self.style).is_some()
    }

    fn number(&mut self, r: &Rat) {
        if let Rat::Small(n, 1) = r {
            return push_int(&mut self.out, *n);
        }
        // 1/10^300 as 1e-300: what a person writes, and it reads back exactly.
        if let Some(sci) = float::exact_scientific(r, self.style) {
            return self.w(&sci);
        }
        if self.tex() && !r.is_integer() {
            let (n, d) = (r.numer(), r.denom());
            if r.is_negative() {
                self.w("-");
            }
            let n = if r.is_negative() { -n } else { n };
            let _ = write!(self.out, "\\frac{{{n}}}{{{d}}}");
            return;
        }
        let _ = write!(self.out, "{r}");
    }

    fn name(&mut self, name: &str) {
        write_name(&mut self.out, name, self.style);
    }

    fn sum(&mut self, ts: &[ExprId]) {
        // A person starts with a positive term: 1 - x, not -x + 1.
        let first = match self.s.is_negated(ts[0]) {
            true => ts.iter().position(|&t| !self.s.is_negated(t)).unwrap_or(0),
            false => 0,
        };
        let order = std::iter::once(ts[first]).chain(
            ts.iter()
                .enumerate()
                .filter(|&(i, _)| i != first)
                .map(|(_, &t)| t),
        );
        let s = self.s;
        for (i, t) in order.enumerate() {
            let (c, fs) = (s.term_coef(t), s.term_factors(&t));
            if i == 0 {
                self.product(c, fs);
            } else if c.is_negative() {
                self.w(" - ");
                self.product(&c.neg(), fs);
            } else {
                self.w(" + ");
                self.product(c, fs);
            }
        }
    }

    /// coef · Π factors, with factors of negative power moved under a fraction bar.
    fn product(&mut self, coef: &Rat, factors: &[ExprId]) {
        // The common case, an integer coefficient and no denominator, written directly.
        let plain_tokens = self.style == Style::Plain;
        if plain_tokens
            && coef.is_integer()
            && factors.iter().all(|&f| match self.s.node(f) {
                Node::Pow(_, x) => !matches!(self.s.node(*x), Node::Num(r) if r.is_negative()),
                _ => true,
            })
        {
            if coef.is_minus_one() && !factors.is_empty() {
                self.w("-");
            } else if !coef.is_one() || factors.is_empty() {
                self.number(coef);
                if !factors.is_empty() {
                    self.w("*");
                }
            }
            for (i, &f) in factors.iter().enumerate() {
                if i > 0 {
                    self.w("*");
                }
                self.expr(f, POWER);
            }
            return;
        }
        let mut num: Vec<Item> = Vec::new();
        let mut den: Vec<Item> = Vec::new();
        let negative = coef.is_negative();
        let c = if negative { coef.neg() } else { coef.clone() };
        let (p, q) = c.split();
        for &f in factors {
            match self.s.node(f) {
                Node::Pow(b, x) => match self.s.node(*x) {
                    Node::Num(r) if r.is_negative() => den.push(Item::Power(*b, r.neg())),
                    _ => num.push(Item::Expr(f)),
                },
                _ => num.push(Item::Expr(f)),
            }
        }
        if !p.is_one() || num.is_empty() {
            num.insert(0, Item::Number(p));
        }
        if !q.is_one() {
            den.insert(0, Item::Number(q));
        }
        if negative {
            self.w("-");
        }
        if self.tex() && !den.is_empty() {
            // A lone sum needs no parentheses inside \frac{}{}: its bar groups it.
            let part = |p: &mut Self, items: &[Item]| match items {
                [Item::Expr(e)] => p.expr(*e, 0),
                [Item::Power(b, k)] if k.is_one() => p.expr(*b, 0),
                _ => p.items(items, false),
            };
            self.w("\\frac{");
            part(self, &num);
            self.w("}{");
            part(self, &den);
            self.w("}");
            return;
        }
        self.items(&num, false);
        if !den.is_empty() {
            self.w("/");
            let group = match &den[..] {
                [Item::Number(q)] => self.number_is_product(q),
                _ => den.len() > 1,
            };
            self.items(&den, group);
        }
    }

    fn items(&mut self, items: &[Item], group: bool) {
        if group {
            self.open();
        }
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                // A number printed as `2×10⁶⁰` ends in a superscript: nothing may join it.
                let prev_number = match &items[i - 1] {
                    Item::Number(r) => !self.number_is_product(r),
                    _ => false,
                };
                let starts_digit = self.starts_digit(it);
                match self.style {
                    Style::Plain => self.w("*"),
                    Style::Unicode => {
                        if !prev_number || starts_digit || !self.joins_number(it) {
                            self.w("·")
                        }
                    }
                    Style::Latex => self.w(if starts_digit { " \\cdot " } else { " " }),
                }
            }
            match it {
                Item::Number(r) => self.number(r),
                Item::Expr(e) => self.expr(*e, POWER),
                Item::Power(b, k) => {
                    if k.is_one() {
                        self.expr(*b, POWER)
                    } else {
                        self.power_rat(*b, k)
                    }
                }
            }
        }
        if group {
            self.close();
        }
    }

    /// Does the item print starting with a digit (so that after a number it needs `·`)?
    fn starts_digit(&self, it: &Item) -> bool {
        match it {
            Item::Number(_) => true,
            Item::Power(b, _) => self.s.as_num(*b).is_some(),
            Item::Expr(e) => match self.s.node(*e) {
                Node::Num(_) => true,
                Node::Pow(b, x) => {
                    self.s.as_num(*b).is_some()
                        && !(self.u() && self.s.as_num(*x) == Some(&Rat::Small(1, 2)))
                }
                _ => false,
            },
        }
    }

    /// Can the item follow a number directly in Unicode and read back as a product (`2x`,
    /// `2√x`)? Not `|x|` (in `|y - 2|x|` the bar closes) nor a name like `e1` (`2e1` is 20).
    fn joins_number(&self, it: &Item) -> bool {
        let e = match it {
            Item::Number(_) => return false,
            Item::Power(_, k) if *k == Rat::Small(1, 2) => return true,
            Item::Power(b, _) => *b,
            Item::Expr(e) => *e,
        };
        let name = match self.s.node(self.first_atom(e)) {
            Node::Call(Func::Builtin(Builtin::Abs), _) => return false,
            Node::Sym(n) | Node::Call(Func::Index(n), _) => self.s.name(*n),
            Node::Call(Func::Unknown { name, derivs }, args)
                if derivs.is_empty() || args.len() == 1 =>
            {
                self.s.name(*name)
            }
            _ => return true,
        };
        let mut cs = name.chars();
        !(matches!(cs.next(), Some('e' | 'E')) && cs.next().is_some_and(|c| c.is_ascii_digit()))
    }

    /// The atom `e` prints first: the base of a power written `b^k` or `b²`, else `e`.
    fn first_atom(&self, e: ExprId) -> ExprId {
        let mut e = e;
        while let Node::Pow(b, x) = self.s.node(e) {
            let root = self.s.as_num(*x) == Some(&Rat::Small(1, 2));
            let exp = matches!(self.s.node(*b), Node::Const(Constant::E));
            if root || exp || self.prec(*b) < ATOM {
                break;
            }
            e = *b;
        }
        e
    }

    /// base^k for a positive rational k that is not stored as a node (denominators).
    fn power_rat(&mut self, b: ExprId, k: &Rat) {
        if *k == Rat::Small(1, 2) {
            return self.sqrt(b);
        }
        self.expr(b, ATOM);
        self.exponent_rat(k);
    }

    fn exponent_rat(&mut self, k: &Rat) {
        if let (Style::Plain, Rat::Small(n, 1)) = (self.style, k) {
            self.w("^");
            return push_int(&mut self.out, *n);
        }
        let s = k.to_string();
        match self.style {
            Style::Plain => {
                if k.is_integer() {
                    let _ = write!(self.out, "^{s}");
                } else {
                    let _ = write!(self.out, "^({s})");
                }
            }
            Style::Unicode => match (k.is_integer(), superscript(&s)) {
                (true, Some(sup)) => self.w(&sup),
                _ => {
                    let _ = write!(self.out, "^({s})");
                }
            },
            Style::Latex => {
                self.w("^{");
                self.number(k);
                self.w("}");
            }
        }
    }

    fn sqrt(&mut self, b: ExprId) {
        match self.style {
            Style::Plain => {
                self.w("sqrt(");
                self.expr(b, 0);
                self.w(")");
            }
            Style::Unicode => {
                self.w("√");
                self.expr(b, ATOM);
            }
            Style::Latex => {
                self.w("\\sqrt{");
                self.expr(b, 0);
                self.w("}");
            }
        }
    }

    fn power(&mut self, b: ExprId, k: Option<Rat>, x: ExprId) {
        if matches!(self.s.node(b), Node::Const(Constant::E)) {
            if self.tex() {
                self.w("e^{");
                self.expr(x, 0);
                self.w("}");
            } else {
                self.w("exp(");
                self.expr(x, 0);
                self.w(")");
            }
            return;
        }
        if let Some(k) = &k {
            if *k == Rat::Small(1, 2) {
                return self.sqrt(b);
            }
            // sin(x)^2 as \sin^{2}\left(x\right) in LaTeX
            if self.tex()
                && k.is_integer()
                && k.is_positive()
                && let Node::Call(Func::Builtin(f), args) = self.s.node(b)
                && f.arity() == (1, 1)
                && !matches!(f, Builtin::Abs | Builtin::Floor | Builtin::Ceil)
            {
                let _ = write!(self.out, "{}^{{{k}}}", latex_fn(*f));
                self.open();
                self.expr(args[0], 0);
                self.close();
                return;
            }
            self.expr(b, ATOM);
            return self.exponent_rat(k);
        }
        self.expr(b, ATOM);
        match self.style {
            Style::Latex => {
                self.w("^{");
                self.expr(x, 0);
                self.w("}");
            }
            _ => {
                self.w("^");
                // Right-associative: x^y^z needs no parentheses; a leading minus does.
                if self.s.is_negated(x) {
                    self.open();
                    self.expr(x, 0);
                    self.close();
                } else {
                    self.expr(x, POWER);
                }
            }
        }
    }

    fn call(&mut self, f: &Func, args: &[ExprId]) {
        match f {
            Func::Index(name) => {
                let s = self.s;
                self.name(s.name(*name));
                self.w("[");
                for (i, &a) in args.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.expr(a, 0);
                }
                self.w("]");
                return;
            }
            Func::Sum(var) => {
                let s = self.s;
                self.w("sum(");
                self.name(s.name(*var));
                self.w(" = ");
                self.expr(args[0], 0);
                self.w("..");
                self.expr(args[1], 0);
                self.w(", ");
                self.expr(args[2], 0);
                self.w(")");
                return;
            }
            Func::Builtin(b @ (Builtin::Abs | Builtin::Floor | Builtin::Ceil))
                if self.style != Style::Plain =>
            {
                let (l, r) = match b {
                    Builtin::Abs => ("|", "|"),
                    Builtin::Floor => ("⌊", "⌋"),
                    _ => ("⌈", "⌉"),
                };
                let (l, r) = match (self.tex(), b) {
                    (false, _) => (l, r),
                    (true, Builtin::Abs) => ("\\left|", "\\right|"),
                    (true, Builtin::Floor) => ("\\left\\lfloor ", "\\right\\rfloor "),
                    (true, _) => ("\\left\\lceil ", "\\right\\rceil "),
                };
                self.w(l);
                self.expr(args[0], 0);
                self.w(r);
                return;
            }
            Func::Builtin(Builtin::LogBase) => return self.log_base(args[0], args[1]),
            Func::Builtin(b) => self.w(if self.tex() { latex_fn(*b) } else { b.name() }),
            Func::Unknown { name, derivs } => {
                let s = self.s;
                self.unknown_head(s.name(*name), derivs, args.len());
            }
        }
        self.open();
        for (i, &a) in args.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.expr(a, 0);
        }
        self.close();
    }

    /// log(u, b): `log2(u)` and `log10(u)` as typed, `log(u, b)` for another base (also in
    /// Unicode, where `log₂` would read back as a function named `log_2`); `\log_{b}(u)` in
    /// LaTeX.
    fn log_base(&mut self, u: ExprId, b: ExprId) {
        let small = match self.s.as_num(b) {
            Some(Rat::Small(k, 1)) if *k > 1 => Some(*k),
            _ => None,
        };
        match (self.style, small) {
            (Style::Plain | Style::Unicode, Some(k @ (2 | 10))) => {
                let _ = write!(self.out, "log{k}(");
            }
            (Style::Plain | Style::Unicode, _) => {
                self.w("log(");
                self.expr(u, 0);
                self.w(", ");
                self.expr(b, 0);
                self.w(")");
                return;
            }
            (Style::Latex, _) => {
                self.w("\\log_{");
                self.expr(b, 0);
                self.w("}");
                self.open();
                self.expr(u, 0);
                self.close();
                return;
            }
        }
        self.expr(u, 0);
        self.w(")");
    }

    /// `f'`, `f''`, and for several arguments `D[1,2](f)`, `∂₁∂₂f`, `\partial_{1}\partial_{2} f`.
    fn unknown_head(&mut self, fname: &str, derivs: &[u32], arity: usize) {
        if derivs.is_empty() {
            return self.name(fname);
        }
        if arity == 1 {
            self.name(fname);
            let prime = if self.u() { "′" } else { "'" };
            for _ in derivs {
                self.w(prime);
            }
            return;
        }
        match self.style {
            Style::Plain => {
                let idx: Vec<String> = derivs.iter().map(|d| (d + 1).to_string()).collect();
                let _ = write!(self.out, "D[{}](", idx.join(","));
                self.name(fname);
                self.w(")");
            }
            Style::Unicode => {
                for d in derivs {
                    self.w("∂");
                    self.w(&subscript(&(d + 1).to_string()).unwrap_or_default());
                }
                self.name(fname);
            }
            Style::Latex => {
                for d in derivs {
                    let _ = write!(self.out, "\\partial_{{{}}}", d + 1);
                }
                self.w(" ");
                self.name(fname);
            }
        }
    }
}

/// Writes an integer without going through `fmt`: the printer writes millions of them.
fn push_int(out: &mut String, n: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

fn latex_fn(b: Builtin) -> &'static str {
    match b {
        Builtin::Sin => "\\sin",
        Builtin::Cos => "\\cos",
        Builtin::Tan => "\\tan",
        Builtin::Sec => "\\sec",
        Builtin::Csc => "\\csc",
        Builtin::Cot => "\\cot",
        Builtin::Asin => "\\arcsin",
        Builtin::Acos => "\\arccos",
        Builtin::Atan => "\\arctan",
        Builtin::Sinh => "\\sinh",
        Builtin::Cosh => "\\cosh",
        Builtin::Tanh => "\\tanh",
        Builtin::Log => "\\log",
        Builtin::Abs => "\\operatorname{abs}",
        Builtin::Sigmoid => "\\operatorname{sigmoid}",
        Builtin::Asinh => "\\operatorname{arsinh}",
        Builtin::Acosh => "\\operatorname{arcosh}",
        Builtin::Atanh => "\\operatorname{artanh}",
        Builtin::Erf => "\\operatorname{erf}",
        Builtin::Softplus => "\\operatorname{softplus}",
        Builtin::Relu => "\\operatorname{relu}",
        Builtin::Heaviside => "\\operatorname{heaviside}",
        Builtin::Sign => "\\operatorname{sgn}",
        Builtin::Floor => "\\operatorname{floor}",
        Builtin::Ceil => "\\operatorname{ceil}",
        Builtin::Atan2 => "\\operatorname{atan2}",
        Builtin::LogBase => "\\log",
        Builtin::Max => "\\max",
        Builtin::Min => "\\min",
        Builtin::Logsumexp => "\\operatorname{logsumexp}",
    }
}
