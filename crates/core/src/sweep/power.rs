//! Power of a sweep's design: how often it would decide its claim.
//!
//! Synthetic sweeps are drawn on the plan's own points from the claimed law and from
//! alternatives whose parameter is off by a stated margin, with the scatter, scale and floor
//! measured in the sweep's own points (or a stated assumption before any have landed). Each
//! synthetic sweep goes through the same [`analyze_with`] and verdict rule as a real one.
//! Power is the share judged *consistent* when the claim holds and *inconsistent* when an
//! alternative holds; a design whose power is below [`POWER_TARGET`] is said to be unable to
//! decide, so an inconclusive verdict from it is read correctly.

use super::aggregate::{AnalysisOptions, Obs, analyze_with};
use super::plan::{PointLabels, SweepPlan, plan};
use super::SweepPreset;
use super::result::{PointResult, SweepResult};
use super::verdict::{VerdictStatus, fmt_num};
use crate::rng;
use crate::eval::ErrorCurve;
use crate::schema::{BackendInfo, RunStatus};
use serde::{Deserialize, Serialize};

/// The power a preset should reach (the share of synthetic sweeps decided correctly).
pub const POWER_TARGET: f64 = 0.8;

/// The noise model of synthetic points: ε_i = floor + (law_i − floor)·exp(σ·z_i), z ~ N(0, 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// SD of ln ε about the law (seed-to-seed and size-to-size scatter together): the
    /// residual SD of the claim's fit to the sweep's points.
    pub sigma_log: f64,
    /// The metric's scale (anchors the law's constant; each experiment says where: the
    /// smallest size for scaling, the median point for depth–width).
    pub scale: f64,
    /// ε_∞, the floor the law approaches.
    pub floor: f64,
    /// The level after a drop, for laws with one (the transition's lower plateau), as a
    /// share of `scale`; None for the others.
    #[serde(default)]
    pub low_ratio: Option<f64>,
    /// From the sweep's own points (how many), or None for the stated assumption.
    pub measured_from: Option<usize>,
}

impl Calibration {
    pub fn describe(&self) -> String {
        let source = match self.measured_from {
            Some(n) => format!("measured in these {n} points"),
            None => "assumed until points land".into(),
        };
        let low = self.low_ratio.map(|r| format!(", level after the drop {}·ε₀", fmt_num(r))).unwrap_or_default();
        format!("scatter σ(ln ε) = {}, scale ε₀ = {}{low}, floor {} ({source})", fmt_num(self.sigma_log), fmt_num(self.scale), fmt_num(self.floor))
    }
}

/// A law synthetic sweeps are drawn from.
pub struct SyntheticLaw {
    /// E.g. "α = 0.25 (the claim)" or "α = 0.15 (claim − 0.1)".
    pub name: String,
    /// The claim holds under this law (power: the share judged consistent) or fails (the
    /// share judged inconsistent).
    pub claim_holds: bool,
    /// The metric of a point before noise.
    pub metric: Box<dyn Fn(&PointLabels) -> f64>,
}

/// How one law's synthetic sweeps were judged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LawPower {
    pub law: String,
    pub claim_holds: bool,
    /// Shares of the synthetic sweeps judged consistent, inconsistent and inconclusive.
    pub consistent: f64,
    pub inconsistent: f64,
    pub inconclusive: f64,
}

impl LawPower {
    /// The share decided correctly.
    pub fn power(&self) -> f64 {
        if self.claim_holds { self.consistent } else { self.inconsistent }
    }
}

/// The power of a plan's design against its claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerReport {
    pub calibration: Calibration,
    /// Synthetic sweeps per law.
    pub reps: usize,
    pub laws: Vec<LawPower>,
}

impl PowerReport {
    /// The smallest power over the laws: the design decides only if it decides each.
    pub fn power(&self) -> f64 {
        self.laws.iter().map(LawPower::power).fold(1.0, f64::min)
    }

    pub fn decides(&self) -> bool {
        self.power() >= POWER_TARGET
    }

    /// One line per law, then the calibration.
    pub fn describe(&self) -> String {
        let laws: Vec<String> = self
            .laws
            .iter()
            .map(|l| {
                let judged = if l.claim_holds { "consistent" } else { "inconsistent" };
                format!("{}: judged {judged} in {:.0}%", l.law, 100.0 * l.power())
            })
            .collect();
        format!("{} ({} synthetic sweeps each; {}).", laws.join("; "), self.reps, self.calibration.describe())
    }
}

/// Power of `plan`'s first verdict under each law, from `reps` synthetic sweeps per law.
/// The bootstrap is smaller than a real analysis's (`bootstrap` resamples) to keep this fast;
/// the Student-t interval, which the verdicts' intervals contain, does not depend on it.
pub fn power(plan: &SweepPlan, laws: &[SyntheticLaw], calibration: &Calibration, reps: usize, bootstrap: usize, seed: u64) -> PowerReport {
    let opts = |rep: usize| AnalysisOptions { bootstrap, lm_bootstrap: bootstrap.min(50), seed: seed.wrapping_add(rep as u64) };
    let mut out = Vec::new();
    for (i, law) in laws.iter().enumerate() {
        let mut rng = rng::seeded(seed, 1000 + i as u64);
        let mut counts = [0usize; 3];
        for rep in 0..reps {
            let mut sweep = SweepResult::new(plan);
            for p in &plan.points {
                let clean = (law.metric)(&p.labels);
                let noisy = calibration.floor + (clean - calibration.floor) * (calibration.sigma_log * rng::normal(&mut rng)).exp();
                sweep.insert(synthetic_point(p, noisy));
            }
            let status = analyze_with(&sweep, &opts(rep)).verdicts.first().map_or(VerdictStatus::Inconclusive, |v| v.status);
            counts[match status {
                VerdictStatus::Consistent => 0,
                VerdictStatus::Inconsistent => 1,
                VerdictStatus::Inconclusive => 2,
            }] += 1;
        }
        let share = |c: usize| c as f64 / reps.max(1) as f64;
        out.push(LawPower {
            law: law.name.clone(),
            claim_holds: law.claim_holds,
            consistent: share(counts[0]),
            inconsistent: share(counts[1]),
            inconclusive: share(counts[2]),
        });
    }
    PowerReport { calibration: *calibration, reps, laws: out }
}

/// The power of `preset`'s design for the experiment of `result`, calibrated on `result`'s
/// usable points (or the experiment's assumption while it has none). None: the experiment
/// has no power analysis, or its points are too few to measure the scatter.
pub fn sweep_power(result: &SweepResult, preset: SweepPreset, reps: usize, bootstrap: usize) -> Option<PowerReport> {
    let obs: Vec<Obs> = result.points.iter().filter_map(Obs::of).collect();
    let obs: Vec<&Obs> = obs.iter().collect();
    let calibration = result.experiment.calibrate(&obs)?;
    let plan = plan(&result.experiment, preset);
    let laws = result.experiment.power_laws(&plan.points, &calibration);
    (!laws.is_empty()).then(|| power(&plan, &laws, &calibration, reps, bootstrap, POWER_SEED))
}

/// Synthetic sweeps and bootstrap resamples of each for an interactive power analysis (the
/// page; the CLI's `analyze` runs 400 sweeps of 200 resamples): about 100 × 100 scaling
/// fits' worth, so an experiment whose analysis costs `c` fits gets 100/√c of each (≥ 10).
pub fn interactive_effort(experiment: &super::Experiment) -> (usize, usize) {
    let n = (100.0 / experiment.analysis_cost().max(1.0).sqrt()).round().max(10.0) as usize;
    (n, n)
}

/// Seed of the synthetic sweeps (fixed: the same design and calibration give the same power).
pub const POWER_SEED: u64 = 4_802_117;

/// A done point whose metric is `value`: the same error at every k = 0..=K (experiments read
/// the curve at k = K by index, and the metric averages k ∈ [K/2, K]).
fn synthetic_point(p: &super::plan::SweepPoint, value: f64) -> PointResult {
    let n = p.config.context + 1;
    let curve = ErrorCurve { k: (0..n).collect(), mean: vec![value; n], se: vec![0.0; n] };
    PointResult {
        id: p.id.clone(),
        config: p.config.clone(),
        labels: p.labels.clone(),
        backend: BackendInfo::cpu(),
        steps: p.config.train.steps,
        elapsed_s: 0.0,
        final_curve: curve,
        final_loss: f64::NAN,
        evals: Vec::new(),
        status: RunStatus::Done,
        probe: None,
    }
}
