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
    let d = spec.dim;
    let batch = spec.sample(prompts, max_k + TUNE_QUERIES, &mut seeded(seed, stream::MONTE_CARLO));
    let mut objectives = vec![StepObjective::new(steps); max_k + 1];
    let n = batch.n_points;
    for b in 0..prompts {
        let xs: Vec<f64> = batch.prompt_xs(b).iter().map(|&x| x as f64).collect();
        let ys = batch.prompt_ys(b);
        let clean = &batch.clean_ys[b * n..(b + 1) * n];
        let mut krylov = GdKrylov::new(d, steps);
        for k in 1..=max_k {
            krylov.push(&xs[(k - 1) * d..k * d], ys[k - 1] as f64);
            for q in max_k..n {
                objectives[k].add(&krylov.features(&xs[q * d..(q + 1) * d]), clean[q] as f64);
            }
        }
    }
    for k in 1..=max_k {
        out[k] = objectives[k].minimise();
    }
    out
}

/// L steps of GD from 0 with a common step η predict a polynomial in η:
/// ŷ(η) = Σ_{j=1}^{L} a_j η^j with a_j = C(L,j)(−1)^{j+1} x_q·S^{j−1}h (S = XᵀX/k, h = Xᵀy/k).
/// `GdKrylov` keeps h and S^{j−1}h for a context that grows one point at a time, so all
/// context sizes of a prompt cost one pass.
pub struct GdKrylov {
    dim: usize,
    coef: Vec<f64>,
    rows: Vec<f64>,
    hsum: Vec<f64>,
    /// v[j] = S^j h for the current context.
    v: Vec<Vec<f64>>,
}

impl GdKrylov {
    pub fn new(dim: usize, steps: usize) -> Self {
        let coef = (1..=steps).map(|j| binomial(steps, j) * if j % 2 == 1 { 1.0 } else { -1.0 }).collect();
        GdKrylov { dim, coef, rows: Vec::new(), hsum: vec![0.0; dim], v: vec![vec![0.0; dim]; steps] }
    }

    /// Adds the context pair (x, y) and updates S^j h.
    pub fn push(&mut self, x: &[f64], y: f64) {
        let d = self.dim;
        self.rows.extend_from_slice(x);
        let k = self.rows.len() / d;
        self.hsum.iter_mut().zip(x).for_each(|(h, x)| *h += y * x);
        self.v[0].iter_mut().zip(&self.hsum).for_each(|(v, h)| *v = h / k as f64);
        for j in 1..self.v.len() {
            // v_j = S v_{j−1} = Xᵀ(X v_{j−1})/k
            let (prev, rest) = self.v.split_at_mut(j);
            let (src, dst) = (&prev[j - 1], &mut rest[0]);
            dst.iter_mut().for_each(|e| *e = 0.0);
            for row in self.rows.chunks(d) {
                let xv: f64 = row.iter().zip(src.iter()).map(|(x, v)| x * v).sum();
                dst.iter_mut().zip(row).for_each(|(e, x)| *e += xv * x / k as f64);
            }
        }
    }

    /// The coefficients a_1..a_L of ŷ(η) for query `xq` (a_1 = x_q·h).
    pub fn features(&self, xq: &[f64]) -> Vec<f64> {
        self.v.iter().zip(&self.coef).map(|(v, c)| c * xq.iter().zip(v).map(|(x, v)| x * v).sum::<f64>()).collect()
    }
}

/// Σ (t − Σ_j a_j η^j)² over many (features a, target t), kept as sums
/// (`gram[i·L+j] = Σ a_i a_j`, `lin[j] = Σ a_j t`, `cst = Σ t²`) so it can be evaluated and
/// minimised over η without revisiting the data.
#[derive(Clone, Debug)]
pub struct StepObjective {
    l: usize,
    gram: Vec<f64>,
    lin: Vec<f64>,
    cst: f64,
}

impl StepObjective {
    pub fn new(l: usize) -> Self {
        StepObjective { l, gram: vec![0.0; l * l], lin: vec![0.0; l], cst: 0.0 }
    }

    pub fn add(&mut self, a: &[f64], target: f64) {
        for i in 0..self.l {
            for j in 0..self.l {
                self.gram[i * self.l + j] += a[i] * a[j];
            }
            self.lin[i] += a[i] * target;
        }
        self.cst += target * target;
    }

    pub fn merge(&mut self, other: &StepObjective) {
        self.gram.iter_mut().zip(&other.gram).for_each(|(a, b)| *a += b);
        self.lin.iter_mut().zip(&other.lin).for_each(|(a, b)| *a += b);
        self.cst += other.cst;
    }

    /// Whether nothing (or only zeros) was added.
    pub fn is_empty(&self) -> bool {
        self.cst == 0.0 && self.gram.iter().all(|&v| v == 0.0)
    }

    pub fn eval(&self, eta: f64) -> f64 {
        let pw: Vec<f64> = (1..=self.l).map(|j| eta.powi(j as i32)).collect();
        let mut e = self.cst;
        for i in 0..self.l {
            e -= 2.0 * self.lin[i] * pw[i];
            for j in 0..self.l {
                e += self.gram[i * self.l + j] * pw[i] * pw[j];
            }
        }
        e
    }

    /// The minimising η over [1e-4, 10] (η ≤ 0 is not searched): a 400-point log grid, then
    /// golden section.
    pub fn minimise(&self) -> f64 {
        crate::numeric::minimise_on_grid(|eta| self.eval(eta), &crate::numeric::log_grid(1e-4, 10.0, 400), 1e-13).0
    }
}

/// The common step of `steps` GD steps tuned for one context size k (see [`tune_common_steps`]).
pub fn tune_common_step(spec: &TaskSpec, k: usize, steps: usize, prompts: usize, seed: u64) -> f64 {
    tune_common_steps(spec, k, steps, prompts, seed)[k]
}

