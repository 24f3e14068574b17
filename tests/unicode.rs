//! What the Unicode printer writes reads back: `·`, `×`, `−`, superscript powers, `√`,
//! `|x|`, primes, `∂₁`, Greek letters and subscripts, for random expressions and their
//! derivatives; pasted output gives the same answer as the plain text; and anything else
//! is an error that points at the character.

use crate::common::exprgen::*;
use crate::common::*;

use deriv::expr::Store;
use deriv::parse::parse;
use deriv::print::{Style, render};
use std::cell::Cell;

#[test]
fn unicode_form_parses_back_to_the_same_expression() {
    let checked = Cell::new(0usize);
    run(2000, expr_text(), |g| {
        let mut s = Store::new();
        let Some(e) = parse_defined(&mut s, &g)? else {
            return Ok(());
        };
        check_round_trip(&mut s, e, Style::Unicode, &format!("`{}`", g.text))?;
        for (what, d) in derivatives(&mut s, e) {
            if !s.is_undefined(d) {
                check_round_trip(
                    &mut s,
                    d,
                    Style::Unicode,
                    &format!("{what} of `{}`", g.text),
                )?;
            }
        }
        checked.set(checked.get() + 1);
        Ok(())
    });
    assert!(
        checked.get() >= 1500,
        "only {} cases checked",
        checked.get()
    );
}

/// Printed forms where a reader could go wrong, each read back to the same node.
#[test]
fn delicate_unicode_forms_read_back() {
    for text in [
        "4*pi/3*t*x*y",
        "x^2*y^-3",
        "x^(3/2) + x^10",
        "2*sqrt(x) + sqrt(x + 1) + 1/sqrt(2)",
        "sqrt(x)^y",
        "2*abs(x) + abs(abs(x) + 1) + abs(x - 2)*y",
        "abs(x - 2*abs(y - 1))",
        "f'(x) + f''(x^2) + 3*f'''(x)",
        "D[1,2](g)(x, y) + 2*D[1](g)(x, y)",
        "theta_1*x_1*x1*delta1*delta_1*theta",
        "2*e1 + 3*E2^2 + x/(2*e1)",
        "w[1,2]*theta[3] + w_1[2]",
        "phi(x)*phi'(x)",
        "pi_1 + Pi + 2*pi",
        "x^y^z + (x^y)^z",
        "sum(i = 1..n, w[i]*x[i])",
    ] {
        let mut s = Store::new();
        let e = parse(&mut s, text).unwrap_or_else(|err| panic!("`{text}`: {err:?}"));
        let uni = render(&s, e, Style::Unicode);
        let back = parse(&mut s, &uni).unwrap_or_else(|err| panic!("`{uni}`: {err:?}"));
        assert_eq!(
            back,
            e,
            "`{text}` prints as `{uni}`, which reads back as `{}`",
            render(&s, back, Style::Plain)
        );
    }
}

/// Issue #16: `·` was a letter, so `π·t·y` was one variable and these answered wrong.
#[test]
fn pasted_unicode_output_gives_the_right_answer() {
    deriv(&["partial", "4π·t·y/3", "t"]).prints("4*pi*y/3");
    deriv(&["grad", "x·y + x"]).prints("[y + 1, x]");
    deriv(&["simplify", "4π·t·y/3"]).prints("4*pi*t*y/3");
    deriv(&["partial", "x²", "x"]).prints("2*x");
}

#[test]
fn every_unicode_form_is_read() {
    for (text, plain) in [
        ("x×y − 2⋅z", "x*y - 2*z"),
        ("−x", "-x"),
        ("1e−3 + 2E−2", "21/1000"),
        ("x⁻¹ + x¹⁰", "x^10 + 1/x"),
        ("√x + √(x + 1)", "sqrt(x) + sqrt(x + 1)"),
        ("2√x", "2*sqrt(x)"),
        ("√x^y", "sqrt(x)^y"),
        ("|x| + 2·|x − 1|", "abs(x) + 2*abs(x - 1)"),
        ("f′(x) + f″(x) + f‴(x)", "f'(x) + f''(x) + f'''(x)"),
        ("∂₁∂₂g(x, y)", "D[1,2](g)(x, y)"),
        ("θ₁ + θ + δ1 + x₁₂", "delta1 + theta + theta_1 + x_12"),
        ("θ[1] + Δx", "theta[1] + Δx"),
    ] {
        deriv(&["simplify", text]).prints(plain);
    }
}

/// The design's pipeline with Unicode in the middle: pasting the Unicode form of a first
/// derivative gives the second derivative the plain form gives.
#[test]
fn pasted_output_of_a_derivative_is_differentiated_again() {
    let f = "x^3*y^2*sqrt(x)*abs(y)/theta_1";
    let first = |format: &str| {
        let o = deriv(&["partial", f, "x", "--format", format]).run();
        assert_eq!(o.code, 0, "{o:?}");
        o.stdout.trim_end().to_string()
    };
    let (plain, uni) = (first("plain"), first("unicode"));
    assert_eq!(uni, "7x^(5/2)·|y|³/(2θ₁)");
    let second = deriv(&["partial", &plain, "y"]).run().stdout;
    deriv(&["partial", &uni, "y"]).prints(second.trim_end());
}

#[test]
fn a_character_outside_the_grammar_is_an_error_at_that_character() {
    let o = deriv(&["partial", "x∙y", "x"]).fails_with(1, "unexpected character `∙`");
    assert!(o.stderr.contains("1 | x∙y\n  |  ^"), "{}", o.stderr);
    deriv(&["partial", "x÷y", "x"]).fails_with(1, "divide with `/`");
    deriv(&["partial", "∛x", "x"]).fails_with(1, "x^(1/3)");
    deriv(&["partial", "2|x|", "x"]).fails_with(1, "`2*|x|`");
    deriv(&["partial", "|x", "x"]).fails_with(1, "unclosed `|`");
    // No message suggests a product with a superscript.
    let o = deriv(&["partial", "x²^3", "x"]).fails_with(1, "(x²)^3");
    assert!(!o.stderr.contains("*²"), "{}", o.stderr);
}

/// `√` and `|` nest without parentheses; the nesting limit counts them, so no input can
/// recurse deeper than the stack holds.
#[test]
fn roots_and_bars_count_toward_the_nesting_limit() {
    let deep = [
        format!("{}x", "√".repeat(200_000)),
        format!("{}x{}", "|".repeat(200_000), "|".repeat(200_000)),
        format!("{}x{}", "|-".repeat(200_000), "|".repeat(200_000)),
    ];
    for text in &deep {
        let o = deriv(&["simplify", "-"]).stdin(format!("{text}\n")).run();
        assert_eq!((o.code, o.stdout.as_str()), (1, "\n"), "{}", o.stderr);
        assert!(
            o.stderr.contains("nests more than 100000 levels"),
            "{}",
            o.stderr
        );
    }
    // Within the limit they are read (and abs(abs(u)) is abs(u)).
    let bars = format!("{}x{}", "|".repeat(1000), "|".repeat(1000));
    deriv(&["simplify", &bars]).prints("abs(x)");
    // (A root of a root is one power: both are defined for x ≥ 0 only.)
    deriv(&["simplify", "√√√x"]).prints("x^(1/8)");
    // A sum of many roots and bars does not nest.
    let many = vec!["√x·|y|"; 60_000].join(" + ");
    deriv(&["simplify", "-"])
        .stdin(format!("{many}\n"))
        .prints("60000*sqrt(x)*abs(y)");
}

// ---- distinct names print distinctly (issue #17) -----------------------------------------

/// Names built from the parts that printing changes: Greek names and letters, digits,
/// `_` subscripts, subscript digits, indices, and a name that looks like the constant.
fn tricky_names() -> Vec<String> {
    let stems = [
        "x", "e", "E", "w", "ab", "theta", "delta", "Delta", "pi", "Pi", "θ", "δ", "Δ", "α", "_",
    ];
    let tails = [
        "", "1", "12", "_1", "_12", "_x", "_1_2", "x", "₁", "₁₂", "_θ", "_delta", "1_2", "_",
    ];
    let indices = ["", "[1]", "[12]", "[1,2]", "[-1]"];
    let mut out = Vec::new();
    for s in stems {
        for t in tails {
            for i in indices {
                out.push(format!("{s}{t}{i}"));
            }
        }
    }
    out
}

#[test]
fn distinct_names_print_distinctly_and_read_back() {
    let mut s = Store::new();
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for typed in tricky_names() {
        let Ok(e) = parse(&mut s, &typed) else {
            continue; // `_` alone, `pi[1]`: not names
        };
        let deriv::expr::Node::Sym(n) = *s.node(e) else {
            continue; // pi, e, π
        };
        let name = s.name(n).to_string();
        if seen.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let uni = render(&s, e, Style::Unicode);
        let tex = render(&s, e, Style::Latex);
        for (other, u, t) in &seen {
            assert_ne!(
                &uni, u,
                "`{name}` and `{other}` both print `{uni}` in Unicode"
            );
            assert_ne!(
                &tex, t,
                "`{name}` and `{other}` both print `{tex}` in LaTeX"
            );
        }
        let back = parse(&mut s, &uni).unwrap_or_else(|err| panic!("`{uni}`: {err:?}"));
        assert_eq!(
            back, e,
            "`{name}` prints `{uni}`, which reads back differently"
        );
        seen.push((name, uni, tex));
    }
    assert!(seen.len() > 500, "only {} names", seen.len());
}

/// Issue #17: `theta^2*θ` printed `2θ·θ` and `theta*θ` `\theta \theta`. A Greek letter is
/// its name, so these are one variable, printed one way in every format.
#[test]
fn a_greek_letter_and_its_name_are_one_variable() {
    deriv(&["partial", "theta^2*θ", "theta"]).prints("3*theta^2");
    deriv(&["partial", "theta^2*θ", "θ", "--format", "unicode"]).prints("3θ²");
    deriv(&["simplify", "theta*θ", "--format", "latex"]).prints(r"\theta^{2}");
    deriv(&["grad", "θ₁*theta_1 + x"]).prints("[2*theta_1, 1]");
}

#[test]
fn names_that_differ_print_differently_in_latex() {
    deriv(&["simplify", "w_1*w[1] + delta1*delta_1", "--format", "latex"])
        .prints(r"\delta1 \delta_{1} + w[1] w_{1}");
    deriv(&[
        "simplify",
        "w_1*w[1] + delta1*delta_1",
        "--format",
        "unicode",
    ])
    .prints("δ1·δ₁ + w[1]·w₁");
}

/// LaTeX has commands for the Greek letters that do not look like Latin ones only
/// (`\Alpha` and `\omicron` do not exist): every Greek name prints as one of LaTeX's
/// commands, or as an upright look-alike that stays distinct from the italic Latin letter.
#[test]
fn greek_names_print_as_valid_latex() {
    const LATEX: &str = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu \
        xi pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma \
        Upsilon Phi Psi Omega";
    let lower = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi \
        omicron rho sigma tau upsilon phi chi psi omega";
    let upper: Vec<String> = lower
        .split(' ')
        .map(|n| n[..1].to_uppercase() + &n[1..])
        .collect();
    for name in lower.split(' ').map(String::from).chain(upper) {
        let out = deriv(&["simplify", &name, "--format", "latex"]).run();
        let tex = out.stdout.trim();
        let ok = tex
            .strip_prefix('\\')
            .is_some_and(|cmd| LATEX.split(' ').any(|c| c == cmd))
            || (tex.starts_with("\\mathrm{") && tex.len() == "\\mathrm{A}".len());
        assert!(ok, "`{name}` prints `{tex}` in LaTeX");
    }
    deriv(&["simplify", "Alpha*A + omicron*o", "--format", "latex"])
        .prints(r"A \mathrm{A} + o \mathrm{o}");
}
