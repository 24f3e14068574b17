//! `--at` gives the double nearest the true value, computed in ball arithmetic from the
//! exact point; a value beyond the doubles (above or below) and a value with no correct
//! digit are errors that say why (issue #17).
//!
//! The references were computed by hand with mpmath at 1,000 digits, where the double is
//! the nearest to the value (`float()` of an mpf rounds correctly):
//! `python3 -c "import mpmath as m; m.mp.dps = 1000; x = m.mpf('1e-400'); print(repr(float(m.sin(x)/x)), m.nstr(m.sin(x)/x - 1, 5))"`
//! and the like, each given in the comment beside it.

use crate::common::*;

/// The text `deriv ARGS` prints, which must be all it says.
fn quietly(args: &[&str]) -> String {
    let o = deriv(args).run();
    assert_eq!((o.code, o.stderr.as_str()), (0, ""), "{args:?}: {o:#?}");
    o.stdout.trim().to_string()
}

#[test]
fn values_near_a_limit_at_points_beyond_the_doubles_are_correctly_rounded() {
    // value − 1 (mpmath): sin(x)/x −1.7e-801, (e^x − 1)/x 5.0e-401, log(1 + x)/x −5.0e-401,
    // tan(x)/x 3.3e-801 at 1e-400; −1.7e-41, 5.0e-21, −5.0e-21, 3.3e-41 at 1e-20. Each
    // is nearer 1 than to either neighbour of 1 (1 − 1.1e-16, 1 + 2.2e-16).
    // Before: 0.9999999999999999, an error (10^400 "too large"), an error, and
    // 0.9999999999999999 at 1e-400; 1, 0 with "cannot give a digit", 1, 1 at 1e-20.
    for f in ["sin(x)/x", "(exp(x)-1)/x", "log(1+x)/x", "tan(x)/x"] {
        for at in ["x=1e-400", "x=1e-20", "x=-1e-400"] {
            assert_eq!(quietly(&["eval", f, "--at", at]), "1", "{f} at {at}");
        }
    }
    // Where the value is near a double other than 1, that double, not a neighbour:
    // sin(x)/x at 3e-8 = 0.99999999999999985 -> 0.9999999999999999 (doubles gave
    // 0.9999999999999998); log(1 + x)/x at 3e-8 = 0.99999998500000029999 ->
    // 0.9999999850000003 (doubles 0.9999999850000002); (1 − cos x)/x² at 3e-8 =
    // 0.4999999999999999625 -> 0.49999999999999994; (e^x − 1)/x at −3e-5 =
    // 0.99998500014999887 -> 0.9999850001499989 (doubles 0.9999850001496392).
    for (f, at, want) in [
        ("sin(x)/x", "x=3e-8", "0.9999999999999999"),
        ("log(1+x)/x", "x=3e-8", "0.9999999850000003"),
        ("(1-cos(x))/x^2", "x=3e-8", "0.49999999999999994"),
        ("(exp(x)-1)/x", "x=-3e-5", "0.9999850001499989"),
        ("(1-cos(x))/x^2", "x=1e-400", "0.5"),
    ] {
        assert_eq!(quietly(&["eval", f, "--at", at]), want, "{f} at {at}");
    }
}

#[test]
fn a_derivative_whose_doubles_had_no_digit_is_computed_to_its_last() {
    // ∂/∂x sin(x/x^(exp(e)/tanh(x))) at 3/7 = 1334928818492778.422694002417… (mpmath
    // m.diff at 60 digits); its nearest double is 1334928818492778.5. Doubles printed
    // 1651695648355005.8, exit 0, "give or take 7.4e15".
    let args = ["partial", "sin(x/x^(exp(e)/tanh(x)))", "x", "--at", "x=3/7"];
    assert_eq!(quietly(&args), "1334928818492778.5");
    let strict = [&args[..], &["--strict"]].concat();
    assert_eq!(quietly(&strict), "1334928818492778.5");
}

#[test]
fn beyond_the_doubles_above_and_below_is_an_error_giving_the_size() {
    // 800·e^-800 = 2.934299667342149770764397e-345, e^800 = 2.726374572112566567e347.
    // Before: 0 with exit 0 (a warning) below, an error above.
    let o = deriv(&["eval", "x*exp(-x)", "--at", "x=800"]).fails_with(
        1,
        "800/e^800 is too small for a double at this point: it is about 2.934e-345",
    );
    assert_eq!(o.stdout, "");
    deriv(&["eval", "exp(x)", "--at", "x=800"]).fails_with(
        1,
        "exp(800) is too large for a double at this point: it is about 2.726e347",
    );
    // e^(−10^20) is past any exponent kept (printed 0 before); 1 + e^(−10^20) is 1.
    deriv(&["eval", "exp(-x)", "--at", "x=1e20"])
        .fails_with(1, "is too small for a double at this point");
    assert_eq!(quietly(&["eval", "1 + exp(-x)", "--at", "x=1e20"]), "1");
    // sigmoid(−800) = 3.6678745841776872e-348; e^−745.5 = 1.712e-324 would print as 4.9e-324.
    deriv(&["eval", "sigmoid(x)", "--at", "x=-800"]).fails_with(1, "about 3.668e-348");
    deriv(&["eval", "exp(-x)", "--at", "x=745.5"]).fails_with(1, "about 1.712e-324");
    // Within the doubles they are values: 700·e^-700 = 6.9017735806318402e-302; a
    // subnormal with digits left is printed, saying its size: e^−740 = 4.2003e-322.
    assert_eq!(
        quietly(&["eval", "x*exp(-x)", "--at", "x=700"]),
        "6.90177358063184e-302"
    );
    let o = deriv(&["eval", "exp(-x)", "--at", "x=740"]).run();
    assert_eq!((o.code, o.stdout.trim()), (0, "4.2e-322"), "{o:#?}");
    assert!(o.stderr.contains("about 4.200e-322"), "{o:#?}");
}

#[test]
fn a_value_with_no_correct_digit_is_refused_and_a_batch_goes_on() {
    // erf has no ball form: doubles give erf(7) − 1 = 0 ± 1.8e-15, the value being
    // −4.1838256077794144e-23 (mpmath erfc(7)).
    deriv(&["eval", "erf(x)-1", "--at", "x=7"])
        .fails_with(1, "a double cannot give a digit of the value at this point");
    let o = deriv(&["eval", "-", "--at", "x=7"])
        .stdin("x^2\nerf(x)-1\nsin(x)/x\n")
        .run();
    assert_eq!(o.code, 1, "{o:#?}");
    // 49; nothing for the refused line; sin(7)/7 = 0.093855228388398441485 (mpmath).
    assert_eq!(o.stdout, "49\n\n0.09385522838839844\n", "{o:#?}");
    assert!(o.stderr.contains("2 | erf(x)-1"), "{o:#?}");
    // Digits left: printed to those. erf(5) − 1 = −1.5374597944280348502e-12.
    let o = deriv(&["eval", "erf(x)-1", "--at", "x=5"]).run();
    assert_eq!((o.code, o.stdout.trim()), (0, "-1.5e-12"), "{o:#?}");
    assert!(
        o.stderr.contains("rounding errors leave 2 correct digits"),
        "{o:#?}"
    );
}

#[test]
fn a_value_no_bits_can_tell_from_zero_says_so() {
    let o = deriv(&["eval", "sin(x)^2 + cos(x)^2 - 1", "--at", "x=1/3"]).run();
    assert_eq!((o.code, o.stdout.trim()), (0, "0"), "{o:#?}");
    assert!(o.stderr.contains("the value is 0 to within"), "{o:#?}");
}
