//! Depth–width optimum at a fixed budget (THEORY.md §4.5).

use super::lm::{LmOptions, levenberg_marquardt};
use super::{Interval, LinearFit, ResidualSummary, groups_by_x, percentile_interval, t_quantile_975};
use crate::rng::seeded;
use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// Quadratic in u = ln L fitted to ln ε: y = c₀ + c₁u + c₂u², L̂* = exp(−c₁/(2c₂)).
/// Uses the `window` distinct depths around the empirical minimum (all if None). The estimate is biased
/// when the true curve is not a parabola in ln L (THEORY.md §5.8: 30.0 vs 34.2 on a factor-2 grid);
/// prefer [`TwoTermFit`] when the two-term model is credible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthOptimumFit {
    /// [c₀, c₁, c₂].
    pub coefficients: Vec<f64>,
    pub std_errors: Vec<f64>,
    pub l_star: f64,
    /// Delta-method SE of ln L̂*.
    pub se_log_l_star: f64,
    /// exp(ln L̂* ± t·SE).
    pub l_star_ci: Interval,
    /// Bootstrap percentile interval of L̂* (seeds resampled within each L), if requested.
    pub l_star_bootstrap: Option<Interval>,
    /// c₂ > 0 and the vertex lies inside the fitted depth range.
    pub interior: bool,
    /// Depths actually used.
    pub depths_used: Vec<f64>,
    pub residuals: ResidualSummary,
}

fn quad_fit(u: &[f64], y: &[f64]) -> Option<LinearFit> {
    let rows: Vec<Vec<f64>> = u.iter().map(|&v| vec![1.0, v, v * v]).collect();
    LinearFit::fit(&rows, y, None)
}

fn select_window(l: &[f64], e: &[f64], window: Option<usize>) -> Vec<usize> {
    let groups = groups_by_x(l);
    let mut levels: Vec<(f64, f64, Vec<usize>)> = groups
        .into_iter()
        .map(|g| {
            let mean = g.iter().map(|&i| e[i].ln()).sum::<f64>() / g.len() as f64;
            (l[g[0]], mean, g)
        })
        .collect();
    levels.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let nl = levels.len();
    let w = window.unwrap_or(nl).clamp(3.min(nl), nl);
    let imin = (0..nl).min_by(|&a, &b| levels[a].1.partial_cmp(&levels[b].1).unwrap()).unwrap_or(0);
    let start = imin.saturating_sub(w / 2).min(nl - w);
    levels[start..start + w].iter().flat_map(|lv| lv.2.clone()).collect()
}

impl DepthOptimumFit {
    /// Fits depths `l` (several seeds per depth allowed) and errors `e` at one budget.
    pub fn fit(l: &[f64], e: &[f64], window: Option<usize>) -> Option<DepthOptimumFit> {
        if l.len() != e.len() || l.iter().chain(e).any(|&v| !(v > 0.0)) {
            return None;
        }
        let idx = select_window(l, e, window);
        let u: Vec<f64> = idx.iter().map(|&i| l[i].ln()).collect();
        let y: Vec<f64> = idx.iter().map(|&i| e[i].ln()).collect();
        let f = quad_fit(&u, &y)?;
        let (c1, c2) = (f.coefficients[1], f.coefficients[2]);
        let ustar = -c1 / (2.0 * c2);
        // Delta method: ∂u*/∂c₁ = −1/(2c₂), ∂u*/∂c₂ = c₁/(2c₂²).
        let (g1, g2) = (-1.0 / (2.0 * c2), c1 / (2.0 * c2 * c2));
        let var = g1 * g1 * f.cov(1, 1) + 2.0 * g1 * g2 * f.cov(1, 2) + g2 * g2 * f.cov(2, 2);
        let se = var.max(0.0).sqrt();
        let t = t_quantile_975(f.residuals.dof);
        let umin = u.iter().cloned().fold(f64::INFINITY, f64::min);
        let umax = u.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut depths_used: Vec<f64> = idx.iter().map(|&i| l[i]).collect();
        depths_used.dedup();
        Some(DepthOptimumFit {
            coefficients: f.coefficients.clone(),
            std_errors: f.std_errors.clone(),
            l_star: ustar.exp(),
            se_log_l_star: se,
            l_star_ci: Interval { lo: (ustar - t * se).exp(), hi: (ustar + t * se).exp(), level: 0.95 },
            l_star_bootstrap: None,
            interior: c2 > 0.0 && ustar >= umin && ustar <= umax,
            depths_used,
            residuals: f.residuals,
        })
    }

    /// Fit plus a seeded bootstrap over seeds within each depth (B resamples, 95% percentile interval).
    pub fn with_bootstrap(l: &[f64], e: &[f64], window: Option<usize>, b: usize, seed: u64) -> Option<DepthOptimumFit> {
        let mut fit = Self::fit(l, e, window)?;
        let idx = select_window(l, e, window);
        let lw: Vec<f64> = idx.iter().map(|&i| l[i]).collect();
        let ew: Vec<f64> = idx.iter().map(|&i| e[i]).collect();
        let groups = groups_by_x(&lw);
        let mut rng = seeded(seed, 0xDE97);
        let mut reps = Vec::with_capacity(b);
        for _ in 0..b {
            let (mut u, mut y) = (Vec::new(), Vec::new());
            for g in &groups {
                for _ in 0..g.len() {
                    let i = g[rng.random_range(0..g.len())];
                    u.push(lw[i].ln());
                    y.push(ew[i].ln());
                }
            }
            if let Some(f) = quad_fit(&u, &y) {
                if f.coefficients[2] > 0.0 {
                    reps.push(-f.coefficients[1] / (2.0 * f.coefficients[2]));
                }
            }
        }
        if reps.len() >= 2 {
            let iv = percentile_interval(&mut reps, 0.95);
            fit.l_star_bootstrap = Some(Interval { lo: iv.lo.exp(), hi: iv.hi.exp(), level: 0.95 });
        }
        Some(fit)
    }
}

/// Direct fit of the two-term model ε = A·L^{−a} + B·d^{−b} to (L, d, ε) on log residuals
/// (variable projection grid over (a, b) for the start, then LM on (ln A, a, ln B, b)).
/// The optimum under L·d = N is L* = (aA/(bB))^{1/(a+b)} N^{b/(a+b)} ([`TwoTermFit::l_star`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoTermFit {
    pub a_coef: f64,
    pub a_exp: f64,
    pub b_coef: f64,
    pub b_exp: f64,
    /// SEs of (ln A, a, ln B, b).
    pub std_errors: Vec<f64>,
    /// Row-major 4×4 covariance of (ln A, a, ln B, b).
    pub covariance: Vec<f64>,
    pub residuals: ResidualSummary,
    pub converged: bool,
}

impl TwoTermFit {
    pub fn fit(l: &[f64], d: &[f64], e: &[f64]) -> Option<TwoTermFit> {
        let m = e.len();
        if m < 5 || l.len() != m || d.len() != m || l.iter().chain(d).chain(e).any(|&v| !(v > 0.0)) {
            return None;
        }
        let lnl: Vec<f64> = l.iter().map(|v| v.ln()).collect();
        let lnd: Vec<f64> = d.iter().map(|v| v.ln()).collect();
        let lne: Vec<f64> = e.iter().map(|v| v.ln()).collect();
        let rss_log = |la: f64, a: f64, lb: f64, b: f64| -> f64 {
            (0..m).map(|i| (lne[i] - ((la - a * lnl[i]).exp() + (lb - b * lnd[i]).exp()).ln()).powi(2)).sum()
        };
        // Start: for each (a, b) on a log grid, A, B ≥ 0 by linear least squares on ε itself.
        let grid: Vec<f64> = (0..40).map(|i| 0.01 * (300f64).powf(i as f64 / 39.0)).collect();
        let mut best: Option<(f64, [f64; 4])> = None;
        for &a in &grid {
            for &b in &grid {
                let x1: Vec<f64> = (0..m).map(|i| (-a * lnl[i]).exp()).collect();
                let x2: Vec<f64> = (0..m).map(|i| (-b * lnd[i]).exp()).collect();
                // Relative weighting 1/ε² approximates log residuals.
                let (mut s11, mut s12, mut s22, mut t1, mut t2) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for i in 0..m {
                    let w = 1.0 / (e[i] * e[i]);
                    s11 += w * x1[i] * x1[i];
                    s12 += w * x1[i] * x2[i];
                    s22 += w * x2[i] * x2[i];
                    t1 += w * x1[i] * e[i];
                    t2 += w * x2[i] * e[i];
                }
                let det = s11 * s22 - s12 * s12;
                if !(det.abs() > 1e-300) {
                    continue;
                }
                let ac = (t1 * s22 - t2 * s12) / det;
                let bc = (s11 * t2 - s12 * t1) / det;
                if !(ac > 0.0 && bc > 0.0) {
                    continue;
                }
                let s = rss_log(ac.ln(), a, bc.ln(), b);
                if s.is_finite() && best.as_ref().is_none_or(|bb| s < bb.0) {
                    best = Some((s, [ac.ln(), a, bc.ln(), b]));
                }
            }
        }
        let (_, p0) = best?;
        let model = |p: &[f64]| -> Option<(DVector<f64>, DMatrix<f64>)> {
            let mut r = DVector::zeros(m);
            let mut j = DMatrix::zeros(m, 4);
            for i in 0..m {
                let t1 = (p[0] - p[1] * lnl[i]).exp();
                let t2 = (p[2] - p[3] * lnd[i]).exp();
                let mdl = t1 + t2;
                if !(mdl > 0.0) || !mdl.is_finite() {
                    return None;
                }
                r[i] = lne[i] - mdl.ln();
                j[(i, 0)] = -t1 / mdl;
                j[(i, 1)] = t1 * lnl[i] / mdl;
                j[(i, 2)] = -t2 / mdl;
                j[(i, 3)] = t2 * lnd[i] / mdl;
            }
            Some((r, j))
        };
        let res = levenberg_marquardt(model, &p0, &LmOptions::default());
        let p = &res.params;
        Some(TwoTermFit {
            a_coef: p[0].exp(),
            a_exp: p[1],
            b_coef: p[2].exp(),
            b_exp: p[3],
            std_errors: (0..4).map(|i| res.std_error(i)).collect(),
            covariance: res.covariance.clone(),
            residuals: ResidualSummary::from_residuals(&res.residuals, 4),
            converged: res.converged,
        })
    }

    /// 95% interval of L*(N) under L·d = N by the delta method on ln L* with the LM covariance
    /// (normal quantile).
    pub fn l_star_interval(&self, n: f64) -> Interval {
        let f = |p: &[f64]| -> f64 {
            let (la, a, lb, b) = (p[0], p[1], p[2], p[3]);
            ((a.ln() + la) - (b.ln() + lb)) / (a + b) + b / (a + b) * n.ln()
        };
        let p = [self.a_coef.ln(), self.a_exp, self.b_coef.ln(), self.b_exp];
        let f0 = f(&p);
        let mut g = [0.0; 4];
        for i in 0..4 {
            let h = 1e-6 * p[i].abs().max(1e-3);
            let mut q = p;
            q[i] += h;
            let mut r = p;
            r[i] -= h;
            g[i] = (f(&q) - f(&r)) / (2.0 * h);
        }
        let mut var = 0.0;
        for i in 0..4 {
            for j in 0..4 {
                var += g[i] * g[j] * self.covariance[i * 4 + j];
            }
        }
        let se = var.max(0.0).sqrt();
        Interval { lo: (f0 - 1.959964 * se).exp(), hi: (f0 + 1.959964 * se).exp(), level: 0.95 }
    }

    /// Optimal depth under L·d = N.
    pub fn l_star(&self, n: f64) -> f64 {
        optimal_depth_width(self.a_coef, self.a_exp, self.b_coef, self.b_exp, n).0
    }

    pub fn predict(&self, l: f64, d: f64) -> f64 {
        self.a_coef * l.powf(-self.a_exp) + self.b_coef * d.powf(-self.b_exp)
    }
}

/// The optimum of ℒ = A L^{−a} + B d^{−b} under L·d = N (Lagrange):
/// L* = (aA/(bB))^{1/(a+b)} N^{b/(a+b)}, d* = N/L*. Returns (L*, d*).
pub fn optimal_depth_width(a_coef: f64, a_exp: f64, b_coef: f64, b_exp: f64, n: f64) -> (f64, f64) {
    let l = (a_exp * a_coef / (b_exp * b_coef)).powf(1.0 / (a_exp + b_exp)) * n.powf(b_exp / (a_exp + b_exp));
    (l, n / l)
}
