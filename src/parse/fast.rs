//! A hand-written recursive-descent parser for the common case, building straight into
//! the store. It accepts a subset of the pest grammar (ASCII text, no primes, no `D[...]`)
//! and gives up (`None`) on anything else, including every error; the pest parser then
//! decides, so pest's grammar stays the definition of the language and the source of
//! every diagnostic. Where this parser succeeds it builds exactly what `build` builds from
//! pest's pairs, with the same constructor calls (checked by tests/parse_agree.rs).
//!
//! Why it exists: pest spends about 600 instructions per input byte on this grammar,
//! which made parsing 70% of a batch of small expressions and its token queue 98% of
//! the memory for a 100,000-term sum (see docs/architecture.md).

use crate::expr::{Constant, ExprId, Func, Rat, Store};

struct P<'a> {
    /// The text (ASCII, so any byte offset is a char boundary) and its bytes.
    t: &'a str,
    b: &'a [u8],
    i: usize,
    /// The first few names met, with their nodes.
    names: Vec<(&'a str, ExprId)>,
}

pub fn parse(store: &mut Store, text: &str) -> Option<ExprId> {
    if !text.is_ascii() {
        return None;
    }
    let mut p = P {
        t: text,
        b: text.as_bytes(),
        i: 0,
        names: Vec::new(),
    };
    p.ws();
    let e = p.sum(store)?;
    p.ws();
    (p.i == p.b.len()).then_some(e)
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Implicit whitespace, as pest's WHITESPACE rule: spaces and tabs.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    // sum = { product ~ (add_op ~ product)* }
    fn sum(&mut self, s: &mut Store) -> Option<ExprId> {
        let mut terms = vec![self.product(s)?];
        loop {
            let save = self.i;
            self.ws();
            let neg = match self.peek() {
                Some(b'+') => false,
                Some(b'-') => true,
                _ => {
                    self.i = save;
                    break;
                }
            };
            self.i += 1;
            self.ws();
            let t = self.product(s)?;
            terms.push(if neg { s.neg(t) } else { t });
        }
        Some(if terms.len() == 1 {
            terms[0]
        } else {
            s.add(terms)
        })
    }

    // product = { factor ~ (mul_op ~ factor)* }, mul_op = { !"**" ~ ("*" | "/") }
    fn product(&mut self, s: &mut Store) -> Option<ExprId> {
        let mut factors = vec![self.factor(s)?];
        loop {
            let save = self.i;
            self.ws();
            let div = match (self.peek(), self.b.get(self.i + 1)) {
                (Some(b'*'), Some(b'*')) => {
                    self.i = save;
                    break;
                }
                (Some(b'*'), _) => false,
                (Some(b'/'), _) => true,
                _ => {
                    self.i = save;
                    break;
                }
            };
            self.i += 1;
            self.ws();
            let f = self.factor(s)?;
            factors.push(if div { s.recip(f) } else { f });
        }
        Some(if factors.len() == 1 {
            factors[0]
        } else {
            s.mul(factors)
        })
    }

    // factor = { sign* ~ (implicit | power) }
    fn factor(&mut self, s: &mut Store) -> Option<ExprId> {
        let mut negative = false;
        loop {
            match self.peek() {
                Some(b'-') => negative = !negative,
                Some(b'+') => {}
                _ => break,
            }
            self.i += 1;
            self.ws();
        }
        let v = self.implicit_or_power(s)?;
        Some(if negative { s.neg(v) } else { v })
    }

    // implicit = ${ number ~ &(ident_start | "(") ~ power }, else power
    fn implicit_or_power(&mut self, s: &mut Store) -> Option<ExprId> {
        if matches!(self.peek(), Some(c) if c.is_ascii_digit() || c == b'.') {
            let start = self.i;
            let n = self.number(s)?;
            if matches!(self.peek(), Some(c) if ident_start(c) || c == b'(') {
                let r = self.power_from_atom(s, None)?;
                return Some(s.mul2(n, r));
            }
            self.i = start;
        }
        self.power_from_atom(s, None)
    }

    // power = { atom ~ (pow_op ~ factor)? }
    fn power_from_atom(&mut self, s: &mut Store, atom: Option<ExprId>) -> Option<ExprId> {
        let base = match atom {
            Some(a) => a,
            None => self.atom(s)?,
        };
        let save = self.i;
        self.ws();
        let op = match (self.peek(), self.b.get(self.i + 1)) {
            (Some(b'^'), _) => 1,
            (Some(b'*'), Some(b'*')) => 2,
            _ => {
                self.i = save;
                return Some(base);
            }
        };
        self.i += op;
        self.ws();
        let e = self.factor(s)?;
        Some(s.pow(base, e))
    }

    // atom = { number | call | ident | paren }  (no `D[...]`, no primes: pest decides those)
    fn atom(&mut self, s: &mut Store) -> Option<ExprId> {
        match self.peek()? {
            c if c.is_ascii_digit() || c == b'.' => self.number(s),
            b'(' => {
                self.i += 1;
                self.ws();
                let e = self.sum(s)?;
                self.ws();
                (self.peek()? == b')').then_some(())?;
                self.i += 1;
                Some(e)
            }
            c if ident_start(c) => {
                let start = self.i;
                while matches!(self.peek(), Some(c) if ident_continue(c)) {
                    self.i += 1;
                }
                let name = &self.t[start..self.i];
                let after = self.i;
                self.ws();
                match self.peek() {
                    Some(b'(') => self.call(s, name),
                    Some(b'[' | b'\'') => None,
                    _ => {
                        self.i = after;
                        self.name(s, name)
                    }
                }
            }
            _ => None,
        }
    }

    fn name(&mut self, s: &mut Store, name: &'a str) -> Option<ExprId> {
        // Most texts use a few names many times.
        if let Some(&(_, e)) = self.names.iter().find(|(n, _)| *n == name) {
            return Some(e);
        }
        let e = match name {
            "pi" => s.constant(Constant::Pi),
            "e" => s.constant(Constant::E),
            _ if super::is_builtin_name(name) => {
                return None;
            }
            _ => s.sym(name),
        };
        if self.names.len() < 8 {
            self.names.push((name, e));
        }
        Some(e)
    }

    fn call(&mut self, s: &mut Store, name: &str) -> Option<ExprId> {
        self.i += 1; // (
        self.ws();
        let mut args = Vec::new();
        if self.peek()? != b')' {
            loop {
                args.push(self.sum(s)?);
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        self.ws();
                    }
                    b')' => break,
                    _ => return None,
                }
            }
        }
        self.i += 1; // )
        match super::builtin_call(s, name, &args) {
            Some(r) => r.ok(),
            None if matches!(name, "pi" | "e") || args.is_empty() => None,
            None => {
                let n = s.intern_name(name);
                Some(s.call(
                    Func::Unknown {
                        name: n,
                        derivs: Box::default(),
                    },
                    args,
                ))
            }
        }
    }

    // number = @{ (digits ("." digits*)? | "." digits) (^"e" [+-]? digits)? }
    fn number(&mut self, s: &mut Store) -> Option<ExprId> {
        let start = self.i;
        // The common case, a short integer, without building a string to parse.
        let mut v: i64 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            if self.i - start == 18 {
                break;
            }
            v = v * 10 + i64::from(c - b'0');
            self.i += 1;
        }
        if self.i > start && !matches!(self.peek(), Some(b'.' | b'e' | b'E' | b'0'..=b'9')) {
            return Some(s.int(v));
        }
        self.i = start;
        let digits = |p: &mut P| {
            let k = p.i;
            while matches!(p.peek(), Some(c) if c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i - k
        };
        if digits(self) > 0 {
            if self.peek() == Some(b'.') && self.b.get(self.i + 1) != Some(&b'.') {
                self.i += 1;
                digits(self);
            }
        } else {
            (self.peek()? == b'.').then_some(())?;
            self.i += 1;
            (digits(self) > 0).then_some(())?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                self.i = save;
            }
        }
        Rat::parse_decimal(&self.t[start..self.i]).map(|r| s.num(r))
    }
}
