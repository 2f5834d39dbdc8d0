//! The training Web Worker. It owns the burn device and the run, and talks to the page
//! only through `icl_core::protocol` JSON messages, so the page's bundle holds no burn
//! and its first paint never waits for this one to load.
//!
//! Everything but the run slot's state machine ([`slot`], tested natively) is wasm-only.

#[cfg(target_arch = "wasm32")]
mod adapter;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod store;
pub mod slot;
#[cfg(target_arch = "wasm32")]
mod worker;
