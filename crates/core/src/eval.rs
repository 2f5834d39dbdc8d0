//! ICL error: the normalised squared error of the prediction made after k in-context
//! examples, averaged over held-out prompts (THEORY.md §0). Query noise is included.

use crate::tasks::{Covariance, PromptBatch, PromptFunction, TaskFamily, TaskSpec};
use serde::{Deserialize, Serialize};

/// Mean normalised ICL error and its standard error, per context size k.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorCurve {
    /// Context sizes: k in-context examples precede the query.
    pub k: Vec<usize>,
    /// Mean over prompts of (ŷ_q − y_q)² / Z.
    pub mean: Vec<f64>,
    /// Standard error of that mean over prompts.
    pub se: Vec<f64>,
}

impl ErrorCurve {
    /// Scores predictions `[batch, n_points]` (prediction i made from points 0..i) against
    /// the batch's noisy labels.
    pub fn from_predictions(batch: &PromptBatch, predictions: &[f32]) -> Self {
        let mut acc = ErrorAccumulator::new(batch.n_points);
        acc.add_predictions(batch, predictions);
        acc.curve()
    }

    /// The error of a model linear in its query (ŷ_k = x_kᵀ g_k: linear attention) with the
    /// query's expectation taken exactly, from its query weights g `[batch, n_points, D]`:
    /// with x_k ~ N(0, I) and label noise ε, E(x_kᵀ(g_k − w) − ε)² = ‖g_k − w‖² + σ² (THEORY
    /// §0), over Z. The same expectation as [`from_predictions`](Self::from_predictions), but
    /// without the query's own sampling noise: heavy-tailed, and shared by every k of a
    /// prompt, it can put a whole held-out set a few SE off the theory (a run's error at
    /// k = 0, where every model predicts 0, shows it). Only the spread over tasks and contexts
    /// remains. For ISO inputs and linear tasks only; None otherwise.
    pub fn query_exact(batch: &PromptBatch, g: &[f32], spec: &TaskSpec) -> Option<Self> {
        if spec.covariance != Covariance::Iso || matches!(spec.family, TaskFamily::Tree { .. }) {
            return None;
        }
        let d = batch.dim;
        assert_eq!(g.len(), batch.batch * batch.n_points * d, "one weight vector per point");
        let mut acc = ErrorAccumulator::new(batch.n_points);
        for (b, function) in batch.functions.iter().enumerate() {
            let PromptFunction::Linear { w } = function else { return None };
            for i in 0..batch.n_points {
                let gi = &g[(b * batch.n_points + i) * d..(b * batch.n_points + i + 1) * d];
                let gap: f64 = gi.iter().zip(w).map(|(&g, &w)| (g as f64 - w).powi(2)).sum();
                acc.add(i, (gap + spec.noise_var) / batch.normaliser);
            }
        }
        Some(acc.curve())
    }

    /// Error at context size k, if measured.
    pub fn at(&self, k: usize) -> Option<f64> {
        self.k.iter().position(|&kk| kk == k).map(|i| self.mean[i])
    }

    /// True if any value is NaN or infinite (a diverged run).
    pub fn has_non_finite(&self) -> bool {
        self.mean.iter().any(|v| !v.is_finite())
    }
}

/// Streams squared errors per k, so a large held-out set can be scored in slices.
#[derive(Clone, Debug)]
pub struct ErrorAccumulator {
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    count: Vec<usize>,
}

impl ErrorAccumulator {
    pub fn new(n_points: usize) -> Self {
        ErrorAccumulator { sum: vec![0.0; n_points], sum_sq: vec![0.0; n_points], count: vec![0; n_points] }
    }

    /// Adds one normalised squared error at context size k.
    pub fn add(&mut self, k: usize, normalised_sq_error: f64) {
        self.sum[k] += normalised_sq_error;
        self.sum_sq[k] += normalised_sq_error * normalised_sq_error;
        self.count[k] += 1;
    }

    /// Adds every prediction of a batch, `[batch, n_points]`.
    pub fn add_predictions(&mut self, batch: &PromptBatch, predictions: &[f32]) {
        assert_eq!(predictions.len(), batch.batch * batch.n_points, "one prediction per point");
        for (i, (&p, &y)) in predictions.iter().zip(&batch.ys).enumerate() {
            let e = (p as f64 - y as f64).powi(2) / batch.normaliser;
            self.add(i % batch.n_points, e);
        }
    }

    pub fn curve(&self) -> ErrorCurve {
        let mut curve = ErrorCurve { k: vec![], mean: vec![], se: vec![] };
        for k in 0..self.count.len() {
            let n = self.count[k];
            if n == 0 {
                continue;
            }
            let mean = self.sum[k] / n as f64;
            let var = if n > 1 { (self.sum_sq[k] - n as f64 * mean * mean).max(0.0) / (n - 1) as f64 } else { 0.0 };
            curve.k.push(k);
            curve.mean.push(mean);
            curve.se.push((var / n as f64).sqrt());
        }
        curve
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{rng, tasks::TaskSpec};

    /// The query-exact error estimates what the sampled one does, with less scatter: for the
    /// zero predictor (g = 0) and the oracle (g = w) on noisy ISO prompts.
    #[test]
    fn query_exact_error_agrees_with_the_sampled_one_and_is_tighter() {
        let spec = TaskSpec::linear(4, 0.25);
        let batch = spec.sample(4000, 3, &mut rng::seeded(2, 0));
        let zero = ErrorCurve::query_exact(&batch, &vec![0.0; batch.ys.len() * 4], &spec).unwrap();
        let sampled = ErrorCurve::from_predictions(&batch, &vec![0.0; batch.ys.len()]);
        for k in 0..3 {
            let se = zero.se[k].hypot(sampled.se[k]);
            assert!((zero.mean[k] - sampled.mean[k]).abs() < 4.0 * se, "k = {k}: {zero:?} against {sampled:?}");
            assert!(zero.se[k] < 0.7 * sampled.se[k], "the query's noise is gone: {} against {}", zero.se[k], sampled.se[k]);
            assert!((zero.mean[k] - 1.0625).abs() < 4.0 * zero.se[k], "(E‖w‖² + σ²)/D = 1 + 0.25/4");
        }
        let w: Vec<f32> = batch
            .functions
            .iter()
            .flat_map(|f| match f {
                PromptFunction::Linear { w } => std::iter::repeat_n(w.iter().map(|&v| v as f32).collect::<Vec<_>>(), 3).flatten().collect::<Vec<_>>(),
                PromptFunction::Tree(_) => unreachable!(),
            })
            .collect();
        let oracle = ErrorCurve::query_exact(&batch, &w, &spec).unwrap();
        assert!(oracle.mean.iter().all(|m| (m - 0.0625).abs() < 1e-6), "the oracle leaves only the noise: {oracle:?}");
        let rrs = TaskSpec { covariance: Covariance::Rrs { nu: 1.0, mu: 0.0 }, ..spec.clone() };
        assert!(ErrorCurve::query_exact(&batch, &w, &rrs).is_none(), "ISO only");
    }

    #[test]
    fn zero_predictor_scores_about_one_on_noiseless_linear() {
        let spec = TaskSpec::linear(8, 0.0);
        let batch = spec.sample(4000, 5, &mut rng::seeded(1, 0));
        let curve = ErrorCurve::from_predictions(&batch, &vec![0.0; batch.ys.len()]);
        assert_eq!(curve.k, vec![0, 1, 2, 3, 4]);
        for (m, se) in curve.mean.iter().zip(&curve.se) {
            assert!((m - 1.0).abs() < 4.0 * se, "zero predictor error {m} ± {se} should be 1");
        }
    }

    #[test]
    fn perfect_predictions_score_zero() {
        let spec = TaskSpec::linear(4, 0.0);
        let batch = spec.sample(10, 6, &mut rng::seeded(2, 0));
        let curve = ErrorCurve::from_predictions(&batch, &batch.ys);
        assert!(curve.mean.iter().all(|&m| m == 0.0));
    }
}
