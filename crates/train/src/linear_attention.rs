//! Deep linear self-attention (LSA), the model the linear-attention theory describes
//! (von Oswald et al. 2023; Ahn et al. 2023; Bordelon, Letey & Pehlevan 2025).
//!
//! A prompt of n points gives n labelled tokens z_j = (x_j, y_j) ∈ R^{D+1} and, for each
//! point k, a query token (x_k, 0). Every prefix length is trained at once with shared
//! weights: "world" k holds the labelled tokens z_0..z_{k−1} and the query (x_k, 0), and its
//! prediction of y_k is minus the query's label coordinate after L layers (von Oswald's
//! sign, under which L layers can represent L steps of gradient descent exactly). A layer
//! updates every token t of world k, labelled or query, as a column vector:
//!
//!   t ← t + (1/L) · W_PV · C_k · W_KQ · t,    C_k = (1/max(k,1)) Σ_{j<k} z_j z_jᵀ,
//!
//! with C_k from the world's current labelled tokens (the query is never a key) and the
//! residual branch scaled by 1/L as in Bordelon et al.
//!
//! **Parameterisation: merged key–query and projection–value matrices, value-restricted.**
//! Keys and queries read only the x coordinates (W_KQ = [[A, 0], [0, 0]], A ∈ R^{D×D}) and
//! values write only the label coordinate (W_PV's last row u = (u_x, u_y), the rest 0).
//! Merged, because that is the form the theory analyses (a bilinear map per layer, not a
//! trilinear W_Kᵀ W_Q product with longer plateaus). Restricted, because then each layer is
//! one step of preconditioned gradient descent and L layers are the GD-L model class of
//! THEORY.md §2.6 and §3.2, whose curves the app draws; one layer has exactly the optimum of
//! the unrestricted layer (its extra, w-even terms have zero optimal weight, THEORY §2.5).
//! The unrestricted model also rewrites the x coordinates; prototyped in PyTorch it makes
//! the output a degree-3^L polynomial of the prompt whose error at small k is heavy-tailed,
//! and its training diverged at L ≥ 4 (see the issue note), so the app does not train it.
//!
//! Under the restriction the x coordinates never change, so world k is fully described by
//! S_k = (1/k) Σ_{j<k} x_j x_jᵀ (fixed), h_k = (1/k) Σ_{j<k} y_j x_j (the labels change) and
//! the query's label q_k. With v_k = S_k u_x + u_y h_k the token update above becomes exactly
//!
//!   Δy_j = (1/L) v_kᵀ A x_j  ⇒  h_k ← h_k + (1/L) S_k Aᵀ v_k,     q_k ← q_k + (1/L) v_kᵀ A x_k,
//!
//! which is what [`LinearAttention::query_weights`] computes, in O(n·D²) per prompt and layer
//! instead of O(n²·D²) (checked against the token-level form in the tests).
//!
//! Shapes: B batch, n points (= worlds), D input dim, L layers.

use burn::module::Param;
use burn::nn::Initializer;
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct LinearAttentionConfig {
    /// Input dimension D.
    pub dim: usize,
    /// Number of layers L.
    pub depth: usize,
    /// Standard deviation of the initial weights.
    #[config(default = 0.02)]
    pub init_std: f64,
}

impl LinearAttentionConfig {
    pub fn init(&self, device: &Device) -> LinearAttention {
        let d = self.dim;
        let init = Initializer::Normal { mean: 0.0, std: self.init_std };
        LinearAttention {
            layers: (0..self.depth)
                .map(|_| LsaLayer {
                    key_query: init.init([d, d], device),
                    value_x: init.init([d], device),
                    value_y: init.init([1], device),
                })
                .collect(),
        }
    }
}

/// One layer: A (the x-block of W_KQ) and u = (u_x, u_y) (the label row of W_PV).
#[derive(Module, Debug)]
pub struct LsaLayer {
    /// A `[D, D]`.
    key_query: Param<Tensor<2>>,
    /// u_x `[D]`.
    value_x: Param<Tensor<1>>,
    /// u_y `[1]`.
    value_y: Param<Tensor<1>>,
}

#[derive(Module, Debug)]
pub struct LinearAttention {
    layers: Vec<LsaLayer>,
}

impl LinearAttention {
    /// Predictions for every prefix: labelled tokens `[B, n, D + 1]` (z_j = (x_j, y_j)) →
    /// `[B, n]`, where column k predicts y_k from z_0..z_{k−1}.
    pub fn forward(&self, points: Tensor<3>) -> Tensor<2> {
        self.forward_with_query_weights(points).0
    }

    /// [`forward`](Self::forward) and the query weights g `[B, n, D]` it reads (the
    /// query-exact evaluation uses them, so one pass serves both).
    pub fn forward_with_query_weights(&self, points: Tensor<3>) -> (Tensor<2>, Tensor<3>) {
        let [b, n, e] = points.dims();
        let x = points.clone().slice([0..b, 0..n, 0..e - 1]); // [B, n, D]
        let g = self.query_weights(points); // [B, n, D]
        ((g.clone() * x).sum_dim(2).reshape([b, n]), g) // ŷ_k = x_k·g_k: [B, n]
    }

    /// The prediction is linear in the query: ŷ_k = x_kᵀ g_k, with g_k depending only on
    /// z_0..z_{k−1}. Returns g `[B, n, D]` (for one layer g_k = Γ h_k: the exact η_eff probe,
    /// and the query expectation taken exactly in tests).
    pub fn query_weights(&self, points: Tensor<3>) -> Tensor<3> {
        let [b, n, e] = points.dims();
        let d = e - 1;
        let device = points.device();
        let depth = self.layers.len() as f64;
        let x = points.clone().slice([0..b, 0..n, 0..d]); // [B, n, D]
        let y = points.slice([0..b, 0..n, d..e]); // [B, n, 1]
        // Prefix means over j < k: a cumulative sum shifted by one, divided by max(k, 1).
        let norm = Tensor::<1, Int>::arange(0..n as i64, &device).float().clamp_min(1.0).recip().reshape([1, n, 1]); // [1, n, 1]
        let prefix = |t: Tensor<3>| {
            let [bb, nn, cols] = t.dims();
            let shifted = Tensor::cat(vec![Tensor::zeros([bb, 1, cols], &device), t.slice([0..bb, 0..nn - 1, 0..cols])], 1);
            shifted.cumsum(1) * norm.clone() // [B, n, cols]
        };
        let outer = x.clone().unsqueeze_dim::<4>(3).matmul(x.clone().unsqueeze_dim::<4>(2)); // x_j x_jᵀ: [B, n, D, D]
        let s = prefix(outer.reshape([b, n, d * d])).reshape([b, n, d, d]); // S_k: [B, n, D, D]
        let mut h = prefix(x * y); // h_k: [B, n, D]
        // q_k = x_kᵀ Σ_l A_lᵀ v_{k,l} / L, so ŷ_k = −q_k = x_kᵀ g_k with g_k = −Σ_l A_lᵀ v_{k,l} / L.
        let mut g = Tensor::<3>::zeros([b, n, d], &device); // [B, n, D]
        for layer in &self.layers {
            let a = layer.key_query.val().unsqueeze_dim::<3>(0); // [1, D, D]
            // v_k = S_k u_x + u_y h_k: [B, n, D]
            let v = s.clone().matmul(layer.value_x.val().reshape([1, 1, d, 1])).reshape([b, n, d]) + h.clone() * layer.value_y.val().reshape([1, 1, 1]);
            let atv = v.matmul(a).div_scalar(depth); // (Aᵀ v / L) as rows: v A / L: [B, n, D]
            g = g - atv.clone(); // the query's label gains vᵀ A x_k / L; ŷ is minus it
            h = h + s.clone().matmul(atv.unsqueeze_dim::<4>(3)).reshape([b, n, d]); // h_k += S_k Aᵀ v / L: [B, n, D]
        }
        g
    }

    /// Every layer's (A `[D, D]`, u_x `[D]`, u_y `[1]`), for probes and tests.
    pub fn layers(&self) -> Vec<(Tensor<2>, Tensor<1>, Tensor<1>)> {
        self.layers.iter().map(|l| (l.key_query.val(), l.value_x.val(), l.value_y.val())).collect()
    }
}
