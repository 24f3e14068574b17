//! The hand-written fast parser must agree with the pest grammar that defines the
//! language: wherever it accepts a text, pest accepts it too and builds the same
//! expression; wherever pest rejects a text, the fast parser rejects it too.

use deriv::expr::Store;
use deriv::parse::{parse_fast, parse_with_pest};
use proptest::prelude::*;

/// Tokens chosen to hit every corner of the grammar: implicit products, `**` versus `*`,
/// exponents in numbers, signs after `^`, calls, constants, whitespace.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "x", "y", "t", "e", "pi", "ex", "x1", "_a", "2", "10", "0.5", ".5", "2.", "1e3", "2e",
        "1E-2", "+", "-", "*", "/", "^", "**", "(", ")", ",", " ", "\t", "sin", "cos", "exp",
        "sqrt", "log", "abs", "sigmoid", "f", "g", "D", "[", "]", "'", "1", "3", "=", "$", "max",
        "min", "relu", "log10", "atan2", "erf",
        // The fast path leaves the Unicode forms and `|x|` to pest.
        "|", "·", "²", "√", "θ", "₁", "−",
    ])
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let mut s = Store::new();
    let fast = parse_fast(&mut s, text);
    let slow = parse_with_pest(&mut s, text);
    match (fast, slow) {
        (Some(a), Ok(b)) => prop_assert_eq!(a, b, "different expressions for {:?}", text),
        (Some(_), Err(e)) => {
            prop_assert!(
                false,
                "fast parser accepts {:?}, pest rejects it: {}",
                text,
                e.message
            )
        }
        (None, _) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn fast_parser_agrees_with_pest(tokens in prop::collection::vec(token(), 1..14)) {
        check(&tokens.concat())?;
    }
}

#[test]
fn fast_parser_agrees_on_known_corners() {
    for text in [
        "2x^2",
        "3(x+1)",
        "4pi/3*t*x*y",
        "2^3x",
        "x^-2",
        "-x^2",
        "2**3**2",
        "x**-y",
        "2ex",
        "2e3x",
        "2.x",
        ".5x",
        "x (y)",
        "sin (x)",
        "- - x",
        "1/2x",
        "x*-y",
        "f(x, y)",
        "exp(1)",
        "e^x",
        "1e",
        "2 x",
        "sin",
        "f()",
        "x y",
        "((x))",
        "x^(1/2)",
        " x ",
        "\tx\t",
    ] {
        check(text).unwrap();
    }
    // The common case does take the fast path.
    let mut s = Store::new();
    assert!(parse_fast(&mut s, "4*pi/3*t*x*y").is_some());
    assert!(parse_fast(&mut s, "sin(x)^2 + 3x*exp(-y)").is_some());
}
