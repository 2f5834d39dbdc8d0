//! Exponents across budgets, the Theorem-1 additive form and the effective learning rate
//! (THEORY.md §4.2, §4.3, §4.4 N_c scaling, §4.5 L* scaling).

use super::lm::{LmOptions, levenberg_marquardt};
use super::{Interval, LinearFit, ResidualSummary, t_quantile_975};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// Log–log slope of a fitted quantity against a budget: ln y = c + β ln x (e.g. L̂* against N, where the
/// claim is β = 2/3; or N̂_c against k, where the claim is β = 2(h+1)). Optional weights 1/Var(ln y_i).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingExponentFit {
    pub exponent: f64,
    pub se_exponent: f64,
    pub intercept: f64,
    pub se_intercept: f64,
    /// Student-t 95% interval of the exponent.
    pub exponent_ci: Interval,
    pub residuals: ResidualSummary,
}

impl ScalingExponentFit {
    pub fn fit(x: &[f64], y: &[f64], weights: Option<&[f64]>) -> Option<ScalingExponentFit> {
        if x.len() != y.len() || x.iter().chain(y).any(|&v| !(v > 0.0)) {
            return None;
        }
        let rows: Vec<Vec<f64>> = x.iter().map(|v| vec![1.0, v.ln()]).collect();
        let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
        let f = LinearFit::fit(&rows, &ly, weights)?;
        let ci = f.interval95(1);
        Some(ScalingExponentFit {
            exponent: f.coefficients[1],
            se_exponent: f.std_errors[1],
            intercept: f.coefficients[0],
            se_intercept: f.std_errors[0],
            exponent_ci: ci,
            residuals: f.residuals,
        })
    }

    /// Whether the 95% interval contains a claimed exponent.
    pub fn consistent_with(&self, claimed: f64) -> bool {
        self.exponent_ci.contains(claimed)
    }
}

/// §4.2 additive form ε = ε_∞ + A·N^{−a} + B·D^{−b} on a 2-D grid (N = model size, D = data), fitted on
/// log residuals by LM from a variable-projection start; reports a − b with its SE for the test a = b.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdditiveFit {
    pub e_inf: f64,
    pub a_coef: f64,
    pub a_exp: f64,
    pub b_coef: f64,
    pub b_exp: f64,
    /// SEs of (ε_∞, ln A, a, ln B, b).
    pub std_errors: Vec<f64>,
    pub exp_difference: f64,
    pub se_exp_difference: f64,
    /// 95% interval of a − b; the shared-exponent claim is consistent if it contains 0.
    pub exp_difference_ci: Interval,
    pub residuals: ResidualSummary,
}

impl AdditiveFit {
    pub fn fit(n: &[f64], data: &[f64], e: &[f64]) -> Option<AdditiveFit> {
        let m = e.len();
        if m < 6 || n.len() != m || data.len() != m || n.iter().chain(data).chain(e).any(|&v| !(v > 0.0)) {
            return None;
        }
        let ln_n: Vec<f64> = n.iter().map(|v| v.ln()).collect();
        let ln_d: Vec<f64> = data.iter().map(|v| v.ln()).collect();
        let lne: Vec<f64> = e.iter().map(|v| v.ln()).collect();
        let grid: Vec<f64> = (0..30).map(|i| 0.02 * 100f64.powf(i as f64 / 29.0)).collect();
        let mut best: Option<(f64, [f64; 5])> = None;
        for &a in &grid {
            for &b in &grid {
                let rows: Vec<Vec<f64>> = (0..m).map(|i| vec![1.0, (-a * ln_n[i]).exp(), (-b * ln_d[i]).exp()]).collect();
                let w: Vec<f64> = e.iter().map(|v| 1.0 / (v * v)).collect();
                let Some(f) = LinearFit::fit(&rows, e, Some(&w)) else { continue };
                let (e0, ac, bc) = (f.coefficients[0].max(0.0), f.coefficients[1], f.coefficients[2]);
                if !(ac > 0.0 && bc > 0.0) {
                    continue;
                }
                let s: f64 = (0..m)
                    .map(|i| (lne[i] - (e0 + ac * (-a * ln_n[i]).exp() + bc * (-b * ln_d[i]).exp()).ln()).powi(2))
                    .sum();
                if s.is_finite() && best.as_ref().is_none_or(|bb| s < bb.0) {
                    best = Some((s, [e0, ac.ln(), a, bc.ln(), b]));
                }
            }
        }
        let (_, p0) = best?;
        let model = |p: &[f64]| -> Option<(DVector<f64>, DMatrix<f64>)> {
            let mut r = DVector::zeros(m);
            let mut j = DMatrix::zeros(m, 5);
            for i in 0..m {
                let t1 = (p[1] - p[2] * ln_n[i]).exp();
                let t2 = (p[3] - p[4] * ln_d[i]).exp();
                let mdl = p[0] + t1 + t2;
                if !(mdl > 0.0) {
                    return None;
                }
                r[i] = lne[i] - mdl.ln();
                j[(i, 0)] = -1.0 / mdl;
                j[(i, 1)] = -t1 / mdl;
                j[(i, 2)] = t1 * ln_n[i] / mdl;
                j[(i, 3)] = -t2 / mdl;
                j[(i, 4)] = t2 * ln_d[i] / mdl;
            }
            Some((r, j))
        };
        let res = levenberg_marquardt(model, &p0, &LmOptions::default());
        let p = &res.params;
        let diff = p[2] - p[4];
        let var = res.cov(2, 2) + res.cov(4, 4) - 2.0 * res.cov(2, 4);
        let se = var.max(0.0).sqrt();
        let residuals = ResidualSummary::from_residuals(&res.residuals, 5);
        let t = t_quantile_975(residuals.dof);
        Some(AdditiveFit {
            e_inf: p[0],
            a_coef: p[1].exp(),
            a_exp: p[2],
            b_coef: p[3].exp(),
            b_exp: p[4],
            std_errors: (0..5).map(|i| res.std_error(i)).collect(),
            exp_difference: diff,
            se_exp_difference: se,
            exp_difference_ci: Interval { lo: diff - t * se, hi: diff + t * se, level: 0.95 },
            residuals,
        })
    }

    pub fn predict(&self, n: f64, data: f64) -> f64 {
        self.e_inf + self.a_coef * n.powf(-self.a_exp) + self.b_coef * data.powf(-self.b_exp)
    }
}

/// §4.3 effective in-context learning rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EtaEffFit {
    /// Slope of ŷ_model on g = x_q·h through the origin (η_eff).
    pub eta: f64,
    pub se_eta: f64,
    /// Fraction of Σŷ² explained by η g (uncentred R²).
    pub r2: f64,
    pub residuals: ResidualSummary,
}

impl EtaEffFit {
    /// No-intercept regression of model predictions on the one-step GD feature x_q·h.
    pub fn slope_through_origin(model_pred: &[f64], gd_feature: &[f64]) -> Option<EtaEffFit> {
        let rows: Vec<Vec<f64>> = gd_feature.iter().map(|&g| vec![g]).collect();
        let f = LinearFit::fit(&rows, model_pred, None)?;
        let syy: f64 = model_pred.iter().map(|v| v * v).sum();
        Some(EtaEffFit { eta: f.coefficients[0], se_eta: f.std_errors[0], r2: 1.0 - f.residuals.rss / syy, residuals: f.residuals })
    }

    /// Fits ln η_eff = c − a ln L − b ln d over an (L, d) grid; returns [c, a, b] as a [`LinearFit`]
    /// with the signs flipped so that the claim reads a = b = 1/2 (coefficients 1 and 2).
    pub fn depth_width_scaling(l: &[f64], d: &[f64], eta: &[f64]) -> Option<LinearFit> {
        if l.len() != eta.len() || d.len() != eta.len() || l.iter().chain(d).chain(eta).any(|&v| !(v > 0.0)) {
            return None;
        }
        let rows: Vec<Vec<f64>> = l.iter().zip(d).map(|(a, b)| vec![1.0, -a.ln(), -b.ln()]).collect();
        let y: Vec<f64> = eta.iter().map(|v| v.ln()).collect();
        LinearFit::fit(&rows, &y, None)
    }
}
