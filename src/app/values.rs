//! Writing a values file back (`step`, `train`): the `--at-file` as the user wrote it, its
//! comments, blank lines and number forms kept (`lr = 0.3` stays `0.3`), with only the
//! values that changed rewritten; then the `--at` items and any value not in either.

use deriv::parse;
use rustc_hash::FxHashMap;
use std::fmt::Write as _;

/// A double as deriv prints a computed value: the shortest text that reads back to the
/// same double, with an exponent when it is very small or large (`5e-171`, not 171 zeros).
pub fn double(x: f64) -> String {
    deriv::print::float::float(x, deriv::print::Style::Plain)
}

/// The values file after an update: `file` is the `--at-file` text (if any), `at` the
/// `--at` texts, `new` the new value of each updated name (canonical spelling), `extra`
/// names with values from neither (written last, in order).
pub fn write(
    file: Option<&str>,
    at: &[String],
    new: &FxHashMap<String, f64>,
    extra: &[(String, f64)],
) -> String {
    let mut out = String::new();
    for line in file.map(str::lines).into_iter().flatten() {
        out.push_str(&rewrite_line(line, new));
        out.push('\n');
    }
    for a in at {
        for part in parse::split_top(a, ',') {
            let Some((name, value)) = part.split_once('=') else {
                continue;
            };
            let name = name.trim();
            let canonical = parse::var_name(name).unwrap_or_else(|| name.to_string());
            let mut k = Vec::new();
            let v = rewrite_value(&canonical, value.trim(), &mut k, new);
            let _ = writeln!(out, "{name} = {v}");
        }
    }
    for (name, v) in extra {
        let _ = writeln!(out, "{name} = {}", double(*v));
    }
    out
}

/// One line of a values file: `NAME = VALUE  # comment`, with the value rewritten where it
/// changed and everything else as it was.
fn rewrite_line(line: &str, new: &FxHashMap<String, f64>) -> String {
    let (body, comment) = match line.find('#') {
        Some(i) => line.split_at(i),
        None => (line, ""),
    };
    let Some((lhs, rhs)) = body.split_once('=') else {
        return line.to_string();
    };
    let Some(name) = parse::var_name(lhs) else {
        return line.to_string();
    };
    let value = rhs.trim();
    let rewritten = rewrite_value(&name, value, &mut Vec::new(), new);
    if rewritten == value {
        return line.to_string();
    }
    // Keep the spacing before the value and the padding before the comment.
    let lead = &rhs[..rhs.len() - rhs.trim_start().len()];
    let trail = &rhs[rhs.trim_end().len()..];
    let pad = if comment.is_empty() {
        String::new()
    } else {
        let width = value.chars().count() + trail.len();
        " ".repeat(width.saturating_sub(rewritten.chars().count()).max(1))
    };
    format!("{lhs}={lead}{rewritten}{pad}{comment}")
}

/// A value text with the elements that changed replaced: a number, or an array
/// `[[a, b], [c, d]]` of `name[i,j]` elements (1-based, as `--at` reads them).
fn rewrite_value(
    name: &str,
    text: &str,
    at: &mut Vec<usize>,
    new: &FxHashMap<String, f64>,
) -> String {
    let t = text.trim();
    let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        let full = if at.is_empty() {
            name.to_string()
        } else {
            let idx: Vec<String> = at.iter().map(|k| k.to_string()).collect();
            format!("{name}[{}]", idx.join(","))
        };
        return match new.get(&full) {
            Some(&v) => double(v),
            None => t.to_string(),
        };
    };
    let items = parse::split_top(inner, ',');
    let mut parts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        at.push(i + 1);
        parts.push(rewrite_value(name, item, at, new));
        at.pop();
    }
    let same = items.iter().zip(&parts).all(|(a, b)| a.trim() == b);
    if same {
        t.to_string()
    } else {
        format!("[{}]", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_values_are_rewritten() {
        let new: FxHashMap<String, f64> = [("w[1,2]".to_string(), 0.25), ("b".to_string(), 5e-171)]
            .into_iter()
            .collect();
        let file =
            "# weights\nw = [[1, 2], [3, 4]]   # w[i,j]\nlr = 0.3\nb = 1/2 # bias\n\ny = 3/10\n";
        let out = write(Some(file), &["x=0.5".into()], &new, &[("c".into(), 1.0)]);
        assert_eq!(
            out,
            "# weights\nw = [[1, 0.25], [3, 4]] # w[i,j]\nlr = 0.3\nb = 5e-171 # bias\n\ny = 3/10\nx = 0.5\nc = 1\n"
        );
        assert_eq!(double(0.1), "0.1");
        assert_eq!(double(-2.0), "-2");
        assert_eq!(double(1e21), "1e21");
    }
}
