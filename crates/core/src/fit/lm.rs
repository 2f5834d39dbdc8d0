//! Levenberg–Marquardt nonlinear least squares with a covariance estimate.

use nalgebra::{DMatrix, DVector};

/// Options of [`levenberg_marquardt`].
#[derive(Clone, Debug, PartialEq)]
pub struct LmOptions {
    pub max_iterations: usize,
    /// Initial damping λ (Marquardt scaling by diag(JᵀJ)).
    pub lambda0: f64,
    /// Stop when every |δ_i| ≤ xtol·(|p_i| + xtol).
    pub xtol: f64,
}

impl Default for LmOptions {
    fn default() -> Self {
        LmOptions { max_iterations: 500, lambda0: 1e-3, xtol: 1e-15 }
    }
}

/// Result: parameters, residual sum of squares, covariance s²(JᵀJ)⁻¹ (s² = rss/(n − p)), iterations.
#[derive(Clone, Debug, PartialEq)]
pub struct LmResult {
    pub params: Vec<f64>,
    pub residuals: Vec<f64>,
    pub rss: f64,
    /// p×p covariance (row-major); NaN entries if JᵀJ is singular or n ≤ p.
    pub covariance: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

impl LmResult {
    pub fn std_error(&self, i: usize) -> f64 {
        let p = self.params.len();
        self.covariance[i * p + i].max(0.0).sqrt()
    }
    pub fn cov(&self, i: usize, j: usize) -> f64 {
        self.covariance[i * self.params.len() + j]
    }
}

/// Minimises Σ r_i(p)² where `model(p)` returns the residual vector and its Jacobian ∂r_i/∂p_j
/// (n×p), or None where the model is undefined (the step is then rejected).
pub fn levenberg_marquardt<F>(model: F, p0: &[f64], opts: &LmOptions) -> LmResult
where
    F: Fn(&[f64]) -> Option<(DVector<f64>, DMatrix<f64>)>,
{
    let mut p = DVector::from_column_slice(p0);
    let (mut r, mut j) = model(p.as_slice()).expect("model must be defined at the starting point");
    let mut rss = r.norm_squared();
    let mut lam = opts.lambda0;
    let mut converged = false;
    let mut it = 0;
    while it < opts.max_iterations {
        it += 1;
        let jtj = j.transpose() * &j;
        let g = j.transpose() * &r;
        if g.amax() == 0.0 || rss == 0.0 {
            converged = true;
            break;
        }
        let mut accepted = false;
        let mut small_step = false;
        for _ in 0..60 {
            let mut a = jtj.clone();
            for i in 0..a.nrows() {
                a[(i, i)] += lam * (jtj[(i, i)] + 1e-300);
            }
            let step = match a.clone().cholesky() {
                Some(c) => c.solve(&(-&g)),
                None => match a.lu().solve(&(-&g)) {
                    Some(s) => s,
                    None => {
                        lam *= 10.0;
                        continue;
                    }
                },
            };
            small_step = step.iter().zip(p.iter()).all(|(d, x)| d.abs() <= opts.xtol * (x.abs() + opts.xtol));
            let pn = &p + &step;
            if let Some((rn, jn)) = model(pn.as_slice()) {
                let rss_n = rn.norm_squared();
                if rss_n.is_finite() && rss_n <= rss {
                    let improved = rss_n < rss;
                    p = pn;
                    r = rn;
                    j = jn;
                    rss = rss_n;
                    lam = (lam / 3.0).max(1e-15);
                    accepted = improved || small_step;
                    break;
                }
            }
            lam *= 4.0;
            if lam > 1e16 {
                break;
            }
        }
        if !accepted || small_step {
            converged = small_step || !accepted;
            break;
        }
    }
    let n = r.len();
    let np = p.len();
    let jtj = j.transpose() * &j;
    let s2 = if n > np { rss / (n - np) as f64 } else { f64::NAN };
    let covariance = match jtj.clone().try_inverse() {
        Some(inv) => (0..np * np).map(|ij| inv[(ij / np, ij % np)] * s2).collect(),
        None => vec![f64::NAN; np * np],
    };
    LmResult { params: p.iter().copied().collect(), residuals: r.iter().copied().collect(), rss, covariance, iterations: it, converged }
}

/// Forward-difference Jacobian of a residual function (for models without an analytic one).
pub fn numeric_jacobian(res: impl Fn(&[f64]) -> Option<DVector<f64>>, p: &[f64]) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let r0 = res(p)?;
    let mut jac = DMatrix::zeros(r0.len(), p.len());
    for i in 0..p.len() {
        let h = 1e-7 * p[i].abs().max(1.0);
        let mut q = p.to_vec();
        q[i] += h;
        let r1 = res(&q)?;
        jac.set_column(i, &((r1 - &r0) / h));
    }
    Some((r0, jac))
}
