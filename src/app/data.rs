//! `--data FILE`: the samples, kept apart from the parameters. Columns separated by commas
//! (CSV), tabs (TSV) or spaces; a header line names them (`x[1],x[2],y`), or `--columns`
//! does; `#` starts a comment. Each column is a variable of E.

use deriv::diagnostic::Diagnostic;
use deriv::parse;

/// The samples: one row of values per sample, a column per variable.
pub struct Data {
    /// The variables, canonically spelled (`x[1]`); `None` for a column `--columns` skips.
    pub names: Vec<Option<String>>,
    /// Row-major values.
    pub values: Vec<f64>,
    /// Each row's line in the file, for messages.
    pub lines: Vec<usize>,
    /// The file's name as given.
    pub source: String,
}

impl Data {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.names.len();
        &self.values[i * w..(i + 1) * w]
    }

    /// Where sample `i` (0-based) is, for a message: `sample 3 (xor.csv:4)`.
    pub fn place(&self, i: usize) -> String {
        format!("sample {} ({}:{})", i + 1, self.source, self.lines[i])
    }
}

/// Splits a data line at its separator.
fn fields(line: &str, sep: Option<char>) -> Vec<&str> {
    match sep {
        Some(c) => line.split(c).map(str::trim).collect(),
        None => line.split_whitespace().collect(),
    }
}

/// A value: a decimal, or any constant expression deriv reads (`1/3`, `pi/2`).
fn value(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .or_else(|| crate::app::cli::number(text).ok())
        .filter(|v| v.is_finite())
}

/// Reads the samples from `text` (the contents of `source`). `columns` (from `--columns`)
/// names the columns in order, `-` skipping one; without it the first line must be a
/// header of variable names.
pub fn parse(text: &str, source: &str, columns: Option<&[String]>) -> Result<Data, Diagnostic> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim()))
        .filter(|(_, l)| !l.is_empty())
        .peekable();
    let Some(&(first_no, first)) = lines.peek() else {
        return Err(Diagnostic::error(format!(
            "the data file {source} has no samples"
        )));
    };
    let sep = if first.contains('\t') {
        Some('\t')
    } else if first.contains(',') {
        Some(',')
    } else {
        None
    };
    let here = |no: usize, line: &str| format!("{source}:{no}: {line}");
    let header = fields(first, sep).iter().any(|f| value(f).is_none());
    let given: Vec<String> = match columns {
        Some(c) => c.to_vec(),
        None if header => fields(first, sep).iter().map(|f| f.to_string()).collect(),
        None => {
            return Err(Diagnostic::error(format!(
                "the data file {source} has no header naming its columns"
            ))
            .with_note(here(first_no, first))
            .with_note(
                "add a first line such as x[1],x[2],y, or name them with --columns 'x[1],x[2],y'",
            ));
        }
    };
    if header {
        lines.next();
    }
    let mut names = Vec::new();
    for g in &given {
        if g.trim() == "-" {
            names.push(None);
            continue;
        }
        let n = parse::var_name(g).ok_or_else(|| {
            Diagnostic::error(format!(
                "the column `{g}` of {source} is not a variable name"
            ))
            .with_note("columns are named like variables: x[1], x_2, y")
        })?;
        if names.iter().flatten().any(|m: &String| *m == n) {
            return Err(Diagnostic::error(format!(
                "the column `{n}` of {source} is named twice"
            )));
        }
        names.push(Some(n));
    }
    let mut data = Data {
        values: Vec::new(),
        lines: Vec::new(),
        names,
        source: source.to_string(),
    };
    for (no, line) in lines {
        let fs = fields(line, sep);
        if fs.len() != data.names.len() {
            return Err(Diagnostic::error(format!(
                "line {no} of {source} has {} values, but there are {} columns",
                fs.len(),
                data.names.len()
            ))
            .with_note(here(no, line)));
        }
        for f in fs {
            let v = value(f).ok_or_else(|| {
                Diagnostic::error(format!("`{f}` in {source} is not a finite number"))
                    .with_note(here(no, line))
            })?;
            data.values.push(v);
        }
        data.lines.push(no);
    }
    if data.rows() == 0 {
        return Err(Diagnostic::error(format!(
            "the data file {source} has no samples"
        )));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_tsv_and_spaces_with_headers_comments_and_columns() {
        let csv = parse(
            "# xor\nx[1],x[2],y\n0,0,0\n0, 1, 1 # a comment\n",
            "a.csv",
            None,
        )
        .unwrap();
        assert_eq!(csv.names.len(), 3);
        assert_eq!(csv.row(1), [0.0, 1.0, 1.0]);
        assert_eq!(csv.place(1), "sample 2 (a.csv:4)");
        let tsv = parse("x\ty\n1\t1/2\n", "b.tsv", None).unwrap();
        assert_eq!(tsv.row(0), [1.0, 0.5]);
        let cols = ["x[1]".to_string(), "-".to_string(), "y".to_string()];
        let ws = parse("1 2 3\n4 5 6\n", "c.txt", Some(&cols)).unwrap();
        assert_eq!(ws.names[1], None);
        assert_eq!(ws.row(1), [4.0, 5.0, 6.0]);
        assert!(parse("1 2\n", "d.txt", None).is_err());
        assert!(parse("x,y\n1\n", "e.csv", None).is_err());
        assert!(parse("x,y\n1,z\n", "f.csv", None).is_err());
        assert!(parse("x,x\n1,2\n", "g.csv", None).is_err());
        assert!(parse("x,y\n", "h.csv", None).is_err());
    }
}
