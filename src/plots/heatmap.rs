//! Heatmaps (depth × width error grids, attention maps) with a viridis colour bar, and grids of
//! small heatmaps (one per attention head) in one drawing area. Cells and colour bars are
//! plotters charts; only the layout (label room, square cells, the grid) is computed here.

use super::axis::{AxisCoord, AxisSpec, RangeOpts, Scale, auto_range, format_sig, valid_range};
use super::style::{self, Theme, anchored, colormap, draw_title, title_height};
use super::{Plot, err};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
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
    /// Fixed colour range (e.g. (0, 1) for attention weights); None = min..max of the data.
    pub value_range: Option<(f64, f64)>,
    /// Caption of the colour bar (e.g. "ICL error").
    pub color_label: String,
}

impl Heatmap {
    pub fn new(title: impl Into<String>, values: Vec<Vec<f64>>) -> Self {
        Heatmap { title: title.into(), values, ..Default::default() }
    }

    fn rows(&self) -> usize {
        self.values.len()
    }

    fn cols(&self) -> usize {
        self.values.iter().map(Vec::len).max().unwrap_or(0)
    }

    fn scale(&self) -> Scale {
        if self.log_color { Scale::Log } else { Scale::Linear }
    }

    /// The colour range: `value_range` if usable, else the data's min..max (widened if flat).
    fn color_range(&self) -> (f64, f64) {
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
fn cell_color(v: f64, (lo, hi): (f64, f64), scale: Scale) -> Option<RGBColor> {
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
    // A cell takes the colour of the colour-bar band its value falls in, so the bar reads the
    // cells exactly, and equal neighbours can be drawn as one rectangle.
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    Some(band_colour(((t * COLOUR_BANDS as f64) as usize).min(COLOUR_BANDS - 1)))
}

/// Bands of a colour bar (and colour levels of the cells).
pub(super) const COLOUR_BANDS: usize = 48;

/// The colour of band `i` of [`COLOUR_BANDS`].
pub(super) fn band_colour(i: usize) -> RGBColor {
    colormap((i as f64 + 0.5) / COLOUR_BANDS as f64)
}

/// The cells to draw over a background of the most common colour: runs `(row, col0, col1)` of
/// equal colour, `col1` exclusive, skipping the background's. A causal attention map is half
/// masked zeros; drawing cell by cell cost a canvas about 4 × 1024 fills per probe.
fn cell_runs(rows: usize, cols: usize, colour: impl Fn(usize, usize) -> RGBColor) -> (RGBColor, Vec<(usize, usize, usize, RGBColor)>) {
    // Each cell's colour, computed once.
    let grid: Vec<Vec<RGBColor>> = (0..rows).map(|r| (0..cols).map(|c| colour(r, c)).collect()).collect();
    let mut counts = std::collections::HashMap::new();
    for &c in grid.iter().flatten() {
        *counts.entry((c.0, c.1, c.2)).or_insert(0usize) += 1;
    }
    let background = counts.into_iter().max_by_key(|&(k, n)| (n, k)).map_or(style::colours().missing, |((r, g, b), _)| RGBColor(r, g, b));
    let mut runs = Vec::new();
    for (r, row) in grid.iter().enumerate() {
        let mut start = 0;
        for c in 1..=cols {
            if c == cols || row[c] != row[start] {
                if row[start] != background {
                    runs.push((r, start, c, row[start]));
                }
                start = c;
            }
        }
    }
    (background, runs)
}

/// One axis of a heatmap: cells 0..n, cell i spanning [i, i + 1], with labels (`labels[i]`) at
/// the centres of the cells in `keys`. Not plotters' own: its segmented integer axis maps a
/// one-value axis (a single row or column) off the plot, and its f64 axis with given key points
/// has no label formatter that a mesh accepts.
struct Cells {
    n: usize,
    keys: Vec<usize>,
    labels: Vec<String>,
}

impl Ranged for Cells {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        limit.0 + (v / self.n as f64 * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.keys.iter().map(|&i| i as f64 + 0.5).collect() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n as f64
    }
}

impl ValueFormatter<f64> for Cells {
    fn format_ext(&self, v: &f64) -> String {
        self.labels.get(v.floor() as usize).cloned().unwrap_or_default()
    }
}

#[derive(Clone, Copy)]
struct Opts {
    compact: bool,
    colorbar: bool,
    range: Option<(f64, f64)>,
}

impl Plot for Heatmap {
    /// The map filling `area`, with a colour bar on the right.
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
        let th = Theme::clear(area, scale)?;
        draw_one(self, area, &th, Opts { compact: false, colorbar: true, range: None })
    }
}

impl Plot for HeatmapGrid {
    /// The grid's maps in rows and columns, each with a small title.
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
        draw_grid(self, area, &Theme::clear(area, scale)?, 0..self.parts())
    }

    /// Part 0: the title and the shared colour bar; part i: map i − 1.
    fn parts(&self) -> usize {
        1 + self.maps.len()
    }

    fn draw_part<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64, part: usize) -> Result<(), String> {
        let th = if part == 0 { Theme::clear(area, scale)? } else { Theme::for_backend::<DB>(scale) };
        draw_grid(self, area, &th, part..part + 1)
    }
}

/// Draws the `parts` of `grid` (see [`HeatmapGrid::parts`]); the layout is computed for all.
fn draw_grid<DB: DrawingBackend>(grid: &HeatmapGrid, area: &DrawingArea<DB, Shift>, th: &Theme, parts: std::ops::Range<usize>) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let pad = th.px(6.0);
    let frame = parts.contains(&0);
    let top = if frame { draw_title(area, th, &grid.title, false)? } else { title_height(th, &grid.title, false) };
    let n = grid.maps.len();
    if n == 0 {
        if !frame {
            return Ok(());
        }
        let st = anchored(th.font(14.0, &th.colours.muted), HPos::Center, VPos::Center);
        return area.draw_text("no data yet", &st, (w / 2, (top + h) / 2)).map_err(err);
    }
    let shared = if grid.shared_scale { Some(color_range_of(&grid.maps)) } else { None };
    let mut right = w - pad;
    if let Some(range) = shared {
        let (scale, caption) = (grid.maps[0].scale(), grid.maps[0].color_label.as_str());
        let bar_h = (h - top - th.px(30.0)).min(th.px(260.0));
        let bar_w = colorbar_width(area, th, range, scale, caption, 10.0, bar_h);
        if frame {
            let bar = sub_area(area, (right - bar_w, top + (h - top - bar_h) / 2), (bar_w, bar_h));
            colorbar(&bar, th, range, scale, caption, 10.0)?;
        }
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
    let gap = th.px(4.0);
    for (i, map) in grid.maps.iter().enumerate().filter(|(i, _)| parts.contains(&(i + 1))) {
        let (r, c) = (i / cols, i % cols);
        let x0 = pad + (c as f64 * gw as f64 / cols as f64).round() as i32;
        let x1 = pad + ((c + 1) as f64 * gw as f64 / cols as f64).round() as i32;
        let y0 = top + (r as f64 * gh as f64 / rows as f64).round() as i32;
        let y1 = top + ((r + 1) as f64 * gh as f64 / rows as f64).round() as i32;
        let sub = sub_area(area, (x0, y0), (x1 - x0 - gap, y1 - y0 - gap));
        draw_one(map, &sub, th, Opts { compact: true, colorbar: shared.is_none(), range: shared })?;
    }
    Ok(())
}

/// The part of `area` with its top-left corner at `at` and this size (at least 1 × 1).
fn sub_area<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, at: (i32, i32), (w, h): (i32, i32)) -> DrawingArea<DB, Shift> {
    area.clone().shrink(at, (w.max(1) as u32, h.max(1) as u32))
}

/// The ticks of a colour bar `bar_h` pixels high.
fn colorbar_spec(th: &Theme, range: (f64, f64), scale: Scale, font: f64, bar_h: i32) -> AxisSpec {
    AxisSpec::new(range.0, range.1, scale, ((bar_h as f64 / (th.s * font * 2.5)) as usize).clamp(2, 6), false)
}

/// Bar width of a colour bar.
fn bar_w(th: &Theme) -> i32 {
    th.px(10.0)
}

/// Tick length on heatmap axes and colour bars (labels sit twice as far from the axis).
fn tick(th: &Theme) -> i32 {
    th.px(2.0)
}

/// Width of a colour bar with its labels and caption.
fn colorbar_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    range: (f64, f64),
    scale: Scale,
    caption: &str,
    font: f64,
    bar_h: i32,
) -> i32 {
    let spec = colorbar_spec(th, range, scale, font, bar_h);
    let lw = spec.labels().iter().map(|l| th.text_w(area, l, font)).max().unwrap_or(0);
    let cap = if caption.is_empty() { 0 } else { th.line_h(font) + th.px(2.0) };
    bar_w(th) + 2 * tick(th) + lw + cap
}

/// A vertical colour bar filling `area` (as wide as [`colorbar_width`]): a chart whose y axis
/// is the colour range on the map's scale, labelled on the right, captioned by `caption`.
fn colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    range: (f64, f64),
    scale: Scale,
    caption: &str,
    font: f64,
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    if h < th.px(10.0) {
        return Ok(());
    }
    let spec = colorbar_spec(th, range, scale, font, h);
    let (t0, t1) = spec.t_range();
    let mut cc = ChartBuilder::on(area)
        .right_y_label_area_size((w - bar_w(th)).max(0))
        .build_cartesian_2d(0.0..1.0, AxisCoord(spec))
        .map_err(err)?;
    let n = COLOUR_BANDS;
    let t = |i: usize| t0 + (t1 - t0) * i as f64 / n as f64;
    cc.draw_series((0..n).map(|i| Rectangle::new([(0.0, t(i)), (1.0, t(i + 1))], band_colour(i).filled())))
        .map_err(err)?;
    frame_and_axes(&mut cc, th, [(0.0, t0), (1.0, t1)], (font, font), "", caption)
}

/// A frame around the plot and its labelled axes without grid lines (heatmaps, colour bars);
/// an empty description is left out.
fn frame_and_axes<DB: DrawingBackend, X, Y>(
    cc: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    th: &Theme,
    corners: [(X::ValueType, Y::ValueType); 2],
    (tick_f, desc_f): (f64, f64),
    x_desc: &str,
    y_desc: &str,
) -> Result<(), String>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
{
    cc.plotting_area().draw(&Rectangle::new(corners, th.colours.axis.stroke_width(th.stroke(1.0)))).map_err(err)?;
    let mut mesh = cc.configure_mesh();
    mesh.disable_mesh()
        .axis_style(th.colours.axis.stroke_width(th.stroke(1.0)))
        .label_style(th.font(tick_f, &th.colours.muted))
        .axis_desc_style(th.font(desc_f, &th.colours.text))
        .set_all_tick_mark_size(tick(th));
    if !x_desc.is_empty() {
        mesh.x_desc(x_desc);
    }
    if !y_desc.is_empty() {
        mesh.y_desc(y_desc);
    }
    mesh.draw().map_err(err)
}

fn draw_one<DB: DrawingBackend>(map: &Heatmap, area: &DrawingArea<DB, Shift>, th: &Theme, o: Opts) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let (tick_f, desc_f, value_f) = if o.compact { (9.0, 10.0, 9.0) } else { (11.0, 13.0, 11.0) };
    let pad = th.px(if o.compact { 3.0 } else { 8.0 });
    let top = draw_title(area, th, &map.title, o.compact)?;
    let (rows, cols) = (map.rows(), map.cols());
    let scale = map.scale();
    let range = o.range.unwrap_or_else(|| map.color_range());
    if rows == 0 || cols == 0 {
        let st = anchored(th.font(if o.compact { 10.0 } else { 14.0 }, &th.colours.muted), HPos::Center, VPos::Center);
        return area.draw_text("no data yet", &st, (w / 2, (top + h) / 2)).map_err(err);
    }

    // Room for the labels, as plotters lays them out: the description at the outer edge,
    // tick labels twice the tick length from the axis.
    let tk = tick(th);
    let x_desc_h = if map.x_label.is_empty() { 0 } else { th.line_h(desc_f) };
    let y_desc_w = if map.y_label.is_empty() { 0 } else { th.line_h(desc_f) };
    let x_tick_h = if map.x_ticks.is_empty() { 0 } else { th.line_h(tick_f) + 2 * tk };
    let y_tick_w = map.y_ticks.iter().map(|t| th.text_w(area, t, tick_f)).max().map_or(0, |m| m + 2 * tk + th.px(1.0));
    let (x_area, y_area) = (x_tick_h + x_desc_h, y_desc_w + y_tick_w);
    let gy0 = top + th.px(2.0);
    let gh = h - pad / 2 - gy0 - x_area;
    let cb_w = if o.colorbar { colorbar_width(area, th, range, scale, &map.color_label, tick_f, gh) + th.px(10.0) } else { 0 };
    let gx0 = pad + y_area;
    let gw = w - pad - cb_w - gx0;
    if gw < th.px(8.0) || gh < th.px(8.0) {
        return Ok(());
    }
    // Small multiples read best with square cells: the spare room goes to the margins.
    let (mut gx0, mut gy0, mut gw, mut gh) = (gx0, gy0, gw, gh);
    if o.compact {
        let cell = (gw as f64 / cols as f64).min(gh as f64 / rows as f64);
        let (sw, sh) = ((cell * cols as f64).round() as i32, (cell * rows as f64).round() as i32);
        gx0 += (gw - sw) / 2;
        gy0 += (gh - sh) / 2;
        (gw, gh) = (sw, sh);
    }
    let (cell_w, cell_h) = (gw as f64 / cols as f64, gh as f64 / rows as f64);

    // Cell (row, col) spans x in [col, col + 1] and y in [rows - 1 - row, rows - row]: row 0 is
    // the top row. Labels are thinned so that they never overlap.
    let flip = |r: usize| (rows - 1 - r) as f64;
    let x_step = ((map.x_ticks.iter().map(|t| th.text_w(area, t, tick_f)).max().unwrap_or(0) + th.px(6.0)) as f64 / cell_w).ceil() as usize;
    let x_axis = Cells { n: cols, keys: (0..cols.min(map.x_ticks.len())).step_by(x_step.max(1)).collect(), labels: map.x_ticks.clone() };
    let y_step = (th.line_h(tick_f) as f64 / cell_h).ceil() as usize;
    let y_keys = (0..rows.min(map.y_ticks.len())).step_by(y_step.max(1)).map(|r| rows - 1 - r).collect();
    let y_axis = Cells { n: rows, keys: y_keys, labels: (0..rows).rev().map(|r| map.y_ticks.get(r).cloned().unwrap_or_default()).collect() };
    let mut cc = ChartBuilder::on(area)
        .margin_left(gx0 - y_area)
        .margin_top(gy0)
        .margin_right((w - gx0 - gw).max(0))
        .margin_bottom((h - gy0 - gh - x_area).max(0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_axis, y_axis)
        .map_err(err)?;

    let value = |r: usize, c: usize| map.values[r].get(c).copied().unwrap_or(f64::NAN);
    let cells = || (0..rows).flat_map(move |r| (0..cols).map(move |c| (r, c)));
    let (background, runs) = cell_runs(rows, cols, |r, c| cell_color(value(r, c), range, scale).unwrap_or(th.colours.missing));
    cc.draw_series(std::iter::once(Rectangle::new([(0.0, rows as f64), (cols as f64, 0.0)], background.filled())))
        .map_err(err)?;
    cc.draw_series(runs.into_iter().map(|(r, c0, c1, fill)| Rectangle::new([(c0 as f64, flip(r) + 1.0), (c1 as f64, flip(r))], fill.filled())))
        .map_err(err)?;
    let show_values = !o.compact
        && rows * cols <= 400
        && cell_w >= (th.text_w(area, "0.000", value_f) + th.px(6.0)) as f64
        && cell_h >= (th.line_h(value_f) + th.px(4.0)) as f64;
    if show_values {
        let fits = |t: &String| th.text_w(area, t, value_f) as f64 <= cell_w - th.px(2.0) as f64;
        cc.draw_series(cells().filter(|&(r, c)| !value(r, c).is_nan()).filter_map(|(r, c)| {
            let v = value(r, c);
            let text = format_sig(v);
            // Dark ink on light cells, light ink on dark ones, in the theme's text and background.
            let tc = th.colours.ink_on(cell_color(v, range, scale).unwrap_or(th.colours.missing));
            let st = anchored(th.font(value_f, &tc), HPos::Center, VPos::Center);
            fits(&text).then(|| Text::new(text, (c as f64 + 0.5, flip(r) + 0.5), st))
        }))
        .map_err(err)?;
    }
    frame_and_axes(&mut cc, th, [(0.0, 0.0), (cols as f64, rows as f64)], (tick_f, desc_f), &map.x_label, &map.y_label)?;

    if o.colorbar {
        let bar = sub_area(area, (gx0 + gw + th.px(10.0), gy0), (cb_w - th.px(10.0), gh));
        colorbar(&bar, th, range, scale, &map.color_label, tick_f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_every_cell_not_of_the_background_colour() {
        let (red, blue) = (RGBColor(255, 0, 0), RGBColor(0, 0, 255));
        // Lower triangle red, the rest blue: blue is the background, one red run per row.
        let colour = |r: usize, c: usize| if c <= r && r < 2 { red } else { blue };
        let (background, runs) = cell_runs(4, 4, colour);
        assert_eq!(background, blue);
        assert_eq!(runs, vec![(0, 0, 1, red), (1, 0, 2, red)]);
        // Alternating colours split into single cells.
        let (_, runs) = cell_runs(1, 4, |_, c| if c % 2 == 0 { red } else { blue });
        assert_eq!(runs.len(), 2);
    }
}
