//! Procedural macros of iec-trace. Depend on `iec-runtime`, which re-exports them; the
//! generated code names only `::iec_runtime::__private`.
//!
//! The crate is split by phase, like thiserror's: [`attr`] parses the attribute arguments,
//! [`ast`] classifies the annotated item, [`valid`] checks IDs against the requirements
//! catalogue, and [`expand`] generates the registration. Every error is reported at its own
//! span and the annotated item is always emitted, so one mistake gives one message.

use proc_macro::TokenStream;

mod ast;
mod attr;
mod doc;
mod expand;
mod valid;

/// Records that the item implements the requirements named, or, on a test, verifies them.
///
/// `#[requirement("SRS-12")]`, `#[requirement("SRS-12", "SRS-14")]`, and
/// `#[requirement("SRS-12", partial)]` for a link that covers part of the requirement.
/// See the `iec-runtime` crate documentation.
#[proc_macro_attribute]
pub fn requirement(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::requirement(args.into(), item.into()).into()
}

/// Marks a test as the regression test of problem reports: `#[problem("PR-17")]`. The IDs
/// are checked against the catalogue's `[[problem]]` entries. See the `iec-runtime` crate
/// documentation.
#[proc_macro_attribute]
pub fn problem(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::problem(args.into(), item.into()).into()
}

/// Declares the item a software unit: `#[software_unit(id = "SU-DOSE", item = "SI-PUMP",
/// class = "C")]`, every key optional. See the `iec-runtime` crate documentation.
#[proc_macro_attribute]
pub fn software_unit(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::software_unit(args.into(), item.into()).into()
}

/// Declares that the enclosing module implements requirements:
/// `module_requirement!("SRS-12");` at the top of a file module, where stable Rust allows
/// no attribute.
#[proc_macro]
pub fn module_requirement(input: TokenStream) -> TokenStream {
    expand::module_requirement(input.into()).into()
}

/// Declares the enclosing module a software unit: `module_unit!(id = "SU-ALARM", item =
/// "SI-PUMP", class = "B");` at the top of a file module.
#[proc_macro]
pub fn module_unit(input: TokenStream) -> TokenStream {
    expand::module_unit(input.into()).into()
}
