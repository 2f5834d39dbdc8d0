//! The experiments, one file each, and the registry that makes them the [`Experiment`]
//! enum. To add one: write `<name>.rs` implementing [`ExperimentSpec`] and add one line to
//! the `registry!` call below.

use super::aggregate::{Analysis, AnalysisOptions, Obs};
use super::experiment::{ExperimentSpec, Planned, PointSettings};
use super::plan::SweepPoint;
use super::power::{Calibration, SyntheticLaw};
use super::result::PointResult;
use super::SweepPreset;
use crate::tasks::TaskSpec;
use serde::{Deserialize, Serialize};

macro_rules! registry {
    ($($module:ident :: $variant:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// A paper claim turned into a sweep (serialised with its `kind` tag, the
        /// experiment's [`ExperimentSpec::NAME`]).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Experiment {
            $($variant($module::$variant),)+
        }

        /// The experiments, for menus, links and the CLI.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ExperimentKind {
            $($variant,)+
        }

        impl ExperimentKind {
            pub const ALL: &'static [ExperimentKind] = &[$(ExperimentKind::$variant,)+];

            pub fn name(self) -> &'static str {
                match self {
                    $(ExperimentKind::$variant => <$module::$variant as ExperimentSpec>::NAME,)+
                }
            }

            /// The claim, in one line.
            pub fn title(self) -> &'static str {
                match self {
                    $(ExperimentKind::$variant => <$module::$variant as ExperimentSpec>::TITLE,)+
                }
            }
        }

        impl Experiment {
            pub fn kind(&self) -> ExperimentKind {
                match self {
                    $(Experiment::$variant(_) => ExperimentKind::$variant,)+
                }
            }

            /// The default experiment of `kind`: a task and lists that run under every preset.
            pub fn default_for(kind: ExperimentKind) -> Experiment {
                match kind {
                    $(ExperimentKind::$variant => Experiment::$variant(<$module::$variant as ExperimentSpec>::default_experiment()),)+
                }
            }

            pub fn task(&self) -> &TaskSpec {
                match self {
                    $(Experiment::$variant(e) => e.task(),)+
                }
            }

            /// Every empty list filled with the preset's default.
            pub fn resolve(&self, preset: SweepPreset) -> Experiment {
                match self {
                    $(Experiment::$variant(e) => Experiment::$variant(e.resolve(preset)),)+
                }
            }

            pub fn settings(&self, preset: SweepPreset) -> PointSettings {
                match self {
                    $(Experiment::$variant(_) => <$module::$variant as ExperimentSpec>::settings(preset),)+
                }
            }

            pub(crate) fn plan_points(&self, preset: SweepPreset, settings: &PointSettings) -> Planned {
                match self {
                    $(Experiment::$variant(e) => e.plan(preset, settings),)+
                }
            }

            pub(crate) fn analyze(&self, obs: &[&Obs], points: &[PointResult], analysis: &mut Analysis, opts: &AnalysisOptions) {
                match self {
                    $(Experiment::$variant(e) => e.analyze(obs, points, analysis, opts),)+
                }
            }

            pub(crate) fn power_laws(&self, points: &[SweepPoint], calibration: &Calibration) -> Vec<SyntheticLaw> {
                match self {
                    $(Experiment::$variant(e) => e.power_laws(points, calibration),)+
                }
            }

            pub(crate) fn calibrate(&self, obs: &[&Obs]) -> Option<Calibration> {
                match self {
                    $(Experiment::$variant(e) => e.calibrate(obs),)+
                }
            }

            pub(crate) fn analysis_cost(&self) -> f64 {
                match self {
                    $(Experiment::$variant(_) => <$module::$variant as ExperimentSpec>::ANALYSIS_COST,)+
                }
            }
        }
    };
}

registry! {
    scaling::Scaling,
    depth_width::DepthWidth,
    transition::Transition,
    learning_curve::LearningCurve,
    depth_context::DepthContext,
}

impl ExperimentKind {
    /// Accepts `depth_width` and `depth-width`.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.replace('-', "_");
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// "scaling, depth_width, …", for messages.
    pub fn names() -> String {
        Self::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
    }
}
