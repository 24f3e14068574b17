//! The manual pages (`deriv man`): one page, deriv(1), with every command and every option,
//! and with `--dir DIR` a page per command besides (deriv-partial(1), ...), all rendered
//! from the clap definitions so they say what `--help` says. Examples stay verbatim (no
//! fill), and every page that SEE ALSO names is one `--dir` writes.

use super::cli::Cli;
use clap::{Arg, Command, CommandFactory};
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};
use std::io::{self, Write};
use std::path::Path;

/// `deriv man [--dir DIR]`: the whole manual on stdout, or every page written into DIR.
pub fn run(
    dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    color: bool,
) -> io::Result<i32> {
    let Some(dir) = dir else {
        out.write_all(main_page(&root()).as_bytes())?;
        return Ok(0);
    };
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        pages()
            .into_iter()
            .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
    });
    if let Err(e) = written {
        let d = deriv::diagnostic::Diagnostic::error(format!(
            "cannot write the manual pages into {}: {e}",
            dir.display()
        ));
        err.write_all(d.render(color).as_bytes())?;
        return Ok(1);
    }
    Ok(0)
}

/// Every page, as (file name, roff): deriv.1 first, then one per command.
pub fn pages() -> Vec<(String, String)> {
    let cmd = root();
    let mut pages = vec![("deriv.1".to_string(), main_page(&cmd))];
    for sub in commands(&cmd) {
        pages.push((
            format!("deriv-{}.1", sub.get_name()),
            command_page(&cmd, sub),
        ));
    }
    pages
}

/// `.TH`'s date, left empty so that a build is reproducible; written out as `""` because
/// roff drops an empty argument and the source and manual would move into its place.
const NO_DATE: &str = "\"\"";

fn root() -> Command {
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

fn commands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

fn version(cmd: &Command) -> String {
    format!("deriv {}", cmd.get_version().unwrap_or_default())
}

/// deriv(1): what deriv is, then each command with its usage, options and examples, the
/// options every command takes, exit status, environment, examples and the other pages.
fn main_page(cmd: &Command) -> String {
    let mut r = Roff::new();
    r.control("TH", ["DERIV", "1", NO_DATE, &version(cmd), "deriv manual"]);
    r.control("nh", []);
    r.control("SH", ["NAME"]);
    r.text([roman(format!("deriv - {}", about(cmd)))]);
    r.control("SH", ["SYNOPSIS"]);
    r.text([bold("deriv"), roman(" [OPTIONS] <COMMAND>")]);
    r.control("SH", ["DESCRIPTION"]);
    r.text([roman(
        "deriv differentiates expressions exactly: partial derivatives (every other variable \
         held constant) and total derivatives (following the constraints given with --given), \
         and warns when the two differ. The expression language is described by `deriv syntax` \
         and `deriv help syntax`; `deriv help topics` lists the guide's other pages.",
    )]);
    r.control("SH", ["COMMANDS"]);
    for sub in commands(cmd) {
        r.control("SS", [usage(sub).as_str()]);
        r.text([roman(about(sub))]);
        r.control("PP", []);
        options(&mut r, sub, false);
        examples(&mut r, sub, false);
    }
    r.control("SH", ["OPTIONS"]);
    r.text([roman("Every command takes these:")]);
    options(&mut r, cmd, true);
    r.control("SH", ["EXIT STATUS"]);
    for (code, what) in [
        ("0", "success"),
        (
            "1",
            "an input was rejected (a parse, constraint or math error), or a write failed",
        ),
        (
            "2",
            "a usage error (an unknown command or option, a missing argument)",
        ),
    ] {
        r.control("TP", []).text([bold(code)]).text([roman(what)]);
    }
    r.control("SH", ["ENVIRONMENT"]);
    for (var, what) in [
        (
            "NO_COLOR",
            "when set and not empty, --color auto never colors",
        ),
        (
            "CLICOLOR_FORCE",
            "when set and not 0, --color auto colors even into a pipe",
        ),
    ] {
        r.control("TP", []).text([bold(var)]).text([roman(what)]);
    }
    examples(&mut r, cmd, true);
    see_also(&mut r, cmd, None);
    r.render()
}

/// deriv-COMMAND(1): one command with every option it takes, the global ones included.
fn command_page(cmd: &Command, sub: &Command) -> String {
    let name = format!("deriv-{}", sub.get_name());
    let mut r = Roff::new();
    r.control(
        "TH",
        [
            name.to_uppercase().as_str(),
            "1",
            NO_DATE,
            &version(cmd),
            "deriv manual",
        ],
    );
    r.control("nh", []);
    r.control("SH", ["NAME"]);
    r.text([roman(format!("{name} - {}", about(sub)))]);
    r.control("SH", ["SYNOPSIS"]);
    r.text([bold(usage(sub))]);
    r.control("SH", ["DESCRIPTION"]);
    let long = sub
        .get_long_about()
        .or(sub.get_about())
        .map(|s| s.to_string());
    r.text([roman(long.unwrap_or_default())]);
    r.control("SH", ["OPTIONS"]);
    options(&mut r, sub, true);
    examples(&mut r, sub, true);
    see_also(&mut r, cmd, Some(sub.get_name()));
    r.render()
}

fn about(cmd: &Command) -> String {
    cmd.get_about().map(|s| s.to_string()).unwrap_or_default()
}

/// `deriv partial [OPTIONS] <EXPR> <VAR>...`, as clap spells it.
fn usage(sub: &Command) -> String {
    let u = sub.clone().render_usage().to_string();
    u.trim_start_matches("Usage:").trim().to_string()
}

/// The arguments and options of `cmd`, one tagged paragraph each: all of them, or (in a
/// command's section of the main page) only its own, not those every command takes.
fn options(r: &mut Roff, cmd: &Command, all: bool) {
    let own = |a: &&Arg| {
        all || !(a.is_global_set() || ["help", "version"].contains(&a.get_id().as_str()))
    };
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()).filter(own) {
        r.control("TP", []);
        r.text(heading(arg));
        let mut text = arg
            .get_long_help()
            .or(arg.get_help())
            .map(|s| s.to_string())
            .unwrap_or_default();
        if arg.get_num_args().is_some_and(|n| n.takes_values()) {
            let defaults: Vec<_> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy())
                .collect();
            if !defaults.is_empty() {
                text += &format!(" [default: {}]", defaults.join(", "));
            }
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !values.is_empty() {
                text += &format!(" [possible values: {}]", values.join(", "));
            }
        }
        r.text([roman(text)]);
    }
}

/// `-g, --given VAR=EXPR` (bold names, italic value), or `<EXPR>` for a positional.
fn heading(arg: &Arg) -> Vec<Inline> {
    let value = arg
        .get_value_names()
        .map(|v| {
            v.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
    if arg.is_positional() {
        let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
        return vec![italic(format!(
            "<{value}>{}",
            if many { "..." } else { "" }
        ))];
    }
    let mut out = Vec::new();
    if let Some(s) = arg.get_short() {
        out.push(bold(format!("-{s}")));
        if arg.get_long().is_some() {
            out.push(roman(", "));
        }
    }
    if let Some(l) = arg.get_long() {
        out.push(bold(format!("--{l}")));
    }
    if arg.get_num_args().is_some_and(|n| n.takes_values()) {
        out.push(roman(" "));
        out.push(italic(value));
    }
    out
}

/// The command's examples (its after-help), verbatim: no fill, no adjustment, every line
/// and space as written; in a section of their own, or in a command's part of deriv(1).
fn examples(r: &mut Roff, cmd: &Command, section: bool) {
    let Some(text) = cmd.get_after_long_help().or(cmd.get_after_help()) else {
        return;
    };
    let text = text.to_string();
    let body = text.strip_prefix("Examples:\n").unwrap_or(&text);
    if section {
        r.control("SH", ["EXAMPLES"]);
    } else {
        r.control("PP", []).text([italic("Examples:")]);
    }
    r.control("RS", ["4"]).control("nf", []);
    for line in body.lines() {
        r.text([roman(line)]);
    }
    r.control("fi", []).control("RE", []);
}

fn see_also(r: &mut Roff, cmd: &Command, this: Option<&str>) {
    r.control("SH", ["SEE ALSO"]);
    let mut refs: Vec<Inline> = Vec::new();
    let names = std::iter::once("deriv".to_string())
        .chain(commands(cmd).map(|s| format!("deriv-{}", s.get_name())))
        .filter(|n| this.is_none_or(|t| *n != format!("deriv-{t}")))
        .filter(|n| this.is_some() || n != "deriv");
    for (i, name) in names.enumerate() {
        if i > 0 {
            refs.push(roman(", "));
        }
        refs.push(bold(name));
        refs.push(roman("(1)"));
    }
    r.text(refs);
    r.control("PP", []);
    r.text([roman(
        "`deriv man --dir DIR` writes all of these pages. The guide is built in: \
         `deriv help topics` lists its pages, `deriv help TOPIC` prints one.",
    )]);
}
