//! ICL error: the normalised squared error of the prediction made after k in-context
//! examples, averaged over held-out prompts (THEORY.md §0). Query noise is included.

use crate::tasks::PromptBatch;
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
