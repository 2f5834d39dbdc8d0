//! Nothing a user did is lost on reload: the current run and sweep are saved to localStorage
//! (throttled) and restored on load. Settings live in the URL.
//!
//! Each tab saves under its own keys ([`crate::state::tabs`]), so two tabs of the app never
//! overwrite each other's work; a reload restores the tab's own save, and a new tab starts
//! from the most recent one.

use crate::state::tabs::SavedTabs;
use gloo::storage::{LocalStorage, SessionStorage, Storage};
use icl_core::schema::RunResult;
use icl_core::sweep::SweepResult;

const RUN_KEY: &str = "icl-lab/run/v1";
const SWEEP_KEY: &str = "icl-lab/sweep/v1";
const TABS_KEY: &str = "icl-lab/tabs/v1";
/// This tab's id, in sessionStorage: kept across reloads, not shared with other tabs.
const TAB_ID_KEY: &str = "icl-lab/tab";

thread_local! {
    // Read once per page load, so a tab without sessionStorage still keeps one id.
    static TAB_ID: String = match SessionStorage::raw().get_item(TAB_ID_KEY) {
        Ok(Some(id)) => id,
        _ => {
            let id = format!("{:x}", (js_sys::Math::random() * 2f64.powi(52)) as u64);
            let _ = SessionStorage::raw().set_item(TAB_ID_KEY, &id);
            id
        }
    };
}

fn tab_id() -> String {
    TAB_ID.with(String::clone)
}

fn key(base: &str, tab: &str) -> String {
    format!("{base}/{tab}")
}

fn saved_tabs() -> SavedTabs {
    SavedTabs::parse(LocalStorage::raw().get_item(TABS_KEY).ok().flatten().as_deref())
}

pub fn save_run(run: &RunResult) -> Result<(), String> {
    save(RUN_KEY, &run.to_json(), "run")
}

pub fn save_sweep(sweep: &SweepResult) -> Result<(), String> {
    save(SWEEP_KEY, &sweep.to_json(), "sweep")
}

/// Writes `text` under this tab's `base` key and records the save in the tab index (dropping
/// the saves of tabs that fell off it); a refusal says whether the quota is full.
fn save(base: &str, text: &str, what: &str) -> Result<(), String> {
    let tab = tab_id();
    let storage = LocalStorage::raw();
    storage.set_item(&key(base, &tab), text).map_err(|e| refusal(&e, what))?;
    let mut tabs = saved_tabs();
    for old in tabs.touch(&tab, js_sys::Date::now()) {
        for b in [RUN_KEY, SWEEP_KEY] {
            let _ = storage.remove_item(&key(b, &old));
        }
    }
    storage.set_item(TABS_KEY, &tabs.to_json()).map_err(|e| refusal(&e, what))
}

pub use icl_core::protocol::is_quota_error;

fn refusal(e: &wasm_bindgen::JsValue, what: &str) -> String {
    let name = js_sys::Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    if is_quota_error(&name) {
        format!(
            "The browser's storage for this site is full ({name}): the {what} is kept in this tab but would not \
             survive a reload. Export it as JSON to keep it, or free this site's storage."
        )
    } else {
        let why = if name.is_empty() { "storage disabled?".to_string() } else { name };
        format!("The browser refused to store the {what} ({why}): it is kept in this tab only; export it to keep it.")
    }
}

/// The text saved under `base` for this tab; else the latest tab's; else a save from before
/// per-tab keys.
fn load(base: &str) -> Option<(String, String)> {
    let storage = LocalStorage::raw();
    let get = |k: String| storage.get_item(&k).ok().flatten().map(|t| (k, t));
    get(key(base, &tab_id()))
        .or_else(|| saved_tabs().latest().and_then(|t| get(key(base, t))))
        .or_else(|| get(base.to_string()))
}

/// The saved run and the key of its checkpoints (the tab that saved it may be another),
/// or a message if what was saved cannot be read (it is then dropped).
pub fn load_run() -> Option<Result<(RunResult, String), String>> {
    let (k, text) = load(RUN_KEY)?;
    let tab = k.strip_prefix(&format!("{RUN_KEY}/")).unwrap_or(&tab_id()).to_string();
    Some(
        RunResult::from_json(&text)
            .map(|run| (run, checkpoint_key_of(&tab)))
            .map_err(|e| {
                LocalStorage::delete(&k);
                format!("the run saved by an earlier visit could not be restored ({e})")
            }),
    )
}

/// Where the worker keeps this tab's run checkpoints (IndexedDB "icl-lab-checkpoints").
pub fn checkpoint_key() -> String {
    checkpoint_key_of(&tab_id())
}

fn checkpoint_key_of(tab: &str) -> String {
    format!("run/{tab}")
}

/// Where the pool keeps the checkpoints of this tab's sweep point `id`.
pub fn sweep_checkpoint_key(id: &str) -> String {
    format!("sweep/{}/{id}", tab_id())
}

pub fn load_sweep() -> Option<Result<SweepResult, String>> {
    let (k, text) = load(SWEEP_KEY)?;
    Some(SweepResult::from_json(&text).map_err(|e| {
        LocalStorage::delete(&k);
        format!("the sweep saved by an earlier visit could not be restored ({e})")
    }))
}
