//! Random decision trees of depth h (Garg et al. 2022, generalised to any h; THEORY.md §1.3).

use crate::rng::{normal, Rng};
use rand::RngExt;

/// A complete binary tree in heap layout with 2^(h+1) − 1 nodes. Node n tests
/// `x[coordinate[n]] > 0` and goes to child 2n+1 (false) or 2n+2 (true); a leaf returns
/// its value. Coordinates are drawn with replacement, so a path may test one twice.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionTree {
    pub depth: usize,
    pub coordinate: Vec<usize>,
    pub value: Vec<f64>,
}

impl DecisionTree {
    pub fn sample(depth: usize, dim: usize, rng: &mut Rng) -> Self {
        let nodes = (1usize << (depth + 1)) - 1;
        let coordinate = (0..nodes).map(|_| rng.random_range(0..dim)).collect();
        let value = (0..nodes).map(|_| normal(rng)).collect();
        DecisionTree { depth, coordinate, value }
    }

    pub fn eval(&self, x: &[f32]) -> f64 {
        let mut n = 0;
        for _ in 0..self.depth {
            n = 2 * n + 1 + usize::from(x[self.coordinate[n]] > 0.0);
        }
        self.value[n]
    }
}
