//! L steps of gradient descent from w₀ = 0 on the in-context least-squares loss (THEORY.md §2.6):
//! the deep linear-attention proxy of Bordelon et al. 2025 / von Oswald et al. 2023.
//!
//! Setting ISO (Σ = Ω = I). The iterate w_{t+1} = w_t + η_t(h − S w_t) gives ŵ_L = P(S)h with residual
//! polynomial q(s) = 1 − sP(s) = Π_t(1 − η_t s), and
//!
//!   e_ex = (1/D) E tr q(S)² + (σ²/(kD)) E tr(P(S)² S),
//!
//! which needs only μ_m = E tr(S^m)/D for m ≤ 2L. All risks here are **excess** errors normalised by
//! Z = D (add σ²/D for the total error of THEORY.md §0). Two variants:
//! * `gdL` – common step η, q(s) = (1 − ηs)^L, η* by 1-D minimisation of a degree-2L polynomial;
//! * `polyL` – optimal per-step rates: ŵ = Σ_{j<L} c_j S^j h, c = A⁻¹b with
//!   A_{jl} = μ_{j+l+2} + (σ²/k)μ_{j+l+1}, b_j = μ_{j+1}, e_ex = 1 − bᵀA⁻¹b.
//!
//! Finite D uses the exact Wick moments (L ≤ 4) in exact rational arithmetic; the proportional limit
//! (α = k/D, ρ = σ²/D, so σ²/k = ρ/α) works for any L via the Marchenko–Pastur law.

use super::wishart::{
    MP_NODES, MpQuadrature, binom, mp_moment, rat, to_f64, wishart_moment_f64, wishart_moments_exact, wishart_trace_moment,
};
use num_bigint::BigInt;
use nalgebra::{DMatrix, DVector};
use num_rational::BigRational;
use num_traits::{One, Zero};

/// Result of an L-step GD risk computation.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiStepRisk {
    /// Excess error e_ex (normalised by D; query noise excluded).
    pub excess: f64,
    /// Common step η* (gdL); for polyL the step that would be used by L = 1 (c₀), kept for display.
    pub eta: f64,
    /// Polynomial coefficients c_j of ŵ = Σ_j c_j S^j h (gdL: those of P implied by η*).
    pub coefficients: Vec<f64>,
}

/// Exact rational coefficients of e_ex(η) = Σ_n coef[n] ηⁿ for L common steps at finite (k, D, σ²).
/// Requires L ≤ 4 (moments up to m = 8), k ≥ 1.
pub fn gd_common_risk_polynomial_exact(l: usize, k: usize, d: usize, noise_var: f64) -> Vec<BigRational> {
    assert!(l >= 1 && 2 * l <= super::wishart::MAX_WICK_ORDER, "exact GD risk needs 1 ≤ L ≤ 4");
    assert!(k >= 1);
    let mu = wishart_moments_exact(2 * l, k as u64, d as u64);
    let s2k = rat(noise_var) / BigRational::from_integer((k as i64).into());
    common_risk_poly(l, &mu, &s2k)
}

fn common_risk_poly(l: usize, mu: &[BigRational], s2k: &BigRational) -> Vec<BigRational> {
    // q(s) = Σ_a q_a (ηs)^a with q_a = C(L,a)(−1)^a; P(s) = Σ_{a≥1} −q_a η^a s^{a−1}.
    let q: Vec<BigRational> = (0..=l)
        .map(|a| {
            let c = BigRational::from_integer((binom(l, a).round() as i64).into());
            if a % 2 == 1 { -c } else { c }
        })
        .collect();
    let mut coef = vec![BigRational::zero(); 2 * l + 1];
    for a in 0..=l {
        for b in 0..=l {
            coef[a + b] += &q[a] * &q[b] * &mu[a + b];
        }
    }
    for a in 1..=l {
        for b in 1..=l {
            coef[a + b] += s2k * &q[a] * &q[b] * &mu[a + b - 1];
        }
    }
    coef
}

fn common_risk_poly_f64(l: usize, mu: &[f64], s2k: f64) -> Vec<f64> {
    let q: Vec<f64> = (0..=l).map(|a| binom(l, a) * if a % 2 == 1 { -1.0 } else { 1.0 }).collect();
    let mut coef = vec![0.0; 2 * l + 1];
    for a in 0..=l {
        for b in 0..=l {
            coef[a + b] += q[a] * q[b] * mu[a + b];
            if a >= 1 && b >= 1 {
                coef[a + b] += s2k * q[a] * q[b] * mu[a + b - 1];
            }
        }
    }
    coef
}

fn poly_eval(coef: &[f64], x: f64) -> f64 {
    coef.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

/// Global minimiser over η ∈ (0, η_max] of a polynomial risk: dense grid then golden-section refinement.
fn minimise_poly(coef: &[f64], eta_max: f64) -> (f64, f64) {
    // Grid uniform in log η from 1e-6·η_max to η_max (the optimum spans k/(k+D) ≪ 1 to ≈1).
    crate::numeric::minimise_on_grid(|e| poly_eval(coef, e), &crate::numeric::log_grid(1e-6 * eta_max, eta_max, 2001), 1e-15)
}

fn implied_coefficients(l: usize, eta: f64) -> Vec<f64> {
    // P(s) = Σ_{a=1}^{L} −q_a η^a s^{a−1}, q_a = C(L,a)(−1)^a.
    (1..=l).map(|a| -binom(l, a) * (-1f64).powi(a as i32) * eta.powi(a as i32)).collect()
}

/// gdL at finite D (exact moments, L ≤ 4): optimal common step η* and its excess error.
pub fn gd_common_exact(l: usize, k: usize, d: usize, noise_var: f64) -> MultiStepRisk {
    if k == 0 {
        return MultiStepRisk { excess: 1.0, eta: 0.0, coefficients: vec![0.0; l] };
    }
    // Same-sign terms only within each coefficient, so f64 moments (exact integers rounded once) suffice.
    let mu: Vec<f64> = (0..=2 * l).map(|m| wishart_moment_f64(m, k as u64, d as u64)).collect();
    let coef = common_risk_poly_f64(l, &mu, noise_var / k as f64);
    let (eta, excess) = minimise_poly(&coef, 4.0);
    MultiStepRisk { excess, eta, coefficients: implied_coefficients(l, eta) }
}

/// e_ex of L common GD steps with a given step η at finite D (exact moments, L ≤ 4).
pub fn gd_common_exact_at(l: usize, k: usize, d: usize, noise_var: f64, eta: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let coef = gd_common_risk_polynomial_exact(l, k, d, noise_var);
    let x = rat(eta);
    let mut acc = BigRational::zero();
    for c in coef.iter().rev() {
        acc = acc * &x + c;
    }
    to_f64(&acc)
}

/// polyL at finite D (exact, L ≤ 4): optimal polynomial coefficients and risk.
///
/// Exact integer form of the Hankel system: with N_m = E tr(W^m) and σ² = p/q exactly,
/// A = diag(k^{−j}) Ã diag(k^{−l})/(q k² D) with Ã_{jl} = q N_{j+l+2} + p N_{j+l+1} and b_j = k^{−j} N_{j+1}/(kD),
/// so e_ex = 1 − (q/D)·b̃ᵀÃ⁻¹b̃ (b̃_j = N_{j+1}) and c_j = q k^{j+1} (Ã⁻¹b̃)_j. The quadratic form and
/// Ã⁻¹b̃ come from fraction-free (Bareiss) determinants, so no floating-point Hankel solve is involved.
pub fn gd_poly_exact(l: usize, k: usize, d: usize, noise_var: f64) -> MultiStepRisk {
    assert!(l >= 1 && 2 * l <= super::wishart::MAX_WICK_ORDER, "exact polyL needs 1 ≤ L ≤ 4");
    if k == 0 {
        return MultiStepRisk { excess: 1.0, eta: 0.0, coefficients: vec![0.0; l] };
    }
    let nm: Vec<BigInt> = (0..=2 * l).map(|m| wishart_trace_moment(m, k as u64, d as u64)).collect();
    let s2 = rat(noise_var);
    let (p, q) = (s2.numer().clone(), s2.denom().clone());
    let at: Vec<Vec<BigInt>> = (0..l).map(|j| (0..l).map(|m| &q * &nm[j + m + 2] + &p * &nm[j + m + 1]).collect()).collect();
    let bt: Vec<BigInt> = (0..l).map(|j| nm[j + 1].clone()).collect();
    let det_a = bareiss_det(at.clone());
    // Bordered determinant: det [[Ã, b̃], [b̃ᵀ, 0]] = −det(Ã)·b̃ᵀÃ⁻¹b̃.
    let mut bordered: Vec<Vec<BigInt>> = at.iter().zip(&bt).map(|(row, b)| row.iter().cloned().chain([b.clone()]).collect()).collect();
    bordered.push(bt.iter().cloned().chain([BigInt::zero()]).collect());
    let det_m = bareiss_det(bordered);
    let quad = BigRational::new(-det_m, det_a.clone());
    let risk = BigRational::one() - quad * BigRational::new(q.clone(), BigInt::from(d));
    // Cramer: x_j = det(Ã with column j ← b̃)/det Ã; c_j = q k^{j+1} x_j.
    let coefficients: Vec<f64> = (0..l)
        .map(|j| {
            let mut mj = at.clone();
            for (r, row) in mj.iter_mut().enumerate() {
                row[j] = bt[r].clone();
            }
            let num = bareiss_det(mj) * &q * num_traits::pow(BigInt::from(k), j + 1);
            to_f64(&BigRational::new(num, det_a.clone()))
        })
        .collect();
    MultiStepRisk { excess: to_f64(&risk), eta: coefficients[0], coefficients }
}

/// Determinant of an integer matrix by fraction-free Gaussian elimination (Bareiss), with row pivoting.
fn bareiss_det(mut a: Vec<Vec<BigInt>>) -> BigInt {
    let n = a.len();
    let mut sign = 1i32;
    let mut prev = BigInt::one();
    for c in 0..n {
        if a[c][c].is_zero() {
            match (c + 1..n).find(|&r| !a[r][c].is_zero()) {
                Some(r) => {
                    a.swap(c, r);
                    sign = -sign;
                }
                None => return BigInt::zero(),
            }
        }
        for i in c + 1..n {
            for j in c + 1..n {
                let v = (&a[i][j] * &a[c][c] - &a[i][c] * &a[c][j]) / &prev;
                a[i][j] = v;
            }
        }
        prev = a[c][c].clone();
    }
    let det = a[n - 1][n - 1].clone();
    if sign < 0 { -det } else { det }
}

/// polyL in the proportional limit from the Narayana moments (Hankel solve in f64; fine for L ≲ 6,
/// use [`gd_poly_limit`] beyond). α = k/D, ρ = σ²/D.
pub fn gd_poly_limit_moments(l: usize, alpha: f64, rho: f64) -> MultiStepRisk {
    let gamma = 1.0 / alpha;
    let mu: Vec<f64> = (0..=2 * l).map(|m| mp_moment(m, gamma)).collect();
    let r = rho / alpha;
    let a = DMatrix::from_fn(l, l, |j, m| mu[j + m + 2] + r * mu[j + m + 1]);
    let b = DVector::from_fn(l, |j, _| mu[j + 1]);
    let c = a.lu().solve(&b).expect("nonsingular");
    let coefficients: Vec<f64> = c.iter().copied().collect();
    MultiStepRisk { excess: 1.0 - c.dot(&b), eta: coefficients[0], coefficients }
}

/// polyL in the proportional limit for any L: minimises ∫[(1 − sP(s))² + r s P(s)²] dμ_MP,1/α(s),
/// r = ρ/α, over deg P ≤ L − 1 by weighted least squares on the MP quadrature nodes in a Chebyshev
/// basis (stable, unlike the Hankel system). Coefficients are reported in the monomial basis.
pub fn gd_poly_limit(l: usize, alpha: f64, rho: f64) -> MultiStepRisk {
    let quad = MpQuadrature::new(1.0 / alpha, MP_NODES);
    let r = rho / alpha;
    let b_edge = (1.0 + (1.0 / alpha).sqrt()).powi(2);
    let n = quad.nodes.len();
    // Rows: √w(1 − sP(s)) and √(r w s) P(s) for each bulk node; the atom at 0 gives a constant 1·atom.
    let cheb = |s: f64, j: usize| -> f64 {
        let t = 2.0 * s / b_edge - 1.0;
        (j as f64 * t.clamp(-1.0, 1.0).acos()).cos()
    };
    let rows = 2 * n;
    let mut m = DMatrix::<f64>::zeros(rows, l);
    let mut y = DVector::<f64>::zeros(rows);
    for (i, (&s, &w)) in quad.nodes.iter().zip(&quad.weights).enumerate() {
        let sw = w.sqrt();
        let sn = (r * w * s).sqrt();
        y[i] = sw;
        for j in 0..l {
            let tj = cheb(s, j);
            m[(i, j)] = sw * s * tj;
            m[(n + i, j)] = sn * tj;
        }
    }
    let svd = m.clone().svd(true, true);
    let c = svd.solve(&y, 1e-14).expect("svd solve");
    let resid = &y - &m * &c;
    let excess = resid.norm_squared() + quad.atom;
    // Convert Chebyshev coefficients (in t = 2s/b − 1) to monomials in s.
    let coefficients = chebyshev_to_monomial(c.as_slice(), 2.0 / b_edge, -1.0);
    MultiStepRisk { excess, eta: coefficients[0], coefficients }
}

/// Σ_j c_j T_j(a s + b) expanded in powers of s.
fn chebyshev_to_monomial(c: &[f64], a: f64, b: f64) -> Vec<f64> {
    let l = c.len();
    let mut out = vec![0.0; l];
    let mut t_prev = vec![0.0; l + 1];
    let mut t_cur = vec![0.0; l + 1];
    t_prev[0] = 1.0; // T_0
    if l > 0 {
        out[0] += c[0];
    }
    if l > 1 {
        t_cur[0] = b;
        t_cur[1] = a;
        for (i, v) in t_cur.iter().enumerate().take(l) {
            out[i] += c[1] * v;
        }
    }
    for j in 2..l {
        let mut next = vec![0.0; l + 1];
        for i in 0..l {
            next[i] += 2.0 * b * t_cur[i] - t_prev[i];
            if i + 1 <= l {
                next[i + 1] += 2.0 * a * t_cur[i];
            }
        }
        for (i, v) in next.iter().enumerate().take(l) {
            out[i] += c[j] * v;
        }
        t_prev = std::mem::replace(&mut t_cur, next);
    }
    out
}

/// gdL (common step) in the proportional limit for any L: e_ex(η) = ∫(1 − ηs)^{2L} dμ_MP +
/// r ∫(1 − (1 − ηs)^L)²/s dμ_MP, r = ρ/α, minimised over η.
pub fn gd_common_limit(l: usize, alpha: f64, rho: f64) -> MultiStepRisk {
    let quad = MpQuadrature::new(1.0 / alpha, MP_NODES);
    let r = rho / alpha;
    let risk = |eta: f64| {
        quad.integrate(|s| {
            let q = (1.0 - eta * s).powi(l as i32);
            let noise = if s > 0.0 { (1.0 - q).powi(2) / s } else { 0.0 };
            q * q + r * noise
        })
    };
    // Grid then golden section on a bracket (risk is smooth in η).
    let b_edge = (1.0 + (1.0 / alpha).sqrt()).powi(2);
    let eta_max = 2.0 / b_edge * 1.5;
    let (eta, _) = crate::numeric::minimise_on_grid(&risk, &crate::numeric::linear_grid(0.0, eta_max, 401), 1e-12);
    MultiStepRisk { excess: risk(eta), eta, coefficients: implied_coefficients(l, eta) }
}

/// Moment-based exact common-step risk in the limit (L ≤ any, f64 Narayana moments): e_ex(η).
pub fn gd_common_limit_at(l: usize, alpha: f64, rho: f64, eta: f64) -> f64 {
    let gamma = 1.0 / alpha;
    let mu: Vec<BigRational> = (0..=2 * l).map(|m| rat(mp_moment(m, gamma))).collect();
    let coef: Vec<f64> = common_risk_poly(l, &mu, &rat(rho / alpha)).iter().map(to_f64).collect();
    poly_eval(&coef, eta)
}
