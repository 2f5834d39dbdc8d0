//! Sharing and files: copy link, export JSON/CSV, import by picker or drag-and-drop.
//! Imports are validated fully before anything on the page changes.

use super::AppState;
use crate::state::run::RunState;
use icl_core::schema::RunResult;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Starts a download of `url` (a data: or blob: URL) as `filename`.
pub fn download_url(url: &str, filename: &str) {
    let document = window().document().expect("a page has a document");
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(url);
        a.set_download(filename);
        a.click();
    }
}

/// Starts a download of `text` as `filename`.
pub fn download_text(text: &str, filename: &str, mime: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
            download_url(&url, filename);
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

/// Opens a run file: on success the page shows it and its settings; on failure nothing
/// changes and the user is told why.
fn open_file(app: AppState, file: web_sys::File) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(t) => t.as_string().unwrap_or_default(),
            Err(_) => {
                app.notify(format!("Could not read {name}."));
                return;
            }
        };
        // A run file or a sweep file (from the browser or `icl-lab sweep`/`merge`).
        let schema = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("schema").and_then(|s| s.as_str()).map(String::from));
        if schema.as_deref() == Some(icl_core::sweep::SWEEP_SCHEMA) {
            if app.sweep_active() {
                app.notify(format!("Could not open {name}: a sweep is running; pause or cancel it first. Nothing was changed."));
                return;
            }
            match icl_core::sweep::SweepResult::from_json(&text) {
                Ok(sweep) => {
                    let queue = crate::state::sweep::SweepQueue::from_result(sweep);
                    app.settings.update(|s| {
                        s.experiment = queue.plan.experiment.kind();
                        s.preset = queue.plan.preset;
                        s.tab = icl_core::settings::Tab::Experiments;
                    });
                    app.sweep.set(Some(queue));
                }
                Err(e) => app.notify(format!("Could not open {name}: {e}. Nothing was changed.")),
            }
            return;
        }
        match RunResult::from_json(&text) {
            Ok(run) => {
                app.pause();
                app.settings.update(|s| {
                    s.config = run.config.clone();
                    s.tab = icl_core::settings::Tab::Run;
                });
                app.run.set(RunState::restored(run));
            }
            Err(e) => app.notify(format!("Could not open {name}: {e}. Nothing was changed.")),
        }
    });
}

#[component]
pub fn ShareAndExport() -> impl IntoView {
    let app = expect_context::<AppState>();
    let copied = RwSignal::new(false);
    let share = move |_| {
        let href = window().location().href().unwrap_or_default();
        let _ = window().navigator().clipboard().write_text(&href);
        copied.set(true);
    };
    let export_json = move |_| {
        match app.run.with_untracked(|r| r.result.as_ref().map(RunResult::to_json)) {
            Some(json) => download_text(&json, "icl-run.json", "application/json"),
            None => app.notify("Nothing to export yet."),
        }
    };
    let export_csv = move |_| {
        match app.run.with_untracked(|r| r.result.as_ref().map(RunResult::to_csv)) {
            Some(csv) => download_text(&csv, "icl-run.csv", "text/csv"),
            None => app.notify("Nothing to export yet."),
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            open_file(app, file);
        }
        input.set_value("");
    };
    view! {
        <details class="files" open>
            <summary>"Share & files"</summary>
            <div class="buttons">
                <button data-testid="share" on:click=share>{move || if copied.get() { "Link copied" } else { "Copy link" }}</button>
                <button data-testid="export-json" on:click=export_json>"Export JSON"</button>
                <button data-testid="export-csv" on:click=export_csv>"Export CSV"</button>
            </div>
            <label class="import">"Open a run or sweep file (JSON from this page or the CLI): "
                <input type="file" accept=".json,application/json" data-testid="import" on:change=on_pick/>
            </label>
            <p class="hint">"…or drop it anywhere on the page."</p>
        </details>
    }
}

/// The whole page accepts dropped run files.
#[component]
pub fn DropZone(children: Children) -> impl IntoView {
    let app = expect_context::<AppState>();
    let over = RwSignal::new(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        over.set(false);
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            open_file(app, file);
        }
    };
    view! {
        <div class="page" class:drag-over=move || over.get()
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop>
            {children()}
        </div>
    }
}
