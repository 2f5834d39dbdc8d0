//! From a (possibly partial) sweep result to plot data, fits and verdicts.
//!
//! * One error metric for every point: [`METRIC_NAME`] ([`point_metric`]).
//! * Seeds are aggregated per configuration: mean, and the standard error across seeds
//!   (sd/√n) when there are ≥ 2 seeds, else the point's own evaluation SE.
//! * Fits use every seed's value (the bootstraps resample seeds within each x where there
//!   are several); series show the aggregated values.
//! * Verdicts come from [`VerdictRule::judge`] only.

use super::result::dedupe;
use super::verdict::{Evidence, Prediction, Verdict, VerdictRule, fmt_num, hull};
use super::{Experiment, ExperimentKind, SizeMeasure, SweepResult};
use crate::config::RunConfig;
use crate::eval::ErrorCurve;
use crate::fit::{
    BootstrapMode, DepthOptimumFit, FloorPowerLawFit, Interval, LinearFit, LogisticFit, PowerLawFit,
    ScalingExponentFit, TransitionComparison, TwoTermFit, compare_transition, t_quantile_975,
};
use crate::probes::{EtaEffModel, EtaEffScaling, eta_eff_scaling};
use crate::schema::RunStatus;
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use crate::theory::mehta_gupta::{claimed_critical_scale, claimed_critical_slope, claimed_exponent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The error metric of a sweep point, used for every fit and verdict.
pub const METRIC_NAME: &str = "tail-mean ICL error: the mean of e(k) over k ∈ [⌈K/2⌉, K] at the final held-out evaluation (e(k) normalised as in THEORY.md §0, query noise included); its SE is the mean of the per-k SEs, an upper bound whatever the correlation between k";

/// The metric of a final evaluation curve for context K: (value, SE). None if the curve has no
/// finite value in [⌈K/2⌉, K].
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitEntry {
    pub name: String,
    pub fit: FitKind,
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
struct Obs {
    config: RunConfig,
    labels: BTreeMap<String, f64>,
    value: f64,
    se: f64,
    curve: ErrorCurve,
}

impl Obs {
    fn get(&self, key: &str) -> f64 {
        self.labels.get(key).copied().unwrap_or(f64::NAN)
    }
}

/// Seeds of one configuration.
struct Group<'a> {
    members: Vec<&'a Obs>,
}

impl Group<'_> {
    fn first(&self) -> &Obs {
        self.members[0]
    }
    fn n(&self) -> usize {
        self.members.len()
    }
    fn mean(&self) -> f64 {
        self.members.iter().map(|o| o.value).sum::<f64>() / self.n() as f64
    }
    /// SE across seeds (≥ 2 seeds), else the evaluation SE.
    fn err(&self) -> f64 {
        aggregate_err(&self.members.iter().map(|o| (o.value, o.se)).collect::<Vec<_>>())
    }
    fn point(&self, x: f64) -> SeriesPoint {
        SeriesPoint { x, y: self.mean(), y_err: self.err(), n: self.n() }
    }
}

/// Mean and SE of (value, eval SE) pairs from seeds: SE across seeds when ≥ 2, else the eval SE.
fn aggregate_err(v: &[(f64, f64)]) -> f64 {
    let n = v.len();
    if n >= 2 {
        let m = v.iter().map(|p| p.0).sum::<f64>() / n as f64;
        (v.iter().map(|p| (p.0 - m).powi(2)).sum::<f64>() / (n - 1) as f64 / n as f64).sqrt()
    } else {
        v.first().map(|p| p.1).unwrap_or(0.0)
    }
}

fn seedless_key(c: &RunConfig) -> String {
    let mut c = c.clone();
    c.train.seed = 0;
    serde_json::to_string(&c).unwrap_or_default()
}

/// Groups observations by configuration without seed, in first-seen order.
fn group<'a>(obs: &[&'a Obs]) -> Vec<Group<'a>> {
    let mut keys: Vec<String> = Vec::new();
    let mut groups: Vec<Group<'a>> = Vec::new();
    for o in obs {
        let k = seedless_key(&o.config);
        match keys.iter().position(|kk| *kk == k) {
            Some(i) => groups[i].members.push(o),
            None => {
                keys.push(k);
                groups.push(Group { members: vec![o] });
            }
        }
    }
    groups
}

fn distinct(v: &[f64]) -> Vec<f64> {
    let mut u: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    u.sort_by(f64::total_cmp);
    u.dedup();
    u
}

/// "6 sizes × 2 seeds" or "11 runs at 6 sizes".
fn design(xs: &[f64], what: &str) -> String {
    let levels = distinct(xs);
    let counts: Vec<usize> = levels.iter().map(|l| xs.iter().filter(|x| *x == l).count()).collect();
    match counts.first() {
        Some(&c) if counts.iter().all(|&x| x == c) => {
            format!("{} {what} × {c} seed{}", levels.len(), if c == 1 { "" } else { "s" })
        }
        _ => format!("{} runs at {} {what}", xs.len(), levels.len()),
    }
}

fn iv_text(i: &Interval) -> String {
    format!("[{}, {}]", fmt_num(i.lo), fmt_num(i.hi))
}

fn verdict(claim: String, rule: VerdictRule, evidence: Option<&Evidence>, prediction: Prediction, measured: String, predicted: String, caveats: &[String]) -> Verdict {
    let (status, reason) = rule.judge(evidence, prediction);
    let mut explanation = format!("{}: {reason}.", status.name());
    for c in caveats {
        explanation.push(' ');
        explanation.push_str(c);
    }
    Verdict { claim, status, measured, predicted, explanation }
}

fn series(name: impl Into<String>, plot: &str, x: &str, y: &str, logs: (bool, bool), style: SeriesStyle, points: Vec<SeriesPoint>) -> Series {
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

fn plain(x: f64, y: f64) -> SeriesPoint {
    SeriesPoint { x, y, y_err: 0.0, n: 0 }
}

/// Line y = C x^{slope} through the geometric centre of (xs, ys) (for drawing a claim whose
/// constant is free).
fn anchored_line(xs: &[f64], ys: &[f64], slope: f64) -> Vec<SeriesPoint> {
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

const METRIC_AXIS: &str = "tail-mean ICL error";

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
            RunStatus::Done => match point_metric(&p.final_curve, p.config.context) {
                Some((value, se)) => obs.push(Obs {
                    config: p.config.clone(),
                    labels: p.labels.clone(),
                    value,
                    se,
                    curve: p.final_curve.clone(),
                }),
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
    match &result.experiment {
        Experiment::Scaling { measure, .. } => {
            let h = result.experiment.scaling_h().unwrap_or(1);
            scaling(&mut a, &refs, *measure, h, result.experiment.task(), opts);
        }
        Experiment::DepthWidth { .. } => depth_width(&mut a, &refs, opts),
        Experiment::Transition { hs, contexts, .. } => transition(&mut a, &refs, hs, contexts, opts),
        Experiment::LearningCurve { covariances, .. } => learning_curve(&mut a, &refs, &points, covariances),
    }
    eta_eff(&mut a, &points);
    a
}

fn scaling(a: &mut Analysis, obs: &[&Obs], measure: SizeMeasure, h: usize, task: &TaskSpec, opts: &AnalysisOptions) {
    let key = measure.label_key();
    let plot = "error vs size";
    let xs: Vec<f64> = obs.iter().map(|o| o.get(key)).collect();
    let es: Vec<f64> = obs.iter().map(|o| o.value).collect();
    let mut groups: Vec<(f64, SeriesPoint)> = group(obs).iter().map(|g| (g.first().get(key), g.point(g.first().get(key)))).collect();
    groups.sort_by(|p, q| p.0.total_cmp(&q.0));
    let logs = (true, true);
    a.series.push(series("measured", plot, measure.label(), METRIC_AXIS, logs, SeriesStyle::Measured, groups.iter().map(|g| g.1).collect()));
    a.series.push(series("per seed", plot, measure.label(), METRIC_AXIS, logs, SeriesStyle::PerSeed, xs.iter().zip(&es).map(|(&x, &y)| plain(x, y)).collect()));
    let levels = distinct(&xs);
    let alpha_claim = claimed_exponent(h);
    let claim = format!("ε ∝ N^−α with α = 1/(2(h+1)) (size measure: {})", measure.label());
    let predicted = format!("α = 1/(2(h+1)) = {} for the declared h = {h}", fmt_num(alpha_claim));
    let rule = VerdictRule::new(4);
    let fit = if levels.len() >= 2 {
        PowerLawFit::with_bootstrap(&xs, &es, opts.bootstrap, 0.95, BootstrapMode::Auto, opts.seed)
    } else {
        None
    };
    let mut caveats = Vec::new();
    if levels.len() < rule.min_levels {
        a.notes.push(format!("The power-law verdict needs ≥ {} distinct sizes; {} so far.", rule.min_levels, levels.len()));
    }
    if let (Some(lo), Some(hi)) = (levels.first(), levels.last()) {
        let decades = (hi / lo).log10();
        if decades < 2.0 && levels.len() >= 2 {
            caveats.push(format!("The sizes span {:.1} decades, short of the 2 that §4.1 asks for.", decades));
        }
    }
    // The other size measure (§4.0 items 1–2).
    let other = measure.other();
    let xo: Vec<f64> = obs.iter().map(|o| o.get(other.label_key())).collect();
    let other_fit = if distinct(&xo).len() >= 2 { PowerLawFit::fit(&xo, &es) } else { None };
    // A floor (§4.0 item 4).
    let floor_fit = if levels.len() >= 5 { FloorPowerLawFit::fit(&xs, &es) } else { None };
    let context = obs.first().map(|o| o.config.context).unwrap_or(0);
    let bayes = metric_floor(task, context);
    let (evidence, measured) = match &fit {
        Some(f) => {
            let iv = hull(f.alpha_ci, f.bootstrap.as_ref().map(|b| b.alpha));
            let how = if f.bootstrap.is_some() { "bootstrap ∪ Student-t" } else { "Student-t" };
            a.series.push(series("power-law fit", plot, measure.label(), METRIC_AXIS, logs, SeriesStyle::Fit, levels.iter().map(|&x| plain(x, f.predict(x))).collect()));
            (
                Some(Evidence { estimate: f.alpha, interval: iv, levels: levels.len() }),
                format!("α̂ = {} {} (95% CI, {how}; {})", fmt_num(f.alpha), iv_text(&iv), design(&xs, "sizes")),
            )
        }
        None => (None, format!("no fit ({})", design(&xs, "sizes"))),
    };
    if !es.is_empty() {
        a.series.push(series(format!("claim: slope −{}", fmt_num(alpha_claim)), plot, measure.label(), METRIC_AXIS, logs, SeriesStyle::Claim, anchored_line(&xs, &es, -alpha_claim)));
    }
    if let Some(f) = &fit {
        a.fits.push(FitEntry { name: format!("power law vs {}", measure.label()), fit: FitKind::PowerLaw(f.clone()) });
    }
    if let (Some(of), Some(f)) = (&other_fit, &fit) {
        let differs = !f.alpha_ci.contains(of.alpha);
        caveats.push(format!(
            "Against {} the exponent is {} ({} the interval above): §4.0 item 2.",
            other.label(),
            fmt_num(of.alpha),
            if differs { "outside" } else { "inside" }
        ));
        a.fits.push(FitEntry { name: format!("power law vs {}", other.label()), fit: FitKind::PowerLaw(of.clone()) });
    }
    if let Some(ff) = &floor_fit {
        caveats.push(format!(
            "With a floor, ε = ε_∞ + C·N^−α gives α = {} {} and ε_∞ = {}{}.",
            fmt_num(ff.alpha),
            iv_text(&ff.alpha_ci),
            fmt_num(ff.e_inf),
            match bayes {
                Some(b) => format!(" (Bayes floor of the metric: {})", fmt_num(b)),
                None => String::new(),
            }
        ));
        a.fits.push(FitEntry { name: "power law with floor".into(), fit: FitKind::FloorPowerLaw(ff.clone()) });
    }
    caveats.push("h is a declared label for regression tasks (§4.0 item 3).".into());
    a.verdicts.push(verdict(claim, rule, evidence.as_ref(), Prediction::Value(alpha_claim), measured, predicted, &caveats));
}

/// One budget's depth optimum.
struct BudgetOptimum {
    budget: f64,
    fit: Option<DepthOptimumFit>,
    interval: Option<Interval>,
    best_l: f64,
    depths: Vec<f64>,
}

fn depth_width(a: &mut Analysis, obs: &[&Obs], opts: &AnalysisOptions) {
    let groups = group(obs);
    // Heat map over (L, d).
    let ls = distinct(&obs.iter().map(|o| o.get("L")).collect::<Vec<_>>());
    let ds = distinct(&obs.iter().map(|o| o.get("d")).collect::<Vec<_>>());
    if !obs.is_empty() {
        let values = ds
            .iter()
            .map(|&d| {
                ls.iter()
                    .map(|&l| groups.iter().find(|g| g.first().get("L") == l && g.first().get("d") == d).map(|g| g.mean()))
                    .collect()
            })
            .collect();
        a.heatmap = Some(Heatmap {
            title: "tail-mean ICL error over depth and width".into(),
            x_label: "depth L".into(),
            y_label: "width d".into(),
            xs: ls.clone(),
            ys: ds.clone(),
            values,
        });
    }
    let budgets = distinct(&obs.iter().map(|o| o.get("budget")).collect::<Vec<_>>());
    let mut optima = Vec::new();
    for &n in &budgets {
        let at: Vec<&Obs> = obs.iter().copied().filter(|o| o.get("budget") == n).collect();
        let l: Vec<f64> = at.iter().map(|o| o.get("L")).collect();
        let e: Vec<f64> = at.iter().map(|o| o.value).collect();
        let mut pts: Vec<SeriesPoint> = group(&at).iter().map(|g| g.point(g.first().get("L"))).collect();
        pts.sort_by(|p, q| p.x.total_cmp(&q.x));
        let best_l = pts.iter().min_by(|p, q| p.y.total_cmp(&q.y)).map(|p| p.x).unwrap_or(f64::NAN);
        a.series.push(series(format!("N = {}", fmt_num(n)), "error vs depth at fixed N = L·d", "depth L", METRIC_AXIS, (true, true), SeriesStyle::Measured, pts));
        let depths = distinct(&l);
        let fit = if depths.len() >= 3 { DepthOptimumFit::with_bootstrap(&l, &e, Some(5), opts.bootstrap, opts.seed) } else { None };
        let interval = fit.as_ref().map(|f| hull(f.l_star_ci, f.l_star_bootstrap));
        if let Some(f) = &fit {
            a.fits.push(FitEntry { name: format!("depth optimum at N = {}", fmt_num(n)), fit: FitKind::DepthOptimum(f.clone()) });
        }
        optima.push(BudgetOptimum { budget: n, fit, interval, best_l, depths });
    }
    let mut lines = Vec::new();
    for o in &optima {
        lines.push(match (&o.fit, &o.interval) {
            (Some(f), Some(iv)) if f.interior && f.l_star.is_finite() => format!(
                "N = {}: L̂* = {} {} (interior; best measured L = {})",
                fmt_num(o.budget),
                fmt_num(f.l_star),
                iv_text(iv),
                fmt_num(o.best_l)
            ),
            (Some(_), _) => format!(
                "N = {}: no interior optimum over L ∈ [{}, {}] (best measured L = {})",
                fmt_num(o.budget),
                fmt_num(o.depths[0]),
                fmt_num(*o.depths.last().unwrap_or(&f64::NAN)),
                fmt_num(o.best_l)
            ),
            _ => format!("N = {}: {} depth(s) so far, the quadratic needs 3", fmt_num(o.budget), o.depths.len()),
        });
    }
    let interior: Vec<&BudgetOptimum> = optima
        .iter()
        .filter(|o| o.fit.as_ref().is_some_and(|f| f.interior && f.l_star.is_finite() && f.l_star > 0.0))
        .collect();
    let bn: Vec<f64> = interior.iter().map(|o| o.budget).collect();
    let bl: Vec<f64> = interior.iter().map(|o| o.fit.as_ref().map(|f| f.l_star).unwrap_or(f64::NAN)).collect();
    a.series.push(series(
        "L̂* (interior optima)",
        "optimal depth vs budget",
        "N = L·d",
        "L*",
        (true, true),
        SeriesStyle::Measured,
        interior
            .iter()
            .zip(&bl)
            .map(|(o, &l)| SeriesPoint { x: o.budget, y: l, y_err: o.interval.map(|i| 0.5 * (i.hi - i.lo)).unwrap_or(0.0), n: 1 })
            .collect(),
    ));
    if !bl.is_empty() {
        a.series.push(series("claim: slope 2/3", "optimal depth vs budget", "N = L·d", "L*", (true, true), SeriesStyle::Claim, anchored_line(&bn, &bl, 2.0 / 3.0)));
    }
    let rule = VerdictRule::new(3);
    let slope = if bn.len() >= 2 { ScalingExponentFit::fit(&bn, &bl, None) } else { None };
    let mut caveats = vec![format!("Per budget: {}.", lines.join("; "))];
    if let Some(s) = &slope {
        a.fits.push(FitEntry { name: "L̂* vs N".into(), fit: FitKind::Exponent(s.clone()) });
        a.series.push(series("fit", "optimal depth vs budget", "N = L·d", "L*", (true, true), SeriesStyle::Fit, bn.iter().map(|&n| plain(n, (s.intercept + s.exponent * n.ln()).exp())).collect()));
        caveats.push(format!("d̂* = N/L̂* then scales with slope {} (claim 1/3).", fmt_num(1.0 - s.exponent)));
        // Against parameters P ≈ 12·L·d² = 12 N²/L* (§4.0 item 2).
        let p: Vec<f64> = bn.iter().zip(&bl).map(|(n, l)| crate::theory::mehta_gupta::transformer_params(*l, n / l)).collect();
        if let Some(sp) = ScalingExponentFit::fit(&p, &bl, None) {
            caveats.push(format!(
                "Against P ≈ 12·L*·d*² the slope is {} {} (the claim's loss, b = 2a, implies 1/2 there).",
                fmt_num(sp.exponent),
                iv_text(&sp.exponent_ci)
            ));
            a.fits.push(FitEntry { name: "L̂* vs P".into(), fit: FitKind::Exponent(sp) });
        }
    }
    if bn.len() < rule.min_levels {
        a.notes.push(format!(
            "The L* exponent needs interior optima at ≥ {} budgets; {} so far.",
            rule.min_levels,
            bn.len()
        ));
        if optima.iter().any(|o| o.fit.as_ref().is_some_and(|f| !f.interior)) {
            caveats.push("A budget without an interior optimum means the optimum lies outside the depths tried (or the error is monotone in L); §4.5 counts a monotone trend against the claim only over a wide enough depth range.".into());
        }
    }
    // The two-term model fitted to the whole grid.
    let all_l: Vec<f64> = obs.iter().map(|o| o.get("L")).collect();
    let all_d: Vec<f64> = obs.iter().map(|o| o.get("d")).collect();
    let all_e: Vec<f64> = obs.iter().map(|o| o.value).collect();
    if obs.len() >= 5 && budgets.len() >= 2 {
        if let Some(t) = TwoTermFit::fit(&all_l, &all_d, &all_e) {
            caveats.push(format!(
                "The two-term fit ε = A·L^−a + B·d^−b gives a = {}, b = {}: L* ∝ N^{} under L·d = N.",
                fmt_num(t.a_exp),
                fmt_num(t.b_exp),
                fmt_num(t.b_exp / (t.a_exp + t.b_exp))
            ));
            a.fits.push(FitEntry { name: "two-term ε = A L^−a + B d^−b".into(), fit: FitKind::TwoTerm(t) });
        }
    }
    let (evidence, measured) = match &slope {
        Some(s) => (
            Some(Evidence { estimate: s.exponent, interval: s.exponent_ci, levels: bn.len() }),
            format!(
                "slope of ln L̂* in ln N = {} {} (95% Student-t CI; {} budgets with an interior optimum)",
                fmt_num(s.exponent),
                iv_text(&s.exponent_ci),
                bn.len()
            ),
        ),
        None => (None, format!("{} budget(s) with an interior optimum", bn.len())),
    };
    a.verdicts.push(verdict(
        "Optimal depth L* ∝ N^{2/3} at fixed N = L·d".into(),
        rule,
        evidence.as_ref(),
        Prediction::Value(2.0 / 3.0),
        measured,
        "slope 2/3 (and d* ∝ N^{1/3})".into(),
        &caveats,
    ));
    table3_replica(a, &groups, &budgets);
}

/// Mehta & Gupta's Table 3, scaled down: at each budget N = L·d, the deepest-narrowest shape
/// of the grid against the shallowest-widest. Their pair is (L, d) = (64, 31250) against
/// (4, 500000) at N = 2·10⁶, the deep one 4× better (THEORY.md §4.0 item 8). Widths of 10⁵
/// cannot train in a browser, so N shrinks to the grid's budgets and the depth ratio to what
/// the grid holds there. Evidence: the mean over budgets of ln(ε_shallow/ε_deep) with its SE
/// (delta method on the per-shape SEs); the claim is that it is positive.
fn table3_replica(a: &mut Analysis, groups: &[Group], budgets: &[f64]) {
    const PLOT: &str = "Table 3 replica: deep-narrow vs shallow-wide at equal N";
    let (mut deep_pts, mut wide_pts, mut rows, mut log_ratios) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &n in budgets {
        let at: Vec<&Group> = groups.iter().filter(|g| g.first().get("budget") == n).collect();
        let by_depth = |g: &&&Group| g.first().get("L");
        let (Some(deep), Some(wide)) = (at.iter().max_by(|x, y| by_depth(x).total_cmp(&by_depth(y))), at.iter().min_by(|x, y| by_depth(x).total_cmp(&by_depth(y)))) else {
            continue;
        };
        let (ld, lw) = (deep.first().get("L"), wide.first().get("L"));
        if ld <= lw || deep.mean() <= 0.0 || wide.mean() <= 0.0 {
            continue;
        }
        deep_pts.push(deep.point(n));
        wide_pts.push(wide.point(n));
        let ratio = wide.mean() / deep.mean();
        let se = ((wide.err() / wide.mean()).powi(2) + (deep.err() / deep.mean()).powi(2)).sqrt();
        log_ratios.push((ratio.ln(), se));
        rows.push(format!(
            "N = {n:.0}: (L, d) = ({ld:.0}, {:.0}) scores {} against ({lw:.0}, {:.0}) {}, ratio {}",
            deep.first().get("d"),
            fmt_num(deep.mean()),
            wide.first().get("d"),
            fmt_num(wide.mean()),
            fmt_num(ratio)
        ));
    }
    if log_ratios.is_empty() {
        return;
    }
    a.series.push(series("deep-narrow (largest L)", PLOT, "N = L·d", METRIC_AXIS, (true, true), SeriesStyle::Measured, deep_pts));
    a.series.push(series("shallow-wide (smallest L)", PLOT, "N = L·d", METRIC_AXIS, (true, true), SeriesStyle::Measured, wide_pts));
    let m = log_ratios.len() as f64;
    let mean = log_ratios.iter().map(|r| r.0).sum::<f64>() / m;
    let se = log_ratios.iter().map(|r| r.1 * r.1).sum::<f64>().sqrt() / m;
    let interval = Interval { lo: mean - 1.96 * se, hi: mean + 1.96 * se, level: 0.95 };
    let evidence = Evidence { estimate: mean, interval, levels: log_ratios.len() };
    let caveats = vec![
        format!("Per budget: {}.", rows.join("; ")),
        "Scaled from the paper's (64, 31250) vs (4, 500000) at N = 2·10⁶ (deep 4× better): widths of 10⁵ cannot train in a browser, so N is the grid's budgets and the depth ratio is the largest the grid holds at each.".into(),
    ];
    a.verdicts.push(verdict(
        "Table 3 (scaled): deep-narrow beats shallow-wide at equal N = L·d".into(),
        VerdictRule::new(1),
        Some(&evidence),
        Prediction::Above(0.0),
        format!(
            "mean ln(ε_shallow/ε_deep) = {} [{}, {}] over {} budget(s) (error ratio {})",
            fmt_num(mean),
            fmt_num(interval.lo),
            fmt_num(interval.hi),
            log_ratios.len(),
            fmt_num(mean.exp())
        ),
        "ln ratio > 0 (the paper's row: ratio 4, ln 4 = 1.39)".into(),
        &caveats,
    ));
}

/// A located (or not) transition of one (h, K).
struct TransitionFit {
    h: usize,
    k: usize,
    n_max: f64,
    levels: usize,
    logistic: Option<LogisticFit>,
    /// ln N̂_c with its 95% interval (hull of Student-t and bootstrap) if located in range.
    located: Option<(f64, Interval)>,
    /// Mean metric at the largest N.
    e_at_max: f64,
}

fn transition(a: &mut Analysis, obs: &[&Obs], hs: &[usize], contexts: &[usize], opts: &AnalysisOptions) {
    let plot = "error vs N = L·d";
    let all_n: Vec<f64> = obs.iter().map(|o| o.get("N")).collect();
    let mut fits = Vec::new();
    for &h in hs {
        for &k in contexts {
            let at: Vec<&Obs> = obs.iter().copied().filter(|o| o.get("h") == h as f64 && o.config.context == k).collect();
            let n: Vec<f64> = at.iter().map(|o| o.get("N")).collect();
            let e: Vec<f64> = at.iter().map(|o| o.value).collect();
            let mut pts: Vec<SeriesPoint> = group(&at).iter().map(|g| g.point(g.first().get("N"))).collect();
            pts.sort_by(|p, q| p.x.total_cmp(&q.x));
            let e_at_max = pts.last().map(|p| p.y).unwrap_or(f64::NAN);
            let name = format!("h = {h}, K = {k}");
            a.series.push(series(name.clone(), plot, "N = L·d", METRIC_AXIS, (true, false), SeriesStyle::Measured, pts));
            let levels = distinct(&n);
            let (n_min, n_max) = (levels.first().copied().unwrap_or(f64::NAN), levels.last().copied().unwrap_or(f64::NAN));
            let cmp = if n.len() >= 5 && levels.len() >= 4 { compare_transition(&n, &e) } else { None };
            let logistic = if cmp.is_some() { LogisticFit::with_bootstrap(&n, &e, opts.lm_bootstrap, opts.seed) } else { None };
            // A transition is located only if the fit is identified: N_c inside the swept
            // range with an interval that stays within a decade of it, a finite, non-zero SE
            // for the width, and a drop larger than the noise (3 residual SDs and 2 combined
            // SEs of the levels). A step fitted to plateau noise fails these and locates nothing.
            let located = logistic.as_ref().and_then(|f| {
                let iv = hull(f.n_c_ci, f.n_c_bootstrap);
                let drop = f.e_hi - f.e_lo;
                let drop_se = (f.se_e_hi.powi(2) + f.se_e_lo.powi(2)).sqrt();
                let ok = f.converged
                    && f.log_nc.is_finite()
                    && f.n_c >= n_min
                    && f.n_c <= n_max
                    && iv.lo > 0.1 * n_min
                    && iv.hi < 10.0 * n_max
                    && f.se_width.is_finite()
                    && f.se_width > 0.0
                    && drop > 3.0 * f.residuals.sd
                    && drop > 2.0 * drop_se;
                ok.then(|| (f.log_nc, Interval { lo: iv.lo.max(0.0).ln(), hi: iv.hi.ln(), level: 0.95 }))
            });
            if let Some(f) = &logistic {
                a.series.push(series(format!("logistic fit, {name}"), plot, "N = L·d", METRIC_AXIS, (true, false), SeriesStyle::Fit, levels.iter().map(|&x| plain(x, f.predict(x))).collect()));
                a.fits.push(FitEntry { name: format!("logistic, {name}"), fit: FitKind::Logistic(f.clone()) });
            }
            if let Some(c) = &cmp {
                a.fits.push(FitEntry { name: format!("logistic vs smooth, {name}"), fit: FitKind::Transition(c.clone()) });
            }
            // Sharpness verdict.
            let rule = VerdictRule::new(5);
            let mut caveats = Vec::new();
            let evidence = match (&logistic, &located) {
                (Some(f), Some(_)) => {
                    let t = t_quantile_975(f.residuals.dof);
                    Some(Evidence { estimate: f.width, interval: Interval { lo: f.width - t * f.se_width, hi: f.width + t * f.se_width, level: 0.95 }, levels: levels.len() })
                }
                (Some(f), None) => {
                    caveats.push(format!(
                        "The logistic fit (N_c = {}) is not identified within the swept range [{}, {}]: N_c outside it, an interval reaching far beyond it, or a drop no larger than the noise. No transition located.",
                        fmt_num(f.n_c),
                        fmt_num(n_min),
                        fmt_num(n_max)
                    ));
                    None
                }
                _ => None,
            };
            if let Some(c) = &cmp {
                caveats.push(format!(
                    "AIC: logistic {} vs smooth power law with floor {} ({}).",
                    fmt_num(c.logistic_aic),
                    fmt_num(c.smooth_aic),
                    if c.logistic_aic < c.smooth_aic { "the logistic is preferred" } else { "the smooth law is preferred" }
                ));
            }
            let measured = match (&logistic, &located) {
                (Some(f), Some((_, iv))) => format!(
                    "N̂_c = {} [{}, {}], width w = {} ± {} e-folds ({})",
                    fmt_num(f.n_c),
                    fmt_num(iv.lo.exp()),
                    fmt_num(iv.hi.exp()),
                    fmt_num(f.width),
                    fmt_num(f.se_width),
                    design(&n, "sizes")
                ),
                _ => format!("no transition located ({})", design(&n, "sizes")),
            };
            if levels.len() < 5 {
                a.notes.push(format!("{name}: the logistic fit needs ≥ 5 sizes; {} so far.", levels.len()));
            }
            a.verdicts.push(verdict(
                format!("Sharp transition in N for trees of depth h = {h} at k = {k}"),
                rule,
                evidence.as_ref(),
                Prediction::Below(0.5),
                measured,
                "a sharp drop: logistic width w < 0.5 e-fold (§4.4)".into(),
                &caveats,
            ));
            fits.push(TransitionFit { h, k, n_max, levels: levels.len(), logistic, located, e_at_max });
        }
    }
    // The constant c, calibrated as in the plan.
    let levels = distinct(&all_n);
    if let (Some(&h0), Some(&k0), Some(&nmin), Some(&nmax)) = (hs.first(), contexts.first(), levels.first(), levels.last()) {
        let c = super::transition_constant(nmin, nmax, k0, h0);
        a.notes.push(format!(
            "Claimed N_c = c·(k·h)^(2(h+1)) with k = K and c = {} (calibrated: the claimed N_c for h = {h0}, k = {k0} at √(N_min·N_max)); only c-free differences are judged.",
            fmt_num(c)
        ));
    }
    // Growth of ln N_c from one h to the next at fixed k (c cancels).
    for &k in contexts {
        let at: Vec<&TransitionFit> = fits.iter().filter(|f| f.k == k).collect();
        for w in at.windows(2) {
            let (f1, f2) = (w[0], w[1]);
            let pred = claimed_critical_scale(k, f2.h, 1.0).ln() - claimed_critical_scale(k, f1.h, 1.0).ln();
            let se_of = |iv: &Interval| (iv.hi - iv.lo) / (2.0 * 1.959964);
            let mut caveats = Vec::new();
            let (evidence, measured) = match (&f1.located, &f2.located) {
                (Some((l1, i1)), Some((l2, i2))) => {
                    let d = l2 - l1;
                    let se = (se_of(i1).powi(2) + se_of(i2).powi(2)).sqrt();
                    let iv = Interval { lo: d - 1.959964 * se, hi: d + 1.959964 * se, level: 0.95 };
                    (Some(Evidence { estimate: d, interval: iv, levels: f1.levels.min(f2.levels) }), format!("Δ ln N̂_c = {} {}", fmt_num(d), iv_text(&iv)))
                }
                (Some((l1, i1)), None) => {
                    let mid = f1.logistic.as_ref().map(|f| 0.5 * (f.e_hi + f.e_lo)).unwrap_or(f64::NAN);
                    if f2.e_at_max >= mid && f2.n_max.is_finite() {
                        // h₂ has not dropped by the largest N: N_c(h₂) > N_max, a lower bound only.
                        let lo = f2.n_max.ln() - (l1 + (i1.hi - l1));
                        caveats.push(format!("For h = {} the error has not dropped by N = {}: N_c(h = {}) lies beyond the range, so Δ is only bounded below.", f2.h, fmt_num(f2.n_max), f2.h));
                        (
                            Some(Evidence { estimate: lo, interval: Interval { lo, hi: f64::INFINITY, level: 0.95 }, levels: f1.levels.min(f2.levels) }),
                            format!("Δ ln N̂_c > {} (no transition for h = {} up to N = {})", fmt_num(lo), f2.h, fmt_num(f2.n_max)),
                        )
                    } else {
                        (None, format!("no transition located for h = {}", f2.h))
                    }
                }
                _ => (None, format!("no transition located for h = {}", f1.h)),
            };
            a.verdicts.push(verdict(
                format!("N_c grows from h = {} to h = {} as (k·h)^(2(h+1)) at k = {k}", f1.h, f2.h),
                VerdictRule::new(5),
                evidence.as_ref(),
                Prediction::Value(pred),
                measured,
                format!("Δ ln N_c = 2(h₂+1)ln(k h₂) − 2(h₁+1)ln(k h₁) = {} (a factor {})", fmt_num(pred), fmt_num(pred.exp())),
                &caveats,
            ));
        }
    }
    // ln N_c against ln k at fixed h (§4.4; THEORY §4.0 item 7: the testable part).
    if contexts.len() >= 2 {
        for &h in hs {
            let at: Vec<&TransitionFit> = fits.iter().filter(|f| f.h == h && f.located.is_some()).collect();
            let ks: Vec<f64> = at.iter().map(|f| f.k as f64).collect();
            let nc: Vec<f64> = at.iter().map(|f| f.located.map(|l| l.0.exp()).unwrap_or(f64::NAN)).collect();
            let fit = if ks.len() >= 2 { ScalingExponentFit::fit(&ks, &nc, None) } else { None };
            let pred = claimed_critical_slope(h);
            let (evidence, measured) = match &fit {
                Some(s) => {
                    a.fits.push(FitEntry { name: format!("N̂_c vs k, h = {h}"), fit: FitKind::Exponent(s.clone()) });
                    (
                        Some(Evidence { estimate: s.exponent, interval: s.exponent_ci, levels: ks.len() }),
                        format!("β̂ = {} {} over k ∈ {:?}", fmt_num(s.exponent), iv_text(&s.exponent_ci), at.iter().map(|f| f.k).collect::<Vec<_>>()),
                    )
                }
                None => (None, format!("{} context(s) with a located transition", ks.len())),
            };
            a.verdicts.push(verdict(
                format!("ln N_c grows as 2(h+1)·ln k at fixed h = {h}"),
                VerdictRule::new(3),
                evidence.as_ref(),
                Prediction::Value(pred),
                measured,
                format!("β = 2(h+1) = {}", fmt_num(pred)),
                &[],
            ));
        }
    }
}

/// Short name of a covariance for series and verdicts.
fn cov_name(c: &Covariance) -> String {
    match c {
        Covariance::Iso => "ISO".into(),
        Covariance::Fs { nu, mu } => format!("FS (ν = {nu}, μ = {mu})"),
        Covariance::Rrs { nu, mu } => format!("RRS (ν = {nu}, μ = {mu})"),
    }
}

/// Depth gain Δ(k) = ē_shallow(k) − ē_deep(k) for one covariance: per k (value, SE).
struct DepthGain {
    cov: Covariance,
    l_shallow: f64,
    l_deep: f64,
    k: Vec<f64>,
    gain: Vec<f64>,
    se: Vec<f64>,
    context: usize,
}

impl DepthGain {
    /// (estimate, SE, dof, levels) of the slope of Δ over k ∈ [⌈K/2⌉, K] (weighted by 1/SE²).
    fn upper_slope(&self) -> Option<(f64, f64, usize, usize)> {
        let lo = self.context.div_ceil(2) as f64;
        let idx: Vec<usize> = (0..self.k.len()).filter(|&i| self.k[i] >= lo).collect();
        if idx.len() < 3 {
            return None;
        }
        let rows: Vec<Vec<f64>> = idx.iter().map(|&i| vec![1.0, self.k[i]]).collect();
        let y: Vec<f64> = idx.iter().map(|&i| self.gain[i]).collect();
        let weighted = idx.iter().all(|&i| self.se[i] > 0.0);
        let w: Vec<f64> = idx.iter().map(|&i| 1.0 / self.se[i].powi(2)).collect();
        let f = LinearFit::fit(&rows, &y, if weighted { Some(&w) } else { None })?;
        Some((f.coefficients[1], f.std_errors[1], f.residuals.dof, idx.len()))
    }

    /// Mean gain over k ∈ [⌈K/2⌉, K] and its conservative SE (mean of the per-k SEs).
    fn upper_mean(&self) -> Option<(f64, f64, usize)> {
        let lo = self.context.div_ceil(2) as f64;
        let idx: Vec<usize> = (0..self.k.len()).filter(|&i| self.k[i] >= lo).collect();
        if idx.is_empty() {
            return None;
        }
        let n = idx.len() as f64;
        Some((idx.iter().map(|&i| self.gain[i]).sum::<f64>() / n, idx.iter().map(|&i| self.se[i]).sum::<f64>() / n, idx.len()))
    }
}

fn learning_curve(a: &mut Analysis, obs: &[&Obs], points: &[super::PointResult], covariances: &[Covariance]) {
    // Error against step, from every point's evaluations (running points included).
    let mut by_cfg: Vec<(String, Vec<&super::PointResult>)> = Vec::new();
    for p in points {
        let key = seedless_key(&p.config);
        match by_cfg.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(p),
            None => by_cfg.push((key, vec![p])),
        }
    }
    for (_, ps) in &by_cfg {
        let c = &ps[0].config;
        let mut steps: Vec<usize> = ps.iter().flat_map(|p| p.evals.iter().map(|e| e.step)).collect();
        steps.sort_unstable();
        steps.dedup();
        let pts: Vec<SeriesPoint> = steps
            .iter()
            .filter_map(|&s| {
                let vals: Vec<(f64, f64)> = ps
                    .iter()
                    .filter_map(|p| p.evals.iter().find(|e| e.step == s).and_then(|e| point_metric(&e.curve, c.context)))
                    .collect();
                (!vals.is_empty()).then(|| SeriesPoint {
                    x: s as f64,
                    y: vals.iter().map(|v| v.0).sum::<f64>() / vals.len() as f64,
                    y_err: aggregate_err(&vals),
                    n: vals.len(),
                })
            })
            .collect();
        a.series.push(series(
            format!("{}, L = {}, d = {}", cov_name(&c.task.covariance), c.model.depth, c.model.width),
            &format!("learning curves, {}", cov_name(&c.task.covariance)),
            "training step",
            METRIC_AXIS,
            (false, true),
            SeriesStyle::Measured,
            pts,
        ));
    }
    // Final e(k) per shape and the depth gain per covariance.
    let mut gains = Vec::new();
    for cov in covariances {
        let at: Vec<&Obs> = obs.iter().copied().filter(|o| o.config.task.covariance == *cov).collect();
        let groups = group(&at);
        // Per group: mean curve and SE per k.
        let mut curves: Vec<(f64, f64, Vec<usize>, Vec<f64>, Vec<f64>)> = Vec::new();
        for g in &groups {
            let ks = g.first().curve.k.clone();
            let (mut m, mut s) = (Vec::new(), Vec::new());
            for (i, _) in ks.iter().enumerate() {
                let vals: Vec<(f64, f64)> =
                    g.members.iter().filter_map(|o| Some((*o.curve.mean.get(i)?, *o.curve.se.get(i)?))).collect();
                m.push(vals.iter().map(|v| v.0).sum::<f64>() / vals.len().max(1) as f64);
                s.push(aggregate_err(&vals));
            }
            let (l, d) = (g.first().get("L"), g.first().get("d"));
            a.series.push(series(
                format!("{}, L = {l}, d = {d}", cov_name(cov)),
                &format!("final e(k), {}", cov_name(cov)),
                "context size k",
                "ICL error e(k)",
                (false, true),
                SeriesStyle::Measured,
                ks.iter().zip(&m).zip(&s).map(|((&k, &y), &e)| SeriesPoint { x: k as f64, y, y_err: e, n: g.n() }).collect(),
            ));
            curves.push((l, d, ks, m, s));
        }
        if curves.len() < 2 {
            a.notes.push(format!("{}: the depth comparison needs two finished depths; {} so far.", cov_name(cov), curves.len()));
            continue;
        }
        let shallow = curves.iter().min_by(|p, q| p.0.total_cmp(&q.0)).cloned();
        let deep = curves.iter().max_by(|p, q| p.0.total_cmp(&q.0)).cloned();
        let (Some(sh), Some(dp)) = (shallow, deep) else { continue };
        if sh.0 == dp.0 {
            continue;
        }
        if sh.1 != dp.1 {
            a.notes.push(format!("{}: the shallowest and deepest shapes differ in width ({} vs {}).", cov_name(cov), sh.1, dp.1));
        }
        let mut g = DepthGain { cov: cov.clone(), l_shallow: sh.0, l_deep: dp.0, k: vec![], gain: vec![], se: vec![], context: at[0].config.context };
        for (i, &k) in sh.2.iter().enumerate() {
            if let Some(j) = dp.2.iter().position(|&kk| kk == k) {
                g.k.push(k as f64);
                g.gain.push(sh.3[i] - dp.3[j]);
                g.se.push((sh.4[i].powi(2) + dp.4[j].powi(2)).sqrt());
            }
        }
        a.series.push(series(
            format!("{}: e(L = {}) − e(L = {})", cov_name(cov), g.l_shallow, g.l_deep),
            "depth gain vs context",
            "context size k",
            "depth gain Δ(k)",
            (false, false),
            SeriesStyle::Measured,
            g.k.iter().zip(&g.gain).zip(&g.se).map(|((&x, &y), &e)| SeriesPoint { x, y, y_err: e, n: 0 }).collect(),
        ));
        gains.push(g);
    }
    let z = 1.959964;
    let slope_ev = |g: &DepthGain| {
        g.upper_slope().map(|(s, se, dof, n)| {
            let t = t_quantile_975(dof);
            (Evidence { estimate: s, interval: Interval { lo: s - t * se, hi: s + t * se, level: 0.95 }, levels: n }, se)
        })
    };
    for g in &gains {
        let rotated = matches!(g.cov, Covariance::Rrs { .. });
        let name = cov_name(&g.cov);
        if !rotated {
            let ev = slope_ev(g);
            a.verdicts.push(verdict(
                format!("{name}: the depth gain shrinks as the context grows (depth helps only at finite context)"),
                VerdictRule::new(3),
                ev.as_ref().map(|e| &e.0),
                Prediction::Below(0.0),
                match &ev {
                    Some((e, _)) => format!("slope of Δ(k) = e(L={}) − e(L={}) over k ∈ [{}, {}]: {} per example {}", g.l_shallow, g.l_deep, g.context.div_ceil(2), g.context, fmt_num(e.estimate), iv_text(&e.interval)),
                    None => "too few context sizes".into(),
                },
                "slope < 0 (THEORY §3.2, §5.4: the gain peaks near k/D ≈ 1–2 and shrinks after)".into(),
                &["Checked over the upper half of k only; the absolute (not relative) gain is what shrinks.".into()],
            ));
        } else {
            let ev = g.upper_mean().map(|(m, se, n)| Evidence { estimate: m, interval: Interval { lo: m - z * se, hi: m + z * se, level: 0.95 }, levels: n });
            a.verdicts.push(verdict(
                format!("{name}: depth keeps helping at the largest contexts"),
                VerdictRule::new(3),
                ev.as_ref(),
                Prediction::Above(0.0),
                match &ev {
                    Some(e) => format!("mean Δ(k) = e(L={}) − e(L={}) over k ∈ [{}, {}]: {} {}", g.l_shallow, g.l_deep, g.context.div_ceil(2), g.context, fmt_num(e.estimate), iv_text(&e.interval)),
                    None => "no common context sizes".into(),
                },
                "Δ > 0 (THEORY §3.2: R_L decreases with L even at infinite context)".into(),
                &[],
            ));
        }
    }
    let fixed = gains.iter().find(|g| !matches!(g.cov, Covariance::Rrs { .. }));
    let rot = gains.iter().find(|g| matches!(g.cov, Covariance::Rrs { .. }));
    if let (Some(f), Some(r)) = (fixed, rot) {
        let (ef, er) = (slope_ev(f), slope_ev(r));
        let ev = match (&ef, &er) {
            (Some((e1, s1)), Some((e2, s2))) => {
                let d = e2.estimate - e1.estimate;
                let se = (s1 * s1 + s2 * s2).sqrt();
                Some(Evidence { estimate: d, interval: Interval { lo: d - z * se, hi: d + z * se, level: 0.95 }, levels: e1.levels.min(e2.levels) })
            }
            _ => None,
        };
        a.verdicts.push(verdict(
            format!("The depth gain shrinks more slowly with context in {} than in {}", cov_name(&r.cov), cov_name(&f.cov)),
            VerdictRule::new(3),
            ev.as_ref(),
            Prediction::Above(0.0),
            match &ev {
                Some(e) => format!("slope(RRS) − slope(ISO) = {} {}", fmt_num(e.estimate), iv_text(&e.interval)),
                None => "a slope is missing".into(),
            },
            "> 0".into(),
            &[],
        ));
    }
}

/// Models whose predictions align less than this with one GD step (cosine) are not
/// doing anything GD-like in context yet, so their η_eff says nothing about the claim.
pub const ETA_EFF_MIN_COSINE: f64 = 0.5;

/// η_eff against 1/√(L·d) where points carry GD probes (§4.3).
fn eta_eff(a: &mut Analysis, points: &[super::PointResult]) {
    let probed: Vec<&super::PointResult> = points
        .iter()
        .filter(|p| p.status == RunStatus::Done && !matches!(p.config.task.family, TaskFamily::Tree { .. }) && p.probe.is_some())
        .collect();
    let models: Vec<EtaEffModel> = probed
        .iter()
        .filter_map(|p| {
            let s = p.probe.as_ref()?;
            (s.cosine_one >= ETA_EFF_MIN_COSINE)
                .then(|| EtaEffModel { depth: p.config.model.depth, width: p.config.model.width, eta_eff: s.eta_at_k_max, se_eta: s.se_eta_at_k_max })
        })
        .collect();
    if probed.len() > models.len() {
        a.notes.push(format!(
            "η_eff: {} of {} probed models are left out because their predictions barely align with gradient descent (cosine < {ETA_EFF_MIN_COSINE}): they have not learned in context yet.",
            probed.len() - models.len(),
            probed.len()
        ));
    }
    if models.is_empty() {
        if !probed.is_empty() {
            for which in ["a (depth)", "b (width)"] {
                a.verdicts.push(verdict(
                    format!("η_eff ∝ 1/√(L·d): exponent {which} of ln η_eff = c − a ln L − b ln d"),
                    VerdictRule::new(4),
                    None,
                    Prediction::Value(0.5),
                    format!("none of {} probed models has learned in context (cosine with one GD step < {ETA_EFF_MIN_COSINE})", probed.len()),
                    "1/2".into(),
                    &[],
                ));
            }
        }
        return;
    }
    let s = eta_eff_scaling(&models);
    let plot = "η_eff vs 1/√(L·d)";
    a.series.push(series("η_eff (one GD step, k = K)", plot, "1/√(L·d)", "η_eff", (true, true), SeriesStyle::PerSeed, s.points.iter().map(|&(x, y, e)| SeriesPoint { x, y, y_err: if e.is_finite() { e } else { 0.0 }, n: 1 }).collect()));
    a.series.push(series("claim: η = c/√(L·d)", plot, "1/√(L·d)", "η_eff", (true, true), SeriesStyle::Claim, s.claim_line.iter().map(|&(x, y)| plain(x, y)).collect()));
    let levels = s.points.len();
    let enough = s.distinct_depths >= 2 && s.distinct_widths >= 2;
    if let Some(p) = points.iter().find(|p| p.probe.is_some()) {
        let t = &p.config.task;
        if t.family == TaskFamily::Linear && t.covariance == Covariance::Iso {
            let k = p.config.context;
            a.notes.push(format!(
                "Competing theory (§4.0 item 6): a trained linear attention has η* = k/(k + D + 1 + σ²) = {} at k = {k}, independent of L and d.",
                fmt_num(crate::theory::mehta_gupta::eta_eff_linear_attention(k, t.dim, t.noise_var))
            ));
        }
    }
    for (which, est) in [("a (depth)", s.a), ("b (width)", s.b)] {
        let ev = est.filter(|_| enough).map(|(v, iv)| Evidence { estimate: v, interval: iv, levels });
        a.verdicts.push(verdict(
            format!("η_eff ∝ 1/√(L·d): exponent {which} of ln η_eff = c − a ln L − b ln d"),
            VerdictRule::new(4),
            ev.as_ref(),
            Prediction::Value(0.5),
            match &ev {
                Some(e) => format!("{} {} ({} probed models)", fmt_num(e.estimate), iv_text(&e.interval), levels),
                None => format!("{} probed models, {} depths, {} widths", levels, s.distinct_depths, s.distinct_widths),
            },
            "1/2".into(),
            &["η_eff is the one-step GD slope at k = K (§4.3's operational definition).".into()],
        ));
    }
    if let Some(f) = &s.exponents {
        a.fits.push(FitEntry { name: "ln η_eff vs ln L, ln d".into(), fit: FitKind::Linear(f.clone()) });
    }
    a.fits.push(FitEntry { name: "η_eff scaling".into(), fit: FitKind::EtaEff(s) });
}
