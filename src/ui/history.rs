//! The History panel: finished runs are kept in IndexedDB ([`crate::history`]) as they end;
//! the panel lists them with their settings and can rename, delete and export them, and
//! overlay any of them (or a run file) on the ICL-error chart ([`Overlays`]).

use super::AppState;
use crate::state::history::{self as model, HistoryEntry, NAME_MAX};
use crate::state::run::Phase;
use icl_core::eval::ErrorCurve;
use icl_core::schema::RunResult;
use leptos::prelude::*;
use std::collections::HashMap;
use wasm_bindgen_futures::spawn_local;

/// The runs drawn over the ICL-error chart: (legend name, latest ICL-error curve), in a
/// stable order (oldest kept first). Derived from the history and the curves read so far.
#[derive(Clone, Copy)]
pub struct Overlays(pub Memo<Vec<(String, ErrorCurve)>>);

/// The history as the panel shows it.
#[derive(Clone, Copy)]
struct Kept {
    history: RwSignal<model::History>,
    /// Latest ICL-error curves by run id: of the runs kept or overlaid since the page loaded,
    /// and of overlaid runs read back from IndexedDB.
    curves: RwSignal<HashMap<String, ErrorCurve>>,
    /// Whether the list was read back from IndexedDB (runs are kept only after, so that a
    /// new run's number follows the kept ones).
    loaded: RwSignal<bool>,
}

/// Provides [`Overlays`] and the history, reads the kept runs back, and keeps every run that
/// finishes from now on. Called once by `App`, after `AppState` is provided.
pub fn provide_history() {
    let app = expect_context::<AppState>();
    let kept = Kept { history: RwSignal::new(model::History::default()), curves: RwSignal::new(HashMap::new()), loaded: RwSignal::new(false) };
    let overlays = Overlays(Memo::new(move |_| {
        kept.history.with(|h| {
            kept.curves.with(|c| h.overlaid().into_iter().filter_map(|e| Some((e.name.clone(), c.get(&e.id)?.clone()))).collect())
        })
    }));
    provide_context(overlays);
    provide_context(kept);

    spawn_local(async move {
        match crate::history::list().await {
            Ok(entries) => {
                let overlaid: Vec<String> = {
                    let back = model::History::from_entries(entries);
                    let ids = back.overlaid().iter().map(|e| e.id.clone()).collect();
                    kept.history.set(back);
                    ids
                };
                for id in overlaid {
                    if !load_curve(app, kept, &id).await {
                        kept.history.update(|h| {
                            h.set_overlaid(&id, false);
                        });
                    }
                }
            }
            Err(e) => app.notify(e),
        }
        kept.loaded.set(true);
    });

    // A run that reaches its step budget in this page is kept, once (its id is a fingerprint
    // of the run; a probe landing afterwards does not change it). One resumed as done after
    // a reload was kept when it finished, or deleted since.
    let finished = Memo::new(move |_| {
        app.run.with(|r| {
            if r.phase != Phase::Done || !r.finished_here {
                return None;
            }
            r.result.as_ref().filter(|x| model::is_finished(x)).map(model::run_id)
        })
    });
    let last_kept = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let Some(id) = finished.get() else { return };
        if !kept.loaded.get() || last_kept.with_value(|l| l.as_deref() == Some(id.as_str())) {
            return;
        }
        last_kept.set_value(Some(id.clone()));
        if kept.history.with_untracked(|h| h.contains(&id)) {
            return;
        }
        let Some(run) = app.run.with_untracked(|r| r.result.clone()) else { return };
        let entry = kept.history.with_untracked(|h| h.entry_for(&run, js_sys::Date::now()));
        spawn_local(async move {
            keep(app, kept, entry, run).await;
        });
    });
}

/// Stores `run` as `entry`, then lists it (dropping the oldest beyond the cap).
async fn keep(app: AppState, kept: Kept, entry: HistoryEntry, run: RunResult) {
    if let Err(e) = crate::history::put_run(&entry, &run).await {
        app.notify(e);
        return;
    }
    if let Some(point) = run.latest_eval() {
        kept.curves.update(|c| {
            c.insert(entry.id.clone(), point.curve.clone());
        });
    }
    let dropped = kept.history.try_update(|h| h.add(entry)).unwrap_or_default();
    for id in dropped {
        kept.curves.update(|c| {
            c.remove(&id);
        });
        if let Err(e) = crate::history::delete(&id).await {
            app.notify(e);
        }
    }
}

/// Reads the latest ICL-error curve of kept run `id`; false (and the user told) if it has none.
async fn load_curve(app: AppState, kept: Kept, id: &str) -> bool {
    if kept.curves.with_untracked(|c| c.contains_key(id)) {
        return true;
    }
    match crate::history::get_run(id).await {
        Ok(run) => match run.latest_eval() {
            Some(point) => {
                kept.curves.update(|c| {
                    c.insert(id.to_string(), point.curve.clone());
                });
                true
            }
            None => {
                app.notify("That run has no ICL-error evaluation to overlay.");
                false
            }
        },
        Err(e) => {
            app.notify(e);
            false
        }
    }
}

async fn set_overlay(app: AppState, kept: Kept, id: String, on: bool) {
    if on && !load_curve(app, kept, &id).await {
        // Redraw the list, unticking the box the user ticked.
        kept.history.update(|_| {});
        return;
    }
    let changed = kept.history.try_update(|h| h.set_overlaid(&id, on)).unwrap_or(false);
    if changed {
        if let Err(e) = crate::history::set_overlaid(&id, on).await {
            app.notify(e);
        }
    }
}

/// Saved first, then shown, as a delete is: a reload right after a rename must not find
/// the old name in storage while the list showed the new one (a clean-clone e2e run did).
async fn rename(app: AppState, kept: Kept, id: String, name: String) {
    let Some(name) = model::clean_name(&name) else {
        app.notify("A kept run needs a name: it was not renamed.");
        return;
    };
    if let Err(e) = crate::history::rename(&id, &name).await {
        app.notify(e);
        return;
    }
    kept.history.update(|h| {
        h.rename(&id, &name);
    });
}

async fn delete(app: AppState, kept: Kept, id: String) {
    if let Err(e) = crate::history::delete(&id).await {
        app.notify(e);
        return;
    }
    kept.history.update(|h| {
        h.remove(&id);
    });
    kept.curves.update(|c| {
        c.remove(&id);
    });
}

async fn export(app: AppState, id: String, name: String) {
    match crate::history::get_json(&id).await {
        Ok(json) => super::files::download_text(&json, &model::file_name(&name), "application/json"),
        Err(e) => app.notify(e),
    }
}

/// Reads a run file, keeps it (named after the file) and overlays it; a run that is kept
/// already is overlaid, not copied.
async fn overlay_file(app: AppState, kept: Kept, file: web_sys::File) {
    let file_name = file.name();
    let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
        Ok(t) => t.as_string().unwrap_or_default(),
        Err(_) => {
            app.notify(format!("Could not read {file_name}."));
            return;
        }
    };
    let run = match RunResult::from_json(&text) {
        Ok(run) => run,
        Err(e) => {
            app.notify(format!("Could not overlay {file_name}: {e}."));
            return;
        }
    };
    let Some(curve) = run.latest_eval().map(|p| p.curve.clone()) else {
        app.notify(format!("Could not overlay {file_name}: it has no ICL-error evaluation."));
        return;
    };
    let id = model::run_id(&run);
    kept.curves.update(|c| {
        c.insert(id.clone(), curve);
    });
    if kept.history.with_untracked(|h| h.contains(&id)) {
        set_overlay(app, kept, id, true).await;
        return;
    }
    let mut entry = kept.history.with_untracked(|h| h.entry_for(&run, js_sys::Date::now()));
    let stem = file_name.strip_suffix(".json").unwrap_or(&file_name);
    entry.name = model::clean_name(stem).unwrap_or(entry.name);
    entry.overlaid = true;
    keep(app, kept, entry, run).await;
}

/// "2025-03-01 14:05", local time.
fn date(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

fn item(app: AppState, kept: Kept, i: usize, e: HistoryEntry) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let id = StoredValue::new(e.id.clone());
    let name = StoredValue::new(e.name.clone());
    let do_rename = move || {
        if let Some(el) = input.get_untracked() {
            spawn_local(rename(app, kept, id.get_value(), el.value()));
        }
    };
    view! {
        <li class="history-item" class:overlaid=e.overlaid data-testid="history-item">
            <div class="history-head">
                <label class="history-overlay" title="Draw this run over the ICL-error chart">
                    <input type="checkbox" data-testid=format!("history-overlay-{i}") prop:checked=e.overlaid
                        on:change=move |ev| spawn_local(set_overlay(app, kept, id.get_value(), event_target_checked(&ev)))/>
                    " overlay"
                </label>
                <span class="history-name" data-testid=format!("history-name-{i}")>{e.name.clone()}</span>
            </div>
            <div class="history-summary" data-testid=format!("history-summary-{i}")>{e.summary.clone()}</div>
            <div class="history-date">{date(e.saved_at_ms)}</div>
            <div class="history-actions">
                <input type="text" node_ref=input class="history-rename-input" aria-label=format!("New name for {}", e.name)
                    maxlength=NAME_MAX.to_string() data-testid=format!("history-rename-input-{i}") prop:value=e.name.clone()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| { if ev.key() == "Enter" { do_rename() } }/>
                <button class="small" data-testid=format!("history-rename-{i}") on:click=move |_| do_rename()>"Rename"</button>
                <button class="small" data-testid=format!("history-export-{i}")
                    on:click=move |_| spawn_local(export(app, id.get_value(), name.get_value()))>"Export JSON"</button>
                <button class="small" data-testid=format!("history-delete-{i}")
                    on:click=move |_| spawn_local(delete(app, kept, id.get_value()))>"Delete"</button>
            </div>
        </li>
    }
}

#[component]
pub fn History() -> impl IntoView {
    let app = expect_context::<AppState>();
    let kept = expect_context::<Kept>();
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            spawn_local(overlay_file(app, kept, file));
        }
        input.set_value("");
    };
    view! {
        <details class="history" data-panel="history" open class:hidden=move || app.panel_hidden("history")>
            <summary>"History "<span class="history-count">{move || {
                let n = kept.history.with(|h| h.len());
                if n == 0 { String::new() } else { format!("({n})") }
            }}</span></summary>
            {move || kept.history.with(|h| h.is_empty()).then(|| view! {
                <p class="hint" data-testid="history-empty">
                    "Finished runs are kept here, in this browser: tick “overlay” to compare them on the ICL-error chart."
                </p>
            })}
            <ol class="history-list">
                {move || kept.history.with(|h| {
                    h.entries().iter().enumerate().map(|(i, e)| item(app, kept, i, e.clone())).collect_view()
                })}
            </ol>
            <label class="import history-import">"Overlay a file… "
                <input type="file" accept=".json,application/json" data-testid="history-import" on:change=on_pick/>
            </label>
        </details>
    }
}
