//! The compile-time checks the annotations make, and what each error means.
//!
//! The macros check every annotation when the crate compiles, against the requirements
//! catalogue of the crate being compiled (found from `CARGO_MANIFEST_DIR`, or named by the
//! `IEC_TRACE_CATALOGUE` environment variable). Each error points at the span at fault and
//! the annotated item is still emitted, so one mistake gives one message:
//!
//! | error | cause | fix |
//! |---|---|---|
//! | `unknown requirement ID "SRS-13" ... did you mean "SRS-12"?` | the ID is not in the catalogue | correct the ID or add it to the catalogue |
//! | `"SYS-3" is a system requirement` | code names a system requirement | name the software requirement that refines it |
//! | `requirement IDs are string literals` | an identifier, number or expression as ID | quote it: `"SRS-12"` |
//! | `needs at least one requirement ID` | `#[requirement]` with no arguments | add the IDs |
//! | `duplicate requirement ID` | the same ID twice in one attribute | remove one |
//! | `unknown qualifier` / `unknown key` | a typo in an argument | only `partial` is accepted after the IDs |
//! | `unknown software item` | `item = "..."` not in the catalogue | correct it or declare the `[[item]]` |
//! | `invalid safety class` | `class` other than `"A"`, `"B"`, `"C"` | use one of them |
//! | `cannot be placed on ...` | an unsupported item (a `use`, a required trait method, ...) | annotate the enclosing item |
//! | `cannot be placed on a file module` | `#[requirement] mod foo;` | write `iec_runtime::module_requirement!(...)` in that file |
//! | `the requirements catalogue ... is invalid` | the catalogue does not parse or validate | fix it at the line and column given |
//!
//! The UI tests in `iec-macros/tests/ui/` hold the exact text of every message.

// The checks themselves live in iec-macros (src/valid.rs, src/attr.rs), which cannot carry
// its own annotations (a proc-macro crate cannot use its own macros); the contract they
// implement is documented, and traced, here.
iec_runtime::module_requirement!("TR-ANN-CHECK");
