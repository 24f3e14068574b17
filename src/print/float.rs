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
    match style {
        Style::Plain => sci,
        Style::Unicode => format!("{mantissa}×10{}", superscript(exponent)),
        Style::Latex => format!("{mantissa} \\times 10^{{{exponent}}}"),
    }
}

fn superscript(k: i32) -> String {
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
