//! Powers, canonical as they are built: numbers folded exactly (roots taken out of
//! integers: sqrt(8) = 2*sqrt(2)), powers of powers joined where that holds for every
//! real value, the content of a sum taken out of an integer power, and logarithms taken
//! out of exponentials (exp(2*log(x)) = x^2).

use super::canon::MAX_FOLD_BITS;
use super::{Builtin, Constant, ExprId, Fault, Func, Node, Rat, Store};

/// A fractional content of a sum comes out of its integer power k only while the
/// content's denominator to the power k has at most this many bits (see `content`).
const MAX_CONTENT_BITS: u64 = 16;

impl Store {
    /// b^e in canonical form: numbers raised exactly (square factors taken out of
    /// roots), a power of a power combined only where that holds for every real base.
    pub fn pow(&mut self, b: ExprId, e: ExprId) -> ExprId {
        if self.is_undefined(b) {
            return b;
        }
        if self.is_undefined(e) {
            return e;
        }
        if let Some(r) = self.as_num(e) {
            if r.is_zero() {
                return self.one(); // including 0^0, by convention (documented)
            }
            if r.is_one() {
                return b;
            }
        }
        // (p^a)^b = p^(a·b) for a positive constant p and any real a and b:
        // (e^(5y))^(3x/y) = e^(15x), sqrt(2^x) = 2^(x/2).
        if let &Node::Pow(p, a) = self.node(b)
            && match self.node(p) {
                Node::Const(_) => true,
                Node::Num(x) => x.is_positive(),
                _ => false,
            }
        {
            let ae = self.mul(vec![a, e]);
            return self.pow(p, ae);
        }
        // Only what a rule needs is copied out of the nodes: never a list of children
        // unless that rule rewrites them.
        let k = self.as_num(e).cloned();
        let Some(k) = k else {
            return self.pow_symbolic(b, e);
        };
        match self.node(b) {
            Node::Num(x) if x.is_one() => self.one(),
            Node::Num(x) if x.is_zero() => {
                if k.is_negative() {
                    self.undefined(Fault::DivisionByZero { divisor: b })
                } else {
                    self.zero()
                }
            }
            Node::Num(x) => {
                let x = x.clone();
                self.pow_num(b, &x, e, &k)
            }
            // (u^k)^r = u^(k·r) for an integer r, and also for an odd integer k and a
            // rational r: with real odd roots both sides are defined at the same points
            // and agree there ((1/x)^(1/2) = x^(-1/2)). And for a root of even index k
            // (sqrt(sqrt(x)) = x^(1/4)): both sides agree where u^k is defined, u ≥ 0.
            &Node::Pow(bb, be)
                if k.is_integer()
                    || self
                        .as_num(be)
                        .is_some_and(|r| r.is_odd_integer() || !r.denom().bit(0)) =>
            {
                let ne = self.mul(vec![be, e]);
                self.pow(bb, ne)
            }
            // (u^k)^r = |u|^(k·r) for an even k: (x^2)^(1/2) = |x|.
            &Node::Pow(bb, be) if self.as_num(be).is_some_and(|r| r.is_integer()) => {
                let a = self.builtin(Builtin::Abs, bb);
                let ne = self.mul(vec![be, e]);
                self.pow(a, ne)
            }
            // |u|^(p/q) = u^(p/q) for an even p and an odd q: abs(x)^2 = x^2. (With real
            // odd roots, u^(p/q) for an even p is never negative.)
            Node::Call(Func::Builtin(Builtin::Abs), args)
                if !k.numer().bit(0) && k.denom().bit(0) =>
            {
                let u = args[0];
                self.pow(u, e)
            }
            // (2x + 2y)^k = 2^k·(x + y)^k: the positive rational content of a sum comes
            // out of an integer power, so 1/(2*(x + y)) and 1/(2*x + 2*y) are one node.
            Node::Add(ts) if k.is_integer() => {
                let content = self.content(ts, &k);
                if content.is_one() {
                    return self.intern(Node::Pow(b, e));
                }
                let ts = ts.clone();
                let inv = self.num(content.recip().expect("content is positive"));
                let scaled: Vec<ExprId> = ts.iter().map(|&t| self.mul(vec![inv, t])).collect();
                let primitive = self.add(scaled);
                let c = self.num(content);
                let cp = self.pow(c, e);
                let pp = self.pow(primitive, e);
                self.mul(vec![cp, pp])
            }
            Node::Mul(fs) if k.is_integer() => {
                let fs = fs.clone();
                let ps: Vec<ExprId> = fs.iter().map(|&f| self.pow(f, e)).collect();
                self.mul(ps)
            }
            _ => self.intern(Node::Pow(b, e)),
        }
    }

    /// u^v for a v that is not a number.
    fn pow_symbolic(&mut self, b: ExprId, e: ExprId) -> ExprId {
        match self.node(b) {
            Node::Const(Constant::E) => {
                if let Some(r) = self.exp_of_logs(e) {
                    return r;
                }
            }
            Node::Num(x) if x.is_one() => return self.one(),
            // 0^u = 0 for u > 0 (and undefined for u < 0, which is left as it is).
            Node::Num(x) if x.is_zero() && self.is_positive(e) => return self.zero(),
            _ => {}
        }
        self.intern(Node::Pow(b, e))
    }

    /// e^x with the logarithms in x taken out, `None` if it has none: e^(k·log(u)) = u^k
    /// and e^(log(u) + v) = u·e^v, which hold wherever log(u) is defined (u > 0). Only a
    /// number times a logarithm: e^(y·log(x)) stays (x^y is no shorter once differentiated).
    fn exp_of_logs(&mut self, x: ExprId) -> Option<ExprId> {
        let Node::Add(ts) = self.node(x) else {
            let (k, u) = self.number_times_log(x)?;
            return Some(self.pow(u, k));
        };
        if !ts.iter().any(|&t| self.number_times_log(t).is_some()) {
            return None;
        }
        let ts = ts.to_vec();
        let (mut factors, mut rest) = (Vec::new(), Vec::new());
        for t in ts {
            match self.number_times_log(t) {
                Some((k, u)) => factors.push(self.pow(u, k)),
                None => rest.push(t),
            }
        }
        let r = self.add(rest);
        factors.push(self.exp(r));
        Some(self.mul(factors))
    }

    /// (k, u) for a term k·log(u) with a number k (1 when the term is the call).
    fn number_times_log(&self, t: ExprId) -> Option<(ExprId, ExprId)> {
        let log_of = |f: ExprId| match self.node(f) {
            Node::Call(Func::Builtin(Builtin::Log), args) => Some(args[0]),
            _ => None,
        };
        match self.node(t) {
            Node::Mul(fs) if fs.len() == 2 && self.as_num(fs[0]).is_some() => {
                Some((fs[0], log_of(fs[1])?))
            }
            _ => Some((self.one(), log_of(t)?)),
        }
    }

    /// The positive rational g with every term's coefficient an integer multiple of g and
    /// the coefficients' gcd 1 after dividing by it (1 when there is nothing to take out),
    /// for the power k of the sum of `ts`.
    fn content(&self, ts: &[ExprId], k: &Rat) -> Rat {
        use num_integer::Integer;
        // The common case in machine words: every coefficient a small integer.
        let mut g: i64 = 0;
        let mut small = true;
        for &t in ts {
            match self.term_coef(t) {
                Rat::Small(n, 1) if *n != i64::MIN => g = g.gcd(n),
                _ => {
                    small = false;
                    break;
                }
            }
        }
        if small {
            return if g <= 1 { Rat::ONE } else { Rat::int(g) };
        }
        let mut num = num_bigint::BigInt::from(0);
        let mut den = num_bigint::BigInt::from(1);
        for &t in ts {
            let c = self.term_coef(t);
            let (n, d) = (c.numer(), c.denom());
            num = num.gcd(&n);
            den = den.lcm(&d);
        }
        // A fractional content comes out only while its power is a small number
        // (1/(1 - x^2/4) is 4/(4 - x^2)): (x - 3/5)^39 keeps its shape instead of
        // becoming (5*x - 3)^39/363797880709171295166015625.
        let power_bits = k
            .to_i64()
            .map_or(u64::MAX, |k| den.bits().saturating_mul(k.unsigned_abs()));
        let fractional = den != num_bigint::BigInt::from(1);
        if num == num_bigint::BigInt::from(0) || (fractional && power_bits > MAX_CONTENT_BITS) {
            return Rat::ONE;
        }
        Rat::from_big(num, den)
    }

    /// x^k for numbers: exact when it folds under `MAX_FOLD_BITS`, symbolic otherwise.
    fn pow_num(&mut self, b: ExprId, x: &Rat, e: ExprId, k: &Rat) -> ExprId {
        if let Some(n) = k.to_i64() {
            let bits = x.bits().saturating_mul(n.unsigned_abs());
            if bits <= MAX_FOLD_BITS
                && self.may_compute(bits)
                && let Some(r) = x.pow_int(n)
            {
                return self.num(r);
            }
            return self.intern(Node::Pow(b, e));
        }
        if k.is_integer() {
            // An integer exponent beyond i64 never folds.
            return self.intern(Node::Pow(b, e));
        }
        // A rational exponent p/q: take an exact root when there is one, and otherwise
        // split off the integer part of the exponent (2^(3/2) → 2*2^(1/2)).
        if let Rat::Small(p, q) = *k {
            // The same steps as below, in machine words.
            if q > 64 {
                return self.intern(Node::Pow(b, e));
            }
            if let Some(root) = x.exact_root(q as u32) {
                let r = self.num(root);
                let pe = self.int(p);
                return self.pow(r, pe);
            }
            if let Some(r) = self.take_out_powers(x, p, q, e) {
                return r;
            }
            let whole = p.div_euclid(q);
            if x.is_negative()
                || whole == 0
                || x.bits().saturating_mul(whole.unsigned_abs()) > MAX_FOLD_BITS
            {
                return self.intern(Node::Pow(b, e));
            }
            let frac = k.sub(&Rat::int(whole));
            let we = self.int(whole);
            let fe = self.num(frac);
            let a = self.pow(b, we);
            let c = self.intern(Node::Pow(b, fe));
            return self.mul(vec![a, c]);
        }
        let (p, q) = (k.numer(), k.denom());
        let q32 = match num_traits::ToPrimitive::to_u32(&q) {
            Some(q) if q <= 64 => q,
            _ => return self.intern(Node::Pow(b, e)),
        };
        if let Some(root) = x.exact_root(q32) {
            let r = self.num(root);
            let pe = self.num(Rat::from_bigint(p));
            return self.pow(r, pe);
        }
        if x.is_negative() {
            return self.intern(Node::Pow(b, e));
        }
        let whole = num_integer::Integer::div_floor(&p, &q);
        // Split only when the integer part folds to a number; otherwise `mul` would join
        // the two powers of the same base again.
        let folds = num_traits::ToPrimitive::to_i64(&whole)
            .is_some_and(|w| x.bits().saturating_mul(w.unsigned_abs()) <= MAX_FOLD_BITS);
        if whole == num_bigint::BigInt::from(0) || !folds {
            return self.intern(Node::Pow(b, e));
        }
        let frac = k.sub(&Rat::from_bigint(whole.clone()));
        let we = self.num(Rat::from_bigint(whole));
        let fe = self.num(frac);
        let a = self.pow(b, we);
        let c = self.intern(Node::Pow(b, fe));
        self.mul(vec![a, c])
    }

    /// x^(p/q) for a positive x with the root's denominator made an integer ((1/8)^(1/2)
    /// = 8^(1/2)/8) and the q-th powers in it taken out (8^(1/2) = 2·2^(1/2)); `None` when
    /// there is nothing to do or the numbers would not stay small.
    fn take_out_powers(&mut self, x: &Rat, p: i64, q: i64, e: ExprId) -> Option<ExprId> {
        let Rat::Small(n, d) = *x else {
            return None;
        };
        if n <= 0 {
            return None;
        }
        if d > 1 {
            // (n/d)^(p/q) = (n·d^(q-1))^(p/q) / d^p
            let whole = d.checked_pow(u32::try_from(q - 1).ok()?)?.checked_mul(n)?;
            if Rat::int(d).bits().saturating_mul(p.unsigned_abs()) > MAX_FOLD_BITS {
                return None;
            }
            let c = self.num(Rat::int(d).pow_int(-p)?);
            let w = self.int(whole);
            let root = self.pow(w, e);
            return Some(self.mul(vec![c, root]));
        }
        let (m, r) = super::num::split_power(n as u64, q as u32);
        if m == 1 || Rat::int(m as i64).bits().saturating_mul(p.unsigned_abs()) > MAX_FOLD_BITS {
            return None;
        }
        let c = self.num(Rat::int(m as i64).pow_int(p)?);
        let r = self.int(r as i64);
        let rest = self.pow(r, e);
        Some(self.mul(vec![c, rest]))
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::eval;
    use crate::expr::{ExprId, Node, Store};
    use crate::parse::parse;
    use crate::print::{Style, render};

    fn show(s: &Store, e: ExprId) -> String {
        render(s, e, Style::Plain)
    }

    #[test]
    fn roots_of_numbers_take_out_powers_and_clear_denominators() {
        let mut s = Store::new();
        for (text, want) in [
            ("sqrt(8)", "2*sqrt(2)"),
            ("sqrt(2)*sqrt(8)", "4"),
            ("sqrt(1/8)", "sqrt(2)/4"),
            ("12^(3/2)", "24*sqrt(3)"),
            ("72^(1/3)", "2*9^(1/3)"),
            ("(2/3)^(1/2)", "sqrt(6)/3"),
            ("2^(-1/2)", "sqrt(2)/2"),
            ("sqrt(9973^2*2)", "9973*sqrt(2)"),
            ("sqrt(9973^2)", "9973"),
            // A square of a prime past the trial divisions stays (docs/limits.md).
            ("sqrt(1000003^2*2)", "sqrt(2000012000018)"),
        ] {
            let e = parse(&mut s, text).unwrap();
            assert_eq!(show(&s, e), want, "{text}");
        }
        // Every root of a small fraction agrees with the double, and prints back to itself.
        for n in 1..60i64 {
            for d in 1..12i64 {
                for (p, q) in [(1, 2), (3, 2), (-1, 2), (1, 3), (2, 3), (-5, 4)] {
                    let text = format!("({n}/{d})^({p}/{q})");
                    let e = parse(&mut s, &text).unwrap();
                    let want = (n as f64 / d as f64).powf(p as f64 / q as f64);
                    let got = eval(&s, e, &|_| None).unwrap();
                    assert!(
                        (got - want).abs() < 1e-12 * want,
                        "{text} = {}",
                        show(&s, e)
                    );
                    let shown = show(&s, e);
                    let again = parse(&mut s, &shown).unwrap();
                    assert_eq!(again, e, "{text}");
                }
            }
        }
    }

    /// Each rule holds at every point where the input is defined, including negative
    /// values of the variable.
    #[test]
    fn power_rules_hold_wherever_the_input_is_defined() {
        let cases = [
            ("exp(2*log(x))", "x^2"),
            ("exp(y*log(x))", "exp(y*log(x))"),
            ("log(x*exp(y))", "y + log(x)"),
            ("exp(log(x)/2 - y)", "sqrt(x)*exp(-y)"),
            ("exp(log(x)*log(y) + 1)", "exp(log(x)*log(y) + 1)"),
            ("exp(3*log(x) + log(y) - 1)", "x^3*y/e"),
            ("sqrt(sqrt(x))", "x^(1/4)"),
            ("(x^(1/2))^(2/3)", "x^(1/3)"),
            ("sqrt(x^2)", "abs(x)"),
            ("(x^2)^(3/2)", "abs(x)^3"),
            ("(x^4)^(1/3)", "x^(4/3)"),
            ("abs(x)^2", "x^2"),
            ("abs(x)^(2/3)", "x^(2/3)"),
            ("0^(x^2 + 1)", "0"),
            ("0^exp(x)", "0"),
        ];
        for (text, want) in cases {
            let mut s = Store::new();
            let e = parse(&mut s, text).unwrap();
            assert_eq!(show(&s, e), want, "{text}");
            for x in [-1.7, -0.4, 0.3, 1.1, 2.9] {
                for y in [-0.6, 0.8] {
                    let raw = raw_value(text, x, y);
                    let env = |n| if s.name(n) == "x" { Some(x) } else { Some(y) };
                    if let Some(raw) = raw {
                        let got = eval(&s, e, &env).unwrap();
                        assert!(
                            (got - raw).abs() < 1e-9 * raw.abs().max(1.0),
                            "{text} at {x}"
                        );
                    }
                }
            }
        }
        let mut s = Store::new();
        let e = parse(&mut s, "0^(x - 1)").unwrap();
        assert!(
            matches!(s.node(e), Node::Pow(..)),
            "the sign of x - 1 is unknown"
        );
    }

    /// The inputs of `power_rules_hold_wherever_the_input_is_defined` computed as written
    /// (`None` outside their domain).
    fn raw_value(text: &str, x: f64, y: f64) -> Option<f64> {
        let v = match text {
            "exp(2*log(x))" => (2.0 * x.ln()).exp(),
            "exp(y*log(x))" => (y * x.ln()).exp(),
            "log(x*exp(y))" => (x * y.exp()).ln(),
            "exp(log(x)/2 - y)" => (x.ln() / 2.0 - y).exp(),
            "exp(log(x)*log(y) + 1)" => (x.ln() * y.ln() + 1.0).exp(),
            "exp(3*log(x) + log(y) - 1)" => (3.0 * x.ln() + y.ln() - 1.0).exp(),
            "sqrt(sqrt(x))" => x.sqrt().sqrt(),
            "(x^(1/2))^(2/3)" => x.sqrt().powf(2.0 / 3.0),
            "sqrt(x^2)" => (x * x).sqrt(),
            "(x^2)^(3/2)" => (x * x).powf(1.5),
            "(x^4)^(1/3)" => x.powi(4).cbrt(),
            "abs(x)^2" => x.abs().powi(2),
            "abs(x)^(2/3)" => x.abs().powf(2.0 / 3.0),
            _ => 0.0,
        };
        v.is_finite().then_some(v)
    }
}
