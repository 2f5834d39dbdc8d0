//! Computable pieces of Bordelon, Letey & Pehlevan 2025 (THEORY.md §3.2): depth at infinite context
//! in RRS (Christoffel function), the projection-width model, and compute-optimal allocation.

use crate::rng::{Rng, normal};
use nalgebra::{DMatrix, DVector};

/// RRS at infinite context with L scalar GD steps: R_L = min_{deg q ≤ L, q(0)=1} Σ_j ω_jλ_j q(λ_j)² / Σ_j ω_jλ_j
/// for L = 0..=l_max (R_0 = 1), i.e. the k → ∞ **excess** error normalised by Z = tr(ΩΣ).
///
/// Computed as 1/K_L(0,0), K_L(0,0) = Σ_{n≤L} p_n(0)² with p_n the orthonormal polynomials of the
/// discrete measure Σ_j ω_jλ_j δ_{λ_j}, whose Jacobi recurrence comes from Lanczos (Stieltjes) on
/// diag(λ) with full reorthogonalisation. If the measure has fewer than L+1 support points the
/// recurrence terminates and R_L = 0 from then on. Invariant to rescaling λ or ω.
pub fn christoffel_risk(lambda: &[f64], omega: &[f64], l_max: usize) -> Vec<f64> {
    let n = lambda.len();
    let wsum: f64 = lambda.iter().zip(omega).map(|(l, o)| l * o).sum();
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(l_max + 1);
    q.push(lambda.iter().zip(omega).map(|(l, o)| (l * o / wsum).sqrt()).collect());
    let mut a = vec![0.0; l_max];
    let mut b = vec![0.0; l_max + 1];
    // Lanczos step j gives a_j and b_{j+1}; b_{j+1} ≈ 0 means the measure has only j+1 support points.
    let mut support: Option<usize> = None;
    let scale = lambda.iter().fold(0.0f64, |m, &l| m.max(l.abs()));
    for j in 0..l_max {
        let mut z: Vec<f64> = lambda.iter().zip(&q[j]).map(|(l, v)| l * v).collect();
        a[j] = dot(&q[j], &z);
        for i in 0..n {
            z[i] -= a[j] * q[j][i] + if j > 0 { b[j] * q[j - 1][i] } else { 0.0 };
        }
        // Full reorthogonalisation (two passes).
        for _ in 0..2 {
            for v in q.iter() {
                let p = dot(v, &z);
                for i in 0..n {
                    z[i] -= p * v[i];
                }
            }
        }
        let nz = dot(&z, &z).sqrt();
        if !(nz > 1e-12 * scale) {
            support = Some(j + 1);
            break;
        }
        b[j + 1] = nz;
        q.push(z.iter().map(|v| v / nz).collect());
    }
    // p_0 = 1; b_{j+1} p_{j+1}(0) = (0 − a_j) p_j(0) − b_j p_{j−1}(0); K_L(0,0) = Σ_{n≤L} p_n(0)².
    let mut out = Vec::with_capacity(l_max + 1);
    let (mut p_prev, mut p, mut kernel) = (0.0, 1.0, 1.0);
    out.push(1.0);
    for l in 1..=l_max {
        if support.is_some_and(|s| l >= s) {
            out.push(0.0);
            continue;
        }
        let j = l - 1;
        let p_next = (-a[j] * p - b[j] * p_prev) / b[j + 1];
        p_prev = p;
        p = p_next;
        kernel += p * p;
        out.push(1.0 / kernel);
    }
    out
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Direct least-squares evaluation of R_L in the monomial basis (for cross-checks at small L only;
/// ill-conditioned for large L).
pub fn christoffel_risk_direct(lambda: &[f64], omega: &[f64], l: usize) -> f64 {
    if l == 0 {
        return 1.0;
    }
    let wsum: f64 = lambda.iter().zip(omega).map(|(a, o)| a * o).sum();
    let n = lambda.len();
    let sw: Vec<f64> = lambda.iter().zip(omega).map(|(a, o)| (a * o / wsum).sqrt()).collect();
    let vm = DMatrix::from_fn(n, l, |i, j| lambda[i].powi(j as i32 + 1) * sw[i]);
    let y = DVector::from_fn(n, |i, _| -sw[i]);
    let c = vm.clone().svd(true, true).solve(&y, 1e-300).expect("svd");
    let r = DVector::from_vec(sw) + vm * c;
    r.norm_squared()
}

/// Projection-width model: x seen through a Gaussian projection A ∈ R^{N×D}; the best linear read-out
/// has excess tr(Ω(Σ − ΣAᵀ(AΣAᵀ)⁻¹AΣ))/Z. Deterministic equivalent [standard sketching result]:
/// solve Σ_j λ_j/(λ_j + κ) = N for κ, then e_width(N) = Σ_j ω_jλ_jκ/(λ_j + κ) / Σ_j ω_jλ_j
/// (excess, normalised by Z = tr(ΩΣ); 0 when N ≥ D).
pub fn width_deterministic_equivalent(lambda: &[f64], omega: &[f64], n: usize) -> f64 {
    if n >= lambda.len() {
        return 0.0;
    }
    let nf = n as f64;
    let f = |kap: f64| lambda.iter().map(|&l| l / (l + kap)).sum::<f64>() - nf;
    // f decreases from D − N > 0 (κ → 0) to −N (κ → ∞): bisection in log κ.
    let (mut lo, mut hi) = (-60.0f64, 60.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid.exp()) > 0.0 { lo = mid } else { hi = mid }
    }
    let kap = (0.5 * (lo + hi)).exp();
    let z: f64 = lambda.iter().zip(omega).map(|(l, o)| l * o).sum();
    lambda.iter().zip(omega).map(|(&l, &o)| o * l * kap / (l + kap)).sum::<f64>() / z
}

/// Large-D decay exponent of [`width_deterministic_equivalent`] for λ_j ∝ j^{−ν}, ω_j ∝ j^{−μ}:
/// e_width(N) ∝ N^{−(ν+μ−1)} (κ_N ∝ N^{−ν}; the unresolved tail Σ_{j>N} j^{−ν−μ} dominates).
pub fn width_exponent(nu: f64, mu: f64) -> f64 {
    nu + mu - 1.0
}

/// One draw of the projection-width excess tr(Ω(Σ − ΣAᵀ(AΣAᵀ)⁻¹AΣ))/Z with A iid N(0,1), Σ = diag(λ),
/// Ω = diag(ω). Average over draws to compare with [`width_deterministic_equivalent`].
pub fn width_projection_draw(lambda: &[f64], omega: &[f64], n: usize, rng: &mut Rng) -> f64 {
    let d = lambda.len();
    let a = DMatrix::from_fn(n, d, |_, _| normal(rng));
    let as_ = DMatrix::from_fn(n, d, |i, j| a[(i, j)] * lambda[j]);
    let m = &as_ * a.transpose();
    let chol = m.cholesky().expect("AΣAᵀ is positive definite");
    let sol = chol.solve(&as_); // (AΣAᵀ)⁻¹AΣ, N×D
    let z: f64 = lambda.iter().zip(omega).map(|(l, o)| l * o).sum();
    let mut num = 0.0;
    for j in 0..d {
        let pjj: f64 = (0..n).map(|i| as_[(i, j)] * sol[(i, j)]).sum();
        num += omega[j] * (lambda[j] - pjj);
    }
    num / z
}

/// Compute-optimal allocation for a loss Σ_i a_i x_i^{−p_i} under the budget Π_i x_i^{c_i} = C
/// (THEORY.md §3.2): stationarity p_i a_i x_i^{−p_i} = Λ c_i gives
/// ln x_i = −(ln Λ + ln(c_i/(p_i a_i)))/p_i with ln Λ fixed by the budget (closed form, linear in ln Λ).
/// Returns the optimal x_i. Example: x = (L, d), c = (1, 1), C = N = L·d.
pub fn lagrange_allocation(a: &[f64], p: &[f64], c: &[f64], budget: f64) -> Vec<f64> {
    assert!(a.len() == p.len() && p.len() == c.len());
    // Σ c_i ln x_i = ln C with ln x_i = −(g + ln(c_i/(p_i a_i)))/p_i  ⇒  g = −(ln C + Σ (c_i/p_i) ln(c_i/(p_i a_i)))/Σ(c_i/p_i).
    let s: f64 = c.iter().zip(p).map(|(c, p)| c / p).sum();
    let t: f64 = a.iter().zip(p).zip(c).map(|((a, p), c)| c / p * (c / (p * a)).ln()).sum();
    let g = -(budget.ln() + t) / s;
    a.iter().zip(p).zip(c).map(|((a, p), c)| (-(g + (c / (p * a)).ln()) / p).exp()).collect()
}

/// Scaling exponents of the optimum: x_i* ∝ C^{(1/p_i)/Σ_j(c_j/p_j)}.
pub fn allocation_exponents(p: &[f64], c: &[f64]) -> Vec<f64> {
    let s: f64 = c.iter().zip(p).map(|(c, p)| c / p).sum();
    p.iter().map(|p| (1.0 / p) / s).collect()
}

/// The two-factor closed form of the compute-optimal shape (§3.2), a generic fit result.
pub use crate::fit::optimal_depth_width;
