//! The in-context regression transformer (Garg et al. 2022), on any burn `Device`.
//!
//! A prompt of n points becomes T = 2n − 1 tokens of size D:
//! token 2i = x_i, token 2i+1 = (y_i, 0, …, 0); the last label is never an input.
//! The model reads in D → d, adds learned positions, runs L pre-LayerNorm blocks
//! (causal multi-head self-attention, then an MLP d → 4d → d with GELU), a final
//! LayerNorm, and reads out d → 1. Predictions are read at the x tokens, so the
//! prediction for y_i sees x_0, y_0, …, x_i and nothing later.
//!
//! Shapes: B batch, T tokens, D input dim, d width, H heads, h = d / H head size.

use burn::module::Param;
use burn::nn::{Gelu, Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

#[derive(Config, Debug)]
pub struct IclTransformerConfig {
    /// Input dimension D.
    pub dim: usize,
    /// Model width d.
    pub width: usize,
    /// Number of blocks L.
    pub depth: usize,
    /// Attention heads H (must divide d).
    pub heads: usize,
    /// Longest token sequence the learned positions cover.
    pub max_tokens: usize,
}

impl IclTransformerConfig {
    pub fn init(&self, device: &Device) -> IclTransformer {
        let d = self.width;
        IclTransformer {
            read_in: LinearConfig::new(self.dim, d).init(device),
            positions: Initializer::Normal { mean: 0.0, std: 0.02 }.init([self.max_tokens, d], device),
            blocks: (0..self.depth).map(|_| BlockConfig { width: d, heads: self.heads }.init(device)).collect(),
            final_norm: LayerNormConfig::new(d).init(device),
            read_out: LinearConfig::new(d, 1).init(device),
        }
    }
}

#[derive(Module, Debug)]
pub struct IclTransformer {
    read_in: Linear,
    /// Learned position embeddings `[max_tokens, d]`.
    positions: Param<Tensor<2>>,
    blocks: Vec<Block>,
    final_norm: LayerNorm,
    read_out: Linear,
}

impl IclTransformer {
    /// Predictions at the x tokens: tokens `[B, T, D]` → `[B, n]` with n = (T + 1) / 2.
    pub fn forward(&self, tokens: Tensor<3>) -> Tensor<2> {
        self.forward_inner(tokens, false).0
    }

    /// Like [`forward`](Self::forward), also returning every block's attention weights
    /// `[B, H, T, T]` (for the attention-map probe).
    pub fn forward_with_attention(&self, tokens: Tensor<3>) -> (Tensor<2>, Vec<Tensor<4>>) {
        self.forward_inner(tokens, true)
    }

    fn forward_inner(&self, tokens: Tensor<3>, keep_attention: bool) -> (Tensor<2>, Vec<Tensor<4>>) {
        let [b, t, _] = tokens.dims();
        let device = tokens.device();
        let positions = self.positions.val().slice([0..t]).unsqueeze_dim::<3>(0); // [1, T, d]
        let mut x = linear(&self.read_in, tokens) + positions; // [B, T, d]
        // −10⁹ above the diagonal, 0 elsewhere: token i may not attend to any token j > i.
        // Added to the scores, a constant needs no gradient (a mask_fill's backward is a full pass).
        let future = Tensor::<2>::zeros([t, t], &device).mask_fill(Tensor::<2, Bool>::tril_mask([t, t], 0, &device), -1.0e9).reshape([1, 1, t, t]); // [1, 1, T, T]
        let mut maps = Vec::new();
        for block in &self.blocks {
            let (next, weights) = block.forward(x, future.clone());
            x = next;
            if keep_attention {
                maps.push(weights);
            }
        }
        let y = linear(&self.read_out, self.final_norm.forward(x)); // [B, T, 1]
        let n = t.div_ceil(2);
        let x_tokens = Tensor::<1, Int>::arange_step(0..(2 * n) as i64 - 1, 2, &device); // 0, 2, …, T−1
        let predictions = y.reshape([b, t]).select(1, x_tokens); // [B, n]
        (predictions, maps)
    }
}

#[derive(Config, Debug)]
pub struct BlockConfig {
    pub width: usize,
    pub heads: usize,
}

impl BlockConfig {
    pub fn init(&self, device: &Device) -> Block {
        let d = self.width;
        Block {
            attention_norm: LayerNormConfig::new(d).init(device),
            attention: CausalSelfAttentionConfig { width: d, heads: self.heads }.init(device),
            mlp_norm: LayerNormConfig::new(d).init(device),
            mlp_in: LinearConfig::new(d, 4 * d).init(device),
            mlp_out: LinearConfig::new(4 * d, d).init(device),
            gelu: Gelu::new(),
        }
    }
}

/// One pre-LayerNorm transformer block.
#[derive(Module, Debug)]
pub struct Block {
    attention_norm: LayerNorm,
    attention: CausalSelfAttention,
    mlp_norm: LayerNorm,
    mlp_in: Linear,
    mlp_out: Linear,
    gelu: Gelu,
}

impl Block {
    /// `[B, T, d]` → (`[B, T, d]`, attention weights `[B, H, T, T]`); `future` is the causal bias `[1, 1, T, T]`.
    pub fn forward(&self, x: Tensor<3>, future: Tensor<4>) -> (Tensor<3>, Tensor<4>) {
        let (attended, weights) = self.attention.forward(self.attention_norm.forward(x.clone()), future);
        let x = x + attended;
        let hidden = self.gelu.forward(linear(&self.mlp_in, self.mlp_norm.forward(x.clone()))); // [B, T, 4d]
        (x + linear(&self.mlp_out, hidden), weights)
    }
}

/// `layer` applied to `[B, T, in]` as one `[B·T, in] × [in, out]` product (burn otherwise runs
/// a batch of B products, each packing the weight again), back to `[B, T, out]`.
fn linear(layer: &Linear, x: Tensor<3>) -> Tensor<3> {
    let [b, t, d] = x.dims();
    let y = layer.forward(x.reshape([b * t, d])); // [B·T, out]
    let out = y.dims()[1];
    y.reshape([b, t, out])
}

#[derive(Config, Debug)]
pub struct CausalSelfAttentionConfig {
    pub width: usize,
    pub heads: usize,
}

impl CausalSelfAttentionConfig {
    pub fn init(&self, device: &Device) -> CausalSelfAttention {
        assert_eq!(self.width % self.heads, 0, "heads must divide the width");
        CausalSelfAttention {
            qkv: LinearConfig::new(self.width, 3 * self.width).init(device),
            out: LinearConfig::new(self.width, self.width).init(device),
            heads: self.heads,
        }
    }
}

/// Multi-head self-attention with a causal mask (one fused q/k/v projection).
#[derive(Module, Debug)]
pub struct CausalSelfAttention {
    qkv: Linear,
    out: Linear,
    heads: usize,
}

impl CausalSelfAttention {
    /// `[B, T, d]` → (`[B, T, d]`, weights `[B, H, T, T]`); `future` is the causal bias `[1, 1, T, T]`.
    pub fn forward(&self, x: Tensor<3>, future: Tensor<4>) -> (Tensor<3>, Tensor<4>) {
        let [b, t, d] = x.dims();
        let (heads, h) = (self.heads, d / self.heads);
        // [B, T, 3d] → [B, T, 3, H, h] → [3, B, H, T, h]
        let qkv = linear(&self.qkv, x).reshape([b, t, 3, heads, h]).permute([2, 0, 3, 1, 4]);
        let split = |i: usize| qkv.clone().slice([i..i + 1]).reshape([b, heads, t, h]);
        // Scaling q by 1/√h is the same as scaling the scores, on a tensor T/h times smaller.
        let (q, k, v) = (split(0).div_scalar((h as f64).sqrt()), split(1), split(2)); // [B, H, T, h] each
        let scores = q.matmul(k.swap_dims(2, 3)) + future; // [B, H, T, T]
        let weights = softmax(scores, 3);
        let context = weights.clone().matmul(v); // [B, H, T, h]
        let context = context.swap_dims(1, 2).reshape([b, t, d]); // [B, T, d]
        (linear(&self.out, context), weights)
    }
}
