//! One-step (one-layer linear attention) risks for structured covariances (THEORY.md §2.5, §3.2 "time").
//!
//! Setting: x ~ N(0, Σ), Σ = diag(λ) (FS) or OΛOᵀ with a fresh Haar O per prompt (RRS); task
//! w ~ N(0, Ω) with Ω = diag(ω) (rotated with the same O in RRS); label noise σ². The estimator is
//! ŵ = Γh, h = Xᵀy/k. All functions return the **excess** error normalised by Z = tr(ΩΣ) = Σ_j ω_jλ_j
//! (add σ²/Z for the total error). THEORY.md states the formulas for Ω = I; here ω is general, derived
//! the same way from E[hhᵀ] = (1+1/k)ΣΩΣ + (tr(ΩΣ)+σ²)Σ/k and E[hwᵀ] = ΣΩ (Wick), which reduce to the
//! spec's formulas for ω ≡ 1 (tested). Linear learners depend on the task prior only through Ω, so a
//! sparse prior with s of D coordinates is covered by ω → ω·s/D.

/// c' = (tr(ΩΣ) + σ²)/k.
fn c_prime(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> f64 {
    let z: f64 = lambda.iter().zip(omega).map(|(l, o)| l * o).sum();
    (z + noise_var) / k as f64
}

fn z_of(lambda: &[f64], omega: &[f64]) -> f64 {
    lambda.iter().zip(omega).map(|(l, o)| l * o).sum()
}

/// FS optimal diagonal preconditioner γ_j* = ω_j/((1+1/k)λ_jω_j + c'), c' = (tr(ΩΣ)+σ²)/k
/// (Ω = I: 1/((1+1/k)λ_j + c), THEORY.md §2.5).
pub fn fs_gd1_preconditioner(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> Vec<f64> {
    let c = c_prime(lambda, omega, k, noise_var);
    let kf = k as f64;
    lambda.iter().zip(omega).map(|(&l, &o)| o / ((1.0 + 1.0 / kf) * l * o + c)).collect()
}

/// FS one layer with the optimal diagonal Γ: e_ex·Z = Σ_j λ_jω_j(λ_jω_j/k + c')/((1+1/k)λ_jω_j + c').
/// Tends to 0 as k → ∞ (the preconditioner inverts Σ). Returns e_ex (÷Z); 1 at k = 0.
pub fn fs_gd1_excess(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let c = c_prime(lambda, omega, k, noise_var);
    let kf = k as f64;
    let num: f64 = lambda
        .iter()
        .zip(omega)
        .map(|(&l, &o)| {
            let lo = l * o;
            lo * (lo / kf + c) / ((1.0 + 1.0 / kf) * lo + c)
        })
        .sum();
    num / z_of(lambda, omega)
}

/// The RRS traces: (t_M, t_cross, Z) with t_M = (1+1/k)Σωλ³ + (Σωλ + σ²)Σλ²/k, t_cross = Σωλ²,
/// Z = Σωλ. (Ω = I: t_M = (1+1/k)t₃ + (t₁+σ²)t₂/k, t_cross = t₂, Z = t₁.)
fn rrs_traces(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> (f64, f64, f64) {
    let kf = k as f64;
    let z = z_of(lambda, omega);
    let t3w: f64 = lambda.iter().zip(omega).map(|(l, o)| o * l.powi(3)).sum();
    let t2: f64 = lambda.iter().map(|l| l * l).sum();
    let t2w: f64 = lambda.iter().zip(omega).map(|(l, o)| o * l * l).sum();
    ((1.0 + 1.0 / kf) * t3w + (z + noise_var) * t2 / kf, t2w, z)
}

/// RRS optimal scalar step γ* = t_cross/t_M (Ω = I: t₂/t_M, THEORY.md §2.5).
pub fn rrs_gd1_step(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let (tm, tc, _) = rrs_traces(lambda, omega, k, noise_var);
    tc / tm
}

/// RRS one layer with the optimal scalar Γ = γ*I: e_ex·Z = Z − t_cross²/t_M. Returns e_ex (÷Z);
/// 1 at k = 0. As k → ∞: 1 − (Σωλ²)²/(Σωλ³·Σωλ) > 0 ([`rrs_gd1_excess_infinite_context`]).
pub fn rrs_gd1_excess(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let (tm, tc, z) = rrs_traces(lambda, omega, k, noise_var);
    (z - tc * tc / tm) / z
}

/// k → ∞ limit of [`rrs_gd1_excess`]: (t₁ − t₂²/t₃)/t₁ for Ω = I (= R₁ of §3.2).
pub fn rrs_gd1_excess_infinite_context(lambda: &[f64], omega: &[f64]) -> f64 {
    let z = z_of(lambda, omega);
    let t3w: f64 = lambda.iter().zip(omega).map(|(l, o)| o * l.powi(3)).sum();
    let t2w: f64 = lambda.iter().zip(omega).map(|(l, o)| o * l * l).sum();
    (z - t2w * t2w / t3w) / z
}

/// Averaging ŵ = h under Σ = diag(λ) (FS) or its rotations (RRS; the risk is rotation-invariant):
/// Γ = I in the one-step formula, e_ex·Z = Σ_j λ_j[(1+1/k)λ_j²ω_j + c'λ_j] − λ_j²ω_j·2 + λ_jω_j.
/// For Σ = Ω = I this is (D+1+σ²)/k (§2.2). [derived here; THEORY.md says "use MC" — checked by MC.]
pub fn structured_averaging_excess(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let c = c_prime(lambda, omega, k, noise_var);
    let kf = k as f64;
    let num: f64 = lambda
        .iter()
        .zip(omega)
        .map(|(&l, &o)| l * ((1.0 + 1.0 / kf) * l * l * o + c * l) - 2.0 * l * l * o + l * o)
        .sum();
    num / z_of(lambda, omega)
}

/// §3.2 "time": L = 1 linear attention, population gradient flow on the diagonal Γ from 0 in the FS
/// eigenbasis: γ_j(t) = γ_j*(1 − exp(−2λ_jM_j t)), M_j = (1+1/k)λ_j²ω_j + c'λ_j, and
/// e_ex(t)·Z = e_ex(∞)·Z + Σ_j λ_jM_j(γ_j(t) − γ_j*)². Returns e_ex(t) (÷Z). At t = 0 it is 1.
/// (Ω = I reduces to THEORY.md's M_j = (1+1/k)λ_j² + cλ_j.) At α = ∞ mode j learns at rate ∝ λ_j³.
pub fn fs_gd1_excess_at_time(lambda: &[f64], omega: &[f64], k: usize, noise_var: f64, t: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let c = c_prime(lambda, omega, k, noise_var);
    let kf = k as f64;
    let z = z_of(lambda, omega);
    let mut extra = 0.0;
    for (&l, &o) in lambda.iter().zip(omega) {
        let m = (1.0 + 1.0 / kf) * l * l * o + c * l;
        let gstar = l * o / m;
        let g = gstar * (1.0 - (-2.0 * l * m * t).exp());
        extra += l * m * (g - gstar).powi(2);
    }
    fs_gd1_excess(lambda, omega, k, noise_var) + extra / z
}

/// Late-time exponent of [`fs_gd1_excess_at_time`] at α = ∞ for λ_j ∝ j^{−ν}, ω_j ∝ j^{−μ}:
/// e(t) − e(∞) ∝ t^{−(ν+μ−1)/(3ν+μ)}, because mode j learns at rate 4λ_jM_j = 4λ_j³ω_j ∝ j^{−(3ν+μ)} and
/// carries weight λ_jω_j ∝ j^{−(ν+μ)}. **Correction:** THEORY.md §3.2 writes t^{−(ν+μ−1)/(3ν)}, which only
/// holds for μ = 0 (its dynamics are written for Ω = I); the numerical check is in the tests.
pub fn fs_time_exponent(nu: f64, mu: f64) -> f64 {
    (nu + mu - 1.0) / (3.0 * nu + mu)
}
