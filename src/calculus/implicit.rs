//! Implicit differentiation: a relation F(x, v, ...) = 0 makes v depend on x with
//! dv/dx = −F_x/F_v, and then df/dx = ∂f/∂x + Σ ∂f/∂v·dv/dx.

use super::partial::partial;
use super::total::Constraints;
use crate::expr::{ExprId, Name, Store};

/// What one relation says: its dependent variable v, dv/dx, and F_v (where F_v = 0,
/// dv/dx is undefined).
#[derive(Clone, Debug)]
pub struct Implicit {
    /// Which `--given` the relation is.
    pub index: usize,
    /// v, the variable the relation makes depend on x.
    pub var: Name,
    /// −F_x/F_v, tidied; it may contain v itself (−x/y for x^2 + y^2 = 1).
    pub dv_dx: ExprId,
    /// ∂F/∂v, tidied and not 0 (that is `NotDetermined`); it may still vanish at some
    /// points, where `dv_dx` is undefined.
    pub f_v: ExprId,
}

/// Why the implicit relations give no derivative. An `index` is the position of the
/// relation's `--given` among all of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImplicitError {
    /// Implicit relations take one variable of differentiation.
    SeveralVariables,
    /// The named dependent variable does not occur in the relation.
    DependentAbsent {
        /// The relation (`Constraint::index`).
        index: usize,
    },
    /// The relation involves no variable but x.
    NoOtherVariable {
        /// The relation.
        index: usize,
    },
    /// Several other variables, and none named dependent.
    Ambiguous {
        /// The relation.
        index: usize,
        /// Its variables other than x.
        others: Vec<Name>,
    },
    /// ∂F/∂v = 0: the relation does not determine v.
    NotDetermined {
        /// The relation.
        index: usize,
        /// The variable it does not determine.
        var: Name,
    },
    /// Two relations make the same variable depend on x: they repeat or contradict each
    /// other, and adding both derivatives would be wrong either way.
    SameDependent {
        /// The earlier relation.
        first: usize,
        /// The later one.
        second: usize,
        /// The variable both make depend on x.
        var: Name,
    },
}

/// For each implicit relation of `cons`: its dependent variable (`dependent`, or the
/// relation's only variable other than x) and dv/dx = −F_x/F_v, tidied.
pub fn derivatives(
    s: &mut Store,
    cons: &Constraints,
    x: Name,
    dependent: Option<Name>,
) -> Result<Vec<Implicit>, ImplicitError> {
    let mut out = Vec::new();
    for &(index, rel) in &cons.implicit {
        let rel = cons.substitute(s, rel);
        let others: Vec<Name> = s
            .free_symbols(&[rel])
            .into_iter()
            .filter(|&n| n != x)
            .collect();
        let v = match dependent {
            Some(n) if others.contains(&n) => n,
            Some(_) => return Err(ImplicitError::DependentAbsent { index }),
            None if others.len() == 1 => others[0],
            None if others.is_empty() => return Err(ImplicitError::NoOtherVariable { index }),
            None => return Err(ImplicitError::Ambiguous { index, others }),
        };
        if let Some(k) = out.iter().find(|k: &&Implicit| k.var == v) {
            return Err(ImplicitError::SameDependent {
                first: k.index,
                second: index,
                var: v,
            });
        }
        let fx = partial(s, rel, x);
        let fv = partial(s, rel, v);
        let fv = s.tidy(fv);
        if fv == s.zero() {
            return Err(ImplicitError::NotDetermined { index, var: v });
        }
        let q = s.div(fx, fv);
        let dv = s.neg(q);
        let dv_dx = s.tidy(dv);
        out.push(Implicit {
            index,
            var: v,
            dv_dx,
            f_v: fv,
        });
    }
    Ok(out)
}

/// df/dx = ∂g/∂x + Σ ∂g/∂v·dv/dx over the relations' dependent variables, and what each
/// relation said.
pub fn total(
    s: &mut Store,
    cons: &Constraints,
    g: ExprId,
    vars: &[Name],
    dependent: Option<Name>,
) -> Result<(ExprId, Vec<Implicit>), ImplicitError> {
    let [x] = vars else {
        return Err(ImplicitError::SeveralVariables);
    };
    let mut result = partial(s, g, *x);
    let known = derivatives(s, cons, *x, dependent)?;
    for k in &known {
        let dg = partial(s, g, k.var);
        let term = s.mul2(dg, k.dv_dx);
        result = s.add2(result, term);
    }
    Ok((result, known))
}
