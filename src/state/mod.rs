//! The page's state, kept pure (no DOM) so it is tested natively:
//! - [`run`]: the run being recorded from the worker's messages;
//! - [`sweep`]: the Experiments tab's run queue;
//! - [`history`]: the kept finished runs (names, overlays; stored in IndexedDB);
//! - [`pool`]: how many workers train a sweep at once;
//! - [`tabs`]: which tab saved last (each tab saves under its own key);
//! - [`keys`]: the keyboard shortcuts;
//! - [`visibility`]: the pause while the tab is hidden.
//!
//! What a link shares lives in `icl_core::settings` (one table drives the URL, the form
//! and the CLI).

pub mod history;
pub mod keys;
pub mod pool;
pub mod run;
pub mod sweep;
pub mod tabs;
pub mod visibility;
