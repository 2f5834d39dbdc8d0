//! What every experiment provides. One file of [`super::experiments`] implements it per
//! claim; the registry there turns the implementations into the [`super::Experiment`] enum.

use super::aggregate::{Analysis, AnalysisOptions, Obs};
use super::plan::SweepPoint;
use super::power::{Calibration, SyntheticLaw};
use super::result::PointResult;
use super::SweepPreset;
use crate::tasks::TaskSpec;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Per-point training settings of a preset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointSettings {
    pub batch: usize,
    pub steps: usize,
    pub seeds: u64,
    pub eval_prompts: usize,
    pub eval_every: usize,
}

impl PointSettings {
    /// The quick grids at 20 steps and one seed: checks a setup end to end in about a minute.
    pub const SMOKE: PointSettings = PointSettings { batch: 16, steps: 20, seeds: 1, eval_prompts: 32, eval_every: 10 };

    /// An experiment's `quick` or `full` settings; smoke is the same for every experiment.
    pub fn per_preset(preset: SweepPreset, quick: PointSettings, full: PointSettings) -> PointSettings {
        match preset {
            SweepPreset::Quick => quick,
            SweepPreset::Smoke => PointSettings::SMOKE,
            SweepPreset::Full => full,
        }
    }
}

/// The points of a plan and its description, as an experiment builds them.
#[derive(Default)]
pub struct Planned {
    pub points: Vec<SweepPoint>,
    /// What is swept and how it is judged, one line each.
    pub lines: Vec<String>,
    /// Shapes the grid could not hold, with the reason.
    pub dropped: Vec<String>,
}

/// A paper claim as a sweep: its grids, plan, analysis, title and verdicts.
pub trait ExperimentSpec: Clone + std::fmt::Debug + PartialEq + Serialize + DeserializeOwned {
    /// URL and CLI name (snake_case; `-` is accepted for `_`).
    const NAME: &'static str;
    /// The claim, in one line.
    const TITLE: &'static str;

    /// The default experiment (a task and lists that run under every preset).
    fn default_experiment() -> Self;

    /// The prompt distribution the points train on (before per-point edits).
    fn task(&self) -> &TaskSpec;

    /// Fills lists left empty with the preset's defaults, sorted and without duplicates, so
    /// the plan (and every result file) records exactly what ran.
    fn resolve(&self, _preset: SweepPreset) -> Self {
        self.clone()
    }

    /// Batch, steps, seeds and evaluation of each point under `preset`.
    fn settings(preset: SweepPreset) -> PointSettings;

    /// The points and the description. `self` is resolved.
    fn plan(&self, preset: SweepPreset, settings: &PointSettings) -> Planned;

    /// Series, fits and verdicts from the usable points `obs` (Done with a finite metric);
    /// `points` holds every result, running ones included (for learning curves).
    fn analyze(&self, obs: &[&Obs], points: &[PointResult], analysis: &mut Analysis, opts: &AnalysisOptions);

    /// For a power analysis ([`super::power`]): the claimed law of the first verdict and the
    /// alternatives it must tell apart, as the metric of each of `points` before noise.
    /// Empty: this experiment has no power analysis yet.
    fn power_laws(&self, _points: &[SweepPoint], _calibration: &Calibration) -> Vec<SyntheticLaw> {
        Vec::new()
    }

    /// The scatter, scale and floor of the usable points `obs` (None: too few to measure),
    /// or, with no `obs`, the stated assumption used before points land.
    fn calibrate(&self, _obs: &[&Obs]) -> Option<Calibration> {
        None
    }

    /// What one analysis of a synthetic sweep costs, relative to a scaling sweep's power-law
    /// fit: an interactive power analysis ([`super::power::interactive_effort`]) runs fewer
    /// synthetic sweeps where it is dear.
    const ANALYSIS_COST: f64 = 1.0;
}
