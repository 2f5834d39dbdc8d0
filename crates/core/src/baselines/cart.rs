//! Greedy regression trees (CART) fitted to the context (THEORY.md §2.9).
//!
//! At each node every coordinate and every midpoint between consecutive distinct sorted
//! values is tried (or, for the structure-aware variant, only the threshold 0, the one the
//! task's trees use), and the split with the lowest total squared error is taken (first
//! coordinate, then lowest threshold, on ties). A node becomes a leaf at the maximum depth,
//! when its labels are all equal, with fewer than 2 samples, or when no split separates its
//! points; a leaf predicts the mean of its labels. Only the query's root-to-leaf path is
//! grown: the greedy choice at a node depends only on that node's points, so this gives
//! exactly the full tree's prediction.

use super::Learner;

#[derive(Clone, Debug)]
pub struct RegressionTree {
    /// None: unlimited depth.
    pub max_depth: Option<usize>,
    /// Only split at x_c > 0 (right) versus x_c ≤ 0 (left).
    pub zero_threshold: bool,
}

impl RegressionTree {
    pub fn greedy(max_depth: Option<usize>) -> Self {
        RegressionTree { max_depth, zero_threshold: false }
    }

    pub fn zero_threshold(max_depth: Option<usize>) -> Self {
        RegressionTree { max_depth, zero_threshold: true }
    }

    /// Best split of the node `idx`: (coordinate, threshold), points with x_c ≤ threshold
    /// going left. None if no split leaves both sides non-empty.
    fn best_split(&self, xs: &[f32], ys: &[f32], dim: usize, idx: &[usize], buf: &mut Vec<(f64, f64)>) -> Option<(usize, f64)> {
        // Minimising the children's squared error = maximising S_L²/n_L + S_R²/n_R.
        let total: f64 = idx.iter().map(|&i| ys[i] as f64).sum();
        let n = idx.len();
        let mut best: Option<(f64, usize, f64)> = None;
        for c in 0..dim {
            if self.zero_threshold {
                let (mut s_l, mut n_l) = (0.0, 0usize);
                for &i in idx {
                    if xs[i * dim + c] <= 0.0 {
                        s_l += ys[i] as f64;
                        n_l += 1;
                    }
                }
                if n_l == 0 || n_l == n {
                    continue;
                }
                let s_r = total - s_l;
                let score = s_l * s_l / n_l as f64 + s_r * s_r / (n - n_l) as f64;
                if best.is_none_or(|(b, _, _)| score > b) {
                    best = Some((score, c, 0.0));
                }
            } else {
                buf.clear();
                buf.extend(idx.iter().map(|&i| (xs[i * dim + c] as f64, ys[i] as f64)));
                buf.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut s_l = 0.0;
                for p in 1..n {
                    s_l += buf[p - 1].1;
                    if buf[p - 1].0 == buf[p].0 {
                        continue;
                    }
                    let s_r = total - s_l;
                    let score = s_l * s_l / p as f64 + s_r * s_r / (n - p) as f64;
                    if best.is_none_or(|(b, _, _)| score > b) {
                        best = Some((score, c, 0.5 * (buf[p - 1].0 + buf[p].0)));
                    }
                }
            }
        }
        best.map(|(_, c, t)| (c, t))
    }
}

impl Learner for RegressionTree {
    fn name(&self) -> String {
        let depth = self.max_depth.map_or("unlimited".to_string(), |d| d.to_string());
        if self.zero_threshold { format!("tree_zero_threshold_{depth}") } else { format!("tree_greedy_{depth}") }
    }

    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        if ys.is_empty() {
            return 0.0;
        }
        let mut idx: Vec<usize> = (0..ys.len()).collect();
        let mut buf = Vec::with_capacity(idx.len());
        let mut depth = 0;
        loop {
            let (lo, hi) = idx.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &i| (lo.min(ys[i]), hi.max(ys[i])));
            let stop = idx.len() < 2 || lo == hi || self.max_depth.is_some_and(|m| depth >= m);
            let split = if stop { None } else { self.best_split(xs, ys, dim, &idx, &mut buf) };
            let Some((c, t)) = split else {
                return idx.iter().map(|&i| ys[i] as f64).sum::<f64>() / idx.len() as f64;
            };
            let go_left = query[c] as f64 <= t;
            idx.retain(|&i| (xs[i * dim + c] as f64 <= t) == go_left);
            depth += 1;
        }
    }
}
