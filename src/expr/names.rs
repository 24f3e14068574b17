//! Names: their one canonical spelling (a Greek letter is its spelled-out name, as `π` is
//! `pi`; subscript digits are `_digits`), the Greek table the printers use, and the
//! natural order of names.
//!
//! The Unicode printer writes `theta_1` as `θ₁`; for that text to read back as the same
//! variable, the store knows a name only by one spelling, and every name goes through
//! `canonical` on its way in (`Store::intern_name`).

use std::borrow::Cow;
use std::cmp::Ordering;

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

/// Names in the order a person counts: runs of digits compare as numbers (`z2` before
/// `z10`), and an indexed name by its base, then its indices as integers (`w[2,1]` before
/// `w[10,1]`, `x` before `x[1]`). Names equal as numbers (`x01`, `x1`) are ordered by
/// spelling, so the order is total.
pub fn name_order(a: &str, b: &str) -> Ordering {
    if !a.contains('[') && !b.contains('[') {
        return natural(a, b).then_with(|| a.cmp(b));
    }
    let split = |s: &str| -> (String, Vec<i64>) {
        match s.split_once('[') {
            Some((base, rest)) => (
                base.to_string(),
                rest.trim_end_matches(']')
                    .split(',')
                    .map(|k| k.trim().parse().unwrap_or(i64::MAX))
                    .collect(),
            ),
            None => (s.to_string(), Vec::new()),
        }
    };
    let ((ba, ia), (bb, ib)) = (split(a), split(b));
    natural(&ba, &bb)
        .then_with(|| ia.cmp(&ib))
        .then_with(|| a.cmp(b))
}

/// Compares byte by byte, except that runs of ASCII digits compare by their value.
fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (n, m) = (digits(x), digits(y));
                let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
                let (p, q) = (&x[strip(&x[..n])..n], &y[strip(&y[..m])..m]);
                let o = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if o != Ordering::Equal {
                    return o;
                }
                (x, y) = (&x[n..], &y[m..]);
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

/// A prefix p for generated names p1, p2, … that no name in `taken` can be confused
/// with: the first candidate such that no taken name (nor the base of an indexed one, `c1`
/// of `c1[2]`) is p followed by digits, else `fallback` with `_` appended until it is free.
pub fn free_prefix(candidates: &[&str], fallback: &str, taken: &[&str]) -> String {
    let clashes = |p: &str| {
        taken.iter().any(|t| {
            let base = t.split('[').next().unwrap_or(t);
            base.strip_prefix(p)
                .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    if let Some(p) = candidates.iter().find(|p| !clashes(p)) {
        return p.to_string();
    }
    let mut p = fallback.to_string();
    while clashes(&p) {
        p.push('_');
    }
    p
}

#[cfg(test)]
mod tests {
    use super::{canonical, name_order};
    use std::cmp::Ordering;

    #[test]
    fn names_sort_the_way_a_person_counts() {
        let sorted = [
            "a", "b1", "b2", "b10", "b10a", "w", "w[-1]", "w[1,2]", "w[2,1]", "w[10,1]", "x",
            "x[1]", "x01", "x1", "x2", "x_1", "z9", "z10", "z100",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(name_order(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(name_order("x1", "x1"), Ordering::Equal);
    }

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
