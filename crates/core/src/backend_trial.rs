//! Auto picks a backend by timing the run's own model on each, not by guessing.
//!
//! At these model sizes a GPU's per-dispatch cost can make WebGPU slower than wasm SIMD
//! (transformers.js issue #1750 saw WASM 9.6× faster on a 22M model), so when Auto finds
//! a hardware adapter the worker trains a few throwaway steps of the actual configuration
//! on both backends and keeps the faster. The figures travel with the run
//! ([`crate::schema::BackendInfo::trial`]) for the badge's tooltip, and the choice is
//! remembered per model size ([`size_key`]) so the next run of that size starts at once.
//! A software adapter (SwiftShader) is still never raced: it is always slower.

use crate::config::RunConfig;
use crate::protocol::BackendChoice;
use crate::schema::BackendKind;
use serde::{Deserialize, Serialize};

/// Steps trained and thrown away before timing: the first WebGPU steps compile shaders.
pub const WARMUP_STEPS: usize = 2;
/// Steps timed on each backend.
pub const TIMED_STEPS: usize = 3;

/// What Auto does with the adapter the browser offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoPlan {
    /// The CPU backend, without trying WebGPU (asked for, no adapter, or a software one).
    Cpu,
    /// WebGPU without timing it (the user forced WebGPU).
    WebGpu,
    /// Time both on this model and keep the faster.
    Race,
}

/// The plan for a backend `choice` given the adapter: `None` if there is none, else
/// whether it is a software fallback. `race_software`: a browser test's override that
/// lets SwiftShader be raced as if it were hardware (it is the only WebGPU on CI).
pub fn plan(choice: BackendChoice, adapter: Option<bool>, race_software: bool) -> AutoPlan {
    match (choice, adapter) {
        (BackendChoice::Cpu, _) | (_, None) => AutoPlan::Cpu,
        (BackendChoice::WebGpu, Some(_)) => AutoPlan::WebGpu,
        (BackendChoice::Auto, Some(true)) if !race_software => AutoPlan::Cpu,
        (BackendChoice::Auto, Some(_)) => AutoPlan::Race,
    }
}

/// Both backends' measured speed on one model size, and which one won.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendTrial {
    /// Steps per second on the CPU backend (None: it could not run this model).
    pub cpu_steps_per_s: Option<f64>,
    /// Steps per second on WebGPU (None: it could not run this model), and why not.
    pub gpu_steps_per_s: Option<f64>,
    #[serde(default)]
    pub gpu_refused: Option<String>,
    /// Read from an earlier run's measurement rather than timed now.
    #[serde(default)]
    pub remembered: bool,
}

impl BackendTrial {
    /// The faster backend; WebGPU when only it ran, the CPU when neither figure exists.
    pub fn winner(&self) -> BackendKind {
        match (self.cpu_steps_per_s, self.gpu_steps_per_s) {
            (Some(cpu), Some(gpu)) if gpu > cpu => BackendKind::WebGpu,
            (None, Some(_)) => BackendKind::WebGpu,
            _ => BackendKind::Cpu,
        }
    }

    /// The badge's tooltip: both figures and what was kept.
    pub fn describe(&self) -> String {
        let figure = |x: Option<f64>| x.map_or_else(|| "could not run".to_string(), |v| format!("{v:.1} steps/s"));
        let gpu = match (&self.gpu_steps_per_s, &self.gpu_refused) {
            (None, Some(why)) => format!("could not run ({why})"),
            (g, _) => figure(*g),
        };
        let kept = match self.winner() {
            BackendKind::Cpu => "CPU",
            _ => "WebGPU",
        };
        let when = if self.remembered { "remembered from an earlier run of this model size" } else { "timed just now" };
        format!("Auto timed this model on both backends ({when}): CPU {}, WebGPU {gpu}; training on the {kept}.", figure(self.cpu_steps_per_s))
    }

    /// Steps per second from `steps` steps that took `ms` milliseconds.
    pub fn rate(steps: usize, ms: f64) -> Option<f64> {
        (ms > 0.0 && steps > 0).then(|| steps as f64 * 1000.0 / ms)
    }
}

/// What a step's cost depends on, as a storage key: the model's family and shape, the
/// batch and the prompt's size. Settings that leave the cost alone (seed, learning rate,
/// task family, budget) share a key, so a changed seed reuses the measurement.
pub fn size_key(config: &RunConfig) -> String {
    let m = &config.model;
    format!(
        "{}-D{}-K{}-d{}-L{}-H{}-B{}",
        m.arch.name(),
        config.task.dim,
        config.context,
        m.width,
        m.depth,
        m.heads,
        config.train.batch
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_races_only_a_hardware_adapter_unless_a_test_says_so() {
        assert_eq!(plan(BackendChoice::Auto, Some(false), false), AutoPlan::Race);
        assert_eq!(plan(BackendChoice::Auto, Some(true), false), AutoPlan::Cpu, "SwiftShader is never raced");
        assert_eq!(plan(BackendChoice::Auto, Some(true), true), AutoPlan::Race, "the test override");
        assert_eq!(plan(BackendChoice::Auto, None, true), AutoPlan::Cpu);
        assert_eq!(plan(BackendChoice::WebGpu, Some(true), false), AutoPlan::WebGpu, "forced WebGPU is never timed");
        assert_eq!(plan(BackendChoice::WebGpu, None, false), AutoPlan::Cpu);
        assert_eq!(plan(BackendChoice::Cpu, Some(false), false), AutoPlan::Cpu);
    }

    fn trial(cpu: Option<f64>, gpu: Option<f64>) -> BackendTrial {
        BackendTrial { cpu_steps_per_s: cpu, gpu_steps_per_s: gpu, gpu_refused: None, remembered: false }
    }

    #[test]
    fn the_faster_backend_wins_and_a_tie_stays_on_the_cpu() {
        assert_eq!(trial(Some(10.0), Some(4.0)).winner(), BackendKind::Cpu);
        assert_eq!(trial(Some(4.0), Some(10.0)).winner(), BackendKind::WebGpu);
        assert_eq!(trial(Some(4.0), Some(4.0)).winner(), BackendKind::Cpu, "a tie keeps the exact-resume CPU path");
        assert_eq!(trial(None, Some(1.0)).winner(), BackendKind::WebGpu);
        assert_eq!(trial(Some(1.0), None).winner(), BackendKind::Cpu);
        assert_eq!(trial(None, None).winner(), BackendKind::Cpu);
    }

    #[test]
    fn the_tooltip_names_both_figures_and_the_choice() {
        let t = trial(Some(12.345), Some(3.0));
        assert_eq!(
            t.describe(),
            "Auto timed this model on both backends (timed just now): CPU 12.3 steps/s, WebGPU 3.0 steps/s; training on the CPU."
        );
        let refused = BackendTrial { gpu_refused: Some("over maxBufferSize".into()), remembered: true, ..trial(Some(2.0), None) };
        assert!(refused.describe().contains("WebGPU could not run (over maxBufferSize)"), "{}", refused.describe());
        assert!(refused.describe().contains("remembered"));
        assert_eq!(BackendTrial::rate(3, 1500.0), Some(2.0));
        assert_eq!(BackendTrial::rate(3, 0.0), None);
    }

    #[test]
    fn the_size_key_changes_with_cost_and_not_with_the_seed() {
        let a = RunConfig::default();
        let mut b = a.clone();
        b.train.seed += 1;
        b.train.lr *= 2.0;
        assert_eq!(size_key(&a), size_key(&b));
        let mut c = a.clone();
        c.model.width *= 2;
        assert_ne!(size_key(&a), size_key(&c));
        let mut e = a.clone();
        e.train.batch += 1;
        assert_ne!(size_key(&a), size_key(&e));
    }

    #[test]
    fn a_trial_round_trips_through_json_and_old_files_lack_it() {
        let t = trial(Some(1.5), Some(2.5));
        let back: BackendTrial = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        let old: BackendTrial = serde_json::from_str(r#"{"cpu_steps_per_s":1.0,"gpu_steps_per_s":null}"#).unwrap();
        assert!(!old.remembered && old.gpu_refused.is_none());
    }
}
