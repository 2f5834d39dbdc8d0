//! The population optimum of exactly what the app trains as one layer of linear attention
//! (`icl-train`'s `LinearAttention` with L = 1) **[derived here]**.
//!
//! The trained object is one linear self-attention layer whose weights are shared by every
//! prefix: the loss averages (ŷ_k − y_{k+1})² over k = 0..K with equal weights (k = 0 predicts
//! 0 whatever the weights). Its prediction's w-odd part is ŷ_k = x_qᵀ Γ h_k with
//! h_k = Xᵀy/k, and its w-even parts have zero optimal weight (THEORY.md §2.5), so the trained
//! object is the Γ model with one Γ for all k. In the eigenbasis of Σ (diagonal Σ = Λ and
//! Ω), with c_k = (tr(ΩΣ) + σ²)/k, the per-k excess error is
//!
//!   e_ex(k)·Z = Σ_j [ γ_j² λ_j M_jk − 2 γ_j λ_j² ω_j ] + Z,   M_jk = (1 + 1/k) λ_j² ω_j + c_k λ_j,
//!
//! (E[hhᵀ] = (1+1/k)ΣΩΣ + c_k Σ; THEORY §2.5 is the case Ω = I). Averaged over k = 1..K:
//!
//! * ISO and FS: Γ is diagonal (off-diagonal entries only add error), and
//!   γ_j* = K λ_j ω_j / Σ_k M_jk. ISO: γ* = K / Σ_k m_k with m_k = (k + D + 1 + σ²)/k;
//! * RRS: a fresh rotation per prompt makes the averaged objective rotation invariant and
//!   convex in Γ, so Γ* = γ* I with γ* = K Σ_j λ_j² ω_j / Σ_k Σ_j λ_j M_jk.
//!
//! Two consequences the app shows: the error at each k sits **above** THEORY §2.5's per-k
//! optimum (one Γ must serve every k), and the effective step η_eff = γ* is **the same at
//! every k**, unlike §4.3's per-k η* = k/(k + D + 1 + σ²), which is the optimum of a model
//! trained at one context size only.

use crate::tasks::{Covariance, TaskFamily, TaskSpec};

/// The trained one-layer optimum for a task and largest context K.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedGammaOptimum {
    /// γ* per eigen-direction of Σ (ISO, RRS: all equal).
    pub gamma: Vec<f64>,
    /// Total normalised error e(k), query noise included, for k = 0..=K.
    pub total: Vec<f64>,
}

impl SharedGammaOptimum {
    /// The effective one-step GD rate of the trained layer, η_eff (the same at every k):
    /// γ* for ISO and RRS; for FS the λ-weighted mean of the γ_j (what regressing ŷ on
    /// x_q·h recovers).
    pub fn eta_eff(&self, spec: &TaskSpec) -> f64 {
        let cov = spec.input_covariance();
        let w: f64 = cov.lambda.iter().map(|l| l * l).sum();
        self.gamma.iter().zip(&cov.lambda).map(|(g, l)| g * l * l).sum::<f64>() / w
    }
}

/// [`SharedGammaOptimum`] for dense linear regression (ISO, FS, RRS); None for other tasks.
pub fn shared_gamma_optimum(spec: &TaskSpec, k_max: usize) -> Option<SharedGammaOptimum> {
    if spec.family != TaskFamily::Linear || k_max == 0 {
        return None;
    }
    let cov = spec.input_covariance();
    let (lambda, omega) = (&cov.lambda, &cov.omega);
    let z = cov.trace_omega_sigma();
    let s2 = spec.noise_var.max(0.0);
    let m = |j: usize, k: usize| {
        let c = (z + s2) / k as f64;
        (1.0 + 1.0 / k as f64) * lambda[j] * lambda[j] * omega[j] + c * lambda[j]
    };
    let dims = 0..spec.dim;
    let ks = 1..=k_max;
    let kf = k_max as f64;
    let gamma: Vec<f64> = match spec.covariance {
        Covariance::Iso | Covariance::Fs { .. } => dims
            .clone()
            .map(|j| kf * lambda[j] * omega[j] / ks.clone().map(|k| m(j, k)).sum::<f64>())
            .collect(),
        Covariance::Rrs { .. } => {
            let b: f64 = dims.clone().map(|j| lambda[j] * lambda[j] * omega[j]).sum();
            let a: f64 = ks.clone().map(|k| dims.clone().map(|j| lambda[j] * m(j, k)).sum::<f64>()).sum();
            vec![kf * b / a; spec.dim]
        }
    };
    let mut total = vec![1.0 + s2 / z];
    for k in ks {
        let excess: f64 = dims
            .clone()
            .map(|j| gamma[j] * gamma[j] * lambda[j] * m(j, k) - 2.0 * gamma[j] * lambda[j] * lambda[j] * omega[j])
            .sum::<f64>()
            + z;
        total.push(excess / z + s2 / z);
    }
    Some(SharedGammaOptimum { gamma, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ISO in closed form: γ* = K / Σ m_k, e(k) = γ*² m_k − 2γ* + 1 + σ²/D.
    #[test]
    fn iso_matches_its_closed_form_and_lies_above_the_per_k_optimum() {
        for (d, k_max, s2) in [(2, 8, 0.0), (4, 16, 0.0), (8, 32, 0.25)] {
            let spec = TaskSpec::linear(d, s2);
            let opt = shared_gamma_optimum(&spec, k_max).unwrap();
            let m = |k: usize| (k as f64 + d as f64 + 1.0 + s2) / k as f64;
            let g = k_max as f64 / (1..=k_max).map(m).sum::<f64>();
            assert!(opt.gamma.iter().all(|x| (x - g).abs() < 1e-12));
            assert!((opt.eta_eff(&spec) - g).abs() < 1e-12);
            for k in 1..=k_max {
                let e = g * g * m(k) - 2.0 * g + 1.0 + s2 / d as f64;
                assert!((opt.total[k] - e).abs() < 1e-12);
                // THEORY §2.5's per-k optimum (D + 1 + σ²)/(k + D + 1 + σ²) is a lower bound.
                let per_k = (d as f64 + 1.0 + s2) / (k as f64 + d as f64 + 1.0 + s2) + s2 / d as f64;
                assert!(opt.total[k] >= per_k - 1e-12, "k = {k}");
            }
        }
    }

    /// Monte Carlo of the Γ* predictor on fresh prompts agrees with the formula within 4 SE
    /// at every k, in ISO, FS and RRS. The query is the prompt's last point (never used in
    /// h_k); its label carries the noise, so this is the total error of THEORY §0.
    #[test]
    fn the_formula_agrees_with_monte_carlo() {
        let k_max = 8;
        for spec in [
            TaskSpec::linear(4, 0.25),
            TaskSpec { covariance: Covariance::Fs { nu: 1.5, mu: 0.0 }, ..TaskSpec::linear(4, 0.25) },
            TaskSpec { covariance: Covariance::Rrs { nu: 1.5, mu: 0.0 }, ..TaskSpec::linear(4, 0.25) },
        ] {
            let opt = shared_gamma_optimum(&spec, k_max).unwrap();
            let z = spec.normaliser();
            let prompts = 100_000;
            let batch = spec.sample(prompts, k_max + 1, &mut crate::rng::seeded(7, crate::rng::stream::MONTE_CARLO));
            let d = spec.dim;
            for k in 1..=k_max {
                let errors: Vec<f64> = (0..prompts)
                    .map(|b| {
                        // ŷ = x_qᵀ Γ h_k with h_k = (1/k) Σ_{i<k} y_i x_i; Γ diagonal in the
                        // coordinates of Σ (ISO, FS) or γI (RRS), so coordinate-wise in both.
                        let mut h = vec![0.0; d];
                        for i in 0..k {
                            let y = batch.ys[b * batch.n_points + i] as f64;
                            for (hj, xj) in h.iter_mut().zip(batch.x(b, i)) {
                                *hj += y * *xj as f64 / k as f64;
                            }
                        }
                        let xq = batch.x(b, k_max);
                        let y_hat: f64 = (0..d).map(|j| opt.gamma[j] * h[j] * xq[j] as f64).sum();
                        (y_hat - batch.ys[b * batch.n_points + k_max] as f64).powi(2) / z
                    })
                    .collect();
                let n = errors.len() as f64;
                let mean = errors.iter().sum::<f64>() / n;
                let se = (errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
                assert!((mean - opt.total[k]).abs() <= 4.0 * se, "{:?} k = {k}: MC {mean} ± {se} vs {}", spec.covariance, opt.total[k]);
            }
        }
    }
}
