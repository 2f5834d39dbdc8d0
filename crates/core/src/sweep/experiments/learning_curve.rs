//! Bordelon et al.'s depth claim over training (THEORY.md §3.2): error against step for a
//! depth ladder under several input covariances. In ISO (and FS) depth helps only at finite
//! context, so the depth gain shrinks as k grows; in RRS depth keeps helping.

use super::{Analysis, AnalysisOptions, ExperimentSpec, Obs, Planned, PointResult, PointSettings, SweepPreset};
use crate::config::ModelShape;
use crate::sweep::aggregate::{METRIC_AXIS, SeriesPoint, SeriesStyle, aggregate_err, group, group_by_config, iv_text, point_metric, series, verdict, weighted_slope};
use crate::sweep::plan::{covariance_tag, default_heads, make_point};
use crate::sweep::verdict::{Evidence, Prediction, VerdictRule, fmt_num};
use crate::tasks::{Covariance, TaskSpec};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearningCurve {
    pub task: TaskSpec,
    /// Shapes (empty: the preset's depth ladder at one width).
    #[serde(default)]
    pub shapes: Vec<ModelShape>,
    pub covariances: Vec<Covariance>,
}

/// Learning curves need K/D ≥ 2 for the upper half of k, where ISO depth gains shrink
/// (THEORY.md §5.4: largest around K/D ≈ 1–2).
fn curve_context(dim: usize, preset: SweepPreset) -> usize {
    match preset {
        SweepPreset::Quick | SweepPreset::Smoke => (4 * dim).clamp(8, 16),
        SweepPreset::Full => (8 * dim).clamp(16, 64),
    }
}

fn default_shapes(preset: SweepPreset) -> Vec<ModelShape> {
    let (d, depths): (usize, &[usize]) = match preset {
        SweepPreset::Quick | SweepPreset::Smoke => (32, &[1, 2, 4]),
        SweepPreset::Full => (128, &[1, 2, 4, 8]),
    };
    depths.iter().map(|&l| ModelShape::transformer(d, l, default_heads(d))).collect()
}

/// `items` without repeats, in first-seen order.
fn unique<T: PartialEq + Clone>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in items {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

impl ExperimentSpec for LearningCurve {
    const NAME: &'static str = "learning_curve";
    const TITLE: &'static str = "Depth over training: error vs step for a depth ladder, the depth gain shrinking with k in ISO but not in RRS (Bordelon et al.)";

    /// Linear regression in D = 4 under ISO and RRS (default spectrum).
    fn default_experiment() -> Self {
        LearningCurve { task: TaskSpec::linear(4, 0.0), shapes: vec![], covariances: vec![Covariance::Iso, Covariance::rrs_default()] }
    }

    fn task(&self) -> &TaskSpec {
        &self.task
    }

    fn resolve(&self, preset: SweepPreset) -> Self {
        let shapes = unique(&if self.shapes.is_empty() { default_shapes(preset) } else { self.shapes.clone() });
        let mut covariances = unique(&self.covariances);
        if covariances.is_empty() {
            covariances.push(self.task.covariance.clone());
        }
        LearningCurve { task: self.task.clone(), shapes, covariances }
    }

    fn settings(preset: SweepPreset) -> PointSettings {
        PointSettings::per_preset(
            preset,
            PointSettings { batch: 128, steps: 600, seeds: 2, eval_prompts: 256, eval_every: 50 },
            PointSettings { batch: 64, steps: 20_000, seeds: 3, eval_prompts: 2048, eval_every: 250 },
        )
    }

    fn plan(&self, preset: SweepPreset, s: &PointSettings) -> Planned {
        let k = curve_context(self.task.dim, preset);
        let mut planned = Planned::default();
        for (ci, cov) in self.covariances.iter().enumerate() {
            let t = TaskSpec { covariance: cov.clone(), ..self.task.clone() };
            for sh in &self.shapes {
                for seed in 0..s.seeds {
                    let id = format!("{}-L{}-d{}-H{}-s{seed}", covariance_tag(cov), sh.depth, sh.width, sh.heads);
                    let mut p = make_point(id, t.clone(), k, sh.clone(), s, seed);
                    p.labels.cov = Some(ci);
                    planned.points.push(p);
                }
            }
        }
        let shapes_txt: Vec<String> = self.shapes.iter().map(|s| format!("L{}·d{}", s.depth, s.width)).collect();
        let covs_txt: Vec<String> = self.covariances.iter().map(covariance_tag).collect();
        planned.lines.push(format!(
            "Shapes {shapes_txt:?} under {covs_txt:?}; D = {}, K = {k}; {} seed(s); {} steps at batch {}, evaluated every {} steps.",
            self.task.dim, s.seeds, s.steps, s.batch, s.eval_every
        ));
        planned.lines.push("Depth gain Δ(k) = e_shallowest(k) − e_deepest(k) at the final evaluation: the claim is that it shrinks with k in ISO/FS (slope over k ∈ [K/2, K] below 0) and stays positive in RRS, shrinking more slowly than in ISO.".into());
        planned
    }

    fn analyze(&self, obs: &[&Obs], points: &[PointResult], a: &mut Analysis, _opts: &AnalysisOptions) {
        analyze_curves(a, obs, points, &self.covariances);
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
        let pts: Vec<(f64, f64, f64)> = idx.iter().map(|&i| (self.k[i], self.gain[i], self.se[i])).collect();
        let (s, se, dof) = weighted_slope(&pts)?;
        Some((s, se, dof, idx.len()))
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

fn analyze_curves(a: &mut Analysis, obs: &[&Obs], points: &[PointResult], covariances: &[Covariance]) {
    // Error against step, from every point's evaluations (running points included).
    let all: Vec<&PointResult> = points.iter().collect();
    for (_, ps) in &group_by_config(&all, |p| &p.config) {
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
            let (l, d) = (g.labels().depth as f64, g.labels().width as f64);
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
    let slope_ev = |g: &DepthGain| g.upper_slope().map(|(s, se, dof, n)| (Evidence::student(s, se, dof, n), se));
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
            let ev = g.upper_mean().map(|(m, se, n)| Evidence::normal(m, se, n));
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
            (Some((e1, s1)), Some((e2, s2))) => Some(e2.minus(*s2, e1, *s1)),
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

