//! In-context tasks: each prompt draws a fresh function (a linear map, a sparse linear
//! map or a decision tree) and a fresh set of inputs, then labels the inputs with it.
//! Conventions follow `shared/THEORY.md` §0–§1 (Garg et al. 2022 normalisations).

mod covariance;
mod shift;
mod tree;

pub use covariance::{haar_rotation, power_law_spectrum, InputCovariance};
pub use shift::DistributionShift;
pub use tree::DecisionTree;

use crate::rng::{normal, Rng};
use rand::seq::index::sample as sample_indices;
use serde::{Deserialize, Serialize};

/// Which function class labels a prompt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskFamily {
    /// y = w·x (+ noise), w ~ N(0, Ω).
    Linear,
    /// Like `Linear`, but only `nonzero` random coordinates of w are kept.
    SparseLinear { nonzero: usize },
    /// A random complete binary decision tree of the given depth h (Garg et al.).
    Tree { depth: usize },
}

impl TaskFamily {
    /// Non-zeros of a sparse task unless set (Garg et al. use s = 3), capped at D.
    pub const DEFAULT_SPARSITY: usize = 3;
    /// Depth of a tree task unless set: 2 learns within minutes in a browser (Garg et al.
    /// train h = 4 in D = 20 for 500k steps).
    pub const DEFAULT_TREE_DEPTH: usize = 2;

    /// `linear`, `sparse` or `tree` (URL and CLI name).
    pub fn name(&self) -> &'static str {
        match self {
            TaskFamily::Linear => "linear",
            TaskFamily::SparseLinear { .. } => "sparse",
            TaskFamily::Tree { .. } => "tree",
        }
    }

    /// The family called `name` with its default parameters for input dimension `dim`
    /// (unknown names give linear regression).
    pub fn default_named(name: &str, dim: usize) -> TaskFamily {
        match name {
            "sparse" => TaskFamily::SparseLinear { nonzero: Self::DEFAULT_SPARSITY.min(dim.max(1)) },
            "tree" => TaskFamily::Tree { depth: Self::DEFAULT_TREE_DEPTH },
            _ => TaskFamily::Linear,
        }
    }
}

/// How inputs are distributed (Bordelon, Letey & Pehlevan's three settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Covariance {
    /// x ~ N(0, I).
    Iso,
    /// Fixed structured: Σ = diag(λ), λ_j ∝ j^-ν with Σλ = D; task prior Ω = diag(j^-μ).
    Fs { nu: f64, mu: f64 },
    /// Randomly rotated structured: the FS spectrum under a fresh Haar rotation per prompt.
    Rrs { nu: f64, mu: f64 },
}

impl Covariance {
    /// Spectrum exponent ν of FS/RRS unless set.
    pub const DEFAULT_NU: f64 = 1.5;
    /// Task-prior exponent μ of FS/RRS unless set (Ω = I).
    pub const DEFAULT_MU: f64 = 0.0;

    /// `iso`, `fs` or `rrs` (URL and CLI name).
    pub fn name(&self) -> &'static str {
        match self {
            Covariance::Iso => "iso",
            Covariance::Fs { .. } => "fs",
            Covariance::Rrs { .. } => "rrs",
        }
    }

    /// The setting called `name` with exponents (ν, μ) (unknown names give ISO).
    pub fn named(name: &str, nu: f64, mu: f64) -> Covariance {
        match name {
            "fs" => Covariance::Fs { nu, mu },
            "rrs" => Covariance::Rrs { nu, mu },
            _ => Covariance::Iso,
        }
    }

    /// RRS with the default spectrum.
    pub fn rrs_default() -> Covariance {
        Covariance::Rrs { nu: Self::DEFAULT_NU, mu: Self::DEFAULT_MU }
    }
}

/// Everything that defines the prompt distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// Input dimension D.
    pub dim: usize,
    pub family: TaskFamily,
    pub covariance: Covariance,
    /// Label-noise variance σ² (added to every label, the query's included).
    pub noise_var: f64,
}

/// The function drawn for one prompt, kept so baselines and probes can use the truth.
#[derive(Clone, Debug, PartialEq)]
pub enum PromptFunction {
    Linear { w: Vec<f64> },
    Tree(DecisionTree),
}

impl PromptFunction {
    pub fn eval(&self, x: &[f32]) -> f64 {
        match self {
            PromptFunction::Linear { w } => crate::numeric::dot(w, x),
            PromptFunction::Tree(tree) => tree.eval(x),
        }
    }
}

/// A batch of prompts. Each prompt holds `n_points` labelled inputs; a model sees them
/// one at a time and predicts the label of point i from points 0..i, so point i is the
/// query after k = i in-context examples.
#[derive(Clone, Debug)]
pub struct PromptBatch {
    pub batch: usize,
    pub n_points: usize,
    pub dim: usize,
    /// Inputs, row-major `[batch, n_points, dim]`.
    pub xs: Vec<f32>,
    /// Noisy labels `[batch, n_points]` (what the model is trained on and scored against).
    pub ys: Vec<f32>,
    /// Noiseless labels f(x) `[batch, n_points]`, for excess error.
    pub clean_ys: Vec<f32>,
    /// The function of each prompt.
    pub functions: Vec<PromptFunction>,
    /// Divisor Z of the squared error (THEORY.md §0): D, s, 1 or tr(ΩΣ).
    pub normaliser: f64,
}

impl PromptBatch {
    /// Inputs of prompt `b`, `[n_points, dim]`.
    pub fn prompt_xs(&self, b: usize) -> &[f32] {
        let n = self.n_points * self.dim;
        &self.xs[b * n..(b + 1) * n]
    }

    /// Labels of prompt `b`.
    pub fn prompt_ys(&self, b: usize) -> &[f32] {
        &self.ys[b * self.n_points..(b + 1) * self.n_points]
    }

    /// Input `i` of prompt `b`.
    pub fn x(&self, b: usize, i: usize) -> &[f32] {
        let start = (b * self.n_points + i) * self.dim;
        &self.xs[start..start + self.dim]
    }

    /// Keeps only the first `dims` input coordinates active (the others set to 0) and
    /// relabels each point with its prompt's function, keeping its noise draw: Garg et al.'s
    /// curriculum feeds the model such prompts early in training.
    pub fn truncate_dims(&mut self, dims: usize) {
        let (n, d) = (self.n_points, self.dim);
        for b in 0..self.batch {
            for i in 0..n {
                let p = b * n + i;
                let x = &mut self.xs[p * d..(p + 1) * d];
                x[dims.min(d)..].iter_mut().for_each(|v| *v = 0.0);
                let noise = self.ys[p] - self.clean_ys[p];
                let clean = self.functions[b].eval(x) as f32;
                self.clean_ys[p] = clean;
                self.ys[p] = clean + noise;
            }
        }
    }

    /// Keep only prompts `range` (used to slice work for responsiveness).
    pub fn slice(&self, range: std::ops::Range<usize>) -> PromptBatch {
        let (n, d) = (self.n_points, self.dim);
        PromptBatch {
            batch: range.len(),
            n_points: n,
            dim: d,
            xs: self.xs[range.start * n * d..range.end * n * d].to_vec(),
            ys: self.ys[range.start * n..range.end * n].to_vec(),
            clean_ys: self.clean_ys[range.start * n..range.end * n].to_vec(),
            functions: self.functions[range].to_vec(),
            normaliser: self.normaliser,
        }
    }
}

impl TaskSpec {
    /// The reference workload's task: isotropic linear regression in D = 8, no noise.
    pub fn linear(dim: usize, noise_var: f64) -> Self {
        TaskSpec { dim, family: TaskFamily::Linear, covariance: Covariance::Iso, noise_var }
    }

    /// Z: prior variance of the noiseless target, so the zero predictor scores 1 at σ² = 0.
    pub fn normaliser(&self) -> f64 {
        match &self.family {
            TaskFamily::Tree { .. } => 1.0,
            TaskFamily::SparseLinear { nonzero } => match self.covariance {
                // Σ = I: Var(w·x) = s. Structured inputs: E over the random support of tr(Ω_S Σ_S).
                Covariance::Iso => *nonzero as f64,
                _ => self.input_covariance().trace_omega_sigma() * *nonzero as f64 / self.dim as f64,
            },
            TaskFamily::Linear => self.input_covariance().trace_omega_sigma(),
        }
    }

    /// Σ and Ω for this task's covariance setting.
    pub fn input_covariance(&self) -> InputCovariance {
        InputCovariance::new(self.dim, &self.covariance)
    }

    /// Draw `batch` prompts of `n_points` labelled points each.
    pub fn sample(&self, batch: usize, n_points: usize, rng: &mut Rng) -> PromptBatch {
        let d = self.dim;
        let cov = self.input_covariance();
        let noise_sd = self.noise_var.max(0.0).sqrt();
        let mut xs = Vec::with_capacity(batch * n_points * d);
        let mut ys = Vec::with_capacity(batch * n_points);
        let mut clean_ys = Vec::with_capacity(batch * n_points);
        let mut functions = Vec::with_capacity(batch);
        let mut z = vec![0.0f64; d];
        let mut x = vec![0.0f32; d];
        for _ in 0..batch {
            // RRS draws one rotation per prompt, shared by its points and its task.
            let rotation = cov.is_rotated().then(|| haar_rotation(d, rng));
            let function = self.sample_function(&cov, rotation.as_deref(), rng);
            for _ in 0..n_points {
                z.iter_mut().for_each(|v| *v = normal(rng));
                cov.transform_input(&z, rotation.as_deref(), &mut x);
                let clean = function.eval(&x);
                xs.extend_from_slice(&x);
                clean_ys.push(clean as f32);
                ys.push((clean + noise_sd * normal(rng)) as f32);
            }
            functions.push(function);
        }
        PromptBatch { batch, n_points, dim: d, xs, ys, clean_ys, functions, normaliser: self.normaliser() }
    }

    fn sample_function(&self, cov: &InputCovariance, rotation: Option<&[f64]>, rng: &mut Rng) -> PromptFunction {
        let d = self.dim;
        match &self.family {
            TaskFamily::Tree { depth } => PromptFunction::Tree(DecisionTree::sample(*depth, d, rng)),
            TaskFamily::Linear | TaskFamily::SparseLinear { .. } => {
                let z: Vec<f64> = (0..d).map(|_| normal(rng)).collect();
                let mut w = cov.transform_task(&z, rotation);
                if let TaskFamily::SparseLinear { nonzero } = self.family {
                    // Zero all but a uniformly random subset of `nonzero` coordinates.
                    let keep = sample_indices(rng, d, nonzero.min(d));
                    let mut mask = vec![false; d];
                    keep.iter().for_each(|j| mask[j] = true);
                    w.iter_mut().zip(&mask).for_each(|(w, &m)| if !m { *w = 0.0 });
                }
                PromptFunction::Linear { w }
            }
        }
    }
}

#[cfg(test)]
mod tests;
