//! Deep linear self-attention (LSA), the model the linear-attention theory describes
//! (von Oswald et al. 2023; Ahn et al. 2023; Bordelon, Letey & Pehlevan 2025).
//!
//! A prompt of n points is the n labelled tokens z_j = (x_j, y_j) ∈ R^{E}, E = D + 1, and
//! for each point i a query token (x_i, 0). Every prefix length is trained at once with
//! shared weights: "world" k holds the labelled tokens z_0..z_{k−1} (k in-context examples)
//! and the query (x_k, 0); its prediction of y_k is the query's label coordinate after L
//! layers. A layer updates every token t of world k (its labelled ones and its query) by
//!
//!   t ← t + (1/L) · t · A · C_k · P,    C_k = (1/max(k,1)) Σ_{j<k} z_jᵀ z_j   (row vectors)
//!
//! with C_k computed from the world's current labelled tokens. A = W_KQᵀ is the merged
//! key–query matrix and P = W_PVᵀ the merged projection–value matrix, both full E × E (no
//! softmax, no MLP, no LayerNorm). The residual branch is scaled by 1/L as in Bordelon et
//! al. The query never enters C_k, so its state stays linear in (x_k, 0) at every depth.
//!
//! Parameterisation: merged key–query and projection–value matrices, unrestricted. Merged,
//! because that is the form the theory analyses (one bilinear map per layer instead of a
//! trilinear W_Kᵀ W_Q product, which trains with longer plateaus); unrestricted, because a
//! deep model may then also rewrite the x-coordinates (preconditioning, von Oswald's GD++),
//! which is where depth can beat plain gradient descent under RRS. For one layer the
//! w-odd part of the prediction is x_kᵀ Γ h_k with Γ ∈ R^{D×D} built from A and P, and every
//! w-even part has zero optimal weight (THEORY.md §2.5), so the population optimum is exactly
//! that of the Γ model (`icl_core::theory::linear_attention`).
//!
//! Shapes: B batch, n points (= worlds), E = D + 1 token size, L layers.

use burn::module::Param;
use burn::nn::Initializer;
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct LinearAttentionConfig {
    /// Input dimension D (tokens have D + 1 coordinates).
    pub dim: usize,
    /// Number of layers L.
    pub depth: usize,
    /// Standard deviation of the initial weights.
    #[config(default = 0.02)]
    pub init_std: f64,
}

impl LinearAttentionConfig {
    pub fn init(&self, device: &Device) -> LinearAttention {
        let e = self.dim + 1;
        let init = Initializer::Normal { mean: 0.0, std: self.init_std };
        LinearAttention {
            layers: (0..self.depth)
                .map(|_| LsaLayer { key_query: init.init([e, e], device), value_proj: init.init([e, e], device) })
                .collect(),
        }
    }
}

/// One layer: the merged matrices A (key–query) and P (projection–value), each `[E, E]`.
#[derive(Module, Debug)]
pub struct LsaLayer {
    key_query: Param<Tensor<2>>,
    value_proj: Param<Tensor<2>>,
}

#[derive(Module, Debug)]
pub struct LinearAttention {
    layers: Vec<LsaLayer>,
}

impl LinearAttention {
    /// Predictions for every prefix: labelled tokens `[B, n, E]` (z_j = (x_j, y_j)) →
    /// `[B, n]`, where column k predicts y_k from z_0..z_{k−1}.
    pub fn forward(&self, points: Tensor<3>) -> Tensor<2> {
        let [b, n, e] = points.dims();
        let device = points.device();
        let depth = self.layers.len();
        // Query of world k: (x_k, 0). [B, n, E] → [B, n, 1, E] (one query row per world).
        let label_free: Vec<f32> = (0..e).map(|i| if i + 1 == e { 0.0 } else { 1.0 }).collect();
        let label_free = Tensor::<1>::from_data(TensorData::new(label_free, [e]), &device).reshape([1, 1, e]);
        let mut queries = (points.clone() * label_free).unsqueeze_dim::<4>(2); // [B, W, 1, E]
        // World k keeps token j as a key only if j < k. `tril_mask(_, -1)` is true where
        // j ≥ k, so its negation is the strictly lower triangle: [W, T].
        let keys = Tensor::<2, Bool>::tril_mask([n, n], -1, &device).bool_not().float().reshape([1, n, n, 1]); // [1, W, T, 1]
        // 1 / max(k, 1) per world.
        let norm = Tensor::<1, Int>::arange(0..n as i64, &device).float().clamp_min(1.0).recip().reshape([1, n, 1, 1]);
        // Every world starts from the same labelled tokens: [B, n, E] → [B, W, T, E].
        let mut tokens = points.unsqueeze_dim::<4>(1).expand([b, n, n, e]);
        for (l, layer) in self.layers.iter().enumerate() {
            let kept = tokens.clone() * keys.clone(); // [B, W, T, E], zero rows for j ≥ k
            let c = kept.swap_dims(2, 3).matmul(tokens.clone()) * norm.clone(); // C_k: [B, W, E, E]
            let a = layer.key_query.val().reshape([1, 1, e, e]);
            let p = layer.value_proj.val().reshape([1, 1, e, e]);
            let m = a.matmul(c).matmul(p).div_scalar(depth as f64); // A·C_k·P / L: [B, W, E, E]
            queries = queries.clone() + queries.matmul(m.clone()); // [B, W, 1, E]
            // The last layer's labelled tokens feed nothing: skip their update.
            if l + 1 < depth {
                tokens = tokens.clone() + tokens.matmul(m); // [B, W, T, E]
            }
        }
        queries.slice([0..b, 0..n, 0..1, e - 1..e]).reshape([b, n]) // label coordinate: [B, n]
    }

    /// The merged matrices of every layer, `(A, P)` row-major `[E·E]` each (for probes).
    pub fn matrices(&self) -> Vec<(Tensor<2>, Tensor<2>)> {
        self.layers.iter().map(|l| (l.key_query.val(), l.value_proj.val())).collect()
    }
}
