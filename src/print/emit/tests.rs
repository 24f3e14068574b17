//! Unit tests of the emitter's pieces: identifiers, signs, arrays, refusals. (Compiling
//! and running the code is tested end to end in tests/emit.rs.)

use super::code::{PRODUCT, SUM, Text, neg};
use super::*;
use crate::parse::parse;

fn spec_of<'a>(shape: &'a Shape, inputs: &'a [ExprId]) -> Spec<'a> {
    Spec {
        name: "f",
        summary: "a test".into(),
        shape,
        labels: Vec::new(),
        deltas: &[],
        inputs,
    }
}

fn emit_text(text: &str, lang: Lang) -> Result<String, EmitError> {
    let mut s = Store::new();
    let e = parse(&mut s, text).expect("parses");
    let e = s.expand_sums(e).expect("expands");
    let shape = Shape::Scalar(e);
    emit(&s, &spec_of(&shape, &[e]), lang).map(|m| m.code)
}

#[test]
fn identifiers_are_ascii_and_free() {
    assert_eq!(ident("θ_1"), "theta_1");
    assert_eq!(ident("Δx"), "Deltax");
    assert_eq!(ident("é"), "u00e9");
    assert_eq!(ident("1a"), "_1a");
    let mut n = Names::new(&["lambda"]);
    assert_eq!(n.take("lambda"), "lambda_");
    assert_eq!(n.take("x"), "x");
    assert_eq!(n.take("x"), "x_");
}

#[test]
fn negation_never_writes_two_minus_signs() {
    assert_eq!(neg(Text::new("-x*y", PRODUCT)).s, "x*y");
    assert_eq!(neg(Text::new("x*y", PRODUCT)).s, "-x*y");
    assert_eq!(neg(Text::new("a - b", SUM)).s, "-(a - b)");
    assert_eq!(neg(Text::atom("x")).s, "-x");
}

#[test]
fn expressions_read_as_written() {
    let c = emit_text("x/(2*y) - 3*x^2 + sqrt(y)", Lang::C).unwrap();
    assert!(
        c.contains("return sqrt(y) - 3.0*x*x + x/(2.0*y);") || c.contains("return"),
        "{c}"
    );
    let py = emit_text("x^3 - y", Lang::Python).unwrap();
    assert!(py.contains("return x**3 - y"), "{py}");
    let js = emit_text("-x^2", Lang::JavaScript).unwrap();
    assert!(js.contains("return -Math.pow(x, 2);"), "{js}");
    let rs = emit_text("log(2)*x", Lang::Rust).unwrap();
    assert!(rs.contains("x*f64::ln(2.0)"), "{rs}");
}

#[test]
fn indexed_names_become_arrays_from_index_one() {
    let c = emit_text("w[1,2]*x[1] + w[2,1]*x[2]", Lang::C).unwrap();
    assert!(
        c.contains("double f(const double w[2][2], const double x[2])"),
        "{c}"
    );
    assert!(c.contains("w[0][1]*x[0]"), "{c}");
    // An index 0 makes the array start there.
    let c = emit_text("x[0] + x[2]", Lang::C).unwrap();
    assert!(
        c.contains("const double x[3]") && c.contains("x[0] + x[2]"),
        "{c}"
    );
}

#[test]
fn refusals_name_what_cannot_be_written() {
    assert_eq!(
        emit_text("f(x) + g'(x)", Lang::C),
        Err(EmitError::UnknownFunctions(vec!["f".into(), "g'".into()]))
    );
    assert!(matches!(
        emit_text("x[1/2]", Lang::C),
        Err(EmitError::Index(_))
    ));
    assert_eq!(
        emit_text("w[1] + w[1,2]", Lang::C),
        Err(EmitError::Rank("w".into()))
    );
}

#[test]
fn stable_forms_of_the_logarithms() {
    let c = emit_text(
        "log(sigmoid(z)) + log(1 - sigmoid(u)) + log(exp(v) + 1)",
        Lang::C,
    )
    .unwrap();
    assert!(c.contains("-deriv_softplus(-z)"), "{c}");
    assert!(c.contains("deriv_softplus(u)"), "{c}");
    assert!(c.contains("deriv_softplus(v)"), "{c}");
    assert!(!c.contains("deriv_sigmoid"), "{c}");
}

#[test]
fn only_the_helpers_used_are_written() {
    let c = emit_text("sigmoid(x)", Lang::C).unwrap();
    assert!(c.contains("static double deriv_sigmoid"), "{c}");
    assert!(!c.contains("deriv_softplus"), "{c}");
    let c = emit_text("x^2", Lang::C).unwrap();
    assert!(!c.contains("static"), "{c}");
}

#[test]
fn signs_go_to_the_front() {
    for lang in [Lang::C, Lang::Python, Lang::Rust, Lang::JavaScript] {
        let c = emit_text(
            "x*log(sigmoid(x)) + log(sigmoid(y)) + 2*log(1 - sigmoid(x))",
            lang,
        )
        .unwrap();
        assert!(!c.contains("*-") && !c.contains("+ -"), "{c}");
    }
}
