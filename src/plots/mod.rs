//! Charts of the lab, drawn with plotters on any backend: a `<canvas>` in the browser
//! ([`draw_on_canvas`], HiDPI-aware) and SVG text for exports and native tests ([`to_svg_string`]).
//!
//! The UI builds a declarative description from its state and draws it with one function:
//! - [`LineChart`] (series with error bands, linear/log axes, legend, [`Annotation`]s) with
//!   [`draw_line_chart`]; built from the lab's data by [`loss_chart`] and [`icl_error_chart`];
//! - [`Heatmap`] with [`draw_heatmap`], and [`HeatmapGrid`] (small titled maps, e.g. attention
//!   heads) with [`draw_heatmap_grid`].
//!
//! All of them are robust to NaN/∞, empty series, single points and non-positive values on log
//! axes: such values are skipped (a line breaks there), axis ranges come from the finite data
//! and are never empty, and drawing never panics. Every chart kind implements [`Plot`].
//!
//! Sizes are in logical pixels; the `*_scaled` variants multiply them (devicePixelRatio).
//! Learners keep their colour on every plot ([`color_for`]); the palette is colour-blind friendly.

mod axis;
mod builders;
mod heatmap;
mod line;
mod style;

#[cfg(test)]
mod tests;

pub use axis::Scale;
pub use builders::{
    add_shifted_model, curve_band, curve_points, icl_error_chart, loss_chart, moving_average, sweep_charts, sweep_heatmap, theory_lines,
};
pub use heatmap::{
    Heatmap, HeatmapGrid, attention_map, draw_heatmap, draw_heatmap_grid, draw_heatmap_grid_scaled, draw_heatmap_scaled,
};
pub use line::{Annotation, Corner, LegendPos, LineChart, Series, SeriesStyle, draw_line_chart, draw_line_chart_scaled};
pub use style::{MODEL, PALETTE, Rgb, canonical_name, color_for, display_name, viridis};

pub use plotters::coord::Shift;
pub use plotters::drawing::DrawingArea;
pub use plotters::prelude::{DrawingBackend, SVGBackend};

use plotters::prelude::IntoDrawingArea;

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart description that can draw itself on any plotters backend.
pub trait Plot {
    /// Draws filling `area`, every size multiplied by `scale` (1 = one output pixel per logical pixel).
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String>;

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw_scaled(area, 1.0)
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    fn to_svg(&self, width: u32, height: u32) -> Result<String, String> {
        to_svg_string(width, height, |area| self.draw(area))
    }
}

impl Plot for LineChart {
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
        draw_line_chart_scaled(self, area, scale)
    }
}

impl Plot for Heatmap {
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
        draw_heatmap_scaled(self, area, scale)
    }
}

impl Plot for HeatmapGrid {
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
        draw_heatmap_grid_scaled(self, area, scale)
    }
}

/// Renders with `draw` onto a `width` × `height` SVG and returns the document.
pub fn to_svg_string(
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width.max(1), height.max(1))).into_drawing_area();
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(buf)
}

#[cfg(target_arch = "wasm32")]
pub use canvas::{draw_on_canvas, draw_on_canvas_id, draw_on_canvas_with};

// Browser only; also compiled by the native tests so that it is at least type-checked.
#[cfg(any(target_arch = "wasm32", test))]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod canvas {
    use super::{DrawingArea, Plot, Shift, err};
    use plotters::prelude::IntoDrawingArea;
    use plotters_canvas::CanvasBackend;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

    thread_local! {
        static MEASURE: RefCell<Option<CanvasRenderingContext2d>> = const { RefCell::new(None) };
        static WIDTHS: RefCell<HashMap<(String, u64), i32>> = RefCell::new(HashMap::new());
    }

    /// Width in pixels of `text` in a sans-serif font of `px` pixels, measured with an offscreen
    /// canvas (`measureText`, no DOM layout) and cached; None outside a browser document.
    pub(crate) fn text_width(text: &str, px: f64) -> Option<i32> {
        let key = (text.to_string(), px.to_bits());
        if let Some(w) = WIDTHS.with(|m| m.borrow().get(&key).copied()) {
            return Some(w);
        }
        let w = MEASURE.with(|slot| -> Option<f64> {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                let canvas = web_sys::window()?
                    .document()?
                    .create_element("canvas")
                    .ok()?
                    .dyn_into::<HtmlCanvasElement>()
                    .ok()?;
                let ctx = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
                *slot = Some(ctx);
            }
            let ctx = slot.as_ref()?;
            ctx.set_font(&format!("{px}px sans-serif"));
            let measure = js_sys::Reflect::get(ctx, &JsValue::from_str("measureText"))
                .ok()?
                .dyn_into::<js_sys::Function>()
                .ok()?;
            let metrics = measure.call1(ctx, &JsValue::from_str(text)).ok()?;
            js_sys::Reflect::get(&metrics, &JsValue::from_str("width")).ok()?.as_f64()
        })?;
        let w = w.ceil() as i32;
        WIDTHS.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() > 4096 {
                m.clear();
            }
            m.insert(key, w);
        });
        Some(w)
    }

    /// Draws `plot` on `canvas`, sharp on HiDPI screens: the canvas's backing store is sized to
    /// its CSS size × devicePixelRatio and the chart is drawn with that scale.
    pub fn draw_on_canvas(canvas: &HtmlCanvasElement, plot: &impl Plot) -> Result<(), String> {
        draw_on_canvas_with(canvas, |area, scale| plot.draw_scaled(area, scale))
    }

    /// [`draw_on_canvas`] for the canvas with this element id.
    pub fn draw_on_canvas_id(id: &str, plot: &impl Plot) -> Result<(), String> {
        let canvas = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .ok_or_else(|| format!("no element #{id}"))?
            .dyn_into::<HtmlCanvasElement>()
            .map_err(|_| format!("#{id} is not a canvas"))?;
        draw_on_canvas(&canvas, plot)
    }

    /// Sizes the backing store as [`draw_on_canvas`] does, then calls `draw(area, scale)`, where
    /// `scale` is the devicePixelRatio to pass to the `*_scaled` drawing functions.
    pub fn draw_on_canvas_with<F>(canvas: &HtmlCanvasElement, draw: F) -> Result<(), String>
    where
        F: FnOnce(&DrawingArea<CanvasBackend, Shift>, f64) -> Result<(), String>,
    {
        let dpr = web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .filter(|d| d.is_finite() && *d > 0.0)
            .unwrap_or(1.0)
            .clamp(1.0, 4.0);
        let (cw, ch) = (canvas.client_width(), canvas.client_height());
        let scale = if cw > 0 && ch > 0 {
            let (pw, ph) = ((cw as f64 * dpr).round() as u32, (ch as f64 * dpr).round() as u32);
            if canvas.width() != pw || canvas.height() != ph {
                canvas.set_width(pw);
                canvas.set_height(ph);
                // A canvas whose size CSS does not fix would grow with its backing store: pin it.
                if canvas.client_width() != cw || canvas.client_height() != ch {
                    let style = canvas.get_attribute("style").unwrap_or_default();
                    let _ = canvas.set_attribute("style", &format!("{style};width:{cw}px;height:{ch}px"));
                }
            }
            pw as f64 / cw as f64
        } else {
            // Not laid out (hidden): draw at the attribute size.
            1.0
        };
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2d context")?;
        let root = backend.into_drawing_area();
        draw(&root, scale)?;
        root.present().map_err(err)
    }
}
