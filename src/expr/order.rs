//! Canonical order: how factors in a product and terms in a sum are sorted.
//!
//! The order compares structure (numbers by value, names by spelling), never ids, so
//! output is the same from run to run. It aims at the order a person writes: numbers,
//! then constants, then variables alphabetically, then functions, then sums, in products;
//! higher degree first and the constant last, in sums. Names are in natural order (`z2`
//! before `z10`, `w[2,1]` before `w[10,1]`: `names::name_order`).

use super::{Constant, ExprId, Func, Node, Rat, Store};
use std::cmp::Ordering;

fn rank(n: &Node) -> u8 {
    match n {
        Node::Num(_) => 0,
        Node::Const(_) => 1,
        Node::Sym(_) => 2,
        Node::Call(..) => 3,
        Node::Pow(..) => 4,
        Node::Mul(_) => 5,
        Node::Add(_) => 6,
        Node::Undefined => 7,
    }
}

impl Store {
    /// Splits a factor into base and exponent (`x^2` → (x, 2); `x` → (x, None)).
    pub(crate) fn base_exp(&self, e: ExprId) -> (ExprId, Option<ExprId>) {
        match self.node(e) {
            Node::Pow(b, x) => (*b, Some(*x)),
            _ => (e, None),
        }
    }

    /// `e^u` sorts among the functions, as `exp(u)`.
    fn is_exp(&self, e: ExprId) -> bool {
        matches!(self.node(e), Node::Const(Constant::E))
    }

    /// The total order on expressions used for factors of products and arguments.
    pub fn cmp_expr(&self, a: ExprId, b: ExprId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        // Two powers of e compare by their exponents, level after level: for towers
        // exp(exp(...)) that walk is as deep as the shorter one, and sorting the chain
        // rule's product of a tower's levels was quadratic (exp nested 3,000 deep: 13 s).
        // The common levels are stripped at once; what remains is compared as the walk
        // would compare it.
        let ((m, xa), (n, xb)) = (self.tower(a), self.tower(b));
        if m > 0 && n > 0 {
            let e = self.base_exp(a).0;
            return match m.cmp(&n) {
                Ordering::Equal => self.cmp_expr(xa, xb),
                Ordering::Greater => self.cmp_raised(e, m - n, xa, xb),
                Ordering::Less => self.cmp_raised(e, n - m, xb, xa).reverse(),
            };
        }
        let (ba, ea) = self.base_exp(a);
        let (bb, eb) = self.base_exp(b);
        if ba == bb {
            return match (ea, eb) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => self.cmp_expr(x, y),
            };
        }
        // Exponentials sort among the built-in functions, as `exp`.
        let exp_a = self.is_exp(ba) && ea.is_some_and(|x| self.as_num(x).is_none());
        let exp_b = self.is_exp(bb) && eb.is_some_and(|x| self.as_num(x).is_none());
        if exp_a || exp_b {
            let o = self.func_key(ba, exp_a).cmp(&self.func_key(bb, exp_b));
            if o != Ordering::Equal {
                return o;
            }
            return match (exp_a, exp_b) {
                (true, true) => self.cmp_expr(ea.unwrap_or(a), eb.unwrap_or(b)),
                (true, false) => Ordering::Less,
                _ => Ordering::Greater,
            };
        }
        self.cmp_node(ba, bb).then_with(|| match (ea, eb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => self.cmp_expr(x, y),
        })
    }

    /// Where a factor sorts among functions: as `cmp_func` orders calls, built-ins (exp
    /// among them) by name, then unknown functions, indexed names and sums.
    fn func_key(&self, e: ExprId, is_exp: bool) -> (u8, u8, &str) {
        match (is_exp, self.node(e)) {
            (true, _) => (3, 0, "exp"),
            (_, Node::Call(Func::Builtin(f), _)) => (3, 0, f.name()),
            (_, Node::Call(Func::Unknown { name, .. }, _)) => (3, 1, self.name(*name)),
            (_, Node::Call(Func::Index(name), _)) => (3, 2, self.name(*name)),
            (_, Node::Call(Func::Sum(name), _)) => (3, 3, self.name(*name)),
            (_, n) => (rank(n), 0, ""),
        }
    }

    /// `cmp_expr(e^(e^(...(x))), y)` with k ≥ 1 levels of `e` (the constant's node), for
    /// a `y` that is no power of e, without building the tower: the steps `cmp_expr`
    /// takes, with the tower's base e and its exponent (numeric only when k = 1 and x is a
    /// number) known.
    fn cmp_raised(&self, e: ExprId, k: u32, x: ExprId, y: ExprId) -> Ordering {
        let (bb, eb) = self.base_exp(y);
        if self.is_exp(bb) {
            // y is e itself: the same base, and only the tower has an exponent.
            return Ordering::Greater;
        }
        let numeric = k == 1 && self.as_num(x).is_some();
        if !numeric {
            // Sorted among the functions, as exp; y (not a power of e) is not exp.
            return self
                .func_key(e, true)
                .cmp(&self.func_key(bb, false))
                .then(Ordering::Less);
        }
        self.cmp_node(e, bb).then_with(|| match eb {
            None => Ordering::Greater,
            Some(v) => self.cmp_expr(x, v),
        })
    }

    fn cmp_node(&self, a: ExprId, b: ExprId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        let (na, nb) = (self.node(a), self.node(b));
        let r = rank(na).cmp(&rank(nb));
        if r != Ordering::Equal {
            return r;
        }
        match (na, nb) {
            (Node::Num(x), Node::Num(y)) => x.cmp(y),
            (Node::Const(x), Node::Const(y)) => (*x as u8).cmp(&(*y as u8)),
            // (A bound variable is spelled like the name it renames: the ids tell them apart.)
            (Node::Sym(x), Node::Sym(y)) => {
                super::name_order(self.name(*x), self.name(*y)).then(x.cmp(y))
            }
            (Node::Call(f, xs), Node::Call(g, ys)) => self
                .cmp_func(f, g)
                .then_with(|| self.depth(a).cmp(&self.depth(b)))
                .then_with(|| self.cmp_lists(xs, ys)),
            (Node::Pow(..), Node::Pow(..)) => self.cmp_expr(a, b),
            (Node::Add(xs), Node::Add(ys)) => self
                .depth(a)
                .cmp(&self.depth(b))
                .then_with(|| self.cmp_lists(xs, ys)),
            // Terms by their factors, then the smaller coefficient in size first:
            // (1 - x)*(1 - 2*x), as (x + 1)*(2*x + 1).
            (Node::Mul(_), Node::Mul(_)) => {
                let (ca, cb) = (self.term_coef(a), self.term_coef(b));
                let size = |c: &Rat| if c.is_negative() { c.neg() } else { c.clone() };
                self.depth(a)
                    .cmp(&self.depth(b))
                    .then_with(|| self.cmp_lists(self.term_factors(&a), self.term_factors(&b)))
                    .then_with(|| size(ca).cmp(&size(cb)))
                    .then_with(|| ca.cmp(cb))
            }
            _ => Ordering::Equal,
        }
    }

    fn cmp_func(&self, f: &Func, g: &Func) -> Ordering {
        let kind = |f: &Func| match f {
            Func::Builtin(_) => 0,
            Func::Unknown { .. } => 1,
            Func::Index(_) => 2,
            Func::Sum(_) => 3,
        };
        match (f, g) {
            (Func::Index(a), Func::Index(b)) | (Func::Sum(a), Func::Sum(b)) => {
                super::name_order(self.name(*a), self.name(*b)).then(a.cmp(b))
            }
            _ if kind(f) != kind(g) => kind(f).cmp(&kind(g)),
            (Func::Builtin(x), Func::Builtin(y)) => x.name().cmp(y.name()),
            (Func::Builtin(_), Func::Unknown { .. }) => Ordering::Less,
            (Func::Unknown { .. }, Func::Builtin(_)) => Ordering::Greater,
            (
                Func::Unknown {
                    name: a,
                    derivs: da,
                },
                Func::Unknown {
                    name: b,
                    derivs: db,
                },
            ) => super::name_order(self.name(*a), self.name(*b)).then_with(|| da.cmp(db)),
            _ => Ordering::Equal,
        }
    }

    fn cmp_lists(&self, xs: &[ExprId], ys: &[ExprId]) -> Ordering {
        for (x, y) in xs.iter().zip(ys) {
            let o = self.cmp_expr(*x, *y);
            if o != Ordering::Equal {
                return o;
            }
        }
        xs.len().cmp(&ys.len())
    }

    /// The factors of a term other than its numeric coefficient, without allocating.
    pub fn term_factors<'a>(&'a self, t: &'a ExprId) -> &'a [ExprId] {
        match self.node(*t) {
            Node::Num(_) => &[],
            Node::Mul(fs) => match self.node(fs[0]) {
                Node::Num(_) => &fs[1..],
                _ => fs,
            },
            _ => std::slice::from_ref(t),
        }
    }

    /// A term's numeric coefficient (1 when it has none).
    pub fn term_coef(&self, t: ExprId) -> &Rat {
        const ONE: Rat = Rat::ONE;
        match self.node(t) {
            Node::Num(r) => r,
            Node::Mul(fs) => match self.node(fs[0]) {
                Node::Num(r) => r,
                _ => &ONE,
            },
            _ => &ONE,
        }
    }

    fn degree(&self, fs: &[ExprId]) -> Rat {
        // Integer exponents (the common case) add up without rational arithmetic.
        let mut whole: i64 = 0;
        let mut all_whole = true;
        for &f in fs {
            match self.node(f) {
                Node::Pow(_, x) => match self.node(*x) {
                    Node::Num(Rat::Small(k, 1)) if k.unsigned_abs() < 1 << 31 => whole += k,
                    Node::Num(_) => {
                        all_whole = false;
                        break;
                    }
                    _ => whole += 1,
                },
                _ => whole += 1,
            }
        }
        if all_whole {
            return Rat::int(whole);
        }
        let mut d = Rat::ZERO;
        for &f in fs {
            let k = match self.node(f) {
                Node::Pow(_, x) => match self.node(*x) {
                    Node::Num(r) if r.bits() < 32 => r.clone(),
                    _ => Rat::ONE,
                },
                _ => Rat::ONE,
            };
            d = d.add(&k);
        }
        d
    }

    /// Sorts the terms of a sum: higher degree first, then lexicographic by factor
    /// (higher powers first), the constant term last. Degrees are computed once per term.
    pub fn sort_terms(&self, terms: &mut [ExprId]) {
        // A few terms (the common case) are sorted in place, by insertion.
        if terms.len() <= 8 {
            for i in 1..terms.len() {
                let mut j = i;
                while j > 0 && self.cmp_term(terms[j - 1], terms[j]) == Ordering::Greater {
                    terms.swap(j - 1, j);
                    j -= 1;
                }
            }
            return;
        }
        // Most comparisons are decided by a key, without looking at the nodes again (on a
        // large sum those reads are cache misses): constant last, then higher degree
        // first, then, between terms whose first factors share a base, the higher power
        // of it first. These are the first steps of `cmp_keyed`, which decides the rest.
        // The key is kept small (integers; `None` for any other degree or power) since
        // the sort moves it about.
        struct Key {
            degree: Option<i64>,
            power: Option<i64>,
            base: Option<ExprId>,
            term: ExprId,
            constant: bool,
        }
        let small = |r: Rat| match r {
            Rat::Small(n, 1) => Some(n),
            _ => None,
        };
        let mut keyed: Vec<Key> = terms
            .iter()
            .map(|&t| {
                let fs = self.term_factors(&t);
                let (base, power) = match fs.first().map(|&f| self.base_exp(f)) {
                    Some((b, None)) => (Some(b), Some(1)),
                    Some((b, Some(x))) => (Some(b), self.as_num(x).and_then(|r| small(r.clone()))),
                    None => (None, None),
                };
                Key {
                    degree: small(self.degree(fs)),
                    power,
                    base,
                    term: t,
                    constant: fs.is_empty(),
                }
            })
            .collect();
        keyed.sort_by(|a, b| {
            let (Some(da), Some(db)) = (a.degree, b.degree) else {
                return self.cmp_term(a.term, b.term);
            };
            a.constant
                .cmp(&b.constant)
                .then_with(|| db.cmp(&da))
                .then_with(|| match (a.power, b.power) {
                    (Some(pa), Some(pb)) if a.base == b.base => pb.cmp(&pa),
                    _ => Ordering::Equal,
                })
                .then_with(|| self.cmp_keyed(&Rat::int(da), &a.term, &Rat::int(db), &b.term))
        });
        for (slot, k) in terms.iter_mut().zip(keyed) {
            *slot = k.term;
        }
    }

    /// The order of two terms in a sum: by degree, highest first, then structurally.
    pub fn cmp_term(&self, a: ExprId, b: ExprId) -> Ordering {
        let da = self.degree(self.term_factors(&a));
        let db = self.degree(self.term_factors(&b));
        self.cmp_keyed(&da, &a, &db, &b)
    }

    fn cmp_keyed(&self, da: &Rat, a: &ExprId, db: &Rat, b: &ExprId) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        let fa = self.term_factors(a);
        let fb = self.term_factors(b);
        match (fa.is_empty(), fb.is_empty()) {
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let o = db.cmp(da);
        if o != Ordering::Equal {
            return o;
        }
        for (x, y) in fa.iter().zip(fb.iter()) {
            let (bx, ex) = self.base_exp(*x);
            let (by, ey) = self.base_exp(*y);
            if bx != by {
                return self.cmp_expr(bx, by);
            }
            // Higher powers first (x^3 before x^2), but exponents that are not numbers in
            // the order of their own terms: exp(z1) + exp(z2), as a person counts.
            let one = self.one();
            let (kx, ky) = (ex.unwrap_or(one), ey.unwrap_or(one));
            let o = match (self.as_num(kx), self.as_num(ky)) {
                (None, None) => self.cmp_expr(kx, ky),
                _ => self.cmp_expr(ky, kx),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        fa.len()
            .cmp(&fb.len())
            .then_with(|| self.term_coef(*a).cmp(self.term_coef(*b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    /// Comparing two towers of e strips their common levels at once; the reference
    /// strips them one at a time, as the comparison did, and the two must agree, on
    /// towers over numbers, e, powers of e with numeric exponents, variables and calls.
    #[test]
    fn towers_of_e_compare_as_the_level_by_level_walk_does() {
        let mut s = Store::new();
        let mut all = Vec::new();
        for x in [
            "x", "2", "1/3", "e", "e^2", "exp(1/3)", "sin(x)", "y^2", "x*y", "x + 1",
        ] {
            let mut t = parse(&mut s, x).unwrap();
            for _ in 0..4 {
                all.push(t);
                let e = s.constant(Constant::E);
                t = s.pow(e, t);
            }
        }
        let walk = |s: &Store, mut a: ExprId, mut b: ExprId| {
            while let (Node::Pow(ea, u), Node::Pow(eb, v)) = (s.node(a), s.node(b)) {
                if !s.is_exp(*ea) || !s.is_exp(*eb) || a == b {
                    break;
                }
                (a, b) = (*u, *v);
            }
            s.cmp_expr(a, b)
        };
        for &a in &all {
            for &b in &all {
                assert_eq!(s.cmp_expr(a, b), walk(&s, a, b), "{a:?} {b:?}");
                assert_eq!(s.cmp_expr(a, b), s.cmp_expr(b, a).reverse());
            }
        }
    }
}
