//! k-nearest neighbours (THEORY.md §2.7, Garg et al.'s baseline): Euclidean distance,
//! `neighbours` nearest context points (all of them if fewer), uniform weights.

use super::Learner;

#[derive(Clone, Debug)]
pub struct NearestNeighbours {
    pub neighbours: usize,
}

impl Default for NearestNeighbours {
    fn default() -> Self {
        NearestNeighbours { neighbours: 3 }
    }
}

impl Learner for NearestNeighbours {
    fn name(&self) -> String {
        format!("knn_{}", self.neighbours)
    }

    fn predict(&self, xs: &[f32], ys: &[f32], dim: usize, query: &[f32]) -> f64 {
        let k = ys.len();
        let m = self.neighbours.min(k);
        if m == 0 {
            return 0.0;
        }
        let mut dist: Vec<(f64, usize)> = (0..k)
            .map(|i| {
                let d2 = xs[i * dim..(i + 1) * dim].iter().zip(query).map(|(&a, &b)| (a as f64 - b as f64).powi(2)).sum();
                (d2, i)
            })
            .collect();
        // Ties in distance go to the earlier context point.
        dist.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        dist[..m].iter().map(|&(_, i)| ys[i] as f64).sum::<f64>() / m as f64
    }
}
