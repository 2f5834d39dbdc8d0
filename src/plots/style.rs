//! Colours, names and sizes shared by every chart.
//!
//! The palette is colour-blind friendly (Okabe–Ito, extended with Paul Tol's "muted" colours),
//! and a learner keeps its colour on every plot: the measured baseline `least_squares` and the
//! theory curve `ols` are both blue, `gd_2` and `gd2` both wine, etc.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// The colour-blind-friendly palette, in the order used for unknown names.
pub const PALETTE: [Rgb; 12] = [
    (0, 114, 178),   // blue
    (213, 94, 0),    // vermillion
    (0, 158, 115),   // bluish green
    (230, 159, 0),   // orange
    (204, 121, 167), // reddish purple
    (86, 180, 233),  // sky blue
    (136, 34, 85),   // wine
    (153, 153, 51),  // olive
    (51, 34, 136),   // indigo
    (68, 170, 153),  // teal
    (17, 119, 51),   // green
    (204, 102, 119), // rose
];

pub const MODEL: Rgb = (213, 94, 0);
const GREY: Rgb = (136, 136, 136);
/// A light tint of the model colour, for the raw, noisy training loss behind its moving
/// average. On a dark background the tint is taken towards the background instead.
pub(crate) const MODEL_TINT: Rgb = (240, 190, 160);

/// Background, text, axes and grid colours of one theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Colours {
    pub background: RGBColor,
    pub text: RGBColor,
    pub muted: RGBColor,
    pub axis: RGBColor,
    pub grid_bold: RGBColor,
    pub grid_light: RGBColor,
    /// Missing heatmap cells.
    pub missing: RGBColor,
}

impl Colours {
    pub const LIGHT: Colours = Colours {
        background: RGBColor(255, 255, 255),
        text: RGBColor(34, 34, 34),
        muted: RGBColor(110, 110, 110),
        axis: RGBColor(115, 115, 115),
        grid_bold: RGBColor(222, 222, 222),
        grid_light: RGBColor(242, 242, 242),
        missing: RGBColor(225, 225, 225),
    };

    pub const DARK: Colours = Colours {
        background: RGBColor(22, 27, 34),
        text: RGBColor(230, 237, 243),
        muted: RGBColor(160, 170, 180),
        axis: RGBColor(140, 150, 160),
        grid_bold: RGBColor(55, 62, 71),
        grid_light: RGBColor(38, 44, 52),
        missing: RGBColor(60, 66, 75),
    };

    fn is_dark(&self) -> bool {
        !is_light(self.background)
    }

    /// The colour a series of colour `c` is drawn in on this background. On the light theme
    /// `c` itself; on the dark theme a colour with less than 3:1 contrast against the
    /// background (indigo, wine) is mixed towards white until it has 3:1 (WCAG's minimum for
    /// graphics), keeping its hue, and the model's light tint becomes a dark one.
    pub fn series(&self, c: Rgb) -> RGBColor {
        if !self.is_dark() {
            return rgb(c);
        }
        let bg = self.background;
        if c == MODEL_TINT {
            return mix(rgb(MODEL), bg, 0.55);
        }
        let mut out = rgb(c);
        let mut t = 0.0;
        while contrast(out, bg) < 3.0 && t < 1.0 {
            t += 0.05;
            out = mix(rgb(c), RGBColor(255, 255, 255), 1.0 - t);
        }
        out
    }

    /// Text colour for a cell of colour `cell`: the theme's darker of text and background on a
    /// light cell, the lighter one on a dark cell.
    pub fn ink_on(&self, cell: RGBColor) -> RGBColor {
        let (dark, light) = if self.is_dark() { (self.background, self.text) } else { (self.text, self.background) };
        if is_light(cell) { dark } else { light }
    }
}

thread_local! {
    /// Whether charts are drawn in the dark theme (per thread: the page has one, and native
    /// tests running in parallel each choose their own).
    static DARK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Chooses the charts' theme: every chart drawn (canvas or SVG) after this call on this
/// thread uses the dark palette when `dark`, else the light one.
pub fn set_dark(dark: bool) {
    DARK.with(|d| d.set(dark));
}

/// Whether charts are drawn in the dark theme ([`set_dark`]).
pub fn is_dark() -> bool {
    DARK.with(|d| d.get())
}

/// The palette of the current theme.
pub(crate) fn colours() -> Colours {
    if is_dark() { Colours::DARK } else { Colours::LIGHT }
}

/// The colour a series of colour `c` is drawn in on the current theme's background: `c` on
/// the light theme, `c` lightened where it would be too dark to see on the dark theme (the
/// page's HTML swatches can use this to match the charts).
pub fn chart_colour(c: Rgb) -> Rgb {
    let o = colours().series(c);
    (o.0, o.1, o.2)
}

/// `a` × t + `b` × (1 − t).
fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8, y: u8| (x as f64 * t + y as f64 * (1.0 - t)).round().clamp(0.0, 255.0) as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// WCAG relative luminance.
fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG contrast ratio of two colours (1 to 21).
pub(crate) fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Canonical learner name: theory ids and baseline names of one learner map to one key
/// ("ols" → "least_squares", "avg" → "averaging", "gd2" → "gd_2", "ridge_0.1" → "ridge", ...).
fn canonical_name(name: &str) -> String {
    let n = name.trim().to_ascii_lowercase();
    let n = n.strip_prefix("theory:").unwrap_or(&n).to_string();
    match n.as_str() {
        "avg" | "average" | "mean" => return "averaging".into(),
        "ols" | "lstsq" | "least squares" | "least-squares" => return "least_squares".into(),
        "zero predictor" => return "zero".into(),
        _ => {}
    }
    // gdL → gd_L
    if let Some(rest) = n.strip_prefix("gd") {
        let rest = rest.trim_start_matches('_');
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
            return format!("gd_{rest}");
        }
    }
    for family in ["ridge", "knn", "lasso", "poly", "rrs_inf", "lu_"] {
        if n.starts_with(family) {
            return match family {
                "ridge" | "lasso" => family.to_string(),
                _ => n,
            };
        }
    }
    n
}

/// The stable colour of a learner / curve name. Known names have fixed colours; others get a
/// palette colour chosen by a hash of the name (stable across runs and plots).
pub fn color_for(name: &str) -> Rgb {
    let c = canonical_name(name);
    match c.as_str() {
        "model" | "transformer" | "train" | "training loss" | "loss" => MODEL,
        "zero" => GREY,
        "averaging" => (153, 153, 51),
        "least_squares" => (0, 114, 178),
        "ridge" => (86, 180, 233),
        "bayes" | "tree_bayes" => (0, 158, 115),
        "bayes_limit" => (17, 119, 51),
        "gd_1" => (204, 121, 167),
        "gd_2" => (136, 34, 85),
        "gd_3" => (170, 68, 153),
        "gd_4" => (51, 34, 136),
        "lasso" => (68, 170, 153),
        "tree_greedy" => (166, 118, 29),
        "tree_greedy_unlimited" => (221, 170, 51),
        "tree_zero_threshold" => (102, 102, 51),
        "eval" | "eval loss" | "test" => (0, 114, 178),
        _ if c.starts_with("knn") => (230, 159, 0),
        _ if c.starts_with("poly") => (204, 102, 119),
        _ if c.starts_with("lu_") => (51, 34, 136),
        _ if c.starts_with("rrs_inf") => (136, 136, 204),
        _ => PALETTE[(fnv1a(&c) % PALETTE.len() as u64) as usize],
    }
}

fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Legend text for a learner name ("least_squares" → "least squares", "gd_2" → "GD, 2 steps").
pub fn display_name(name: &str) -> String {
    let c = canonical_name(name);
    let lower = name.trim().to_ascii_lowercase();
    match c.as_str() {
        "zero" => "zero predictor".into(),
        "averaging" => "averaging".into(),
        "least_squares" => "least squares".into(),
        "bayes" => "Bayes (posterior mean)".into(),
        "lasso" if lower == "lasso_oracle" => "lasso (oracle λ)".into(),
        "ridge" if lower.starts_with("ridge_") => format!("ridge λ = {}", &lower["ridge_".len()..]),
        "lasso" if lower.starts_with("lasso_") => format!("lasso λ = {}", &lower["lasso_".len()..]),
        "tree_greedy" => "greedy tree".into(),
        "tree_greedy_unlimited" => "greedy tree (unlimited)".into(),
        "tree_zero_threshold" => "tree, zero thresholds".into(),
        "tree_bayes" => "Bayes over trees".into(),
        _ => {
            if let Some(n) = c.strip_prefix("gd_") {
                return if n == "1" { "GD, 1 step".into() } else { format!("GD, {n} steps") };
            }
            if let Some(n) = c.strip_prefix("knn_") {
                return format!("{n}-NN");
            }
            name.replace('_', " ")
        }
    }
}

/// Sizes scaled for the output (HiDPI canvases draw with `s` = devicePixelRatio), and the font
/// size correction of the backend (plotters' SVG backend writes `font-size = size / 1.24`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    pub s: f64,
    pub font_factor: f64,
    /// The palette of the theme current when the drawing started ([`set_dark`]).
    pub colours: Colours,
}

impl Theme {
    pub fn for_backend<DB: DrawingBackend>(scale: f64) -> Self {
        let s = if scale.is_finite() && scale > 0.0 { scale.clamp(0.25, 8.0) } else { 1.0 };
        let font_factor = if std::any::type_name::<DB>().contains("SVGBackend") { 1.24 } else { 1.0 };
        Theme { s, font_factor, colours: colours() }
    }

    /// How every chart starts: the theme for `DB` at `scale`, with `area` cleared to the background.
    pub fn clear<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, scale: f64) -> Result<Self, String> {
        let th = Self::for_backend::<DB>(scale);
        area.fill(&th.colours.background).map_err(super::err)?;
        Ok(th)
    }

    /// `v` logical pixels in output pixels.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.s).round() as i32
    }

    /// A stroke width of `v` logical pixels (at least 1).
    pub fn stroke(&self, v: f64) -> u32 {
        (v * self.s).round().max(1.0) as u32
    }

    /// A sans-serif text style whose glyphs are `size` logical pixels high.
    pub fn font(&self, size: f64, color: &RGBColor) -> TextStyle<'static> {
        ("sans-serif", size * self.s * self.font_factor).into_font().color(color)
    }

    pub fn bold(&self, size: f64, color: &RGBColor) -> TextStyle<'static> {
        ("sans-serif", size * self.s * self.font_factor, FontStyle::Bold).into_font().color(color)
    }

    /// Estimated width in output pixels of `text` at `size` logical pixels. In the browser the
    /// canvas measures the text; natively (SVG) a per-character estimate for sans-serif fonts
    /// is used (plotters' naive estimate counts bytes and overestimates "α", "±", "⁻").
    #[allow(unused_variables)]
    pub fn text_w<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, text: &str, size: f64) -> i32 {
        #[cfg(target_arch = "wasm32")]
        {
            if let Some(w) = super::canvas::text_width(text, size * self.s * self.font_factor) {
                return w;
            }
            if let Ok((w, _)) = area.estimate_text_size(text, &self.font(size, &self.colours.text)) {
                return w as i32;
            }
        }
        let em: f64 = text
            .chars()
            .map(|c| match c {
                'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '(' | ')' | '[' | ']' => 0.33,
                'f' | 't' | 'r' | 'I' => 0.42,
                'm' | 'w' | 'M' | 'W' => 0.9,
                c if c.is_ascii_uppercase() => 0.7,
                '⁰'..='⁹' | '⁻' | '¹' | '²' | '³' => 0.4,
                _ => 0.6,
            })
            .sum();
        (em * size * self.s).ceil() as i32
    }

    /// Line height in output pixels for text of `size` logical pixels.
    pub fn line_h(&self, size: f64) -> i32 {
        (size * 1.3 * self.s).ceil() as i32
    }
}

pub(crate) fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

pub(crate) fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Shortens `text` with "…" so that it is at most `max_w` output pixels wide.
pub(crate) fn ellipsize<DB: DrawingBackend>(
    theme: &Theme,
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
    max_w: i32,
) -> String {
    if theme.text_w(area, text, size) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if theme.text_w(area, &s, size) <= max_w {
            return s;
        }
    }
    "…".into()
}

/// Splits `text` into lines at most `max_w` output pixels wide, breaking at spaces; only a
/// word wider than `max_w` by itself is broken between characters. Nothing is left out: the
/// lines joined with spaces are `text` with its runs of spaces made single (plus the breaks
/// inside over-wide words).
pub(crate) fn wrap<DB: DrawingBackend>(
    theme: &Theme,
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
    max_w: i32,
) -> Vec<String> {
    let fits = |s: &str| theme.text_w(area, s, size) <= max_w;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let joined = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if fits(&joined) {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line = word.to_string();
        // A word too wide on its own: the longest prefix that fits (at least one character).
        while !fits(&line) && line.chars().count() > 1 {
            let chars: Vec<char> = line.chars().collect();
            let mut n = chars.len() - 1;
            while n > 1 && !fits(&chars[..n].iter().collect::<String>()) {
                n -= 1;
            }
            lines.push(chars[..n].iter().collect());
            line = chars[n..].iter().collect();
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The frame every chart shares: its title centred at the top of `area` (shortened to fit),
/// bold, or plain and smaller for one `small` map of a grid. Returns the y where the chart's
/// body starts, below the title (or below a small top margin when there is none).
pub(crate) fn draw_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    th: &Theme,
    title: &str,
    small: bool,
) -> Result<i32, String> {
    if title.is_empty() {
        return Ok(title_height(th, title, small));
    }
    let w = area.dim_in_pixel().0 as i32;
    let size = title_size(small);
    let font = if small { th.font(size, &th.colours.text) } else { th.bold(size, &th.colours.text) };
    let text = ellipsize(th, area, title, size, w - 2 * th.px(6.0));
    area.draw_text(&text, &anchored(font, HPos::Center, VPos::Top), (w / 2, th.px(4.0))).map_err(super::err)?;
    Ok(title_height(th, title, small))
}

fn title_size(small: bool) -> f64 {
    if small { 11.0 } else { 15.0 }
}

/// Where the content below a [`draw_title`] title starts, without drawing it.
pub(crate) fn title_height(th: &Theme, title: &str, small: bool) -> i32 {
    let top = th.px(4.0);
    if title.is_empty() { top } else { top + th.line_h(title_size(small)) + th.px(2.0) }
}

/// Viridis (perceptually uniform, colour-blind friendly) at t in 0..=1, from plotters'
/// colormaps. NaN is mapped to 0 first: plotters' interpolation would panic on it.
pub(crate) fn colormap(t: f64) -> RGBColor {
    ViridisRGB::get_color(if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) })
}

/// Whether dark text reads better than white text on `c`.
pub(crate) fn is_light(c: RGBColor) -> bool {
    0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64 > 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_colours_are_stable_and_shared_by_baseline_and_theory() {
        assert_eq!(color_for("least_squares"), color_for("ols"));
        assert_eq!(color_for("averaging"), color_for("avg"));
        assert_eq!(color_for("gd_2"), color_for("gd2"));
        assert_eq!(color_for("ridge_0.1"), color_for("ridge"));
        assert_ne!(color_for("model"), color_for("bayes"));
        assert_eq!(color_for("something new"), color_for("something new"));
        // Distinct colours for the default suite.
        let suite = ["model", "zero", "averaging", "least_squares", "ridge", "bayes", "gd_1", "gd_2", "knn_3"];
        let mut cs: Vec<Rgb> = suite.iter().map(|n| color_for(n)).collect();
        cs.sort();
        cs.dedup();
        assert_eq!(cs.len(), suite.len());
        assert_eq!(display_name("gd_2"), "GD, 2 steps");
        assert_eq!(display_name("least_squares"), "least squares");
        assert_eq!(display_name("knn_3"), "3-NN");
        assert_eq!(display_name("ridge_0.5"), "ridge λ = 0.5");
    }

    #[test]
    fn plots_colormap_ends_and_nan() {
        assert_eq!(colormap(0.0), RGBColor(68, 1, 84));
        assert_eq!(colormap(1.0), RGBColor(254, 232, 37));
        assert_eq!(colormap(f64::NAN), colormap(0.0));
        assert_eq!(colormap(7.0), colormap(1.0));
        assert!(is_light(colormap(1.0)) && !is_light(colormap(0.0)));
    }
}
