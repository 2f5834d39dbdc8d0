//! The model families behind one type, and how a prompt batch becomes each one's input.
//! [`IclModel::forward`] maps a batch to predictions `[B, n]` (column k predicts y_k from
//! the k points before it) whichever family trains.

use crate::linear_attention::{LinearAttention, LinearAttentionConfig};
use crate::model::{IclTransformer, IclTransformerConfig};
use burn::prelude::*;
use icl_core::config::{Arch, RunConfig};
use icl_core::tasks::PromptBatch;

#[derive(Module, Debug)]
pub enum IclModel {
    Transformer(IclTransformer),
    LinearAttention(LinearAttention),
}

impl IclModel {
    /// The model `config` describes, on `device`.
    pub fn new(config: &RunConfig, device: &Device) -> Self {
        let m = &config.model;
        match m.arch {
            Arch::Transformer => IclModel::Transformer(
                IclTransformerConfig::new(config.task.dim, m.width, m.depth, m.heads, config.sequence_len()).init(device),
            ),
            Arch::LinearAttention => IclModel::LinearAttention(LinearAttentionConfig::new(config.task.dim, m.depth).init(device)),
        }
    }

    /// Predictions `[B, n]` for a batch of n-point prompts.
    pub fn forward(&self, batch: &PromptBatch, device: &Device) -> Tensor<2> {
        match self {
            IclModel::Transformer(m) => m.forward(prompt_tokens(batch, device)),
            IclModel::LinearAttention(m) => m.forward(prompt_points(batch, device)),
        }
    }

    /// Predictions `[B, n]` and, for linear attention, the query weights g `[B, n, D]` they
    /// are made from (ŷ_k = x_kᵀ g_k); the transformer has none.
    pub fn forward_with_query_weights(&self, batch: &PromptBatch, device: &Device) -> (Tensor<2>, Option<Tensor<3>>) {
        match self {
            IclModel::Transformer(m) => (m.forward(prompt_tokens(batch, device)), None),
            IclModel::LinearAttention(m) => {
                let (predictions, g) = m.forward_with_query_weights(prompt_points(batch, device));
                (predictions, Some(g))
            }
        }
    }

    /// Every block's attention weights `[B, H, T, T]` (none for linear attention).
    pub fn attention_maps(&self, batch: &PromptBatch, device: &Device) -> Vec<Tensor<4>> {
        match self {
            IclModel::Transformer(m) => m.forward_with_attention(prompt_tokens(batch, device)).1,
            IclModel::LinearAttention(_) => Vec::new(),
        }
    }
}

/// The transformer's tokens, `[B, 2n − 1, D]`: x_i at 2i, (y_i, 0, …, 0) at 2i + 1; the last
/// label is never an input.
pub fn prompt_tokens(batch: &PromptBatch, device: &Device) -> Tensor<3> {
    let (n, d) = (batch.n_points, batch.dim);
    let t = 2 * n - 1;
    let mut data = vec![0.0f32; batch.batch * t * d];
    for b in 0..batch.batch {
        for i in 0..n {
            let x_token = (b * t + 2 * i) * d;
            data[x_token..x_token + d].copy_from_slice(batch.x(b, i));
            if i + 1 < n {
                data[x_token + d] = batch.ys[b * n + i];
            }
        }
    }
    Tensor::from_data(TensorData::new(data, [batch.batch, t, d]), device)
}

/// Linear attention's labelled tokens, `[B, n, D + 1]`: z_i = (x_i, y_i).
pub fn prompt_points(batch: &PromptBatch, device: &Device) -> Tensor<3> {
    let (n, d) = (batch.n_points, batch.dim);
    let mut data = Vec::with_capacity(batch.batch * n * (d + 1));
    for b in 0..batch.batch {
        for i in 0..n {
            data.extend_from_slice(batch.x(b, i));
            data.push(batch.ys[b * n + i]);
        }
    }
    Tensor::from_data(TensorData::new(data, [batch.batch, n, d + 1]), device)
}

/// Labels of a batch, `[B, n]`.
pub fn prompt_targets(batch: &PromptBatch, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(batch.ys.clone(), [batch.batch, batch.n_points]), device)
}
