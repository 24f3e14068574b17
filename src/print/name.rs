//! Variable names in each style: Greek letters and subscripts in Unicode and LaTeX, kept
//! distinct and readable back (see docs/formats.md).

use super::Style;
use crate::expr::names::{greek_letter, greek_name};
use std::fmt::Write;

/// Renders a variable name in a style (`theta_1` → `θ₁`, `\theta_{1}`).
pub fn render_name(name: &str, style: Style) -> String {
    let mut out = String::new();
    write_name(&mut out, name, style);
    out
}

/// Writes a variable name: as typed in plain text; in Unicode and LaTeX with Greek letters
/// and subscripts (`theta_1` → θ₁, `\theta_{1}`). Distinct names never print alike (see
/// docs/formats.md), and the Unicode form reads back as the same name (see
/// `expr::names::canonical`): `delta1` is δ1, since δ₁ is `delta_1`, and an indexed name
/// keeps its brackets (`w[1]`, not `w_{1}`, which is `w_1`).
pub(super) fn write_name(out: &mut String, name: &str, style: Style) {
    if style == Style::Plain {
        return out.push_str(name);
    }
    if let Some(i) = name.find('[').filter(|&i| i > 0 && name.ends_with(']')) {
        let (base, index) = name.split_at(i);
        write_name(out, base, style);
        return out.push_str(index);
    }
    // A Greek name followed by digits: delta1 → δ1, \delta1.
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    let (base, number, sub) = match name.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, "", Some(s)),
        _ if digits > 0 && greek_letter(stem).is_some() => (stem, number, None),
        _ => (name, "", None),
    };
    match style {
        Style::Plain => unreachable!("written above"),
        Style::Unicode => {
            match greek_letter(base) {
                Some(c) => out.push(c),
                None => out.push_str(base),
            }
            out.push_str(number);
            if let Some(s) = sub {
                match subscript(s) {
                    Some(sub) => out.push_str(&sub),
                    None => {
                        out.push('_');
                        out.push_str(s);
                    }
                }
            }
        }
        Style::Latex => {
            let mut chars = base.chars();
            let first = chars.next();
            let single = chars.next().is_none();
            if greek_letter(base).is_some() {
                out.push_str(&latex_greek(base));
            } else if let (true, Some(g)) = (single, first.and_then(greek_name)) {
                out.push_str(&latex_greek(g));
            } else if single {
                out.push_str(base);
            } else {
                let _ = write!(out, "\\mathit{{{}}}", base.replace('_', "\\_"));
            }
            out.push_str(number);
            if let Some(s) = sub {
                let _ = write!(out, "_{{{}}}", s.replace('_', "\\_"));
            }
        }
    }
}

pub(super) fn superscript(s: &str) -> Option<String> {
    s.chars()
        .map(|c| match c {
            '0' => Some('⁰'),
            '1' => Some('¹'),
            '2' => Some('²'),
            '3' => Some('³'),
            '4' => Some('⁴'),
            '5' => Some('⁵'),
            '6' => Some('⁶'),
            '7' => Some('⁷'),
            '8' => Some('⁸'),
            '9' => Some('⁹'),
            '-' => Some('⁻'),
            _ => None,
        })
        .collect()
}

pub(super) fn subscript(s: &str) -> Option<String> {
    s.chars()
        .map(|c| {
            c.to_digit(10)
                .map(|d| char::from_u32(0x2080 + d).unwrap_or(c))
        })
        .collect()
}

/// A Greek letter's name in LaTeX: `\theta`, or for the letters LaTeX has no command for
/// (they look like Latin ones) the upright Latin look-alike, which stays distinct from
/// the italic variable of that letter: `Alpha` is `\mathrm{A}`, `omicron` `\mathrm{o}`.
fn latex_greek(name: &str) -> String {
    const LOOK_ALIKE: [(&str, char); 14] = [
        ("omicron", 'o'),
        ("Alpha", 'A'),
        ("Beta", 'B'),
        ("Epsilon", 'E'),
        ("Zeta", 'Z'),
        ("Eta", 'H'),
        ("Iota", 'I'),
        ("Kappa", 'K'),
        ("Mu", 'M'),
        ("Nu", 'N'),
        ("Omicron", 'O'),
        ("Rho", 'P'),
        ("Tau", 'T'),
        ("Chi", 'X'),
    ];
    match LOOK_ALIKE.iter().find(|(n, _)| *n == name) {
        Some((_, c)) => format!("\\mathrm{{{c}}}"),
        None => format!("\\{name}"),
    }
}
