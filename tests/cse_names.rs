//! `--cse` names never clash with the user's names (issue #17): with `_cse2` in the input
//! the output bound `_cse2 = exp(_cse1)`, and with `_cse1` it bound `_cse1 = _cse1*x`.
//! Each output here is read back, binding by binding, to the derivative itself.

use crate::common::*;

use deriv::calculus::partial;
use deriv::expr::{ExprId, Name, Store};
use deriv::parse::parse;
use deriv::print::{Style, render};
use rustc_hash::FxHashMap;

/// `deriv partial EXPR x --cse`, its bindings read back in order: the result is ∂/∂x of
/// EXPR, and no binding names a name of EXPR. Returns the bound names.
fn reads_back(expr: &str) -> Vec<String> {
    let o = deriv(&["partial", expr, "x", "--cse"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    let (result, bindings) = lines.split_last().expect("a result line");
    let mut s = Store::new();
    let f = parse(&mut s, expr).expect("the input parses");
    let input_names: Vec<String> = s.names().map(str::to_string).collect();
    let mut map: FxHashMap<Name, ExprId> = FxHashMap::default();
    let mut bound = Vec::new();
    for b in bindings {
        let (name, rhs) = b.split_once(" = ").expect("NAME = EXPR");
        assert!(
            !input_names.iter().any(|n| n == name),
            "`{name}` is the user's name: {}",
            o.stdout
        );
        let v = parse(&mut s, rhs).expect("a binding parses");
        let v = s.substitute(v, &map);
        let n = s.intern_name(name);
        map.insert(n, v);
        bound.push(name.to_string());
    }
    let printed = parse(&mut s, result).expect("the result parses");
    let printed = s.substitute(printed, &map);
    let x = s.intern_name("x");
    let d = partial(&mut s, f, x);
    let d = s.tidy(d);
    assert_eq!(
        render(&s, printed, Style::Plain),
        render(&s, d, Style::Plain),
        "{expr}: the --cse output reads back to something else:\n{}",
        o.stdout
    );
    bound
}

#[test]
fn cse_names_avoid_the_users_names() {
    // c, cse and _c are taken, so the fallback _cse was used even though _cse2 was too.
    let bound = reads_back("sin(x)^2*c1*cse1*_c1*_cse2 + exp(sin(x)^2)");
    assert_eq!(bound, ["_cse_1", "_cse_2"]);
    // With _cse1 in the input, _cse1 was bound to _cse1*x.
    let bound = reads_back("sin(_cse1*x)^3*c1*cse1*_c1 + exp(sin(_cse1*x)^2)");
    assert_eq!(bound.len(), 4);
}

#[test]
fn cse_names_avoid_functions_and_indexed_bases() {
    assert_eq!(reads_back("exp(sin(x)^2)*c1(x)"), ["cse1", "cse2"]);
    assert_eq!(reads_back("exp(sin(x)^2)*c1[2]"), ["cse1"]);
    assert_eq!(reads_back("exp(sin(x)^2)*c2[i]"), ["cse1"]);
    // A name of the input that the derivative drops is avoided too.
    assert_eq!(reads_back("exp(sin(x)^2) + c1"), ["cse1"]);
    assert_eq!(reads_back("exp(sin(x)^2)"), ["c1"]);
}

/// The deltas of `grad --cse` avoid the user's names, unknown functions included.
#[test]
fn delta_names_avoid_the_users_names() {
    deriv(&["grad", "exp(delta1(x)*(w*x + b))", "--wrt", "w,b", "--cse"])
        .prints("c1 = delta1(x)\ndelta_1 = exp(c1*(w*x + b))*c1\n[delta_1*x, delta_1]");
}
