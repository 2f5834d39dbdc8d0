//! Native rendering tests: every chart kind to SVG, parsed and checked. The SVGs are also
//! written to the temp dir (`icl-plots-*.svg`) to be looked at.

use super::axis::Scale;
use super::line::{LineChart, Series, SeriesStyle};
use super::style::{self, Rgb};
use super::*;
use icl_core::eval::ErrorCurve;
use icl_core::schema::{LossLog, LossPoint, NamedCurve};
use std::collections::HashMap;

/// One element of a parsed SVG document.
#[derive(Debug)]
struct Elem {
    name: String,
    attrs: HashMap<String, String>,
    /// Text content (for <text>).
    text: String,
}

#[derive(Debug)]
struct Svg {
    elems: Vec<Elem>,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// A small XML parser: checks that tags nest and close, collects elements, attributes, texts.
fn parse_svg(doc: &str) -> Svg {
    let mut elems: Vec<Elem> = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut rest = doc;
    let mut root_seen = false;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if let Some((_, idx)) = stack.last() {
            elems[*idx].text.push_str(&unescape(text.trim()));
        } else {
            assert!(text.trim().is_empty(), "text outside the root: {text:?}");
        }
        let gt = rest[lt..].find('>').expect("unterminated tag") + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let (open, _) = stack.pop().unwrap_or_else(|| panic!("close without open: {name}"));
            assert_eq!(open, name.trim(), "mismatched close tag");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = tag[..name_end].to_string();
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()), "bad tag name {name:?}");
        let mut attrs = HashMap::new();
        let mut a = tag[name_end..].trim();
        while !a.is_empty() {
            let eq = a.find('=').unwrap_or_else(|| panic!("attribute without value in <{name} {a}>"));
            let key = a[..eq].trim().to_string();
            let after = a[eq + 1..].trim_start();
            assert!(after.starts_with('"'), "unquoted attribute {key}");
            let close = after[1..].find('"').expect("unterminated attribute") + 1;
            let value = unescape(&after[1..close]);
            assert!(attrs.insert(key.clone(), value).is_none(), "duplicate attribute {key}");
            a = after[close + 1..].trim_start();
        }
        if stack.is_empty() {
            assert!(!root_seen, "two root elements");
            assert_eq!(name, "svg");
            root_seen = true;
        }
        elems.push(Elem { name: name.clone(), attrs, text: String::new() });
        if !self_closing {
            stack.push((name, elems.len() - 1));
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    assert!(root_seen, "no <svg> root");
    Svg { elems }
}

impl Svg {
    fn count(&self, name: &str) -> usize {
        self.elems.iter().filter(|e| e.name == name).count()
    }
    fn with(&self, name: &str, attr: &str, value: &str) -> Vec<&Elem> {
        self.elems.iter().filter(|e| e.name == name && e.attrs.get(attr).map(String::as_str) == Some(value)).collect()
    }
    fn texts(&self) -> Vec<&str> {
        self.elems.iter().filter(|e| e.name == "text").map(|e| e.text.as_str()).collect()
    }
    fn has_text(&self, t: &str) -> bool {
        self.texts().contains(&t)
    }
    /// All numbers in every coordinate attribute are finite and not absurdly far off the canvas.
    fn assert_coordinates_sane(&self, w: i32, h: i32) {
        for e in &self.elems {
            for key in ["x", "y", "cx", "cy", "x1", "x2", "y1", "y2", "width", "height", "r"] {
                if let Some(v) = e.attrs.get(key) {
                    if e.name == "svg" {
                        continue;
                    }
                    let v: f64 = v.parse().unwrap_or_else(|_| panic!("<{}> {key}={v:?}", e.name));
                    assert!(v.abs() <= 4.0 * (w.max(h) as f64), "<{}> {key}={v} off canvas {w}x{h}: {:?}", e.name, e.attrs);
                }
            }
            if let Some(points) = e.attrs.get("points") {
                for p in points.split_whitespace() {
                    let (x, y) = p.split_once(',').expect("point x,y");
                    let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                    assert!(x >= -2.0 && x <= w as f64 + 2.0 && y >= -2.0 && y <= h as f64 + 2.0, "<{}> point {p} off canvas", e.name);
                }
            }
        }
    }
}

fn hex(c: Rgb) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

fn rgb_of(c: plotters::style::RGBColor) -> Rgb {
    (c.0, c.1, c.2)
}

/// An empty line chart with these titles.
fn line_chart(title: &str, x_label: &str, y_label: &str) -> LineChart {
    LineChart { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), ..Default::default() }
}

/// A solid series in its label's colour.
fn series(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
    let label = label.into();
    Series { style: SeriesStyle::solid(color_for(&label), 2), label, points, band: None }
}

/// Renders, writes `icl-plots-{name}.svg` to the temp dir, parses, checks coordinates.
fn render(name: &str, w: u32, h: u32, plot: &impl Plot) -> (String, Svg) {
    let svg = plot.to_svg(w, h).unwrap_or_else(|e| panic!("{name}: {e}"));
    let path = std::env::temp_dir().join(format!("icl-plots-{name}.svg"));
    std::fs::write(&path, &svg).expect("write svg");
    let parsed = parse_svg(&svg);
    parsed.assert_coordinates_sane(w as i32, h as i32);
    (svg, parsed)
}

const D: usize = 8;
const CONTEXT: usize = 40;

fn ks() -> Vec<usize> {
    (0..=CONTEXT).collect()
}

fn curve(f: impl Fn(f64) -> f64, se: f64) -> ErrorCurve {
    let k = ks();
    let mean: Vec<f64> = k.iter().map(|&k| f(k as f64)).collect();
    let se = mean.iter().map(|m| m.abs() * se).collect();
    ErrorCurve { k, mean, se }
}

fn named(name: &str, c: ErrorCurve) -> NamedCurve {
    NamedCurve { name: name.into(), curve: c }
}

/// A realistic ICL picture for D = 8, σ² = 0.25: model, baselines (least squares blows up at
/// k ≈ D, with +∞ at k = D), theory curves (dashed), one NaN in the model curve.
fn lab_data() -> (ErrorCurve, Vec<NamedCurve>, Vec<(String, String, Vec<(f64, f64)>)>) {
    let d = D as f64;
    let noise = 0.25 / d;
    let mut model = curve(|k| 1.0 + noise - (k / (k + d + 1.0)) * 0.95, 0.04);
    model.mean[20] = f64::NAN;
    model.se[20] = f64::NAN;
    let ols = |k: f64| {
        if (k - d).abs() <= 1.0 {
            if k == d { f64::INFINITY } else { 40.0 }
        } else if k < d {
            1.0 + noise + (k / (d - k - 1.0).max(0.5)) * 0.3
        } else {
            noise * (1.0 + d / (k - d - 1.0).max(0.5))
        }
    };
    let baselines = vec![
        named("zero", curve(|_| 1.0 + noise, 0.02)),
        named("averaging", curve(|k| 1.0 + noise - 0.8 * k / (k + 2.0 * d), 0.02)),
        named("least_squares", curve(ols, 0.05)),
        named("ridge", curve(|k| 1.0 + noise - k / (k + d + 1.0), 0.02)),
        named("bayes", curve(|k| noise + (1.0 - k / (k + d + 1.0)) * 0.9, 0.02)),
        named("gd_1", curve(|k| 1.0 + noise - 0.7 * k / (k + d + 1.0), 0.02)),
    ];
    let theory = vec![
        ("ols".to_string(), "OLS (theory)".to_string(), ks().iter().map(|&k| (k as f64, ols(k as f64))).collect()),
        (
            "bayes".to_string(),
            "Bayes (theory)".to_string(),
            ks().iter().map(|&k| (k as f64, noise + (1.0 - k as f64 / (k as f64 + d + 1.0)) * 0.9)).collect(),
        ),
    ];
    (model, baselines, theory)
}

#[test]
fn plots_icl_error_chart_linear_and_log() {
    let (model, baselines, theory) = lab_data();
    for y_log in [false, true] {
        let mut chart = icl_error_chart(Some(&model), &baselines, &theory, y_log);
        chart.title = "ICL error, D = 8, σ² = 0.25".into();
        let name = if y_log { "icl-error-log" } else { "icl-error-linear" };
        let (_, svg) = render(name, 960, 600, &chart);

        // Legend: every series' label; the title.
        for label in [
            "model",
            "zero predictor",
            "averaging",
            "least squares",
            "ridge",
            "Bayes (posterior mean)",
            "GD, 1 step",
            "OLS (theory)",
            "Bayes (theory)",
        ] {
            assert!(svg.has_text(label), "{name}: legend label {label:?} missing; texts {:?}", svg.texts());
        }
        assert!(svg.has_text("ICL error, D = 8, σ² = 0.25"));
        assert!(svg.has_text("in-context examples k") && svg.has_text("normalised squared error"));

        // The model: the NaN at k = 20 splits line and band in two; markers at the 40 finite points.
        let m = hex(style::MODEL);
        assert_eq!(svg.with("polyline", "stroke", &m).len(), 2 + 1, "{name}: two model pieces + legend swatch");
        assert_eq!(svg.with("polygon", "fill", &m).len(), 2, "{name}: two band pieces");
        assert_eq!(svg.with("circle", "fill", &m).len(), 40 + 1, "{name}: markers + legend marker");
        for e in svg.with("polyline", "stroke", &m) {
            assert_eq!(e.attrs["stroke-width"], "2");
        }
        // Baselines: thin solid lines, one piece each (+ legend), except least squares which the
        // +∞ at k = D breaks (and on a linear axis the robust range also clips its spike).
        for b in ["zero", "averaging", "ridge", "gd_1"] {
            let lines = svg.with("polyline", "stroke", &hex(color_for(b)));
            assert_eq!(lines.len(), 2, "{name}: {b}");
            assert!(lines.iter().all(|e| e.attrs["stroke-width"] == "1"));
        }
        let ls = svg.with("polyline", "stroke", &hex(color_for("least_squares")));
        // Solid baseline pieces (width 1) and dashed theory dashes (width 2) share the colour.
        let solid = ls.iter().filter(|e| e.attrs["stroke-width"] == "1").count();
        let dashes = ls.iter().filter(|e| e.attrs["stroke-width"] == "2").count();
        assert!(solid >= 2 + 1, "{name}: least squares split at k = D: {solid}");
        assert!(dashes >= 10, "{name}: dashed OLS theory: {dashes}");
        // Grid and axes exist; the y range was not blown up by the spike on the linear axis.
        assert!(svg.count("line") + svg.count("polyline") > 20);
        if !y_log {
            // y tick labels are the right-aligned texts.
            let labels: Vec<f64> = svg
                .with("text", "text-anchor", "end")
                .iter()
                .filter_map(|e| e.text.replace('−', "-").parse::<f64>().ok())
                .collect();
            assert!(labels.len() >= 3, "{labels:?}");
            let max = labels.iter().cloned().fold(f64::MIN, f64::max);
            assert!(max <= 5.0, "linear y axis should be capped near the bulk, max tick {max}");
        } else {
            assert!(svg.has_text("1"), "log axis decade label: {:?}", svg.texts());
        }
    }
}

#[test]
fn plots_empty_charts_show_the_hint() {
    let loss = loss_chart(&LossLog::default(), &[]);
    let (_, svg) = render("loss-empty", 720, 400, &loss);
    assert!(svg.has_text("press Train to start"), "{:?}", svg.texts());
    assert!(svg.with("polyline", "stroke", &hex(style::MODEL)).is_empty());
    assert!(svg.has_text("training step") && svg.has_text("loss"));
    // Axes and tick labels are drawn even without data.
    assert!(svg.count("line") >= 4 && svg.texts().len() >= 6, "{:?}", svg.texts());

    let err = icl_error_chart(None, &[], &[], true);
    let (_, svg) = render("icl-empty", 720, 400, &err);
    assert!(svg.has_text("press Train to measure the model's in-context error"));

    // A custom hint, and a chart whose only series has no drawable point.
    let mut c = line_chart("t", "x", "y");
    c.empty_hint = "press Train".into();
    c.series.push(series("nan", vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)]));
    let (_, svg) = render("custom-empty", 500, 300, &c);
    assert!(svg.has_text("press Train"));
    assert!(!svg.has_text("nan"), "a series with nothing to draw stays out of the legend");
}

#[test]
fn plots_loss_chart_log_axis_with_zeros_and_extras() {
    let mut train = LossLog::default();
    let mut eval = LossLog::default();
    for i in 0..500usize {
        let step = i * 40;
        let loss = 2.0 * (-(step as f64) / 4000.0).exp() + 0.05 + 0.02 * ((i * 7919) % 13) as f64 / 13.0;
        // Zeros, a negative and a NaN must be skipped on the log axis.
        let loss = match i {
            100 => 0.0,
            101 => -1.0,
            102 => f64::NAN,
            _ => loss,
        };
        train.points.push(LossPoint { step, loss });
        if i % 25 == 0 {
            eval.points.push(LossPoint { step, loss: loss.abs() * 1.1 + 0.01 });
        }
    }
    let chart = loss_chart(&train, &[("eval", &eval)]);
    assert_eq!(chart.y_scale, Scale::Log);
    let (_, svg) = render("loss", 720, 400, &chart);
    let raw = hex((240, 190, 160));
    // 100..=102 removed from the raw per-step curve: two pieces, plus the legend swatch.
    assert_eq!(svg.with("polyline", "stroke", &raw).len(), 3);
    // The moving average skips them and stays one line (plus its swatch).
    assert_eq!(svg.with("polyline", "stroke", &hex(style::MODEL)).len(), 2);
    assert!(svg.has_text("per step") && svg.has_text("eval"));
    // Thousands written as "k".
    assert!(svg.texts().iter().any(|t| t.ends_with('k')), "{:?}", svg.texts());
    // The legend names the smoothing window (500 points / 50 = 10).
    let (_, svg) = render("loss-single", 720, 400, &loss_chart(&train, &[]));
    assert!(svg.has_text("moving average (10 points)"), "{:?}", svg.texts());
}

#[test]
fn plots_moving_average_is_a_trailing_mean() {
    let pts: Vec<(f64, f64)> = (0..6).map(|i| (i as f64, [1.0, 3.0, 5.0, -1.0, f64::NAN, 2.0][i])).collect();
    let ma = super::builders::moving_average(&pts, 2);
    let ys: Vec<f64> = ma.iter().map(|p| p.1).collect();
    assert_eq!(ys, vec![1.0, 2.0, 4.0, 2.0, -1.0, 2.0]);
    // Positive values are averaged geometrically: mean of 1 and 100 over a window of 2 is 10.
    let ma = super::builders::moving_average(&[(0.0, 1.0), (1.0, 100.0)], 2);
    assert!((ma[1].1 - 10.0).abs() < 1e-12);
}

#[test]
fn plots_single_points_huge_ranges_and_bad_ranges_never_panic() {
    // A single point is drawn as a marker.
    let mut c = line_chart("single", "x", "y");
    c.series.push(series("one", vec![(3.0, 0.5)]));
    c.series.push(series("empty", vec![]));
    let (_, svg) = render("single-point", 600, 350, &c);
    assert_eq!(svg.with("circle", "fill", &hex(color_for("one"))).len(), 1);
    assert!(svg.has_text("one") && !svg.has_text("empty"));

    // Huge dynamic ranges on log and linear axes.
    let mut c = line_chart("huge", "x", "y");
    c.x_scale = Scale::Log;
    c.y_scale = Scale::Log;
    c.series.push(series("wide", vec![(1e-300, 1e-300), (1.0, 1.0), (1e300, 1e300), (0.0, 5.0), (-3.0, 1.0)]));
    let (_, svg) = render("huge-log", 700, 400, &c);
    assert!(svg.texts().iter().any(|t| t.contains('⁻')), "{:?}", svg.texts());
    let mut c = line_chart("huge linear", "x", "y");
    c.series.push(series("wide", vec![(-1e308, -1e308), (0.0, 0.0), (1e308, 1e308), (f64::MAX, f64::MIN)]));
    render("huge-linear", 700, 400, &c);

    // Unusable fixed ranges fall back to the data; a usable one clips.
    for yr in [(5.0, 1.0), (-1.0, -1.0), (f64::NAN, 1.0), (0.0, f64::INFINITY), (0.2, 0.4)] {
        let mut c = line_chart("ranges", "x", "y");
        c.y_range = Some(yr);
        c.y_scale = Scale::Log;
        c.series.push(series("s", (0..50).map(|i| (i as f64 / 10.0, (i as f64 / 10.0).sin().abs())).collect()));
        let svg = c.to_svg(600, 400).unwrap();
        let parsed = parse_svg(&svg);
        parsed.assert_coordinates_sane(600, 400);
    }

    // Tiny and degenerate drawing areas.
    let (model, baselines, theory) = lab_data();
    let chart = icl_error_chart(Some(&model), &baselines, &theory, true);
    for (w, h) in [(1, 1), (10, 10), (90, 70), (200, 120), (4000, 90)] {
        let svg = chart.to_svg(w, h).unwrap();
        parse_svg(&svg);
    }
    // HiDPI scale.
    let svg = to_svg_string(1440, 800, |a| chart.draw_scaled(a, 2.0)).unwrap();
    std::fs::write(std::env::temp_dir().join("icl-plots-hidpi.svg"), &svg).unwrap();
    let parsed = parse_svg(&svg);
    parsed.assert_coordinates_sane(1440, 800);
    assert!(parsed.with("polyline", "stroke", &hex(style::MODEL)).iter().all(|e| e.attrs["stroke-width"] == "4"));
}

#[test]
fn plots_many_series_and_narrow_legends() {
    // Thirty series do not fit right of the plot: they go below it, every one of them.
    let mut c = line_chart("many", "k", "error");
    for i in 0..30 {
        c.series.push(series(format!("series number {i}"), (0..20).map(|k| (k as f64, 1.0 / (k as f64 + 1.0 + i as f64))).collect()));
    }
    let (raw, svg) = render("many-series", 720, 400, &c);
    for i in 0..30 {
        assert!(svg.has_text(&format!("series number {i}")), "{:?}", svg.texts());
    }
    assert!(!svg.texts().iter().any(|t| t.ends_with(" more")) && !raw.contains('…'), "{:?}", svg.texts());
    assert!(svg.with("polyline", "stroke", &hex(color_for("series number 0"))).len() >= 2, "the plot is still drawn");
    // Narrow: legend below the plot, with every label.
    let (model, baselines, theory) = lab_data();
    let chart = icl_error_chart(Some(&model), &baselines, &theory, false);
    let (_, svg) = render("narrow", 360, 420, &chart);
    for s in &chart.series {
        assert!(svg.has_text(&s.label), "{:?} missing: {:?}", s.label, svg.texts());
    }
    // A label wider than the whole chart is wrapped at spaces onto several lines, not shortened.
    let label = "a very long legend label that would never fit next to a small plot in any layout";
    let mut c = line_chart("Wrapped", "X axis", "Y axis");
    c.series.push(series(label, vec![(0.0, 1.0), (1.0, 2.0)]));
    let (raw, svg) = render("long-label", 500, 300, &c);
    assert!(!raw.contains('…'), "{:?}", svg.texts());
    let pieces: Vec<&str> = svg.texts().into_iter().filter(|t| !t.is_empty() && label.contains(*t)).collect();
    assert!(pieces.len() >= 2, "{pieces:?}");
    assert_eq!(pieces.join(" "), label);
    // A single word wider than the chart is broken between characters, every one kept.
    let word = "an_identifier_without_any_spaces_that_is_much_wider_than_the_whole_chart_is";
    let mut c = line_chart("Wrapped", "X axis", "Y axis");
    c.series.push(series(word, vec![(0.0, 1.0), (1.0, 2.0)]));
    let (_, svg) = render("long-word", 300, 300, &c);
    let pieces: Vec<&str> = svg.texts().into_iter().filter(|t| !t.is_empty() && word.contains(*t)).collect();
    assert!(pieces.len() >= 2, "{pieces:?}");
    assert_eq!(pieces.concat(), word);
}

/// Native (SVG) width estimate of `text` at `size` logical pixels.
fn text_width(text: &str, size: f64) -> i32 {
    let mut w = 0;
    to_svg_string(1, 1, |area| {
        w = style::Theme::for_backend::<plotters::prelude::SVGBackend>(1.0).text_w(area, text, size);
        Ok(())
    })
    .unwrap();
    w
}

#[test]
fn plots_legends_never_cut_a_label() {
    let (model, baselines, mut theory) = lab_data();
    theory[0].1 = "Bayes optimal (posterior mean) ridge, λ = σ²".into();
    theory[1].1 = "1 GD step, optimal η (= 1/(1+(D+1)/k))".into();
    let chart = icl_error_chart(Some(&model), &baselines, &theory, true);
    assert_eq!(chart.series.len(), 9);
    for (w, h) in [(487, 270), (390, 300)] {
        let name = format!("legend-long-{w}x{h}");
        let (raw, svg) = render(&name, w, h, &chart);
        assert!(!raw.contains('…'), "{name}: {:?}", svg.texts());
        for s in &chart.series {
            assert!(svg.has_text(&s.label), "{name}: legend label {:?} missing: {:?}", s.label, svg.texts());
            // Inside the canvas, in full.
            let e = svg.elems.iter().find(|e| e.name == "text" && e.text == s.label).unwrap();
            let (x, y): (f64, f64) = (e.attrs["x"].parse().unwrap(), e.attrs["y"].parse().unwrap());
            assert!(x >= 0.0 && x as i32 + text_width(&s.label, 12.0) <= w as i32 && y >= 0.0 && y < h as f64, "{name}: {:?} at {x}, {y}", s.label);
        }
        // The plot is still there, above the legend.
        assert!(svg.with("polyline", "stroke", &hex(style::MODEL)).len() >= 2, "{name}: the model's line");
    }
}

fn depth_width_grid() -> Heatmap {
    let depths = [1, 2, 4, 8];
    let widths = [16, 32, 64, 128, 256, 512];
    let values = depths
        .iter()
        .map(|&l| {
            widths
                .iter()
                .map(|&w| if l == 8 && w == 512 { f64::NAN } else { 0.02 + 1.0 / (l as f64 * w as f64).sqrt() + 0.01 * (l as f64 - 2.0).powi(2) })
                .collect()
        })
        .collect();
    Heatmap {
        title: "ICL error at k = 2D".into(),
        x_label: "width d_model".into(),
        y_label: "depth L".into(),
        x_ticks: widths.iter().map(|w| w.to_string()).collect(),
        y_ticks: depths.iter().map(|d| d.to_string()).collect(),
        values,
        log_color: true,
        color_label: "error".into(),
        ..Default::default()
    }
}

/// The position attribute `key` of the text element reading `text`.
fn text_pos(svg: &Svg, text: &str, key: &str) -> f64 {
    let e = svg.elems.iter().find(|e| e.name == "text" && e.text == text).unwrap_or_else(|| panic!("no text {text:?}"));
    e.attrs[key].parse().unwrap()
}

#[test]
fn plots_heatmap_missing_cells_and_colour_bar() {
    let hm = depth_width_grid();
    let (_, svg) = render("heatmap", 720, 420, &hm);
    // 24 cells + colour bar segments.
    let rects = svg.count("rect");
    assert!(rects >= 24 + 48, "{rects}");
    assert_eq!(svg.with("rect", "fill", "#E1E1E1").len(), 1, "one missing cell");
    for t in ["ICL error at k = 2D", "width d_model", "depth L", "16", "512", "error"] {
        assert!(svg.has_text(t), "{t}: {:?}", svg.texts());
    }
    // Row 0 is the top row, column 0 the left column.
    assert!(text_pos(&svg, "1", "y") < text_pos(&svg, "8", "y"));
    assert!(text_pos(&svg, "16", "x") < text_pos(&svg, "512", "x"));
    // Values are written in the (large) cells, 23 finite ones.
    let numbers = svg.texts().iter().filter(|t| t.starts_with("0.")).count();
    assert!(numbers >= 23, "{numbers}: {:?}", svg.texts());

    // A single row or column still fills the plot with whole cells.
    for (name, values) in [("heatmap-row", vec![vec![0.1, 0.5, 0.9]]), ("heatmap-column", vec![vec![0.1], vec![0.9]])] {
        let (_, svg) = render(name, 400, 300, &Heatmap::new(name, values));
        // Cells take the colour of their colour-bar band: the first and the last.
        let bands = [0, super::heatmap::COLOUR_BANDS - 1].map(super::heatmap::band_colour);
        // The colour bar's bands share these colours but are narrower than a cell.
        let num = |e: &Elem, k: &str| -> f64 { e.attrs[k].parse().unwrap() };
        let cells: Vec<&Elem> =
            bands.iter().flat_map(|&c| svg.with("rect", "fill", &hex(rgb_of(c)))).filter(|e| num(e, "width") > 12.0).collect();
        assert_eq!(cells.len(), 2, "{name}: the lowest and highest cells");
        for e in cells {
            let (x, y, w, h) = (num(e, "x"), num(e, "y"), num(e, "width"), num(e, "height"));
            assert!(x >= 0.0 && y >= 0.0 && x + w <= 400.0 && y + h <= 300.0 && w >= 20.0 && h >= 20.0, "{name}: {:?}", e.attrs);
        }
    }

    // Linear colour with a constant value, all-NaN, and empty maps.
    let flat = Heatmap::new("flat", vec![vec![1.0; 3]; 3]);
    render("heatmap-flat", 400, 300, &flat);
    let nan = Heatmap { log_color: true, ..Heatmap::new("nan", vec![vec![f64::NAN, 0.0, -1.0]; 2]) };
    render("heatmap-nan", 400, 300, &nan);
    let (_, svg) = render("heatmap-empty", 400, 300, &Heatmap::new("nothing", vec![]));
    assert!(svg.has_text("no data yet"));
    let ragged = Heatmap::new("ragged", vec![vec![1.0], vec![1.0, 2.0, f64::INFINITY], vec![]]);
    render("heatmap-ragged", 400, 300, &ragged);
}

fn attention(n: usize, head: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|q| {
            // Causal attention: to earlier x tokens, sharper for later heads.
            let raw: Vec<f64> = (0..n).map(|k| if k <= q { (-((q - k) as f64) / (1.0 + head as f64)).exp() } else { 0.0 }).collect();
            let s: f64 = raw.iter().sum();
            raw.iter().map(|r| r / s).collect()
        })
        .collect()
}

#[test]
fn plots_heatmap_grid_of_attention_maps() {
    let maps: Vec<Heatmap> = (0..8).map(|h| attention_map(format!("layer {} · head {}", h / 4 + 1, h % 4 + 1), attention(16, h))).collect();
    let grid = HeatmapGrid { title: "attention".into(), maps: maps.clone(), columns: 0, shared_scale: true };
    let (_, svg) = render("attention-grid", 900, 480, &grid);
    for h in 0..8 {
        assert!(svg.has_text(&format!("layer {} · head {}", h / 4 + 1, h % 4 + 1)), "{:?}", svg.texts());
    }
    assert!(svg.has_text("attention"));
    // Per map a background of its most common colour and, per row, at least the diagonal
    // cell (the largest weight) over it; equal neighbours share one rectangle, so fewer
    // rectangles than cells. Plus one colour bar of 48 bands.
    let rects = svg.count("rect");
    assert!(rects >= 8 * (1 + 16) + 48 && rects < 8 * 256 + 48, "{rects} rectangles");
    assert!(svg.has_text("0.0") && svg.has_text("1.0"), "shared colour bar 0..1: {:?}", svg.texts());

    // One bar per map, fixed columns; an empty grid.
    let grid = HeatmapGrid { title: String::new(), maps, columns: 3, shared_scale: false };
    let (_, svg) = render("attention-grid-own-bars", 700, 600, &grid);
    let rects = svg.count("rect");
    assert!(rects >= 8 * (1 + 16 + 48) && rects < 8 * (256 + 48), "{rects} rectangles");
    let (_, svg) = render("attention-grid-empty", 400, 300, &HeatmapGrid::default());
    assert!(svg.has_text("no data yet"));
}

/// Random charts with special values and random sizes: never panic, always valid SVG.
#[test]
fn plots_random_inputs_never_panic() {
    let mut state: u64 = 0x2545F4914F6CDD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1e-310, -1.0, 1e308, -1e308, 1.0];
    for case in 0..60 {
        let value = |next: &mut dyn FnMut() -> u64| -> f64 {
            let r = next();
            if r % 5 == 0 {
                specials[(r / 5 % specials.len() as u64) as usize]
            } else {
                ((r >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 10f64.powi((r % 7) as i32 - 3)
            }
        };
        let mut c = line_chart(&format!("case {case}"), "x", "y");
        c.x_scale = if next() % 3 == 0 { Scale::Log } else { Scale::Linear };
        c.y_scale = if next() % 2 == 0 { Scale::Log } else { Scale::Linear };
        for s in 0..(next() % 5) {
            let n = (next() % 30) as usize;
            let pts: Vec<(f64, f64)> = (0..n).map(|_| (value(&mut next), value(&mut next))).collect();
            let band = (next() % 2 == 0).then(|| pts.iter().map(|&(x, y)| (x, y - 0.1, y + 0.1)).collect());
            let mut series = series(format!("s{s}"), pts);
            series.band = band;
            series.style.dashed = next() % 2 == 0;
            series.style.markers = next() % 2 == 0;
            c.series.push(series);
        }
        if next() % 3 == 0 {
            c.y_range = Some((value(&mut next), value(&mut next)));
        }
        let (w, h) = (50 + (next() % 1200) as u32, 30 + (next() % 800) as u32);
        let svg = c.to_svg(w, h).unwrap_or_else(|e| panic!("case {case}: {e}"));
        let parsed = parse_svg(&svg);
        parsed.assert_coordinates_sane(w as i32, h as i32);

        let rows = (next() % 6) as usize;
        let cols = (next() % 6) as usize;
        let hm = Heatmap {
            log_color: next() % 2 == 0,
            x_ticks: (0..cols).map(|i| format!("c{i}")).collect(),
            y_ticks: (0..rows).map(|i| format!("r{i}")).collect(),
            ..Heatmap::new("hm", (0..rows).map(|_| (0..cols).map(|_| value(&mut next)).collect()).collect())
        };
        parse_svg(&hm.to_svg(w, h).unwrap());
    }
}

#[test]
fn the_shifted_model_curve_follows_the_model_dashed_in_its_colour() {
    let model = ErrorCurve { k: vec![0, 1, 2], mean: vec![1.0, 0.6, 0.3], se: vec![0.1; 3] };
    let shifted = ErrorCurve { mean: vec![1.0, 0.9, 0.8], ..model.clone() };
    let baselines = [NamedCurve { name: "averaging".into(), curve: model.clone() }];
    let mut chart = icl_error_chart(Some(&model), &baselines, &[], false);
    add_shifted_model(&mut chart, "skewed", &shifted);
    let labels: Vec<&str> = chart.series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels[..2], ["model", "model, OOD skewed"]);
    let s = &chart.series[1];
    assert!(s.style.dashed && s.style.color == style::MODEL && s.band.is_some());
    assert_eq!(s.points[2], (2.0, 0.8));
}

#[test]
fn a_grid_drawn_part_by_part_is_the_grid_drawn_at_once() {
    // The canvas draws a grid one part per animation frame; the result must not differ.
    let maps: Vec<Heatmap> = (0..4).map(|h| attention_map(format!("head {h}"), attention(12, h))).collect();
    let grid = HeatmapGrid { title: "attention".into(), maps, columns: 2, shared_scale: true };
    assert_eq!(grid.parts(), 5);
    let whole = grid.to_svg(640, 400).expect("whole");
    let by_parts = super::to_svg_string(640, 400, |area| (0..grid.parts()).try_for_each(|p| grid.draw_part(area, 1.0, p))).expect("parts");
    assert_eq!(by_parts, whole);
    // A one-part chart draws everything at part 0 and nothing after.
    let empty = HeatmapGrid::default();
    assert_eq!(empty.parts(), 1);
}

/// Sets the light theme again when dropped (a failing test too leaves its thread light).
struct LightAgain;

impl Drop for LightAgain {
    fn drop(&mut self) {
        set_dark(false);
    }
}

#[test]
fn plots_dark_theme_draws_on_a_dark_background() {
    let _light_again = LightAgain;
    let (model, baselines, theory) = lab_data();
    let chart = icl_error_chart(Some(&model), &baselines, &theory, true);
    let dark = style::Colours::DARK;
    let (dark_bg, white) = (hex(rgb_of(dark.background)), hex((255, 255, 255)));

    set_dark(true);
    assert!(is_dark());
    // The setting is per thread: another thread still draws light.
    assert!(!std::thread::spawn(is_dark).join().unwrap());
    let (_, svg) = render("icl-error-dark", 720, 400, &chart);
    assert!(!svg.with("rect", "fill", &dark_bg).is_empty(), "dark background");
    assert!(svg.with("rect", "fill", &white).is_empty(), "no white background");
    let inks = [dark.text, dark.muted].map(|c| hex(rgb_of(c)));
    for e in svg.elems.iter().filter(|e| e.name == "text") {
        assert!(inks.contains(&e.attrs["fill"]), "text {:?} in {}", e.text, e.attrs["fill"]);
    }
    // Learner colours are kept; the model reads on the dark background as it is.
    assert!(!svg.with("polyline", "stroke", &hex(style::MODEL)).is_empty());
    // The raw loss behind its moving average: a dark tint of the model colour, not the light one.
    let train = LossLog { points: (0..100).map(|i| LossPoint { step: i * 10, loss: 1.0 / (1.0 + i as f64) }).collect(), ..Default::default() };
    let (_, svg) = render("loss-dark", 720, 400, &loss_chart(&train, &[]));
    assert!(svg.with("polyline", "stroke", &hex(style::MODEL_TINT)).is_empty());
    assert_eq!(svg.with("polyline", "stroke", &hex(rgb_of(dark.series(style::MODEL_TINT)))).len(), 2, "raw loss + swatch");
    // Heatmaps: missing cells in the dark theme's grey, values in its text or background colour.
    let (_, svg) = render("heatmap-dark", 720, 420, &depth_width_grid());
    assert_eq!(svg.with("rect", "fill", &hex(rgb_of(dark.missing))).len(), 1, "one missing cell");
    let values: Vec<&Elem> = svg.with("text", "text-anchor", "middle").into_iter().filter(|e| e.text.starts_with("0.")).collect();
    assert!(values.len() >= 23);
    assert!(values.iter().all(|e| [dark.text, dark.background].map(|c| hex(rgb_of(c))).contains(&e.attrs["fill"])));

    set_dark(false);
    assert!(!is_dark());
    let (_, svg) = render("icl-error-light", 720, 400, &chart);
    assert!(!svg.with("rect", "fill", &white).is_empty(), "white background");
    assert!(svg.with("rect", "fill", &dark_bg).is_empty(), "no dark background");
}

#[test]
fn plots_learner_colours_read_on_both_backgrounds() {
    let names = [
        "model", "zero", "averaging", "least_squares", "ridge", "bayes", "bayes_limit", "gd_1", "gd_2", "gd_3", "gd_4", "lasso",
        "tree_greedy", "tree_greedy_unlimited", "tree_zero_threshold", "knn_3", "poly_2", "lu_1", "rrs_inf",
    ];
    let colours: Vec<Rgb> = names.iter().map(|n| color_for(n)).chain(style::PALETTE).collect();
    let (light, dark) = (style::Colours::LIGHT, style::Colours::DARK);
    for &c in &colours {
        // The light theme draws every colour as it is.
        assert_eq!(rgb_of(light.series(c)), c);
        // The dark theme keeps colours that read (3:1, WCAG's minimum for graphics) and
        // lightens the others (indigo, wine) until they do.
        let on_dark = dark.series(c);
        assert!(style::contrast(on_dark, dark.background) >= 3.0, "{c:?} → {on_dark:?}");
        if style::contrast(plotters::style::RGBColor(c.0, c.1, c.2), dark.background) >= 3.0 {
            assert_eq!(rgb_of(on_dark), c);
        }
    }
    // The model's colour reads on the dark background unchanged; its light tint becomes dark.
    assert_eq!(rgb_of(dark.series(style::MODEL)), style::MODEL);
    assert!(style::contrast(dark.series(style::MODEL_TINT), dark.background) < style::contrast(dark.series(style::MODEL), dark.background));
    // Text reads at AA (4.5:1) in both themes.
    for t in [light, dark] {
        assert!(style::contrast(t.text, t.background) >= 7.0);
        assert!(style::contrast(t.muted, t.background) >= 4.5);
        assert!(style::contrast(t.axis, t.background) >= 3.0);
    }
    // chart_colour follows the current theme.
    let _light_again = LightAgain;
    let indigo = color_for("gd_4");
    assert_eq!(chart_colour(indigo), indigo);
    set_dark(true);
    assert_ne!(chart_colour(indigo), indigo);
}

#[test]
fn plots_eta_eff_chart_draws_the_measured_steps_beside_the_per_k_optimum() {
    let probe = icl_core::schema::ProbeSummary {
        prompts: 64,
        steps: 1,
        eta_one: 0.5,
        se_eta_one: 0.01,
        cosine_one: 0.9,
        residual_one: 0.1,
        eta_multi: 0.5,
        cosine_multi: 0.9,
        residual_multi: 0.1,
        k_max: 4,
        eta_at_k_max: 0.5,
        se_eta_at_k_max: 0.01,
        eta_by_k: vec![None, Some(0.5), None, Some(0.52), Some(0.51)],
        se_eta_by_k: vec![None, Some(0.01), None, Some(0.01), None],
    };
    let c = eta_eff_chart(&probe, 4, 0.0);
    assert_eq!(c.series[0].points, vec![(1.0, 0.5), (3.0, 0.52), (4.0, 0.51)], "k without a step are left out");
    assert_eq!(c.series[0].band.as_ref().unwrap()[2], (4.0, 0.51, 0.51), "a missing SE draws no band");
    // η*(k) = k/(k + D + 1): 1/6 at k = 1, 4/9 at k = 4.
    let theory = &c.series[1].points;
    assert_eq!(theory.len(), 4);
    assert!((theory[0].1 - 1.0 / 6.0).abs() < 1e-12 && (theory[3].1 - 4.0 / 9.0).abs() < 1e-12, "{theory:?}");
    let (svg, _) = render("eta-eff", 720, 400, &c);
    assert!(svg.contains("η_eff"), "the y axis is named");
}
