//! Power laws ε = C·N^{−α}, with and without a floor ε_∞ (THEORY.md §4.1).

use super::lm::{LmOptions, levenberg_marquardt};
use super::{Interval, LinearFit, ResidualSummary, groups_by_x, percentile_interval, t_quantile_975};
use crate::rng::seeded;
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// How bootstrap resamples are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BootstrapMode {
    /// Resample (N, ε) points with replacement; resamples with < 2 distinct N are discarded.
    Points,
    /// Resample seeds within each N (points sharing the same N), keeping every N; deviations from each
    /// N's mean ln ε are rescaled by √(m/(m−1)) so that the resampled means have the right variance.
    WithinGroups,
    /// `WithinGroups` if every N has ≥ 2 points, else `Points` (THEORY.md §4.1).
    Auto,
    /// Plain within-N resampling without the √(m/(m−1)) rescaling (the literal §4.1 recipe; its percentile
    /// intervals under-cover with few seeds: ≈0.84 for a nominal 0.95 at m = 5). Kept for comparison.
    WithinGroupsUnadjusted,
}

/// Bootstrap summary for a log–log power-law fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerLawBootstrap {
    pub mode: BootstrapMode,
    /// Resamples actually used (degenerate ones are discarded).
    pub resamples: usize,
    /// Percentile interval of α.
    pub alpha: Interval,
    /// Percentile interval of ln C.
    pub log_c: Interval,
    /// Bootstrap standard deviation of α.
    pub alpha_sd: f64,
}

/// Least squares fit of ln ε = ln C − α ln N (optionally weighted by 1/Var(ln ε)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerLawFit {
    pub alpha: f64,
    pub c: f64,
    pub log_c: f64,
    /// Analytic SE(α̂) = s/√Σ(ln N_i − mean)² (unweighted case).
    pub se_alpha: f64,
    pub se_log_c: f64,
    /// Student-t 95% interval of α from the analytic SE.
    pub alpha_ci: Interval,
    /// Residuals of ln ε.
    pub residuals: ResidualSummary,
    /// Filled by [`PowerLawFit::with_bootstrap`].
    pub bootstrap: Option<PowerLawBootstrap>,
}

impl PowerLawFit {
    /// Fits positive (N, ε) pairs. None if fewer than 2 distinct N or any value is not positive.
    pub fn fit(n: &[f64], e: &[f64]) -> Option<PowerLawFit> {
        Self::fit_weighted(n, e, None)
    }

    /// As [`PowerLawFit::fit`] with weights w_i (e.g. 1/Var(ln ε_i)).
    pub fn fit_weighted(n: &[f64], e: &[f64], weights: Option<&[f64]>) -> Option<PowerLawFit> {
        if n.len() != e.len() || n.iter().chain(e).any(|&v| !(v > 0.0)) {
            return None;
        }
        let x: Vec<f64> = n.iter().map(|v| v.ln()).collect();
        let y: Vec<f64> = e.iter().map(|v| v.ln()).collect();
        let rows: Vec<Vec<f64>> = x.iter().map(|&v| vec![1.0, v]).collect();
        let lf = LinearFit::fit(&rows, &y, weights)?;
        let alpha = -lf.coefficients[1];
        let log_c = lf.coefficients[0];
        let t = t_quantile_975(lf.residuals.dof);
        let se_alpha = lf.std_errors[1];
        Some(PowerLawFit {
            alpha,
            c: log_c.exp(),
            log_c,
            se_alpha,
            se_log_c: lf.std_errors[0],
            alpha_ci: Interval { lo: alpha - t * se_alpha, hi: alpha + t * se_alpha, level: 0.95 },
            residuals: lf.residuals,
            bootstrap: None,
        })
    }

    /// Predicted ε at N.
    pub fn predict(&self, n: f64) -> f64 {
        self.c * n.powf(-self.alpha)
    }

    /// Fit plus a nonparametric bootstrap (B resamples, percentile interval at `level`), seeded.
    pub fn with_bootstrap(n: &[f64], e: &[f64], b: usize, level: f64, mode: BootstrapMode, seed: u64) -> Option<PowerLawFit> {
        let mut fit = Self::fit(n, e)?;
        let groups = groups_by_x(n);
        let mode = match mode {
            BootstrapMode::Auto if groups.iter().all(|g| g.len() >= 2) => BootstrapMode::WithinGroups,
            BootstrapMode::Auto => BootstrapMode::Points,
            m => m,
        };
        // Within-N resampling of m seeds shrinks the variance of each N's mean by (m−1)/m, which makes
        // percentile intervals too narrow for the few seeds typical here (coverage ≈ 0.84 at m = 5 for a
        // nominal 0.95). Deviations from each N's mean log error are therefore rescaled by √(m/(m−1)).
        let group_stats: Vec<(f64, f64)> = groups
            .iter()
            .map(|g| {
                let m = g.len() as f64;
                let mean = g.iter().map(|&i| e[i].ln()).sum::<f64>() / m;
                (mean, if g.len() > 1 { (m / (m - 1.0)).sqrt() } else { 1.0 })
            })
            .collect();
        let mut rng = seeded(seed, 0xB007);
        let (mut alphas, mut logcs) = (Vec::with_capacity(b), Vec::with_capacity(b));
        let m = n.len();
        let (mut nb, mut eb) = (Vec::with_capacity(m), Vec::with_capacity(m));
        for _ in 0..b {
            nb.clear();
            eb.clear();
            match mode {
                BootstrapMode::WithinGroupsUnadjusted => {
                    for g in &groups {
                        for _ in 0..g.len() {
                            let i = g[rng.random_range(0..g.len())];
                            nb.push(n[i]);
                            eb.push(e[i]);
                        }
                    }
                }
                BootstrapMode::WithinGroups => {
                    for (g, (mean, scale)) in groups.iter().zip(&group_stats) {
                        for _ in 0..g.len() {
                            let i = g[rng.random_range(0..g.len())];
                            nb.push(n[i]);
                            eb.push((mean + scale * (e[i].ln() - mean)).exp());
                        }
                    }
                }
                _ => {
                    for _ in 0..m {
                        let i = rng.random_range(0..m);
                        nb.push(n[i]);
                        eb.push(e[i]);
                    }
                    let first = nb[0];
                    if nb.iter().all(|&v| v == first) {
                        continue;
                    }
                }
            }
            if let Some(f) = fast_loglog(&nb, &eb) {
                alphas.push(f.0);
                logcs.push(f.1);
            }
        }
        if alphas.len() < 2 {
            return Some(fit);
        }
        let mean = alphas.iter().sum::<f64>() / alphas.len() as f64;
        let sd = (alphas.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (alphas.len() - 1) as f64).sqrt();
        let resamples = alphas.len();
        fit.bootstrap = Some(PowerLawBootstrap {
            mode,
            resamples,
            alpha: percentile_interval(&mut alphas, level),
            log_c: percentile_interval(&mut logcs, level),
            alpha_sd: sd,
        });
        Some(fit)
    }
}

/// (α, ln C) of the unweighted log–log line, by closed-form sums.
fn fast_loglog(n: &[f64], e: &[f64]) -> Option<(f64, f64)> {
    let m = n.len() as f64;
    let (mut sx, mut sy) = (0.0, 0.0);
    for (a, b) in n.iter().zip(e) {
        sx += a.ln();
        sy += b.ln();
    }
    let (mx, my) = (sx / m, sy / m);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (a, b) in n.iter().zip(e) {
        let dx = a.ln() - mx;
        sxx += dx * dx;
        sxy += dx * (b.ln() - my);
    }
    if !(sxx > 0.0) {
        return None;
    }
    let slope = sxy / sxx;
    Some((-slope, my - slope * mx))
}

/// On which scale residuals are minimised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResidualScale {
    /// ln ε_obs − ln ε_model (multiplicative noise; THEORY.md §4.1).
    Log,
    /// ε_obs − ε_model (additive noise; use to compare AIC with [`super::LogisticFit`]).
    Linear,
}

/// ε = ε_∞ + C·N^{−α}: profile ε_∞ over a grid in [0, min ε), fit the log–log line to ε − ε_∞, keep the
/// best, then refine (ln C, α, ε_∞) by Levenberg–Marquardt (THEORY.md §4.1). SEs from the LM covariance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FloorPowerLawFit {
    pub c: f64,
    pub alpha: f64,
    pub e_inf: f64,
    pub se_log_c: f64,
    pub se_alpha: f64,
    pub se_e_inf: f64,
    /// Student-t 95% intervals (dof = n − 3) from the SEs.
    pub alpha_ci: Interval,
    pub e_inf_ci: Interval,
    pub scale: ResidualScale,
    pub residuals: ResidualSummary,
    pub converged: bool,
}

impl FloorPowerLawFit {
    /// Fit with log-scale residuals (the §4.1 recipe).
    pub fn fit(n: &[f64], e: &[f64]) -> Option<FloorPowerLawFit> {
        Self::fit_scaled(n, e, ResidualScale::Log)
    }

    /// Fit minimising residuals on the given scale (initialised by the log-scale profile).
    pub fn fit_scaled(n: &[f64], e: &[f64], scale: ResidualScale) -> Option<FloorPowerLawFit> {
        if n.len() < 4 || n.len() != e.len() || n.iter().chain(e).any(|&v| !(v > 0.0)) {
            return None;
        }
        let emin = e.iter().cloned().fold(f64::INFINITY, f64::min);
        let lnn: Vec<f64> = n.iter().map(|v| v.ln()).collect();
        let lne: Vec<f64> = e.iter().map(|v| v.ln()).collect();
        let rss_of = |lc: f64, a: f64, ei: f64| -> f64 {
            lnn.iter()
                .zip(e)
                .zip(&lne)
                .map(|((&x, &y), &ly)| {
                    let m = ei + (lc - a * x).exp();
                    match scale {
                        ResidualScale::Log => (ly - m.ln()).powi(2),
                        ResidualScale::Linear => (y - m).powi(2),
                    }
                })
                .sum()
        };
        let mut best: Option<(f64, [f64; 3])> = None;
        for i in 0..200 {
            let ei = 0.999 * emin * i as f64 / 199.0;
            let shifted: Vec<f64> = e.iter().map(|v| v - ei).collect();
            if let Some((a, lc)) = fast_loglog(n, &shifted) {
                let s = rss_of(lc, a, ei);
                if s.is_finite() && best.as_ref().is_none_or(|b| s < b.0) {
                    best = Some((s, [lc, a, ei]));
                }
            }
        }
        let (_, p0) = best?;
        let model = |p: &[f64]| -> Option<(DVector<f64>, DMatrix<f64>)> {
            let (lc, a, ei) = (p[0], p[1], p[2]);
            let m = lnn.len();
            let mut r = DVector::zeros(m);
            let mut j = DMatrix::zeros(m, 3);
            for i in 0..m {
                let t = (lc - a * lnn[i]).exp();
                let model = ei + t;
                if !(model > 0.0) {
                    return None;
                }
                // r = obs − model on the chosen scale; ∂r/∂p = −∂model/∂p (÷ model on the log scale).
                let (ri, s) = match scale {
                    ResidualScale::Log => (lne[i] - model.ln(), 1.0 / model),
                    ResidualScale::Linear => (e[i] - model, 1.0),
                };
                r[i] = ri;
                j[(i, 0)] = -s * t;
                j[(i, 1)] = s * t * lnn[i];
                j[(i, 2)] = -s;
            }
            Some((r, j))
        };
        let res = levenberg_marquardt(model, &p0, &LmOptions::default());
        let residuals = ResidualSummary::from_residuals(&res.residuals, 3);
        let t = t_quantile_975(residuals.dof);
        let (alpha, e_inf) = (res.params[1], res.params[2]);
        let (sa, se) = (res.std_error(1), res.std_error(2));
        Some(FloorPowerLawFit {
            c: res.params[0].exp(),
            alpha,
            e_inf,
            se_log_c: res.std_error(0),
            se_alpha: sa,
            se_e_inf: se,
            alpha_ci: Interval { lo: alpha - t * sa, hi: alpha + t * sa, level: 0.95 },
            e_inf_ci: Interval { lo: e_inf - t * se, hi: e_inf + t * se, level: 0.95 },
            scale,
            residuals,
            converged: res.converged,
        })
    }

    pub fn predict(&self, n: f64) -> f64 {
        power_law_with_floor(n, self.e_inf, self.c, self.alpha)
    }
}

/// Power law with floor ε(N) = ε_∞ + C·N^{−α} (THEORY.md §4.1's testable form).
pub fn power_law_with_floor(n: f64, e_inf: f64, c: f64, alpha: f64) -> f64 {
    e_inf + c * n.powf(-alpha)
}
