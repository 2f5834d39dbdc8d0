//! Charts of the lab, drawn with plotters on any backend: a `<canvas>` in the browser
//! ([`draw_on_canvas`], HiDPI-aware) and SVG text for exports and native tests ([`Plot::to_svg`]).
//!
//! The UI builds a declarative description from its state and draws it through [`Plot`]:
//! line charts (series with error bands, linear/log axes, legend) built by [`loss_chart`],
//! [`icl_error_chart`] and [`sweep_charts`]; a [`Heatmap`] ([`sweep_heatmap`]); and a
//! [`HeatmapGrid`] of small titled maps ([`attention_map`] per head).
//!
//! Plotters draws; this module adds what it lacks: clipping to the plot (a line leaving the
//! axes, a band), HiDPI scaling, tick placement and labels for linear and log axes, and text
//! measured by the browser. Everything is robust to NaN/∞, empty series, single points and
//! non-positive values on log axes: such values are skipped (a line breaks there), axis
//! ranges come from the finite data and are never empty, and drawing never panics.
//!
//! Sizes are in logical pixels, multiplied by the scale (devicePixelRatio) when drawn.
//! Learners keep their colour on every plot ([`color_for`]); the palette is colour-blind friendly.
//! Charts are drawn in a light or a dark theme ([`set_dark`], [`is_dark`]): the page chooses
//! it before drawing, and SVG exports use the current one.

mod axis;
mod builders;
mod heatmap;
mod line;
mod overlay;
mod style;

#[cfg(test)]
mod tests;

pub use builders::{add_shifted_model, eta_eff_chart, icl_error_chart, loss_chart, sweep_charts, sweep_heatmap, theory_lines};
pub use line::{HoverPoints, take_hover_points};
pub use heatmap::{Heatmap, HeatmapGrid, attention_map};
pub use overlay::add_overlay;
pub use style::{chart_colour, color_for, display_name, is_dark, set_dark};

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart description that can draw itself on any plotters backend.
pub trait Plot {
    /// Draws filling `area`, every size multiplied by `scale` (1 = one output pixel per logical pixel).
    fn draw_scaled<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String>;

    /// How many parts [`Plot::draw_part`] draws, in order; the canvas draws one per animation
    /// frame, so a heavy chart (a grid of attention maps) never holds the main thread for long.
    fn parts(&self) -> usize {
        1
    }

    /// Draws part `part` of [`Plot::parts`]: part 0 clears the area, later parts draw over it.
    fn draw_part<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, scale: f64, part: usize) -> Result<(), String> {
        if part == 0 { self.draw_scaled(area, scale) } else { Ok(()) }
    }

    /// The chart as an SVG document of `width` × `height` pixels.
    fn to_svg(&self, width: u32, height: u32) -> Result<String, String> {
        to_svg_string(width, height, |area| self.draw_scaled(area, 1.0))
    }
}

/// Renders with `draw` onto a `width` × `height` SVG and returns the document.
fn to_svg_string(
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
pub use canvas::{draw_on_canvas, set_chart_zoom};

// Browser only; also compiled by the native tests so that it is at least type-checked.
#[cfg(any(target_arch = "wasm32", test))]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod canvas {
    use super::{Plot, err};
    use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontStyle};
    use plotters::prelude::IntoDrawingArea;
    use plotters_canvas::CanvasBackend;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

    thread_local! {
        /// Logical pixels per CSS pixel on canvases (presentation mode draws larger type).
        static ZOOM: std::cell::Cell<f64> = const { std::cell::Cell::new(1.0) };
        static MEASURE: RefCell<Option<CanvasRenderingContext2d>> = const { RefCell::new(None) };
        static WIDTHS: RefCell<HashMap<(String, u64, bool), i32>> = RefCell::new(HashMap::new());
    }

    /// Width in pixels of `text` in a sans-serif font of `px` pixels, measured with an offscreen
    /// canvas (`measureText`, no DOM layout) and cached; None outside a browser document.
    pub(crate) fn text_width(text: &str, px: f64) -> Option<i32> {
        text_width_in(text, px, false)
    }

    fn text_width_in(text: &str, px: f64, bold: bool) -> Option<i32> {
        let key = (text.to_string(), px.to_bits(), bold);
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
            ctx.set_font(&format!("{}{px}px sans-serif", if bold { "bold " } else { "" }));
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

    /// Every canvas chart drawn from now on is drawn `zoom` times larger (text, lines and
    /// margins): presentation mode reads from the back of a room.
    pub fn set_chart_zoom(zoom: f64) {
        ZOOM.with(|z| z.set(if zoom.is_finite() { zoom.clamp(0.5, 3.0) } else { 1.0 }));
    }

    /// Draws part `part` of `plot` ([`Plot::parts`]) on `canvas`, sharp on HiDPI screens: at
    /// part 0 the canvas's backing store is sized to its CSS size × devicePixelRatio (which
    /// clears it); every part is drawn with that scale.
    pub fn draw_on_canvas(canvas: &HtmlCanvasElement, plot: &impl Plot, part: usize) -> Result<(), String> {
        let dpr = web_sys::window()
            .map(|w| w.device_pixel_ratio())
            .filter(|d| d.is_finite() && *d > 0.0)
            .unwrap_or(1.0)
            .clamp(1.0, 4.0);
        let (cw, ch) = (canvas.client_width(), canvas.client_height());
        let scale = if cw > 0 && ch > 0 {
            let (pw, ph) = ((cw as f64 * dpr).round() as u32, (ch as f64 * dpr).round() as u32);
            if part == 0 && (canvas.width() != pw || canvas.height() != ph) {
                canvas.set_width(pw);
                canvas.set_height(ph);
                // A canvas whose size CSS does not fix would grow with its backing store: pin it.
                // (Through the CSSOM: the Content-Security-Policy refuses `style` attributes.)
                if canvas.client_width() != cw || canvas.client_height() != ch {
                    let style = canvas.style();
                    let _ = style.set_property("width", &format!("{cw}px"));
                    let _ = style.set_property("height", &format!("{ch}px"));
                }
            }
            canvas.width() as f64 / cw as f64
        } else {
            // Not laid out (hidden): draw at the attribute size.
            1.0
        };
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2d context")?;
        let root = MeasuredCanvas(backend).into_drawing_area();
        plot.draw_part(&root, scale * ZOOM.with(std::cell::Cell::get), part)?;
        root.present().map_err(err)
    }

    /// plotters-canvas with text measured on the offscreen canvas. plotters' own estimate in a
    /// browser appends a `<span style=…>` to the page and reads its size: a forced layout per
    /// label, and an inline style that the page's Content-Security-Policy refuses.
    struct MeasuredCanvas(CanvasBackend);

    type Failure = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

    impl DrawingBackend for MeasuredCanvas {
        type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

        fn get_size(&self) -> (u32, u32) {
            self.0.get_size()
        }
        fn ensure_prepared(&mut self) -> Result<(), Failure> {
            self.0.ensure_prepared()
        }
        fn present(&mut self) -> Result<(), Failure> {
            self.0.present()
        }
        fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Failure> {
            self.0.draw_pixel(point, color)
        }
        fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), Failure> {
            self.0.draw_line(from, to, style)
        }
        fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Result<(), Failure> {
            self.0.draw_rect(ul, br, style, fill)
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), Failure> {
            self.0.draw_path(path, style)
        }
        fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), Failure> {
            self.0.draw_circle(center, radius, style, fill)
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), Failure> {
            self.0.fill_polygon(vert, style)
        }
        fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Result<(), Failure> {
            self.0.draw_text(text, style, pos)
        }
        fn estimate_text_size<T: BackendTextStyle>(&self, text: &str, style: &T) -> Result<(u32, u32), Failure> {
            // Height: the line box the span gave (about 1.15 × the font size).
            let bold = matches!(style.style(), FontStyle::Bold);
            match text_width_in(text, style.size(), bold) {
                Some(w) => Ok((w.max(0) as u32, (style.size() * 1.15).ceil() as u32)),
                None => self.0.estimate_text_size(text, style),
            }
        }
        fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), Failure> {
            self.0.blit_bitmap(pos, size, src)
        }
    }
}
