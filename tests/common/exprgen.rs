//! Random expression text for the property tests (round trips through the printers),
//! and the helpers that run them: every operator and built-in function, numbers in every
//! notation, Greek, subscripted, numbered and indexed names, unknown functions.

use deriv::calculus::partial;
use deriv::expr::{ExprId, Store};
use deriv::parse::parse;
use deriv::print::{Style, render};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// The built-ins of one argument, in one string so the list stays compact.
pub const FUNCS: &str = "sin cos tan sec csc cot asin acos atan sinh cosh tanh exp log ln sqrt abs \
    sigmoid asinh acosh atanh erf softplus relu heaviside sign floor ceil log2 log10";

/// The built-ins of several arguments: (name, how many arguments).
pub const NARY: [(&str, usize); 8] = [
    ("max", 2),
    ("min", 2),
    ("max", 3),
    ("min", 3),
    ("logsumexp", 2),
    ("logsumexp", 3),
    ("atan2", 2),
    ("log", 2),
];

/// The variables the round-trip tests differentiate by.
pub const DIFF_VARS: [&str; 4] = ["x", "y", "theta_1", "θ"];

/// Generated expression text. Debug-prints as the text alone, so a failing case shows
/// the expression.
#[derive(Clone)]
pub struct Gen {
    pub text: String,
}

impl std::fmt::Debug for Gen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

impl Gen {
    fn leaf(text: String) -> Gen {
        Gen { text }
    }
    /// A compound built from `_parts` (kept at the call sites for reading).
    fn join(text: String, _parts: &[&Gen]) -> Gen {
        Gen { text }
    }
}

pub fn paren(s: &str, p: bool) -> String {
    if p { format!("({s})") } else { s.to_string() }
}

pub fn leaf() -> BoxedStrategy<Gen> {
    prop_oneof![
        8 => select(&["x", "y", "z", "theta_1", "θ", "w2_3", "alpha", "x"][..]).prop_map(str::to_string),
        // Names whose Unicode and LaTeX forms are delicate: numbered Greek names (δ1, not
        // δ₁, which is delta_1), subscripts, indices, a leading Greek letter that is not a
        // whole name, a name that could continue a number (2e1 is 20), the constant's
        // letter with a subscript.
        3 => select(&[
            "theta", "delta1", "delta_12", "x_1", "x1", "w[1,2]", "θ[2]", "Δx", "e1", "φ₁",
            "pi_2", "Omega",
        ][..]).prop_map(str::to_string),
        3 => (0i64..20).prop_map(|n| n.to_string()),
        2 => select(&[
            "1/2", "3/4", "0.25", "1.5", "1e-3", "2.5E+2", ".5", "12345678901234567890123",
            "(7/3)", "0.000001",
        ][..])
        .prop_map(str::to_string),
        1 => select(&["pi", "π", "e"][..]).prop_map(str::to_string),
        1 => (2u32..10, select(&["x", "y", "pi", "(x + 1)"][..])).prop_map(|(n, v)| format!("{n}{v}")),
    ]
    .prop_map(Gen::leaf)
    .boxed()
}

/// Expression text: every operator and built-in function, numbers in every notation,
/// Greek and subscripted names, unknown functions of one and two arguments (with primes);
/// nesting depth up to 5, operands parenthesised at random.
pub fn expr_text() -> BoxedStrategy<Gen> {
    expr_at(5)
}

pub fn expr_at(depth: u32) -> BoxedStrategy<Gen> {
    if depth == 0 {
        return leaf();
    }
    let inner = expr_at(depth - 1);
    let exponent = select(
        &[
            "2", "3", "-1", "-2", "1/2", "(1/2)", "(1/3)", "(-1/2)", "(3/2)", "(-2/3)", "0", "10",
        ][..],
    );
    let ops = select(&["+", "-", " + ", " - ", "*", "/", " * ", " / "][..]);
    prop_oneof![
        2 => leaf(),
        5 => (inner.clone(), ops, inner.clone(), any::<(bool, bool)>()).prop_map(
            |(a, op, b, (pa, pb))| {
                let t = format!("{}{op}{}", paren(&a.text, pa), paren(&b.text, pb));
                Gen::join(t, &[&a, &b])
            }
        ),
        2 => (inner.clone(), select(&["^", "**"][..]), exponent)
            .prop_map(|(a, op, k)| Gen::join(format!("({}){op}{k}", a.text), &[&a])),
        1 => (select(&["2", "e", "pi", "(1/2)"][..]), inner.clone()).prop_map(|(b, a)| {
            Gen::join(format!("{b}^({})", a.text), &[&a])
        }),
        1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| {
            Gen::join(format!("({})^({})", a.text, b.text), &[&a, &b])
        }),
        1 => (inner.clone(), any::<bool>())
            .prop_map(|(a, p)| Gen::join(format!("-{}", paren(&a.text, p)), &[&a])),
        2 => (select(&NARY[..]), inner.clone(), inner.clone(), inner.clone()).prop_map(
            |((f, n), a, b, c)| {
                let args = [&a.text, &b.text, &c.text][..n]
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                Gen::join(format!("{f}({args})"), &[&a, &b, &c])
            }
        ),
        4 => (select(FUNCS.split_whitespace().collect::<Vec<_>>()), inner.clone())
            .prop_map(|(f, a)| Gen::join(format!("{f}({})", a.text), &[&a])),
        1 => (select(&["f", "h'", "f''"][..]), inner.clone())
            .prop_map(|(f, a)| Gen::join(format!("{f}({})", a.text), &[&a])),
        1 => (inner.clone(), inner)
            .prop_map(|(a, b)| Gen::join(format!("g({}, {})", a.text, b.text), &[&a, &b])),
    ]
    .boxed()
}

pub fn run<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if let Err(e) = TestRunner::new(config).run(&strategy, test) {
        panic!("{e}");
    }
}

pub fn parse_ok(s: &mut Store, text: &str) -> Result<ExprId, TestCaseError> {
    parse(s, text).map_err(|e| TestCaseError::fail(format!("`{text}` does not parse: {e:?}")))
}

/// Parses generated text; `None` when the expression is undefined (it contains `1/0` or
/// `log(0)`), which has no plain form to read back.
pub fn parse_defined(s: &mut Store, g: &Gen) -> Result<Option<ExprId>, TestCaseError> {
    let e = parse_ok(s, &g.text)?;
    Ok((!s.is_undefined(e)).then_some(e))
}

/// The form of `e` in `style` parses back, in the same store, to `e` itself.
pub fn check_round_trip(
    s: &mut Store,
    e: ExprId,
    style: Style,
    what: &str,
) -> Result<(), TestCaseError> {
    let text = render(s, e, style);
    let back = parse_ok(s, &text)?;
    prop_assert!(
        back == e,
        "{what}: {style:?} form `{text}` parses back to a different expression, printed `{}`",
        render(s, back, Style::Plain)
    );
    Ok(())
}

/// First partial derivatives by every test variable, raw and tidied.
pub fn derivatives(s: &mut Store, e: ExprId) -> Vec<(String, ExprId)> {
    let mut out = Vec::new();
    for v in DIFF_VARS {
        let n = s.intern_name(v);
        let d = partial(s, e, n);
        out.push((format!("∂/∂{v}"), d));
        let t = s.tidy(d);
        out.push((format!("tidy ∂/∂{v}"), t));
    }
    out
}
