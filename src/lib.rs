//! ICL Scaling Lab's page: Leptos UI and plotters charts. Training runs in the
//! `icl-worker` Web Worker; this crate never links burn.

#[cfg(target_arch = "wasm32")]
pub mod history;
pub mod plots;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker_client;
