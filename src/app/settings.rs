//! Settings: what the surroundings and the global options decide, once for the whole run:
//! the output format, whether each stream is coloured, and the node budget. Nothing else
//! looks at the terminal or at `--color`.

use super::cli::{ColorChoice, Format, Global};
use deriv::print::Style;
use std::io::IsTerminal;

/// What the process knows about its surroundings.
#[derive(Clone, Debug, Default)]
pub struct Terminal {
    pub stdin_is_tty: bool,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    /// NO_COLOR is set and not empty.
    pub no_color: bool,
    /// CLICOLOR_FORCE is set and not `0`.
    pub clicolor_force: bool,
}

impl Terminal {
    pub fn detect() -> Terminal {
        let env_set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        Terminal {
            stdin_is_tty: std::io::stdin().is_terminal(),
            stdout_is_tty: std::io::stdout().is_terminal(),
            stderr_is_tty: std::io::stderr().is_terminal(),
            no_color: env_set("NO_COLOR"),
            clicolor_force: env_set("CLICOLOR_FORCE")
                && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
        }
    }
}

/// The decisions every part of a run shares.
#[derive(Copy, Clone, Debug)]
pub struct Settings {
    pub format: Format,
    /// Colour in diagnostics (stderr).
    pub color_err: bool,
    /// Colour in drawings written to stdout (plots).
    pub color_out: bool,
    pub max_nodes: u64,
    /// Standard output is a terminal: a matrix may take several lines there.
    pub stdout_is_tty: bool,
    /// `--strict`: every warning is an error.
    pub strict: bool,
}

impl Settings {
    pub fn new(global: &Global, term: &Terminal) -> Settings {
        let color = |tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !term.no_color && (term.clicolor_force || tty),
        };
        Settings {
            format: global.format.unwrap_or(if term.stdout_is_tty {
                Format::Unicode
            } else {
                Format::Plain
            }),
            color_err: color(term.stderr_is_tty),
            color_out: color(term.stdout_is_tty),
            max_nodes: global.max_nodes,
            stdout_is_tty: term.stdout_is_tty,
            strict: global.strict,
        }
    }

    /// The style of expressions on standard output.
    pub fn style(&self) -> Style {
        match self.format {
            Format::Plain | Format::Json => Style::Plain,
            Format::Unicode => Style::Unicode,
            Format::Latex => Style::Latex,
        }
    }

    /// The style of expressions inside diagnostics, which people read on stderr: Unicode
    /// for LaTeX output too.
    pub fn message_style(&self) -> Style {
        match self.format {
            Format::Plain | Format::Json => Style::Plain,
            Format::Unicode | Format::Latex => Style::Unicode,
        }
    }
}
