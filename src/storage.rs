//! Nothing a user did is lost on reload: the current run is saved to localStorage
//! (throttled) and restored on load. Settings live in the URL.

use gloo::storage::{LocalStorage, Storage};
use icl_core::schema::RunResult;

const RUN_KEY: &str = "icl-lab/run/v1";

pub fn save_run(run: &RunResult) -> Result<(), String> {
    save(RUN_KEY, &run.to_json(), "run")
}

/// Writes `text` under `key`; a refusal says whether the quota is full, and what is kept.
fn save(key: &str, text: &str, what: &str) -> Result<(), String> {
    LocalStorage::raw().set_item(key, text).map_err(|e| {
        let name = js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" {
            format!(
                "The browser's storage for this site is full ({name}): the {what} is kept in this tab but would not \
                 survive a reload. Export it as JSON to keep it, or free this site's storage."
            )
        } else {
            format!("The browser refused to store the {what} ({}): it is kept in this tab only; export it to keep it.", if name.is_empty() { "storage disabled?".into() } else { name })
        }
    })
}

/// The saved run, or a message if what was saved cannot be read (it is then dropped).
pub fn load_run() -> Option<Result<RunResult, String>> {
    let text = LocalStorage::raw().get_item(RUN_KEY).ok().flatten()?;
    Some(RunResult::from_json(&text).map_err(|e| {
        LocalStorage::delete(RUN_KEY);
        format!("the run saved by an earlier visit could not be restored ({e})")
    }))
}

const SWEEP_KEY: &str = "icl-lab/sweep/v1";

pub fn save_sweep(sweep: &icl_core::sweep::SweepResult) -> Result<(), String> {
    save(SWEEP_KEY, &sweep.to_json(), "sweep")
}

pub fn load_sweep() -> Option<Result<icl_core::sweep::SweepResult, String>> {
    let text = LocalStorage::raw().get_item(SWEEP_KEY).ok().flatten()?;
    Some(icl_core::sweep::SweepResult::from_json(&text).map_err(|e| {
        LocalStorage::delete(SWEEP_KEY);
        format!("the sweep saved by an earlier visit could not be restored ({e})")
    }))
}
