//! Heatmaps (depth × width error grids, attention maps) with a viridis colour bar, and grids of
//! small heatmaps (one per attention head) in one drawing area.

use super::axis::{AxisSpec, RangeOpts, Scale, auto_range, format_sig, valid_range};
use super::err;
use super::style::{self, Rgb, Theme, anchored, ellipsize, is_light, rgb, viridis};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// A grid of values drawn as coloured cells. `values[row][col]`; row 0 is the top row,
/// labelled `y_ticks[0]`; column 0 is the left column, labelled `x_ticks[0]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// One label per column (may be empty: no column labels).
    pub x_ticks: Vec<String>,
    /// One label per row (may be empty: no row labels).
    pub y_ticks: Vec<String>,
    /// rows × cols; NaN (and ≤ 0 with `log_color`) = missing, drawn light grey. Ragged rows are
    /// padded with missing cells.
    pub values: Vec<Vec<f64>>,
    /// Colour by log10(value).
    pub log_color: bool,
    /// Outlined cells (row, col, label), e.g. the measured optimum and the predicted L*; each
    /// mark gets its own outline colour and an entry under the map.
    pub marks: Vec<(usize, usize, String)>,
    /// Fixed colour range (e.g. (0, 1) for attention weights); None = min..max of the data.
    pub value_range: Option<(f64, f64)>,
    /// Caption of the colour bar (e.g. "ICL error").
    pub color_label: String,
    /// Write each value in its cell: None = when the cells are large enough.
    pub show_values: Option<bool>,
}

impl Heatmap {
    pub fn new(title: impl Into<String>, values: Vec<Vec<f64>>) -> Self {
        Heatmap { title: title.into(), values, ..Default::default() }
    }

    pub fn rows(&self) -> usize {
        self.values.len()
    }

    pub fn cols(&self) -> usize {
        self.values.iter().map(Vec::len).max().unwrap_or(0)
    }

    fn scale(&self) -> Scale {
        if self.log_color { Scale::Log } else { Scale::Linear }
    }

    /// The colour range: `value_range` if usable, else the data's min..max (widened if flat).
    pub fn color_range(&self) -> (f64, f64) {
        color_range_of(std::slice::from_ref(self))
    }
}

/// An attention map (weights in 0..1, row = query position, column = key position).
pub fn attention_map(title: impl Into<String>, weights: Vec<Vec<f64>>) -> Heatmap {
    Heatmap { value_range: Some((0.0, 1.0)), ..Heatmap::new(title, weights) }
}

/// Several small heatmaps (e.g. one per head) in one area.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeatmapGrid {
    pub title: String,
    pub maps: Vec<Heatmap>,
    /// Maps per row; 0 = chosen from the area's shape.
    pub columns: usize,
    /// One colour range and one colour bar for all maps (else one bar per map).
    pub shared_scale: bool,
}

/// Mark outline colours (readable on viridis): vermillion, white, black, sky blue.
const MARKS: [Rgb; 4] = [(213, 94, 0), (255, 255, 255), (0, 0, 0), (86, 180, 233)];

fn color_range_of(maps: &[Heatmap]) -> (f64, f64) {
    let scale = maps.first().map_or(Scale::Linear, Heatmap::scale);
    if let Some(r) = maps.iter().find_map(|m| m.value_range).filter(|&r| valid_range(r, scale)) {
        return r;
    }
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in maps.iter().flat_map(|m| m.values.iter().flatten()) {
        if scale.accepts(*v) {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if lo < hi {
        (lo, hi)
    } else {
        // One distinct value, or none.
        let vals: Vec<f64> = if lo.is_finite() { vec![lo] } else { Vec::new() };
        auto_range(&vals, RangeOpts { pad: 0.0, ..RangeOpts::new(scale) })
    }
}

/// Colour of `v` for the range (lo, hi) on `scale`; None = missing.
fn cell_color(v: f64, (lo, hi): (f64, f64), scale: Scale) -> Option<Rgb> {
    if v.is_nan() || (scale.is_log() && v <= 0.0) {
        return None;
    }
    let (a, b) = (scale.fwd(lo), scale.fwd(hi));
    let t = if v == f64::INFINITY {
        1.0
    } else if v == f64::NEG_INFINITY {
        0.0
    } else {
        (scale.fwd(v) - a) / (b - a)
    };
    Some(viridis(if t.is_finite() { t } else { 0.5 }))
}

#[derive(Clone, Copy)]
struct Opts {
    compact: bool,
    colorbar: bool,
    range: Option<(f64, f64)>,
}

/// Draws `map` filling `area`, with a colour bar on the right.
pub fn draw_heatmap<DB: DrawingBackend>(map: &Heatmap, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    draw_heatmap_scaled(map, area, 1.0)
}

/// [`draw_heatmap`] with every size multiplied by `scale`.
pub fn draw_heatmap_scaled<DB: DrawingBackend>(map: &Heatmap, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
    let th = Theme::clear(area, scale)?;
    draw_one(map, area, &th, Opts { compact: false, colorbar: true, range: None })
}

/// Draws the grid's maps in rows and columns, each with a small title.
pub fn draw_heatmap_grid<DB: DrawingBackend>(grid: &HeatmapGrid, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    draw_heatmap_grid_scaled(grid, area, 1.0)
}

/// [`draw_heatmap_grid`] with every size multiplied by `scale`.
pub fn draw_heatmap_grid_scaled<DB: DrawingBackend>(
    grid: &HeatmapGrid,
    area: &DrawingArea<DB, Shift>,
    scale: f64,
) -> Result<(), String> {
    let th = Theme::clear(area, scale)?;
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let pad = th.px(6.0);
    let mut top = th.px(4.0);
    if !grid.title.is_empty() {
        let t = ellipsize(&th, area, &grid.title, 15.0, w - 2 * pad);
        area.draw_text(&t, &anchored(th.bold(15.0, &style::TEXT), HPos::Center, VPos::Top), (w / 2, top))
            .map_err(err)?;
        top += th.line_h(15.0) + th.px(2.0);
    }
    let n = grid.maps.len();
    if n == 0 {
        let st = anchored(th.font(14.0, &style::MUTED), HPos::Center, VPos::Center);
        return area.draw_text("no data yet", &st, (w / 2, (top + h) / 2)).map_err(err);
    }
    let shared = if grid.shared_scale { Some(color_range_of(&grid.maps)) } else { None };
    let mut right = w - pad;
    if let Some(range) = shared {
        let bar_h = (h - top - th.px(30.0)).min(th.px(260.0));
        let bar_w = colorbar_width(area, &th, range, grid.maps[0].scale(), &grid.maps[0].color_label, 10.0, bar_h);
        let y0 = top + (h - top - bar_h) / 2;
        colorbar(area, &th, right - bar_w, y0, bar_h, range, grid.maps[0].scale(), &grid.maps[0].color_label, 10.0)?;
        right -= bar_w + th.px(8.0);
    }
    let (gw, gh) = (right - pad, h - top - pad / 2);
    if gw < th.px(20.0) || gh < th.px(20.0) {
        return Ok(());
    }
    let cols = if grid.columns > 0 {
        grid.columns.min(n)
    } else {
        // As large (and square) as possible.
        (1..=n)
            .max_by(|&a, &b| {
                let size = |c: usize| (gw as f64 / c as f64).min(gh as f64 / n.div_ceil(c) as f64);
                size(a).total_cmp(&size(b)).then(b.cmp(&a))
            })
            .unwrap_or(1)
    };
    let rows = n.div_ceil(cols);
    for (i, map) in grid.maps.iter().enumerate() {
        let (r, c) = ((i / cols) as i32, (i % cols) as i32);
        let x0 = pad + (c as f64 * gw as f64 / cols as f64).round() as i32;
        let x1 = pad + ((c + 1) as f64 * gw as f64 / cols as f64).round() as i32;
        let y0 = top + (r as f64 * gh as f64 / rows as f64).round() as i32;
        let y1 = top + ((r + 1) as f64 * gh as f64 / rows as f64).round() as i32;
        let gap = th.px(4.0);
        let sub = area.clone().shrink((x0, y0), ((x1 - x0 - gap).max(1), (y1 - y0 - gap).max(1)));
        draw_one(map, &sub, &th, Opts { compact: true, colorbar: shared.is_none(), range: shared })?;
    }
    Ok(())
}

fn colorbar_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    range: (f64, f64),
    scale: Scale,
    caption: &str,
    font: f64,
    bar_h: i32,
) -> i32 {
    let spec = AxisSpec::new(range.0, range.1, scale, ((bar_h as f64 / (th.s * font * 2.5)) as usize).clamp(2, 6), false);
    let lw = spec.labels().iter().map(|l| th.text_w(area, l, font)).max().unwrap_or(0);
    let cap = if caption.is_empty() { 0 } else { th.line_h(font) + th.px(2.0) };
    th.px(10.0) + th.px(4.0) + lw + cap
}

/// A vertical colour bar with its top-left corner at (x, y): bar, ticks, labels, caption.
#[allow(clippy::too_many_arguments)]
fn colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    x: i32,
    y: i32,
    bar_h: i32,
    range: (f64, f64),
    scale: Scale,
    caption: &str,
    font: f64,
) -> Result<(), String> {
    if bar_h < th.px(10.0) {
        return Ok(());
    }
    let bw = th.px(10.0);
    let n = 48;
    for i in 0..n {
        let ya = y + bar_h - ((i + 1) as f64 * bar_h as f64 / n as f64).round() as i32;
        let yb = y + bar_h - (i as f64 * bar_h as f64 / n as f64).round() as i32;
        let c = viridis((i as f64 + 0.5) / n as f64);
        area.draw(&Rectangle::new([(x, ya), (x + bw, yb)], rgb(c).filled())).map_err(err)?;
    }
    area.draw(&Rectangle::new([(x, y), (x + bw, y + bar_h)], style::AXIS.stroke_width(th.stroke(1.0))))
        .map_err(err)?;
    let spec = AxisSpec::new(range.0, range.1, scale, ((bar_h as f64 / (th.s * font * 2.5)) as usize).clamp(2, 6), false);
    let (a, b) = (scale.fwd(range.0), scale.fwd(range.1));
    let st = anchored(th.font(font, &style::MUTED), HPos::Left, VPos::Center);
    let mut label_w = 0;
    for (v, l) in spec.major.iter().zip(spec.labels()) {
        let f = (scale.fwd(*v) - a) / (b - a);
        if !(-1e-9..=1.0 + 1e-9).contains(&f) {
            continue;
        }
        let py = y + bar_h - (f * bar_h as f64).round() as i32;
        area.draw(&PathElement::new(vec![(x + bw, py), (x + bw + th.px(3.0), py)], style::AXIS.stroke_width(th.stroke(1.0))))
            .map_err(err)?;
        area.draw_text(&l, &st, (x + bw + th.px(4.0), py)).map_err(err)?;
        label_w = label_w.max(th.text_w(area, &l, font));
    }
    if !caption.is_empty() {
        let st = th.font(font, &style::TEXT).transform(FontTransform::Rotate90);
        let st = anchored(st, HPos::Center, VPos::Top);
        let cx = x + bw + th.px(4.0) + label_w + th.px(2.0) + th.line_h(font);
        area.draw_text(caption, &st, (cx, y + bar_h / 2)).map_err(err)?;
    }
    Ok(())
}

fn draw_one<DB: DrawingBackend>(map: &Heatmap, area: &DrawingArea<DB, Shift>, th: &Theme, o: Opts) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let (title_f, tick_f, desc_f, value_f) = if o.compact { (11.0, 9.0, 10.0, 9.0) } else { (15.0, 11.0, 13.0, 11.0) };
    let pad = th.px(if o.compact { 3.0 } else { 8.0 });
    let mut top = th.px(3.0);
    if !map.title.is_empty() {
        let t = ellipsize(th, area, &map.title, title_f, w - 2 * pad);
        let font = if o.compact { th.font(title_f, &style::TEXT) } else { th.bold(title_f, &style::TEXT) };
        area.draw_text(&t, &anchored(font, HPos::Center, VPos::Top), (w / 2, top)).map_err(err)?;
        top += th.line_h(title_f) + th.px(2.0);
    }
    let (rows, cols) = (map.rows(), map.cols());
    let scale = map.scale();
    let range = o.range.unwrap_or_else(|| map.color_range());

    // Mark legend under everything.
    let marks: Vec<&(usize, usize, String)> = map.marks.iter().filter(|m| m.0 < rows && m.1 < cols).collect();
    let mark_h = if marks.is_empty() { 0 } else { th.line_h(tick_f) + th.px(4.0) };
    let bottom = h - pad / 2 - mark_h;

    // Reserve label areas.
    let x_desc_h = if map.x_label.is_empty() { 0 } else { th.line_h(desc_f) };
    let y_desc_w = if map.y_label.is_empty() { 0 } else { th.line_h(desc_f) };
    let x_tick_h = if map.x_ticks.is_empty() { 0 } else { th.line_h(tick_f) + th.px(3.0) };
    let y_tick_w = map.y_ticks.iter().map(|t| th.text_w(area, t, tick_f)).max().map_or(0, |m| m + th.px(5.0));
    let avail_h = bottom - top - x_tick_h - x_desc_h;
    let cb_w = if o.colorbar { colorbar_width(area, th, range, scale, &map.color_label, tick_f, avail_h) + th.px(8.0) } else { 0 };
    let gx0 = pad + y_desc_w + y_tick_w;
    let gx1 = w - pad - cb_w;
    let gy0 = top + th.px(2.0);
    let gy1 = bottom - x_tick_h - x_desc_h;
    if rows == 0 || cols == 0 {
        let st = anchored(th.font(if o.compact { 10.0 } else { 14.0 }, &style::MUTED), HPos::Center, VPos::Center);
        return area.draw_text("no data yet", &st, (w / 2, (top + h) / 2)).map_err(err);
    }
    if gx1 - gx0 < th.px(8.0) || gy1 - gy0 < th.px(8.0) {
        return Ok(());
    }
    // Small multiples read best with square cells.
    let (mut gx0, mut gx1, mut gy0, mut gy1) = (gx0, gx1, gy0, gy1);
    if o.compact {
        let cell = ((gx1 - gx0) as f64 / cols as f64).min((gy1 - gy0) as f64 / rows as f64);
        let (gw, gh) = ((cell * cols as f64).round() as i32, (cell * rows as f64).round() as i32);
        gx0 += ((gx1 - gx0) - gw) / 2;
        gx1 = gx0 + gw;
        gy0 += ((gy1 - gy0) - gh) / 2;
        gy1 = gy0 + gh;
    }
    let xe = |c: usize| gx0 + (c as f64 * (gx1 - gx0) as f64 / cols as f64).round() as i32;
    let ye = |r: usize| gy0 + (r as f64 * (gy1 - gy0) as f64 / rows as f64).round() as i32;
    let (cell_w, cell_h) = ((gx1 - gx0) as f64 / cols as f64, (gy1 - gy0) as f64 / rows as f64);

    let show_values = map.show_values.unwrap_or_else(|| {
        !o.compact
            && rows * cols <= 400
            && cell_w >= (th.text_w(area, "0.000", value_f) + th.px(6.0)) as f64
            && cell_h >= (th.line_h(value_f) + th.px(4.0)) as f64
    });
    for r in 0..rows {
        for c in 0..cols {
            let v = map.values[r].get(c).copied().unwrap_or(f64::NAN);
            let col = cell_color(v, range, scale);
            let fill = col.map_or(style::MISSING, rgb);
            area.draw(&Rectangle::new([(xe(c), ye(r)), (xe(c + 1), ye(r + 1))], fill.filled())).map_err(err)?;
            if show_values && !v.is_nan() {
                let tc = if col.is_none_or(is_light) { style::TEXT } else { style::BACKGROUND };
                let st = anchored(th.font(value_f, &tc), HPos::Center, VPos::Center);
                let text = format_sig(v);
                if th.text_w(area, &text, value_f) <= xe(c + 1) - xe(c) - th.px(2.0) {
                    area.draw_text(&text, &st, ((xe(c) + xe(c + 1)) / 2, (ye(r) + ye(r + 1)) / 2)).map_err(err)?;
                }
            }
        }
    }
    area.draw(&Rectangle::new([(gx0, gy0), (gx1, gy1)], style::AXIS.stroke_width(th.stroke(1.0)))).map_err(err)?;

    // Marks: outlines, inset when several share a cell.
    for (i, (r, c, _)) in marks.iter().map(|m| (m.0, m.1, &m.2)).enumerate() {
        let before = marks[..i].iter().filter(|m| m.0 == r && m.1 == c).count() as i32;
        let inset = th.px(1.5) + before * th.px(3.0);
        let color = rgb(MARKS[i % MARKS.len()]);
        let (x0, y0, x1, y1) = (xe(c) + inset, ye(r) + inset, xe(c + 1) - inset, ye(r + 1) - inset);
        if x1 > x0 && y1 > y0 {
            outline_rect(area, (x0, y0), (x1, y1), color.stroke_width(th.stroke(2.0)))?;
        }
    }

    // Row and column labels, thinned so they never overlap.
    if !map.y_ticks.is_empty() {
        let step = ((th.line_h(tick_f) as f64 / cell_h).ceil() as usize).max(1);
        let st = anchored(th.font(tick_f, &style::MUTED), HPos::Right, VPos::Center);
        for (r, t) in map.y_ticks.iter().enumerate().take(rows).step_by(step) {
            area.draw_text(t, &st, (gx0 - th.px(4.0), (ye(r) + ye(r + 1)) / 2)).map_err(err)?;
        }
    }
    if !map.x_ticks.is_empty() {
        let widest = map.x_ticks.iter().map(|t| th.text_w(area, t, tick_f)).max().unwrap_or(0) + th.px(6.0);
        let step = ((widest as f64 / cell_w).ceil() as usize).max(1);
        let st = anchored(th.font(tick_f, &style::MUTED), HPos::Center, VPos::Top);
        for (c, t) in map.x_ticks.iter().enumerate().take(cols).step_by(step) {
            area.draw_text(t, &st, ((xe(c) + xe(c + 1)) / 2, gy1 + th.px(3.0))).map_err(err)?;
        }
    }
    if !map.x_label.is_empty() {
        let st = anchored(th.font(desc_f, &style::TEXT), HPos::Center, VPos::Top);
        let t = ellipsize(th, area, &map.x_label, desc_f, w - 2 * pad);
        area.draw_text(&t, &st, ((gx0 + gx1) / 2, gy1 + x_tick_h + th.px(1.0))).map_err(err)?;
    }
    if !map.y_label.is_empty() {
        let st = anchored(th.font(desc_f, &style::TEXT).transform(FontTransform::Rotate270), HPos::Center, VPos::Top);
        area.draw_text(&map.y_label, &st, (pad, (gy0 + gy1) / 2)).map_err(err)?;
    }
    if o.colorbar {
        let bar_h = gy1 - gy0;
        colorbar(area, th, gx1 + th.px(10.0), gy0, bar_h, range, scale, &map.color_label, tick_f)?;
    }
    if !marks.is_empty() {
        let cy = h - pad / 2 - mark_h / 2;
        let mut x = gx0;
        let st = anchored(th.font(tick_f, &style::TEXT), HPos::Left, VPos::Center);
        let sq = th.px(9.0);
        for (i, m) in marks.iter().enumerate() {
            let color = MARKS[i % MARKS.len()];
            let edge = if color == (255, 255, 255) { RGBColor(150, 150, 150) } else { rgb(color) };
            area.draw(&Rectangle::new([(x, cy - sq / 2), (x + sq, cy + sq / 2)], rgb(viridis(0.45)).filled())).map_err(err)?;
            outline_rect(area, (x, cy - sq / 2), (x + sq, cy + sq / 2), edge.stroke_width(th.stroke(2.0)))?;
            area.draw_text(&m.2, &st, (x + sq + th.px(4.0), cy)).map_err(err)?;
            x += sq + th.px(4.0) + th.text_w(area, &m.2, tick_f) + th.px(14.0);
        }
    }
    Ok(())
}

/// A rectangle outline as a closed path (so the stroke width also reaches SVG).
fn outline_rect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    style: ShapeStyle,
) -> Result<(), String> {
    area.draw(&PathElement::new(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], style)).map_err(err)
}
