
pub mod plots;
