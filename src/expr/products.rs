//! Factors of a product that simplify together although their bases differ: a variable
//! and its absolute value (x²/|x| = |x|), and trigonometric functions of one argument
//! (tan(u)·cot(u) = 1, sin(u)/cos(u) = tan(u)). Applied by `mul` as a product is built.

use super::{Builtin, ExprId, Func, Node, Rat, Store};

/// sin(u)^p·cos(u)^q for each trigonometric function: its (p, q).
fn sin_cos_powers(f: Builtin) -> Option<(i64, i64)> {
    use Builtin::*;
    Some(match f {
        Sin => (1, 0),
        Cos => (0, 1),
        Tan => (1, -1),
        Cot => (-1, 1),
        Sec => (0, -1),
        Csc => (-1, 0),
        _ => return None,
    })
}

impl Store {
    /// Do two bases of factors simplify together (`combine_functions`)?
    pub(crate) fn partners(&self, a: ExprId, b: ExprId) -> bool {
        let call = |e: ExprId| match self.node(e) {
            Node::Call(Func::Builtin(f), args) => Some((*f, args[0])),
            _ => None,
        };
        match (call(a), call(b)) {
            (Some((Builtin::Abs | Builtin::Sign, u)), _) if u == b => true,
            (_, Some((Builtin::Abs | Builtin::Sign, u))) if u == a => true,
            (Some((f, u)), Some((g, v))) => {
                u == v && sin_cos_powers(f).is_some() && sin_cos_powers(g).is_some()
            }
            _ => false,
        }
    }

    /// Rewrites the factors (each base once, as `mul` has grouped them) where partners
    /// meet; true if anything changed, and then the product must be built again.
    pub(crate) fn combine_functions(&mut self, out: &mut Vec<ExprId>) -> bool {
        let is_call = |s: &Store, f: ExprId| {
            matches!(s.node(s.base_exp(f).0), Node::Call(Func::Builtin(b), _)
                if matches!(*b, Builtin::Abs | Builtin::Sign) || sin_cos_powers(*b).is_some())
        };
        if !out.iter().any(|&f| is_call(self, f)) {
            return false;
        }
        let s = self.combine_sign(out);
        let a = self.combine_abs(out);
        let t = self.combine_trig(out);
        s || a || t
    }

    /// u^b·sign(u) = u^(b − 1)·|u| for an odd integer b or a positive one: equal where
    /// u ≠ 0, and at u = 0 both are 0 (b > 0) or both undefined (b < 0). x·sign(x) is |x|,
    /// and x^2·sign(x) is x·|x|, which `--at` sees is continuous where x = 0 (abs(x^3)').
    fn combine_sign(&mut self, out: &mut [ExprId]) -> bool {
        let mut changed = false;
        for i in 0..out.len() {
            // sign(u), or 1/sign(u): 1/(u^b·sign(u)) must be what (u^b·sign(u))^-1 is,
            // u^(1 − b)/|u| (a derivative builds the first, its printed text reads back as
            // the second).
            let (g, inverse) = match self.numeric_power(out[i]) {
                Some((g, k)) if k.is_minus_one() => (g, true),
                _ => (out[i], false),
            };
            let &Node::Call(Func::Builtin(Builtin::Sign), ref args) = self.node(g) else {
                continue;
            };
            let u = args[0];
            let found = out.iter().enumerate().find_map(|(j, &g)| {
                let (gb, b) = self.numeric_power(g)?;
                let fits = match inverse {
                    false => b.is_odd_integer() || (b.is_integer() && b.is_positive()),
                    true => b.is_integer() && b.is_negative(),
                };
                (gb == u && fits).then_some((j, b))
            });
            let Some((j, b)) = found else {
                continue;
            };
            let abs = self.builtin(Builtin::Abs, u);
            let (abs, k) = match inverse {
                false => (abs, b.sub(&Rat::ONE)),
                true => (self.recip(abs), b.add(&Rat::ONE)),
            };
            out[i] = abs;
            let k = self.num(k);
            out[j] = self.pow(u, k);
            changed = true;
        }
        changed
    }

    /// The factor's base and its exponent, when that is a number.
    fn numeric_power(&self, f: ExprId) -> Option<(ExprId, Rat)> {
        match self.base_exp(f) {
            (b, None) => Some((b, Rat::ONE)),
            (b, Some(k)) => Some((b, self.as_num(k)?.clone())),
        }
    }

    /// u^b·|u|^a = u^r·|u|^(a + b − r) for an integer b, with r = b mod 2 (u^2 = |u|^2):
    /// x^2/|x| = |x|, and |x|/x = x/|x| (both the sign of x).
    fn combine_abs(&mut self, out: &mut [ExprId]) -> bool {
        let mut changed = false;
        for i in 0..out.len() {
            let Some((ab, a)) = self.numeric_power(out[i]) else {
                continue;
            };
            let &Node::Call(Func::Builtin(Builtin::Abs), ref args) = self.node(ab) else {
                continue;
            };
            let u = args[0];
            let found = out.iter().enumerate().find_map(|(j, &g)| {
                let (gb, b) = self.numeric_power(g)?;
                (gb == u && b.is_integer() && !b.is_one()).then_some((j, b))
            });
            let Some((j, b)) = found else {
                continue;
            };
            let r = if b.is_odd_integer() {
                Rat::ONE
            } else {
                Rat::ZERO
            };
            let c = a.add(&b).sub(&r);
            let c = self.num(c);
            out[i] = self.pow(ab, c);
            let r = self.num(r);
            out[j] = self.pow(u, r);
            changed = true;
        }
        changed
    }

    /// A factor trig(u)^k with an integer k: (trig, u, k).
    fn trig_power(&self, f: ExprId) -> Option<(Builtin, ExprId, i64)> {
        let (b, k) = self.numeric_power(f)?;
        match self.node(b) {
            Node::Call(Func::Builtin(g), args) if sin_cos_powers(*g).is_some() => {
                Some((*g, args[0], k.to_i64()?))
            }
            _ => None,
        }
    }

    /// The trigonometric factors of each argument as sin(u)^p·cos(u)^q, written again with
    /// the fewest functions (`trig_factors`), where two or more functions of u meet.
    fn combine_trig(&mut self, out: &mut Vec<ExprId>) -> bool {
        // argument → (p, q, how many factors), in the order of first appearance
        let mut groups: Vec<(ExprId, i64, i64, usize)> = Vec::new();
        for &f in out.iter() {
            let Some((g, u, k)) = self.trig_power(f) else {
                continue;
            };
            let (p, q) = sin_cos_powers(g).expect("a trigonometric function");
            let (p, q) = (p.saturating_mul(k), q.saturating_mul(k));
            match groups.iter_mut().find(|e| e.0 == u) {
                Some(e) => *e = (u, e.1.saturating_add(p), e.2.saturating_add(q), e.3 + 1),
                None => groups.push((u, p, q, 1)),
            }
        }
        let mut changed = false;
        for (u, p, q, n) in groups {
            if n < 2 {
                continue;
            }
            let in_group = |s: &Store, f: ExprId| s.trig_power(f).is_some_and(|t| t.1 == u);
            let mut old: Vec<ExprId> = out.iter().copied().filter(|&f| in_group(self, f)).collect();
            let mut new: Vec<ExprId> = trig_factors(p, q)
                .into_iter()
                .map(|(g, k)| {
                    let c = self.builtin(g, u);
                    let k = self.int(k);
                    self.pow(c, k)
                })
                .collect();
            old.sort_unstable();
            new.sort_unstable();
            // The fewest functions already (tan(u)·sec(u)): nothing to do.
            if old == new {
                continue;
            }
            out.retain(|&f| !in_group(self, f));
            out.extend(new);
            changed = true;
        }
        changed
    }
}

/// sin^p·cos^q as a product of at most two of the six functions, each to a positive
/// power: tan^p for q = −p, tan^(−q)·sin^(p+q) for p > −q > 0, and so on.
fn trig_factors(p: i64, q: i64) -> Vec<(Builtin, i64)> {
    use Builtin::*;
    let one = |f: Builtin, k: i64| if k == 0 { vec![] } else { vec![(f, k)] };
    match (p.signum(), q.signum()) {
        (0, _) => one(if q > 0 { Cos } else { Sec }, q.abs()),
        (_, 0) => one(if p > 0 { Sin } else { Csc }, p.abs()),
        (1, 1) => vec![(Sin, p), (Cos, q)],
        (-1, -1) => vec![(Csc, -p), (Sec, -q)],
        // sin^p / cos^|q|: tan as far as it goes, then sin or sec for the rest.
        (1, -1) => {
            let t = p.min(-q);
            let mut v = vec![(Tan, t)];
            v.extend(one(Sin, p - t));
            v.extend(one(Sec, -q - t));
            v
        }
        // cos^q / sin^|p|: the same with cot and csc.
        _ => {
            let t = q.min(-p);
            let mut v = vec![(Cot, t)];
            v.extend(one(Cos, q - t));
            v.extend(one(Csc, -p - t));
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::eval;
    use crate::parse::parse;
    use crate::print::{Style, render};

    #[test]
    fn a_variable_meets_its_sign() {
        let mut s = Store::new();
        for (text, want) in [
            ("x*sign(x)", "abs(x)"),
            ("sign(x)/x", "1/abs(x)"),
            ("x^3*sign(x)", "abs(x)^3"),
            ("x^2*sign(x)", "x*abs(x)"),
            ("x^4*sign(x)", "x*abs(x)^3"),
            ("sign(x)/x^2", "sign(x)/x^2"),
            ("1/(x*sign(x))", "1/abs(x)"),
            ("x^-1*sign(x)^-1", "1/abs(x)"),
            ("x^-3*sign(x)^-1", "1/abs(x)^3"),
            ("1/(x^3*sign(x))", "1/abs(x)^3"),
            ("1/(x^2*sign(x))", "x/abs(x)^3"),
            ("x^-2*sign(x)^-1", "x/abs(x)^3"),
            ("(y + 1)*sign(y + 1)", "abs(y + 1)"),
        ] {
            let e = parse(&mut s, text).unwrap();
            assert_eq!(render(&s, e, Style::Plain), want, "{text}");
        }
        // x^b·sign(x) for odd and even b agrees with the doubles, 0 included.
        for b in -4i32..=6 {
            let e = parse(&mut s, &format!("x^({b})*sign(x)")).unwrap();
            for x in [-1.3f64, -0.6, 0.0, 0.7, 1.9] {
                let want = x.powi(b) * if x == 0.0 { 0.0 } else { x.signum() };
                match eval(&s, e, &|_| Some(x)) {
                    Ok(got) => assert!((got - want).abs() < 1e-12, "x^{b}*sign(x) at {x}"),
                    Err(_) => assert!(x == 0.0 && b < 0, "x^{b}*sign(x) at {x}"),
                }
            }
        }
    }

    #[test]
    fn a_variable_meets_its_absolute_value() {
        let mut s = Store::new();
        for (text, want) in [
            ("x^2/abs(x)", "abs(x)"),
            ("abs(x)/x", "x/abs(x)"),
            ("x^3/abs(x)", "x*abs(x)"),
            ("x^5/abs(x)^3", "x*abs(x)"),
            ("x^2*sqrt(abs(x))", "abs(x)^(5/2)"),
            ("x*abs(x)", "x*abs(x)"),
        ] {
            let e = parse(&mut s, text).unwrap();
            assert_eq!(render(&s, e, Style::Plain), want, "{text}");
        }
        // x^b·|x|^a for many a and b agrees with the doubles at points of both signs.
        let exps = ["-3", "-2", "-1", "1", "2", "3", "4", "1/2", "-5/3", "3/2"];
        for a in exps {
            for b in exps {
                let text = format!("x^({b})*abs(x)^({a})");
                let e = parse(&mut s, &text).unwrap();
                for x in [-1.3f64, -0.6, 0.7, 1.9] {
                    let (fa, fb) = (frac(a), frac(b));
                    let want = signed_pow(x, fb) * x.abs().powf(fa);
                    if !want.is_finite() {
                        continue;
                    }
                    let got = eval(&s, e, &|_| Some(x)).unwrap();
                    assert!(
                        (got - want).abs() < 1e-9 * want.abs().max(1.0),
                        "{text} at {x}"
                    );
                }
            }
        }
    }

    fn frac(t: &str) -> f64 {
        match t.split_once('/') {
            Some((n, d)) => n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap(),
            None => t.parse().unwrap(),
        }
    }

    /// x^k as deriv reads it: real odd roots of negative numbers.
    fn signed_pow(x: f64, k: f64) -> f64 {
        if x >= 0.0 || k.fract() == 0.0 {
            return x.powf(k);
        }
        // Only the exponents of the test: 1/2, 3/2 (undefined) and -5/3 (odd root).
        if (k * 3.0).fract() == 0.0 {
            -(-x).powf(k)
        } else {
            f64::NAN
        }
    }

    #[test]
    fn trigonometric_functions_of_one_argument_combine() {
        let mut s = Store::new();
        for (text, want) in [
            ("tan(x)*cot(x)", "1"),
            ("x*cot(x)*tan(x)", "x"),
            ("sin(x)/cos(x)", "tan(x)"),
            ("cos(x)/sin(x)^3", "cot(x)*csc(x)^2"),
            ("sin(x)^2/cos(x)", "sin(x)*tan(x)"),
            ("tan(x)*cos(x)", "sin(x)"),
            ("tan(x)*sec(x)", "sec(x)*tan(x)"),
            ("sin(x)*cos(x)", "cos(x)*sin(x)"),
            ("sin(2*x)/cos(x)", "sin(2*x)/cos(x)"),
        ] {
            let e = parse(&mut s, text).unwrap();
            assert_eq!(render(&s, e, Style::Plain), want, "{text}");
        }
        // Every pair of the six functions to powers -2..=2 agrees with the doubles.
        let fs = ["sin", "cos", "tan", "cot", "sec", "csc"];
        let val = |f: &str, x: f64| match f {
            "sin" => x.sin(),
            "cos" => x.cos(),
            "tan" => x.tan(),
            "cot" => 1.0 / x.tan(),
            "sec" => 1.0 / x.cos(),
            _ => 1.0 / x.sin(),
        };
        for f in fs {
            for g in fs {
                for a in -2..=2 {
                    for b in -2..=2 {
                        let text = format!("{f}(x)^({a})*{g}(x)^({b})*{f}(x + 1)");
                        let e = parse(&mut s, &text).unwrap();
                        for x in [-2.0, -0.5, 0.4, 1.2, 2.5] {
                            let want = val(f, x).powi(a) * val(g, x).powi(b) * val(f, x + 1.0);
                            let got = eval(&s, e, &|_| Some(x)).unwrap();
                            assert!((got - want).abs() < 1e-9 * want.abs().max(1.0), "{text}");
                        }
                    }
                }
            }
        }
    }
}
