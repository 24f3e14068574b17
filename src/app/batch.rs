//! Batch mode (`-`): one expression per line of standard input, one output line per input
//! line, in order. Lines that have already arrived are answered together on every core.

use super::cli::Format;
use super::json;
use super::ops;
use super::render::{self, Context};
use deriv::diagnostic::Diagnostic;
use std::io::{self, BufRead, Write};

/// Standard input as batch mode reads it: lines, and whether more input has already
/// arrived, known without waiting for it.
pub trait Input: BufRead {
    /// Input is waiting in the buffer (so an answer need not be flushed yet).
    fn has_buffered(&self) -> bool;
}

impl<R: io::Read> Input for io::BufReader<R> {
    fn has_buffered(&self) -> bool {
        !self.buffer().is_empty()
    }
}

impl Input for io::Empty {
    fn has_buffered(&self) -> bool {
        false
    }
}

/// At most this many lines that have already arrived are answered together, and no more
/// than about this many bytes of them (long lines are answered one at a time).
const BATCH_CHUNK: usize = 1024;
const BATCH_BYTES: usize = 1 << 20;

/// A stdin line longer than this (32 MiB) is refused unread: parsing takes up to ten times
/// a line's size in memory (a 200 MB line took 1.2 to 2 GB).
pub const MAX_LINE_BYTES: usize = 32 << 20;

/// One line's answer: the output text and what goes to stderr, or why there is none.
type LineResult = Result<(String, Vec<Diagnostic>, Option<String>), (Vec<Diagnostic>, String)>;

/// Reads one expression per line and writes one line per input line, in order; returns the
/// exit status.
pub fn run(
    cx: &Context,
    stdin: &mut dyn Input,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let color = cx.st.color_err;
    let mut status = 0;
    let mut n = 0usize;
    loop {
        // A line, and the lines that have already arrived after it (up to a chunk):
        // those are answered together, on every core, and written in order.
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut bytes = 0;
        loop {
            let mut line = Vec::new();
            if stdin.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            bytes += line.len();
            lines.push(line);
            if lines.len() == BATCH_CHUNK || bytes >= BATCH_BYTES || !stdin.has_buffered() {
                break;
            }
        }
        if lines.is_empty() {
            break;
        }
        let first = n + 1;
        n += lines.len();
        let results = parallel_map(&lines, threads, |k, line| answer_line(cx, first + k, line));
        for (k, result) in results.into_iter().enumerate() {
            let n = first + k;
            match result {
                Ok((text, warnings, check)) => {
                    for mut w in warnings {
                        w.message = format!("line {n}: {}", w.message);
                        err.write_all(w.render(color).as_bytes())?;
                    }
                    if let Some(c) = &check {
                        err.write_all(format!("line {n}: {c}").as_bytes())?;
                    }
                    out.write_all(text.as_bytes())?;
                }
                Err((ds, text)) => {
                    status = 1;
                    for d in &ds {
                        err.write_all(d.render(color).as_bytes())?;
                    }
                    if cx.st.format == Format::Json {
                        let msg = ds.first().map(|d| d.message.clone()).unwrap_or_default();
                        out.write_all(json::line_error(n, &text, &msg).to_string().as_bytes())?;
                    }
                }
            }
            out.write_all(b"\n")?;
        }
        // A coprocess sees each answer at once; a bulk run is not flushed per line.
        if !stdin.has_buffered() {
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(status)
}

/// The answer to line `n` (its bytes, with the line ending).
fn answer_line(cx: &Context, n: usize, line: &[u8]) -> LineResult {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    // A byte-order mark (an editor's, on the first line) is not part of the expression.
    let line = match n {
        1 => line.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(line),
        _ => line,
    };
    let label = n.to_string();
    if line.len() > MAX_LINE_BYTES {
        let d = Diagnostic::error(format!(
            "line {n} is too long: {} bytes (the limit is {MAX_LINE_BYTES})",
            line.len()
        ));
        return Err((vec![d], String::from_utf8_lossy(&line[..64]).into_owned()));
    }
    match std::str::from_utf8(line) {
        // A blank line or a `# comment` keeps its place: an empty answer, no error.
        Ok(text) if text.trim().is_empty() || text.trim_start().starts_with('#') => {
            Ok((String::new(), Vec::new(), None))
        }
        Ok(text) => match ops::answer(cx.inp, cx.req, cx.st, &[text], &label) {
            Ok(o) => Ok((render::answer(cx, &o), o.warnings, o.check)),
            Err(ds) => Err((ds, text.to_string())),
        },
        Err(e) => {
            let text = String::from_utf8_lossy(line).into_owned();
            let at = e.valid_up_to();
            let d = Diagnostic::error(format!(
                "line {n} is not valid UTF-8 (byte 0x{:02X})",
                line[at]
            ))
            .with_snippet(&label, &text, at..at + 1);
            Err((vec![d], text))
        }
    }
}

/// `f(k, item)` for every item, on up to `threads` threads (each with the deep stack the
/// main thread has), in order. Few items, or one thread, run here.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    if threads < 2 || items.len() < 8 {
        return items.iter().enumerate().map(|(k, t)| f(k, t)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(t) = items.get(k) else {
                return done;
            };
            done.push((k, f(k, t)));
        }
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(items.len()))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(deriv::STACK_SIZE)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_unstable_by_key(|&(k, _)| k);
    all.into_iter().map(|(_, r)| r).collect()
}
