//! What training says while it runs, on stderr: a progress bar on a terminal, one line
//! per epoch otherwise, JSON Lines with `--format json`; and the loss curve at the end
//! (terminal or SVG, drawn by `plot::draw`).

use super::fit::Run;
use crate::app::cli::{Format, TrainArgs};
use crate::app::json;
use crate::app::plot::draw::{Figure, Series, svg, text};
use crate::app::plot::scale::range;
use crate::app::settings::{Settings, Terminal};
use crate::app::values::double;
use deriv::diagnostic::Diagnostic;
use std::io::{self, Write};
use std::time::{Duration, Instant};

enum Mode {
    Bar,
    Lines,
    Json,
}

/// The progress report, writing to stderr; an I/O error is kept for the end.
pub struct Reporter<'w> {
    err: &'w mut dyn Write,
    mode: Mode,
    every: u64,
    epochs: u64,
    drawn: Option<Instant>,
    last: Option<(u64, f64)>,
    failed: Option<io::Error>,
}

/// A terminal's progress bar is redrawn at most this often.
const REDRAW: Duration = Duration::from_millis(100);
const BAR: usize = 24;

impl<'w> Reporter<'w> {
    pub fn new(st: &Settings, term: &Terminal, a: &TrainArgs, err: &'w mut dyn Write) -> Self {
        let mode = match (st.format, term.stderr_is_tty) {
            (Format::Json, _) => Mode::Json,
            (_, true) => Mode::Bar,
            (_, false) => Mode::Lines,
        };
        Reporter {
            err,
            mode,
            every: a.every,
            epochs: a.epochs,
            drawn: None,
            last: None,
            failed: None,
        }
    }

    fn write(&mut self, text: &str) {
        if self.failed.is_none()
            && let Err(e) = self.err.write_all(text.as_bytes())
        {
            self.failed = Some(e);
        }
    }

    /// Epoch `k` ended with this mean loss.
    pub fn epoch(&mut self, k: u64, loss: f64) {
        self.last = Some((k, loss));
        let due = k.is_multiple_of(self.every) || k == self.epochs;
        match self.mode {
            Mode::Json if due => {
                let line = json::train_epoch(k, self.epochs, loss).to_string();
                self.write(&format!("{line}\n"));
            }
            Mode::Lines if due => {
                let line = format!("epoch {k}/{}: loss {}\n", self.epochs, double(loss));
                self.write(&line);
            }
            Mode::Bar if self.drawn.is_none_or(|t| t.elapsed() >= REDRAW) || k == self.epochs => {
                self.drawn = Some(Instant::now());
                let done = (k as f64 / self.epochs as f64 * BAR as f64).round() as usize;
                let bar = format!("{}{}", "█".repeat(done), "·".repeat(BAR - done.min(BAR)));
                let line = format!(
                    "\repoch {k}/{} {bar} loss {}\x1b[K",
                    self.epochs,
                    double(loss)
                );
                self.write(&line);
            }
            _ => {}
        }
    }

    /// The end of training: how it ended.
    pub fn end(&mut self, run: &Run, samples: usize) -> io::Result<()> {
        if matches!(self.mode, Mode::Bar) && self.drawn.is_some() {
            self.write("\n");
        }
        let epochs = run.losses.len() as u64;
        match self.mode {
            Mode::Json => {
                let line = json::train_end(
                    epochs,
                    run.steps,
                    samples,
                    run.interrupted,
                    run.losses.last().copied(),
                );
                self.write(&format!("{line}\n"));
            }
            _ if run.interrupted => {
                let line = format!(
                    "interrupted after {epochs} epochs and {} steps: writing the parameters reached\n",
                    run.steps
                );
                self.write(&line);
            }
            _ => {}
        }
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub fn into_inner(self) -> &'w mut dyn Write {
        self.err
    }
}

/// `--plot` (on stderr) and `--svg FILE`: the loss per epoch.
pub fn curves(
    a: &TrainArgs,
    run: &Run,
    st: &Settings,
    err: &mut dyn Write,
) -> Result<(), Diagnostic> {
    if !a.plot && a.svg.is_none() || run.losses.is_empty() {
        return Ok(());
    }
    let n = run.losses.len();
    let figure = |ys: Vec<Option<f64>>| {
        let (ymin, ymax) = range(
            &run.losses.iter().map(|&l| Some(l)).collect::<Vec<_>>(),
            &[],
        )
        .unwrap_or((0.0, 1.0));
        Figure {
            var: "epoch".into(),
            from: 1.0,
            to: n.max(2) as f64,
            series: vec![Series {
                label: "loss (the mean of E over the epoch)".into(),
                ys,
                pattern: |_| true,
                marker: "━━",
                ansi: "\x1b[36m",
                svg_color: "#1f77b4",
                svg_dash: "",
            }],
            point: None,
            ymin,
            ymax,
            ylabel: "loss".into(),
        }
    };
    if let Some(path) = &a.svg {
        let fig = figure(run.losses.iter().map(|&l| Some(l)).collect());
        std::fs::write(path, svg(&fig, 640, 400))
            .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", path.display())))?;
    }
    if a.plot {
        // One sample per dot column: the epoch under each.
        let (cols, rows) = (64, 12);
        let ys = (0..2 * cols)
            .map(|i| Some(run.losses[i * (n - 1) / (2 * cols - 1)]))
            .collect();
        let drawing = text(&figure(ys), cols, rows, st.color_err);
        err.write_all(drawing.as_bytes())
            .map_err(|e| Diagnostic::error(format!("cannot write the plot: {e}")))?;
    }
    Ok(())
}
