//! Sweeps of training runs for the paper-claim experiments (`shared/THEORY.md` §3.2, §4).
//!
//! Each claim of Mehta & Gupta (2025), and Bordelon et al.'s depth claim, becomes an
//! [`Experiment`]: a set of independent training runs ("points") whose final ICL errors are
//! fitted and judged against the claim. The flow is
//!
//! ```text
//! Experiment + SweepPreset ──plan()──▶ SweepPlan { points }        (pure, deterministic)
//!        ──shard(plan, i, n)──▶ points of job i ∈ 1..=n            (Slurm --array=1-N, GNU parallel {#})
//!        ──trainer (CLI / browser worker)──▶ PointResult per point (PointResult::from_run)
//!        ──SweepResult (JSON "icl-lab/sweep")──merge()──▶ one SweepResult
//!        ──analyze()──▶ Analysis { series, heatmap, fits, verdicts }
//! ```
//!
//! * Nothing here trains: the CLI (`icl-lab sweep <experiment> --preset quick|full --out DIR
//!   --shard I/N`, `icl-lab merge DIR`) and the browser's run queue run the points and hand
//!   back [`PointResult`]s.
//! * [`analyze`] works on partial results (points land one by one in the browser) and says
//!   when there are too few points for a fit.
//! * The error metric of a point is fixed once: [`METRIC_NAME`], computed by [`point_metric`].
//! * Every verdict comes from one rule, [`VerdictRule::judge`], applied to a fitted value and
//!   its interval; none is hard-coded.

mod analysis;
mod plan;
mod result;
mod shard;
mod verdict;

#[cfg(test)]
mod tests;

pub use analysis::{
    Analysis, AnalysisOptions, FitEntry, FitKind, Heatmap, METRIC_NAME, Series, SeriesPoint, SeriesStyle, analyze, analyze_with,
    metric_floor, point_metric,
};
pub use plan::{
    CostEstimate, CostModel, SweepPlan, SweepPoint, default_heads, default_lr, plan, transition_constant,
};
pub use result::{PointResult, SWEEP_SCHEMA, SweepResult, merge, pending};
pub use shard::{parse_shard, shard, shard_costs};
pub use verdict::{Evidence, Prediction, Verdict, VerdictRule, VerdictStatus};

use crate::config::ModelShape;
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use serde::{Deserialize, Serialize};

/// Which "model size" the scaling law is fitted against (THEORY.md §4.0 items 1–2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeMeasure {
    /// Mehta & Gupta's N = L·d (depth × width).
    Ld,
    /// The true trainable parameter count P ([`crate::config::RunConfig::param_count`]).
    Params,
}

impl SizeMeasure {
    pub fn name(self) -> &'static str {
        match self {
            SizeMeasure::Ld => "ld",
            SizeMeasure::Params => "params",
        }
    }

    /// Axis label.
    pub fn label(self) -> &'static str {
        match self {
            SizeMeasure::Ld => "N = L·d",
            SizeMeasure::Params => "parameters P",
        }
    }

    /// The point label holding this measure.
    pub fn label_key(self) -> &'static str {
        match self {
            SizeMeasure::Ld => "N",
            SizeMeasure::Params => "params",
        }
    }

    pub fn other(self) -> SizeMeasure {
        match self {
            SizeMeasure::Ld => SizeMeasure::Params,
            SizeMeasure::Params => SizeMeasure::Ld,
        }
    }
}

/// A paper claim turned into a sweep. Empty lists mean "the preset's default"; [`plan`]
/// stores the resolved experiment (lists filled in) in the plan and hence in every result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Experiment {
    /// ε ∝ N^−α with α = 1/(2(h+1)) (THEORY.md §4.1). A ladder of model sizes, same task,
    /// same steps; the exponent is fitted against `measure` (the other measure is reported too).
    Scaling {
        task: TaskSpec,
        measure: SizeMeasure,
        /// The task's "hierarchy depth" h, which the paper leaves undefined for regression
        /// (§4.0 item 3). None: the tree depth for trees, 1 otherwise (the paper's first
        /// experiment expects α ≈ 0.25).
        #[serde(default)]
        declared_h: Option<usize>,
    },
    /// L* ∝ N^{2/3}, d* ∝ N^{1/3} under L·d = N (§4.5). For every budget N, every depth L of
    /// the ladder 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 that divides N exactly, with d = N/L in the
    /// preset's width range: every shape meets its budget exactly (L·d = N), never approximately.
    DepthWidth {
        task: TaskSpec,
        /// Budgets N = L·d (empty: the preset's).
        #[serde(default)]
        budgets: Vec<usize>,
    },
    /// A sharp transition at N_c = c·(k·h)^{2(h+1)} (§4.4) for trees of depth h.
    ///
    /// The task's family is replaced by `Tree { depth: h }` for each h (its dimension,
    /// covariance and noise are kept). The unit constant puts N_c far out of reach
    /// (THEORY.md §5.7: (k·h)^{2(h+1)} = 65 536 for k = 16, h = 1 and 1.1·10⁹ for h = 2), and the
    /// constant c is free, so the sweep uses one explicit, trainable range of N = L·d for every h
    /// and k, and the plan calibrates c so that the claimed N_c of the smallest h at the
    /// smallest k sits at the geometric centre of that range ([`transition_constant`]). Only
    /// c-free statements are judged: the growth of ln N_c between depths h (which the claim
    /// fixes to 2(h₂+1)ln(k h₂) − 2(h₁+1)ln(k h₁)), its slope in ln k at fixed h (2(h+1)),
    /// and the sharpness (width ≤ 0.5 e-fold).
    Transition {
        task: TaskSpec,
        hs: Vec<usize>,
        /// Context sizes K (the claim's k). Empty: the preset's ([16] quick, [8, 16, 32] full).
        #[serde(default)]
        contexts: Vec<usize>,
    },
    /// Error against training step for several shapes, under several input covariances:
    /// Bordelon et al.'s depth claim (§3.2): in ISO (and FS) depth helps only at finite
    /// context, so the depth gain shrinks as k grows; in RRS depth keeps helping.
    LearningCurve {
        task: TaskSpec,
        /// Shapes (empty: the preset's depth ladder at one width).
        #[serde(default)]
        shapes: Vec<ModelShape>,
        covariances: Vec<Covariance>,
    },
}

/// The four experiment kinds, for menus and the CLI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentKind {
    Scaling,
    DepthWidth,
    Transition,
    LearningCurve,
}

impl ExperimentKind {
    pub const ALL: [ExperimentKind; 4] =
        [ExperimentKind::Scaling, ExperimentKind::DepthWidth, ExperimentKind::Transition, ExperimentKind::LearningCurve];

    pub fn name(self) -> &'static str {
        match self {
            ExperimentKind::Scaling => "scaling",
            ExperimentKind::DepthWidth => "depth_width",
            ExperimentKind::Transition => "transition",
            ExperimentKind::LearningCurve => "learning_curve",
        }
    }

    /// Accepts `depth_width` and `depth-width`.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.replace('-', "_");
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The claim, in one line.
    pub fn title(self) -> &'static str {
        match self {
            ExperimentKind::Scaling => "ICL error scales as N^−α with α = 1/(2(h+1)) (Mehta & Gupta)",
            ExperimentKind::DepthWidth => "Optimal depth L* ∝ N^{2/3}, width d* ∝ N^{1/3} at fixed N = L·d (Mehta & Gupta)",
            ExperimentKind::Transition => "Sharp transition at N_c = Θ((k·h)^{2(h+1)}) (Mehta & Gupta)",
            ExperimentKind::LearningCurve => {
                "Depth helps only at finite context in ISO, even at infinite context in RRS (Bordelon et al.)"
            }
        }
    }
}

impl Experiment {
    pub fn kind(&self) -> ExperimentKind {
        match self {
            Experiment::Scaling { .. } => ExperimentKind::Scaling,
            Experiment::DepthWidth { .. } => ExperimentKind::DepthWidth,
            Experiment::Transition { .. } => ExperimentKind::Transition,
            Experiment::LearningCurve { .. } => ExperimentKind::LearningCurve,
        }
    }

    pub fn task(&self) -> &TaskSpec {
        match self {
            Experiment::Scaling { task, .. }
            | Experiment::DepthWidth { task, .. }
            | Experiment::Transition { task, .. }
            | Experiment::LearningCurve { task, .. } => task,
        }
    }

    /// Defaults that run under both presets (lists left empty are filled by the preset):
    /// * scaling: noiseless ISO linear regression in D = 4, N = L·d, h = 1;
    /// * depth_width: the same task;
    /// * transition: decision trees in D = 4, h ∈ {1, 2};
    /// * learning_curve: linear regression in D = 4 under ISO and RRS (ν = 1.5, μ = 0).
    ///
    /// D = 4 keeps the quick preset (D ≤ 8, K ≤ 16, a few hundred steps) in the regime where
    /// small models visibly learn in context; the CLI may pass any task.
    pub fn default_for(kind: ExperimentKind) -> Experiment {
        let linear = TaskSpec::linear(4, 0.0);
        match kind {
            ExperimentKind::Scaling => Experiment::Scaling { task: linear, measure: SizeMeasure::Ld, declared_h: None },
            ExperimentKind::DepthWidth => Experiment::DepthWidth { task: linear, budgets: vec![] },
            ExperimentKind::Transition => Experiment::Transition {
                task: TaskSpec { family: TaskFamily::Tree { depth: 1 }, ..linear },
                hs: vec![1, 2],
                contexts: vec![],
            },
            ExperimentKind::LearningCurve => Experiment::LearningCurve {
                task: linear,
                shapes: vec![],
                covariances: vec![Covariance::Iso, Covariance::Rrs { nu: 1.5, mu: 0.0 }],
            },
        }
    }

    /// The hierarchy depth h the scaling claim is judged with (see `declared_h`).
    pub fn scaling_h(&self) -> Option<usize> {
        match self {
            Experiment::Scaling { task, declared_h, .. } => Some(declared_h.unwrap_or(match task.family {
                TaskFamily::Tree { depth } => depth,
                _ => 1,
            })),
            _ => None,
        }
    }
}

/// How big a sweep is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepPreset {
    /// In a browser tab in about 2–5 minutes on a laptop GPU (estimated; 25–50 minutes on
    /// the CPU backend): widths 8–64, depths 1–6, K ≤ 16, 600 steps at batch 128 (enough
    /// to leave the pre-ICL plateau on these sizes), 1–2 seeds. Still far from converged.
    Quick,
    /// The same experiments at the sizes one runs from the CLI on a GPU server.
    Full,
    /// The quick grids at 20 steps and one seed: a plumbing check in about a minute.
    Smoke,
}

impl SweepPreset {
    pub const ALL: [SweepPreset; 3] = [SweepPreset::Quick, SweepPreset::Full, SweepPreset::Smoke];

    pub fn name(self) -> &'static str {
        match self {
            SweepPreset::Quick => "quick",
            SweepPreset::Full => "full",
            SweepPreset::Smoke => "smoke",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}
