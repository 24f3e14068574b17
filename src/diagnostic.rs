//! One look for every error and warning: a message, the source line with a caret under
//! the spot, and notes. Colored only when the caller says the stream allows it.

use colored::Colorize;
use std::ops::Range;

/// How bad it is: it chooses the heading (`error:`, `warning:`, `note:`) and its colour.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The input is refused.
    Error,
    /// An answer is given, with something the user should know.
    Warning,
    /// More about the diagnostic before it.
    Note,
}

/// The kinds of diagnostic a JSON answer lists in its `warnings`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The result keeps an unknown function's derivative, such as `f'(x)`.
    UnknownFunction,
    /// A derivative came from an implicit relation (−F_x/F_v).
    ImplicitDerivative,
    /// `--stats`: sizes and timings.
    Stats,
}

impl Kind {
    /// Its `kind` string in JSON; part of the schema (docs/formats.md), so stable.
    pub fn name(self) -> &'static str {
        match self {
            Kind::UnknownFunction => "unknown-function",
            Kind::ImplicitDerivative => "implicit-derivative",
            Kind::Stats => "stats",
        }
    }
}

/// The text a diagnostic points into: what the user typed, and a gutter label
/// (a line number for stdin, `1` for an argument, nothing for an option).
#[derive(Clone, Debug)]
pub struct Snippet {
    pub(crate) label: String,
    pub(crate) text: String,
    /// Byte range within `text`.
    pub(crate) span: Range<usize>,
}

/// One error, warning or note, built with the constructors below and written by `render`
/// (or listed in JSON's `warnings` by `kind`).
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Set by the constructor; a caller may raise it (`--strict` makes warnings errors).
    pub severity: Severity,
    /// What went wrong, in one line: the text after the heading.
    pub message: String,
    /// Where in the input it is; `None` when no one piece of text is to blame.
    pub snippet: Option<Snippet>,
    /// Lines written after the snippet, each as `note: …`, in order.
    pub notes: Vec<String>,
    /// What a program reading JSON sees it as; `None` for diagnostics that JSON reports in
    /// their own way or not at all.
    pub kind: Option<Kind>,
}

/// The widest piece of a line shown around the caret.
const WINDOW: usize = 60;

impl Diagnostic {
    /// An error with no snippet, notes or kind; the other constructors start from it.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            snippet: None,
            notes: Vec::new(),
            kind: None,
        }
    }

    /// A note: information beside a result, such as an implicit derivative or `--stats`.
    pub fn note(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(message)
        }
    }

    /// A warning: something about a result the user should check (it is still printed).
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Points at `span`, a byte range of `text` (clamped to it and to character
    /// boundaries when rendered, so any range is safe); `label` is the gutter text.
    pub fn with_snippet(
        mut self,
        label: impl Into<String>,
        text: &str,
        span: Range<usize>,
    ) -> Diagnostic {
        self.snippet = Some(Snippet {
            label: label.into(),
            text: text.to_string(),
            span,
        });
        self
    }

    /// Marks it as one JSON lists in `warnings`, under `kind.name()`.
    pub fn with_kind(mut self, kind: Kind) -> Diagnostic {
        self.kind = Some(kind);
        self
    }

    /// Adds a note line after those already there.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// A parse error, pointing into the text it came from (`label` names the line).
    pub fn parse(e: crate::parse::ParseError, label: &str, text: &str) -> Diagnostic {
        let mut d = Diagnostic::error(e.message).with_snippet(label, text, e.span);
        for n in e.notes {
            d = d.with_note(n);
        }
        d
    }

    /// The text for stderr, ending in a newline: the heading, the snippet with a caret under
    /// the span (a long line cut to a window around it), then the notes. `color` adds ANSI
    /// escapes; pass it only when the stream is a terminal that wants them.
    pub fn render(&self, color: bool) -> String {
        let paint = |s: &str, f: fn(&str) -> colored::ColoredString| -> String {
            if color {
                f(s).to_string()
            } else {
                s.to_string()
            }
        };
        let (head, caret_color): (String, fn(&str) -> colored::ColoredString) = match self.severity
        {
            Severity::Error => (paint("error", |s| s.red().bold()), |s| s.red().bold()),
            Severity::Warning => (paint("warning", |s| s.yellow().bold()), |s| {
                s.yellow().bold()
            }),
            Severity::Note => (paint("note", |s| s.cyan().bold()), |s| s.cyan().bold()),
        };
        let mut out = format!("{head}: {}\n", paint(&self.message, |s| s.bold()));
        if let Some(sn) = &self.snippet {
            let (line, col, width) = window(&sn.text, sn.span.clone());
            let pad = " ".repeat(sn.label.chars().count());
            let bar = |s: &str| paint(s, |s| s.blue().bold());
            out += &format!("{pad} {}\n", bar("|"));
            out += &format!("{} {} {line}\n", bar(&sn.label), bar("|"));
            let carets = "^".repeat(width.max(1));
            out += &format!(
                "{pad} {} {}{} {}\n",
                bar("|"),
                " ".repeat(col),
                paint(&carets, caret_color),
                paint("here", caret_color)
            );
        }
        for n in &self.notes {
            out += &format!("  {} {n}\n", paint("note:", |s| s.bold()));
        }
        out
    }
}

/// The part of `text` to show (control characters made visible, long lines cut around the
/// span), the caret's column and its width, in characters.
fn window(text: &str, span: Range<usize>) -> (String, usize, usize) {
    let start = floor_char(text, span.start.min(text.len()));
    let end = floor_char(text, span.end.clamp(start, text.len()));
    // Only the shown characters are kept: a 200 MB line must not become 800 MB of chars.
    let before_len = text[..start].chars().count();
    let inside = text[start..end].chars().count();
    let clean = |c: char| match c {
        '\t' => ' ',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    };
    let (mut shown, mut col) = (String::new(), before_len);
    let skip = before_len.saturating_sub(WINDOW / 2);
    if skip > 0 {
        shown.push('…');
        col = col - skip + 1;
    }
    let kept: Vec<char> = text[..start].chars().rev().take(WINDOW / 2).collect();
    shown.extend(kept.into_iter().rev().map(clean));
    let width = inside.min(WINDOW);
    shown.extend(text[start..end].chars().take(WINDOW).map(clean));
    let tail = WINDOW.saturating_sub(width).max(10);
    let mut after = text[end..].chars();
    shown.extend(after.by_ref().take(tail).map(clean));
    if after.next().is_some() || inside > WINDOW {
        shown.push('…');
    }
    (shown, col, width)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The message for a sum that cannot be expanded, with the offending bound written out.
pub fn sum_message(s: &crate::expr::Store, e: &crate::expr::SumError) -> String {
    let crate::expr::SumError::NotInteger { index, bound } = e else {
        return e.to_string();
    };
    let shown = crate::print::render(s, *bound, crate::print::Style::Plain);
    if s.as_num(*bound).is_some() {
        return format!("the bounds of sum({index} = ...) must be integers, but one is `{shown}`");
    }
    format!(
        "the bounds of sum({index} = ...) must be known integers, but one is `{shown}` \
         (give it with --let, e.g. --let 'I = 4')"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_the_spot() {
        let d = Diagnostic::error("expected an operand after `*`").with_snippet(
            "1",
            "4*pi/3*(t*",
            10..10,
        );
        assert_eq!(
            d.render(false),
            "error: expected an operand after `*`\n  |\n1 | 4*pi/3*(t*\n  |           ^ here\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let text = format!("{}$", "x+".repeat(5000));
        let d =
            Diagnostic::error("unexpected character `$`").with_snippet("1", &text, 10000..10001);
        let r = d.render(false);
        assert!(r.lines().all(|l| l.chars().count() < 100), "{r}");
        let lines: Vec<&str> = r.lines().collect();
        let caret = lines[3].find('^').unwrap();
        assert_eq!(lines[2].chars().nth(caret), Some('$'));
    }
}
