//! Tidy keeps every value: each rewrite (identities, expansions, common factors, products
//! over their own denominators, sign normalisation) checked at random points against the
//! expression it came from, and the forms the rules are for.

use crate::eval::assert_same_values;
use crate::expr::Store;
use crate::parse::parse;
use crate::print::{Style, render};

/// The tidied derivative text of `text` by `var` (several names: repeated), and a check
/// that tidy kept its value at random points.
fn tidied(text: &str, vars: &[&str]) -> String {
    let mut s = Store::new();
    let mut e = parse(&mut s, text).unwrap();
    for v in vars {
        let n = s.intern_name(v);
        e = crate::calculus::partial(&mut s, e, n);
    }
    let t = s.tidy(e);
    assert_same_values(&s, (e, t), text, 40, 20);
    render(&s, t, Style::Plain)
}

#[test]
fn the_forms_a_person_writes() {
    let cross_entropy = "-y*log(sigmoid(z)) - (1 - y)*log(1 - sigmoid(z))";
    assert_eq!(tidied(cross_entropy, &["z"]), "sigmoid(z) - y");
    assert_eq!(
        tidied("sigmoid(x)", &["x", "x"]),
        "sigmoid(x)*(1 - sigmoid(x))*(1 - 2*sigmoid(x))"
    );
    assert_eq!(tidied("sin(x)/(1 + cos(x))", &["x"]), "1/(cos(x) + 1)");
    assert_eq!(tidied("log(x + sqrt(x^2 + 1))", &["x"]), "1/sqrt(x^2 + 1)");
    assert_eq!(tidied("x/(1 + abs(x))", &["x"]), "1/(abs(x) + 1)^2");
    assert_eq!(tidied("-2*x/(-3*y^2 - 1)", &[]), "2*x/(3*y^2 + 1)");
}

#[test]
fn every_rewrite_keeps_the_value() {
    for (text, vars) in [
        ("sin(x)^2*y + cos(x)^2*y + x", &["x"][..]),
        ("tan(x)^2 - sec(x)^2 + x*y", &["y"]),
        ("cosh(x)^3 - sinh(x)^2*cosh(x)", &["x"]),
        ("sigmoid(-x) + sigmoid(x)*y", &["x"]),
        ("x/(1 + cos(x)) + sin(x)^2/(1 + cos(x))", &["x"]),
        ("(x + 1)*(x - 1)*y - (y + 1)*(x^2 - 1)", &["y"]),
        (
            "(1 - y)*sigmoid(z)^2 - y*sigmoid(z)*(1 - sigmoid(z))",
            &["z"],
        ),
        ("x*abs(x)/(2 - abs(x))", &["x"]),
        ("log(x + sqrt(x^2 + y^2))", &["x", "y"]),
        ("-(x - y)*(z - x)/(-x^2 - 1)", &["z"]),
        ("x^3/sqrt(x^2 + 1)", &["x", "x"]),
    ] {
        tidied(text, vars);
    }
}
