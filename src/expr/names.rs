//! Names: their one canonical spelling (a Greek letter is its spelled-out name, as `π` is
//! `pi`; subscript digits are `_digits`), the Greek table the printers use, and the
//! natural order of names.
//!
//! The Unicode printer writes `theta_1` as `θ₁`; for that text to read back as the same
//! variable, the store knows a name only by one spelling, and every name goes through
//! `canonical` on its way in (`Store::intern_name`).

use std::borrow::Cow;

const GREEK: [(&str, char); 48] = [
    ("alpha", 'α'),
    ("beta", 'β'),
    ("gamma", 'γ'),
    ("delta", 'δ'),
    ("epsilon", 'ε'),
    ("zeta", 'ζ'),
    ("eta", 'η'),
    ("theta", 'θ'),
    ("iota", 'ι'),
    ("kappa", 'κ'),
    ("lambda", 'λ'),
    ("mu", 'μ'),
    ("nu", 'ν'),
    ("xi", 'ξ'),
    ("omicron", 'ο'),
    ("pi", 'π'),
    ("rho", 'ρ'),
    ("sigma", 'σ'),
    ("tau", 'τ'),
    ("upsilon", 'υ'),
    ("phi", 'φ'),
    ("chi", 'χ'),
    ("psi", 'ψ'),
    ("omega", 'ω'),
    ("Alpha", 'Α'),
    ("Beta", 'Β'),
    ("Gamma", 'Γ'),
    ("Delta", 'Δ'),
    ("Epsilon", 'Ε'),
    ("Zeta", 'Ζ'),
    ("Eta", 'Η'),
    ("Theta", 'Θ'),
    ("Iota", 'Ι'),
    ("Kappa", 'Κ'),
    ("Lambda", 'Λ'),
    ("Mu", 'Μ'),
    ("Nu", 'Ν'),
    ("Xi", 'Ξ'),
    ("Omicron", 'Ο'),
    ("Pi", 'Π'),
    ("Rho", 'Ρ'),
    ("Sigma", 'Σ'),
    ("Tau", 'Τ'),
    ("Upsilon", 'Υ'),
    ("Phi", 'Φ'),
    ("Chi", 'Χ'),
    ("Psi", 'Ψ'),
    ("Omega", 'Ω'),
];

/// The Greek letter a spelled-out name stands for (`theta` → θ).
pub fn greek_letter(name: &str) -> Option<char> {
    GREEK.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// The spelled-out name of a Greek letter (θ → `theta`).
pub fn greek_name(c: char) -> Option<&'static str> {
    GREEK.iter().find(|(_, g)| *g == c).map(|(n, _)| *n)
}

/// The digit a subscript digit stands for (`₁` → 1).
pub fn subscript_digit(c: char) -> Option<u32> {
    let k = (c as u32).wrapping_sub(0x2080);
    (k < 10).then_some(k)
}

/// The canonical spelling of a name: a trailing run of subscript digits is `_` and the
/// digits (`x₁` → `x_1`), and a leading Greek letter from the table is its name when what
/// follows is nothing, `_…`, digits or an index (`θ` → `theta`, `δ1` → `delta1`,
/// `θ_x` → `theta_x`, `θ[1]` → `theta[1]`; `Δx` stays `Δx`). This inverts exactly what
/// the Unicode printer does to a canonical name, so its output reads back.
#[inline]
pub fn canonical(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    respelled(s)
}

fn respelled(s: &str) -> Cow<'_, str> {
    let (head, index) = s.split_at(s.find('[').unwrap_or(s.len()));
    let stem = head.trim_end_matches(|c| subscript_digit(c).is_some());
    let mut name = stem.to_string();
    if stem.len() < head.len() {
        name.push('_');
        for c in head[stem.len()..].chars() {
            name.extend(subscript_digit(c).and_then(|d| char::from_digit(d, 10)));
        }
    }
    let mut chars = name.chars();
    let first = chars.next();
    let after = chars.as_str();
    let spelled = first.and_then(greek_name).filter(|_| {
        after.is_empty() || after.starts_with('_') || after.bytes().all(|b| b.is_ascii_digit())
    });
    if let Some(spelled) = spelled {
        name = format!("{spelled}{after}");
    }
    if stem.len() == head.len() && spelled.is_none() {
        return Cow::Borrowed(s);
    }
    name.push_str(index);
    Cow::Owned(name)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn a_name_has_one_spelling() {
        for (typed, name) in [
            ("x", "x"),
            ("θ", "theta"),
            ("θ₁", "theta_1"),
            ("θ_x", "theta_x"),
            ("δ1", "delta1"),
            ("x₁₂", "x_12"),
            ("θ[3]", "theta[3]"),
            ("θ₁[3]", "theta_1[3]"),
            ("Δx", "Δx"),
            ("θ1₂", "θ1_2"),
            ("xθ", "xθ"),
        ] {
            assert_eq!(canonical(typed), name, "{typed}");
        }
    }
}
