//! Linear estimators ŵ from the context, predicting ŷ = ŵ·x_q (THEORY.md §2.1–2.4).

use super::{dot, Learner};
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use nalgebra::{DMatrix, DVector};

/// The context as f64 matrices: X (k × dim) and y (k).
pub(crate) fn design(xs: &[f32], ys: &[f32], dim: usize) -> (DMatrix<f64>, DVector<f64>) {
    let k = ys.len();
    debug_assert_eq!(xs.len(), k * dim, "xs must hold k × dim inputs");
    let x = DMatrix::from_row_iterator(k, dim, xs[..k * dim].iter().map(|&v| v as f64));
    let y = DVector::from_iterator(k, ys.iter().map(|&v| v as f64));
    (x, y)
}

/// Cholesky factors whose squared diagonal spread exceeds 1/this are not trusted (the
/// solution then comes from the SVD): about 1e-8 relative accuracy on the fast path.
const MAX_GRAM_SPREAD: f64 = 1e8;

/// Solves (G + λI) a = b for the symmetric Gram G of the smaller side by Cholesky; None if
/// G + λI is not numerically positive definite or looks ill-conditioned.
fn gram_solve(mut gram: DMatrix<f64>, lambda: f64, rhs: &DVector<f64>) -> Option<DVector<f64>> {
    for j in 0..gram.nrows() {
        gram[(j, j)] += lambda;
    }
    let chol = gram.cholesky()?;
    let diag = chol.l_dirty().diagonal();
    let (lo, hi) = (diag.min(), diag.max());
    if !(lo > 0.0 && hi * hi < MAX_GRAM_SPREAD * lo * lo) {
        return None;
    }
    Some(chol.solve(rhs))
}

/// Ridge/min-norm solution through the smaller Gram matrix: (XᵀX + λI)⁻¹Xᵀy for k ≥ D,
/// Xᵀ(XXᵀ + λI)⁻¹y for k < D (the same vector for λ > 0; the min-norm interpolant at λ = 0).
fn gram_path(x: &DMatrix<f64>, y: &DVector<f64>, lambda: f64) -> Option<DVector<f64>> {
    if x.nrows() >= x.ncols() {
        gram_solve(x.tr_mul(x), lambda, &x.tr_mul(y))
    } else {
        Some(x.tr_mul(&gram_solve(x * x.transpose(), lambda, y)?))
    }
}

/// Minimum-norm least-squares solution X⁺y. Fast path: Cholesky of the smaller Gram matrix
/// when it is well conditioned; otherwise (k ≈ D unlucky draws, duplicated or degenerate
/// inputs) the SVD, with singular values below max(k, D)·ε·s_max counted as zero, so the
/// result stays finite for rank-deficient X.
pub fn min_norm_solve(x: &DMatrix<f64>, y: &DVector<f64>) -> DVector<f64> {
    let (k, d) = x.shape();
    if k == 0 || d == 0 {
        return DVector::zeros(d);
    }
    if let Some(w) = gram_path(x, y, 0.0) {
        return w;
    }
    svd_min_norm(x, y)
}

/// X⁺y by SVD (the robust path of [`min_norm_solve`]).
pub fn svd_min_norm(x: &DMatrix<f64>, y: &DVector<f64>) -> DVector<f64> {
    let (k, d) = x.shape();
    if k == 0 || d == 0 {
        return DVector::zeros(d);
    }
    let svd = x.clone().svd(true, true);
    let smax = svd.singular_values.max();
    let tol = smax * (k.max(d) as f64) * f64::EPSILON;
    svd.solve(y, tol).expect("non-negative tolerance")
}

/// Ridge solution (XᵀX + λI)⁻¹Xᵀy for λ > 0 (Cholesky of the smaller Gram matrix, SVD if
/// that is ill-conditioned); X⁺y for λ = 0.
pub fn ridge_solve(x: &DMatrix<f64>, y: &DVector<f64>, lambda: f64) -> DVector<f64> {
    let d = x.ncols();
    if x.nrows() == 0 {
        return DVector::zeros(d);
    }
    if lambda <= 0.0 {
        return min_norm_solve(x, y);
    }
    if let Some(w) = gram_path(x, y, lambda) {
        return w;
    }
    // V diag(s/(s²+λ)) Uᵀ y: always defined for λ > 0.
    let svd = x.clone().svd(true, true);
    let (u, v_t) = (svd.u.expect("u"), svd.v_t.expect("v_t"));
    let uty = u.transpose() * y;
    let scaled = DVector::from_iterator(
        uty.len(),
        uty.iter().zip(svd.singular_values.iter()).map(|(c, s)| c * s / (s * s + lambda)),
    );
    v_t.transpose() * scaled
}

/// ŷ = 0 (§2.1).
#[derive(Clone, Debug, Default)]
pub struct Zero;

impl Learner for Zero {
    fn name(&self) -> String {
        "zero".into()
    }
    fn predict(&self, _xs: &[f32], _ys: &[f32], _dim: usize, _query: &[f32]) -> f64 {
        0.0
    }
    fn predict_prompt(&self, _xs: &[f32], ys: &[f32], _dim: usize) -> Vec<f64> {
        vec![0.0; ys.len()]
    }
}

/// ŵ = (1/k) Σ y_i x_i (§2.2, Garg et al.).
#[derive(Clone, Debug, Default)]
pub struct Averaging;

impl Learner for Averaging {
    fn name(&self) -> String {
        "averaging".into()
    }
    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        let k = ys.len();
        if k == 0 {
            return 0.0;
        }
        let mut w = vec![0.0; dim];
        for (i, &y) in ys.iter().enumerate() {
            for (w, &x) in w.iter_mut().zip(&xs[i * dim..(i + 1) * dim]) {
                *w += y as f64 * x as f64;
            }
        }
        dot(&w, query) / k as f64
    }
}

/// ŵ = X⁺y: ordinary least squares for k ≥ D, minimum-norm interpolation for k < D (§2.3).
#[derive(Clone, Debug, Default)]
pub struct LeastSquares;

impl Learner for LeastSquares {
    fn name(&self) -> String {
        "least_squares".into()
    }
    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        if ys.is_empty() {
            return 0.0;
        }
        let (x, y) = design(xs, ys, dim);
        dot(min_norm_solve(&x, &y).as_slice(), query)
    }
}

/// ŵ = (XᵀX + λI)⁻¹Xᵀy (§2.4); λ = 0 is least squares.
#[derive(Clone, Debug)]
pub struct Ridge {
    pub lambda: f64,
}

impl Learner for Ridge {
    fn name(&self) -> String {
        format!("ridge_{}", self.lambda)
    }
    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        if ys.is_empty() {
            return 0.0;
        }
        let (x, y) = design(xs, ys, dim);
        dot(ridge_solve(&x, &y, self.lambda).as_slice(), query)
    }
}

/// Posterior mean of w under the prior w ~ N(0, diag(ω)) and label noise σ²:
/// ŵ = (XᵀX + σ²Ω⁻¹)⁻¹Xᵀy, computed as Ω^{1/2}·ridge(XΩ^{1/2}, y, σ²) so that σ² = 0 gives
/// the minimum Ω⁻¹-norm interpolant (pseudo-inverse) without dividing by zero, and tiny ω
/// never gets inverted. With ω = 1 and σ² > 0 this is ridge with λ = σ².
#[derive(Clone, Debug)]
pub struct BayesLinear {
    /// Prior variances ω_j (diagonal Ω in the input coordinates).
    pub omega: Vec<f64>,
    pub noise_var: f64,
}

impl BayesLinear {
    /// The Bayes-optimal learner of a dense linear task, when its prior is known to the
    /// learner: ISO and FS (Ω diagonal in the input coordinates), and RRS with Ω = I (μ = 0;
    /// with μ ≠ 0 the prior depends on the unseen per-prompt rotation). Otherwise None.
    pub fn for_spec(spec: &TaskSpec) -> Option<Self> {
        if spec.family != TaskFamily::Linear {
            return None;
        }
        let cov = spec.input_covariance();
        match spec.covariance {
            Covariance::Iso | Covariance::Fs { .. } => {}
            Covariance::Rrs { .. } if cov.omega.iter().all(|&w| (w - 1.0).abs() < 1e-12) => {}
            Covariance::Rrs { .. } => return None,
        }
        Some(BayesLinear { omega: cov.omega, noise_var: spec.noise_var.max(0.0) })
    }
}

impl Learner for BayesLinear {
    fn name(&self) -> String {
        "bayes".into()
    }
    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        if ys.is_empty() {
            return 0.0;
        }
        let (mut a, y) = design(xs, ys, dim);
        let root: Vec<f64> = self.omega.iter().map(|w| w.max(0.0).sqrt()).collect();
        for j in 0..dim {
            a.column_mut(j).scale_mut(root[j]);
        }
        let v = ridge_solve(&a, &y, self.noise_var);
        (0..dim).map(|j| root[j] * v[j] * query[j] as f64).sum()
    }
}
