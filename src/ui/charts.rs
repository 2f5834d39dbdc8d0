//! The two live charts. Each is a canvas redrawn by an effect whenever the run changes;
//! the same chart description also renders to SVG for export.

use super::AppState;
use crate::plots::{self, LineChart};
use leptos::html::Canvas;
use leptos::prelude::*;

const EXPORT_SIZE: (u32, u32) = (960, 600);

/// A canvas showing `chart()`, with PNG and SVG export buttons.
fn chart_card(title: &'static str, id: &'static str, chart: impl Fn() -> LineChart + Copy + Send + Sync + 'static) -> impl IntoView {
    let app = expect_context::<AppState>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let chart = chart();
        if let Some(canvas) = canvas.get() {
            if let Err(e) = plots::draw_on_canvas(&canvas, &chart) {
                web_sys::console::warn_1(&format!("{id}: {e}").into());
            }
        }
    });
    let export_png = move |_| {
        if let Some(canvas) = canvas.get_untracked() {
            match canvas.to_data_url_with_type("image/png") {
                Ok(url) => super::files::download_url(&url, &format!("{id}.png")),
                Err(_) => app.notify("The browser refused to export the canvas as PNG."),
            }
        }
    };
    let export_svg = move |_| {
        let chart = chart();
        match plots::to_svg_string(EXPORT_SIZE.0, EXPORT_SIZE.1, |area| plots::draw_line_chart(&chart, area)) {
            Ok(svg) => super::files::download_text(&svg, &format!("{id}.svg"), "image/svg+xml"),
            Err(e) => app.notify(format!("SVG export failed: {e}")),
        }
    };
    view! {
        <figure class="chart">
            <figcaption>
                <span>{title}</span>
                <span class="chart-actions">
                    <button class="small" data-testid=format!("{id}-png") on:click=export_png>"PNG"</button>
                    <button class="small" data-testid=format!("{id}-svg") on:click=export_svg>"SVG"</button>
                </span>
            </figcaption>
            <canvas node_ref=canvas id=id data-testid=id width="720" height="400"></canvas>
        </figure>
    }
}

#[component]
pub fn LossChart() -> impl IntoView {
    let app = expect_context::<AppState>();
    let chart = move || {
        app.run.with(|r| match &r.result {
            Some(res) => plots::loss_chart(&res.loss, &[]),
            None => plots::loss_chart(&Default::default(), &[]),
        })
    };
    chart_card("Training loss", "loss-chart", chart)
}

#[component]
pub fn ErrorChart() -> impl IntoView {
    let app = expect_context::<AppState>();
    let chart = move || {
        let log_y = app.settings.with(|s| s.log_error_axis);
        app.run.with(|r| {
            let res = r.result.as_ref();
            let model = res.and_then(|x| x.latest_eval()).map(|e| &e.curve);
            let baselines = res.map(|x| x.baselines.as_slice()).unwrap_or(&[]);
            plots::icl_error_chart(model, baselines, &[], log_y)
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
