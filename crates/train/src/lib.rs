//! The transformer and its training loop, on any burn `Device`: burn's flex CPU backend,
//! native wgpu (feature `wgpu`) or the browser's WebGPU (feature `webgpu`).

pub mod backend;
pub mod model;
pub mod session;
pub mod train;

pub use model::{IclTransformer, IclTransformerConfig};
pub use session::RunSession;
pub use train::{prompt_targets, prompt_tokens, TrainError, Trainer};
pub use burn::prelude::Device;
