//! `--at` accuracy against high-precision references: exact arguments reduced exactly,
//! values beyond the doubles computed or refused, and rounding errors bounded (issue #17).
//!
//! Every reference below was computed by hand with mpmath at 60 significant digits
//! (`python3 -c "import mpmath as m; m.mp.dps = 60; print(m.sin(m.mpf(10)**22 + 1))"`
//! and the like) and is written to more digits than a double holds.

// The references keep the digits mpmath gave, beyond a double's.
#![allow(clippy::excessive_precision)]

use crate::common::*;

/// The value `deriv eval TEXT --at AT` prints; nothing on stderr.
fn value(text: &str, at: &str) -> f64 {
    let o = deriv(&["eval", text, "--at", at]).run();
    assert_eq!(o.code, 0, "{text} at {at}: {o:#?}");
    assert_eq!(o.stderr, "", "{text} at {at}: {o:#?}");
    number(&o.stdout)
}

/// |got − want| within `ulps` units in the last place of `want`.
fn close(got: f64, want: f64, ulps: f64, what: &str) {
    let ulp = f64::EPSILON * want.abs();
    assert!(
        (got - want).abs() <= ulps * ulp,
        "{what}: got {got:e}, want {want:e} (off by {:.1} ulps)",
        (got - want).abs() / ulp
    );
}

#[test]
fn trigonometric_functions_of_a_large_exact_argument_are_reduced_exactly() {
    // Rounded to a double first, 10^22 + 1 is 10^22 and sin gave −0.852.
    for (f, want) in [
        ("sin", -0.020_176_023_459_500_433_219_451_76),
        ("cos", 0.999_796_443_321_020_065_415_212_8),
        ("tan", -0.020_180_131_260_001_098_205_826_11),
        ("sec", 1.000_203_598_122_737_645_609_035),
        ("csc", -49.563_780_593_698_834_760_523_88),
        ("cot", -49.553_691_555_123_491_295_230_99),
    ] {
        let got = value(&format!("{f}(x)"), "x=10^22+1");
        close(got, want, 4.0, &format!("{f}(10^22 + 1)"));
    }
    // The argument computed exactly from the point: (10^11 + 1)^2 = 10^22 + 2·10^11 + 1.
    close(
        value("sin(x^2)", "x=10^11+1"),
        0.703_294_259_441_502_527_593_519_9,
        4.0,
        "sin(x^2) at x = 10^11 + 1",
    );
}

#[test]
fn an_argument_near_a_multiple_of_pi_keeps_its_digits() {
    // sin(355/113) = −2.667641890624191484063745e-7: 355/113 is π + 2.7e-7, and the
    // double nearest 355/113 is off by 1e-16, a billionth of that.
    close(
        value("sin(x)", "x=355/113"),
        -2.667_641_890_624_191_484_063_745e-7,
        8.0,
        "sin(355/113)",
    );
}

#[test]
fn logarithms_of_exact_numbers_beyond_or_near_the_doubles() {
    // log(10^-400) = −921.0340371976182736071966 (10^-400 is 0 as a double: "undefined").
    close(
        value("log(x)", "x=1e-400"),
        -921.034_037_197_618_273_607_196_6,
        2.0,
        "log(10^-400)",
    );
    // log(1 + 10^-20) = 9.99999999999999999995e-21 (1 + 10^-20 is 1 as a double: 0).
    close(
        value("log(x)", "x=1+10^-20"),
        9.999_999_999_999_999_999_95e-21,
        2.0,
        "log(1 + 10^-20)",
    );
}

#[test]
fn a_value_out_of_range_only_on_the_way_is_computed() {
    // sin(10^-400)/10^-400 = 1 (mpmath: 1 - 1.7e-801): 10^400 was "too large for a double".
    close(
        value("sin(x)/x", "x=1e-400"),
        1.0,
        2.0,
        "sin(x)/x at 10^-400",
    );
    close(
        value("sinh(x)/x", "x=1e-400"),
        1.0,
        2.0,
        "sinh(x)/x at 10^-400",
    );
    // e^710/(1 + e^710) = 1 − 4.5e-309: e^710 overflows a double, the quotient does not.
    close(
        value("exp(x)/(1 + exp(x))", "x=710"),
        1.0,
        2.0,
        "e^x/(1+e^x)",
    );
}

#[test]
fn a_value_below_the_doubles_is_said_not_printed_as_if_right() {
    // 800·e^-800 = 2.934299667342149770764397e-345: it printed 0 without a word, then 0
    // with a warning; no double keeps a digit of it, so it is an error giving its size.
    deriv(&["eval", "x*exp(-x)", "--at", "x=800"]).fails_with(
        1,
        "800/e^800 is too small for a double at this point: it is about 2.934e-345",
    );
    // e^-745.5 = 1.7121e-324 rounds to the smallest subnormal, 4.9e-324: refused too.
    deriv(&["eval", "exp(-x)", "--at", "x=745.5"]).fails_with(1, "about 1.712e-324");
    // A subnormal with its digits is the value: 1/(1 + e^710) = 4.4762862256751298e-309.
    let o = deriv(&["eval", "1/(1 + exp(x))", "--at", "x=710"]).run();
    assert_eq!(number(&o.stdout), 4.47628622567513e-309, "{o:#?}");
    assert_eq!(o.stderr, "");
    // An overflow is an error: there is no double to print.
    deriv(&["eval", "exp(x)", "--at", "x=1000"]).fails_with(1, "too large for a double");
}

#[test]
fn a_value_rounding_swamped_in_doubles_is_computed_with_more_bits() {
    // ∂/∂x sin(x/x^(exp(e)/tanh(x))) at 3/7 = 1.334928818492778422694002e15; doubles gave
    // 2.2e15 or 1.65e15 (the argument of sin is 3e13, computed to a few units in 1e16).
    let o = deriv(&["partial", "sin(x/x^(exp(e)/tanh(x)))", "x", "--at", "x=3/7"]).run();
    assert_eq!((o.code, o.stderr.as_str()), (0, ""), "{o:#?}");
    close(
        number(&o.stdout),
        1.334_928_818_492_778_422_694e15,
        1.0,
        "the derivative",
    );
    // (e^x − 1)/x at 10^-17 = 1 + 5e-18: e^x is 1 as a double, and the quotient 0.
    assert_eq!(value("(exp(x)-1)/x", "x=1e-17"), 1.0);
    // At 10^-10 = 1.000000000050000000001667: doubles gave 1.000000082740371.
    close(
        value("(exp(x)-1)/x", "x=1e-10"),
        1.000_000_000_050_000_000_001_667,
        1.0,
        "(e^x - 1)/x at 1e-10",
    );
}

#[test]
fn where_more_bits_cannot_be_had_the_digits_left_are_printed() {
    // erf has no ball form. erf(5) − 1 = −1.5374597944280348502e-12; doubles keep 2 digits.
    let o = deriv(&["eval", "erf(x)-1", "--at", "x=5"]).run();
    assert_eq!(o.code, 0, "{o:#?}");
    let digits: i32 = o
        .stderr
        .split("rounding errors leave ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("no digit count: {o:#?}"));
    let got = number(&o.stdout);
    let want = -1.537_459_794_428_034_850_2e-12;
    assert!(
        (got - want).abs() <= 10f64.powi(1 - digits) * want.abs(),
        "{got} to {digits} digits, want {want}"
    );
    // Printed to those digits: no more than `digits` significant digits.
    let mantissa = o.stdout.trim().split('e').next().unwrap_or_default();
    let significant = mantissa.replace(['.', '-'], "");
    assert!(
        significant.trim_start_matches('0').len() <= digits as usize,
        "{o:#?}"
    );
}

#[test]
fn accurate_values_are_unchanged() {
    // Values a double gives to its last digit print as before, with nothing on stderr.
    for (text, at, want) in [
        // sin(1/3) = 0.32719469679615224417…: the nearest double, where sin of the double
        // nearest 1/3 gave 0.3271946967961522, one unit below.
        ("sin(x)", "x=1/3", "0.32719469679615226"),
        ("sin(x)", "x=1e22", "-0.8522008497671888"),
        ("x*exp(-x)", "x=700", "6.90177358063184e-302"),
        ("log(x)", "x=1/3", "-1.0986122886681098"),
        ("sin(x)*y + x^3", "x=1/3,y=2/7", "0.13052123612165195"),
    ] {
        deriv(&["eval", text, "--at", at]).prints(want);
    }
}
