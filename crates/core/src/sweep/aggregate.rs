//! What every experiment's analysis shares: the error metric, the aggregation of seeds,
//! the plot and fit records the dashboard draws, and the dispatch to the experiment.
//!
//! * One error metric for every point: [`METRIC_NAME`] ([`point_metric`]).
//! * Seeds are aggregated per configuration: mean, and the standard error across seeds
//!   (sd/√n) when there are ≥ 2 seeds, else the point's own evaluation SE.
//! * Fits use every seed's value (the bootstraps resample seeds within each x where there
//!   are several); series show the aggregated values.
//! * Verdicts come from [`VerdictRule::judge`] only.

use super::plan::PointLabels;
use super::result::{PointResult, dedupe};
use super::verdict::{Evidence, Prediction, Verdict, VerdictRule, fmt_num};
use super::{ExperimentKind, SweepResult};
use crate::config::RunConfig;
use crate::eval::ErrorCurve;
use crate::fit::{
    DepthOptimumFit, FloorPowerLawFit, Interval, LinearFit, LogisticFit, PowerLawFit, ScalingExponentFit, TransitionComparison,
    TwoTermFit,
};
use crate::probes::EtaEffScaling;
use crate::schema::RunStatus;
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use serde::{Deserialize, Serialize};

/// The error metric of a sweep point, used for every fit and verdict.
pub const METRIC_NAME: &str = "tail-mean ICL error: the mean of e(k) over k ∈ [⌈K/2⌉, K] at the final held-out evaluation (e(k) normalised as in THEORY.md §0, query noise included); its SE is the mean of the per-k SEs, an upper bound whatever the correlation between k";

/// The metric of a final evaluation curve for context K: (value, SE). None if the curve has no
/// finite value in [⌈K/2⌉, K].
/// Slope of y against x for points (x, y, SE of y), by least squares weighted by 1/SE² when
/// every SE is positive: (slope, its SE, residual degrees of freedom).
pub fn weighted_slope(points: &[(f64, f64, f64)]) -> Option<(f64, f64, usize)> {
    let rows: Vec<Vec<f64>> = points.iter().map(|p| vec![1.0, p.0]).collect();
    let y: Vec<f64> = points.iter().map(|p| p.1).collect();
    let weights: Vec<f64> = points.iter().map(|p| 1.0 / (p.2 * p.2)).collect();
    let weighted = points.iter().all(|p| p.2 > 0.0);
    let f = crate::fit::LinearFit::fit(&rows, &y, if weighted { Some(&weights) } else { None })?;
    Some((f.coefficients[1], f.std_errors[1], f.residuals.dof))
}

pub fn point_metric(curve: &ErrorCurve, context: usize) -> Option<(f64, f64)> {
    let lo = context.div_ceil(2);
    let (mut s, mut se, mut n) = (0.0, 0.0, 0usize);
    for ((&k, &m), &e) in curve.k.iter().zip(&curve.mean).zip(&curve.se) {
        if k >= lo && k <= context {
            s += m;
            se += e;
            n += 1;
        }
    }
    let (v, e) = (s / n as f64, se / n as f64);
    (n > 0 && v.is_finite()).then_some((v, if e.is_finite() { e } else { 0.0 }))
}

/// The Bayes floor of the metric where it is known in closed form: noiseless ISO linear
/// regression, e(k) = max(D − k, 0)/D (THEORY.md §2.4). None otherwise.
pub fn metric_floor(task: &TaskSpec, context: usize) -> Option<f64> {
    if task.family != TaskFamily::Linear || task.covariance != Covariance::Iso || task.noise_var != 0.0 {
        return None;
    }
    let lo = context.div_ceil(2);
    let ks: Vec<usize> = (lo..=context).collect();
    Some(ks.iter().map(|&k| crate::theory::iso::bayes_excess_noiseless(k, task.dim)).sum::<f64>() / ks.len() as f64)
}

/// Bootstrap sizes and seed of the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Resamples for closed-form fits (power laws, depth optima).
    pub bootstrap: usize,
    /// Resamples for Levenberg–Marquardt fits (logistic transitions): fewer, as each is a full fit.
    pub lm_bootstrap: usize,
    pub seed: u64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions { bootstrap: 2000, lm_bootstrap: 300, seed: 20_251_109 }
    }
}

/// How a series should be drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStyle {
    /// Aggregated measurements with error bars.
    Measured,
    /// One marker per seed, no error bars.
    PerSeed,
    /// A fitted curve.
    Fit,
    /// The claim (with its free constant anchored on the data).
    Claim,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub x: f64,
    pub y: f64,
    /// Standard error (or half-width of an interval for fitted quantities); 0 if none.
    pub y_err: f64,
    /// Number of seeds behind y.
    pub n: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// Which plot it belongs to (series with the same `plot` share axes).
    pub plot: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    pub style: SeriesStyle,
    pub points: Vec<SeriesPoint>,
}

/// Values over a grid (rows = `ys`, columns = `xs`); None where no point ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub values: Vec<Vec<Option<f64>>>,
}

/// A fit from [`crate::fit`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitKind {
    PowerLaw(PowerLawFit),
    FloorPowerLaw(FloorPowerLawFit),
    Logistic(LogisticFit),
    Transition(TransitionComparison),
    DepthOptimum(DepthOptimumFit),
    TwoTerm(TwoTermFit),
    Exponent(ScalingExponentFit),
    Linear(LinearFit),
    EtaEff(EtaEffScaling),
}

/// What a fit is about, where an experiment fits one per group (typed, so nothing parses names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FitSubject {
    /// The budget N = L·d (depth optima).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<usize>,
    /// Tree depth h (transitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h: Option<usize>,
    /// Context K (transitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitEntry {
    pub name: String,
    #[serde(default)]
    pub subject: FitSubject,
    pub fit: FitKind,
}

impl FitEntry {
    pub fn new(name: impl Into<String>, fit: FitKind) -> Self {
        FitEntry { name: name.into(), subject: FitSubject::default(), fit }
    }

    pub fn about(mut self, subject: FitSubject) -> Self {
        self.subject = subject;
        self
    }
}

/// Everything the dashboard shows for a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub kind: ExperimentKind,
    pub title: String,
    /// The error metric's definition ([`METRIC_NAME`]).
    pub metric: String,
    pub points_planned: usize,
    /// Done with a finite metric (used by the fits).
    pub points_used: usize,
    /// Still running or paused.
    pub points_running: usize,
    /// Diverged, or done without a usable evaluation.
    pub points_failed: usize,
    /// Caveats and "too few points" messages.
    pub notes: Vec<String>,
    pub series: Vec<Series>,
    pub heatmap: Option<Heatmap>,
    pub fits: Vec<FitEntry>,
    pub verdicts: Vec<Verdict>,
}

/// [`analyze_with`] with the default options.
pub fn analyze(result: &SweepResult) -> Analysis {
    analyze_with(result, &AnalysisOptions::default())
}

/// A usable point: its labels, config and metric.
pub struct Obs {
    pub config: RunConfig,
    pub labels: PointLabels,
    pub value: f64,
    pub se: f64,
    pub curve: ErrorCurve,
}

impl Obs {
    /// A done point with a finite metric; None otherwise.
    pub fn of(p: &PointResult) -> Option<Obs> {
        if p.status != RunStatus::Done {
            return None;
        }
        let (value, se) = point_metric(&p.final_curve, p.config.context)?;
        Some(Obs { config: p.config.clone(), labels: p.labels.clone(), value, se, curve: p.final_curve.clone() })
    }
}

/// Seeds of one configuration.
pub(crate) struct Group<'a> {
    pub members: Vec<&'a Obs>,
}

impl Group<'_> {
    pub fn first(&self) -> &Obs {
        self.members[0]
    }
    pub fn labels(&self) -> &PointLabels {
        &self.members[0].labels
    }
    pub fn n(&self) -> usize {
        self.members.len()
    }
    pub fn mean(&self) -> f64 {
        self.members.iter().map(|o| o.value).sum::<f64>() / self.n() as f64
    }
    /// SE across seeds (≥ 2 seeds), else the evaluation SE.
    pub fn err(&self) -> f64 {
        aggregate_err(&self.members.iter().map(|o| (o.value, o.se)).collect::<Vec<_>>())
    }
    pub fn point(&self, x: f64) -> SeriesPoint {
        SeriesPoint { x, y: self.mean(), y_err: self.err(), n: self.n() }
    }
}

/// Mean and SE of (value, eval SE) pairs from seeds: SE across seeds when ≥ 2, else the eval SE.
pub(crate) fn aggregate_err(v: &[(f64, f64)]) -> f64 {
    let n = v.len();
    if n >= 2 {
        let m = v.iter().map(|p| p.0).sum::<f64>() / n as f64;
        (v.iter().map(|p| (p.0 - m).powi(2)).sum::<f64>() / (n - 1) as f64 / n as f64).sqrt()
    } else {
        v.first().map(|p| p.1).unwrap_or(0.0)
    }
}

/// The configuration with its seed zeroed: what the seeds of one configuration share.
pub(crate) fn seedless(c: &RunConfig) -> RunConfig {
    let mut c = c.clone();
    c.train.seed = 0;
    c
}

/// Groups items by configuration without seed, in first-seen order.
pub(crate) fn group_by_config<'a, T>(items: &[&'a T], config: impl Fn(&T) -> &RunConfig) -> Vec<(RunConfig, Vec<&'a T>)> {
    let mut groups: Vec<(RunConfig, Vec<&'a T>)> = Vec::new();
    for &item in items {
        let key = seedless(config(item));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(item),
            None => groups.push((key, vec![item])),
        }
    }
    groups
}

/// Groups observations by configuration without seed, in first-seen order.
pub(crate) fn group<'a>(obs: &[&'a Obs]) -> Vec<Group<'a>> {
    group_by_config(obs, |o| &o.config).into_iter().map(|(_, members)| Group { members }).collect()
}

pub(crate) fn distinct(v: &[f64]) -> Vec<f64> {
    let mut u: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    u.sort_by(f64::total_cmp);
    u.dedup();
    u
}

/// "6 sizes × 2 seeds" or "11 runs at 6 sizes".
pub(crate) fn design(xs: &[f64], what: &str) -> String {
    let levels = distinct(xs);
    let counts: Vec<usize> = levels.iter().map(|l| xs.iter().filter(|x| *x == l).count()).collect();
    match counts.first() {
        Some(&c) if counts.iter().all(|&x| x == c) => {
            format!("{} {what} × {c} seed{}", levels.len(), if c == 1 { "" } else { "s" })
        }
        _ => format!("{} runs at {} {what}", xs.len(), levels.len()),
    }
}

pub(crate) fn iv_text(i: &Interval) -> String {
    format!("[{}, {}]", fmt_num(i.lo), fmt_num(i.hi))
}

pub(crate) fn verdict(claim: String, rule: VerdictRule, evidence: Option<&Evidence>, prediction: Prediction, measured: String, predicted: String, caveats: &[String]) -> Verdict {
    let (status, reason) = rule.judge(evidence, prediction);
    let mut explanation = format!("{}: {reason}.", status.name());
    for c in caveats {
        explanation.push(' ');
        explanation.push_str(c);
    }
    Verdict { claim, status, measured, predicted, explanation }
}

pub(crate) fn series(name: impl Into<String>, plot: &str, x: &str, y: &str, logs: (bool, bool), style: SeriesStyle, points: Vec<SeriesPoint>) -> Series {
    Series {
        name: name.into(),
        plot: plot.into(),
        x_label: x.into(),
        y_label: y.into(),
        log_x: logs.0,
        log_y: logs.1,
        style,
        points,
    }
}

pub(crate) fn plain(x: f64, y: f64) -> SeriesPoint {
    SeriesPoint { x, y, y_err: 0.0, n: 0 }
}

/// Line y = C x^{slope} through the geometric centre of (xs, ys) (for drawing a claim whose
/// constant is free).
pub(crate) fn anchored_line(xs: &[f64], ys: &[f64], slope: f64) -> Vec<SeriesPoint> {
    let pairs: Vec<(f64, f64)> = xs.iter().zip(ys).filter(|(x, y)| **x > 0.0 && **y > 0.0).map(|(x, y)| (*x, *y)).collect();
    if pairs.is_empty() {
        return vec![];
    }
    let mx = pairs.iter().map(|p| p.0.ln()).sum::<f64>() / pairs.len() as f64;
    let my = pairs.iter().map(|p| p.1.ln()).sum::<f64>() / pairs.len() as f64;
    distinct(&pairs.iter().map(|p| p.0).collect::<Vec<_>>())
        .into_iter()
        .map(|x| plain(x, (my + slope * (x.ln() - mx)).exp()))
        .collect()
}

pub(crate) const METRIC_AXIS: &str = "tail-mean ICL error";

/// Analyses a sweep result, complete or partial.
pub fn analyze_with(result: &SweepResult, opts: &AnalysisOptions) -> Analysis {
    let kind = result.experiment.kind();
    let mut a = Analysis {
        kind,
        title: kind.title().into(),
        metric: METRIC_NAME.into(),
        points_planned: result.plan_points,
        points_used: 0,
        points_running: 0,
        points_failed: 0,
        notes: vec![],
        series: vec![],
        heatmap: None,
        fits: vec![],
        verdicts: vec![],
    };
    let points = match dedupe(&result.points) {
        Ok(p) => p,
        Err(e) => {
            a.notes.push(format!("{e}; duplicates were kept as they are"));
            result.points.clone()
        }
    };
    let mut obs = Vec::new();
    for p in &points {
        match p.status {
            RunStatus::Running | RunStatus::Paused => a.points_running += 1,
            RunStatus::Diverged => a.points_failed += 1,
            RunStatus::Done => match Obs::of(p) {
                Some(o) => obs.push(o),
                None => a.points_failed += 1,
            },
        }
    }
    a.points_used = obs.len();
    a.notes.push(format!(
        "{} of {} planned points are done and usable{}{}.",
        obs.len(),
        result.plan_points,
        if a.points_running > 0 { format!(", {} running", a.points_running) } else { String::new() },
        if a.points_failed > 0 { format!(", {} diverged or without a usable evaluation (left out)", a.points_failed) } else { String::new() },
    ));
    let refs: Vec<&Obs> = obs.iter().collect();
    result.experiment.analyze(&refs, &points, &mut a, opts);
    super::eta_eff::analyze(&mut a, &points);
    a
}
