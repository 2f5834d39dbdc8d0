//! A training run's full configuration, its presets and its bounds. One place decides
//! what is valid, so the UI, the URL decoder, the worker and the CLI all refuse the
//! same bad input with the same message.

use crate::tasks::{Covariance, DistributionShift, TaskFamily, TaskSpec};
use serde::{Deserialize, Serialize};

/// Shape of the transformer: width d, depth L (blocks), attention heads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelShape {
    pub width: usize,
    pub depth: usize,
    pub heads: usize,
}

/// Optimisation settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    pub batch: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Step budget (the browser may stop earlier or go on; the CLI and sweeps honour it).
    pub steps: usize,
    pub seed: u64,
}

/// Held-out evaluation: a fixed set of prompts drawn once per run from its own stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalSettings {
    pub prompts: usize,
    /// Evaluate every this many steps.
    pub every: usize,
    /// Also score the model on as many prompts from this shifted task (out of distribution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<DistributionShift>,
}

/// Everything that defines a training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    pub task: TaskSpec,
    /// K: the largest context size evaluated. Prompts hold K + 1 points, so the model
    /// predicts after k = 0..=K examples.
    pub context: usize,
    pub model: ModelShape,
    pub train: TrainSettings,
    pub eval: EvalSettings,
}

/// A named preset the UI and CLI offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// The reference workload of issue 2: D = 8, K = 32, d = 64, L = 4, 4 heads, batch 64.
    Reference,
    /// Smaller, for CPU in a browser: in-context learning shows within about two minutes.
    Cpu,
    /// Tiny, for smoke tests on slow adapters (SwiftShader).
    Tiny,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Reference, Preset::Cpu, Preset::Tiny];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Reference => "reference",
            Preset::Cpu => "cpu",
            Preset::Tiny => "tiny",
        }
    }

    pub fn config(self) -> RunConfig {
        let reference = RunConfig {
            task: TaskSpec::linear(8, 0.0),
            context: 32,
            model: ModelShape { width: 64, depth: 4, heads: 4 },
            train: TrainSettings { batch: 64, lr: 1e-3, steps: 3000, seed: 0 },
            eval: EvalSettings { prompts: 512, every: 100, shift: None },
        };
        match self {
            Preset::Reference => reference,
            Preset::Cpu => RunConfig {
                task: TaskSpec::linear(4, 0.0),
                context: 16,
                model: ModelShape { width: 32, depth: 2, heads: 2 },
                train: TrainSettings { batch: 32, lr: 3e-3, steps: 2000, seed: 0 },
                eval: EvalSettings { prompts: 256, every: 50, shift: None },
            },
            Preset::Tiny => RunConfig {
                task: TaskSpec::linear(2, 0.0),
                context: 4,
                model: ModelShape { width: 8, depth: 1, heads: 1 },
                train: TrainSettings { batch: 8, lr: 1e-2, steps: 20, seed: 0 },
                eval: EvalSettings { prompts: 32, every: 5, shift: None },
            },
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        Preset::Reference.config()
    }
}

/// Inclusive bounds of every numeric setting. Sized for a browser tab; the CLI uses the
/// same bounds so that any result file can be reproduced in the dashboard.
pub mod bounds {
    pub const DIM: (usize, usize) = (1, 64);
    pub const CONTEXT: (usize, usize) = (1, 128);
    pub const WIDTH: (usize, usize) = (4, 1024);
    pub const DEPTH: (usize, usize) = (1, 32);
    pub const HEADS: (usize, usize) = (1, 32);
    pub const BATCH: (usize, usize) = (1, 2048);
    pub const LR: (f64, f64) = (1e-6, 1.0);
    pub const STEPS: (usize, usize) = (1, 10_000_000);
    pub const NOISE_VAR: (f64, f64) = (0.0, 100.0);
    pub const TREE_DEPTH: (usize, usize) = (1, 10);
    pub const EVAL_PROMPTS: (usize, usize) = (8, 100_000);
    pub const EVAL_EVERY: (usize, usize) = (1, 1_000_000);
    /// Spectrum exponents ν, μ for FS/RRS.
    pub const EXPONENT: (f64, f64) = (0.0, 4.0);
    /// Parameter budget accepted in a browser tab (about 200 MB of f32 weights + Adam state).
    pub const MAX_PARAMS: usize = 16_000_000;
}

/// One reason a configuration is refused, with the field it concerns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn check_range<T: PartialOrd + std::fmt::Display + Copy>(
    errors: &mut Vec<ConfigError>,
    field: &str,
    value: T,
    (lo, hi): (T, T),
) {
    // `!(a <= b)` rather than `a > b` so that NaN is refused too.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(lo <= value && value <= hi) {
        errors.push(ConfigError { field: field.into(), message: format!("{value} is outside {lo}..={hi}") });
    }
}

impl RunConfig {
    /// Every problem with this configuration (empty when it is valid).
    pub fn problems(&self) -> Vec<ConfigError> {
        use bounds::*;
        let mut e = Vec::new();
        let t = &self.task;
        check_range(&mut e, "dim", t.dim, DIM);
        check_range(&mut e, "noise_var", t.noise_var, NOISE_VAR);
        check_range(&mut e, "context", self.context, CONTEXT);
        check_range(&mut e, "width", self.model.width, WIDTH);
        check_range(&mut e, "depth", self.model.depth, DEPTH);
        check_range(&mut e, "heads", self.model.heads, HEADS);
        check_range(&mut e, "batch", self.train.batch, BATCH);
        check_range(&mut e, "lr", self.train.lr, LR);
        check_range(&mut e, "steps", self.train.steps, STEPS);
        check_range(&mut e, "eval_prompts", self.eval.prompts, EVAL_PROMPTS);
        check_range(&mut e, "eval_every", self.eval.every, EVAL_EVERY);
        if self.model.heads > 0 && self.model.width % self.model.heads != 0 {
            e.push(ConfigError {
                field: "heads".into(),
                message: format!("width {} is not divisible by {} heads", self.model.width, self.model.heads),
            });
        }
        match t.family {
            TaskFamily::Linear => {}
            TaskFamily::SparseLinear { nonzero } => check_range(&mut e, "sparsity", nonzero, (1, t.dim.max(1))),
            TaskFamily::Tree { depth } => check_range(&mut e, "tree_depth", depth, TREE_DEPTH),
        }
        if let Covariance::Fs { nu, mu } | Covariance::Rrs { nu, mu } = t.covariance {
            check_range(&mut e, "nu", nu, EXPONENT);
            check_range(&mut e, "mu", mu, EXPONENT);
        }
        if let Some(Err(message)) = self.shifted_task() {
            e.push(ConfigError { field: "shift".into(), message });
        }
        if e.is_empty() && self.param_count() > MAX_PARAMS {
            e.push(ConfigError {
                field: "width".into(),
                message: format!(
                    "the model has {} parameters, more than the {} a browser tab can train; reduce width or depth",
                    self.param_count(),
                    MAX_PARAMS
                ),
            });
        }
        e
    }

    /// Ok when valid, else every problem joined into one message.
    pub fn validate(&self) -> Result<(), String> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        }
    }

    /// Points per prompt (K + 1).
    pub fn n_points(&self) -> usize {
        self.context + 1
    }

    /// Tokens per prompt: x_0, y_0, …, x_K (the last label is never an input).
    pub fn sequence_len(&self) -> usize {
        2 * self.n_points() - 1
    }

    /// Trainable parameters of the transformer this config builds (see icl-train's model).
    pub fn param_count(&self) -> usize {
        let (dim, d, l) = (self.task.dim, self.model.width, self.model.depth);
        let read_in = dim * d + d;
        let positions = self.sequence_len() * d;
        let attention = 4 * (d * d + d);
        let mlp = (d * 4 * d + 4 * d) + (4 * d * d + d);
        let block = 2 * (2 * d) + attention + mlp;
        let final_norm = 2 * d;
        let read_out = d + 1;
        read_in + positions + l * block + final_norm + read_out
    }

    /// The run's held-out prompts: drawn once from their own stream, never trained on, and
    /// identical wherever the run is reproduced (browser, CLI, `report`).
    pub fn held_out_prompts(&self) -> crate::tasks::PromptBatch {
        let mut rng = crate::rng::seeded(self.train.seed, crate::rng::stream::HELD_OUT);
        self.task.sample(self.eval.prompts, self.n_points(), &mut rng)
    }

    /// Forgets a shift that no longer applies after the task changed (e.g. "sparse w" when
    /// the family became trees), rather than leaving the settings invalid.
    pub fn drop_inapplicable_shift(&mut self) {
        if let Some(Err(_)) = self.shifted_task() {
            self.eval.shift = None;
        }
    }

    /// The out-of-distribution task, if the run evaluates on one.
    pub fn shifted_task(&self) -> Option<Result<TaskSpec, String>> {
        self.eval.shift.map(|shift| shift.apply(&self.task))
    }

    /// Held-out prompts from the shifted task (own stream; same count and K as the
    /// in-distribution set). None without a (valid) shift.
    pub fn shifted_prompts(&self) -> Option<crate::tasks::PromptBatch> {
        let task = self.shifted_task()?.ok()?;
        let mut rng = crate::rng::seeded(self.train.seed, crate::rng::stream::HELD_OUT_SHIFTED);
        Some(task.sample(self.eval.prompts, self.n_points(), &mut rng))
    }

    /// Mehta & Gupta's model size N = L·d.
    pub fn size_ld(&self) -> usize {
        self.model.depth * self.model.width
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_workload_has_about_205k_parameters() {
        let n = Preset::Reference.config().param_count();
        assert_eq!(n, 204_865);
    }

    #[test]
    fn presets_are_valid() {
        for p in Preset::ALL {
            assert_eq!(p.config().validate(), Ok(()), "{}", p.name());
            assert_eq!(Preset::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn bad_settings_are_refused_with_their_field() {
        let mut c = RunConfig::default();
        c.model.heads = 3;
        c.train.lr = f64::NAN;
        c.task.dim = 0;
        let fields: Vec<String> = c.problems().into_iter().map(|p| p.field).collect();
        assert!(fields.contains(&"heads".to_string()));
        assert!(fields.contains(&"lr".to_string()));
        assert!(fields.contains(&"dim".to_string()));
    }

    #[test]
    fn too_big_a_model_is_refused_plainly() {
        let mut c = RunConfig::default();
        c.model.width = 1024;
        c.model.depth = 32;
        let err = c.validate().unwrap_err();
        assert!(err.contains("parameters"), "{err}");
    }
}
