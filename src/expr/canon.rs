//! Canonical constructors: every node is built through these, so every expression is in
//! canonical form (see `Node` for the invariants each variant keeps).

use super::{Constant, ExprId, Fault, Node, Rat, Store};
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A power of a number is folded only while the result stays under this many bits
/// (about 30,000 decimal digits); beyond it, `2^99999999` stays symbolic.
pub const MAX_FOLD_BITS: u64 = 100_000;

/// Exact arithmetic stops at numbers of this many bits (about 120,000 digits): a sum or
/// product of numbers that would be larger is an error (`Fault::NumberTooLarge`), not an
/// hour of big-integer gcds. A 100,000-digit literal still fits.
pub const MAX_NUMBER_BITS: u64 = 400_000;

/// The total cost of exact arithmetic one computation may spend, counted on operations
/// whose operands have more than `COSTED_BITS` bits between them, as the bit operations
/// they take: multiplying numbers of x and y bits x·y; adding integers x + y; adding a
/// fraction to a number (x + y)², for the gcd that reduces the result; a folded power the
/// square of its size. One to two seconds of work.
pub const MAX_ARITHMETIC_COST: u64 = 60_000_000_000;

/// Operations on numbers smaller than this cost nothing against `MAX_ARITHMETIC_COST`.
const COSTED_BITS: u64 = 4096;

#[derive(Clone, Copy, PartialEq)]
enum Arith {
    Add,
    Mul,
}

/// `a + b` or `a·b` for numbers, or `None` when the result could pass `MAX_NUMBER_BITS`
/// (the operands' sizes bound the result's) or the arithmetic spent so far (`cost`) has
/// passed `MAX_ARITHMETIC_COST`; `Store::number_fault` says which.
fn bounded(cost: &AtomicU64, a: &Rat, b: &Rat, op: Arith) -> Option<Rat> {
    let (x, y) = (a.bits(), b.bits());
    if x + y > MAX_NUMBER_BITS {
        return None;
    }
    if x + y > COSTED_BITS {
        let work = match op {
            Arith::Mul => x * y,
            Arith::Add if a.is_integer() && b.is_integer() => x + y,
            Arith::Add => (x + y) * (x + y),
        };
        if !charge(cost, work) {
            return None;
        }
    }
    Some(match op {
        Arith::Add => a.add(b),
        Arith::Mul => a.mul(b),
    })
}

/// Adds `work` to what was spent (`cost`): false once what was spent before it passes
/// `MAX_ARITHMETIC_COST` (so any one operation may run, and the budget is passed by one
/// operation at most; every later costed operation is refused too).
fn charge(cost: &AtomicU64, work: u64) -> bool {
    cost.fetch_add(work, Relaxed) <= MAX_ARITHMETIC_COST
}

impl Store {
    /// Whether an exact power of `bits` bits may still be computed (`MAX_ARITHMETIC_COST`).
    pub(super) fn may_compute(&self, bits: u64) -> bool {
        bits <= COSTED_BITS || charge(&self.arith_cost, bits * bits)
    }

    /// Why a number was not folded: too large, or the arithmetic budget spent.
    fn number_fault(&self) -> Fault {
        if self.arith_cost.load(Relaxed) > MAX_ARITHMETIC_COST {
            Fault::ArithmeticTooCostly {
                budget: MAX_ARITHMETIC_COST,
            }
        } else {
            Fault::NumberTooLarge {
                bits: MAX_NUMBER_BITS,
            }
        }
    }

    /// a + b.
    pub fn add2(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.add(vec![a, b])
    }

    /// a·b.
    pub fn mul2(&mut self, a: ExprId, b: ExprId) -> ExprId {
        self.mul(vec![a, b])
    }

    /// −a.
    pub fn neg(&mut self, a: ExprId) -> ExprId {
        let m = self.minus_one();
        self.mul(vec![m, a])
    }

    /// a − b.
    pub fn sub(&mut self, a: ExprId, b: ExprId) -> ExprId {
        let nb = self.neg(b);
        self.add(vec![a, nb])
    }

    /// 1/b.
    pub fn recip(&mut self, b: ExprId) -> ExprId {
        let m = self.minus_one();
        self.pow(b, m)
    }

    /// a/b (undefined when b is 0).
    pub fn div(&mut self, a: ExprId, b: ExprId) -> ExprId {
        let m = self.minus_one();
        let r = self.pow(b, m);
        self.mul(vec![a, r])
    }

    /// The number n/d; `d` must not be 0.
    pub fn rat(&mut self, n: i64, d: i64) -> ExprId {
        let r = Rat::int(n).mul(&Rat::int(d).recip().expect("nonzero denominator"));
        self.num(r)
    }

    /// Builds coef·Π factors from a coefficient and already canonical, sorted factors
    /// (the vector becomes the node's children when the product is new).
    pub(crate) fn mul_sorted(&mut self, coef: Rat, mut factors: Vec<ExprId>) -> ExprId {
        if coef.is_zero() {
            return self.zero();
        }
        if factors.is_empty() {
            return self.num(coef);
        }
        if coef.is_one() && factors.len() == 1 {
            return factors[0];
        }
        if !coef.is_one() {
            let c = self.num(coef);
            factors.insert(0, c);
        }
        self.intern(Node::Mul(factors.into_boxed_slice()))
    }

    /// The product of the factors of the canonical product `prod` (less the one at `skip`)
    /// and `extra`. The common case of the product and chain rules, a factor that shares no
    /// base with the others, is a binary insertion instead of a full `mul`.
    pub fn mul_insert(&mut self, prod: ExprId, skip: Option<usize>, extra: ExprId) -> ExprId {
        let general = |s: &mut Store| {
            let mut all: Vec<ExprId> = s.children(prod);
            if let Some(i) = skip {
                all.remove(i);
            }
            all.push(extra);
            s.mul(all)
        };
        let Node::Mul(fs) = self.node(prod) else {
            return general(self);
        };
        let mut coef = Rat::ONE;
        let mut rest: Vec<ExprId> = Vec::with_capacity(fs.len() + 1);
        let mut too_large = false;
        for (i, &f) in fs.iter().enumerate() {
            if Some(i) == skip {
                continue;
            }
            match self.node(f) {
                Node::Num(r) => match bounded(&self.arith_cost, &coef, r, Arith::Mul) {
                    Some(folded) => coef = folded,
                    None => {
                        too_large = true;
                        break;
                    }
                },
                _ => rest.push(f),
            }
        }
        if too_large {
            return self.undefined(self.number_fault());
        }
        match self.node(extra) {
            Node::Num(r) => match bounded(&self.arith_cost, &coef, r, Arith::Mul) {
                Some(folded) => coef = folded,
                None => return general(self),
            },
            Node::Undefined => return general(self),
            // Two sorted products with no base in common merge in order.
            Node::Mul(efs) => {
                let (c, efs) = match self.node(efs[0]) {
                    Node::Num(c) => (c, &efs[1..]),
                    _ => (&Rat::ONE, &efs[..]),
                };
                let shared = rest.len() * efs.len() > 64
                    || efs.iter().any(|&g| {
                        let gb = self.base_exp(g).0;
                        rest.iter().any(|&f| {
                            let fb = self.base_exp(f).0;
                            fb == gb || self.partners(fb, gb)
                        })
                    });
                let Some(folded) =
                    bounded(&self.arith_cost, &coef, c, Arith::Mul).filter(|_| !shared)
                else {
                    return general(self);
                };
                coef = folded;
                let mut merged = Vec::with_capacity(rest.len() + efs.len());
                let (mut i, mut j) = (0, 0);
                while i < rest.len() && j < efs.len() {
                    if self.cmp_expr(rest[i], efs[j]) == std::cmp::Ordering::Less {
                        merged.push(rest[i]);
                        i += 1;
                    } else {
                        merged.push(efs[j]);
                        j += 1;
                    }
                }
                merged.extend_from_slice(&rest[i..]);
                merged.extend_from_slice(&efs[j..]);
                rest = merged;
            }
            _ => {
                let (base, _) = self.base_exp(extra);
                if rest.iter().any(|&f| {
                    let fb = self.base_exp(f).0;
                    fb == base || self.partners(fb, base)
                }) {
                    return general(self);
                }
                let at =
                    rest.partition_point(|&f| self.cmp_expr(f, extra) == std::cmp::Ordering::Less);
                rest.insert(at, extra);
            }
        }
        if rest.len() == 1 && !coef.is_one() && matches!(self.node(rest[0]), Node::Add(_)) {
            return general(self);
        }
        self.mul_sorted(coef, rest)
    }

    /// The sum of `terms` in canonical form: flattened, like terms collected, numbers
    /// added, sorted; a lone term is itself, no terms 0.
    pub fn add(&mut self, terms: Vec<ExprId>) -> ExprId {
        // A lone term is not a sum: 2*(x + 1) keeps its shape (only sums multiply it out).
        if terms.len() == 1 {
            return terms[0];
        }
        if let [a, b] = terms[..]
            && let Some(r) = self.add_pair(a, b)
        {
            return r;
        }
        // Flatten, fold numbers and collect like terms (keyed by the non-numeric part).
        let mut constant = Rat::ZERO;
        let flat = self.flatten_terms(terms);
        // Like terms are found by their factor lists, hashed in place: a term that meets
        // no other is kept as it is, without building any node.
        struct Like {
            first: ExprId,
            coef: Rat,
            merged: bool,
        }
        let mut likes: Vec<Like> = Vec::with_capacity(flat.len());
        // Few terms are compared directly; many go through a hash table.
        let small = flat.len() <= 12;
        let mut index: HashTable<usize> =
            HashTable::with_capacity(if small { 0 } else { flat.len() });
        let hasher = foldhash::fast::FixedState::with_seed(0xADD);
        for t in flat {
            match self.node(t) {
                Node::Undefined => return t,
                Node::Num(r) => {
                    let Some(folded) = bounded(&self.arith_cost, &constant, r, Arith::Add) else {
                        return self.undefined(self.number_fault());
                    };
                    constant = folded;
                }
                _ => {
                    let fs = self.term_factors(&t);
                    let h = if small { 0 } else { hasher.hash_one(fs) };
                    let found = if small {
                        likes.iter().position(|l| self.term_factors(&l.first) == fs)
                    } else {
                        index
                            .find(h, |&i| self.term_factors(&likes[i].first) == fs)
                            .copied()
                    };
                    let c = self.term_coef(t).clone();
                    match found {
                        Some(i) => {
                            let Some(folded) =
                                bounded(&self.arith_cost, &likes[i].coef, &c, Arith::Add)
                            else {
                                return self.undefined(self.number_fault());
                            };
                            likes[i].coef = folded;
                            likes[i].merged = true;
                        }
                        None => {
                            let i = likes.len();
                            likes.push(Like {
                                first: t,
                                coef: c,
                                merged: false,
                            });
                            if !small {
                                index.insert_unique(h, i, |&k| {
                                    hasher.hash_one(self.term_factors(&likes[k].first))
                                });
                            }
                        }
                    }
                }
            }
        }
        // Exactly the capacity needed, so the vector becomes the node without a copy.
        let kept = likes
            .iter()
            .filter(|l| !l.merged || !l.coef.is_zero())
            .count();
        let mut out = Vec::with_capacity(kept + usize::from(!constant.is_zero()));
        for like in likes {
            if !like.merged {
                out.push(like.first);
            } else if !like.coef.is_zero() {
                let fs = self.term_factors(&like.first).to_vec();
                out.push(self.mul_sorted(like.coef, fs));
            }
        }
        self.sort_terms(&mut out);
        if !constant.is_zero() {
            out.push(self.num(constant));
        }
        match out.len() {
            0 => self.zero(),
            1 => out[0],
            _ => self.intern(Node::Add(out.into_boxed_slice())),
        }
    }

    /// The terms of nested sums in order, with a number times a sum multiplied out.
    fn flatten_terms(&mut self, terms: Vec<ExprId>) -> Vec<ExprId> {
        let mut stack = terms;
        stack.reverse();
        let mut flat = Vec::with_capacity(stack.len());
        while let Some(t) = stack.pop() {
            match self.node(t) {
                Node::Add(ts) => {
                    for &x in ts.iter().rev() {
                        stack.push(x);
                    }
                }
                // Inside a sum, a number times a sum is multiplied out so like terms meet:
                // x + 2*(x + 1) → 3*x + 2. (Alone, 2*(x + 1) keeps its shape.)
                Node::Mul(fs)
                    if fs.len() == 2
                        && matches!(self.node(fs[0]), Node::Num(_))
                        && matches!(self.node(fs[1]), Node::Add(_)) =>
                {
                    let (c, inner) = (fs[0], fs[1]);
                    let Node::Add(ts) = self.node(inner).clone() else {
                        unreachable!()
                    };
                    for &x in ts.iter().rev() {
                        let scaled = self.mul(vec![c, x]);
                        stack.push(scaled);
                    }
                }
                _ => flat.push(t),
            }
        }
        flat
    }

    /// The common sum of two terms, neither a sum nor like the other, built without the
    /// general machinery (the same node `add` builds); `None` when `add` must decide.
    fn add_pair(&mut self, a: ExprId, b: ExprId) -> Option<ExprId> {
        let plain = |s: &Store, t: ExprId| match s.node(t) {
            Node::Add(_) | Node::Undefined => false,
            Node::Mul(fs) => {
                !(fs.len() == 2
                    && matches!(s.node(fs[0]), Node::Num(_))
                    && matches!(s.node(fs[1]), Node::Add(_)))
            }
            _ => true,
        };
        if !plain(self, a) || !plain(self, b) {
            return None;
        }
        let pair = match (self.node(a), self.node(b)) {
            (Node::Num(x), Node::Num(y)) => {
                let r = bounded(&self.arith_cost, x, y, Arith::Add)?;
                return Some(self.num(r));
            }
            (Node::Num(x), _) if x.is_zero() => return Some(b),
            (_, Node::Num(y)) if y.is_zero() => return Some(a),
            // The constant term goes last.
            (Node::Num(_), _) => [b, a],
            (_, Node::Num(_)) => [a, b],
            _ if self.term_factors(&a) == self.term_factors(&b) => return None,
            _ if self.cmp_term(a, b) == std::cmp::Ordering::Greater => [b, a],
            _ => [a, b],
        };
        Some(self.intern(Node::Add(Box::new(pair))))
    }

    /// A product of factors that are not products and have different bases (the common
    /// case), built without grouping (the same node `mul` builds); `None` otherwise.
    fn mul_distinct(&mut self, factors: &[ExprId]) -> Option<ExprId> {
        let mut coef = Rat::ONE;
        let mut out: Vec<ExprId> = Vec::with_capacity(factors.len() + 1);
        for &f in factors {
            match self.node(f) {
                Node::Mul(_) | Node::Undefined => return None,
                Node::Num(r) => coef = bounded(&self.arith_cost, &coef, r, Arith::Mul)?,
                _ => {
                    let b = self.base_exp(f).0;
                    if out.iter().any(|&g| {
                        let gb = self.base_exp(g).0;
                        gb == b || self.partners(gb, b)
                    }) {
                        return None;
                    }
                    out.push(f);
                }
            }
        }
        if coef.is_zero() {
            return Some(self.zero());
        }
        // `mul` sorts groups by base id, then stably by the canonical order.
        out.sort_by(|&x, &y| {
            self.cmp_expr(x, y)
                .then_with(|| self.base_exp(x).0.cmp(&self.base_exp(y).0))
        });
        Some(self.mul_sorted(coef, out))
    }

    /// The product of `factors` in canonical form: flattened, powers of equal bases
    /// combined, the numbers multiplied into one coefficient, sorted. (A number times a
    /// sum keeps its shape, `2*(x + 1)`; a sum that has it as a term multiplies it out.)
    pub fn mul(&mut self, factors: Vec<ExprId>) -> ExprId {
        if let [a, b] = factors[..]
            && !self.is_undefined(a)
            && !self.is_undefined(b)
        {
            match (self.node(a), self.node(b)) {
                (Node::Mul(_), _) => return self.mul_insert(a, None, b),
                (_, Node::Mul(_)) => return self.mul_insert(b, None, a),
                _ => {}
            }
        }
        if factors.len() <= 8
            && let Some(r) = self.mul_distinct(&factors)
        {
            return r;
        }
        let (mut coef, mut pairs) = match self.mul_gather(factors) {
            Ok(g) => g,
            Err(done) => return done,
        };
        // Group equal bases (by id: equal bases are the same node).
        pairs.sort_unstable_by_key(|p| p.0);
        // One spare slot for the coefficient `mul_sorted` puts first.
        let mut out: Vec<ExprId> = Vec::with_capacity(pairs.len() + 1);
        let mut redo = false;
        let mut k = 0;
        while k < pairs.len() {
            let b = pairs[k].0;
            let mut end = k + 1;
            while end < pairs.len() && pairs[end].0 == b {
                end += 1;
            }
            let p = if end == k + 1 {
                pairs[k].2 // a factor alone with its base is already canonical
            } else {
                let es: Vec<ExprId> = pairs[k..end].iter().map(|p| p.1).collect();
                let e = self.add(es);
                self.pow(b, e)
            };
            k = end;
            match self.node(p) {
                Node::Undefined => return p,
                Node::Num(r) => {
                    let Some(folded) = bounded(&self.arith_cost, &coef, r, Arith::Mul) else {
                        return self.undefined(self.number_fault());
                    };
                    coef = folded;
                }
                Node::Mul(_) => {
                    redo = true;
                    out.push(p)
                }
                // The group's base changed, so it may meet another factor: (e^x)^(-1)
                // became e^(-x), which meets e^x; ((x + y)^-1)^(-1) became x + y, which
                // meets (x + y)^-2.
                _ if self.base_exp(p).0 != b => {
                    redo = true;
                    out.push(p)
                }
                _ => out.push(p),
            }
        }
        if coef.is_zero() {
            return self.zero();
        }
        if !redo && self.combine_functions(&mut out) {
            redo = true;
        }
        if redo {
            let c = self.num(coef);
            out.push(c);
            return self.mul(out);
        }
        out.sort_by(|a, b| self.cmp_expr(*a, *b));
        self.mul_sorted(coef, out)
    }

    /// The factors of nested products: the numbers multiplied into one coefficient, the
    /// rest as (base, exponent, the factor itself). `Err` with the node `mul` returns at
    /// once: undefined, 0, or a number too large.
    #[allow(clippy::type_complexity)]
    fn mul_gather(
        &mut self,
        factors: Vec<ExprId>,
    ) -> Result<(Rat, Vec<(ExprId, ExprId, ExprId)>), ExprId> {
        let mut coef = Rat::ONE;
        let mut pairs: Vec<(ExprId, ExprId, ExprId)> = Vec::with_capacity(factors.len());
        let mut stack = factors;
        let mut zero = false;
        let one = self.one();
        while let Some(f) = stack.pop() {
            match self.node(f) {
                Node::Undefined => return Err(f),
                Node::Num(r) => {
                    if r.is_zero() {
                        zero = true;
                    }
                    let Some(folded) = bounded(&self.arith_cost, &coef, r, Arith::Mul) else {
                        return Err(self.undefined(self.number_fault()));
                    };
                    coef = folded;
                }
                Node::Mul(fs) => stack.extend_from_slice(fs),
                Node::Pow(b, e) => pairs.push((*b, *e, f)),
                _ => pairs.push((f, one, f)),
            }
        }
        if zero {
            return Err(self.zero());
        }
        Ok((coef, pairs))
    }

    /// e^u
    pub fn exp(&mut self, u: ExprId) -> ExprId {
        let e = self.constant(Constant::E);
        self.pow(e, u)
    }

    /// u^(1/2)
    pub fn sqrt(&mut self, u: ExprId) -> ExprId {
        let h = self.rat(1, 2);
        self.pow(u, h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_terms_and_equal_bases() {
        let mut s = Store::new();
        let x = s.sym("x");
        let y = s.sym("y");
        let xy = s.mul(vec![x, y]);
        let two = s.int(2);
        let two_xy = s.mul(vec![two, x, y]);
        let sum = s.add(vec![xy, two_xy]);
        let three = s.int(3);
        assert_eq!(sum, s.mul(vec![three, y, x]));
        let x2 = s.pow(x, two);
        assert_eq!(s.mul(vec![x, x2]), s.pow(x, three));
        let neg = s.neg(x);
        assert_eq!(s.add(vec![x, neg]), s.zero());
    }

    #[test]
    fn numbers_fold_and_huge_powers_stay_symbolic() {
        let mut s = Store::new();
        let two = s.int(2);
        let ten = s.int(10);
        let p10 = s.pow(two, ten);
        assert_eq!(s.as_num(p10), Some(&Rat::int(1024)));
        let big = s.int(99_999_999);
        let p = s.pow(two, big);
        assert!(matches!(s.node(p), Node::Pow(..)));
        let h = s.rat(1, 2);
        let r = s.pow(two, h);
        let r2 = s.mul(vec![r, r]);
        assert_eq!(r2, two);
        let zero = s.zero();
        let m1 = s.minus_one();
        let inv = s.pow(zero, m1);
        assert!(s.is_undefined(inv));
        assert_eq!(s.fault, Some(Fault::DivisionByZero { divisor: zero }));
    }
}
