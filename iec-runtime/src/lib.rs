//! Annotate Rust code with the IEC 62304 software requirements it implements and verifies.
//!
//! This is the one crate a project adds. It re-exports the attribute macros and holds the
//! registry that `cargo iec trace` reads from test binaries.
//!
//! ```
//! use iec_runtime::{requirement, software_unit};
//!
//! /// Reads the requirements catalogue.          <- design text of the unit
//! #[software_unit(id = "SU-CATALOGUE", item = "SI-CARGO-IEC", class = "B")]
//! pub mod catalogue {
//!     use iec_runtime::requirement;
//!
//!     /// The 1-based line of byte `offset` in `text`.
//!     #[requirement("TR-CAT-PARSE")]              // implements TR-CAT-PARSE
//!     pub fn line_of(text: &str, offset: usize) -> usize {
//!         text[..offset.min(text.len())].matches('\n').count() + 1
//!     }
//!
//!     #[cfg(test)]
//!     mod tests {
//!         use iec_runtime::requirement;
//!
//!         #[test]
//!         #[requirement("TR-CAT-PARSE")]          // verifies TR-CAT-PARSE
//!         fn lines_count_from_one() {
//!             assert_eq!(super::line_of("a\nb", 2), 2);
//!         }
//!     }
//! }
//! # fn main() { assert_eq!(catalogue::line_of("a\nb", 2), 2); }
//! ```
//!
//! (The IDs are this project's own, from `docs/requirements.toml`: the macros check every ID
//! against the catalogue of the crate being compiled.)
//!
//! * `#[requirement("ID", ...)]` on a fn, impl, trait, struct, enum, union, mod, const,
//!   static or type alias records an implementation link; on a test (`#[test]`,
//!   `#[tokio::test]`, `#[rstest]`, ...) it records a verification link.
//! * `#[software_unit(id = "...", item = "...", class = "A"|"B"|"C")]` on a mod, fn, impl,
//!   struct, enum or trait declares a software unit; items inside it belong to it.
//! * `#[problem("PR-17")]` on a test marks it the regression test of a problem report
//!   (`[[problem]]` in the catalogue); the ID is checked like requirement IDs.
//! * A file module cannot carry an attribute on stable Rust (`#[x] mod foo;` and `#![x]` are
//!   unstable), so inside the file write [`module_unit!`] or [`module_requirement!`].
//!
//! Records are registered in test builds only: a release build contains exactly the
//! annotated items, nothing more, unless the `registry-in-all-builds` feature is enabled.
//! Without the default `std` feature the crate builds for `no_std` targets.
#![no_std]
// The crate example shows a test next to the code it verifies, as users write it.
#![allow(clippy::test_attr_in_doctest)]

#[cfg(feature = "std")]
extern crate std;

// Lets the crate annotate its own items: generated code names `::iec_runtime`.
extern crate self as iec_runtime;

#[cfg(feature = "std")]
mod dump;
mod record;

pub use iec_macros::{module_requirement, module_unit, problem, requirement, software_unit};
pub use record::{Annotation, AnnotationKind, ItemKind, UnitDeclaration};

pub mod diagnostics;
pub mod rustdoc;

/// Every annotation registered in this binary, in no particular order.
///
/// Populated in test builds (or in every build with the `registry-in-all-builds`
/// feature); a crate's records are present in its own test binaries.
pub fn registry() -> impl Iterator<Item = &'static Annotation> {
    inventory::iter::<Annotation>.into_iter()
}

inventory::collect!(Annotation);

/// Not public API: what the macros' generated code names.
#[doc(hidden)]
pub mod __private {
    // Registration only in test builds is decided here, by `register!` below.
    crate::module_requirement!("TR-ANN-TESTONLY");

    pub use crate::record::{Annotation, AnnotationKind, ItemKind, Site, UnitDeclaration};
    pub use core;
    pub use inventory;

    /// Emits registration items in test builds only (or always, with the
    /// `registry-in-all-builds` feature). The `cfg` is evaluated in the user's crate.
    #[cfg(not(feature = "registry-in-all-builds"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __iec_register {
        ($($item:item)*) => { $( #[cfg(test)] $item )* };
    }

    /// Emits registration items in every build (`registry-in-all-builds` is enabled).
    #[cfg(feature = "registry-in-all-builds")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __iec_register {
        ($($item:item)*) => { $( $item )* };
    }

    pub use crate::__iec_register as register;
}
