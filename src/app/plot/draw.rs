//! Drawing a figure: in the terminal with braille dots (2×4 per character), or as SVG.
//! A sample that is undefined or not finite breaks the line, and so does a jump between
//! neighbours larger than the whole vertical range: a pole is a gap, not a stroke.

use std::fmt::Write as _;

/// One curve: its legend text and its samples (`None` is a gap).
pub struct Series {
    pub label: String,
    pub ys: Vec<Option<f64>>,
    /// Terminal look: which dot columns are drawn (solid, dashed, dotted).
    pub pattern: fn(usize) -> bool,
    pub marker: &'static str,
    pub ansi: &'static str,
    pub svg_color: &'static str,
    pub svg_dash: &'static str,
}

/// What to draw, independent of the medium.
pub struct Figure {
    pub var: String,
    pub from: f64,
    pub to: f64,
    pub series: Vec<Series>,
    /// The tangent's point of contact, to mark.
    pub point: Option<(f64, f64)>,
    pub ymin: f64,
    pub ymax: f64,
    /// What the vertical axis shows: `f(x), f′(x)`.
    pub ylabel: String,
}

/// Ticks at 1, 2 or 5 times a power of ten, about `n` of them across [lo, hi].
pub fn ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64) {
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = mag
        * match raw / mag {
            r if r < 1.5 => 1.0,
            r if r < 3.0 => 2.0,
            r if r < 7.0 => 5.0,
            _ => 10.0,
        };
    // By index, not by adding the step: a step below the values' precision cannot loop.
    let first = (lo / step).ceil();
    let out = (0..=n.max(1) * 3)
        .map(|k| (first + k as f64) * step)
        .take_while(|&t| t <= hi + step * 1e-9)
        .map(|t| if t.abs() < step * 1e-9 { 0.0 } else { t })
        .collect();
    (out, step)
}

/// A tick value with as many decimals as the step needs (`step` 0: up to 4 significant).
pub fn tick_label(v: f64, step: f64) -> String {
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

/// The curves as braille cells (`cols` × `rows`), with the series that owns each.
fn braille(fig: &Figure, cols: usize, rows: usize) -> (Vec<u8>, Vec<Option<usize>>) {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    let ph = rows * 4;
    let span = fig.ymax - fig.ymin;
    let to_py = |y: f64| (fig.ymax - y) / span * (ph - 1) as f64;
    let mut dots = vec![0u8; cols * rows];
    let mut owner: Vec<Option<usize>> = vec![None; cols * rows];
    // The first series owns every cell it draws in: the function wins over its derivative,
    // the derivative over the tangent. A later series leaves such cells alone, so each
    // keeps its own pattern where they cross (without color, mixed dots read as neither).
    for (k, s) in fig.series.iter().enumerate() {
        let mut set = |px: usize, py: f64| {
            let py = py.round();
            if (s.pattern)(px) && py >= 0.0 && py <= (ph - 1) as f64 {
                let py = py as usize;
                let cell = py / 4 * cols + px / 2;
                if owner[cell].is_none_or(|o| o == k) {
                    dots[cell] |= BITS[px % 2][py % 4];
                    owner[cell] = Some(k);
                }
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
    (dots, owner)
}

/// The terminal drawing: the legend on the first line, then the y axis's label, braille
/// cells with a y axis and its tick labels, and an x axis with its labels.
pub fn text(fig: &Figure, cols: usize, rows: usize, color: bool) -> String {
    let pw = cols * 2;
    let ph = rows * 4;
    let to_py = |y: f64| (fig.ymax - y) / (fig.ymax - fig.ymin) * (ph - 1) as f64;
    let (dots, owner) = braille(fig, cols, rows);
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
    // The vertical axis's label, over the axis.
    let _ = writeln!(o, "{:gutter$} {}", "", fig.ylabel);
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

/// Where the plot area lies in an SVG figure, and how values map onto it.
struct Area<'a> {
    fig: &'a Figure,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Area<'_> {
    fn sx(&self, x: f64) -> f64 {
        self.x0 + (x - self.fig.from) / (self.fig.to - self.fig.from) * (self.x1 - self.x0)
    }

    fn sy(&self, y: f64) -> f64 {
        let f = self.fig;
        (self.y1 - (y - f.ymin) / (f.ymax - f.ymin) * (self.y1 - self.y0)).clamp(-1e6, 1e6)
    }
}

/// The SVG figure: a framed plot area with grid lines and tick labels, the zero axes, the
/// axis labels, the curves clipped to the area, the tangent's point, and the legend above.
pub fn svg(fig: &Figure, w: usize, h: usize) -> String {
    let (right, top, bottom) = (16.0, 28.0 + 18.0 * fig.series.len() as f64, 44.0);
    let (w, h) = (w as f64, h.max(top as usize + 80) as f64);
    let (y0, y1) = (top, h - bottom);
    let yticks = ticks(fig.ymin, fig.ymax, ((y1 - y0) / 50.0).max(2.0) as usize);
    // Room for the longest tick label (about 7 pixels a character) and the axis label.
    let widest = yticks
        .0
        .iter()
        .map(|&t| tick_label(t, yticks.1).len())
        .max();
    let left = (7.0 * widest.unwrap_or(1) as f64 + 34.0).max(64.0);
    let area = Area {
        fig,
        x0: left,
        x1: (w - right).max(left + 40.0),
        y0,
        y1,
    };
    let (x0, x1) = (area.x0, area.x1);
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
    svg_grid(&mut o, &area, yticks);
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
    let (lx, ly) = (14.0, (y0 + y1) / 2.0);
    let _ = writeln!(
        o,
        "<text class=\"ylabel\" x=\"{lx}\" y=\"{ly:.2}\" transform=\"rotate(-90 {lx} {ly:.2})\" \
         text-anchor=\"middle\" font-style=\"italic\">{}</text>",
        xml_escape(&fig.ylabel)
    );
    svg_curves(&mut o, &area);
    svg_legend(&mut o, fig, x0);
    let _ = writeln!(o, "</svg>");
    o
}

/// Grid lines and tick labels on both axes, and the axes through zero where they fall
/// inside the plot.
fn svg_grid(o: &mut String, area: &Area, (yt, ystep): (Vec<f64>, f64)) {
    let (fig, x0, x1, y0, y1) = (area.fig, area.x0, area.x1, area.y0, area.y1);
    let (sx, sy) = (|x: f64| area.sx(x), |y: f64| area.sy(y));
    let (xt, xstep) = ticks(fig.from, fig.to, ((x1 - x0) / 80.0).max(2.0) as usize);
    let _ = writeln!(
        o,
        "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">"
    );
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
}

/// The curves, one path per series, each connected run a subpath, clipped to the area.
fn svg_curves(o: &mut String, area: &Area) {
    let fig = area.fig;
    let sx = |x: f64| area.sx(x);
    let sy = |y: f64| area.sy(y);
    let xs_of = |n: usize, i: usize| fig.from + (fig.to - fig.from) * i as f64 / (n - 1) as f64;
    let _ = writeln!(
        o,
        "<g class=\"curves\" clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">"
    );
    for s in &fig.series {
        let n = s.ys.len();
        let mut d = String::new();
        for run in runs(&s.ys, fig.ymax - fig.ymin) {
            // Never NaN in path data: a point that does not map is left out.
            let points = run
                .iter()
                .map(|&(i, y)| (sx(xs_of(n, i)), sy(y)))
                .filter(|(px, py)| px.is_finite() && py.is_finite());
            for (j, (px, py)) in points.enumerate() {
                let _ = write!(d, "{}{px:.2},{py:.2} ", if j == 0 { "M" } else { "L" });
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
}

fn svg_legend(o: &mut String, fig: &Figure, x0: f64) {
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

    fn series(ys: Vec<Option<f64>>, pattern: fn(usize) -> bool) -> Series {
        Series {
            label: String::new(),
            ys,
            pattern,
            marker: "",
            ansi: "",
            svg_color: "",
            svg_dash: "",
        }
    }

    fn figure(series: Vec<Series>) -> Figure {
        Figure {
            var: "x".into(),
            from: -1.0,
            to: 1.0,
            series,
            point: None,
            ymin: -1.1,
            ymax: 1.1,
            ylabel: String::new(),
        }
    }

    /// Where a dashed curve crosses the solid one, each keeps its own dots: the solid
    /// curve's cells are exactly as it draws them alone, and the dashed curve's cells
    /// elsewhere are as it draws them alone (its pattern runs on, unbroken by the crossing).
    #[test]
    fn crossing_curves_keep_their_patterns() {
        let n = 48;
        let line = |k: f64| {
            (0..n)
                .map(|i| Some(k * (2.0 * i as f64 / (n - 1) as f64 - 1.0)))
                .collect()
        };
        let solid = || series(line(1.0), |_| true);
        let dashed = || series(line(-1.0), |i| i % 4 < 2);
        let (both, owner) = braille(&figure(vec![solid(), dashed()]), n / 2, 6);
        let (f, _) = braille(&figure(vec![solid()]), n / 2, 6);
        let (d, _) = braille(&figure(vec![dashed()]), n / 2, 6);
        let mut shared = 0;
        for c in 0..both.len() {
            match owner[c] {
                Some(0) => assert_eq!(both[c], f[c], "cell {c} of f"),
                Some(1) => assert_eq!(both[c], d[c], "cell {c} of f′"),
                _ => assert_eq!(both[c], 0),
            }
            shared += usize::from(f[c] != 0 && d[c] != 0);
        }
        assert!(shared > 0, "the curves cross");
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
