//! Linear estimators ŵ from the context, predicting ŷ = ŵ·x_q (THEORY.md §2.1–2.4).

use super::{dot, Learner};
use crate::tasks::{Covariance, TaskFamily, TaskSpec};
use nalgebra::{DMatrix, DVector};

/// The context as f64 matrices: X (k × dim) and y (k).
#[cfg(test)]
pub(crate) fn design(xs: &[f32], ys: &[f32], dim: usize) -> (DMatrix<f64>, DVector<f64>) {
    let k = ys.len();
    debug_assert_eq!(xs.len(), k * dim, "xs must hold k × dim inputs");
    let x = DMatrix::from_row_iterator(k, dim, xs[..k * dim].iter().map(|&v| v as f64));
    let y = DVector::from_iterator(k, ys.iter().map(|&v| v as f64));
    (x, y)
}

/// Cholesky factors whose squared diagonal spread exceeds this are not trusted (the
/// solution then comes from the SVD): about 1e-8 relative accuracy on the fast path.
const MAX_GRAM_SPREAD: f64 = 1e8;

/// Cholesky solve of (G + λI) a = b; None if G + λI is not numerically positive definite or
/// its factor's diagonal spread suggests ill-conditioning.
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

/// The context of a linear least-squares problem, grown one example at a time, so a whole
/// prompt costs one pass (k = 0..n) instead of n fresh builds, with bit-identical results:
/// the D × D Gram XᵀX and Xᵀy are accumulated in example order either way.
#[derive(Clone, Debug)]
pub struct NormalEquations {
    dim: usize,
    rows: Vec<f64>,
    ys: Vec<f64>,
    gram: DMatrix<f64>,
    xty: DVector<f64>,
}

impl NormalEquations {
    pub fn new(dim: usize) -> Self {
        NormalEquations { dim, rows: vec![], ys: vec![], gram: DMatrix::zeros(dim, dim), xty: DVector::zeros(dim) }
    }

    /// The context `xs` (k × dim), `ys` (k), each input coordinate scaled by `scale` if given.
    pub fn from_context(xs: &[f32], ys: &[f32], dim: usize, scale: Option<&[f64]>) -> Self {
        let mut ne = NormalEquations::new(dim);
        for (i, &y) in ys.iter().enumerate() {
            ne.push(&xs[i * dim..(i + 1) * dim], y, scale);
        }
        ne
    }

    /// Adds one example (input coordinates multiplied by `scale` if given).
    pub fn push(&mut self, x: &[f32], y: f32, scale: Option<&[f64]>) {
        let row: Vec<f64> = (0..self.dim).map(|j| x[j] as f64 * scale.map_or(1.0, |s| s[j])).collect();
        self.push_f64(&row, y as f64);
    }

    /// Adds one example given in f64.
    pub fn push_f64(&mut self, row: &[f64], y: f64) {
        // Only the lower triangle of the Gram matrix is kept (all Cholesky reads).
        for a in 0..self.dim {
            self.xty[a] += row[a] * y;
            for b in 0..=a {
                self.gram[(a, b)] += row[a] * row[b];
            }
        }
        self.rows.extend_from_slice(&row[..self.dim]);
        self.ys.push(y);
    }

    pub fn len(&self) -> usize {
        self.ys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ys.is_empty()
    }

    /// (XᵀX + λI)⁻¹Xᵀy for λ > 0; X⁺y (minimum-norm least squares) for λ = 0.
    /// Fast path: Cholesky of the smaller Gram matrix, XᵀX (k ≥ D) or XXᵀ (k < D, then
    /// ŵ = Xᵀ(XXᵀ + λI)⁻¹y), when well conditioned. Otherwise (k ≈ D unlucky draws,
    /// duplicated or degenerate inputs) the SVD: singular values below max(k, D)·ε·s_max
    /// count as zero for λ = 0, and ŵ = V diag(s/(s² + λ)) Uᵀy for λ > 0.
    pub fn solve(&self, lambda: f64) -> DVector<f64> {
        let (k, d) = (self.len(), self.dim);
        if k == 0 || d == 0 {
            return DVector::zeros(d);
        }
        let lambda = lambda.max(0.0);
        let fast = if k >= d {
            gram_solve(self.gram.clone(), lambda, &self.xty)
        } else {
            // Lower triangle only (all Cholesky reads).
            let mut kernel = DMatrix::zeros(k, k);
            for i in 0..k {
                let ri = &self.rows[i * d..(i + 1) * d];
                for j in 0..=i {
                    kernel[(i, j)] = ri.iter().zip(&self.rows[j * d..(j + 1) * d]).map(|(a, b)| a * b).sum();
                }
            }
            gram_solve(kernel, lambda, &DVector::from_column_slice(&self.ys)).map(|alpha| {
                DVector::from_fn(d, |j, _| (0..k).map(|i| self.rows[i * d + j] * alpha[i]).sum())
            })
        };
        fast.unwrap_or_else(|| {
            let x = DMatrix::from_row_slice(k, d, &self.rows);
            svd_ridge(&x, &DVector::from_column_slice(&self.ys), lambda)
        })
    }
}

/// Ridge / minimum-norm solution by SVD (the robust path of [`NormalEquations::solve`]).
pub fn svd_ridge(x: &DMatrix<f64>, y: &DVector<f64>, lambda: f64) -> DVector<f64> {
    let (k, d) = x.shape();
    if k == 0 || d == 0 {
        return DVector::zeros(d);
    }
    let svd = x.clone().svd(true, true);
    if lambda <= 0.0 {
        let tol = svd.singular_values.max() * (k.max(d) as f64) * f64::EPSILON;
        return svd.solve(y, tol).expect("non-negative tolerance");
    }
    let (u, v_t) = (svd.u.as_ref().expect("u"), svd.v_t.as_ref().expect("v_t"));
    let uty = u.transpose() * y;
    let scaled = DVector::from_iterator(
        uty.len(),
        uty.iter().zip(svd.singular_values.iter()).map(|(c, s)| c * s / (s * s + lambda)),
    );
    v_t.transpose() * scaled
}

fn rows_of(x: &DMatrix<f64>, y: &DVector<f64>) -> NormalEquations {
    let mut ne = NormalEquations::new(x.ncols());
    for i in 0..x.nrows() {
        let row: Vec<f64> = x.row(i).iter().copied().collect();
        ne.push_f64(&row, y[i]);
    }
    ne
}

/// Minimum-norm least-squares solution X⁺y (see [`NormalEquations::solve`]).
pub fn min_norm_solve(x: &DMatrix<f64>, y: &DVector<f64>) -> DVector<f64> {
    rows_of(x, y).solve(0.0)
}

/// X⁺y by SVD only.
pub fn svd_min_norm(x: &DMatrix<f64>, y: &DVector<f64>) -> DVector<f64> {
    svd_ridge(x, y, 0.0)
}

/// Predictions of a ridge-type learner for every point of a prompt (k = 0..n), on inputs
/// scaled by `scale` (weights mapped back the same way): one incremental pass.
fn ridge_prompt(xs: &[f32], ys: &[f32], dim: usize, lambda: f64, scale: Option<&[f64]>) -> Vec<f64> {
    let mut ne = NormalEquations::new(dim);
    let mut out = Vec::with_capacity(ys.len());
    for (i, &y) in ys.iter().enumerate() {
        let q = &xs[i * dim..(i + 1) * dim];
        out.push(if i == 0 { 0.0 } else { predict_scaled(&ne.solve(lambda), q, scale) });
        ne.push(q, y, scale);
    }
    out
}

/// ŷ = Σ_j scale_j v_j q_j (v the weights of the scaled inputs).
fn predict_scaled(v: &DVector<f64>, query: &[f32], scale: Option<&[f64]>) -> f64 {
    (0..v.len()).map(|j| scale.map_or(1.0, |s| s[j]) * v[j] * query[j] as f64).sum()
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
        let ne = NormalEquations::from_context(xs, ys, dim, None);
        predict_scaled(&ne.solve(0.0), query, None)
    }
    fn predict_prompt(&self, xs: &[f32], ys: &[f32], dim: usize) -> Vec<f64> {
        ridge_prompt(xs, ys, dim, 0.0, None)
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
        let ne = NormalEquations::from_context(xs, ys, dim, None);
        predict_scaled(&ne.solve(self.lambda), query, None)
    }
    fn predict_prompt(&self, xs: &[f32], ys: &[f32], dim: usize) -> Vec<f64> {
        ridge_prompt(xs, ys, dim, self.lambda, None)
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

    /// Whether this is plain ridge with λ = σ² (least squares when σ² = 0): Ω = I.
    pub fn is_isotropic(&self) -> bool {
        self.omega.iter().all(|&w| w == 1.0)
    }

    fn root(&self) -> Vec<f64> {
        self.omega.iter().map(|w| w.max(0.0).sqrt()).collect()
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
        let root = self.root();
        let ne = NormalEquations::from_context(xs, ys, dim, Some(&root));
        predict_scaled(&ne.solve(self.noise_var), query, Some(&root))
    }
    fn predict_prompt(&self, xs: &[f32], ys: &[f32], dim: usize) -> Vec<f64> {
        ridge_prompt(xs, ys, dim, self.noise_var, Some(&self.root()))
    }
}
