//! Output formats other than the table and JSON (in `output.rs`).

pub mod csv;
pub mod html;
pub mod markdown;
pub mod sarif;
