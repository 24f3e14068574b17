//! Polynomial algebra on expressions: `expand` multiplies out, `collect` groups by the
//! powers of a variable, `factor` takes out common factors and factors polynomials over
//! the rationals, cancelling the polynomial gcd of a numerator and a denominator.
//! Subexpressions that are not polynomial (`sin(x)`,
//! `sqrt(y)`) are treated as variables (`convert`).

mod convert;
mod factor;
mod gcd;
mod kronecker;
mod poly;

use crate::expr::{ExprId, Func, Name, Node, Rat, Store};
use convert::{Atoms, Negative, find_atoms, from_poly, monomial, to_poly};
use poly::{Budget, Poly};

/// The work one command may do: products of two terms (a few hundred ns each).
pub const WORK_BUDGET: u64 = 2_000_000;

/// Why an expression could not be expanded, factored or collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlgebraError {
    /// The result, or the work to find it, passes `WORK_BUDGET`.
    TooLarge,
    /// A polynomial in one variable of this degree, without rational roots, would have to
    /// be split beyond `kronecker::MAX_DEGREE`.
    DegreeTooHigh(i32),
}

impl std::fmt::Display for AlgebraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlgebraError::TooLarge => write!(
                f,
                "the expression is too large to expand, factor or collect: the work passes \
                 {WORK_BUDGET} products of terms, a degree passes {}, or sums and products \
                 nest more than 200 deep",
                poly::MAX_DENSE_DEGREE
            ),
            AlgebraError::DegreeTooHigh(d) => write!(
                f,
                "cannot factor completely: a factor of degree {d} in one variable has no \
                 rational root, and factors of one variable are split into irreducible ones \
                 only up to degree {}",
                kronecker::MAX_DEGREE
            ),
        }
    }
}

/// The error of work that gave up (`None`) with `budget` as it was left.
fn gave_up(budget: &Budget) -> AlgebraError {
    match budget.degree_too_high {
        Some(d) => AlgebraError::DegreeTooHigh(d),
        None => AlgebraError::TooLarge,
    }
}

/// `e` with every product of sums and every positive integer power of a sum multiplied out,
/// and like terms collected, inside function arguments too: `(x + 1)^2*(x - 1)` →
/// `x^3 + x^2 - x - 1`. A denominator is expanded but kept as one:
/// `(x + 1)/(x - 1)^2` → `x/(x^2 - 2*x + 1) + 1/(x^2 - 2*x + 1)`.
pub fn expand(s: &mut Store, e: ExprId) -> Result<ExprId, AlgebraError> {
    expand_within(s, e, WORK_BUDGET)
}

/// `expand` with `work` products of terms in place of `WORK_BUDGET`.
pub fn expand_within(s: &mut Store, e: ExprId, work: u64) -> Result<ExprId, AlgebraError> {
    let mut budget = Budget::new(work);
    let done = s.rewrite(&[e], |s, n, kids| {
        let r = s.rebuild_with(n, kids);
        match s.node(r) {
            Node::Add(_) | Node::Mul(_) | Node::Pow(..) => expand_one(s, r, &mut budget)
                .map(Some)
                .ok_or(AlgebraError::TooLarge),
            _ => Ok(Some(r)),
        }
    })?;
    Ok(done[0])
}

/// One sum, product or power (its parts expanded already) multiplied out.
fn expand_one(s: &mut Store, e: ExprId, budget: &mut Budget) -> Option<ExprId> {
    // A sum to a negative power: its positive power expanded, under a fraction bar.
    if let &Node::Pow(b, k) = s.node(e)
        && matches!(s.node(b), Node::Add(_))
        && let Some(k) = s.as_num(k).and_then(Rat::to_i64).filter(|&k| k < 0)
    {
        let k = u32::try_from(-k).ok()?;
        let mut atoms = Atoms::default();
        find_atoms(s, b, Negative::Laurent, &mut atoms)?;
        let p = to_poly(s, b, Negative::Laurent, &atoms, budget)?.pow(k, budget)?;
        let d = from_poly(s, &p, &atoms);
        return Some(s.recip(d));
    }
    let mut atoms = Atoms::default();
    find_atoms(s, e, Negative::Laurent, &mut atoms)?;
    let p = to_poly(s, e, Negative::Laurent, &atoms, budget)?;
    Some(from_poly(s, &p, &atoms))
}

/// `e` expanded, with its terms grouped by the power of `var`: `x*y + x + y^2*x^2` →
/// `x^2*y^2 + x*(y + 1)`. Only powers of the variable itself are collected (`sin(x)` is
/// a coefficient, as `y` is).
pub fn collect(s: &mut Store, e: ExprId, var: Name) -> Result<ExprId, AlgebraError> {
    let e = expand(s, e)?;
    let x = s.sym_name(var);
    let mut atoms = Atoms::default();
    let mut budget = Budget::new(WORK_BUDGET);
    let too_large = AlgebraError::TooLarge;
    find_atoms(s, e, Negative::Laurent, &mut atoms).ok_or(too_large.clone())?;
    let Some(v) = atoms.get(x) else {
        return Ok(e);
    };
    let p = to_poly(s, e, Negative::Laurent, &atoms, &mut budget).ok_or(too_large)?;
    // The terms of each power of var, in the polynomial's order (highest power first).
    let mut groups: Vec<(i32, Vec<ExprId>)> = Vec::new();
    for (m, c) in &p.terms {
        let mut rest = m.clone();
        let k = std::mem::replace(&mut rest[v], 0);
        let t = monomial(s, &rest, c, &atoms);
        match groups.iter_mut().find(|g| g.0 == k) {
            Some(g) => g.1.push(t),
            None => groups.push((k, vec![t])),
        }
    }
    let terms: Vec<ExprId> = groups
        .into_iter()
        .map(|(k, ts)| {
            let coef = s.add(ts);
            let k = s.int(i64::from(k));
            let power = s.pow(x, k);
            // mul keeps c·(sum) whole: (y + 1)·x stays a product.
            s.mul(vec![coef, power])
        })
        .collect();
    Ok(s.add(terms))
}

/// `e` as a product of factors: over one denominator, with the polynomial gcd of
/// numerator and denominator cancelled, and each factored (`factor::factor` says how far).
/// Arguments of functions are factored too. `x^2 - 1` → `(x - 1)*(x + 1)`.
pub fn factor(s: &mut Store, e: ExprId) -> Result<ExprId, AlgebraError> {
    let mut budget = Budget::new(WORK_BUDGET);
    let done = s.rewrite(&[e], |s, n, kids| {
        let r = s.rebuild_with(n, kids);
        if !matches!(
            s.node(r),
            Node::Call(Func::Builtin(_) | Func::Unknown { .. }, _)
        ) {
            return Ok(Some(r));
        }
        let args = s.children(r);
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(factor_one(s, a, &mut budget).ok_or_else(|| gave_up(&budget))?);
        }
        Ok(Some(s.rebuild_with(r, &out)))
    })?;
    let r = factor_one(s, done[0], &mut budget).ok_or_else(|| gave_up(&budget))?;
    // A budget spent to the end may have cut a search short ("does not divide").
    if budget.left == 0 {
        return Err(AlgebraError::TooLarge);
    }
    Ok(r)
}

/// `e` (not looking inside its atoms) as numerator and denominator polynomials, with
/// their gcd cancelled, each factored.
fn factor_one(s: &mut Store, e: ExprId, budget: &mut Budget) -> Option<ExprId> {
    if !matches!(s.node(e), Node::Add(_) | Node::Mul(_) | Node::Pow(..)) {
        return Some(e);
    }
    let mut atoms = Atoms::default();
    let (num, den) = fraction(s, e, &mut atoms, budget)?;
    let g = gcd::gcd(&num, &den, budget)?;
    let (num, den) = (num.exact_div(&g, budget)?, den.exact_div(&g, budget)?);
    let (cn, fnum) = factor::factor(&num, budget)?;
    let (cd, fden) = factor::factor(&den, budget)?;
    let mut fs = vec![s.num(cn.mul(&cd.recip()?))];
    for (f, k, sign) in fnum
        .iter()
        .map(|(f, k)| (f, *k, 1))
        .chain(fden.iter().map(|(f, k)| (f, *k, -1)))
    {
        let f = from_poly(s, f, &atoms);
        let k = s.int(i64::from(k) * sign);
        fs.push(s.pow(f, k));
    }
    Some(s.mul(fs))
}

/// `e` as a quotient of polynomials in its atoms (negative powers of sums are
/// denominators, not atoms), the denominators of a sum's terms brought together.
fn fraction(s: &Store, e: ExprId, atoms: &mut Atoms, budget: &mut Budget) -> Option<(Poly, Poly)> {
    // Two passes: the atoms first, so that every polynomial has all the variables.
    let mut parts = Vec::new();
    split_fraction(s, e, &mut parts, 200)?;
    for &(x, _) in &parts {
        find_atoms(s, x, Negative::Atom, atoms)?;
    }
    to_fraction(s, e, atoms, budget, 200)
}

/// The numerators and denominators `to_fraction` will convert.
fn split_fraction(s: &Store, e: ExprId, out: &mut Vec<(ExprId, i64)>, depth: u32) -> Option<()> {
    let depth = depth.checked_sub(1)?;
    match s.node(e) {
        Node::Add(xs) | Node::Mul(xs) => {
            for &x in xs.iter() {
                split_fraction(s, x, out, depth)?;
            }
        }
        &Node::Pow(b, k) if s.as_num(k).is_some_and(|k| k.is_integer()) => {
            split_fraction(s, b, out, depth)?;
        }
        _ => out.push((e, 1)),
    }
    Some(())
}

fn to_fraction(
    s: &Store,
    e: ExprId,
    atoms: &Atoms,
    budget: &mut Budget,
    depth: u32,
) -> Option<(Poly, Poly)> {
    let depth = depth.checked_sub(1)?;
    let n = atoms.len();
    let one = Poly::constant(n, Rat::ONE);
    Some(match s.node(e) {
        Node::Add(xs) => {
            let xs = xs.to_vec();
            let (mut num, mut den) = (Poly::zero(n), one);
            for x in xs {
                let (a, b) = to_fraction(s, x, atoms, budget, depth)?;
                // num/den + a/b over the lcm of the denominators
                let g = gcd::gcd(&den, &b, budget)?;
                let (bg, dg) = (b.exact_div(&g, budget)?, den.exact_div(&g, budget)?);
                num = num.mul(&bg, budget)?.add(&a.mul(&dg, budget)?);
                den = den.mul(&bg, budget)?;
            }
            (num, den)
        }
        Node::Mul(xs) => {
            let xs = xs.to_vec();
            let (mut num, mut den) = (one.clone(), one);
            for x in xs {
                let (a, b) = to_fraction(s, x, atoms, budget, depth)?;
                num = num.mul(&a, budget)?;
                den = den.mul(&b, budget)?;
            }
            (num, den)
        }
        &Node::Pow(b, k) if s.as_num(k).is_some_and(|k| k.is_integer()) => {
            let k = s.as_num(k)?.to_i64()?;
            let (a, d) = to_fraction(s, b, atoms, budget, depth)?;
            let kk = u32::try_from(k.unsigned_abs()).ok()?;
            let (a, d) = (a.pow(kk, budget)?, d.pow(kk, budget)?);
            if k < 0 { (d, a) } else { (a, d) }
        }
        _ => (to_poly(s, e, Negative::Atom, atoms, budget)?, one),
    })
}

#[cfg(test)]
mod tests;
