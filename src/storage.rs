//! Nothing a user did is lost on reload: the current run is saved to localStorage
//! (throttled) and restored on load. Settings live in the URL.

use gloo::storage::{LocalStorage, Storage};
use icl_core::schema::RunResult;

const RUN_KEY: &str = "icl-lab/run/v1";

pub fn save_run(run: &RunResult) -> Result<(), String> {
    LocalStorage::raw()
        .set_item(RUN_KEY, &run.to_json())
        .map_err(|_| "the browser refused to store the run (storage full or disabled)".to_string())
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
    LocalStorage::raw()
        .set_item(SWEEP_KEY, &sweep.to_json())
        .map_err(|_| "the browser refused to store the sweep (storage full or disabled)".to_string())
}

pub fn load_sweep() -> Option<Result<icl_core::sweep::SweepResult, String>> {
    let text = LocalStorage::raw().get_item(SWEEP_KEY).ok().flatten()?;
    Some(icl_core::sweep::SweepResult::from_json(&text).map_err(|e| {
        LocalStorage::delete(SWEEP_KEY);
        format!("the sweep saved by an earlier visit could not be restored ({e})")
    }))
}
