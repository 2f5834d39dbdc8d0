//! Planning: an experiment and a preset become a list of independent, valid training runs,
//! with stable ids, typed labels for the analysis and a cost estimate. The grids shared by
//! several experiments live here; the rest belong to each experiment's file.

use super::experiment::PointSettings;
use super::verdict::fmt_num;
use super::{Experiment, SweepPreset};
use crate::config::{Arch, EvalSettings, ModelShape, RunConfig, TrainSettings, bounds};
use crate::tasks::{Covariance, TaskSpec};
use serde::{Deserialize, Serialize};

/// One training run of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Stable and unique within its plan, derived from the configuration only
    /// (e.g. `L2-d32-s0`, `N96-L3-d32-s1`, `h1-K16-L2-d16-s0`, `rrs1.5_0-L2-d32-H2-s0`).
    pub id: String,
    pub config: RunConfig,
    /// What the analysis groups and plots by.
    pub labels: PointLabels,
}

/// The numbers a point is grouped and plotted by. The shape and size come from the
/// configuration; `h`, `budget` and `cov` are set by the experiments that use them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointLabels {
    /// Mehta & Gupta's model size N = L·d.
    #[serde(rename = "N", deserialize_with = "whole::number")]
    pub size_ld: usize,
    #[serde(rename = "L", deserialize_with = "whole::number")]
    pub depth: usize,
    #[serde(rename = "d", deserialize_with = "whole::number")]
    pub width: usize,
    #[serde(deserialize_with = "whole::number")]
    pub heads: usize,
    /// Trainable parameters P.
    #[serde(deserialize_with = "whole::number")]
    pub params: usize,
    /// Largest context K.
    #[serde(rename = "K", deserialize_with = "whole::number")]
    pub context: usize,
    #[serde(deserialize_with = "whole::number")]
    pub seed: u64,
    /// The hierarchy depth h the point is judged with (scaling: declared; transition: the tree depth).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "whole::optional")]
    pub h: Option<usize>,
    /// The budget N = L·d of a depth–width point.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "whole::optional")]
    pub budget: Option<usize>,
    /// Index into a learning-curve experiment's covariances.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "whole::optional")]
    pub cov: Option<usize>,
}

impl PointLabels {
    pub fn of(config: &RunConfig) -> Self {
        PointLabels {
            size_ld: config.size_ld(),
            depth: config.model.depth,
            width: config.model.width,
            heads: config.model.heads,
            params: config.param_count(),
            context: config.context,
            seed: config.train.seed,
            h: None,
            budget: None,
            cov: None,
        }
    }

    /// `(column, value)` for CSV rows; optional labels are empty where unset.
    pub fn columns(&self) -> [(&'static str, String); 10] {
        let opt = |v: Option<usize>| v.map_or(String::new(), |v| v.to_string());
        [
            ("N", self.size_ld.to_string()),
            ("L", self.depth.to_string()),
            ("d", self.width.to_string()),
            ("heads", self.heads.to_string()),
            ("params", self.params.to_string()),
            ("K", self.context.to_string()),
            ("seed", self.seed.to_string()),
            ("h", opt(self.h)),
            ("budget", opt(self.budget)),
            ("cov", opt(self.cov)),
        ]
    }
}

/// Files of the first sweep format wrote labels as JSON floats (`"N": 96.0`); they still read.
mod whole {
    use serde::{Deserialize, Deserializer};

    pub fn number<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
        let v = f64::deserialize(d)?;
        from_f64(v).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a whole number")))
    }

    pub fn optional<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<Option<T>, D::Error> {
        match Option::<f64>::deserialize(d)? {
            None => Ok(None),
            Some(v) => from_f64(v).map(Some).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a whole number"))),
        }
    }

    fn from_f64<T: TryFrom<u64>>(v: f64) -> Option<T> {
        (v >= 0.0 && v.fract() == 0.0 && v < 1.8e19).then(|| T::try_from(v as u64).ok()).flatten()
    }
}

impl SweepPoint {
    /// Estimated cost in units of params × tokens × batch × steps (a FLOP proxy: one
    /// training step is ≈ 6 FLOPs per unit). Held-out evaluations (forward only, about a third
    /// of a step per sequence) are counted as extra equivalent steps.
    pub fn cost_units(&self) -> f64 {
        let c = &self.config;
        c.param_count() as f64 * c.sequence_len() as f64 * c.train.batch as f64 * equivalent_steps(c)
    }

}

/// Training steps plus the held-out evaluations expressed as steps.
fn equivalent_steps(c: &RunConfig) -> f64 {
    let evals = (c.train.steps / c.eval.every.max(1)) as f64 + 1.0;
    c.train.steps as f64 + evals * c.eval.prompts as f64 / (3.0 * c.train.batch as f64)
}

/// Seconds per run on a machine: `equivalent steps × overhead + units / throughput`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostModel {
    pub name: &'static str,
    /// Units (params × tokens × batch × steps) per second.
    pub units_per_s: f64,
    /// Fixed cost of one step (kernel launches, readbacks, the JS event loop).
    pub overhead_s_per_step: f64,
}

impl CostModel {
    /// burn flex in a browser's wasm (one thread), in headless Chromium on the 2-core build
    /// machine (2026-12-02, `tests/e2e/cpu.test.mjs`): the CPU preset (width 32, depth 2,
    /// K = 16, batch 32: 2.8·10⁷ units a step) at 30–44 steps/s and the reference workload
    /// (8.5·10⁸ units) at 1.7–1.9 steps/s; the two fix both constants.
    pub const BROWSER_CPU: CostModel =
        CostModel { name: "browser CPU (wasm, measured)", units_per_s: 1.5e9, overhead_s_per_step: 0.011 };
    /// burn flex natively on the 2-core build machine (2026-12-02, `icl-lab bench`): 5.7–5.9
    /// steps/s for the reference workload (8.5·10⁸ units a step) and 151–165 steps/s for the
    /// width-32 depth-2 model at K = 8 (1.4·10⁷ units a step); the two fix both constants. The
    /// quick scaling sweep it predicts in 170 s took 173 s (`icl-lab sweep --jobs 1`).
    pub const NATIVE_CPU: CostModel =
        CostModel { name: "native CPU (measured)", units_per_s: 5.0e9, overhead_s_per_step: 0.0035 };
    /// WebGPU on a laptop GPU. **Assumed, not measured here** (no hardware GPU on the build
    /// machines): ~120 GFLOP/s effective on these small matrices and 12 ms of dispatch and
    /// readback per step. The quick presets are sized against this model.
    pub const LAPTOP_GPU: CostModel =
        CostModel { name: "laptop GPU (WebGPU, assumed)", units_per_s: 2.0e10, overhead_s_per_step: 0.012 };
    /// A datacenter GPU from the CLI (native wgpu). **Assumed**: 1.2 TFLOP/s effective, 5 ms a step.
    pub const GPU_SERVER: CostModel =
        CostModel { name: "GPU server (native wgpu, assumed)", units_per_s: 2.0e11, overhead_s_per_step: 0.005 };

    pub fn seconds(&self, point: &SweepPoint) -> f64 {
        let c = &point.config;
        equivalent_steps(c) * self.overhead_s_per_step * launch_share(c) + point.cost_units() / self.units_per_s
    }
}

/// The fixed cost of a step relative to the depth-2 transformer the overheads were measured
/// on. The transformer keeps the measured constant (the presets were calibrated on it). A
/// linear-attention step launches far fewer kernels: its reduced layer is ~10 forward ops and
/// 3 parameter tensors against a transformer block's ~27 and 12, so its share is counted
/// (forward, backward ≈ 2× forward, Adam ≈ 8 kernels per parameter tensor). A proxy, not a
/// measurement.
fn launch_share(c: &RunConfig) -> f64 {
    let kernels = |fixed_ops: f64, fixed_params: f64, layer_ops: f64, layer_params: f64, layers: f64| {
        3.0 * (fixed_ops + layers * layer_ops) + 8.0 * (fixed_params + layers * layer_params)
    };
    match c.model.arch {
        Arch::Transformer => 1.0,
        Arch::LinearAttention => kernels(15.0, 0.0, 10.0, 3.0, c.model.depth as f64) / kernels(20.0, 8.0, 27.0, 12.0, 2.0),
    }
}

/// The plan's total cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostEstimate {
    pub points: usize,
    pub steps: usize,
    /// Σ params × tokens × batch × (equivalent) steps.
    pub units: f64,
    pub laptop_gpu_s: f64,
    pub browser_cpu_s: f64,
    pub native_cpu_s: f64,
    pub gpu_server_s: f64,
}

impl CostEstimate {
    pub fn of(points: &[SweepPoint]) -> CostEstimate {
        let sum = |m: &CostModel| points.iter().map(|p| m.seconds(p)).sum::<f64>();
        CostEstimate {
            points: points.len(),
            steps: points.iter().map(|p| p.config.train.steps).sum(),
            units: points.iter().map(SweepPoint::cost_units).sum(),
            laptop_gpu_s: sum(&CostModel::LAPTOP_GPU),
            browser_cpu_s: sum(&CostModel::BROWSER_CPU),
            native_cpu_s: sum(&CostModel::NATIVE_CPU),
            gpu_server_s: sum(&CostModel::GPU_SERVER),
        }
    }
}

/// A planned sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPlan {
    /// The experiment with every default filled in.
    pub experiment: Experiment,
    pub preset: SweepPreset,
    /// What is swept, how it is judged, and what it costs, in words.
    pub description: String,
    /// In a fixed order (the order of the loops that built them).
    pub points: Vec<SweepPoint>,
    pub estimate: CostEstimate,
}

impl SweepPlan {
    pub fn point(&self, id: &str) -> Option<&SweepPoint> {
        self.points.iter().find(|p| p.id == id)
    }
}

/// Plans a sweep. Deterministic: the same inputs give the same points in the same order.
/// Every point's configuration is valid ([`RunConfig::validate`]); shapes that would not be
/// (too many parameters for the browser bound) are left out and the description says so.
pub fn plan(experiment: &Experiment, preset: SweepPreset) -> SweepPlan {
    let experiment = experiment.resolve(preset);
    let kind = experiment.kind();
    let mut lines = vec![format!("{} — {} preset.", kind.title(), preset.name())];
    // The experiments size contexts and ladders from the task's D: an out-of-range task (a
    // hostile file) plans nothing rather than overflowing.
    if let Err(e) = check_task(experiment.task()) {
        lines.push(format!("Nothing to plan: the task is invalid (task.{e})."));
        let estimate = CostEstimate::of(&[]);
        return SweepPlan { experiment, preset, description: lines.join("\n"), points: Vec::new(), estimate };
    }
    let settings = experiment.settings(preset);
    let planned = experiment.plan_points(preset, &settings);
    lines.extend(planned.lines);
    let mut points = planned.points;
    // Whatever the experiment asked for, every planned configuration is valid.
    let mut invalid = Vec::new();
    points.retain(|p| match p.config.validate() {
        Ok(()) => true,
        Err(e) => {
            invalid.push(format!("{} ({e})", p.id));
            false
        }
    });
    if !planned.dropped.is_empty() {
        lines.push(format!("Shapes left out of the grid: {}.", planned.dropped.join("; ")));
    }
    if !invalid.is_empty() {
        lines.push(format!("Left out as invalid: {}.", invalid.join("; ")));
    }
    lines.push(format!("Error metric: {}.", super::METRIC_NAME));
    let estimate = CostEstimate::of(&points);
    lines.push(format!(
        "{} points, {} training steps, {} units (params × tokens × batch × steps). Estimated time: {:.0} s on a laptop GPU (assumed), {:.0} s on browser CPU, {:.0} s native CPU, {:.0} s on a GPU server (assumed).",
        estimate.points,
        estimate.steps,
        fmt_num(estimate.units),
        estimate.laptop_gpu_s,
        estimate.browser_cpu_s,
        estimate.native_cpu_s,
        estimate.gpu_server_s
    ));
    if preset == SweepPreset::Smoke {
        lines.push("Smoke is a plumbing check: 20 steps train nothing, so the fits and verdicts only show that the pipeline works.".into());
    }
    SweepPlan { experiment, preset, description: lines.join("\n"), points, estimate }
}

/// Ok when `task` is within the bounds of a run's settings (the rest of the run at defaults);
/// else its first problem, named by the task's JSON field ("dim: 65 is outside 1..=64").
pub fn check_task(task: &TaskSpec) -> Result<(), String> {
    let config = RunConfig { task: task.clone(), ..RunConfig::default() };
    let Some(problem) = config.problems().into_iter().next() else { return Ok(()) };
    // Problems name settings (the CLI flag); a file names JSON fields.
    let field = match problem.field.as_str() {
        "noise" => "noise_var",
        "sparsity" => "family.nonzero",
        "tree-depth" => "family.depth",
        "nu" => "covariance.nu",
        "mu" => "covariance.mu",
        other => other,
    };
    Err(format!("{field}: {}", problem.message))
}

/// Attention heads for width d: the largest power of two ≤ max(1, d/16) that divides d
/// (head size ≥ 8 for d ≥ 8, 16 for powers of two), capped at the bound of 32.
pub fn default_heads(d: usize) -> usize {
    let mut h = 1;
    while h * 2 <= (d / 16).max(1) && d % (h * 2) == 0 && h * 2 <= bounds::HEADS.1 {
        h *= 2;
    }
    h
}

/// Adam rate for width d: 3·10⁻³·√(32/d), within [3·10⁻⁴, 10⁻²] (3·10⁻³ is the CPU preset's rate
/// at d = 32; larger widths take smaller steps).
pub fn default_lr(d: usize) -> f64 {
    (3e-3 * (32.0 / d.max(1) as f64).sqrt()).clamp(3e-4, 1e-2)
}

/// A point training `shape` on `task` with context K = `context`, labelled from its configuration.
pub(super) fn make_point(id: String, task: TaskSpec, context: usize, shape: ModelShape, s: &PointSettings, seed: u64) -> SweepPoint {
    let config = RunConfig {
        task,
        context,
        train: TrainSettings { batch: s.batch, lr: default_lr(shape.width), steps: s.steps, seed, warmup: 0, cosine: false, curriculum: 0 },
        model: shape,
        eval: EvalSettings { prompts: s.eval_prompts, every: s.eval_every, shift: None },
    };
    SweepPoint { id, labels: PointLabels::of(&config), config }
}

/// The transformer shape of depth `l` and width `d`, with [`default_heads`].
pub(super) fn shape(l: usize, d: usize) -> ModelShape {
    ModelShape::transformer(d, l, default_heads(d))
}

/// Short stable name of a covariance setting for ids: `iso`, `fs1.5_0`, `rrs1.5_0`.
pub(super) fn covariance_tag(c: &Covariance) -> String {
    match c {
        Covariance::Iso => "iso".into(),
        Covariance::Fs { nu, mu } => format!("fs{nu}_{mu}"),
        Covariance::Rrs { nu, mu } => format!("rrs{nu}_{mu}"),
    }
}

/// Sorted, without duplicates.
pub(super) fn sorted(v: &[usize]) -> Vec<usize> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Largest context K for the size sweeps (scaling, depth–width): 2D (quick, within 8..=16) or 4D
/// (full, within 16..=64), so the metric's range k ∈ [K/2, K] starts at k ≥ D where the
/// noiseless Bayes error is 0.
pub(super) fn size_context(dim: usize, preset: SweepPreset) -> usize {
    match preset {
        SweepPreset::Quick | SweepPreset::Smoke => (2 * dim).clamp(8, 16),
        SweepPreset::Full => (4 * dim).clamp(16, 64),
    }
}

/// Model-size ladder (L, d) for the scaling and transition sweeps, N = L·d doubling.
pub(super) fn size_ladder(preset: SweepPreset) -> Vec<(usize, usize)> {
    match preset {
        // N = 8 … 256 (1.5 decades).
        SweepPreset::Quick | SweepPreset::Smoke => vec![(1, 8), (2, 8), (2, 16), (4, 16), (4, 32), (4, 64)],
        // N = 16 … 4096 (2.4 decades).
        SweepPreset::Full => {
            vec![(1, 16), (2, 16), (2, 32), (4, 32), (4, 64), (8, 64), (8, 128), (16, 128), (16, 256)]
        }
    }
}
