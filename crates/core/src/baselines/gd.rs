//! L steps of gradient descent from w₀ = 0 on ℓ(w) = (1/2k) Σ (y_i − w·x_i)²
//! (THEORY.md §2.5–2.6): w_{t+1} = w_t + η_t (h − S w_t), h = Xᵀy/k, S = XᵀX/k.

use super::{dot, Learner};
use crate::rng::{seeded, stream};
use crate::tasks::{Covariance, TaskFamily, TaskSpec};

/// The step sizes used for a context of size k.
#[derive(Clone, Debug, PartialEq)]
pub enum StepRule {
    /// The same rates η_0..η_{L−1} for every k.
    Rates(Vec<f64>),
    /// `steps` steps of one common rate `eta[k]` chosen per context size k (entries past
    /// the end reuse the last one).
    Common { steps: usize, eta: Vec<f64> },
}

impl StepRule {
    fn rates(&self, k: usize) -> Vec<f64> {
        match self {
            StepRule::Rates(r) => r.clone(),
            StepRule::Common { steps, eta } => match eta.get(k).or(eta.last()) {
                Some(&e) => vec![e; *steps],
                None => vec![],
            },
        }
    }
}

#[derive(Clone, Debug)]
pub struct GradientDescent {
    pub rule: StepRule,
}

impl GradientDescent {
    pub fn with_rates(rates: Vec<f64>) -> Self {
        GradientDescent { rule: StepRule::Rates(rates) }
    }

    /// L steps with a common rate per context size (`eta[k]`).
    pub fn common(steps: usize, eta: Vec<f64>) -> Self {
        GradientDescent { rule: StepRule::Common { steps, eta } }
    }

    /// The weights after the given steps on a context (k ≥ 1).
    pub fn weights(xs: &[f32], ys: &[f32], dim: usize, rates: &[f64]) -> Vec<f64> {
        let k = ys.len();
        let mut w = vec![0.0; dim];
        if k == 0 {
            return w;
        }
        let mut grad = vec![0.0; dim];
        for &eta in rates {
            grad.iter_mut().for_each(|g| *g = 0.0);
            for (i, &y) in ys.iter().enumerate() {
                let x = &xs[i * dim..(i + 1) * dim];
                let r = y as f64 - dot(&w, x);
                for (g, &xj) in grad.iter_mut().zip(x) {
                    *g += r * xj as f64;
                }
            }
            for (w, g) in w.iter_mut().zip(&grad) {
                *w += eta * g / k as f64;
            }
        }
        w
    }
}

impl Learner for GradientDescent {
    fn name(&self) -> String {
        match &self.rule {
            StepRule::Rates(r) => format!("gd_{}", r.len()),
            StepRule::Common { steps, .. } => format!("gd_{steps}"),
        }
    }
    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        if ys.is_empty() {
            return 0.0;
        }
        dot(&Self::weights(xs, ys, dim, &self.rule.rates(ys.len())), query)
    }
}

/// The risk-minimising rate of one GD step (= optimal scalar one-layer linear attention) at
/// context size k ≥ 1, in closed form **[derived as in THEORY.md §2.5]**. The risk only
/// depends on E[wwᵀ] = Ω_eff, and with x ~ N(0, Σ), E[S A S] = (1 + 1/k)ΣAΣ + tr(AΣ)Σ/k:
///
/// η* = tr(Σ²Ω_eff) / [(1 + 1/k) tr(Ω_eff Σ³) + tr(Σ²)(tr(Ω_eff Σ) + σ²)/k].
///
/// ISO gives k/(k + D + 1 + σ²); Ω_eff = Ω for dense tasks and (s/D)Ω for sparse ones. None
/// where E[wwᵀ] is not simultaneously diagonal with Σ (trees; sparse RRS with μ ≠ 0).
pub fn optimal_one_step(spec: &TaskSpec, k: usize) -> Option<f64> {
    if k == 0 {
        return Some(0.0);
    }
    let cov = spec.input_covariance();
    let d = spec.dim as f64;
    let scale = match (&spec.family, &spec.covariance) {
        (TaskFamily::Tree { .. }, _) => return None,
        (TaskFamily::Linear, _) => 1.0,
        (TaskFamily::SparseLinear { .. }, Covariance::Rrs { .. }) if cov.omega.iter().any(|&w| (w - 1.0).abs() > 1e-12) => {
            return None;
        }
        (TaskFamily::SparseLinear { nonzero }, _) => (*nonzero).min(spec.dim) as f64 / d,
    };
    let tr = |f: &dyn Fn(f64, f64) -> f64| -> f64 { cov.lambda.iter().zip(&cov.omega).map(|(&l, &o)| f(l, o * scale)).sum() };
    let k = k as f64;
    let num = tr(&|l, o| l * l * o);
    let t2 = tr(&|l, _| l * l);
    let den = (1.0 + 1.0 / k) * tr(&|l, o| o * l * l * l) + t2 * (tr(&|l, o| o * l) + spec.noise_var.max(0.0)) / k;
    Some(if den > 0.0 { num / den } else { 0.0 })
}

/// Queries per tuning prompt (scored against the noiseless label, which has the same
/// minimiser as the noisy one).
const TUNE_QUERIES: usize = 8;

fn binomial(n: usize, j: usize) -> f64 {
    (0..j).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Common GD step η of `steps` steps tuned for every k = 1..=max_k (index k; index 0 is 0)
/// by minimising the Monte-Carlo error on `prompts` seeded tuning prompts of `spec`
/// (stream MONTE_CARLO of `seed`; the same prompts serve all k, scored on 8 extra queries).
///
/// Exact minimisation of the MC objective: ŷ(η) = Σ_{j=1}^{L} C(L,j)(−1)^{j+1} η^j x_q·S^{j−1}h
/// is a polynomial in η, so the summed squared error is a degree-2L polynomial whose
/// coefficients are accumulated once; it is minimised over η ∈ [1e-4, 10] by a log grid and a
/// golden-section refinement.
pub fn tune_common_steps(spec: &TaskSpec, max_k: usize, steps: usize, prompts: usize, seed: u64) -> Vec<f64> {
    let mut out = vec![0.0; max_k + 1];
    if steps == 0 || max_k == 0 || prompts == 0 {
        return out;
    }
    let l = steps;
    let d = spec.dim;
    let batch = spec.sample(prompts, max_k + TUNE_QUERIES, &mut seeded(seed, stream::MONTE_CARLO));
    // Per k: G (l×l), g (l), F.
    let mut gram = vec![vec![0.0; l * l]; max_k + 1];
    let mut lin = vec![vec![0.0; l]; max_k + 1];
    let mut cst = vec![0.0; max_k + 1];
    let coef: Vec<f64> = (1..=l).map(|j| binomial(l, j) * if j % 2 == 1 { 1.0 } else { -1.0 }).collect();
    let n = batch.n_points;
    let mut xs = vec![0.0f64; n * d];
    let mut v = vec![vec![0.0; d]; l];
    let mut xv = vec![0.0; max_k];
    let mut a = vec![0.0; l];
    for b in 0..prompts {
        xs.iter_mut().zip(batch.prompt_xs(b)).for_each(|(o, &x)| *o = x as f64);
        let ys = batch.prompt_ys(b);
        let clean = &batch.clean_ys[b * n..(b + 1) * n];
        let mut hsum = vec![0.0; d];
        for k in 1..=max_k {
            let xk = &xs[(k - 1) * d..k * d];
            hsum.iter_mut().zip(xk).for_each(|(h, x)| *h += ys[k - 1] as f64 * x);
            v[0].iter_mut().zip(&hsum).for_each(|(v, h)| *v = h / k as f64);
            for j in 1..l {
                // v_j = S v_{j−1} = Xᵀ(X v_{j−1})/k
                let (prev, rest) = v.split_at_mut(j);
                let (src, dst) = (&prev[j - 1], &mut rest[0]);
                for i in 0..k {
                    xv[i] = xs[i * d..(i + 1) * d].iter().zip(src).map(|(x, v)| x * v).sum();
                }
                dst.iter_mut().for_each(|e| *e = 0.0);
                for i in 0..k {
                    for (e, x) in dst.iter_mut().zip(&xs[i * d..(i + 1) * d]) {
                        *e += xv[i] * x / k as f64;
                    }
                }
            }
            for q in max_k..n {
                let xq = &xs[q * d..(q + 1) * d];
                for j in 0..l {
                    a[j] = coef[j] * xq.iter().zip(&v[j]).map(|(x, v)| x * v).sum::<f64>();
                }
                let f = clean[q] as f64;
                for i in 0..l {
                    for j in 0..l {
                        gram[k][i * l + j] += a[i] * a[j];
                    }
                    lin[k][i] += a[i] * f;
                }
                cst[k] += f * f;
            }
        }
    }
    for k in 1..=max_k {
        let (g, h, f) = (&gram[k], &lin[k], cst[k]);
        let objective = |eta: f64| -> f64 {
            let pw: Vec<f64> = (1..=l).map(|j| eta.powi(j as i32)).collect();
            let mut e = f;
            for i in 0..l {
                e -= 2.0 * h[i] * pw[i];
                for j in 0..l {
                    e += g[i * l + j] * pw[i] * pw[j];
                }
            }
            e
        };
        out[k] = minimise_log_grid(objective, 1e-4, 10.0, 400);
    }
    out
}

/// The common step of `steps` GD steps tuned for one context size k (see [`tune_common_steps`]).
pub fn tune_common_step(spec: &TaskSpec, k: usize, steps: usize, prompts: usize, seed: u64) -> f64 {
    tune_common_steps(spec, k, steps, prompts, seed)[k]
}

/// Minimiser of f over [lo, hi]: the best of `n` log-spaced points, refined by golden-section
/// search between its neighbours.
fn minimise_log_grid(f: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> f64 {
    let ratio = (hi / lo).ln() / (n - 1) as f64;
    let grid: Vec<f64> = (0..n).map(|i| lo * (ratio * i as f64).exp()).collect();
    let best = (0..n).min_by(|&a, &b| f(grid[a]).total_cmp(&f(grid[b]))).expect("non-empty grid");
    let (mut a, mut b) = (grid[best.saturating_sub(1)], grid[(best + 1).min(n - 1)]);
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    let mut c = b - phi * (b - a);
    let mut e = a + phi * (b - a);
    let (mut fc, mut fe) = (f(c), f(e));
    for _ in 0..100 {
        if (b - a) <= 1e-10 * b {
            break;
        }
        if fc < fe {
            b = e;
            e = c;
            fe = fc;
            c = b - phi * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = e;
            fc = fe;
            e = a + phi * (b - a);
            fe = f(e);
        }
    }
    let mid = 0.5 * (a + b);
    if f(mid) <= f(grid[best]) { mid } else { grid[best] }
}
