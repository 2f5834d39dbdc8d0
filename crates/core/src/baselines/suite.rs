//! The baselines that apply to a task family, scored on a fixed held-out batch in slices
//! (so a browser worker can interleave them with training).
//!
//! Errors are (ŷ − y)²/Z against the batch's NOISY labels, Z = the batch's normaliser: the
//! TOTAL error of THEORY.md §5.2, directly comparable with the model's ICL error curve.

use super::bayes_sparse::{self, BayesSparse};
use super::bayes_tree::{self, BayesTree};
use super::names;
use super::{
    optimal_one_step, tune_common_steps, Averaging, BayesLinear, GradientDescent, LassoPath, LeastSquares, Learner,
    NearestNeighbours, RegressionTree, Ridge, Zero, LASSO_GRID,
};
use crate::eval::{ErrorAccumulator, ErrorCurve};
use crate::schema::NamedCurve;
use crate::tasks::{PromptBatch, TaskFamily, TaskSpec};
use std::ops::Range;

/// Seed of the GD step-tuning prompts (stream MONTE_CARLO), fixed so that every run of a
/// task uses the same steps.
pub const GD_TUNE_SEED: u64 = 0x6764_5f74_756e_65;
/// Tuning prompts for the GD steps (fewer for large D·K², see [`gd_tune_prompts`]).
pub const GD_TUNE_PROMPTS: usize = 2000;
/// "ridge" uses λ = max(σ², this): the Bayes λ with noise, near-ridgeless without
/// (THEORY.md §5.2's ridge column).
pub const RIDGE_MIN_LAMBDA: f64 = 1e-3;

struct Entry {
    name: String,
    learner: Box<dyn Learner + Send + Sync>,
    acc: ErrorAccumulator,
    /// Index of an earlier entry whose predictions are bit-identical (not recomputed).
    same_as: Option<usize>,
}

/// Baselines of one task, accumulating per-k errors over the prompts of one batch.
pub struct BaselineSuite {
    batch: PromptBatch,
    entries: Vec<Entry>,
    /// The Lasso at every λ of the grid (sparse tasks only), one accumulator per λ;
    /// reported as one oracle curve.
    lasso: Option<(LassoPath, Vec<ErrorAccumulator>)>,
    done: Vec<bool>,
    remaining: usize,
    unavailable: Vec<(String, String)>,
}

/// Tuning prompts for L GD steps: GD_TUNE_PROMPTS, fewer (at least 200) where D·K² is large.
pub fn gd_tune_prompts(dim: usize, max_k: usize, steps: usize) -> usize {
    let work_per_prompt = (steps.max(1) * dim.max(1) * max_k.max(1) * (max_k + 1)) as f64;
    ((1.5e8 / work_per_prompt) as usize).clamp(200, GD_TUNE_PROMPTS)
}

impl BaselineSuite {
    /// The baselines applying to `spec`'s family, to be scored on `batch` (cloned). Tunes the
    /// GD steps (a few tens of ms at D = 8, K = 32).
    pub fn new(spec: &TaskSpec, batch: &PromptBatch) -> Self {
        assert_eq!(spec.dim, batch.dim, "spec and batch disagree on D");
        let max_k = batch.n_points.saturating_sub(1);
        let mut learners: Vec<(&str, Box<dyn Learner + Send + Sync>)> = Vec::new();
        let mut unavailable = Vec::new();
        let mut lasso = None;
        learners.push((names::ZERO, Box::new(Zero)));
        learners.push((names::AVERAGING, Box::new(Averaging)));
        learners.push((names::LEAST_SQUARES, Box::new(LeastSquares)));
        match &spec.family {
            TaskFamily::Linear | TaskFamily::SparseLinear { .. } => {
                learners.push((names::RIDGE, Box::new(Ridge { lambda: spec.noise_var.max(RIDGE_MIN_LAMBDA) })));
                let bayes: Option<Box<dyn Learner + Send + Sync>> = match spec.family {
                    TaskFamily::SparseLinear { nonzero } => match BayesSparse::for_spec(spec) {
                        Some(b) => Some(Box::new(b)),
                        None => {
                            let why = match bayes_sparse::binomial(spec.dim, nonzero.min(spec.dim)) {
                                Some(n) if n > bayes_sparse::MAX_SUPPORTS => {
                                    format!("C(D, s) = {n} supports exceed {}", bayes_sparse::MAX_SUPPORTS)
                                }
                                None => format!("C(D, s) supports exceed {}", bayes_sparse::MAX_SUPPORTS),
                                _ => "the prior depends on the unseen per-prompt rotation (RRS with μ ≠ 0)".into(),
                            };
                            unavailable.push((names::BAYES.to_string(), why));
                            None
                        }
                    },
                    _ => match BayesLinear::for_spec(spec) {
                        Some(b) => Some(Box::new(b)),
                        None => {
                            let why = "the prior depends on the unseen per-prompt rotation (RRS with μ ≠ 0)";
                            unavailable.push((names::BAYES.to_string(), why.to_string()));
                            None
                        }
                    },
                };
                if let Some(b) = bayes {
                    learners.push((names::BAYES, b));
                }
                let gd1: Vec<f64> = match (0..=max_k).map(|k| optimal_one_step(spec, k)).collect::<Option<Vec<f64>>>() {
                    Some(eta) => eta,
                    None => tune_common_steps(spec, max_k, 1, gd_tune_prompts(spec.dim, max_k, 1), GD_TUNE_SEED),
                };
                learners.push((names::GD_1, Box::new(GradientDescent::common(1, gd1))));
                let gd2 = tune_common_steps(spec, max_k, 2, gd_tune_prompts(spec.dim, max_k, 2), GD_TUNE_SEED);
                learners.push((names::GD_2, Box::new(GradientDescent::common(2, gd2))));
                learners.push((names::KNN_3, Box::new(NearestNeighbours { neighbours: 3 })));
                if matches!(spec.family, TaskFamily::SparseLinear { .. }) {
                    let accs = LASSO_GRID.iter().map(|_| ErrorAccumulator::new(batch.n_points)).collect();
                    lasso = Some((LassoPath::new(&LASSO_GRID), accs));
                }
            }
            TaskFamily::Tree { depth } => {
                let h = *depth;
                learners.push((names::KNN_3, Box::new(NearestNeighbours { neighbours: 3 })));
                learners.push((names::TREE_GREEDY, Box::new(RegressionTree::greedy(Some(h)))));
                learners.push((names::TREE_GREEDY_UNLIMITED, Box::new(RegressionTree::greedy(None))));
                learners.push((names::TREE_ZERO_THRESHOLD, Box::new(RegressionTree::zero_threshold(Some(h)))));
                match BayesTree::new(h, spec.dim, spec.noise_var) {
                    Some(b) => learners.push((names::TREE_BAYES, Box::new(b))),
                    None => {
                        let count = BayesTree::structure_count(h, spec.dim)
                            .map_or_else(|| format!("{}^(2^{h} − 1)", spec.dim), |n| n.to_string());
                        let why = format!("D^(2^h − 1) = {count} tree structures exceed {}", bayes_tree::MAX_STRUCTURES);
                        unavailable.push((names::TREE_BAYES.to_string(), why));
                    }
                }
            }
        }
        // Bayes with Ω = I is exactly ridge with λ = σ² (least squares when σ² = 0): share.
        let ridge_lambda = spec.noise_var.max(RIDGE_MIN_LAMBDA);
        let bayes_isotropic = BayesLinear::for_spec(spec).is_some_and(|b| b.is_isotropic());
        let position = |learners: &[(&str, _)], name: &str| learners.iter().position(|(n, _)| *n == name);
        let bayes_same_as = match (bayes_isotropic, spec.noise_var) {
            (false, _) => None,
            (true, s2) if s2 <= 0.0 => position(&learners, names::LEAST_SQUARES),
            (true, s2) if s2 == ridge_lambda => position(&learners, names::RIDGE),
            _ => None,
        };
        let entries = learners
            .into_iter()
            .map(|(name, learner)| Entry {
                same_as: if name == names::BAYES { bayes_same_as } else { None },
                name: name.to_string(),
                learner,
                acc: ErrorAccumulator::new(batch.n_points),
            })
            .collect();
        BaselineSuite {
            batch: batch.clone(),
            entries,
            lasso,
            done: vec![false; batch.batch],
            remaining: batch.batch,
            unavailable,
        }
    }

    /// Number of prompts in the batch.
    pub fn prompts(&self) -> usize {
        self.batch.batch
    }

    pub fn is_done(&self) -> bool {
        self.remaining == 0
    }

    /// Curve names this suite will report, in order.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.entries.iter().map(|e| e.name.clone()).collect();
        if self.lasso.is_some() {
            out.push(names::LASSO_ORACLE.to_string());
        }
        out
    }

    /// Baselines of this family that cannot be computed here, with the reason.
    pub fn unavailable(&self) -> &[(String, String)] {
        &self.unavailable
    }

    /// Scores prompts `range` (clamped to the batch); prompts already scored are skipped.
    pub fn run_prompts(&mut self, range: Range<usize>) {
        let end = range.end.min(self.batch.batch);
        for b in range.start.min(end)..end {
            if self.done[b] {
                continue;
            }
            self.score_prompt(b);
            self.done[b] = true;
            self.remaining -= 1;
        }
    }

    /// Scores up to `count` not yet scored prompts; returns how many were scored.
    pub fn run_next(&mut self, count: usize) -> usize {
        let mut n = 0;
        for b in 0..self.batch.batch {
            if n == count {
                break;
            }
            if !self.done[b] {
                self.run_prompts(b..b + 1);
                n += 1;
            }
        }
        n
    }

    /// Scores every remaining prompt.
    pub fn run_all(&mut self) {
        self.run_prompts(0..self.batch.batch);
    }

    fn score_prompt(&mut self, b: usize) {
        let (xs, ys, dim) = (self.batch.prompt_xs(b), self.batch.prompt_ys(b), self.batch.dim);
        let z = self.batch.normaliser;
        let score = |learner: &dyn Learner, acc: &mut ErrorAccumulator| {
            let preds = learner.predict_prompt(xs, ys, dim);
            for (k, (p, &y)) in preds.iter().zip(ys).enumerate() {
                acc.add(k, (p - y as f64).powi(2) / z);
            }
        };
        for e in self.entries.iter_mut().filter(|e| e.same_as.is_none()) {
            score(e.learner.as_ref(), &mut e.acc);
        }
        if let Some((path, accs)) = &mut self.lasso {
            for (k, &y) in ys.iter().enumerate() {
                let preds = path.predict_all(&xs[..k * dim], &ys[..k], dim, &xs[k * dim..(k + 1) * dim]);
                for (p, acc) in preds.iter().zip(accs.iter_mut()) {
                    acc.add(k, (p - y as f64).powi(2) / z);
                }
            }
        }
    }

    /// Curves over the prompts scored so far (all of them once [`Self::is_done`]).
    pub fn curves(&self) -> Vec<NamedCurve> {
        let mut out: Vec<NamedCurve> = self
            .entries
            .iter()
            .map(|e| NamedCurve { name: e.name.clone(), curve: e.same_as.map_or(e, |i| &self.entries[i]).acc.curve() })
            .collect();
        if let Some((curve, _)) = self.lasso_oracle() {
            out.push(NamedCurve { name: names::LASSO_ORACLE.to_string(), curve });
        }
        out
    }

    /// The Lasso curve with, per k, the grid λ of lowest mean error on these prompts, and
    /// the chosen λ per k. None for non-sparse tasks.
    pub fn lasso_oracle(&self) -> Option<(ErrorCurve, Vec<f64>)> {
        let (path, accs) = self.lasso.as_ref()?;
        let curves: Vec<ErrorCurve> = accs.iter().map(|acc| acc.curve()).collect();
        let first = curves.first()?;
        let mut out = ErrorCurve { k: first.k.clone(), mean: vec![], se: vec![] };
        let mut chosen = vec![];
        for i in 0..first.k.len() {
            let best = (0..curves.len()).min_by(|&a, &b| curves[a].mean[i].total_cmp(&curves[b].mean[i])).expect("grid");
            out.mean.push(curves[best].mean[i]);
            out.se.push(curves[best].se[i]);
            chosen.push(path.grid[best].lambda);
        }
        Some((out, chosen))
    }
}

/// Every applicable baseline's curve on the whole batch, in one call.
pub fn baseline_curves(spec: &TaskSpec, batch: &PromptBatch) -> Vec<NamedCurve> {
    let mut suite = BaselineSuite::new(spec, batch);
    suite.run_all();
    suite.curves()
}
