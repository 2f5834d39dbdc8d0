//! The two live charts. Each is a canvas redrawn by an effect whenever the run changes;
//! the same chart description also renders to SVG for export.

use super::AppState;
use crate::plots::{self, Plot};
use leptos::html::Canvas;
use leptos::prelude::*;

const EXPORT_SIZE: (u32, u32) = (960, 600);

/// A canvas showing `chart()`, with PNG and SVG export buttons.
pub(super) fn chart_card<P: Plot + 'static>(
    title: impl Into<String>,
    id: impl Into<String>,
    chart: impl Fn() -> P + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (title, id): (String, String) = (title.into(), id.into());
    let id = leptos::prelude::StoredValue::new(id);
    let app = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    // Drawing is deferred to the next animation frame and coalesced: a burst of worker
    // messages costs one draw per frame, in its own task, never inside the message handler.
    // A chart of several parts (a grid of attention maps) draws one part per frame; a newer
    // chart arriving meanwhile starts again from its first part.
    let pending = StoredValue::new_local(None::<(P, usize)>);
    let scheduled = StoredValue::new_local(false);
    // Where the chart drew its points, and the read-out of the one under the pointer.
    let hover = StoredValue::new_local(plots::HoverPoints::default());
    let tip = RwSignal::new(None::<(String, i32, i32)>);
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some(c) = canvas.get_untracked() else { return };
        let scale = if c.client_width() > 0 { c.width() as f64 / c.client_width() as f64 } else { 1.0 };
        let (x, y) = (ev.offset_x(), ev.offset_y());
        tip.set(hover.with_value(|h| h.nearest(x as f64 * scale, y as f64 * scale, 14.0 * scale)).map(|t| (t, x, y)));
    };
    // A resized window or a new theme redraws: the backing store follows the CSS size
    // (charts grow with the viewport) and the palette follows the page.
    let resized = RwSignal::new(0u32);
    let listener = window_event_listener(leptos::ev::resize, move |_| resized.update(|n| *n = n.wrapping_add(1)));
    let present = Memo::new(move |_| app.settings.with(|s| s.present));
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        let chart = chart();
        canvas.track();
        resized.track();
        // Read, not track(): a lazy memo that is only tracked never subscribes.
        let _ = (app.dark.get(), present.get());
        pending.set_value(Some((chart, 0)));
        if !scheduled.get_value() {
            scheduled.set_value(true);
            draw_next_frame(canvas, pending, scheduled, id, hover);
        }
    });
    let export_png = move |_| {
        if let Some(canvas) = canvas.get_untracked() {
            match canvas.to_data_url_with_type("image/png") {
                Ok(url) => super::files::download_url(&url, &format!("{}.png", id.get_value())),
                Err(_) => app.notify("The browser refused to export the canvas as PNG."),
            }
        }
    };
    let export_svg = move |_| {
        let chart = chart();
        match chart.to_svg(EXPORT_SIZE.0, EXPORT_SIZE.1) {
            Ok(svg) => super::files::download_text(&svg, &format!("{}.svg", id.get_value()), "image/svg+xml"),
            Err(e) => app.notify(format!("SVG export failed: {e}")),
        }
    };
    view! {
        <figure class="chart">
            <figcaption>
                <span>{title}</span>
                <span class="chart-actions">
                    <button class="small" data-testid=format!("{}-png", id.get_value()) on:click=export_png>"PNG"</button>
                    <button class="small" data-testid=format!("{}-svg", id.get_value()) on:click=export_svg>"SVG"</button>
                </span>
            </figcaption>
            <div class="chart-canvas">
                <canvas node_ref=canvas id=id.get_value() data-testid=id.get_value() width="720" height="400"
                    on:mousemove=on_move on:mouseleave=move |_| tip.set(None)></canvas>
                {move || tip.get().map(|(text, x, y)| view! {
                    <div class="chart-tip" role="status" data-testid=format!("{}-tip", id.get_value())
                        style:left=format!("{}px", x + 12) style:top=format!("{}px", y + 12)>{text}</div>
                })}
            </div>
        </figure>
    }
}

/// Draws the pending part in the next animation frame and, while parts remain, asks for
/// another frame. The card may be unmounted (tab switch) before a frame fires: every access
/// is a `try_`, so a disposed card simply stops drawing.
fn draw_next_frame<P: Plot + 'static>(
    canvas: NodeRef<Canvas>,
    pending: StoredValue<Option<(P, usize)>, LocalStorage>,
    scheduled: StoredValue<bool, LocalStorage>,
    id: StoredValue<String>,
    hover: StoredValue<plots::HoverPoints, LocalStorage>,
) {
    request_animation_frame(move || {
        if scheduled.try_set_value(false).is_some() {
            return;
        }
        let Some(element) = canvas.try_get_untracked().flatten() else { return };
        let Some((chart, part)) = pending.try_update_value(Option::take).flatten() else { return };
        if let Err(e) = plots::draw_on_canvas(&element, &chart, part) {
            let id = id.try_get_value().unwrap_or_default();
            web_sys::console::warn_1(&format!("{id}: {e}").into());
        }
        if part == 0 {
            hover.try_set_value(plots::take_hover_points());
        }
        let more = part + 1 < chart.parts();
        pending.update_value(|p| {
            if more && p.is_none() {
                *p = Some((chart, part + 1));
            }
        });
        if pending.with_value(Option::is_some) {
            scheduled.set_value(true);
            draw_next_frame(canvas, pending, scheduled, id, hover);
        }
    });
}

#[component]
pub fn LossChart() -> impl IntoView {
    let app = expect_context::<AppState>();
    // Memos cut the redraws to the moments the plotted data really changes.
    let loss = Memo::new(move |_| app.run.with(|r| r.result.as_ref().map(|x| x.loss.clone()).unwrap_or_default()));
    chart_card("Training loss", "loss-chart", move || loss.with(|l| plots::loss_chart(l, &[])))
}

/// What the ICL-error chart shows; it changes only when an evaluation, the baselines or
/// the theory curves land, or a display setting changes (not on every training step).
#[derive(Clone, PartialEq)]
struct ErrorChartData {
    model: Option<icl_core::eval::ErrorCurve>,
    /// The model on shifted prompts, with the shift's short name.
    shifted: Option<(&'static str, icl_core::eval::ErrorCurve)>,
    baselines: Vec<icl_core::schema::NamedCurve>,
    theory: Vec<icl_core::theory::TheoryCurve>,
    /// Kept runs drawn over the chart (legend name, curve), from the History panel.
    overlays: Vec<(String, icl_core::eval::ErrorCurve)>,
    log_y: bool,
}

#[component]
pub fn ErrorChart() -> impl IntoView {
    let app = expect_context::<AppState>();
    // Absent when the chart is used without the History panel.
    let overlays = use_context::<super::history::Overlays>();
    let data = Memo::new(move |_| {
        let (log_y, hidden) = app.settings.with(|s| (s.log_error_axis, s.hidden_curves.clone()));
        let overlays = overlays.map(|o| o.0.get()).unwrap_or_default();
        app.run.with(|r| {
            let res = r.result.as_ref();
            ErrorChartData {
                model: res.and_then(|x| x.latest_eval()).map(|e| e.curve.clone()),
                shifted: res.and_then(|x| {
                    let shift = x.config.eval.shift?;
                    Some((shift.name(), x.latest_eval()?.shifted.clone()?))
                }),
                baselines: res
                    .map(|x| x.baselines.iter().filter(|b| !hidden.contains(&b.name)).cloned().collect())
                    .unwrap_or_default(),
                theory: r.theory_curves().iter().filter(|c| !hidden.contains(&c.id)).cloned().collect(),
                overlays,
                log_y,
            }
        })
    });
    let chart = move || {
        data.with(|d| {
            let mut chart = plots::icl_error_chart(d.model.as_ref(), &d.baselines, &plots::theory_lines(&d.theory), d.log_y);
            if let Some((shift, curve)) = &d.shifted {
                plots::add_shifted_model(&mut chart, shift, curve);
            }
            for (i, (name, curve)) in d.overlays.iter().enumerate() {
                plots::add_overlay(&mut chart, name, curve, i);
            }
            if !d.log_y {
                // Errors are normalised so that predicting 0 scores 1: show 0 … a bit above
                // the model's worst, so estimators that blow up (averaging at small k, least
                // squares at k ≈ D) do not flatten everything else. They run off the top.
                let model_max = d
                    .model
                    .iter()
                    .chain(d.shifted.as_ref().map(|(_, c)| c))
                    .chain(d.overlays.iter().map(|(_, c)| c))
                    .flat_map(|m| m.mean.iter().copied())
                    .filter(|v| v.is_finite())
                    .fold(0.0, f64::max);
                chart.y_range = Some((0.0, (1.1 * model_max).max(1.25)));
            }
            chart
        })
    };
    view! {
        {chart_card("ICL error against in-context examples k", "error-chart", chart)}
        <label class="toggle">
            <input type="checkbox" data-testid="log-error-axis"
                prop:checked=move || app.settings.with(|s| s.log_error_axis)
                on:change=move |ev| app.settings.update(|s| s.log_error_axis = event_target_checked(&ev))/>
            " log error axis"
        </label>
    }
}
