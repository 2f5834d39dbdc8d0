//! Phase transition: a sigmoid in natural-log N (THEORY.md §4.4).

use super::lm::{LmOptions, levenberg_marquardt};
use super::power_law::{FloorPowerLawFit, ResidualScale};
use super::{Interval, ResidualSummary, percentile_interval, t_quantile_975};
use crate::rng::seeded;
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// ε(N) = ε_lo + (ε_hi − ε_lo)/(1 + exp((ln N − ln N_c)/w)); w is a width in e-folds of N.
pub fn logistic_model(n: f64, e_hi: f64, e_lo: f64, log_nc: f64, w: f64) -> f64 {
    e_lo + (e_hi - e_lo) / (1.0 + ((n.ln() - log_nc) / w).exp())
}

/// LM fit of (ε_hi, ε_lo, ln N_c, w) on additive residuals, initialised at ε_hi = max ε, ε_lo = min ε,
/// ln N_c = ln N of the point closest to the midpoint (max+min)/2, w = 1 (THEORY.md §4.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    pub e_hi: f64,
    pub e_lo: f64,
    /// ln N_c (natural log).
    pub log_nc: f64,
    pub n_c: f64,
    pub width: f64,
    pub se_e_hi: f64,
    pub se_e_lo: f64,
    pub se_log_nc: f64,
    pub se_width: f64,
    /// 95% interval of N_c: exp(ln N̂_c ± t·SE) from the LM covariance.
    pub n_c_ci: Interval,
    /// 95% percentile bootstrap interval of N_c (points resampled), if requested.
    pub n_c_bootstrap: Option<Interval>,
    pub residuals: ResidualSummary,
    pub converged: bool,
}

fn fit_params(lnn: &[f64], e: &[f64]) -> Option<(Vec<f64>, super::LmResult)> {
    let m = lnn.len();
    if m < 5 {
        return None;
    }
    let emax = e.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let emin = e.iter().cloned().fold(f64::INFINITY, f64::min);
    let mid = 0.5 * (emax + emin);
    let i0 = (0..m).min_by(|&a, &b| (e[a] - mid).abs().partial_cmp(&(e[b] - mid).abs()).unwrap())?;
    let p0 = [emax, emin, lnn[i0], 1.0];
    let model = |p: &[f64]| -> Option<(DVector<f64>, DMatrix<f64>)> {
        let (hi, lo, lc, w) = (p[0], p[1], p[2], p[3]);
        if !(w.abs() > 1e-12) {
            return None;
        }
        let mut r = DVector::zeros(m);
        let mut j = DMatrix::zeros(m, 4);
        for i in 0..m {
            let u = (lnn[i] - lc) / w;
            // s = 1/(1+e^u), computed stably; ds/du = −s(1−s).
            let s = if u > 0.0 { let t = (-u).exp(); t / (1.0 + t) } else { 1.0 / (1.0 + u.exp()) };
            let model = lo + (hi - lo) * s;
            let ds = -s * (1.0 - s);
            r[i] = e[i] - model;
            j[(i, 0)] = -s;
            j[(i, 1)] = -(1.0 - s);
            j[(i, 2)] = -(hi - lo) * ds * (-1.0 / w);
            j[(i, 3)] = -(hi - lo) * ds * (-u / w);
        }
        Some((r, j))
    };
    let res = levenberg_marquardt(model, &p0, &LmOptions::default());
    Some((res.params.clone(), res))
}

impl LogisticFit {
    /// Fits (N, ε) pairs (N > 0). None with fewer than 5 points.
    pub fn fit(n: &[f64], e: &[f64]) -> Option<LogisticFit> {
        if n.len() != e.len() || n.iter().any(|&v| !(v > 0.0)) {
            return None;
        }
        let lnn: Vec<f64> = n.iter().map(|v| v.ln()).collect();
        let (p, res) = fit_params(&lnn, e)?;
        // Orientation: the model is symmetric under (hi, lo, w) → (lo, hi, −w); report w > 0.
        let (e_hi, e_lo, width) = if p[3] < 0.0 { (p[1], p[0], -p[3]) } else { (p[0], p[1], p[3]) };
        let (se_hi, se_lo) = if p[3] < 0.0 { (res.std_error(1), res.std_error(0)) } else { (res.std_error(0), res.std_error(1)) };
        let residuals = ResidualSummary::from_residuals(&res.residuals, 4);
        let t = t_quantile_975(residuals.dof);
        let se_lnc = res.std_error(2);
        Some(LogisticFit {
            e_hi,
            e_lo,
            log_nc: p[2],
            n_c: p[2].exp(),
            width,
            se_e_hi: se_hi,
            se_e_lo: se_lo,
            se_log_nc: se_lnc,
            se_width: res.std_error(3),
            n_c_ci: Interval { lo: (p[2] - t * se_lnc).exp(), hi: (p[2] + t * se_lnc).exp(), level: 0.95 },
            n_c_bootstrap: None,
            residuals,
            converged: res.converged,
        })
    }

    /// Fit plus a seeded percentile bootstrap of N_c over `b` resamples of the points.
    pub fn with_bootstrap(n: &[f64], e: &[f64], b: usize, seed: u64) -> Option<LogisticFit> {
        let mut fit = Self::fit(n, e)?;
        let lnn: Vec<f64> = n.iter().map(|v| v.ln()).collect();
        let mut rng = seeded(seed, 0x1061);
        let m = n.len();
        let mut reps = Vec::with_capacity(b);
        for _ in 0..b {
            let idx: Vec<usize> = (0..m).map(|_| rng.random_range(0..m)).collect();
            let xb: Vec<f64> = idx.iter().map(|&i| lnn[i]).collect();
            let yb: Vec<f64> = idx.iter().map(|&i| e[i]).collect();
            if let Some((p, _)) = fit_params(&xb, &yb) {
                if p[2].is_finite() {
                    reps.push(p[2]);
                }
            }
        }
        if reps.len() >= 2 {
            let iv = percentile_interval(&mut reps, 0.95);
            fit.n_c_bootstrap = Some(Interval { lo: iv.lo.exp(), hi: iv.hi.exp(), level: 0.95 });
        }
        Some(fit)
    }

    pub fn predict(&self, n: f64) -> f64 {
        logistic_model(n, self.e_hi, self.e_lo, self.log_nc, self.width)
    }
}

/// Logistic transition versus the smooth alternative ε_∞ + C N^{−α}, both fitted on additive residuals,
/// compared by AIC (THEORY.md §4.4). `sharp` = the logistic wins and w ≤ 0.5 e-fold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitionComparison {
    pub logistic: LogisticFit,
    pub smooth: FloorPowerLawFit,
    pub logistic_aic: f64,
    pub smooth_aic: f64,
    pub sharp: bool,
}

pub fn compare_transition(n: &[f64], e: &[f64]) -> Option<TransitionComparison> {
    let logistic = LogisticFit::fit(n, e)?;
    let smooth = FloorPowerLawFit::fit_scaled(n, e, ResidualScale::Linear)?;
    let (la, sa) = (logistic.residuals.aic, smooth.residuals.aic);
    let sharp = la < sa && logistic.width <= 0.5;
    Some(TransitionComparison { logistic, smooth, logistic_aic: la, smooth_aic: sa, sharp })
}
