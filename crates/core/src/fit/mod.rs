//! Fits with uncertainty (THEORY.md §4.1–4.5, recipes checked in §5.8): power laws (with and without a
//! floor), logistic transitions in log N, the depth optimum at a fixed budget, and exponents of
//! fitted optima across budgets. Every fit reports estimates, standard errors or intervals and a
//! residual summary; bootstraps are seeded and deterministic.
//!
//! * [`LinearFit`] – (weighted) least squares with covariance, the workhorse of log–log fits;
//! * [`levenberg_marquardt`] – nonlinear least squares with covariance s²(JᵀJ)⁻¹;
//! * [`PowerLawFit`], [`FloorPowerLawFit`] – §4.1;
//! * [`LogisticFit`], [`compare_transition`] – §4.4;
//! * [`DepthOptimumFit`], [`TwoTermFit`], [`ScalingExponentFit`] – §4.5;
//! * [`AdditiveFit`], [`EtaEffFit`] – §4.2, §4.3.

mod depth;
mod linear;
mod lm;
mod logistic;
mod power_law;
mod scaling;

pub use depth::{DepthOptimumFit, TwoTermFit, optimal_depth_width};
pub use linear::{LinearFit, t_quantile_975};
pub use lm::{LmOptions, LmResult, levenberg_marquardt, numeric_jacobian};
pub use logistic::{LogisticFit, TransitionComparison, compare_transition, logistic_model};
pub use power_law::{BootstrapMode, FloorPowerLawFit, PowerLawBootstrap, PowerLawFit, ResidualScale, power_law_with_floor};
pub use scaling::{AdditiveFit, EtaEffFit, ScalingExponentFit};

use serde::{Deserialize, Serialize};

/// A two-sided interval at `level` (e.g. 0.95).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    pub level: f64,
}

impl Interval {
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }
}

/// Summary of the residuals r_i = observed − fitted on the fitting scale (log ε for log-scale fits).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidualSummary {
    /// Number of points.
    pub n: usize,
    /// Degrees of freedom n − p.
    pub dof: usize,
    /// Residual sum of squares.
    pub rss: f64,
    /// Residual standard deviation s = √(rss/dof) (0 if dof = 0).
    pub sd: f64,
    /// Largest |r_i|.
    pub max_abs: f64,
    /// Akaike information criterion for Gaussian errors, n ln(rss/n) + 2p.
    pub aic: f64,
}

impl ResidualSummary {
    pub fn from_residuals(r: &[f64], n_params: usize) -> Self {
        let n = r.len();
        let rss: f64 = r.iter().map(|v| v * v).sum();
        let dof = n.saturating_sub(n_params);
        let sd = if dof > 0 { (rss / dof as f64).sqrt() } else { 0.0 };
        let max_abs = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let aic = n as f64 * (rss.max(1e-300) / n as f64).ln() + 2.0 * n_params as f64;
        ResidualSummary { n, dof, rss, sd, max_abs, aic }
    }
}

/// Percentile with linear interpolation between order statistics (numpy's default), q ∈ [0, 100].
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty());
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos - pos.floor());
    if i + 1 >= sorted.len() { sorted[sorted.len() - 1] } else { sorted[i] * (1.0 - f) + sorted[i + 1] * f }
}

/// Percentile interval at `level` from unsorted bootstrap replicates.
pub fn percentile_interval(values: &mut [f64], level: f64) -> Interval {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let tail = (1.0 - level) / 2.0 * 100.0;
    Interval { lo: percentile(values, tail), hi: percentile(values, 100.0 - tail), level }
}

/// Groups of indices sharing the same x (exact equality), in first-seen order.
pub(crate) fn groups_by_x(x: &[f64]) -> Vec<Vec<usize>> {
    let mut keys: Vec<f64> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, &v) in x.iter().enumerate() {
        match keys.iter().position(|&k| k == v) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(v);
                groups.push(vec![i]);
            }
        }
    }
    groups
}

