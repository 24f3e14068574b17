//! Numbers from doubles (`--at`, `eval`): the shortest text that reads back as the same
//! double, in deriv's own syntax, so a value can be pasted into the next command.

use super::Style;

/// Writes `x` as the fewest significant digits that read back as `x` exactly (`0.1`, not
/// `0.1000000000000000055511151231257827`): as a decimal when its exponent is between
/// -5 and 15 (`0.0001`, `123.5`, `1000000000000000`), else in scientific notation, `1e-300`
/// and `-2.5e20` in plain text, `1×10⁻³⁰⁰` in Unicode and `1 \times 10^{-300}` in LaTeX.
/// The plain and Unicode forms parse back to a rational whose nearest double is `x` (-0
/// is written `0`). A value that is not finite has no such form; it is written `inf`,
/// `-inf` or `NaN`, which callers refuse to print as a result.
pub fn float(x: f64, style: Style) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".to_string();
    }
    // Rust's `{:e}` is the shortest round trip: `1e-300`, `2.5e20`, `-1.2345e-7`.
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').expect("`{:e}` writes an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    if (-5..16).contains(&exponent) {
        return format!("{x}");
    }
    scientific(mantissa, exponent.into(), style)
}

/// `m×10^k` in a style: `1e-300`, `1×10⁻³⁰⁰`, `1 \times 10^{-300}` (all read back).
fn scientific(mantissa: &str, exponent: i64, style: Style) -> String {
    match style {
        Style::Plain => format!("{mantissa}e{exponent}"),
        Style::Unicode => format!("{mantissa}×10{}", superscript(exponent)),
        Style::Latex => format!("{mantissa} \\times 10^{{{exponent}}}"),
    }
}

/// An exact rational in scientific notation when that is shorter than its digits: a
/// decimal with many digits (`1/10^300` is `1e-300`, `2^-10*10^-290`… stays a fraction
/// unless its denominator is a product of 2s and 5s). `None` when it is not shorter.
pub fn exact_scientific(r: &crate::expr::Rat, style: Style) -> Option<String> {
    use num_bigint::BigInt;
    use num_traits::{One, Zero};
    // Numerator and denominator under 10^10 print in fewer than 24 characters: the
    // printer asks for every fraction it writes, so spare those the formatting.
    const SHORT: u64 = 10_000_000_000;
    if let crate::expr::Rat::Small(n, d) = r
        && n.unsigned_abs() < SHORT
        && d.unsigned_abs() < SHORT
    {
        return None;
    }
    let plain = r.to_string();
    if plain.len() < 24 {
        return None;
    }
    let (n, mut d) = (r.numer().clone(), r.denom().clone());
    // d = 2^a 5^b, so n/d = n·2^(k-a)·5^(k-b) / 10^k with k = max(a, b).
    // Whole words of factors at a time: 10^100000 is a hundred thousand factors of each.
    let a = d.trailing_zeros().unwrap_or(0);
    d >>= a;
    let mut b = 0u64;
    for (step, count) in [(BigInt::from(5u64.pow(27)), 27), (BigInt::from(5), 1)] {
        while (&d % &step).is_zero() {
            d /= &step;
            b += count;
        }
    }
    if !d.is_one() {
        return None;
    }
    let k = a.max(b);
    let m = n << (k - a) as usize;
    let m = m * BigInt::from(5).pow((k - b) as u32);
    let negative = m < BigInt::zero();
    let all = m.magnitude().to_string();
    let digits = all.trim_end_matches('0').to_string();
    let exponent = (all.len() - digits.len()) as i64 - k as i64 + digits.len() as i64 - 1;
    let mantissa = match digits.len() {
        1 => digits.clone(),
        _ => format!("{}.{}", &digits[..1], &digits[1..]),
    };
    let mantissa = if negative {
        format!("-{mantissa}")
    } else {
        mantissa
    };
    let sci = scientific(&mantissa, exponent, style);
    (sci.chars().count() + 4 < plain.len()).then_some(sci)
}

fn superscript(k: i64) -> String {
    k.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Node, Store};
    use proptest::prelude::*;

    /// What deriv reads `text` as, converted to the nearest double.
    fn read(text: &str) -> f64 {
        let mut s = Store::new();
        let e = crate::parse::parse(&mut s, text).unwrap_or_else(|err| panic!("{text}: {err:?}"));
        match s.node(e) {
            Node::Num(r) => r.to_f64(),
            _ => panic!("`{text}` is not a number"),
        }
    }

    #[test]
    fn the_shortest_form_in_each_style() {
        for (x, plain, unicode, latex) in [
            (1e-300, "1e-300", "1×10⁻³⁰⁰", "1 \\times 10^{-300}"),
            (-2.5e20, "-2.5e20", "-2.5×10²⁰", "-2.5 \\times 10^{20}"),
            (0.1, "0.1", "0.1", "0.1"),
            (0.0001, "0.0001", "0.0001", "0.0001"),
            (0.00001, "0.00001", "0.00001", "0.00001"),
            (0.000001, "1e-6", "1×10⁻⁶", "1 \\times 10^{-6}"),
            (
                1e15,
                "1000000000000000",
                "1000000000000000",
                "1000000000000000",
            ),
            (1e16, "1e16", "1×10¹⁶", "1 \\times 10^{16}"),
            (
                0.19661193324148185,
                "0.19661193324148185",
                "0.19661193324148185",
                "0.19661193324148185",
            ),
            (5e-324, "5e-324", "5×10⁻³²⁴", "5 \\times 10^{-324}"),
            (
                f64::MAX,
                "1.7976931348623157e308",
                "1.7976931348623157×10³⁰⁸",
                "1.7976931348623157 \\times 10^{308}",
            ),
            (-0.0, "0", "0", "0"),
            (3.0, "3", "3", "3"),
        ] {
            assert_eq!(float(x, Style::Plain), plain);
            assert_eq!(float(x, Style::Unicode), unicode);
            assert_eq!(float(x, Style::Latex), latex);
        }
        // sigmoid(-700) once printed as a 304-digit decimal.
        assert_eq!(
            float(9.85967654375977e-305, Style::Plain),
            "9.85967654375977e-305"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 20_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any finite double, as its bits: the plain and Unicode forms read back as it.
        #[test]
        fn every_double_reads_back(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            for style in [Style::Plain, Style::Unicode] {
                let text = float(x, style);
                prop_assert_eq!(read(&text), x, "{:?} form `{}` of {:e}", style, text, x);
            }
            // Shortest: the same value rounded to one digit fewer is another double.
            let sci = format!("{x:e}");
            let digits = sci.split('e').next().unwrap_or("").bytes().filter(u8::is_ascii_digit).count();
            if digits > 1 {
                let shorter = format!("{:.*e}", digits - 2, x);
                prop_assert_ne!(shorter.parse::<f64>().ok(), Some(x), "{} reads back too", shorter);
            }
        }

        /// Doubles of ordinary size, where most values are: the decimal form.
        #[test]
        fn ordinary_doubles_read_back(x in -1e6f64..1e6) {
            let text = float(x, Style::Plain);
            prop_assert_eq!(read(&text), x, "`{}`", text);
        }
    }
}
