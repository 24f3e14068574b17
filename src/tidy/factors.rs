//! Factors in tidy, each kept only where the result is shorter: the factors common to all
//! terms of a sum taken out (σ(1 − σ)² − σ²(1 − σ) is σ(1 − σ)(1 − 2σ)); in a product, a
//! sum put over its own denominators where that cancels (the derivative of
//! log(x + sqrt(x² + 1))), the signs of sums chosen so a fraction does not carry two
//! minus signs, and −(a − b) written b − a.

use crate::expr::{ExprId, Node, Rat, Store};

/// At most this many sums of one product are tried.
const MAX_SUM_FACTORS: usize = 4;

impl Store {
    /// The sum `e` as (common factors)·(sum of the rest), if that is shorter.
    pub(super) fn common_factor(&mut self, e: ExprId) -> ExprId {
        let Node::Add(ts) = self.node(e) else {
            return e;
        };
        // Each base of the first term with a numeric power, and the least power of it
        // over all terms (it must occur in every term).
        let exponent = |s: &Store, f: ExprId| match s.base_exp(f) {
            (_, None) => Some(Rat::ONE),
            (_, Some(k)) => s.as_num(k).cloned(),
        };
        let mut common: Vec<(ExprId, Rat)> = Vec::new();
        for &f in self.term_factors(&ts[0]) {
            let b = self.base_exp(f).0;
            let mut least = None;
            for t in &ts[1..] {
                let Some(&g) = self
                    .term_factors(t)
                    .iter()
                    .find(|&&g| self.base_exp(g).0 == b)
                else {
                    least = None;
                    break;
                };
                let (Some(k), l) = (
                    exponent(self, g),
                    least.take().or_else(|| exponent(self, f)),
                ) else {
                    break;
                };
                least = l.map(|l: Rat| l.min(k));
            }
            if let Some(k) = least {
                common.push((b, k));
            }
        }
        if common.is_empty() {
            return e;
        }
        if self.size_below_cap(e).is_none() {
            return e;
        }
        let factors: Vec<ExprId> = common
            .iter()
            .map(|(b, k)| {
                let k = self.num(k.clone());
                self.pow(*b, k)
            })
            .collect();
        let c = self.mul(factors);
        let rest: Vec<ExprId> = self
            .children(e)
            .into_iter()
            .map(|t| self.without_factors(t, &common, c))
            .collect();
        let rest = self.add(rest);
        let r = self.mul(vec![c, rest]);
        if self.shorter(r, e) { r } else { e }
    }

    /// The term `t` divided by `c`, the product of `common` (bases with the powers to take
    /// out): its factors' powers lowered in place, which keeps them sorted, rather than a
    /// product built from scratch.
    fn without_factors(&mut self, t: ExprId, common: &[(ExprId, Rat)], c: ExprId) -> ExprId {
        let coef = self.term_coef(t).clone();
        let mut fs = self.term_factors(&t).to_vec();
        for (b, least) in common {
            let Some(i) = fs.iter().position(|&f| self.base_exp(f).0 == *b) else {
                continue;
            };
            let k = match self.base_exp(fs[i]).1 {
                None => Rat::ONE,
                Some(k) => self.as_num(k).cloned().unwrap_or(Rat::ONE),
            };
            let left = k.sub(least);
            if left.is_zero() {
                fs.remove(i);
                continue;
            }
            let left = self.num(left);
            let p = self.pow(*b, left);
            // A power that is not a plain power of b (content taken out of a sum, or b a
            // product to the first power): build the quotient the general way.
            if self.base_exp(p).0 != *b || matches!(self.node(p), Node::Mul(_) | Node::Num(_)) {
                let inv = self.recip(c);
                return self.mul(vec![t, inv]);
            }
            fs[i] = p;
        }
        self.mul_sorted(coef, fs)
    }

    /// The product `e` with the rules below applied where each makes it shorter.
    pub(super) fn tidy_product(&mut self, e: ExprId) -> ExprId {
        if !matches!(self.node(e), Node::Mul(_)) {
            return e;
        }
        let e = self.together_in_product(e);
        let e = self.flip_signs(e);
        self.distribute_negation(e)
    }

    /// The product `e` with one of its sums put over the sum's own denominators, where the
    /// product is then shorter: (x/sqrt(x² + 1) + 1)/(x + sqrt(x² + 1)) is
    /// 1/sqrt(x² + 1), since the numerator becomes (sqrt(x² + 1) + x)/sqrt(x² + 1).
    fn together_in_product(&mut self, e: ExprId) -> ExprId {
        // Only where a sum in the denominator may cancel the new numerator.
        if !self.has_denominator_sum(e) {
            return e;
        }
        // The powers inside the product's denominator sums (sqrt(x^2 + 1) in x +
        // sqrt(x^2 + 1)): a sum is put over its own denominators only if one of them is
        // among these (1/sqrt(x^2 + 1)), so that the new numerator may cancel that sum.
        let mut inside: Vec<(ExprId, Rat)> = Vec::new();
        for &f in self.kids(e).0 {
            if let &Node::Pow(b, k) = self.node(f)
                && self.is_negated(k)
                && let Node::Add(ts) = self.node(b)
            {
                for t in ts.iter() {
                    for &g in self.term_factors(t) {
                        if let (gb, Some(gk)) = self.base_exp(g)
                            && let Some(gk) = self.as_num(gk)
                        {
                            inside.push((gb, gk.clone()));
                        }
                    }
                }
            }
        }
        let sums: Vec<(usize, ExprId)> = self
            .children(e)
            .into_iter()
            .enumerate()
            .filter(|&(_, f)| {
                let Node::Add(ts) = self.node(f) else {
                    return false;
                };
                self.denominators(ts, |_| true)
                    .iter()
                    .any(|d| inside.iter().any(|(b, k)| *b == d.0 && *k == d.1))
            })
            .take(MAX_SUM_FACTORS)
            .collect();
        if sums.is_empty() {
            return e;
        }
        if self.size_below_cap(e).is_none() {
            return e;
        }
        let mut best = e;
        for (i, f) in sums {
            let t = self.over_all_denominators(f);
            if t == f {
                continue;
            }
            let mut fs = self.children(e);
            fs[i] = t;
            let r = self.mul(fs);
            if self.shorter(r, best) {
                best = r;
            }
        }
        best
    }

    /// The product `e` with the sums (to odd powers) that print with a leading minus
    /// negated, the sign going into the coefficient: −2x/(−3y² − 1) is 2x/(3y² + 1).
    fn flip_signs(&mut self, e: ExprId) -> ExprId {
        let mut fs = self.children(e);
        let mut flips: i64 = 0;
        for f in fs.iter_mut() {
            let (b, k) = self.base_exp(*f);
            let odd = k.is_none_or(|k| self.as_num(k).is_some_and(|k| k.is_odd_integer()));
            let Node::Add(ts) = self.node(b) else {
                continue;
            };
            if !odd || !ts.iter().all(|&t| self.is_negated(t)) {
                continue;
            }
            let nb = self.negate_terms(b);
            *f = match k {
                Some(k) => self.pow(nb, k),
                None => nb,
            };
            flips += 1;
        }
        if flips == 0 {
            return e;
        }
        // Each flipped sum loses its leading minus; an odd number of flips moves a minus
        // to or from the coefficient.
        let negative = self.is_negated(e);
        let gain = flips
            + if flips % 2 == 1 {
                if negative { 1 } else { -1 }
            } else {
                0
            };
        if gain <= 0 {
            return e;
        }
        if flips % 2 == 1 {
            fs.push(self.minus_one());
        }
        self.mul(fs)
    }

    /// −(a − b) as b − a: a number times a sum, multiplied out where that is shorter.
    fn distribute_negation(&mut self, e: ExprId) -> ExprId {
        let Node::Mul(fs) = self.node(e) else {
            return e;
        };
        let &[c, s] = &fs[..] else {
            return e;
        };
        // Only a negative number: 6*(x + 1) is as a person writes it.
        if !self.as_num(c).is_some_and(|c| c.is_negative()) || !matches!(self.node(s), Node::Add(_))
        {
            return e;
        }
        let terms: Vec<ExprId> = self
            .children(s)
            .into_iter()
            .map(|t| self.mul(vec![c, t]))
            .collect();
        let r = self.add(terms);
        let small = self.size_below_cap(e).is_some();
        if small && self.prints_shorter(r, e) {
            r
        } else {
            e
        }
    }

    /// Does the product `e` divide by a sum (to an integer power)?
    fn has_denominator_sum(&self, e: ExprId) -> bool {
        self.kids(e).0.iter().any(|&f| {
            matches!(self.node(f), &Node::Pow(b, k)
                if matches!(self.node(b), Node::Add(_))
                    && self.as_num(k).is_some_and(|k| k.is_integer() && k.is_negative()))
        })
    }

    /// The sum with every term negated.
    fn negate_terms(&mut self, sum: ExprId) -> ExprId {
        let m = self.minus_one();
        let ts: Vec<ExprId> = self
            .children(sum)
            .into_iter()
            .map(|t| self.mul(vec![m, t]))
            .collect();
        self.add(ts)
    }
}
