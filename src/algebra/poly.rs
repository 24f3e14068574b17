//! Sparse multivariate polynomials with exact rational coefficients: the arithmetic under
//! expand, collect, factor and the cancellation of common factors.
//!
//! A polynomial is a list of terms (exponents of each variable, coefficient), sorted by
//! exponents in descending lexicographic order, with no zero coefficient. Exponents may be
//! negative (Laurent monomials, for `expand`); gcd and factoring take polynomials only.
//! Every operation that multiplies spends a shared `Budget`, and gives up (`None`) when it
//! runs out, so no input can make them slow.

use crate::expr::Rat;
use std::cmp::Ordering;

/// Degrees above this are refused by gcd and factor (see `check_dense`).
pub const MAX_DENSE_DEGREE: i32 = 100_000;

/// Exponents of each variable.
pub type Mono = Vec<i32>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poly {
    pub n: usize,
    pub terms: Vec<(Mono, Rat)>,
}

/// The work left: each product of two terms costs one. `degree_too_high` records why
/// factoring gave up when it was not the work (a factor beyond Kronecker's degree cap).
#[derive(Debug)]
pub struct Budget {
    pub left: u64,
    pub degree_too_high: Option<i32>,
}

impl Budget {
    pub fn new(left: u64) -> Budget {
        Budget {
            left,
            degree_too_high: None,
        }
    }

    /// Takes `n` from the budget; `None` when it is used up.
    pub fn spend(&mut self, n: u64) -> Option<()> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Some(())
            }
            None => {
                // Spent for good: a `None` read as "does not divide" cannot go on working.
                self.left = 0;
                None
            }
        }
    }
}

fn by_mono(a: &(Mono, Rat), b: &(Mono, Rat)) -> Ordering {
    b.0.cmp(&a.0)
}

impl Poly {
    pub fn zero(n: usize) -> Poly {
        Poly {
            n,
            terms: Vec::new(),
        }
    }

    pub fn constant(n: usize, c: Rat) -> Poly {
        let terms = if c.is_zero() {
            Vec::new()
        } else {
            vec![(vec![0; n], c)]
        };
        Poly { n, terms }
    }

    /// The variable `v` to the power `k`.
    pub fn var(n: usize, v: usize, k: i32) -> Poly {
        let mut m = vec![0; n];
        m[v] = k;
        Poly {
            n,
            terms: vec![(m, Rat::ONE)],
        }
    }

    /// Builds a polynomial from terms in any order, adding equal monomials.
    pub fn from_terms(n: usize, mut terms: Vec<(Mono, Rat)>) -> Poly {
        terms.sort_by(by_mono);
        let mut out: Vec<(Mono, Rat)> = Vec::with_capacity(terms.len());
        for (m, c) in terms {
            match out.last_mut() {
                Some(last) if last.0 == m => last.1 = last.1.add(&c),
                _ => out.push((m, c)),
            }
        }
        out.retain(|t| !t.1.is_zero());
        Poly { n, terms: out }
    }

    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value, when the polynomial is a number.
    pub fn as_constant(&self) -> Option<Rat> {
        match &self.terms[..] {
            [] => Some(Rat::ZERO),
            [(m, c)] if m.iter().all(|&e| e == 0) => Some(c.clone()),
            _ => None,
        }
    }

    pub fn add(&self, o: &Poly) -> Poly {
        let mut terms = self.terms.clone();
        terms.extend(o.terms.iter().cloned());
        Poly::from_terms(self.n, terms)
    }

    pub fn neg(&self) -> Poly {
        self.scale(&Rat::int(-1))
    }

    pub fn sub(&self, o: &Poly) -> Poly {
        self.add(&o.neg())
    }

    pub fn scale(&self, c: &Rat) -> Poly {
        if c.is_zero() {
            return Poly::zero(self.n);
        }
        let terms = self
            .terms
            .iter()
            .map(|(m, k)| (m.clone(), k.mul(c)))
            .collect();
        Poly { n: self.n, terms }
    }

    pub fn mul(&self, o: &Poly, b: &mut Budget) -> Option<Poly> {
        b.spend((self.terms.len() * o.terms.len()) as u64)?;
        // Like terms meet in a table as they are made: memory for the result only.
        let mut acc: rustc_hash::FxHashMap<Mono, Rat> = rustc_hash::FxHashMap::default();
        for (m1, c1) in &self.terms {
            for (m2, c2) in &o.terms {
                let m = m1
                    .iter()
                    .zip(m2)
                    .map(|(a, b)| a.checked_add(*b))
                    .collect::<Option<Mono>>()?;
                let c = c1.mul(c2);
                acc.entry(m).and_modify(|x| *x = x.add(&c)).or_insert(c);
            }
        }
        Some(Poly::from_terms(self.n, acc.into_iter().collect()))
    }

    pub fn pow(&self, k: u32, b: &mut Budget) -> Option<Poly> {
        // A monomial's power directly: x^1000000 is one term, not a million products.
        if let [(m, c)] = &self.terms[..] {
            b.spend(1)?;
            let k32 = i32::try_from(k).ok()?;
            let m = m
                .iter()
                .map(|e| e.checked_mul(k32))
                .collect::<Option<Mono>>()?;
            return Some(Poly {
                n: self.n,
                terms: vec![(m, c.pow_int(i64::from(k))?)],
            });
        }
        let mut r = Poly::constant(self.n, Rat::ONE);
        for _ in 0..k {
            r = r.mul(self, b)?;
        }
        Some(r)
    }

    /// Refuses (spends the whole budget) a polynomial of a degree so high that its
    /// coefficients in one variable, which gcd and factor list densely, would not fit.
    pub fn check_dense(&self, b: &mut Budget) -> Option<()> {
        let high = (0..self.n).any(|v| self.degree(v) > MAX_DENSE_DEGREE);
        if high { b.spend(u64::MAX) } else { Some(()) }
    }

    /// The highest exponent of `v` (0 for the zero polynomial).
    pub fn degree(&self, v: usize) -> i32 {
        self.terms.iter().map(|t| t.0[v]).max().unwrap_or(0)
    }

    /// The lowest exponent of `v` (0 for the zero polynomial).
    pub fn min_degree(&self, v: usize) -> i32 {
        self.terms.iter().map(|t| t.0[v]).min().unwrap_or(0)
    }

    /// The variables that occur.
    pub fn vars(&self) -> Vec<usize> {
        (0..self.n)
            .filter(|&v| self.terms.iter().any(|t| t.0[v] != 0))
            .collect()
    }

    /// The coefficients of the powers of `v` from 0 to the degree, each without `v`.
    pub fn coeffs(&self, v: usize) -> Vec<Poly> {
        let d = self.degree(v).max(0) as usize;
        let mut parts: Vec<Vec<(Mono, Rat)>> = vec![Vec::new(); d + 1];
        for (m, c) in &self.terms {
            let mut m = m.clone();
            let k = std::mem::replace(&mut m[v], 0);
            parts[k as usize].push((m, c.clone()));
        }
        parts
            .into_iter()
            .map(|t| Poly::from_terms(self.n, t))
            .collect()
    }

    /// Σ cs[k]·v^k.
    pub fn from_coeffs(n: usize, v: usize, cs: &[Poly]) -> Poly {
        let mut terms = Vec::new();
        for (k, c) in cs.iter().enumerate() {
            for (m, x) in &c.terms {
                let mut m = m.clone();
                m[v] += k as i32;
                terms.push((m, x.clone()));
            }
        }
        Poly::from_terms(n, terms)
    }

    /// The coefficient of the highest power of `v`.
    pub fn lc(&self, v: usize) -> Poly {
        let d = self.degree(v);
        let terms = self
            .terms
            .iter()
            .filter(|t| t.0[v] == d)
            .map(|(m, c)| {
                let mut m = m.clone();
                m[v] = 0;
                (m, c.clone())
            })
            .collect();
        Poly::from_terms(self.n, terms)
    }

    /// ∂/∂v
    pub fn derivative(&self, v: usize) -> Poly {
        let terms = self
            .terms
            .iter()
            .filter(|t| t.0[v] != 0)
            .map(|(m, c)| {
                let mut m = m.clone();
                let k = m[v];
                m[v] -= 1;
                (m, c.mul(&Rat::int(i64::from(k))))
            })
            .collect();
        Poly::from_terms(self.n, terms)
    }

    /// The rational c and the polynomial q with self = c·q, q's coefficients integers with
    /// no common factor and its leading coefficient positive (1 for zero).
    pub fn primitive_rational(&self) -> (Rat, Poly) {
        use num_integer::Integer;
        if self.is_zero() {
            return (Rat::ONE, self.clone());
        }
        let mut num = num_bigint::BigInt::from(0);
        let mut den = num_bigint::BigInt::from(1);
        for (_, c) in &self.terms {
            num = num.gcd(&c.numer());
            den = den.lcm(&c.denom());
        }
        let mut c = Rat::from_big(num, den);
        if self.terms[0].1.is_negative() {
            c = c.neg();
        }
        let inv = c.recip().expect("a nonzero content");
        (c, self.scale(&inv))
    }

    /// self / d when d divides self exactly, else `None` (polynomials: no negative
    /// exponents).
    pub fn exact_div(&self, d: &Poly, b: &mut Budget) -> Option<Poly> {
        let (lm, lc) = d.terms.first()?;
        let inv = lc.recip()?;
        let mut r = self.clone();
        let mut q = Vec::new();
        while let Some((m, c)) = r.terms.first() {
            // Each step rewrites the remainder: its size is the cost.
            b.spend(r.terms.len() as u64)?;
            let qm: Mono = m.iter().zip(lm).map(|(a, b)| a - b).collect();
            // The leading monomial of a multiple of d is a multiple of d's.
            if qm.iter().any(|&e| e < 0) {
                return None;
            }
            let t = Poly {
                n: self.n,
                terms: vec![(qm, c.mul(&inv))],
            };
            let next = r.sub(&t.mul(d, b)?);
            q.extend(t.terms);
            r = next;
        }
        Some(Poly::from_terms(self.n, q))
    }

    /// The pseudo-remainder of self by d in the variable v: lc(d)^k·self mod d.
    pub fn pseudo_rem(&self, d: &Poly, v: usize, b: &mut Budget) -> Option<Poly> {
        let dd = d.degree(v);
        let lcd = d.lc(v);
        let mut r = self.clone();
        while !r.is_zero() && r.degree(v) >= dd {
            let k = r.degree(v) - dd;
            let lcr = r.lc(v).mul(&Poly::var(self.n, v, k), b)?;
            r = r.mul(&lcd, b)?.sub(&lcr.mul(d, b)?);
        }
        Some(r)
    }
}
