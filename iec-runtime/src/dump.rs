//! Hands the registry to `cargo iec` without any glue code in the user's crate.
//!
//! A constructor (run by the loader before `main`) checks `IEC_TRACE_DUMP`; when it names a
//! file, an exit handler writes every record there as JSON lines once the test harness has
//! finished (`cargo iec` runs the binary with `--list`, which runs no test). Doing it at exit
//! rather than in the constructor matters: `inventory` registers records from constructors
//! too, in an unspecified order.

use std::string::String;
use std::vec::Vec;

use crate::record::{Annotation, AnnotationKind};

/// The environment variable naming the file to write the registry to.
pub(crate) const DUMP_VARIABLE: &str = "IEC_TRACE_DUMP";

/// The first line of a dump, identifying its format.
pub(crate) const DUMP_SCHEMA: &str = "iec-runtime-dump/1";

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> core::ffi::c_int;
}

extern "C" fn on_load() {
    if std::env::var_os(DUMP_VARIABLE).is_some() {
        // SAFETY: registering a plain `extern "C" fn()` exit handler has no preconditions.
        unsafe {
            atexit(on_exit);
        }
    }
}

extern "C" fn on_exit() {
    let Some(path) = std::env::var_os(DUMP_VARIABLE) else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let mut text = String::new();
    text.push_str(&std::format!(
        "{{\"schema\":\"{DUMP_SCHEMA}\",\"runtime_version\":\"{}\"}}\n",
        env!("CARGO_PKG_VERSION")
    ));
    for record in crate::registry() {
        text.push_str(&record_json(record));
        text.push('\n');
    }
    // Write next to the target and rename, so a reader never sees half a dump.
    let mut temporary = path.clone().into_os_string();
    temporary.push(std::format!(".{}.partial", std::process::id()));
    if std::fs::write(&temporary, text).is_ok() {
        let _ = std::fs::rename(&temporary, &path);
    }
}

/// Runs [`on_load`] before `main`, in the sections `inventory` itself uses per platform.
#[used]
#[cfg_attr(
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "illumos",
        target_os = "netbsd",
        target_os = "openbsd",
    ),
    unsafe(link_section = ".init_array")
)]
#[cfg_attr(
    any(target_os = "macos", target_os = "ios"),
    unsafe(link_section = "__DATA,__mod_init_func")
)]
#[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
static ON_LOAD: extern "C" fn() = on_load;

fn record_json(record: &Annotation) -> String {
    let mut out = String::from("{");
    let kind = match record.kind {
        AnnotationKind::Requirement => "requirement",
        AnnotationKind::SoftwareUnit => "software_unit",
        AnnotationKind::Problem => "problem",
    };
    field(&mut out, "kind", &string(kind));
    field(&mut out, "ids", &list(record.ids));
    field(&mut out, "qualifiers", &list(record.qualifiers));
    let unit = match record.unit {
        None => String::from("null"),
        Some(unit) => std::format!(
            "{{\"id\":{},\"item\":{},\"class\":{},\"segregation\":{}}}",
            optional(unit.id),
            optional(unit.item),
            optional(unit.class),
            optional(unit.segregation)
        ),
    };
    field(&mut out, "unit", &unit);
    field(&mut out, "item_kind", &string(record.item_kind.as_str()));
    field(&mut out, "item_name", &string(record.item_name));
    field(&mut out, "compiler_path", &optional(record.compiler_path()));
    field(&mut out, "module_path", &string(record.site.module_path));
    field(&mut out, "file", &string(record.site.file));
    field(&mut out, "line", &std::format!("{}", record.site.line));
    field(&mut out, "column", &std::format!("{}", record.site.column));
    field(&mut out, "package", &string(record.site.package));
    field(&mut out, "version", &string(record.site.version));
    field(
        &mut out,
        "test_attribute",
        if record.test_attribute {
            "true"
        } else {
            "false"
        },
    );
    out.pop(); // the last comma
    out.push('}');
    out
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    out.push_str(value);
    out.push(',');
}

fn optional(value: Option<&str>) -> String {
    value.map_or_else(|| String::from("null"), string)
}

fn list(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| string(v)).collect();
    std::format!("[{}]", items.join(","))
}

fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&std::format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn strings_are_escaped_as_json() {
        assert_eq!(string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
