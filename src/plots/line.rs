//! Line charts: series with optional error bands, linear or log axes, a legend.

use super::axis::{AxisCoord, AxisSpec, RangeOpts, Scale, auto_range, valid_range};
use super::style::{Rgb, Theme, anchored, draw_title, ellipsize, wrap};
use super::{Plot, err};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// Where the last line chart drew its labelled points, for the canvas's hover read-out.
/// Text is made only for the point hovered (a loss curve has thousands of points).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HoverPoints {
    labels: Vec<String>,
    x_name: String,
    /// (x px, y px from the chart's top-left, in output pixels; series; x; y).
    points: Vec<(i32, i32, usize, f64, f64)>,
}

impl HoverPoints {
    /// The point nearest `(x, y)` (output pixels) within `radius`, in words.
    pub fn nearest(&self, x: f64, y: f64, radius: f64) -> Option<String> {
        let d2 = |&(px, py, ..): &(i32, i32, usize, f64, f64)| (px as f64 - x).powi(2) + (py as f64 - y).powi(2);
        let best = self.points.iter().min_by(|a, b| d2(a).total_cmp(&d2(b)))?;
        (d2(best) <= radius * radius).then(|| format!("{}: {} at {} = {}", self.labels[best.2], short(best.4), self.x_name, short(best.3)))
    }
}

thread_local! {
    // Filled by each line chart as it draws; the canvas takes it after drawing.
    static HOVER: RefCell<HoverPoints> = RefCell::new(HoverPoints::default());
}

/// The points the last line chart drew on this thread (and forgets them).
pub fn take_hover_points() -> HoverPoints {
    HOVER.with(|h| std::mem::take(&mut *h.borrow_mut()))
}

fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e6 { format!("{v:.0}") } else if v.abs() >= 0.01 && v.abs() < 1e4 { format!("{v:.3}") } else { format!("{v:.2e}") }
}

/// How one series is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesStyle {
    pub color: Rgb,
    pub dashed: bool,
    /// Circles at the data points (left out when a series has more than 60 points).
    pub markers: bool,
    /// Line width in logical pixels.
    pub width: u32,
}

impl SeriesStyle {
    pub fn solid(color: Rgb, width: u32) -> Self {
        SeriesStyle { color, dashed: false, markers: false, width }
    }
    pub fn dashed(color: Rgb, width: u32) -> Self {
        SeriesStyle { color, dashed: true, markers: false, width }
    }
    pub fn with_markers(mut self) -> Self {
        self.markers = true;
        self
    }
}

/// One curve. Points are drawn in order; a point that cannot be shown (NaN, ±∞, ≤ 0 on a log
/// axis) breaks the line there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend text; an empty label leaves the series out of the legend.
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// A shaded band (x, lo, hi), e.g. ±1 standard error, in the series' colour.
    pub band: Option<Vec<(f64, f64, f64)>>,
    pub style: SeriesStyle,
}

/// A line chart description. `series[0]` is listed first in the legend and drawn last (on top).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_scale: Scale,
    pub y_scale: Scale,
    pub series: Vec<Series>,
    /// Fixed y range; None (or an unusable range) chooses it from the data.
    pub y_range: Option<(f64, f64)>,
    /// Centred text when no series has a drawable point, e.g. "press Train".
    pub empty_hint: String,
}

// Logical font sizes (pixels).
const TICK: f64 = 12.0;
const DESC: f64 = 13.0;
const LEGEND: f64 = 12.0;
const HINT: f64 = 14.0;
/// The least height (logical pixels) worth drawing a plot in.
const MIN_PLOT_H: f64 = 30.0;

/// A clipping box in axis space.
#[derive(Clone, Copy, Debug)]
struct TBox {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

/// Axis-space coordinate, clamped so that differences never overflow.
fn to_t(scale: Scale, v: f64) -> f64 {
    scale.fwd(v).clamp(-1e300, 1e300)
}

/// Where the legend goes: right of the plot when the chart is wide enough and every label fits
/// there in full, else below it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Legend {
    Right,
    Bottom,
    Hidden,
}

impl Plot for LineChart {
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
        draw(self, area, scale)
    }
}

fn draw<DB: DrawingBackend>(chart: &LineChart, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
    let th = Theme::clear(area, scale)?;
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    if w < th.px(80.0) || h < th.px(60.0) {
        return Ok(());
    }
    let pad = th.px(8.0);
    let (xs, ys) = (chart.x_scale, chart.y_scale);

    let top = draw_title(area, &th, &chart.title, false)?;

    // Values that decide the ranges.
    let mut xv = Vec::new();
    let mut yv = Vec::new();
    let mut x_integer = true;
    for s in &chart.series {
        for &(x, y) in &s.points {
            if xs.accepts(x) && ys.accepts(y) {
                xv.push(x);
                yv.push(y);
                x_integer &= x.fract() == 0.0;
            }
        }
        for &(x, lo, hi) in s.band.iter().flatten() {
            if xs.accepts(x) {
                yv.extend([lo, hi].into_iter().filter(|&v| ys.accepts(v)));
            }
        }
    }
    let has_data = !xv.is_empty();
    let xr = auto_range(&xv, RangeOpts { pad: 0.03, fallback: if xs.is_log() { (1.0, 100.0) } else { (0.0, 1.0) }, ..RangeOpts::new(xs) });
    let yr = match chart.y_range {
        Some(r) if valid_range(r, ys) => r,
        _ => auto_range(&yv, RangeOpts { pad: 0.05, robust: true, snap_zero: true, ..RangeOpts::new(ys) }),
    };

    // Legend entries: labelled series that have something to draw. Labels are never cut:
    // the legend goes right of the plot only when every label fits there in full, else below
    // it on as many rows as it takes (a label wider than a whole row wrapped at spaces).
    let entries: Vec<&Series> = chart
        .series
        .iter()
        .filter(|s| !s.label.is_empty() && s.points.iter().any(|&(x, y)| xs.accepts(x) && ys.accepts(y)))
        .collect();
    let swatch = th.px(24.0);
    let gap = th.px(6.0); // swatch to label
    let sep = th.px(14.0); // between entries of a row
    let line_h = th.line_h(LEGEND);
    let row_pad = th.px(3.0);
    let row_h = line_h + row_pad;
    // Room for half of the top tick label.
    let margin_top = th.px(8.0).max(th.line_h(TICK) / 2 + th.px(2.0));
    let label_ws: Vec<i32> = entries.iter().map(|s| th.text_w(area, &s.label, LEGEND)).collect();
    let right_fits = w >= th.px(440.0)
        && label_ws.iter().all(|&lw| lw <= (w as f64 * 0.3) as i32)
        && entries.len() as i32 * row_h <= h - (top + margin_top) - th.px(4.0);
    let legend_pos = if entries.is_empty() {
        Legend::Hidden
    } else if right_fits {
        Legend::Right
    } else {
        Legend::Bottom
    };
    // Each entry's label lines and width (swatch included).
    let mut lines: Vec<Vec<String>> = entries.iter().map(|s| vec![s.label.clone()]).collect();
    let mut entry_ws: Vec<i32> = label_ws.iter().map(|lw| swatch + gap + lw).collect();
    let (mut legend_w, mut legend_h) = (0, 0);
    // Bottom legend: the entries of each row, and each row's height.
    let mut bottom_rows: Vec<(Vec<usize>, i32)> = Vec::new();
    match legend_pos {
        Legend::Right => {
            legend_w = swatch + gap + label_ws.iter().copied().max().unwrap_or(0) + 2 * pad;
        }
        Legend::Bottom => {
            let avail = w - 2 * pad;
            let text_avail = (avail - swatch - gap).max(th.px(20.0));
            for (i, s) in entries.iter().enumerate() {
                if label_ws[i] > text_avail {
                    lines[i] = wrap(&th, area, &s.label, LEGEND, text_avail);
                    entry_ws[i] = swatch + gap + lines[i].iter().map(|l| th.text_w(area, l, LEGEND)).max().unwrap_or(0);
                }
            }
            let mut row: Vec<usize> = Vec::new();
            let mut used = 0;
            let height = |row: &[usize]| row.iter().map(|&i| lines[i].len() as i32).max().unwrap_or(1) * line_h + row_pad;
            for i in 0..entries.len() {
                if !row.is_empty() && used + sep + entry_ws[i] > avail {
                    let h = height(&row);
                    bottom_rows.push((std::mem::take(&mut row), h));
                    used = 0;
                }
                used += if row.is_empty() { entry_ws[i] } else { sep + entry_ws[i] };
                row.push(i);
            }
            if !row.is_empty() {
                let h = height(&row);
                bottom_rows.push((row, h));
            }
            legend_h = bottom_rows.iter().map(|r| r.1).sum::<i32>() + th.px(4.0);
        }
        _ => {}
    }

    // Plot region and label areas. The legend takes the room it needs: when too little is
    // left for a plot of the minimum height, the plot is left out and the legend drawn in full.
    let region_w = w - legend_w;
    let region_h = h - top - legend_h;
    let margin_right = if legend_pos == Legend::Right { th.px(4.0) } else { th.px(16.0) };
    let desc_h = |s: &str| if s.is_empty() { 0 } else { th.line_h(DESC) };
    let x_area = th.px(8.0) + th.line_h(TICK) + th.px(2.0) + desc_h(&chart.x_label);
    let plot_h = region_h - margin_top - x_area;
    'plot: {
        if plot_h < th.px(MIN_PLOT_H) {
            break 'plot;
        }
        let y_spec = AxisSpec::new(yr.0, yr.1, ys, (plot_h as f64 / (th.s * TICK * 2.8)) as usize, false);
        let y_lab_w = y_spec.labels().iter().map(|l| th.text_w(area, l, TICK)).max().unwrap_or(0);
        let y_area = y_lab_w + th.px(8.0) + th.px(6.0) + desc_h(&chart.y_label);
        let plot_w = region_w - y_area - margin_right - th.px(4.0);
        if plot_w < th.px(40.0) {
            break 'plot;
        }
        draw_plot(chart, area, &th, &PlotLayout { top, region_w, region_h, margin_top, margin_right, x_area, y_area, plot_w }, (xr, x_integer && has_data, has_data), y_spec)?;
    }

    // Legend.
    let label_at = |i: usize, x: i32, cy: i32| legend_entry(area, &th, entries[i], &lines[i], x, cy, swatch, gap);
    match legend_pos {
        Legend::Right => {
            let x0 = region_w + pad;
            for i in 0..entries.len() {
                label_at(i, x0, top + margin_top + i as i32 * row_h + row_h / 2)?;
            }
        }
        Legend::Bottom => {
            let mut y = (h - legend_h).max(top) + th.px(2.0);
            for (row, row_h) in &bottom_rows {
                let cy = y + (row_pad + line_h) / 2;
                let total: i32 = row.iter().map(|&i| entry_ws[i]).sum::<i32>() + sep * (row.len() as i32 - 1);
                let mut x = ((w - total) / 2).max(pad);
                for &i in row {
                    label_at(i, x, cy)?;
                    x += entry_ws[i] + sep;
                }
                y += row_h;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Where the plot goes in a line chart's area (output pixels).
struct PlotLayout {
    top: i32,
    region_w: i32,
    region_h: i32,
    margin_top: i32,
    margin_right: i32,
    x_area: i32,
    y_area: i32,
    plot_w: i32,
}

/// The axes, grid, bands, lines, markers and the empty hint of `chart`.
fn draw_plot<DB: DrawingBackend>(
    chart: &LineChart,
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    l: &PlotLayout,
    (xr, x_integer, has_data): ((f64, f64), bool, bool),
    y_spec: AxisSpec,
) -> Result<(), String> {
    let (xs, ys) = (chart.x_scale, chart.y_scale);
    let c = th.colours;
    let mut n_x = ((l.plot_w as f64 / (th.s * 70.0)) as usize).clamp(2, 12);
    let x_spec = loop {
        let spec = AxisSpec::new(xr.0, xr.1, xs, n_x, x_integer);
        let widest = spec.labels().iter().map(|l| th.text_w(area, l, TICK)).max().unwrap_or(0);
        if n_x <= 2 || (spec.major.len() as i32) * (widest + th.px(14.0)) <= l.plot_w {
            break spec;
        }
        n_x -= 1;
    };

    let region = area.clone().shrink((0, l.top), (l.region_w.max(1), l.region_h.max(1)));
    let mut cc = ChartBuilder::on(&region)
        .margin_top(l.margin_top)
        .margin_right(l.margin_right)
        .margin_left(th.px(4.0))
        .x_label_area_size(l.x_area)
        .y_label_area_size(l.y_area)
        .build_cartesian_2d(AxisCoord(x_spec.clone()), AxisCoord(y_spec.clone()))
        .map_err(err)?;
    {
        let mut mesh = cc.configure_mesh();
        mesh.bold_line_style(c.grid_bold.stroke_width(th.stroke(1.0)))
            .light_line_style(c.grid_light.stroke_width(th.stroke(1.0)))
            .axis_style(c.axis.stroke_width(th.stroke(1.0)))
            .label_style(th.font(TICK, &c.muted))
            .axis_desc_style(th.font(DESC, &c.text))
            .set_all_tick_mark_size(th.px(4.0));
        if !chart.x_label.is_empty() {
            mesh.x_desc(chart.x_label.as_str());
        }
        if !chart.y_label.is_empty() {
            mesh.y_desc(chart.y_label.as_str());
        }
        mesh.draw().map_err(err)?;
    }

    let pa = cc.plotting_area();
    let (tx0, tx1) = x_spec.t_range();
    let (ty0, ty1) = y_spec.t_range();
    let bx = TBox { x0: tx0, x1: tx1, y0: ty0, y1: ty1 };
    let base = area.get_base_pixel();
    let to_area = |p: (i32, i32)| (p.0 - base.0, p.1 - base.1);
    let (px_left, py_top) = to_area(pa.map_coordinate(&(tx0, ty1)));
    let (px_right, py_bottom) = to_area(pa.map_coordinate(&(tx1, ty0)));

    // Error bands first (behind everything), in reverse order like the lines.
    for s in chart.series.iter().rev() {
        let Some(band) = &s.band else { continue };
        let below = ty0 - (ty1 - ty0);
        let fill = c.series(s.style.color).mix(0.18).filled();
        for run in runs(band.iter().filter(|b| xs.accepts(b.0)).map(|&(x, lo, hi)| {
            let ok = ys.accepts(hi) && (lo.is_finite() && lo <= hi);
            let lo_t = if ys.accepts(lo) { to_t(ys, lo) } else { below };
            (ok, (to_t(xs, x), lo_t, to_t(ys, hi)))
        })) {
            if run.len() < 2 {
                continue;
            }
            let mut poly: Vec<(f64, f64)> = run.iter().map(|&(x, _, hi)| (x, hi)).collect();
            poly.extend(run.iter().rev().map(|&(x, lo, _)| (x, lo)));
            let poly = clip_polygon(&poly, bx);
            if poly.len() >= 3 {
                pa.draw(&Polygon::new(poly, fill)).map_err(err)?;
            }
        }
    }

    // Where each labelled point lands, for the hover read-out.
    let mut hover = HoverPoints {
        labels: chart.series.iter().map(|s| s.label.clone()).collect(),
        x_name: if chart.x_label.is_empty() { "x".into() } else { chart.x_label.clone() },
        points: Vec::new(),
    };
    for (i, s) in chart.series.iter().enumerate().filter(|(_, s)| !s.label.is_empty()) {
        for &(x, y) in &s.points {
            let t = (to_t(xs, x), to_t(ys, y));
            if xs.accepts(x) && ys.accepts(y) && inside(t, bx) {
                let (px, py) = to_area(pa.map_coordinate(&t));
                hover.points.push((px, py, i, x, y));
            }
        }
    }
    HOVER.with(|h| *h.borrow_mut() = hover);

    // Lines and markers; series[0] on top.
    let dash = (th.px(6.0), th.px(4.0));
    for s in chart.series.iter().rev() {
        let color = c.series(s.style.color);
        let line = color.stroke_width(th.stroke(s.style.width.max(1) as f64));
        let n_ok = s.points.iter().filter(|&&(x, y)| xs.accepts(x) && ys.accepts(y)).count();
        let markers = s.style.markers && n_ok <= 60;
        let r = th.px(2.0 + 0.5 * s.style.width.min(4) as f64);
        for run in runs(s.points.iter().map(|&(x, y)| (xs.accepts(x) && ys.accepts(y), (to_t(xs, x), to_t(ys, y))))) {
            for piece in clip_polyline(&run, bx) {
                if s.style.dashed {
                    pa.draw(&DashedPathElement::new(piece, dash.0 + th.px(s.style.width as f64), dash.1, line))
                        .map_err(err)?;
                } else {
                    pa.draw(&PathElement::new(piece, line)).map_err(err)?;
                }
            }
            let lone = run.len() == 1;
            if markers || lone {
                for &p in &run {
                    if inside(p, bx) {
                        pa.draw(&Circle::new(p, r, color.filled())).map_err(err)?;
                    }
                }
            }
        }
    }

    if !has_data {
        let hint = if chart.empty_hint.is_empty() { "no data yet" } else { chart.empty_hint.as_str() };
        let hint = ellipsize(th, area, hint, HINT, px_right - px_left - th.px(16.0));
        let st = anchored(th.font(HINT, &c.muted), HPos::Center, VPos::Center);
        area.draw_text(&hint, &st, ((px_left + px_right) / 2, (py_top + py_bottom) / 2)).map_err(err)?;
    }
    Ok(())
}

/// One legend entry: the series' swatch centred on `cy`, its label's lines from there down.
#[allow(clippy::too_many_arguments)]
fn legend_entry<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    s: &Series,
    lines: &[String],
    x: i32,
    cy: i32,
    swatch: i32,
    gap: i32,
) -> Result<(), String> {
    let color = th.colours.series(s.style.color);
    if s.band.is_some() {
        let hh = th.px(5.0);
        area.draw(&Rectangle::new([(x, cy - hh), (x + swatch, cy + hh)], color.mix(0.18).filled())).map_err(err)?;
    }
    let line = color.stroke_width(th.stroke(s.style.width.max(1) as f64));
    if s.style.dashed {
        let seg = (swatch - th.px(3.0)) / 2;
        area.draw(&PathElement::new(vec![(x, cy), (x + seg, cy)], line)).map_err(err)?;
        area.draw(&PathElement::new(vec![(x + swatch - seg, cy), (x + swatch, cy)], line)).map_err(err)?;
    } else {
        area.draw(&PathElement::new(vec![(x, cy), (x + swatch, cy)], line)).map_err(err)?;
    }
    if s.style.markers {
        let r = th.px(2.0 + 0.5 * s.style.width.min(4) as f64);
        area.draw(&Circle::new((x + swatch / 2, cy), r, color.filled())).map_err(err)?;
    }
    let st = anchored(th.font(LEGEND, &th.colours.text), HPos::Left, VPos::Center);
    for (j, text) in lines.iter().enumerate() {
        area.draw_text(text, &st, (x + swatch + gap, cy + j as i32 * th.line_h(LEGEND))).map_err(err)?;
    }
    Ok(())
}

/// Splits a sequence of (ok, point) into maximal runs of ok points.
fn runs<P>(it: impl Iterator<Item = (bool, P)>) -> Vec<Vec<P>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (ok, p) in it {
        if ok {
            cur.push(p);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn inside(p: (f64, f64), b: TBox) -> bool {
    p.0 >= b.x0 && p.0 <= b.x1 && p.1 >= b.y0 && p.1 <= b.y1
}

/// Liang–Barsky: the part of segment a–b inside the box.
fn clip_segment(a: (f64, f64), b: (f64, f64), bx: TBox) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a.0 - bx.x0), (dx, bx.x1 - a.0), (-dy, a.1 - bx.y0), (dy, bx.y1 - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    let pa = if t0 == 0.0 { a } else { (a.0 + t0 * dx, a.1 + t0 * dy) };
    let pb = if t1 == 1.0 { b } else { (a.0 + t1 * dx, a.1 + t1 * dy) };
    Some((pa, pb))
}

/// The visible pieces of a polyline (each with ≥ 2 points).
fn clip_polyline(run: &[(f64, f64)], bx: TBox) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for w in run.windows(2) {
        match clip_segment(w[0], w[1], bx) {
            Some((p, q)) => {
                if cur.last() == Some(&p) {
                    cur.push(q);
                } else {
                    if cur.len() >= 2 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur = vec![p, q];
                }
            }
            None => {
                if cur.len() >= 2 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

/// Sutherland–Hodgman: polygon ∩ box.
fn clip_polygon(poly: &[(f64, f64)], bx: TBox) -> Vec<(f64, f64)> {
    let mut out = poly.to_vec();
    for edge in 0..4 {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else { break };
        let inside = |p: (f64, f64)| match edge {
            0 => p.0 >= bx.x0,
            1 => p.0 <= bx.x1,
            2 => p.1 >= bx.y0,
            _ => p.1 <= bx.y1,
        };
        let cut = |a: (f64, f64), b: (f64, f64)| -> (f64, f64) {
            match edge {
                0 | 1 => {
                    let c = if edge == 0 { bx.x0 } else { bx.x1 };
                    let t = (c - a.0) / (b.0 - a.0);
                    (c, a.1 + t * (b.1 - a.1))
                }
                _ => {
                    let c = if edge == 2 { bx.y0 } else { bx.y1 };
                    let t = (c - a.1) / (b.1 - a.1);
                    (a.0 + t * (b.0 - a.0), c)
                }
            }
        };
        let mut prev = last;
        for &cur in &input {
            if inside(cur) {
                if !inside(prev) {
                    out.push(cut(prev, cur));
                }
                out.push(cur);
            } else if inside(prev) {
                out.push(cut(prev, cur));
            }
            prev = cur;
        }
    }
    out
}

#[cfg(test)]
mod clip_tests {
    use super::*;

    const B: TBox = TBox { x0: 0.0, x1: 1.0, y0: 0.0, y1: 1.0 };

    #[test]
    fn plots_clip_polyline_splits_at_the_box() {
        // In, out above, back in: two pieces.
        let run = [(0.1, 0.5), (0.3, 0.5), (0.5, 5.0), (0.7, 0.5), (0.9, 0.5)];
        let pieces = clip_polyline(&run, B);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().flatten().all(|p| p.1 <= 1.0 + 1e-12));
        assert_eq!(clip_polyline(&[(2.0, 2.0), (3.0, 3.0)], B).len(), 0);
        assert_eq!(clip_polyline(&[(0.5, 0.5)], B).len(), 0);
        assert_eq!(clip_polyline(&[(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)], B), vec![vec![(0.1, 0.1), (0.2, 0.2), (0.3, 0.3)]]);
    }

    #[test]
    fn plots_clip_polygon_stays_in_the_box() {
        let poly = [(-1.0, 0.5), (2.0, 0.5), (2.0, 3.0), (-1.0, 3.0)];
        let c = clip_polygon(&poly, B);
        assert!(c.len() >= 4);
        assert!(c.iter().all(|p| p.0 >= 0.0 && p.0 <= 1.0 && p.1 >= 0.0 && p.1 <= 1.0));
        assert!(clip_polygon(&[(5.0, 5.0), (6.0, 5.0), (6.0, 6.0)], B).is_empty());
    }
}
