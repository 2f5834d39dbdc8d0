//! Baseline risks for isotropic linear regression (THEORY.md §2.1–§2.5).
//!
//! Setting: x ~ N(0, I_D), w ~ N(0, I_D), y = w·x + ε with ε ~ N(0, σ²); ŷ_q = ŵ·x_q; k in-context
//! examples. Unless a name ends in `_total`, functions return the **excess** error
//! e_ex(k) = E[(ŷ_q − w·x_q)²]/D (query noise excluded, normalised by Z = D).
//! The app's primary metric is the **total** error e(k) = e_ex(k) + σ²/D ([`total`]).
//!
//! At k = 0 every learner predicts ŷ = 0 (empty context), so e_ex(0) = 1.

use crate::rng::{normal, seeded};
use nalgebra::{DMatrix, SymmetricEigen};

/// A Monte Carlo estimate: mean and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McValue {
    pub value: f64,
    pub se: f64,
}

/// Total error e(k) = e_ex(k) + σ²/Z (query noise included; THEORY.md §0).
pub fn total(excess: f64, noise_var: f64, z: f64) -> f64 {
    excess + noise_var / z
}

/// §2.1 zero predictor ŷ = 0: e_ex = 1.
pub fn zero_excess() -> f64 {
    1.0
}

/// §2.2 averaging ŵ = h = (1/k)Σ y_i x_i: e_ex = (D + 1 + σ²)/k (k ≥ 1; 1 at k = 0, empty sum).
pub fn averaging_excess(k: usize, d: usize, noise_var: f64) -> f64 {
    if k == 0 { 1.0 } else { (d as f64 + 1.0 + noise_var) / k as f64 }
}

/// §2.3 least squares / minimum-norm interpolation ŵ = X⁺y, excess normalised by D.
/// σ² = 0: max(D−k,0)/D. σ² > 0: (D−k)/D + σ²k/(D(D−k−1)) for k ≤ D−2; +∞ for k ∈ {D−1, D, D+1};
/// σ²/(k−D−1) for k ≥ D+2. (In unnormalised total form for k ≥ D+2: σ²(1 + D/(k−D−1)).)
pub fn ols_excess(k: usize, d: usize, noise_var: f64) -> f64 {
    let (kf, df) = (k as f64, d as f64);
    if noise_var == 0.0 {
        return (df - kf).max(0.0) / df;
    }
    if k + 2 <= d {
        (df - kf) / df + noise_var * kf / (df * (df - kf - 1.0))
    } else if k >= d + 2 {
        noise_var / (kf - df - 1.0)
    } else {
        f64::INFINITY
    }
}

/// §2.4 Bayes risk (posterior mean = ridge with λ = σ²) when σ² = 0: the min-norm interpolant,
/// e_ex = max(D − k, 0)/D. For σ² > 0 use [`ridge_excess_mc`] / [`ridge_curve_mc`] with λ = σ².
pub fn bayes_excess_noiseless(k: usize, d: usize) -> f64 {
    (d as f64 - k as f64).max(0.0) / d as f64
}

/// §2.5 one GD step from 0 with the optimal step = optimal one-layer linear attention:
/// η* = k/(k + D + 1 + σ²).
pub fn gd1_optimal_step(k: usize, d: usize, noise_var: f64) -> f64 {
    let kf = k as f64;
    kf / (kf + d as f64 + 1.0 + noise_var)
}

/// §2.5 e_ex of one optimal GD step: (D + 1 + σ²)/(k + D + 1 + σ²).
pub fn gd1_excess(k: usize, d: usize, noise_var: f64) -> f64 {
    let c = d as f64 + 1.0 + noise_var;
    c / (k as f64 + c)
}

/// §2.4 ridge bracket for one draw of the eigenvalues μ_j of W = XᵀX (zeros padded to D entries):
/// (1/D) Σ_j (λ² + σ²μ_j)/(μ_j + λ)².
pub fn ridge_bracket(eigs_padded: &[f64], lambda: f64, noise_var: f64) -> f64 {
    let d = eigs_padded.len() as f64;
    eigs_padded.iter().map(|&m| (lambda * lambda + noise_var * m) / (m + lambda).powi(2)).sum::<f64>() / d
}

/// §2.4 e_ex of ridge ŵ = (XᵀX + λI)⁻¹Xᵀy at one k, by the THEORY.md recipe: draw X, take the
/// eigenvalues of XᵀX (or XXᵀ, padded with zeros), average [`ridge_bracket`]. Seeded and deterministic;
/// returns mean and SE over `samples` draws. λ = σ² gives the Bayes risk. Requires λ > 0.
pub fn ridge_excess_mc(k: usize, d: usize, noise_var: f64, lambda: f64, samples: usize, seed: u64) -> McValue {
    assert!(lambda > 0.0 && samples >= 2);
    if k == 0 {
        return McValue { value: 1.0, se: 0.0 };
    }
    let mut rng = seeded(seed, crate::rng::stream::MONTE_CARLO);
    let n = k.min(d);
    let (mut s, mut s2) = (0.0, 0.0);
    let mut eig = vec![0.0; d];
    for _ in 0..samples {
        let x = DMatrix::<f64>::from_fn(k, d, |_, _| normal(&mut rng));
        let g = if k >= d { x.transpose() * &x } else { &x * x.transpose() };
        let ev = SymmetricEigen::new(g).eigenvalues;
        for j in 0..d {
            eig[j] = if j < n { ev[j].max(0.0) } else { 0.0 };
        }
        let v = ridge_bracket(&eig, lambda, noise_var);
        s += v;
        s2 += v * v;
    }
    mean_se(s, s2, samples)
}

/// §2.4 e_ex of ridge(λ) for every k = 0..=kmax at once (same expectation as [`ridge_excess_mc`]).
///
/// Each of `samples` paths draws x_1, x_2, … once and tracks R_k = (W_k + λI)⁻¹ by Sherman–Morrison
/// (O(D²) per added example), using e_ex·D = λ² tr R² + σ²(tr R − λ tr R²). The curve is therefore
/// smooth in k (common random numbers). Cost O(samples · kmax · D²); pick `samples` to fit a time
/// budget (see [`ridge_default_samples`]). Deterministic for a given seed. Requires λ > 0
/// (λ ≳ 1e-8 for accuracy).
pub fn ridge_curve_mc(kmax: usize, d: usize, noise_var: f64, lambda: f64, samples: usize, seed: u64) -> Vec<McValue> {
    assert!(lambda > 0.0 && samples >= 2);
    let mut rng = seeded(seed, crate::rng::stream::MONTE_CARLO ^ 0x5249_4447_45);
    let mut s = vec![0.0; kmax + 1];
    let mut s2 = vec![0.0; kmax + 1];
    let mut r = vec![0.0; d * d];
    let mut x = vec![0.0; d];
    let mut u = vec![0.0; d];
    let df = d as f64;
    for _ in 0..samples {
        r.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..d {
            r[i * d + i] = 1.0 / lambda;
        }
        for k in 1..=kmax {
            x.iter_mut().for_each(|v| *v = normal(&mut rng));
            for i in 0..d {
                let row = &r[i * d..(i + 1) * d];
                u[i] = row.iter().zip(&x).map(|(a, b)| a * b).sum();
            }
            let denom = 1.0 + x.iter().zip(&u).map(|(a, b)| a * b).sum::<f64>();
            let (mut tr, mut tr2) = (0.0, 0.0);
            for i in 0..d {
                let ui = u[i] / denom;
                let row = &mut r[i * d..(i + 1) * d];
                for (j, v) in row.iter_mut().enumerate() {
                    *v -= ui * u[j];
                    tr2 += *v * *v;
                }
                tr += row[i];
            }
            let v = (lambda * lambda * tr2 + noise_var * (tr - lambda * tr2)) / df;
            s[k] += v;
            s2[k] += v * v;
        }
    }
    (0..=kmax)
        .map(|k| if k == 0 { McValue { value: 1.0, se: 0.0 } } else { mean_se(s[k], s2[k], samples) })
        .collect()
}

/// A sample count for [`ridge_curve_mc`] that keeps the work near `flops_budget` multiply-adds
/// (≈3·D² per example per path), clamped to [32, 20000]. 3·10⁷ runs in well under 100 ms natively.
pub fn ridge_default_samples(kmax: usize, d: usize, flops_budget: f64) -> usize {
    let per_path = 3.0 * (d * d) as f64 * kmax.max(1) as f64;
    ((flops_budget / per_path) as usize).clamp(32, 20000)
}

pub(crate) fn mean_se(s: f64, s2: f64, n: usize) -> McValue {
    let nf = n as f64;
    let mean = s / nf;
    let var = ((s2 - nf * mean * mean) / (nf - 1.0)).max(0.0);
    McValue { value: mean, se: (var / nf).sqrt() }
}
