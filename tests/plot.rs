//! What a plot shows a person: a vertical range that a pole does not flatten (tan, against
//! its reviewed snapshot), an axis with the sigmoid's bounds and room around the curves,
//! axis labels, and never NaN in an SVG or a drawing of f′ alone where f has no value.

use crate::common::*;

/// The y axis's tick labels of a text plot, top to bottom.
fn y_labels(text: &str) -> Vec<f64> {
    text.lines()
        .filter_map(|l| l.split_once(" ┤"))
        .map(|(label, _)| label.trim().parse().expect("a number"))
        .collect()
}

/// An SVG figure written by `deriv plot ARGS --svg FILE`.
fn svg(args: &[&str]) -> String {
    let dir = TempDir::new();
    let path = dir.file("plot.svg");
    let mut all = args.to_vec();
    all.extend(["--svg", path.to_str().unwrap()]);
    let o = deriv(&all).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    std::fs::read_to_string(&path).unwrap()
}

/// The numbers in an SVG's `<path d="...">` data, as (x, y) pairs.
fn path_points(svg: &str) -> Vec<(f64, f64)> {
    svg.split("<path d=\"")
        .skip(1)
        .flat_map(|rest| {
            let d = &rest[..rest.find('"').unwrap()];
            d.split(['M', 'L', ' '])
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (x, y) = p.split_once(',').expect("x,y");
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An attribute of the first element that has `class="CLASS"`.
fn attr(svg: &str, class: &str, name: &str) -> f64 {
    let tag = &svg[svg.find(&format!("class=\"{class}\"")).unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    let v = &tag[tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
    v[..v.find('"').unwrap()].parse().unwrap()
}

#[test]
fn tan_is_clipped_symmetrically_so_its_branches_show() {
    let args = [
        "plot", "tan(x)", "x", "--from", "-pi", "--to", "pi", "--width", "48", "--height", "12",
    ];
    let o = deriv(&args).run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, include_str!("snapshots/plot_tan.txt"));
    // Odd f: the labels are symmetric about 0, and a pole does not set the scale.
    let labels = y_labels(&o.stdout);
    assert_eq!(
        labels.first(),
        labels.last().map(|l| -l).as_ref(),
        "{labels:?}"
    );
    assert!(labels.iter().all(|l| l.abs() <= 20.0), "{labels:?}");
    // The same range in an SVG, sampled five times as finely.
    let s = svg(&["plot", "tan(x)", "x", "--from", "-pi", "--to", "pi"]);
    let (y0, h) = (attr(&s, "frame", "y"), attr(&s, "frame", "height"));
    let zero = s
        .lines()
        .find(|l| l.ends_with("text-anchor=\"end\">0</text>"))
        .expect("a 0 tick on the y axis");
    let zy: f64 = zero
        .split("y=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (zy - 4.0 - (y0 + h / 2.0)).abs() < 0.5,
        "0 is not in the middle:\n{s}"
    );
}

#[test]
fn the_sigmoid_has_its_bounds_on_the_axis_and_room_around_it() {
    let args = ["plot", "sigmoid(x)", "x", "--width", "48", "--height", "12"];
    let o = deriv(&args).run();
    assert_eq!(o.stdout, include_str!("snapshots/plot_sigmoid.txt"));
    let labels = y_labels(&o.stdout);
    assert_eq!(labels.first(), Some(&1.0), "{labels:?}");
    assert_eq!(labels.last(), Some(&0.0), "{labels:?}");
    let s = svg(&["plot", "sigmoid(x)", "x"]);
    for t in ["0", "1"] {
        assert!(s.contains(&format!(">{t}</text>")), "no {t} tick:\n{s}");
    }
    // No curve touches the frame: every point keeps 3% of the height from it.
    let (y0, h) = (attr(&s, "frame", "y"), attr(&s, "frame", "height"));
    let points = path_points(&s);
    assert!(points.len() > 100);
    for (_, y) in points {
        assert!(
            y > y0 + 0.03 * h && y < y0 + 0.97 * h,
            "{y} touches the frame"
        );
    }
}

#[test]
fn the_vertical_axis_is_labelled() {
    let s = svg(&["plot", "t^2", "t"]);
    assert!(s.contains("class=\"ylabel\""), "{s}");
    assert!(s.contains(">f(t), f′(t)</text>"), "{s}");
    let o = deriv(&["plot", "t^2", "t"]).run();
    assert_eq!(o.stdout.lines().nth(1).map(str::trim), Some("f(t), f′(t)"));
}

#[test]
fn an_svg_never_holds_nan() {
    // Too wide to sample: refused, and no file is written.
    let dir = TempDir::new();
    let path = dir.file("a.svg");
    let p = path.to_str().unwrap();
    deriv(&[
        "plot", "x", "x", "--from", "-1e308", "--to", "1e308", "--svg", p,
    ])
    .fails_with(1, "too wide to sample");
    assert!(!path.exists());
    deriv(&["plot", "x", "x", "--from", "1", "--to", "1+1e-15"])
        .fails_with(1, "too narrow to sample");
    deriv(&["plot", "1e308*sin(x)", "x"]).fails_with(1, "span more than a double holds");
    // Near the edges of the doubles, what is drawn is finite.
    for args in [
        ["plot", "x", "x", "--from", "-8e307", "--to", "8e307"],
        ["plot", "1e300*x", "x", "--from", "-1", "--to", "1"],
        ["plot", "exp(x)", "x", "--from", "-1000", "--to", "1000"],
        ["plot", "x", "x", "--from", "1e-300", "--to", "2e-300"],
    ] {
        let s = svg(&args);
        let lower = s.to_lowercase();
        assert!(
            !lower.contains("nan") && !lower.contains("inf"),
            "{args:?}:\n{s}"
        );
        assert!(!path_points(&s).is_empty(), "{args:?}: nothing drawn");
    }
}

#[test]
fn f_without_a_real_value_is_an_error_even_where_f_prime_has_one() {
    for f in ["log(-1-x^2)", "sqrt(-1-x^2)"] {
        deriv(&["plot", f, "x"]).fails_with(1, "f has no real value for x in [-5, 5]");
    }
}
