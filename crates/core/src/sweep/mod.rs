//! Sweeps of training runs for the paper-claim experiments (`shared/THEORY.md` §3.2, §4).
//!
//! Each claim becomes an experiment: a set of independent training runs ("points") whose
//! final ICL errors are fitted and judged against the claim. The flow is
//!
//! ```text
//! Experiment + SweepPreset ──plan()──▶ SweepPlan { points }        (pure, deterministic)
//!        ──shard(plan, i, n)──▶ points of job i ∈ 1..=n            (Slurm --array=1-N, GNU parallel {#})
//!        ──trainer (CLI / browser worker)──▶ PointResult per point (PointResult::from_run)
//!        ──SweepResult (JSON "icl-lab/sweep")──merge()──▶ one SweepResult
//!        ──analyze()──▶ Analysis { series, heatmap, fits, verdicts }
//! ```
//!
//! * Every experiment lives in one file of [`experiments`], which owns its preset grids, its
//!   plan, its analysis and its verdicts behind [`ExperimentSpec`]; adding one is that file
//!   plus one line of the registry there.
//! * Nothing here trains: the CLI and the browser's run queue run the points and hand back
//!   [`PointResult`]s.
//! * [`analyze`] works on partial results (points land one by one in the browser) and says
//!   when there are too few points for a fit.
//! * The error metric of a point is fixed once: [`METRIC_NAME`], computed by [`point_metric`].
//! * Every verdict comes from one rule, [`VerdictRule::judge`], applied to a fitted value and
//!   its interval; none is hard-coded.

mod aggregate;
mod eta_eff;
mod experiment;
pub mod experiments;
mod plan;
pub mod power;
mod result;
mod shard;
mod verdict;

#[cfg(test)]
mod tests;

pub use aggregate::{
    Analysis, AnalysisOptions, FitEntry, FitKind, FitSubject, Heatmap, METRIC_NAME, Series, SeriesPoint, SeriesStyle, analyze,
    analyze_with, metric_floor, point_metric,
};
pub use eta_eff::ETA_EFF_MIN_COSINE;
pub use experiment::{ExperimentSpec, PointSettings};
pub use experiments::{Experiment, ExperimentKind};
pub use plan::{CostEstimate, CostModel, PointLabels, SweepPlan, SweepPoint, default_heads, default_lr, plan};
pub use result::{PointResult, SWEEP_SCHEMA, SweepResult, merge, pending};
pub use shard::{parse_shard, shard, shard_costs};
pub use verdict::{Evidence, Prediction, Verdict, VerdictRule, VerdictStatus};

use serde::{Deserialize, Serialize};

/// How big a sweep is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepPreset {
    /// Sized for a browser tab; each experiment states its own budget and power.
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

    /// For menus.
    pub fn label(self) -> &'static str {
        match self {
            SweepPreset::Quick => "quick (browser, minutes)",
            SweepPreset::Full => "full (for the CLI / a GPU)",
            SweepPreset::Smoke => "smoke (20 steps: checks the pipeline)",
        }
    }

    /// "one of quick, full, smoke", for messages.
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }
}
