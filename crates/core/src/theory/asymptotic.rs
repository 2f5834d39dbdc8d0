//! Proportional-limit asymptotics (THEORY.md §2.3–§2.5 limits and §3.1, Lu et al. 2024).
//!
//! Units: α = k/D (context per dimension), ρ = σ²/D (noise in Lu et al.'s units, where x ~ N(0, I/D)),
//! κ = (number of distinct pretraining tasks)/D. With this identification e_Lu(α, ρ) = e(k) of §0.
//! Functions named `*_total` include the query noise ρ (= σ²/Z with Z = D); others are excess errors.

use super::wishart::{MP_NODES, MpQuadrature, mp_stieltjes};
use nalgebra::{DMatrix, SymmetricEigen};

/// Lu et al. κ = τ = ∞ curve, **total** error: e_∞(α, ρ) = ρ + (1+ρ)/(1+ρ+α) = 1 + ρ − α/(1+ρ+α).
/// Identical to the one-step GD limit of §2.5; decreases in α to ρ.
pub fn lu_e_inf_total(alpha: f64, rho: f64) -> f64 {
    rho + (1.0 + rho) / (1.0 + rho + alpha)
}

/// Proportional-limit Bayes risk per dimension (excess): the positive root of q = (ρ+q)/(ρ+q+α),
/// q = [−(ρ+α−1) + √((ρ+α−1)² + 4ρ)]/2; q = max(1−α, 0) at ρ = 0.
pub fn bayes_limit_excess(alpha: f64, rho: f64) -> f64 {
    if rho <= 0.0 {
        return (1.0 - alpha).max(0.0);
    }
    let a = rho + alpha - 1.0;
    // Numerically stable form of the positive root.
    let disc = (a * a + 4.0 * rho).sqrt();
    if a > 0.0 { 2.0 * rho / (a + disc) } else { (-a + disc) / 2.0 }
}

/// The same Bayes limit via the MP Stieltjes transform: r·m(−r), r = ρ/α, ratio γ = 1/α. Requires ρ > 0.
pub fn bayes_limit_excess_stieltjes(alpha: f64, rho: f64) -> f64 {
    let r = rho / alpha;
    r * mp_stieltjes(-r, 1.0 / alpha)
}

/// Proportional-limit ridge excess with λ = λ̃·D: e_ex(λ̃) = ∫(z² + r x)/(x + z)² dμ_MP,1/α(x),
/// z = λ̃/α, r = ρ/α (atom at 0 contributes 1·max(1−α,0)). λ̃ = ρ gives the Bayes risk. Quadrature.
pub fn ridge_limit_excess(alpha: f64, rho: f64, lambda_tilde: f64) -> f64 {
    let quad = MpQuadrature::new(1.0 / alpha, MP_NODES);
    let (z, r) = (lambda_tilde / alpha, rho / alpha);
    quad.integrate(|x| if x == 0.0 { 1.0 } else { (z * z + r * x) / (x + z).powi(2) })
}

/// Least squares / min-norm in the proportional limit (excess): (1−α) + ρα/(1−α) for α < 1,
/// ρ/(α−1) for α > 1, +∞ at α = 1 when ρ > 0.
pub fn ols_limit_excess(alpha: f64, rho: f64) -> f64 {
    if alpha < 1.0 {
        (1.0 - alpha) + if rho > 0.0 { rho * alpha / (1.0 - alpha) } else { 0.0 }
    } else if alpha > 1.0 {
        rho / (alpha - 1.0)
    } else if rho > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Lu et al. finite task diversity, infinite pretraining data (τ = ∞) in the proportional limit,
/// **total** error [derived in THEORY.md §3.1]: e(α, κ, ρ) = ρ + ∫ c(x² + c)/(x + c)² dμ_MP,1/κ(x),
/// c = (1+ρ)/α. Directions not spanned by the κD training tasks (atom 1−κ at 0 when κ < 1) contribute 1.
/// Tends to [`lu_e_inf_total`] as κ → ∞.
pub fn lu_finite_kappa_total(alpha: f64, kappa: f64, rho: f64) -> f64 {
    let quad = MpQuadrature::new(1.0 / kappa, MP_NODES);
    let c = (1.0 + rho) / alpha;
    rho + quad.integrate(|x| c * (x * x + c) / (x + c).powi(2))
}

/// Finite-D version of the finite-diversity result (**total** error, normalised by D) for a given task
/// Gram spectrum: with C = (1/K)Σ_a w_a w_aᵀ having eigenvalues `task_gram_eigs` (D of them, zeros
/// included), the pretraining optimum is Γ* = C((1+1/k)C + cI)⁻¹, c = (tr C + σ²)/k, and on fresh
/// tasks w ~ N(0, I): e = σ²/D + (1/D)[m tr Γ*² − 2 tr Γ* + D], m = (k + 1 + D + σ²)/k.
pub fn lu_finite_tasks_total(task_gram_eigs: &[f64], k: usize, noise_var: f64) -> f64 {
    let d = task_gram_eigs.len() as f64;
    let kf = k as f64;
    let tr_c: f64 = task_gram_eigs.iter().sum();
    let c = (tr_c + noise_var) / kf;
    let m = (kf + 1.0 + d + noise_var) / kf;
    let (mut t1, mut t2) = (0.0, 0.0);
    for &l in task_gram_eigs {
        let g = l / ((1.0 + 1.0 / kf) * l + c);
        t1 += g;
        t2 += g * g;
    }
    noise_var / d + (m * t2 - 2.0 * t1 + d) / d
}

/// The optimal Γ* = C((1+1/k)C + cI)⁻¹ of [`lu_finite_tasks_total`] as a dense D×D matrix for the
/// given pretraining tasks (rows of `tasks`, K × D), with the test error. Used for simulation checks.
pub fn lu_finite_tasks_gamma(tasks: &DMatrix<f64>, k: usize, noise_var: f64) -> (DMatrix<f64>, f64) {
    let kk = tasks.nrows() as f64;
    let c_mat = tasks.transpose() * tasks / kk;
    let eig = SymmetricEigen::new(c_mat);
    let lam: Vec<f64> = eig.eigenvalues.iter().map(|v| v.max(0.0)).collect();
    let kf = k as f64;
    let c = (lam.iter().sum::<f64>() + noise_var) / kf;
    let g: Vec<f64> = lam.iter().map(|&l| l / ((1.0 + 1.0 / kf) * l + c)).collect();
    let u = &eig.eigenvectors;
    let gd = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(g));
    let gamma = u * gd * u.transpose();
    (gamma, lu_finite_tasks_total(&lam, k, noise_var))
}
