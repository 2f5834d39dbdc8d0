//! Pure logic of ICL Scaling Lab. Nothing here knows about burn or the browser, so
//! every piece is testable natively in seconds.
//!
//! Data flows one way through the workspace:
//! `tasks` (sample prompts) → model (icl-train) → `eval` (ICL error per k, baselines)
//! → `theory` (closed forms) and `fit` (power laws, transitions) → plots/UI (root crate).

pub mod backend_trial;
pub mod baselines;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod fit;
pub mod numeric;
pub mod preflight;
pub mod probes;
pub mod protocol;
pub mod rng;
pub mod schema;
pub mod settings;
pub mod stories;
pub mod sweep;
pub mod tasks;
pub mod theory;
