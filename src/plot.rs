//! Plots (`deriv plot`): f and f' sampled in double precision on a grid, drawn in the
//! terminal with braille dots (2×4 per character) or written as an SVG figure.
//!
//! A sample that is undefined or not finite breaks the line, and so does a jump between
//! neighbours larger than the whole vertical range: a pole (tan(x) at π/2) is a gap, not a
//! vertical stroke. The vertical range ignores the extreme 5% at either end when they lie
//! far out, so a pole does not flatten the rest of the curve.

use crate::calculus::partial;
use crate::cli::{ColorChoice, Global, PlotArgs};
use crate::commands::Terminal;
use crate::diagnostic::Diagnostic;
use crate::eval::{EvalError, eval};
use crate::expr::{ExprId, Name, Store};
use crate::parse;
use crate::print::{Style, render};
use std::fmt::Write as _;
use std::io::{self, Write};

const DEFAULT_COLS: usize = 64;
const DEFAULT_ROWS: usize = 16;
const DEFAULT_SVG_WIDTH: usize = 640;
const DEFAULT_SVG_HEIGHT: usize = 400;
/// A legend entry's formula is cut to this many characters.
const MAX_LABEL: usize = 48;

/// One curve: its legend text and its samples (`None` is a gap).
struct Series {
    label: String,
    ys: Vec<Option<f64>>,
    /// Terminal look: which dot columns are drawn (solid, dashed, dotted).
    pattern: fn(usize) -> bool,
    marker: &'static str,
    ansi: &'static str,
    svg_color: &'static str,
    svg_dash: &'static str,
}

/// What to draw, independent of the medium.
struct Figure {
    var: String,
    from: f64,
    to: f64,
    series: Vec<Series>,
    /// The tangent's point of contact, to mark.
    point: Option<(f64, f64)>,
    ymin: f64,
    ymax: f64,
}

/// The expression, differentiated once, ready to sample.
struct Functions {
    store: Store,
    f: ExprId,
    df: ExprId,
    var: Name,
    f_text: String,
    df_text: String,
}

impl Functions {
    fn value(&self, e: ExprId, x: f64) -> Result<Option<f64>, Diagnostic> {
        let env = |n: Name| (n == self.var).then_some(x);
        match eval(&self.store, e, &env) {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            Ok(_)
            | Err(EvalError::Domain(_))
            | Err(EvalError::Overflow(_))
            | Err(EvalError::Kink(_)) => Ok(None),
            Err(EvalError::UnknownFunction(n)) => Err(Diagnostic::error(format!(
                "`{}` is an unknown function: it has no values to plot",
                self.store.name(n)
            ))),
            Err(EvalError::Unbound(n)) => Err(unbound(self.store.name(n))),
        }
    }

    fn sample(&self, e: ExprId, xs: &[f64]) -> Result<Vec<Option<f64>>, Diagnostic> {
        xs.iter().map(|&x| self.value(e, x)).collect()
    }
}

fn unbound(name: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "`{name}` has no value: a plot shows a function of one variable"
    ))
    .with_note(format!(
        "substitute a number for {name}, e.g. with `deriv simplify EXPR --given {name}=2`"
    ))
}

/// Runs `deriv plot`; returns the exit status.
pub fn run(
    a: &PlotArgs,
    global: &Global,
    term: &Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<i32> {
    let paint_err = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !term.no_color && (term.clicolor_force || term.stderr_is_tty),
    };
    let paint_out = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !term.no_color && (term.clicolor_force || term.stdout_is_tty),
    };
    let fig = match figure(a, global, a.svg.is_some()) {
        Ok(f) => f,
        Err(d) => {
            err.write_all(d.render(paint_err).as_bytes())?;
            return Ok(1);
        }
    };
    match &a.svg {
        Some(path) => {
            let w = a.width.map_or(DEFAULT_SVG_WIDTH, |w| w as usize);
            let h = a.height.map_or(DEFAULT_SVG_HEIGHT, |h| h as usize);
            let text = svg(&fig, w, h);
            if let Err(e) = std::fs::write(path, text) {
                let d = Diagnostic::error(format!("cannot write {}: {e}", path.display()));
                err.write_all(d.render(paint_err).as_bytes())?;
                return Ok(1);
            }
        }
        None => {
            let cols = a.width.map_or(DEFAULT_COLS, |w| w as usize);
            let rows = a.height.map_or(DEFAULT_ROWS, |h| h as usize);
            out.write_all(text(&fig, cols, rows, paint_out).as_bytes())?;
        }
    }
    Ok(0)
}

/// A bound of the plot: a number or a constant expression (`-pi`, `2pi`).
fn number(s: &mut Store, text: &str, option: &str) -> Result<f64, Diagnostic> {
    let e = parse::parse(s, text).map_err(|e| {
        Diagnostic::error(format!("{option}: {}", e.message)).with_snippet("", text, e.span)
    })?;
    match eval(s, e, &|_| None) {
        Ok(v) if v.is_finite() => Ok(v),
        Err(EvalError::Unbound(n)) => Err(Diagnostic::error(format!(
            "{option} {text}: `{}` has no value; give a number",
            s.name(n)
        ))),
        _ => Err(Diagnostic::error(format!(
            "{option} {text} is not a finite number"
        ))),
    }
}

fn functions(a: &PlotArgs, global: &Global) -> Result<Functions, Diagnostic> {
    let mut store = Store::new();
    store.set_max_nodes(global.max_nodes);
    let f = parse::parse(&mut store, &a.expr).map_err(|e| {
        let mut d = Diagnostic::error(e.message).with_snippet("1", &a.expr, e.span);
        for n in e.notes {
            d = d.with_note(n);
        }
        d
    })?;
    let v = &a.var;
    if !parse::is_name(v) || matches!(v.as_str(), "pi" | "π" | "e") {
        return Err(Diagnostic::error(format!("`{v}` is not a variable name"))
            .with_note("a variable is a name such as x, theta_1 or θ"));
    }
    let var = store.intern_name(v);
    if let Some(other) = store.free_symbols(&[f]).into_iter().find(|&n| n != var) {
        return Err(unbound(store.name(other)));
    }
    let d = partial(&mut store, f, var);
    let df = store.tidy(d);
    let cut = |t: String| {
        if t.chars().count() > MAX_LABEL {
            let mut s: String = t.chars().take(MAX_LABEL - 1).collect();
            s.push('…');
            s
        } else {
            t
        }
    };
    let f_text = cut(render(&store, f, Style::Unicode));
    let df_text = cut(render(&store, df, Style::Unicode));
    Ok(Functions {
        store,
        f,
        df,
        var,
        f_text,
        df_text,
    })
}

fn figure(a: &PlotArgs, global: &Global, svg: bool) -> Result<Figure, Diagnostic> {
    let fs = functions(a, global)?;
    let mut scratch = Store::new();
    let from = number(&mut scratch, &a.from, "--from")?;
    let to = number(&mut scratch, &a.to, "--to")?;
    if from >= to {
        return Err(Diagnostic::error(format!(
            "--from {} must be less than --to {}",
            a.from, a.to
        )));
    }
    // One sample per dot column in the terminal; about one per pixel in an SVG.
    let n = if svg {
        a.width.map_or(DEFAULT_SVG_WIDTH, |w| w as usize).max(2)
    } else {
        2 * a.width.map_or(DEFAULT_COLS, |w| w as usize)
    };
    let xs: Vec<f64> = (0..n)
        .map(|i| from + (to - from) * i as f64 / (n - 1) as f64)
        .collect();
    let v = &a.var;
    let fy = fs.sample(fs.f, &xs)?;
    let dy = fs.sample(fs.df, &xs)?;
    let (ymin, ymax) = range(fy.iter().chain(&dy).flatten().copied()).ok_or_else(|| {
        Diagnostic::error(format!("f has no real value for {v} in [{from}, {to}]"))
    })?;
    let mut series = vec![
        Series {
            label: format!("f({v}) = {}", fs.f_text),
            ys: fy,
            pattern: |_| true,
            marker: "━━",
            ansi: "\x1b[36m",
            svg_color: "#1f77b4",
            svg_dash: "",
        },
        Series {
            label: format!("f'({v}) = {}", fs.df_text),
            ys: dy,
            pattern: |i| i % 4 < 2,
            marker: "╍╍",
            ansi: "\x1b[35m",
            svg_color: "#d62728",
            svg_dash: " stroke-dasharray=\"7 4\"",
        },
    ];
    let mut point = None;
    if let Some(at) = &a.at {
        let x0 = number(&mut scratch, at, "--at")?;
        let (Some(y0), Some(slope)) = (fs.value(fs.f, x0)?, fs.value(fs.df, x0)?) else {
            return Err(Diagnostic::error(format!(
                "f or f' has no value at {v} = {at}: there is no tangent"
            )));
        };
        point = Some((x0, y0));
        series.push(Series {
            label: format!(
                "tangent at {v} = {}, slope {}",
                tick_label(x0, 0.0),
                tick_label(slope, 0.0)
            ),
            ys: xs.iter().map(|x| Some(y0 + slope * (x - x0))).collect(),
            pattern: |i| i % 3 == 0,
            marker: "┈┈",
            ansi: "\x1b[33m",
            svg_color: "#2ca02c",
            svg_dash: " stroke-dasharray=\"2 3\"",
        });
    }
    Ok(Figure {
        var: v.clone(),
        from,
        to,
        series,
        point,
        ymin,
        ymax,
    })
}

/// The vertical range: all the values, unless the extreme 5% lie far out (a pole).
fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    let (lo, hi) = (q(0.05), q(0.95));
    let pad = (hi - lo) * 0.5;
    let (mut a, mut b) = (v[0].max(lo - pad), v[v.len() - 1].min(hi + pad));
    if b - a < 1e-12 * a.abs().max(1.0) {
        let d = a.abs().max(1.0) * 0.5;
        a -= d;
        b += d;
    }
    Some((a, b))
}

/// Ticks at 1, 2 or 5 times a power of ten, about `n` of them across [lo, hi].
fn ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64) {
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = mag
        * match raw / mag {
            r if r < 1.5 => 1.0,
            r if r < 3.0 => 2.0,
            r if r < 7.0 => 5.0,
            _ => 10.0,
        };
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    (out, step)
}

/// A tick value with as many decimals as the step needs (`step` 0: up to 4 significant).
fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step > 0.0 {
        (-(step.log10() + 1e-9).floor()).max(0.0) as usize
    } else {
        let mag = v.abs().max(1e-300).log10().floor();
        (3.0 - mag).clamp(0.0, 12.0) as usize
    };
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s = "0".into();
    }
    s
}

/// The samples as connected runs of points; a gap or a jump past the range breaks a run.
fn runs(ys: &[Option<f64>], span: f64) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut prev: Option<f64> = None;
    for (i, y) in ys.iter().enumerate() {
        match (*y, prev) {
            (Some(y), Some(p)) if (y - p).abs() <= span => {
                out.last_mut().expect("a run is open").push((i, y))
            }
            (Some(y), _) => out.push(vec![(i, y)]),
            (None, _) => {}
        }
        prev = *y;
    }
    out
}

/// The terminal drawing: braille cells, a y axis with labels, an x axis with labels, and
/// the legend on the first line.
fn text(fig: &Figure, cols: usize, rows: usize, color: bool) -> String {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    let (pw, ph) = (cols * 2, rows * 4);
    let span = fig.ymax - fig.ymin;
    let to_py = |y: f64| (fig.ymax - y) / span * (ph - 1) as f64;
    let mut dots = vec![0u8; cols * rows];
    let mut owner: Vec<Option<usize>> = vec![None; cols * rows];
    // Drawn last on top: the function over its derivative over the tangent.
    for (k, s) in fig.series.iter().enumerate().rev() {
        let mut set = |px: usize, py: f64| {
            let py = py.round();
            if (s.pattern)(px) && py >= 0.0 && py <= (ph - 1) as f64 {
                let py = py as usize;
                let cell = py / 4 * cols + px / 2;
                dots[cell] |= BITS[px % 2][py % 4];
                owner[cell] = Some(k);
            }
        };
        // A vertical stroke from a to b in column px, clamped to just outside the canvas.
        let mut stroke = |px: usize, a: f64, b: f64| {
            let (lo, hi) = (a.min(b).max(-1.0), a.max(b).min(ph as f64));
            let mut y = lo.round();
            while y <= hi.round() {
                set(px, y);
                y += 1.0;
            }
        };
        for run in runs(&s.ys, span) {
            if run.len() == 1 {
                stroke(run[0].0, to_py(run[0].1), to_py(run[0].1));
            }
            for w in run.windows(2) {
                let ((i0, y0), (i1, y1)) = (w[0], w[1]);
                let (p0, p1) = (to_py(y0), to_py(y1));
                let mid = (p0 + p1) / 2.0;
                stroke(i0, p0, mid);
                stroke(i1, mid, p1);
            }
        }
    }
    let paint = |k: Option<usize>, s: &str| match (color, k) {
        (true, Some(k)) => format!("{}{s}\x1b[0m", fig.series[k].ansi),
        _ => s.to_string(),
    };

    let (yt, ystep) = ticks(fig.ymin, fig.ymax, (rows / 3).max(3));
    let mut row_label: Vec<Option<String>> = vec![None; rows];
    for &t in &yt {
        let r = (to_py(t).round() as usize / 4).min(rows - 1);
        row_label[r].get_or_insert_with(|| tick_label(t, ystep));
    }
    let gutter = row_label
        .iter()
        .flatten()
        .map(|l| l.len())
        .max()
        .unwrap_or(1);

    let mut o = String::new();
    let legend: Vec<String> = fig
        .series
        .iter()
        .enumerate()
        .map(|(k, s)| format!("{} {}", paint(Some(k), s.marker), s.label))
        .collect();
    o += &legend.join("   ");
    o.push('\n');
    for (r, label) in row_label.iter().enumerate() {
        match label {
            Some(l) => {
                let _ = write!(o, "{l:>gutter$} ┤");
            }
            None => {
                let _ = write!(o, "{:gutter$} │", "");
            }
        }
        for c in 0..cols {
            let i = r * cols + c;
            if dots[i] == 0 {
                o.push(' ');
            } else {
                let ch = char::from_u32(0x2800 + dots[i] as u32).expect("a braille character");
                o += &paint(owner[i], &ch.to_string());
            }
        }
        o = o.trim_end().to_string();
        o.push('\n');
    }
    let (xt, xstep) = ticks(fig.from, fig.to, (cols / 12).max(2));
    let col_of = |t: f64| {
        (((t - fig.from) / (fig.to - fig.from) * (pw - 1) as f64).round() as usize / 2)
            .min(cols - 1)
    };
    let mut axis: Vec<char> = vec!['─'; cols];
    let mut labels: Vec<char> = vec![' '; gutter + 2 + cols + 8];
    let mut free_from = 0;
    for &t in &xt {
        let c = col_of(t);
        axis[c] = '┬';
        let l = tick_label(t, xstep);
        let n = l.chars().count();
        let start = (gutter + 2 + c).saturating_sub((n - 1) / 2);
        if start >= free_from && start + n <= labels.len() {
            for (j, ch) in l.chars().enumerate() {
                labels[start + j] = ch;
            }
            free_from = start + n + 1;
        }
    }
    let _ = writeln!(o, "{:gutter$} └{}", "", axis.iter().collect::<String>());
    let labels: String = labels.into_iter().collect();
    let _ = writeln!(o, "{}", labels.trim_end());
    let _ = writeln!(o, "{:>w$}", fig.var, w = gutter + 2 + cols / 2 + 1);
    o
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG figure: a framed plot area with grid lines and tick labels, the zero axes, the
/// curves clipped to the area, the tangent's point, and the legend above.
fn svg(fig: &Figure, w: usize, h: usize) -> String {
    let (left, right, top, bottom) = (64.0, 16.0, 28.0 + 18.0 * fig.series.len() as f64, 44.0);
    let (w, h) = (w as f64, h.max(top as usize + 80) as f64);
    let (x0, x1, y0, y1) = (left, w - right, top, h - bottom);
    let sx = |x: f64| x0 + (x - fig.from) / (fig.to - fig.from) * (x1 - x0);
    let sy = |y: f64| (y1 - (y - fig.ymin) / (fig.ymax - fig.ymin) * (y1 - y0)).clamp(-1e6, 1e6);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(o, "<title>{}</title>", xml_escape(&fig.series[0].label));
    let _ = writeln!(o, "<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>");
    let _ = writeln!(
        o,
        "<defs><clipPath id=\"plot-area\"><rect x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
        x1 - x0,
        y1 - y0
    );
    // Grid and tick labels.
    let _ = writeln!(
        o,
        "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">"
    );
    let (xt, xstep) = ticks(fig.from, fig.to, ((x1 - x0) / 80.0).max(2.0) as usize);
    let (yt, ystep) = ticks(fig.ymin, fig.ymax, ((y1 - y0) / 50.0).max(2.0) as usize);
    for &t in &xt {
        let _ = writeln!(
            o,
            "<line x1=\"{0:.2}\" y1=\"{y0}\" x2=\"{0:.2}\" y2=\"{y1}\"/>",
            sx(t)
        );
    }
    for &t in &yt {
        let _ = writeln!(
            o,
            "<line x1=\"{x0}\" y1=\"{0:.2}\" x2=\"{x1}\" y2=\"{0:.2}\"/>",
            sy(t)
        );
    }
    let _ = writeln!(o, "</g>");
    let _ = writeln!(o, "<g class=\"ticks\" fill=\"#333\">");
    for &t in &xt {
        let _ = writeln!(
            o,
            "<text x=\"{:.2}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            sx(t),
            y1 + 16.0,
            tick_label(t, xstep)
        );
    }
    for &t in &yt {
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
            x0 - 6.0,
            sy(t) + 4.0,
            tick_label(t, ystep)
        );
    }
    let _ = writeln!(o, "</g>");
    // The axes through zero, where they fall inside the plot.
    let _ = writeln!(o, "<g class=\"axes\" stroke=\"#888\" stroke-width=\"1\">");
    if fig.from < 0.0 && fig.to > 0.0 {
        let _ = writeln!(
            o,
            "<line x1=\"{0:.2}\" y1=\"{y0}\" x2=\"{0:.2}\" y2=\"{y1}\"/>",
            sx(0.0)
        );
    }
    if fig.ymin < 0.0 && fig.ymax > 0.0 {
        let _ = writeln!(
            o,
            "<line x1=\"{x0}\" y1=\"{0:.2}\" x2=\"{x1}\" y2=\"{0:.2}\"/>",
            sy(0.0)
        );
    }
    let _ = writeln!(o, "</g>");
    let _ = writeln!(
        o,
        "<rect class=\"frame\" x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>",
        x1 - x0,
        y1 - y0
    );
    let _ = writeln!(
        o,
        "<text class=\"xlabel\" x=\"{:.2}\" y=\"{}\" text-anchor=\"middle\" font-style=\"italic\">{}</text>",
        (x0 + x1) / 2.0,
        h - 8.0,
        xml_escape(&fig.var)
    );
    // The curves, one path per series, each connected run a subpath.
    let xs_of = |n: usize, i: usize| fig.from + (fig.to - fig.from) * i as f64 / (n - 1) as f64;
    let _ = writeln!(
        o,
        "<g class=\"curves\" clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">"
    );
    for s in &fig.series {
        let n = s.ys.len();
        let mut d = String::new();
        for run in runs(&s.ys, fig.ymax - fig.ymin) {
            for (j, (i, y)) in run.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.2},{:.2} ",
                    if j == 0 { "M" } else { "L" },
                    sx(xs_of(n, *i)),
                    sy(*y)
                );
            }
        }
        let _ = writeln!(
            o,
            "<path d=\"{}\" stroke=\"{}\"{}/>",
            d.trim_end(),
            s.svg_color,
            s.svg_dash
        );
    }
    if let Some((px, py)) = fig.point {
        let _ = writeln!(
            o,
            "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"4\" fill=\"#2ca02c\"/>",
            sx(px),
            sy(py)
        );
    }
    let _ = writeln!(o, "</g>");
    // The legend.
    let _ = writeln!(o, "<g class=\"legend\">");
    for (k, s) in fig.series.iter().enumerate() {
        let y = 18.0 + 18.0 * k as f64;
        let _ = writeln!(
            o,
            "<line x1=\"{x0}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"2\"{}/>",
            x0 + 28.0,
            s.svg_color,
            s.svg_dash
        );
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            x0 + 36.0,
            y + 4.0,
            xml_escape(&s.label)
        );
    }
    let _ = writeln!(o, "</g>");
    let _ = writeln!(o, "</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(
            ticks(-3.0, 3.0, 6).0,
            vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
        );
        assert_eq!(ticks(0.0, 9.0, 4).0, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(tick_label(0.5, 0.5), "0.5");
        assert_eq!(tick_label(-0.0, 1.0), "0");
        assert_eq!(tick_label(2.0, 0.0), "2");
    }

    #[test]
    fn a_pole_breaks_the_line() {
        let ys = [
            Some(1.0),
            Some(50.0),
            Some(-50.0),
            Some(-1.0),
            None,
            Some(0.0),
        ];
        let r = runs(&ys, 10.0);
        assert_eq!(r.len(), 5);
    }
}
