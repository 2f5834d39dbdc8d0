//! The page's state, kept pure (no DOM) so it is tested natively:
//! - [`url`]: everything shareable, serialised to and from the query string in one place;
//! - [`run`]: the run being recorded from the worker's messages.

pub mod run;
pub mod sweep;
pub mod url;
