//! The Bayes-optimal predictor of the depth-h tree task (THEORY.md §1.3), by enumeration.
//! (§2.9 of THEORY.md says this predictor is not implemented; it is derived here.)
//!
//! Prior: the 2^h − 1 internal nodes take coordinates uniformly (with replacement), so
//! there are D^(2^h−1) equally likely structures T; the 2^h leaf values are iid N(0, 1);
//! labels carry N(0, σ²) noise. Given T the leaves are independent conjugate Gaussians, so
//! for a leaf holding n labels with mean m and scatter M2 = Σ(y − m)²:
//!
//! * posterior mean of the leaf value: n·m/(n + σ²) (0 for an empty leaf);
//! * marginal likelihood, from det(11ᵀ + σ²I) = σ^{2(n−1)}(n + σ²) and Sherman–Morrison,
//!   up to a factor (2π)^{−n/2} common to all structures:
//!   log p = −(n−1)/2·log σ² − ½·log(n + σ²) − ½·[M2/σ² + n·m²/(n + σ²)].
//!
//! The prediction is Σ_T p(T | data)·E[leaf(x_q) | T, data] with p(T | data) ∝ Π_leaves p.
//!
//! σ² = 0 (noiseless labels) is the limit σ → 0 of these weights: a structure with a
//! non-constant leaf gets weight 0 (the M2/σ² term), and among the rest the factor
//! σ^{−(k − #occupied leaves)} leaves only the structures with the fewest occupied leaves,
//! i.e. those whose leaf partition of the context equals the partition by label value
//! (distinct leaves have distinct values almost surely). Those all induce the same
//! partition, hence the same likelihood: the posterior is uniform over them, and each
//! predicts its query leaf's label (0 if the query's leaf is empty). If no structure is
//! consistent (data not from the prior), σ² = 1e-6 is used instead.

use super::Learner;

/// Structures enumerated at most (the suite reports the tree Bayes as unavailable above).
pub const MAX_STRUCTURES: u64 = 100_000;

/// Noise variance used when σ² = 0 and no structure fits the labels exactly.
const FALLBACK_NOISE: f64 = 1e-6;

#[derive(Clone, Debug)]
pub struct BayesTree {
    pub depth: usize,
    pub dim: usize,
    pub noise_var: f64,
    structures: u64,
}

impl BayesTree {
    /// D^(2^h − 1), or None if it exceeds u64.
    pub fn structure_count(depth: usize, dim: usize) -> Option<u64> {
        let internal = u32::try_from((1u64.checked_shl(depth as u32)?).checked_sub(1)?).ok()?;
        (dim as u64).checked_pow(internal)
    }

    /// None if there are more than [`MAX_STRUCTURES`] structures.
    pub fn new(depth: usize, dim: usize, noise_var: f64) -> Option<Self> {
        let structures = Self::structure_count(depth, dim).filter(|&n| n <= MAX_STRUCTURES && dim > 0)?;
        Some(BayesTree { depth, dim, noise_var: noise_var.max(0.0), structures })
    }

    /// Predictions for each point i of `xs` (n × dim) from points 0..i; `ys` holds at least
    /// the first n − 1 labels.
    fn sequence(&self, xs: &[f32], ys: &[f32], n: usize) -> Vec<f64> {
        let bits: Vec<bool> = xs[..n * self.dim].iter().map(|&v| v > 0.0).collect();
        let ys = &ys[..ys.len().min(n)];
        if self.noise_var > 0.0 {
            return self.soft_pass(&bits, ys, n, self.noise_var);
        }
        let exact = self.exact_pass(&bits, ys, n);
        if exact.iter().all(Option::is_some) {
            return exact.into_iter().map(|p| p.unwrap_or(0.0)).collect();
        }
        // Labels no structure fits exactly (not drawn from the prior): small-noise posterior.
        let soft = self.soft_pass(&bits, ys, n, FALLBACK_NOISE);
        exact.into_iter().zip(soft).map(|(e, s)| e.unwrap_or(s)).collect()
    }

    /// Calls `f` with the leaf of every point under each structure in turn.
    fn for_each_structure(&self, bits: &[bool], n: usize, mut f: impl FnMut(&[usize])) {
        let (dim, h) = (self.dim, self.depth);
        let internal = (1usize << h) - 1;
        let mut coord = vec![0usize; internal];
        let mut leaf_of = vec![0usize; n];
        for t in 0..self.structures {
            let mut code = t;
            for c in coord.iter_mut() {
                *c = (code % dim as u64) as usize;
                code /= dim as u64;
            }
            for (i, leaf) in leaf_of.iter_mut().enumerate() {
                let mut node = 0;
                for _ in 0..h {
                    node = 2 * node + 1 + usize::from(bits[i * dim + coord[node]]);
                }
                *leaf = node - internal;
            }
            f(&leaf_of);
        }
    }

    /// σ² = 0: the uniform posterior over the structures whose leaf partition of points
    /// 0..i equals their partition by label; None where there is none.
    fn exact_pass(&self, bits: &[bool], ys: &[f32], n: usize) -> Vec<Option<f64>> {
        let leaves = 1usize << self.depth;
        let labelled = ys.len();
        // Number of distinct labels among points 0..i.
        let distinct: Vec<usize> = (0..n)
            .map(|i| (0..i.min(labelled)).filter(|&a| (0..a).all(|b| !same_label(ys[a], ys[b]))).count())
            .collect();
        let (mut count, mut sum) = (vec![0u64; n], vec![0.0f64; n]);
        let mut value: Vec<Option<f32>> = vec![None; leaves];
        self.for_each_structure(bits, n, |leaf_of| {
            value.iter_mut().for_each(|v| *v = None);
            let mut occupied = 0;
            for i in 0..n {
                let l = leaf_of[i];
                if occupied == distinct[i] {
                    count[i] += 1;
                    sum[i] += value[l].map_or(0.0, f64::from);
                }
                if i >= labelled {
                    break;
                }
                match value[l] {
                    None => {
                        value[l] = Some(ys[i]);
                        occupied += 1;
                    }
                    // A non-constant leaf: this structure is out for every later point.
                    Some(v) if !same_label(v, ys[i]) => break,
                    Some(_) => {}
                }
            }
        });
        (0..n).map(|i| (count[i] > 0).then(|| sum[i] / count[i] as f64)).collect()
    }

    /// σ² > 0: weights ∝ marginal likelihood (log-sum-exp per point), leaf posterior means.
    fn soft_pass(&self, bits: &[bool], ys: &[f32], n: usize, s2: f64) -> Vec<f64> {
        let leaves = 1usize << self.depth;
        let labelled = ys.len();
        let log_s2 = s2.ln();
        // log(m + σ²) for leaf sizes m = 0..=n.
        let log_table: Vec<f64> = (0..=n).map(|m| (m as f64 + s2).ln()).collect();
        let leaf_log_ml = |m: usize, mean: f64, m2: f64| -> f64 {
            if m == 0 {
                return 0.0;
            }
            let mf = m as f64;
            -0.5 * (mf - 1.0) * log_s2 - 0.5 * log_table[m] - 0.5 * (m2 / s2 + mf * mean * mean / (mf + s2))
        };
        let (mut best, mut sum_w, mut sum_wp) = (vec![f64::NEG_INFINITY; n], vec![0.0; n], vec![0.0; n]);
        let (mut cnt, mut mean, mut m2) = (vec![0usize; leaves], vec![0.0f64; leaves], vec![0.0f64; leaves]);
        self.for_each_structure(bits, n, |leaf_of| {
            cnt.iter_mut().for_each(|v| *v = 0);
            mean.iter_mut().for_each(|v| *v = 0.0);
            m2.iter_mut().for_each(|v| *v = 0.0);
            let mut log_ml = 0.0;
            for i in 0..n {
                let l = leaf_of[i];
                let nl = cnt[l] as f64;
                let pred = nl * mean[l] / (nl + s2);
                if log_ml > best[i] {
                    let r = (best[i] - log_ml).exp();
                    sum_w[i] *= r;
                    sum_wp[i] *= r;
                    best[i] = log_ml;
                }
                let w = (log_ml - best[i]).exp();
                sum_w[i] += w;
                sum_wp[i] += w * pred;
                if i >= labelled {
                    break;
                }
                // Add point i to its leaf (Welford) and update the log marginal likelihood.
                let before = leaf_log_ml(cnt[l], mean[l], m2[l]);
                let y = ys[i] as f64;
                cnt[l] += 1;
                let delta = y - mean[l];
                mean[l] += delta / cnt[l] as f64;
                m2[l] += delta * (y - mean[l]);
                log_ml += leaf_log_ml(cnt[l], mean[l], m2[l]) - before;
            }
        });
        (0..n).map(|i| if sum_w[i] > 0.0 { sum_wp[i] / sum_w[i] } else { 0.0 }).collect()
    }
}

/// Labels equal up to f32 rounding.
fn same_label(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

impl Learner for BayesTree {
    fn name(&self) -> String {
        "tree_bayes".into()
    }

    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        assert_eq!(dim, self.dim, "BayesTree was built for another dimension");
        let k = ys.len();
        if k == 0 {
            return 0.0;
        }
        let mut all = Vec::with_capacity((k + 1) * dim);
        all.extend_from_slice(&xs[..k * dim]);
        all.extend_from_slice(&query[..dim]);
        // Only the last prediction is wanted; the others come almost free.
        self.sequence(&all, ys, k + 1)[k]
    }

    fn predict_prompt(&self, xs: &[f32], ys: &[f32], dim: usize) -> Vec<f64> {
        assert_eq!(dim, self.dim, "BayesTree was built for another dimension");
        self.sequence(xs, ys, ys.len())
    }
}
