//! Classical in-context learners scored on the same held-out prompts as the model
//! (THEORY.md §2). Every learner is a pure function of the k context pairs and the query;
//! at k = 0 every learner predicts 0.
//!
//! * [`linear`]: zero, averaging, least squares (pseudo-inverse), ridge, Bayes posterior
//!   mean of a Gaussian prior.
//! * [`gd`]: L steps of gradient descent from 0, the closed-form optimal one-step rate and
//!   a Monte-Carlo tuner of the common step of L steps.
//! * [`knn`], [`lasso`], [`cart`]: nearest neighbours, the Lasso (exact minimiser by the
//!   LARS-Lasso homotopy; THEORY's coordinate descent is there too), greedy regression trees.
//! * [`bayes_tree`], [`bayes_sparse`]: exact Bayes-optimal predictors of the tree and the
//!   sparse task by enumeration, where the enumeration is small enough.
//! * [`suite`]: the per-family set of baselines scored on a held-out batch in slices.

pub mod bayes_sparse;
pub mod bayes_tree;
pub mod cart;
pub mod gd;
pub mod knn;
pub mod lasso;
pub mod linear;
pub mod suite;

pub use bayes_sparse::BayesSparse;
pub use bayes_tree::BayesTree;
pub use cart::RegressionTree;
pub use gd::{optimal_one_step, tune_common_step, tune_common_steps, GradientDescent, StepRule};
pub use knn::NearestNeighbours;
pub use lasso::{Lasso, LassoPath, LASSO_GRID};
pub use linear::{Averaging, BayesLinear, LeastSquares, Ridge, Zero};
pub use suite::{baseline_curves, BaselineSuite};

/// An in-context learner: maps k labelled pairs and a query input to a prediction.
pub trait Learner {
    /// A short descriptive name (the suite may use its own stable curve names).
    fn name(&self) -> String;

    /// Prediction for `query` from the context `xs` (`k × dim`, row-major) and `ys` (`k`).
    /// Must be a pure function of its arguments; `k = ys.len()` may be 0 (then 0).
    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64;

    /// Predictions for every point of one prompt: element i is the prediction for point i
    /// from points 0..i (so element 0 is the k = 0 prediction). Learners may override this
    /// with an incremental computation that returns the same values as [`Learner::predict`].
    fn predict_prompt(&self, xs: &[f32], ys: &[f32], dim: usize) -> Vec<f64> {
        (0..ys.len()).map(|i| self.predict(&xs[..i * dim], &ys[..i], dim, &xs[i * dim..(i + 1) * dim])).collect()
    }
}

/// Stable curve names used by the suite, the result files and the UI.
pub mod names {
    pub const ZERO: &str = "zero";
    pub const AVERAGING: &str = "averaging";
    pub const LEAST_SQUARES: &str = "least_squares";
    pub const RIDGE: &str = "ridge";
    pub const BAYES: &str = "bayes";
    pub const GD_1: &str = "gd_1";
    pub const GD_2: &str = "gd_2";
    pub const KNN_3: &str = "knn_3";
    /// Per-k best λ of [`super::LASSO_GRID`] on the scored prompts themselves (an oracle).
    pub const LASSO_ORACLE: &str = "lasso_oracle";
    pub const TREE_GREEDY: &str = "tree_greedy";
    pub const TREE_GREEDY_UNLIMITED: &str = "tree_greedy_unlimited";
    pub const TREE_ZERO_THRESHOLD: &str = "tree_zero_threshold";
    pub const TREE_BAYES: &str = "tree_bayes";
}

pub(crate) use crate::numeric::dot;

#[cfg(test)]
mod tests;
