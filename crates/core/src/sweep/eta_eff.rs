//! η_eff against 1/√(L·d) (Mehta & Gupta; THEORY.md §4.3), judged wherever a sweep's points
//! carry gradient-descent probes (linear tasks), whatever the experiment.

use super::aggregate::{Analysis, FitEntry, FitKind, SeriesPoint, SeriesStyle, iv_text, plain, series, verdict};
use super::result::PointResult;
use super::verdict::{Evidence, Prediction, VerdictRule, fmt_num};
use crate::probes::{EtaEffModel, eta_eff_scaling};
use crate::schema::RunStatus;
use crate::tasks::{Covariance, TaskFamily};

/// Models whose predictions align less than this with one GD step (cosine) are not
/// doing anything GD-like in context yet, so their η_eff says nothing about the claim.
pub const ETA_EFF_MIN_COSINE: f64 = 0.5;

/// η_eff against 1/√(L·d) where points carry GD probes (§4.3).
pub(crate) fn analyze(a: &mut Analysis, points: &[PointResult]) {
    let probed: Vec<&PointResult> = points
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
        a.fits.push(FitEntry::new("ln η_eff vs ln L, ln d", FitKind::Linear(f.clone())));
    }
    a.fits.push(FitEntry::new("η_eff scaling", FitKind::EtaEff(s)));
}
