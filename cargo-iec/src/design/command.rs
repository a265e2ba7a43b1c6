//! `cargo iec design`: reads the workspace as `cargo iec trace` does and writes the record.

use std::path::Path;

use crate::cli::{DesignArgs, DesignFormat};
use crate::error::{Error, exit_code};

/// The SVG written beside a Markdown `output` (`design.md` -> `design.svg`), with the link
/// the Markdown uses (its file name).
fn diagram_beside(output: &Path) -> (std::path::PathBuf, String) {
    let svg = output.with_extension("svg");
    let link = svg
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (svg, link)
}

/// Runs `cargo iec design`.
pub fn run(args: &DesignArgs) -> Result<u8, Error> {
    let workspace = crate::workspace::Workspace::load(&args.selection)?;
    let (catalogue, mut trace, collected, scan_errors) =
        crate::traced_with_tests(&workspace, &args.selection, &args.channels, false)?;
    if let Some(path) = &args.results {
        let run = crate::run::from_junit_file(path, &workspace, &collected)?;
        crate::results::apply(&mut trace, &run);
    }
    if scan_errors > 0 && !args.channels.keep_going {
        return Err(Error::Input(format!(
            "{scan_errors} source file{} could not be read (above); nothing was written. Fix them, or pass --keep-going",
            if scan_errors == 1 { "" } else { "s" }
        )));
    }
    let sources = super::read_sources(&workspace, &trace.units);
    let design = super::build(&trace, &catalogue, &sources);
    let text = match args.format {
        DesignFormat::Json => super::render::json(&design),
        DesignFormat::Html => super::render::html(&design),
        DesignFormat::Svg => super::render::svg(&design),
        DesignFormat::Markdown => match args.output.as_deref() {
            Some(output) => {
                let (svg, link) = diagram_beside(output);
                crate::output::write(Some(&svg), &super::render::svg(&design))?;
                super::render::markdown(&design, Some(&link))
            }
            None => super::render::markdown(&design, None),
        },
    };
    crate::output::write(args.output.as_deref(), &text)?;
    Ok(exit_code::OK)
}
