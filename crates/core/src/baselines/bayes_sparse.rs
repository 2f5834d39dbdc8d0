//! The Bayes-optimal predictor of the sparse linear task by enumerating supports.
//!
//! Prior (THEORY.md §1.2): a uniformly random support S of s coordinates, w_S ~ N(0, Ω_S)
//! (Ω diagonal: ISO, FS; RRS only with Ω = I), w = 0 elsewhere; noise σ². Given S, with the
//! whitened design A = X_S Ω_S^{1/2} (k × s), y ~ N(0, AAᵀ + σ²I), so
//!
//! * k > s (primal form, M = AᵀA + σ²I, β = M⁻¹Aᵀy):
//!   −2 log p(y|S) = (‖y − Aβ‖² + σ²‖β‖²)/σ² + (k − s) log σ² + log det M + const,
//! * k ≤ s (kernel form, K = AAᵀ + σ²I, β = AᵀK⁻¹y):
//!   −2 log p(y|S) = yᵀK⁻¹y + log det K + const,
//!
//! and E[w_S | y, S] = Ω_S^{1/2} β. The prediction is Σ_S p(S | y) x_q,S·E[w_S | y, S].
//! σ² = 0 is approached with σ² = 1e-10·mean(y²): supports that cannot interpolate the
//! labels get weight ≈ 0, those that can keep their exact noiseless weights (k ≤ s needs no
//! noise at all; for k > s all supports share the σ power).

use super::Learner;
use crate::tasks::{Covariance, TaskFamily, TaskSpec};

/// Supports enumerated at most (the suite reports the sparse Bayes as unavailable above).
pub const MAX_SUPPORTS: u64 = 5000;

#[derive(Clone, Debug)]
pub struct BayesSparse {
    pub dim: usize,
    pub nonzero: usize,
    /// Prior variances ω_j of the kept coordinates.
    pub omega: Vec<f64>,
    pub noise_var: f64,
    /// All supports, s indices each, concatenated.
    supports: Vec<usize>,
}

/// C(n, r), or None past u64.
pub fn binomial(n: usize, r: usize) -> Option<u64> {
    if r > n {
        return Some(0);
    }
    let r = r.min(n - r);
    let mut acc: u64 = 1;
    for i in 0..r {
        acc = acc.checked_mul((n - i) as u64)? / (i as u64 + 1);
    }
    Some(acc)
}

impl BayesSparse {
    /// None unless the task is sparse linear with a prior diagonal in the input coordinates
    /// and C(D, s) ≤ [`MAX_SUPPORTS`].
    pub fn for_spec(spec: &TaskSpec) -> Option<Self> {
        let TaskFamily::SparseLinear { nonzero } = spec.family else { return None };
        let cov = spec.input_covariance();
        if matches!(spec.covariance, Covariance::Rrs { .. }) && cov.omega.iter().any(|&w| (w - 1.0).abs() > 1e-12) {
            return None;
        }
        Self::new(spec.dim, nonzero.min(spec.dim), cov.omega, spec.noise_var)
    }

    pub fn new(dim: usize, nonzero: usize, omega: Vec<f64>, noise_var: f64) -> Option<Self> {
        if binomial(dim, nonzero)? > MAX_SUPPORTS || omega.len() != dim {
            return None;
        }
        let mut all = Vec::new();
        let mut current = Vec::with_capacity(nonzero);
        combinations(dim, nonzero, 0, &mut current, &mut all);
        let supports = all.concat();
        Some(BayesSparse { dim, nonzero, omega, noise_var: noise_var.max(0.0), supports })
    }
}

fn combinations(n: usize, r: usize, start: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    if current.len() == r {
        out.push(current.clone());
        return;
    }
    for j in start..n {
        if n - j < r - current.len() {
            break;
        }
        current.push(j);
        combinations(n, r, j + 1, current, out);
        current.pop();
    }
}

/// In-place Cholesky of an n × n SPD matrix (row-major, lower factor); false if not SPD.
fn cholesky(a: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        let mut d = a[j * n + j];
        for p in 0..j {
            d -= a[j * n + p] * a[j * n + p];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut v = a[i * n + j];
            for p in 0..j {
                v -= a[i * n + p] * a[j * n + p];
            }
            a[i * n + j] = v / d;
        }
    }
    true
}

/// Solves L Lᵀ x = b in place given the factor from [`cholesky`]; returns det(L Lᵀ).
fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) -> f64 {
    for i in 0..n {
        let mut v = b[i];
        for p in 0..i {
            v -= l[i * n + p] * b[p];
        }
        b[i] = v / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut v = b[i];
        for p in i + 1..n {
            v -= l[p * n + i] * b[p];
        }
        b[i] = v / l[i * n + i];
    }
    (0..n).map(|i| l[i * n + i] * l[i * n + i]).product()
}

impl Learner for BayesSparse {
    fn name(&self) -> String {
        "bayes".into()
    }

    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        assert_eq!(dim, self.dim, "BayesSparse was built for another dimension");
        let k = ys.len();
        let s = self.nonzero;
        if k == 0 || s == 0 {
            return 0.0;
        }
        let x = |i: usize, j: usize| xs[i * dim + j] as f64;
        let yy: f64 = ys.iter().map(|&y| (y as f64).powi(2)).sum();
        let s2 = if self.noise_var > 0.0 { self.noise_var } else { 1e-10 * (yy / k as f64).max(1e-300) };
        let root: Vec<f64> = self.omega.iter().map(|w| w.max(0.0).sqrt()).collect();
        let primal = k > s;
        // Primal form needs G = XᵀX and c = Xᵀy.
        let (mut gram, mut c) = (vec![0.0; if primal { dim * dim } else { 0 }], vec![0.0; dim]);
        if primal {
            for i in 0..k {
                for a in 0..dim {
                    let xa = x(i, a);
                    c[a] += xa * ys[i] as f64;
                    for b in a..dim {
                        gram[a * dim + b] += xa * x(i, b);
                    }
                }
            }
        }
        // Whitened moments: G̃ = Ω^{1/2} G Ω^{1/2}, c̃ = Ω^{1/2} c, q̃ = Ω^{1/2} x_q.
        if primal {
            for a in 0..dim {
                c[a] *= root[a];
                for b in a..dim {
                    gram[a * dim + b] *= root[a] * root[b];
                    gram[b * dim + a] = gram[a * dim + b];
                }
            }
        }
        let qs: Vec<f64> = (0..dim).map(|a| root[a] * query[a] as f64).collect();
        let n = if primal { s } else { k };
        let (mut mat, mut rhs) = (vec![0.0; n * n], vec![0.0; n]);
        let (mut best, mut sum_w, mut sum_wp) = (f64::NEG_INFINITY, 0.0, 0.0);
        for sup in self.supports.chunks_exact(s) {
            // −2 log p(y | S) up to a constant common to all supports, and x_q,S·Ω^{1/2}β.
            let (neg2_log_p, pred) = if primal {
                for (p, &a) in sup.iter().enumerate() {
                    let row = &gram[a * dim..(a + 1) * dim];
                    for (q, &b) in sup.iter().enumerate() {
                        mat[p * s + q] = row[b];
                    }
                    mat[p * s + p] += s2;
                    rhs[p] = c[a];
                }
                if !cholesky(&mut mat, s) {
                    continue;
                }
                let det = cholesky_solve(&mat, s, &mut rhs);
                // yᵀ(AAᵀ + σ²I)⁻¹y = (yᵀy − bᵀβ)/σ², b = Aᵀy = c̃_S·k, β = M⁻¹b.
                let (mut b_beta, mut pred) = (0.0, 0.0);
                for (p, &a) in sup.iter().enumerate() {
                    b_beta += c[a] * rhs[p];
                    pred += qs[a] * rhs[p];
                }
                ((yy - b_beta).max(0.0) / s2 + det.ln(), pred)
            } else {
                for i in 0..k {
                    for j in 0..k {
                        let v: f64 = sup.iter().map(|&a| self.omega[a] * x(i, a) * x(j, a)).sum();
                        mat[i * k + j] = v + if i == j { s2 } else { 0.0 };
                    }
                    rhs[i] = ys[i] as f64;
                }
                if !cholesky(&mut mat, k) {
                    continue;
                }
                let log_det = cholesky_solve(&mat, k, &mut rhs).ln();
                let quad: f64 = ys.iter().zip(&rhs).map(|(&y, a)| y as f64 * a).sum();
                // E[w_a] = ω_a Σ_i x_ia α_i with α = K⁻¹y.
                let pred: f64 = sup
                    .iter()
                    .map(|&a| root[a] * (0..k).map(|i| x(i, a) * rhs[i]).sum::<f64>() * qs[a])
                    .sum();
                (quad + log_det, pred)
            };
            let log_w = -0.5 * neg2_log_p;
            if log_w > best {
                let r = (best - log_w).exp();
                sum_w *= r;
                sum_wp *= r;
                best = log_w;
            }
            let w = (log_w - best).exp();
            sum_w += w;
            sum_wp += w * pred;
        }
        if sum_w > 0.0 { sum_wp / sum_w } else { 0.0 }
    }
}
