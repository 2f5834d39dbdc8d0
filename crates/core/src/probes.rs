//! Mechanism probes: how much does a trained transformer's in-context prediction look like
//! gradient descent on the in-context least-squares loss (von Oswald et al. 2023; THEORY.md
//! §2.5–2.6, §4.3)? Pure math on predictions the trainer hands over; nothing here runs a model.
//!
//! For prompt b and position i ≥ 1 (the query after k = i examples), with h_k = Xᵀy/k and
//! S_k = XᵀX/k over the first k points, GD from w₀ = 0 with a common step η predicts
//!
//! * one step: ŷ₁(η) = η·x_q·h_k, linear in η, so the least-squares η_eff against the model's
//!   predictions m is Σ m g / Σ g² with g = x_q·h_k (closed form; [`EtaEffFit`]);
//! * L steps: ŷ_L(η) = Σ_{j=1}^{L} C(L,j)(−1)^{j+1} η^j x_q·S_k^{j−1} h_k, a polynomial in η; the
//!   common η minimising Σ(m − ŷ_L(η))² is found by a log grid over [10⁻⁴, 10] and a
//!   golden-section refinement (η ≤ 0 is not searched).
//!
//! Predictions themselves come from [`GradientDescent::weights`]. The cosine similarity
//! compares the model's prediction vector over k = 1..K with GD's (one step: independent of
//! η > 0).

use crate::baselines::gd::{GdKrylov, StepObjective};
use crate::baselines::GradientDescent;
use crate::fit::{EtaEffFit, Interval, LinearFit};
use crate::schema::ProbeSummary;
use serde::{Deserialize, Serialize};
use crate::tasks::PromptBatch;

/// Alignment of one prompt's predictions with GD.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptAlignment {
    /// Cosine between the model's predictions at k = 1..K and one-step GD's (NaN if either is 0).
    pub cosine_one: f64,
    /// This prompt's least-squares one-step η.
    pub eta_one: f64,
    /// Σ(m − η_one g)²/Σ m² (NaN if the model predicts 0 everywhere).
    pub residual_one: f64,
    /// Cosine with `steps` steps of GD at the common (pooled) multi-step η.
    pub cosine_multi: f64,
    /// This prompt's own best common η for `steps` steps.
    pub eta_multi: f64,
    /// Σ(m − ŷ_L(eta_multi))²/Σ m² for this prompt.
    pub residual_multi: f64,
}

/// A pooled fit of GD's step size to the model's predictions.
#[derive(Clone, Debug, PartialEq)]
pub struct StepFit {
    pub eta: f64,
    /// Standard error of η (one step: from the regression; multi-step: NaN).
    pub se_eta: f64,
    /// Mean over prompts of the per-prompt cosine, and its standard error.
    pub cosine_mean: f64,
    pub cosine_se: f64,
    /// Σ(m − ŷ_GD(η))²/Σ m² over all prompts and positions (1 − uncentred R²).
    pub relative_residual: f64,
}

/// How a model's in-context predictions compare with GD on a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct GdAlignment {
    /// Number of GD steps of the multi-step comparison.
    pub steps: usize,
    pub prompts: usize,
    /// Positions compared per prompt (k = 1..n_points−1).
    pub positions: usize,
    pub per_prompt: Vec<PromptAlignment>,
    /// One-step GD with η = 1, i.e. the feature g = x_q·h_k, `[batch, n_points]` (0 at k = 0).
    pub gd_one_feature: Vec<f64>,
    /// One-step GD at the pooled η_eff, `[batch, n_points]`.
    pub gd_one: Vec<f64>,
    /// `steps` GD steps at the pooled common η, `[batch, n_points]`.
    pub gd_multi: Vec<f64>,
    pub one_step: StepFit,
    pub multi_step: StepFit,
    /// One-step η_eff per context size k across prompts (index k; NaN at k = 0 or if undefined),
    /// with its standard error: the §4.3 "fixed k" values.
    pub eta_by_k: Vec<f64>,
    pub se_eta_by_k: Vec<f64>,
}

impl GdAlignment {
    pub fn summary(&self) -> ProbeSummary {
        let k_max = self.eta_by_k.len().saturating_sub(1);
        ProbeSummary {
            prompts: self.prompts,
            steps: self.steps,
            eta_one: self.one_step.eta,
            se_eta_one: self.one_step.se_eta,
            cosine_one: self.one_step.cosine_mean,
            residual_one: self.one_step.relative_residual,
            eta_multi: self.multi_step.eta,
            cosine_multi: self.multi_step.cosine_mean,
            residual_multi: self.multi_step.relative_residual,
            k_max,
            eta_at_k_max: self.eta_by_k.get(k_max).copied().unwrap_or(f64::NAN),
            se_eta_at_k_max: self.se_eta_by_k.get(k_max).copied().unwrap_or(f64::NAN),
            eta_by_k: self.eta_by_k.iter().map(|v| v.is_finite().then_some(*v)).collect(),
            se_eta_by_k: self.se_eta_by_k.iter().map(|v| v.is_finite().then_some(*v)).collect(),
        }
    }
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa > 0.0 && bb > 0.0 { ab / (aa * bb).sqrt() } else { f64::NAN }
}

fn mean_se(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / n as f64;
    let se = if n > 1 { (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64 / n as f64).sqrt() } else { f64::NAN };
    (m, se)
}

/// Per position i ≥ 1 of prompt b: the features a_1..a_L of L-step GD from points 0..i
/// applied to x_i (so ŷ_L(η) = Σ a_j η^j and a_1 = x_i·h); zeros at i = 0.
fn poly_features(batch: &PromptBatch, b: usize, steps: usize) -> Vec<Vec<f64>> {
    let (n, dim) = (batch.n_points, batch.dim);
    let xs: Vec<f64> = batch.prompt_xs(b).iter().map(|&v| v as f64).collect();
    let ys = batch.prompt_ys(b);
    let mut krylov = GdKrylov::new(dim, steps);
    let mut out = vec![vec![0.0; steps]; n];
    for i in 1..n {
        krylov.push(&xs[(i - 1) * dim..i * dim], ys[i - 1] as f64);
        out[i] = krylov.features(&xs[i * dim..(i + 1) * dim]);
    }
    out
}

/// GD predictions `[n_points]` for prompt b: `rates.len()` steps at the given rates from 0
/// ([`GradientDescent::weights`] on points 0..i, applied to x_i; 0 at i = 0).
fn gd_predictions(batch: &PromptBatch, b: usize, rates: &[f64]) -> Vec<f64> {
    let (n, dim) = (batch.n_points, batch.dim);
    let xs = batch.prompt_xs(b);
    let ys = batch.prompt_ys(b);
    (0..n)
        .map(|i| {
            if i == 0 {
                return 0.0;
            }
            let w = GradientDescent::weights(&xs[..i * dim], &ys[..i], dim, rates);
            crate::numeric::dot(&w, &xs[i * dim..(i + 1) * dim])
        })
        .collect()
}

/// Compares a model's predictions `[batch, n_points]` (prediction i made from points 0..i)
/// with one and `steps` steps of GD from 0 on each prompt's in-context least-squares loss,
/// over the positions k = 1..n_points−1. `steps` is clamped to at least 1.
pub fn gd_alignment(batch: &PromptBatch, model_predictions: &[f32], steps: usize) -> GdAlignment {
    assert_eq!(model_predictions.len(), batch.batch * batch.n_points, "one prediction per point");
    let steps = steps.max(1);
    let n = batch.n_points;
    let m_all: Vec<f64> = model_predictions.iter().map(|&v| v as f64).collect();
    let mut feats = Vec::with_capacity(batch.batch);
    let mut pooled = StepObjective::new(steps);
    let mut per_obj = Vec::with_capacity(batch.batch);
    for b in 0..batch.batch {
        let f = poly_features(batch, b, steps);
        let mut obj = StepObjective::new(steps);
        for i in 1..n {
            obj.add(&f[i], m_all[b * n + i]);
        }
        pooled.merge(&obj);
        per_obj.push(obj);
        feats.push(f);
    }
    // One step: g = a_1 = x_q·h (C(L,1) = L for L steps, so rescale).
    let lsteps = steps as f64;
    let mut gd_one_feature = vec![0.0; batch.batch * n];
    for b in 0..batch.batch {
        for i in 1..n {
            gd_one_feature[b * n + i] = feats[b][i][0] / lsteps;
        }
    }
    let (mut m_flat, mut g_flat) = (Vec::new(), Vec::new());
    for b in 0..batch.batch {
        for i in 1..n {
            m_flat.push(m_all[b * n + i]);
            g_flat.push(gd_one_feature[b * n + i]);
        }
    }
    let one_fit = EtaEffFit::slope_through_origin(&m_flat, &g_flat);
    let eta_one = one_fit.as_ref().map(|f| f.eta).unwrap_or(f64::NAN);
    let se_one = one_fit.as_ref().map(|f| f.se_eta).unwrap_or(f64::NAN);
    let eta_multi = if !pooled.is_empty() { pooled.minimise() } else { f64::NAN };

    let gd_one: Vec<f64> = gd_one_feature.iter().map(|g| eta_one * g).collect();
    let mut gd_multi = vec![0.0; batch.batch * n];
    let rates = vec![eta_multi; steps];
    let mut per_prompt = Vec::with_capacity(batch.batch);
    let (mut ss_one, mut ss_multi, mut ss_m) = (0.0, 0.0, 0.0);
    for b in 0..batch.batch {
        let row = b * n;
        let preds = if eta_multi.is_finite() { gd_predictions(batch, b, &rates) } else { vec![f64::NAN; n] };
        gd_multi[row..row + n].copy_from_slice(&preds);
        let m = &m_all[row + 1..row + n];
        let g = &gd_one_feature[row + 1..row + n];
        let gg: f64 = g.iter().map(|v| v * v).sum();
        let mm: f64 = m.iter().map(|v| v * v).sum();
        let eta_b = if gg > 0.0 { m.iter().zip(g).map(|(a, b)| a * b).sum::<f64>() / gg } else { f64::NAN };
        let res_b: f64 = m.iter().zip(g).map(|(a, g)| (a - eta_b * g).powi(2)).sum();
        let eta_mb = per_obj[b].minimise();
        let res_mb = per_obj[b].eval(eta_mb).max(0.0);
        ss_one += m.iter().zip(g).map(|(a, g)| (a - eta_one * g).powi(2)).sum::<f64>();
        ss_multi += m.iter().zip(&preds[1..]).map(|(a, p)| (a - p).powi(2)).sum::<f64>();
        ss_m += mm;
        per_prompt.push(PromptAlignment {
            cosine_one: cosine(m, g),
            eta_one: eta_b,
            residual_one: if mm > 0.0 { res_b / mm } else { f64::NAN },
            cosine_multi: cosine(m, &preds[1..]),
            eta_multi: eta_mb,
            residual_multi: if mm > 0.0 { res_mb / mm } else { f64::NAN },
        });
    }
    let (c1, c1se) = mean_se(per_prompt.iter().map(|p| p.cosine_one));
    let (cm, cmse) = mean_se(per_prompt.iter().map(|p| p.cosine_multi));
    let rel = |ss: f64| if ss_m > 0.0 { ss / ss_m } else { f64::NAN };

    let mut eta_by_k = vec![f64::NAN; n];
    let mut se_eta_by_k = vec![f64::NAN; n];
    for i in 1..n {
        let mk: Vec<f64> = (0..batch.batch).map(|b| m_all[b * n + i]).collect();
        let gk: Vec<f64> = (0..batch.batch).map(|b| gd_one_feature[b * n + i]).collect();
        if let Some(f) = EtaEffFit::slope_through_origin(&mk, &gk) {
            eta_by_k[i] = f.eta;
            se_eta_by_k[i] = f.se_eta;
        }
    }
    GdAlignment {
        steps,
        prompts: batch.batch,
        positions: n.saturating_sub(1),
        per_prompt,
        gd_one_feature,
        gd_one,
        gd_multi,
        one_step: StepFit { eta: eta_one, se_eta: se_one, cosine_mean: c1, cosine_se: c1se, relative_residual: rel(ss_one) },
        multi_step: StepFit { eta: eta_multi, se_eta: f64::NAN, cosine_mean: cm, cosine_se: cmse, relative_residual: rel(ss_multi) },
        eta_by_k,
        se_eta_by_k,
    }
}

/// One trained model's effective step (e.g. [`ProbeSummary::eta_at_k_max`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EtaEffModel {
    pub depth: usize,
    pub width: usize,
    pub eta_eff: f64,
    pub se_eta: f64,
}

/// Data and fits for the η_eff against 1/√(L·d) plot (Mehta & Gupta's η_eff = Θ(1/√(L·d)),
/// THEORY.md §4.3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EtaEffScaling {
    /// (x = 1/√(L·d), η_eff, SE) per model with a positive finite η_eff, sorted by x.
    pub points: Vec<(f64, f64, f64)>,
    /// The claim's one-parameter form η = c·x fitted through the origin (c = `eta` of the fit).
    pub claim_fit: Option<EtaEffFit>,
    /// The fitted claim at each point's x, for drawing: (x, c·x).
    pub claim_line: Vec<(f64, f64)>,
    /// ln η = c₀ − a ln L − b ln d ([`EtaEffFit::depth_width_scaling`]); the claim is a = b = 1/2.
    pub exponents: Option<LinearFit>,
    /// (â, 95% interval) and (b̂, 95% interval) when the exponent fit exists.
    pub a: Option<(f64, Interval)>,
    pub b: Option<(f64, Interval)>,
    /// Distinct depths and widths among the models (the exponent fit needs ≥ 2 of each).
    pub distinct_depths: usize,
    pub distinct_widths: usize,
}

/// Turns several models' (L, d, η_eff) into the η_eff vs 1/√(L·d) plot data and fits.
/// Models with a non-positive or non-finite η_eff are left out (a log fit needs η > 0).
pub fn eta_eff_scaling(models: &[EtaEffModel]) -> EtaEffScaling {
    let good: Vec<&EtaEffModel> =
        models.iter().filter(|m| m.eta_eff.is_finite() && m.eta_eff > 0.0 && m.depth > 0 && m.width > 0).collect();
    let mut points: Vec<(f64, f64, f64)> =
        good.iter().map(|m| (1.0 / ((m.depth * m.width) as f64).sqrt(), m.eta_eff, m.se_eta)).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    let claim_fit = if points.is_empty() { None } else { EtaEffFit::slope_through_origin(&ys, &xs) };
    let claim_line = match &claim_fit {
        Some(f) => xs.iter().map(|&x| (x, f.eta * x)).collect(),
        None => vec![],
    };
    let l: Vec<f64> = good.iter().map(|m| m.depth as f64).collect();
    let d: Vec<f64> = good.iter().map(|m| m.width as f64).collect();
    let eta: Vec<f64> = good.iter().map(|m| m.eta_eff).collect();
    let distinct = |v: &[f64]| {
        let mut u = v.to_vec();
        u.sort_by(f64::total_cmp);
        u.dedup();
        u.len()
    };
    let exponents = if good.len() >= 4 { EtaEffFit::depth_width_scaling(&l, &d, &eta) } else { None };
    let a = exponents.as_ref().map(|f| (f.coefficients[1], f.interval95(1)));
    let b = exponents.as_ref().map(|f| (f.coefficients[2], f.interval95(2)));
    EtaEffScaling {
        points,
        claim_fit,
        claim_line,
        exponents,
        a,
        b,
        distinct_depths: distinct(&l),
        distinct_widths: distinct(&d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;
    use crate::tasks::TaskSpec;

    fn batch(prompts: usize) -> PromptBatch {
        TaskSpec::linear(4, 0.0).sample(prompts, 13, &mut seeded(11, 0))
    }

    #[test]
    fn probes_one_step_gd_model_gives_cosine_one_and_its_eta() {
        let b = batch(200);
        // The "model" is one GD step with η = 0.3, computed by the baseline, rounded to f32.
        let preds: Vec<f32> =
            (0..b.batch).flat_map(|p| gd_predictions(&b, p, &[0.3])).map(|v| v as f32).collect();
        let a = gd_alignment(&b, &preds, 1);
        assert!((a.one_step.eta - 0.3).abs() < 1e-9, "η_eff = {}", a.one_step.eta);
        assert!((a.one_step.cosine_mean - 1.0).abs() < 1e-9, "cos = {}", a.one_step.cosine_mean);
        assert!(a.one_step.relative_residual < 1e-12);
        for p in &a.per_prompt {
            assert!((p.eta_one - 0.3).abs() < 1e-6 && (p.cosine_one - 1.0).abs() < 1e-9);
        }
        // With one step the 1-D minimisation must find the same η as the closed form.
        assert!((a.multi_step.eta - 0.3).abs() < 1e-7, "multi η = {}", a.multi_step.eta);
        for k in 1..b.n_points {
            assert!((a.eta_by_k[k] - 0.3).abs() < 1e-6, "k = {k}: {}", a.eta_by_k[k]);
        }
        assert!(a.eta_by_k[0].is_nan());
        let s = a.summary();
        assert_eq!(s.k_max, 12);
        assert!((s.eta_at_k_max - 0.3).abs() < 1e-6);
    }

    #[test]
    fn probes_noise_lowers_cosine() {
        let b = batch(200);
        let clean: Vec<f64> = (0..b.batch).flat_map(|p| gd_predictions(&b, p, &[0.3])).collect();
        let mut rng = seeded(5, 9);
        let mut last = 1.0;
        for sd in [0.1, 0.5, 2.0] {
            let noisy: Vec<f32> = clean.iter().map(|v| (v + sd * crate::rng::normal(&mut rng)) as f32).collect();
            let a = gd_alignment(&b, &noisy, 1);
            assert!(a.one_step.cosine_mean < last, "sd {sd}: cos {} not below {last}", a.one_step.cosine_mean);
            assert!(a.one_step.cosine_mean < 0.999);
            // Zero-mean noise leaves the slope unbiased.
            assert!((a.one_step.eta - 0.3).abs() < 6.0 * a.one_step.se_eta + 1e-9, "η {} ± {}", a.one_step.eta, a.one_step.se_eta);
            last = a.one_step.cosine_mean;
        }
        assert!(last < 0.8, "heavy noise should lower the cosine a lot: {last}");
    }

    #[test]
    fn probes_three_step_gd_model_recovers_common_eta() {
        let b = batch(100);
        let preds: Vec<f32> =
            (0..b.batch).flat_map(|p| gd_predictions(&b, p, &[0.2; 3])).map(|v| v as f32).collect();
        let a = gd_alignment(&b, &preds, 3);
        assert!((a.multi_step.eta - 0.2).abs() < 1e-6, "η = {}", a.multi_step.eta);
        assert!((a.multi_step.cosine_mean - 1.0).abs() < 1e-9, "cos = {}", a.multi_step.cosine_mean);
        assert!(a.multi_step.relative_residual < 1e-10);
        // One step explains a 3-step model less well.
        assert!(a.one_step.relative_residual > a.multi_step.relative_residual);
        // The polynomial form and the baseline's iteration agree.
        for p in 0..5 {
            let f = poly_features(&b, p, 3);
            let direct = gd_predictions(&b, p, &[0.2; 3]);
            for i in 1..b.n_points {
                let poly: f64 = (0..3).map(|j| f[i][j] * 0.2f64.powi(j as i32 + 1)).sum();
                assert!((poly - direct[i]).abs() < 1e-9 * (1.0 + direct[i].abs()));
            }
        }
    }

    #[test]
    fn probes_eta_scaling_recovers_exponents() {
        // η = 0.8/√(L d) exactly over a 3×3 grid.
        let mut models = Vec::new();
        for l in [1, 2, 4] {
            for d in [16, 32, 64] {
                models.push(EtaEffModel { depth: l, width: d, eta_eff: 0.8 / ((l * d) as f64).sqrt(), se_eta: 0.0 });
            }
        }
        models.push(EtaEffModel { depth: 2, width: 8, eta_eff: -1.0, se_eta: 0.0 });
        let s = eta_eff_scaling(&models);
        assert_eq!(s.points.len(), 9);
        assert!(s.points.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!((s.claim_fit.as_ref().unwrap().eta - 0.8).abs() < 1e-12);
        let (a, ai) = s.a.unwrap();
        let (bb, _) = s.b.unwrap();
        assert!((a - 0.5).abs() < 1e-9 && (bb - 0.5).abs() < 1e-9 && ai.contains(0.5));
        assert_eq!((s.distinct_depths, s.distinct_widths), (3, 3));
        assert!((s.claim_line[0].1 - 0.8 * s.points[0].0).abs() < 1e-12);
    }
}
