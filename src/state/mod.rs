//! The page's state, kept pure (no DOM) so it is tested natively:
//! - [`run`]: the run being recorded from the worker's messages;
//! - [`sweep`]: the Experiments tab's run queue;
//! - [`pool`]: how many workers train a sweep at once;
//! - [`tabs`]: which tab saved last (each tab saves under its own key);
//! - [`keys`]: the keyboard shortcuts.
//!
//! What a link shares lives in `icl_core::settings` (one table drives the URL, the form
//! and the CLI).

pub mod keys;
pub mod pool;
pub mod run;
pub mod sweep;
pub mod tabs;
