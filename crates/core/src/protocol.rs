//! Messages between the page and the training worker, as JSON strings. Both sides
//! depend on this module only, so the page never links burn and the worker never links
//! the UI.

use crate::config::RunConfig;
use crate::schema::{EvalPoint, RunResult};
use crate::schema::{BackendInfo, NamedCurve};
use crate::tasks::TaskSpec;
use crate::theory::TheoryCurve;
use serde::{Deserialize, Serialize};

/// Which backend the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BackendChoice {
    /// WebGPU on a hardware adapter, else the CPU backend.
    #[default]
    Auto,
    /// WebGPU even on a software (fallback) adapter.
    WebGpu,
    Cpu,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 3] = [BackendChoice::Auto, BackendChoice::WebGpu, BackendChoice::Cpu];

    /// For menus.
    pub fn label(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::WebGpu => "WebGPU",
            BackendChoice::Cpu => "CPU",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::WebGpu => "webgpu",
            BackendChoice::Cpu => "cpu",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Build the model, optimiser and held-out set for `config` on `backend`
    /// (discarding any previous run), then wait.
    Configure {
        config: RunConfig,
        backend: BackendChoice,
        /// Where to keep this run's checkpoints, and which one to resume from.
        #[serde(default)]
        checkpoint: Option<CheckpointSlot>,
    },
    /// Train until paused or the step budget is spent.
    Run,
    Pause,
    /// Train exactly `steps` steps, then pause.
    Step { steps: usize },
    /// Compare the trained model with gradient descent and send the attention maps of
    /// held-out prompt `prompt` (only while not training).
    Probe { prompt: usize },
    /// Compute THEORY.md's curves for this task up to context K (some are Monte Carlo,
    /// too slow for the page's main thread).
    Theory { spec: TaskSpec, context: usize },
    /// A test hook: make the worker fail the way real faults do, so the page's recovery
    /// is tested in a browser (`window.iclLabTest.fault(kind)` on the page).
    Fault { kind: Fault },
    /// Go back to the last checkpoint (after a divergence) and go on at learning rate `lr`.
    Rollback { lr: f64 },
    /// A test hook: let Auto race a software adapter as if it were hardware
    /// ([`crate::backend_trial::plan`]), since SwiftShader is the only WebGPU a CI machine has.
    RaceSoftwareAdapter,
}

/// Where the worker keeps a run's checkpoints: an IndexedDB key (database "icl-lab-checkpoints").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointSlot {
    /// Checkpoints of this run are written under this key (a fresh run deletes what was there).
    pub save_to: String,
    /// Resume from the checkpoint under this key (this tab's, or the tab whose run the page
    /// restored), if there is one for the same settings; else start fresh and say why.
    pub resume_from: Option<String>,
    /// A sweep point's slot: a missing checkpoint is the usual case, not a failure, and the
    /// checkpoint is deleted once the point is done or diverged (the sweep file keeps its
    /// results; its weights are not needed again).
    #[serde(default)]
    pub sweep_point: bool,
}

impl CheckpointSlot {
    /// A single run's slot: saved under `save_to`, resumed from `resume_from`.
    pub fn run(save_to: String, resume_from: Option<String>) -> Self {
        CheckpointSlot { save_to, resume_from, sweep_point: false }
    }

    /// A sweep point's slot: saved and resumed under `key`.
    pub fn sweep_point(key: String) -> Self {
        CheckpointSlot { save_to: key.clone(), resume_from: Some(key), sweep_point: true }
    }
}

/// How the error of a worker that panicked (sent by its panic hook) begins.
pub const PANICKED: &str = "the trainer panicked";
/// How the page words a worker that died without a word (its error event).
pub const CRASHED: &str = "the training worker crashed";
/// What a WebGPU out-of-memory error reads like when it kills the trainer: cubecl-wgpu's
/// uncaptured-error handler panics with `wgpu error: {error}`, and wgpu displays
/// `Error::OutOfMemory` as "Out of Memory" (cubecl-wgpu 0.11 `device_poison.rs`, wgpu 30
/// `api/device.rs`).
pub const GPU_OUT_OF_MEMORY: &str = "wgpu error: Out of Memory";

/// Whether a browser exception's `name` says the site's storage quota is full (Chromium,
/// Firefox); the page (localStorage, history) and the worker (checkpoints) both ask.
pub fn is_quota_error(name: &str) -> bool {
    name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED"
}

/// Faults a test can inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// A Rust panic in the worker (its wasm instance is unusable afterwards).
    Panic,
    /// A NaN label in the next training batch: the loss and the weights become NaN.
    Nan,
    /// Destroys the WebGPU device, as a driver reset would (nothing on the CPU backend).
    DeviceLost,
    /// The panic a WebGPU out-of-memory error causes ([`GPU_OUT_OF_MEMORY`]); a real one
    /// needs a GPU to fill.
    GpuOutOfMemory,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm has loaded; it accepts messages from now on.
    Ready,
    /// A run is configured on this backend. `note` explains a fallback, once.
    Configured { backend: BackendInfo, note: Option<String>, param_count: usize },
    /// The configured run resumed from a checkpoint (sent right after Configured): `run` is
    /// its record up to the checkpoint's step. `exact` says whether Adam's state came back
    /// too (then the run goes on exactly as if never interrupted).
    Resumed { run: Box<RunResult>, exact: bool },
    /// Resuming was asked for but did not happen; the run starts fresh (sent after Configured).
    NotResumed { reason: String },
    /// A checkpoint after `step` steps is saved (IndexedDB); `exact` as in Resumed.
    Checkpointed { step: usize, exact: bool },
    /// The WebGPU device was lost (driver reset, GPU removed, or the test hook): the run
    /// stopped; the page goes on from the last checkpoint on the CPU backend.
    DeviceLost { reason: String },
    /// Baselines scored on the run's held-out prompts.
    Baselines { curves: Vec<NamedCurve> },
    /// Training progress (sent at most every ~100 ms).
    Progress { step: usize, losses: Vec<(usize, f64)>, steps_per_s: f64, elapsed_s: f64 },
    /// A held-out evaluation.
    Evaluated { point: EvalPoint },
    /// Training stopped: paused, budget spent, or diverged.
    Stopped { step: usize, reason: StopReason },
    /// Mechanism probes of the model after `step` steps: its alignment with gradient descent
    /// (linear tasks) and every layer's and head's attention map for one held-out prompt,
    /// `attention[layer][head]` row-major `[tokens, tokens]`.
    Probed { step: usize, prompt: usize, summary: Option<crate::schema::ProbeSummary>, attention: Vec<Vec<Vec<f32>>>, tokens: usize },
    /// Theory curves answering a `Theory` request.
    Theory { spec: TaskSpec, context: usize, curves: Vec<TheoryCurve> },
    /// The run went back to its checkpoint at `step` and goes on at learning rate `lr`
    /// (paused); what came after `step` is dropped.
    RolledBack { step: usize, lr: f64 },
    /// Something failed; `fatal` means the run cannot continue (reconfigure to go on).
    Error { message: String, fatal: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Paused,
    Budget,
    Diverged,
}

impl ToWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialise")
    }
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("bad message to worker: {e}"))
    }
}

impl FromWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialise")
    }
    pub fn from_json(s: &str) -> Result<Self, String> {
        serde_json::from_str(s).map_err(|e| format!("bad message from worker: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let m = ToWorker::Configure { config: RunConfig::default(), backend: BackendChoice::Cpu, checkpoint: None };
        assert_eq!(ToWorker::from_json(&m.to_json()), Ok(m));
        let slot = CheckpointSlot::run("run/a".into(), Some("run/b".into()));
        let m = ToWorker::Configure { config: RunConfig::default(), backend: BackendChoice::Cpu, checkpoint: Some(slot) };
        assert_eq!(ToWorker::from_json(&m.to_json()), Ok(m));
        let m = ToWorker::Configure { config: RunConfig::default(), backend: BackendChoice::Cpu, checkpoint: Some(CheckpointSlot::sweep_point("sweep/t/p1".into())) };
        assert_eq!(ToWorker::from_json(&m.to_json()), Ok(m));
        let m = ToWorker::Fault { kind: Fault::Panic };
        assert_eq!(m.to_json(), r#"{"type":"fault","kind":"panic"}"#);
        assert_eq!(ToWorker::from_json(&m.to_json()), Ok(m));
        let m = FromWorker::Stopped { step: 3, reason: StopReason::Diverged };
        assert_eq!(FromWorker::from_json(&m.to_json()), Ok(m));
    }
}
