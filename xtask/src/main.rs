//! `cargo xtask`: project automation that is not part of the product.
//!
//! * `cargo xtask gen`: writes a synthetic, deterministic workspace of a given size (crates,
//!   files, lines, annotations, requirements, tests, software units), and the equivalent
//!   Doorstop and StrictDoc projects, so that `cargo iec trace` and its peers are timed on
//!   the same content (docs/PERFORMANCE.md).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// Project automation.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
enum Xtask {
    /// Write a synthetic annotated workspace (and its Doorstop and StrictDoc equivalents).
    Gen(GenArgs),
}

/// The size and shape of the generated workspace.
#[derive(Debug, Clone, clap::Args)]
struct GenArgs {
    /// Where to write it (must not exist, or be empty).
    #[arg(long)]
    out: PathBuf,
    /// Number of crates.
    #[arg(long, default_value_t = 10)]
    crates: usize,
    /// Number of source files, spread over the crates.
    #[arg(long, default_value_t = 50)]
    files: usize,
    /// Total number of source lines (approximate, within a few percent).
    #[arg(long, default_value_t = 10_000)]
    lines: usize,
    /// Number of `#[requirement]` annotations (half on code, half on tests).
    #[arg(long, default_value_t = 200)]
    annotations: usize,
    /// Number of requirements in the catalogue.
    #[arg(long, default_value_t = 100)]
    requirements: usize,
    /// Seed of the deterministic generator.
    #[arg(long, default_value_t = 62304)]
    seed: u64,
    /// Path of the iec-runtime crate the generated crates depend on (default: this repo's).
    #[arg(long)]
    runtime: Option<PathBuf>,
    /// Also write the equivalent Doorstop project into this directory.
    #[arg(long)]
    doorstop: Option<PathBuf>,
    /// Also write the equivalent StrictDoc project into this directory.
    #[arg(long)]
    strictdoc: Option<PathBuf>,
    /// Write the same code without `#[requirement]` attributes (nor their `use`), to measure
    /// what the annotations cost a build.
    #[arg(long)]
    no_annotations: bool,
    /// Number of software units: `module_unit!` at the top of generated modules (and, one in
    /// five, of a crate's `lib.rs`), placed and classed (A, B, C) by the seed, each but the
    /// first calling an earlier unit of its own crate or of a lower-numbered one (a Cargo
    /// dependency), so `class-dependency` gaps occur. At most one per file and crate root.
    /// 0 writes the workspace of before the option; otherwise the same code, with the units'
    /// lines and dependencies added.
    #[arg(long, default_value_t = 0)]
    units: usize,
}

/// splitmix64: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "dose",
    "rate",
    "volume",
    "pressure",
    "battery",
    "alarm",
    "occlusion",
    "bubble",
    "motor",
    "step",
    "limit",
    "ramp",
    "sensor",
    "display",
    "watchdog",
    "bolus",
    "basal",
    "prime",
    "infusion",
    "channel",
    "library",
    "threshold",
    "sample",
    "window",
    "state",
];

/// Where a generated software unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The root module of crate N (`lib.rs`).
    Root(usize),
    /// The module of file N.
    File(usize),
}

/// A generated software unit: its place, crate, class, and the earlier unit it calls.
#[derive(Debug, Clone)]
struct UnitPlan {
    id: String,
    place: Place,
    krate: usize,
    class: &'static str,
    calls: Option<usize>,
}

impl UnitPlan {
    /// The path of the unit's module from code in crate `from`.
    fn module_path(&self, from: usize) -> String {
        let krate = if from == self.krate {
            "crate".to_string()
        } else {
            format!("gen_{:03}", self.krate)
        };
        match self.place {
            Place::Root(_) => krate,
            Place::File(f) => format!("{krate}::m_{f:05}"),
        }
    }

    /// The lines a unit adds at the top of its module: the declaration and an entry
    /// function that calls the entry of the unit it uses.
    fn lines(&self, units: &[UnitPlan]) -> String {
        let body = match self.calls {
            Some(callee) => format!(
                "input.saturating_add({}::unit_entry(input))",
                units[callee].module_path(self.krate)
            ),
            None => "input".to_string(),
        };
        format!(
            "iec_runtime::module_unit!(id = \"{}\", class = \"{}\");\n\n/// The entry of unit {}.\npub fn unit_entry(input: u32) -> u32 {{\n    {body}\n}}\n\n",
            self.id, self.class, self.id
        )
    }
}

/// Places `count` units (at most one per file and crate root) with their own generator, so
/// the rest of the workspace is the same with and without units. File `f` is in crate
/// `f % crates`.
fn plan_units(seed: u64, count: usize, crates: usize, files: usize) -> Vec<UnitPlan> {
    let mut rng = Rng(seed ^ 0xA5A5_5A5A_0F0F_F0F0);
    let mut taken_roots = vec![false; crates];
    let mut taken_files = vec![false; files];
    let mut units: Vec<UnitPlan> = Vec::new();
    for k in 0..count.min(crates + files) {
        let free_root = taken_roots.iter().any(|t| !t);
        let free_file = taken_files.iter().any(|t| !t);
        // Probe from a random start to the next free place.
        let probe = |taken: &mut Vec<bool>, start: usize| {
            let n = taken.len();
            let found = (0..n).map(|i| (start + i) % n).find(|&i| !taken[i])?;
            taken[found] = true;
            Some(found)
        };
        let place = if (k % 5 == 4 && free_root) || !free_file {
            let start = rng.below(crates);
            Place::Root(probe(&mut taken_roots, start).unwrap_or_default())
        } else {
            let start = rng.below(files);
            Place::File(probe(&mut taken_files, start).unwrap_or_default())
        };
        let krate = match place {
            Place::Root(c) => c,
            Place::File(f) => f % crates,
        };
        let class = ["A", "B", "C"][rng.below(3)];
        // An earlier unit of this crate or a lower-numbered one: no dependency cycle.
        let calls = if k == 0 {
            None
        } else {
            let start = rng.below(k);
            (0..k)
                .map(|i| (start + k - i) % k)
                .find(|&j| units[j].krate <= krate)
        };
        units.push(UnitPlan {
            id: format!("SU-GEN-{}", k + 1),
            place,
            krate,
            class,
            calls,
        });
    }
    units
}

/// Adds `lines` after the first line (the `//!` doc) of `source`.
fn after_first_line(source: &str, lines: &str) -> String {
    let (first, rest) = source.split_once('\n').unwrap_or((source, ""));
    format!("{first}\n\n{lines}{}", rest.trim_start_matches('\n'))
}

fn word(rng: &mut Rng) -> &'static str {
    WORDS[rng.below(WORDS.len())]
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// One annotated item of a generated file: the requirement, the item's name (a function
/// name, unique in its file), and its path as the trace names it.
struct Link {
    requirement: usize,
    name: String,
    path: String,
}

/// One generated file: its Rust source, and which requirement each annotation names.
struct Generated {
    source: String,
    implements: Vec<Link>,
    verifies: Vec<Link>,
}

/// Emits an ordinary function of about `body` lines (its doc comment is the caller's).
fn plain_fn(out: &mut String, rng: &mut Rng, name: &str, body: usize) {
    let _ = writeln!(out, "pub fn {name}(input: u32, limit: u32) -> u32 {{");
    let _ = writeln!(out, "    let mut value = input;");
    for i in 0..body.saturating_sub(5) {
        let _ = writeln!(
            out,
            "    value = value.saturating_add({}).min(limit.saturating_mul({}));",
            rng.below(97) + i,
            rng.below(7) + 1
        );
    }
    let _ = writeln!(out, "    value\n}}\n");
}

/// The marker StrictDoc reads (a doc comment right above the item's attributes), then the
/// annotation, unless annotations are left out.
fn annotate(out: &mut String, indent: &str, id: &str, annotations: bool) {
    let _ = writeln!(out, "{indent}/// @relation({id}, scope=function)");
    if annotations {
        let _ = writeln!(out, "{indent}#[requirement(\"{id}\")]");
    }
}

fn generate_file(
    rng: &mut Rng,
    crate_name: &str,
    module: &str,
    lines: usize,
    implementations: &[usize],
    verifications: &[usize],
    annotations: bool,
) -> Generated {
    let mut out = String::new();
    let mut implements = Vec::new();
    let mut verifies = Vec::new();
    let _ = writeln!(
        out,
        "//! The {} {} module of {crate_name}.\n",
        word(rng),
        word(rng)
    );
    if annotations {
        let _ = writeln!(out, "use iec_runtime::requirement;\n");
    }
    // Annotated items first: a free fn, then methods in an impl, alternating.
    for (n, &requirement) in implementations.iter().enumerate() {
        let id = format!("SRS-{}", requirement + 1);
        let name = format!("{}_{}_{n}", word(rng), word(rng));
        if n % 2 == 0 {
            let _ = writeln!(out, "/// Computes the {} {}.", word(rng), word(rng));
            annotate(&mut out, "", &id, annotations);
            plain_fn(&mut out, rng, &name, 8);
            implements.push(Link {
                requirement,
                path: format!("{crate_name}::{module}::{name}"),
                name,
            });
        } else {
            let ty = format!("Controller{n}");
            let _ = writeln!(
                out,
                "/// A controller.\npub struct {ty} {{\n    /// Its limit.\n    pub limit: u32,\n}}\n"
            );
            let _ = writeln!(out, "impl {ty} {{");
            let _ = writeln!(out, "    /// Steps the controller.");
            annotate(&mut out, "    ", &id, annotations);
            let _ = writeln!(out, "    pub fn {name}(&self, input: u32) -> u32 {{");
            let _ = writeln!(out, "        input.min(self.limit)");
            let _ = writeln!(out, "    }}\n}}\n");
            implements.push(Link {
                requirement,
                path: format!("{crate_name}::{module}::{ty}::{name}"),
                name,
            });
        }
    }
    // Filler to reach the line budget, leaving room for the tests.
    let test_lines = 4 + verifications.len() * 6;
    let mut n = 0;
    while out.lines().count() + test_lines + 12 < lines {
        let body = 8 + rng.below(20);
        let name = format!("helper_{}_{n}", word(rng));
        let _ = writeln!(out, "/// Computes the {} {}.", word(rng), word(rng));
        plain_fn(&mut out, rng, &name, body);
        n += 1;
    }
    let _ = writeln!(out, "#[cfg(test)]\nmod tests {{");
    if annotations {
        let _ = writeln!(out, "    use iec_runtime::requirement;\n");
    }
    for (t, &requirement) in verifications.iter().enumerate() {
        let id = format!("SRS-{}", requirement + 1);
        let _ = writeln!(out, "    /// @relation({id}, scope=function)");
        match (annotations, t % 2 == 0) {
            (false, _) => {
                let _ = writeln!(out, "    #[test]");
            }
            (true, true) => {
                let _ = writeln!(out, "    #[test]\n    #[requirement(\"{id}\")]");
            }
            (true, false) => {
                let _ = writeln!(out, "    #[requirement(\"{id}\")]\n    #[test]");
            }
        }
        let name = format!("verifies_{t}");
        let _ = writeln!(
            out,
            "    fn {name}() {{\n        assert_eq!(1 + {t}, {t} + 1);\n    }}\n"
        );
        verifies.push(Link {
            requirement,
            path: format!("{crate_name}::{module}::tests::{name}"),
            name,
        });
    }
    let _ = writeln!(out, "}}");
    Generated {
        source: out,
        implements,
        verifies,
    }
}

fn generate(args: &GenArgs) -> std::io::Result<()> {
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        return Err(std::io::Error::other(format!(
            "{} exists and is not empty; choose a new directory",
            args.out.display()
        )));
    }
    let runtime = match &args.runtime {
        Some(path) => path.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../iec-runtime"),
    };
    let runtime = std::path::absolute(runtime)?;
    let mut rng = Rng(args.seed);
    let crates = args.crates.max(1);
    let files = args.files.max(crates);
    let requirements = args.requirements.max(1);
    let lines_per_file = (args.lines / files).max(30);
    let half = args.annotations / 2;

    // Deal annotations to files round-robin: implementations then verifications, each
    // naming requirements in turn so every requirement gets both while K >= 2R.
    let mut implementations = vec![Vec::new(); files];
    let mut verifications = vec![Vec::new(); files];
    for k in 0..half {
        implementations[k % files].push(k % requirements);
    }
    for k in 0..args.annotations - half {
        verifications[(k * 7 + 3) % files].push(k % requirements);
    }

    let units = plan_units(args.seed, args.units, crates, files);
    let unit_at = |place: Place| units.iter().find(|u| u.place == place);

    let mut members = String::new();
    // Every annotation with the file it is in (relative to the workspace root), for the peers.
    let mut links: Vec<(String, Link, bool)> = Vec::new();
    let mut files_written: Vec<String> = Vec::new();
    for c in 0..crates {
        let crate_name = format!("gen_{c:03}");
        let dir = args.out.join(format!("crates/gen-{c:03}"));
        let _ = writeln!(members, "    \"crates/gen-{c:03}\",");
        // The crates this crate's units call.
        let used: std::collections::BTreeSet<usize> = units
            .iter()
            .filter(|u| u.krate == c)
            .filter_map(|u| u.calls.map(|callee| units[callee].krate))
            .filter(|&callee| callee != c)
            .collect();
        let mut dependencies = String::new();
        for callee in used {
            let _ = writeln!(
                dependencies,
                "gen-{callee:03} = {{ path = \"../gen-{callee:03}\" }}"
            );
        }
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"gen-{c:03}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\niec-runtime = {{ path = {:?} }}\n{dependencies}",
                runtime.display().to_string()
            ),
        )?;
        let mut lib = format!("//! Generated crate {c}.\n\n");
        for f in (c..files).step_by(crates) {
            let module = format!("m_{f:05}");
            let _ = writeln!(lib, "pub mod {module};");
            let generated = generate_file(
                &mut rng,
                &crate_name,
                &module,
                lines_per_file,
                &implementations[f],
                &verifications[f],
                !args.no_annotations,
            );
            let file = format!("crates/gen-{c:03}/src/{module}.rs");
            for link in generated.implements {
                links.push((file.clone(), link, false));
            }
            for link in generated.verifies {
                links.push((file.clone(), link, true));
            }
            let source = match unit_at(Place::File(f)) {
                Some(unit) => after_first_line(&generated.source, &unit.lines(&units)),
                None => generated.source,
            };
            write(&args.out.join(&file), &source)?;
            files_written.push(file);
        }
        if let Some(unit) = unit_at(Place::Root(c)) {
            lib = after_first_line(&lib, &unit.lines(&units));
        }
        write(&dir.join("src/lib.rs"), &lib)?;
    }
    write(
        &args.out.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"3\"\nmembers = [\n{members}]\n\n[workspace.metadata.iec]\ncatalogue = \"requirements.toml\"\n"
        ),
    )?;
    let mut catalogue = String::new();
    for r in 0..requirements {
        let _ = writeln!(
            catalogue,
            "[[requirement]]\nid = \"SRS-{}\"\ntitle = \"The {} {}\"\ntext = \"The pump shall keep the {} {} within the {} {}.\"\n",
            r + 1,
            word(&mut rng),
            word(&mut rng),
            word(&mut rng),
            word(&mut rng),
            word(&mut rng),
            word(&mut rng)
        );
    }
    write(&args.out.join("requirements.toml"), &catalogue)?;

    if let Some(dir) = &args.doorstop {
        write_doorstop(
            dir,
            &catalogue_items(&catalogue),
            &links,
            &files_written,
            &args.out,
        )?;
    }
    if let Some(dir) = &args.strictdoc {
        write_strictdoc(dir, &catalogue_items(&catalogue), &args.out)?;
    }
    Ok(())
}

/// (id, title, text) of each generated requirement, read back from the TOML we wrote.
fn catalogue_items(catalogue: &str) -> Vec<(String, String, String)> {
    let mut items = Vec::new();
    let (mut id, mut title) = (String::new(), String::new());
    for line in catalogue.lines() {
        let value = |l: &str| {
            l.split_once(" = ")
                .map(|(_, v)| v.trim_matches('"').to_string())
        };
        if line.starts_with("id = ") {
            id = value(line).unwrap_or_default();
        } else if line.starts_with("title = ") {
            title = value(line).unwrap_or_default();
        } else if line.starts_with("text = ") {
            items.push((id.clone(), title.clone(), value(line).unwrap_or_default()));
        }
    }
    items
}

/// Doorstop: the requirements as document `SRS`, and each annotation as an item of document
/// `IMP` (implementations) or `TST` (tests) that links to its requirement and references the
/// function in its source file (path and keyword), which is how Doorstop ties code to
/// requirements. Doorstop reads a tree from the root of a working copy and resolves
/// references among that copy's files, so the directory is made one on its own: it holds a
/// copy of the sources under `src/` and a `.mockvcs` marker (Doorstop's stand-in for a
/// version-control root; a `git init` there works the same). Run `doorstop` inside it.
fn write_doorstop(
    dir: &Path,
    items: &[(String, String, String)],
    links: &[(String, Link, bool)],
    files: &[String],
    sources: &Path,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join(".mockvcs"))?;
    let document = |name: &str, parent: Option<&str>| {
        let parent = parent.map_or(String::new(), |p| format!("  parent: {p}\n"));
        write(
            &dir.join(format!("reqs/{}/.doorstop.yml", name.to_lowercase())),
            &format!("settings:\n  digits: 1\n{parent}  prefix: {name}\n  sep: '-'\n"),
        )
    };
    document("SRS", None)?;
    document("IMP", Some("SRS"))?;
    document("TST", Some("SRS"))?;
    for (n, (id, title, text)) in items.iter().enumerate() {
        write(
            &dir.join(format!("reqs/srs/{id}.yml")),
            &format!(
                "active: true\nderived: false\nheader: '{title}'\nlevel: '1.{}'\nlinks: []\nnormative: true\nref: ''\nreviewed: null\ntext: |\n  {text}\n",
                n + 1
            ),
        )?;
    }
    let (mut implementations, mut tests) = (0, 0);
    for (file, link, is_test) in links {
        let (prefix, count) = if *is_test {
            ("TST", &mut tests)
        } else {
            ("IMP", &mut implementations)
        };
        *count += 1;
        write(
            &dir.join(format!(
                "reqs/{}/{prefix}-{count}.yml",
                prefix.to_lowercase()
            )),
            &format!(
                "active: true\nderived: false\nheader: ''\nlevel: '1.{count}'\nlinks:\n- SRS-{}: null\nnormative: true\nref: ''\nreferences:\n- keyword: {}\n  path: src/{file}\n  type: file\nreviewed: null\ntext: |\n  {}\n",
                link.requirement + 1,
                link.name,
                link.path
            ),
        )?;
    }
    // The sources the references point into.
    for file in files {
        write(
            &dir.join("src").join(file),
            &std::fs::read_to_string(sources.join(file))?,
        )?;
    }
    Ok(())
}

/// StrictDoc: one .sdoc document, and a configuration that turns on source-file
/// traceability over the generated sources, whose annotated functions and tests carry
/// `/// @relation(SRS-n, scope=function)` markers (StrictDoc reads function-scoped markers
/// in Rust doc comments only, with its language parsers on). The configuration is written
/// twice: `strictdoc_config.py` (StrictDoc 0.30 and later prefer it; the TOML form is
/// deprecated there) and `strictdoc.toml` (earlier versions), with the same keys. Export
/// with `strictdoc export DIR --formats html --output-dir OUT`.
fn write_strictdoc(
    dir: &Path,
    items: &[(String, String, String)],
    sources: &Path,
) -> std::io::Result<()> {
    let mut sdoc = String::from("[DOCUMENT]\nTITLE: Software requirements\n\n");
    for (id, title, text) in items {
        let _ = writeln!(
            sdoc,
            "[REQUIREMENT]\nUID: {id}\nTITLE: {title}\nSTATEMENT: {text}\n"
        );
    }
    write(&dir.join("srs.sdoc"), &sdoc)?;
    let sources = std::path::absolute(sources)?.display().to_string();
    const FEATURES: &str =
        "[\"REQUIREMENT_TO_SOURCE_TRACEABILITY\", \"SOURCE_FILE_LANGUAGE_PARSERS\"]";
    const INCLUDE: &str = "[\"crates/**/*.rs\"]";
    write(
        &dir.join("strictdoc.toml"),
        &format!(
            "[project]\ntitle = \"Generated\"\nfeatures = {FEATURES}\nsource_root_path = {sources:?}\ninclude_source_paths = {INCLUDE}\n"
        ),
    )?;
    write(
        &dir.join("strictdoc_config.py"),
        &format!(
            "from strictdoc.core.project_config import ProjectConfig\n\n\ndef create_config() -> ProjectConfig:\n    return ProjectConfig(\n        project_title=\"Generated\",\n        project_features={FEATURES},\n        source_root_path={sources:?},\n        include_source_paths={INCLUDE},\n    )\n"
        ),
    )?;
    Ok(())
}

fn main() -> ExitCode {
    match Xtask::parse() {
        Xtask::Gen(args) => match generate(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("error: {error}");
                }
                ExitCode::from(2)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(out: &Path, extra: &[&str]) -> GenArgs {
        let out = out.to_string_lossy().to_string();
        let mut argv = vec![
            "cargo xtask",
            "gen",
            "--out",
            &out,
            "--crates",
            "3",
            "--files",
            "12",
            "--lines",
            "1200",
            "--annotations",
            "24",
            "--requirements",
            "12",
        ];
        argv.extend_from_slice(extra);
        match Xtask::parse_from(argv) {
            Xtask::Gen(args) => args,
        }
    }

    /// Every file under `root`, relative path -> text.
    fn tree(root: &Path) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .to_string();
                    out.insert(relative, std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn units_are_placed_once_classed_by_seed_and_call_earlier_units_of_lower_crates() {
        let units = plan_units(62304, 30, 5, 40);
        assert_eq!(units.len(), 30);
        for (k, unit) in units.iter().enumerate() {
            assert!(
                !units[..k].iter().any(|u| u.place == unit.place),
                "{unit:?} placed twice"
            );
            let krate = match unit.place {
                Place::Root(c) => c,
                Place::File(f) => f % 5,
            };
            assert_eq!(unit.krate, krate, "{unit:?}");
            if let Some(callee) = unit.calls {
                assert!(callee < k, "{unit:?} calls a later unit");
                assert!(
                    units[callee].krate <= unit.krate,
                    "{unit:?}: a dependency cycle"
                );
            }
        }
        assert_eq!(
            units
                .iter()
                .filter(|u| matches!(u.place, Place::Root(_)))
                .count(),
            5,
            "one unit in five at a crate root, while crates are left"
        );
        for class in ["A", "B", "C"] {
            assert!(units.iter().any(|u| u.class == class), "no class {class}");
        }
        // Some unit calls one of a lower class: a class-dependency gap.
        assert!(
            units
                .iter()
                .any(|u| u.calls.is_some_and(|c| units[c].class < u.class)),
            "{units:?}"
        );
        assert!(
            units
                .iter()
                .any(|u| u.calls.is_some_and(|c| units[c].krate != u.krate))
        );
        // Deterministic by seed; another seed places them elsewhere.
        let again = plan_units(62304, 30, 5, 40);
        assert!(
            units
                .iter()
                .zip(&again)
                .all(|(a, b)| a.place == b.place && a.class == b.class)
        );
        let other = plan_units(1, 30, 5, 40);
        assert!(units.iter().zip(&other).any(|(a, b)| a.place != b.place));
        // No more than the places there are.
        assert_eq!(plan_units(7, 100, 2, 6).len(), 8);
    }

    #[test]
    fn units_add_their_lines_and_dependencies_to_the_same_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let (plain, with) = (dir.path().join("plain"), dir.path().join("with"));
        generate(&args(&plain, &[])).unwrap();
        generate(&args(&with, &["--units", "6"])).unwrap();
        let (plain, with) = (tree(&plain), tree(&with));
        assert_eq!(
            plain.keys().collect::<Vec<_>>(),
            with.keys().collect::<Vec<_>>()
        );
        let units = plan_units(62304, 6, 3, 12);
        let mut declared = 0;
        for (file, text) in &with {
            declared += text.matches("iec_runtime::module_unit!(").count();
            // Without the units' lines and dependencies: the workspace of before.
            let unit = units.iter().find(|u| match u.place {
                Place::Root(c) => *file == format!("crates/gen-{c:03}/src/lib.rs"),
                Place::File(f) => file.ends_with(&format!("/m_{f:05}.rs")),
            });
            let stripped = match unit {
                Some(unit) => text.replacen(&unit.lines(&units), "", 1),
                None => text
                    .lines()
                    .filter(|l| !l.starts_with("gen-"))
                    .map(|l| format!("{l}\n"))
                    .collect(),
            };
            assert_eq!(stripped, plain[file], "{file}");
        }
        assert_eq!(declared, 6);
        // A unit calling into another crate depends on it.
        let cross = units
            .iter()
            .find(|u| u.calls.is_some_and(|c| units[c].krate != u.krate))
            .expect("a call across crates");
        let callee = units[cross.calls.unwrap()].krate;
        assert!(
            with[&format!("crates/gen-{:03}/Cargo.toml", cross.krate)].contains(&format!(
                "gen-{callee:03} = {{ path = \"../gen-{callee:03}\" }}"
            )),
            "{cross:?}"
        );
    }
}
