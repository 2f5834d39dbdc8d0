//! Linear least squares with standard errors.

use super::{Interval, ResidualSummary};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// Least squares y ≈ Xβ (optionally weighted), with Cov(β̂) = s²(XᵀWX)⁻¹, s² = Σw r²/(n − p).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    pub coefficients: Vec<f64>,
    pub std_errors: Vec<f64>,
    /// Row-major p×p covariance of the coefficients.
    pub covariance: Vec<f64>,
    /// Unweighted residuals y − Xβ̂ summary (weighted rss if weights were given).
    pub residuals: ResidualSummary,
}

impl LinearFit {
    /// Fits `rows` (each a vector of p regressors) to `y`. `weights` (e.g. 1/Var y_i) are optional.
    /// Returns None if the design is rank-deficient or n < p.
    pub fn fit(rows: &[Vec<f64>], y: &[f64], weights: Option<&[f64]>) -> Option<LinearFit> {
        let n = y.len();
        let p = rows.first()?.len();
        if n < p || rows.len() != n {
            return None;
        }
        let sw: Vec<f64> = match weights {
            Some(w) => w.iter().map(|v| v.max(0.0).sqrt()).collect(),
            None => vec![1.0; n],
        };
        let x = DMatrix::from_fn(n, p, |i, j| rows[i][j] * sw[i]);
        let yv = DVector::from_fn(n, |i, _| y[i] * sw[i]);
        let svd = x.clone().svd(true, true);
        let smax = svd.singular_values.max();
        if svd.singular_values.iter().any(|&s| !(s > 1e-12 * smax)) {
            return None;
        }
        let beta = svd.solve(&yv, 0.0).ok()?;
        let r = &yv - &x * &beta;
        let resid: Vec<f64> = r.iter().copied().collect();
        let residuals = ResidualSummary::from_residuals(&resid, p);
        // (XᵀX)⁻¹ = V Σ⁻² Vᵀ.
        let v_t = svd.v_t.as_ref()?;
        let inv_s2 = DMatrix::from_diagonal(&svd.singular_values.map(|s| 1.0 / (s * s)));
        let xtx_inv = v_t.transpose() * inv_s2 * v_t;
        let s2 = residuals.sd * residuals.sd;
        let cov = xtx_inv * s2;
        Some(LinearFit {
            coefficients: beta.iter().copied().collect(),
            std_errors: (0..p).map(|i| cov[(i, i)].max(0.0).sqrt()).collect(),
            covariance: (0..p * p).map(|ij| cov[(ij / p, ij % p)]).collect(),
            residuals,
        })
    }

    /// Straight line y = a + b x: coefficients [a, b].
    pub fn line(x: &[f64], y: &[f64]) -> Option<LinearFit> {
        let rows: Vec<Vec<f64>> = x.iter().map(|&v| vec![1.0, v]).collect();
        LinearFit::fit(&rows, y, None)
    }

    /// Covariance entry (i, j).
    pub fn cov(&self, i: usize, j: usize) -> f64 {
        let p = self.coefficients.len();
        self.covariance[i * p + j]
    }

    /// Student-t 95% interval of coefficient i.
    pub fn interval95(&self, i: usize) -> Interval {
        let t = t_quantile_975(self.residuals.dof);
        let (c, s) = (self.coefficients[i], self.std_errors[i]);
        Interval { lo: c - t * s, hi: c + t * s, level: 0.95 }
    }
}

/// 97.5% quantile of Student's t with `dof` degrees of freedom (two-sided 95%). Exact table to 30,
/// Cornish–Fisher expansion beyond (error < 1e-4); +∞ for dof = 0.
pub fn t_quantile_975(dof: usize) -> f64 {
    const T: [f64; 30] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
        2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
        2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
    ];
    match dof {
        0 => f64::INFINITY,
        1..=30 => T[dof - 1],
        _ => {
            let z: f64 = 1.959963984540054;
            let v = dof as f64;
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * v.powi(3))
        }
    }
}
