//! The IEC 62304 traceability model shared by the `iec-trace` macros and `cargo-iec`.
//!
//! * [`catalogue`]: the requirements catalogue (`requirements.toml`): software requirements,
//!   software systems and items with their safety classes, parsed with exact positions and
//!   validated (duplicate IDs, unknown parents, cycles, invalid classes).
//! * [`discover`]: where a package's catalogue lives (`[package.metadata.iec]`,
//!   `[workspace.metadata.iec]`, or `requirements.toml` at the workspace root).
//! * [`problem`]: problem reports (`[[problem]]`, IEC 62304 clause 9).
//! * [`rust_path`]: turns the compiler's `type_name` of a marker type into the Rust path
//!   the trace shows (`crate::module::Type::method`).
//!
//! ```
//! use iec_model::catalogue::Catalogue;
//!
//! let catalogue = Catalogue::parse(
//!     r#"
//!     [[requirement]]
//!     id = "SRS-1"
//!     title = "Bolus volume"
//!     text = "The pump shall compute the bolus volume from the prescribed dose."
//!     "#,
//!     "requirements.toml".as_ref(),
//! )
//! .unwrap();
//! assert_eq!(catalogue.requirement("SRS-1").unwrap().title, "Bolus volume");
//! assert_eq!(catalogue.closest_ids("SRS-2"), vec!["SRS-1"]);
//! ```

pub mod catalogue;
pub mod discover;
mod position;
pub mod problem;
pub mod rust_path;
pub mod sources;

pub use catalogue::{Catalogue, CatalogueError, SafetyClass, Section, Source, Verification};
pub use position::{LineIndex, Position};
pub use problem::{ProblemReport, ProblemStatus};
