//! The models (the Garg et al. transformer, deep linear attention) and their training loop,
//! on any burn `Device`: burn's flex CPU backend,
//! native wgpu (feature `wgpu`) or the browser's WebGPU (feature `webgpu`).

pub mod backend;
pub mod checkpoint;
pub mod linear_attention;
pub mod model;
pub mod models;
pub mod session;
pub mod train;

pub use linear_attention::{LinearAttention, LinearAttentionConfig};
pub use model::{IclTransformer, IclTransformerConfig};
pub use models::{IclModel, prompt_points, prompt_targets, prompt_tokens};
pub use session::RunSession;
pub use train::{TrainError, Trainer, TrainerSnapshot};
pub use burn::prelude::Device;
