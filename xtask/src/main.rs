//! `cargo xtask`: project automation that is not part of the product.
//!
//! * `cargo xtask gen`: writes a synthetic, deterministic workspace of a given size (crates,
//!   files, lines, annotations, requirements, tests), and the equivalent Doorstop and
//!   StrictDoc projects, so that `cargo iec trace` and its peers are timed on the same
//!   content (docs/PERFORMANCE.md).

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

fn word(rng: &mut Rng) -> &'static str {
    WORDS[rng.below(WORDS.len())]
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// One generated file: its Rust source, and which requirement each annotation names.
struct Generated {
    source: String,
    implements: Vec<(usize, String)>,
}

/// Emits an ordinary (unannotated) function of about `body` lines.
fn plain_fn(out: &mut String, rng: &mut Rng, name: &str, body: usize) {
    let _ = writeln!(out, "/// Computes the {} {}.", word(rng), word(rng));
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

fn generate_file(
    rng: &mut Rng,
    crate_name: &str,
    module: &str,
    lines: usize,
    implementations: &[usize],
    verifications: &[usize],
) -> Generated {
    let mut out = String::new();
    let mut implements = Vec::new();
    let _ = writeln!(
        out,
        "//! The {} {} module of {crate_name}.\n",
        word(rng),
        word(rng)
    );
    let _ = writeln!(out, "use iec_runtime::requirement;\n");
    // Annotated items first: a free fn, then methods in an impl, alternating.
    for (n, &requirement) in implementations.iter().enumerate() {
        let id = format!("SRS-{}", requirement + 1);
        let name = format!("{}_{}_{n}", word(rng), word(rng));
        let _ = writeln!(out, "// @relation({id}, scope=function)");
        if n % 2 == 0 {
            let _ = writeln!(out, "#[requirement(\"{id}\")]");
            plain_fn(&mut out, rng, &name, 8);
            implements.push((requirement, format!("{crate_name}::{module}::{name}")));
        } else {
            let ty = format!("Controller{n}");
            let _ = writeln!(
                out,
                "/// A controller.\npub struct {ty} {{\n    /// Its limit.\n    pub limit: u32,\n}}\n"
            );
            let _ = writeln!(out, "impl {ty} {{");
            let _ = writeln!(out, "    /// Steps the controller.");
            let _ = writeln!(out, "    #[requirement(\"{id}\")]");
            let _ = writeln!(out, "    pub fn {name}(&self, input: u32) -> u32 {{");
            let _ = writeln!(out, "        input.min(self.limit)");
            let _ = writeln!(out, "    }}\n}}\n");
            implements.push((requirement, format!("{crate_name}::{module}::{ty}::{name}")));
        }
    }
    // Filler to reach the line budget, leaving room for the tests.
    let test_lines = 4 + verifications.len() * 6;
    let mut n = 0;
    while out.lines().count() + test_lines + 12 < lines {
        let body = 8 + rng.below(20);
        let name = format!("helper_{}_{n}", word(rng));
        plain_fn(&mut out, rng, &name, body);
        n += 1;
    }
    let _ = writeln!(
        out,
        "#[cfg(test)]\nmod tests {{\n    use iec_runtime::requirement;\n"
    );
    for (t, &requirement) in verifications.iter().enumerate() {
        let id = format!("SRS-{}", requirement + 1);
        if t % 2 == 0 {
            let _ = writeln!(out, "    #[test]\n    #[requirement(\"{id}\")]");
        } else {
            let _ = writeln!(out, "    #[requirement(\"{id}\")]\n    #[test]");
        }
        let _ = writeln!(
            out,
            "    fn verifies_{t}() {{\n        assert_eq!(1 + {t}, {t} + 1);\n    }}\n"
        );
    }
    let _ = writeln!(out, "}}");
    Generated {
        source: out,
        implements,
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

    let mut members = String::new();
    let mut implemented_by: Vec<Vec<String>> = vec![Vec::new(); requirements];
    for c in 0..crates {
        let crate_name = format!("gen_{c:03}");
        let dir = args.out.join(format!("crates/gen-{c:03}"));
        let _ = writeln!(members, "    \"crates/gen-{c:03}\",");
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"gen-{c:03}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\niec-runtime = {{ path = {:?} }}\n",
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
            );
            for (requirement, path) in generated.implements {
                implemented_by[requirement].push(path);
            }
            write(&dir.join(format!("src/{module}.rs")), &generated.source)?;
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
        write_doorstop(dir, &catalogue_items(&catalogue), &args.out)?;
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

/// Doorstop: a document `SRS` with one YAML item per requirement, each referencing the
/// source tree (Doorstop links items to files, not to functions).
fn write_doorstop(
    dir: &Path,
    items: &[(String, String, String)],
    sources: &Path,
) -> std::io::Result<()> {
    let doc = dir.join("SRS");
    write(
        &doc.join(".doorstop.yml"),
        "settings:\n  digits: 1\n  prefix: SRS\n  sep: '-'\n",
    )?;
    let sources = std::path::absolute(sources)?;
    for (n, (id, title, text)) in items.iter().enumerate() {
        write(
            &doc.join(format!("{id}.yml")),
            &format!(
                "active: true\nderived: false\nheader: '{title}'\nlevel: 1.{}\nlinks: []\nnormative: true\nref: ''\nreferences:\n- path: {}\n  type: file\nreviewed: null\ntext: |\n  {text}\n",
                n + 1,
                sources.join("requirements.toml").display()
            ),
        )?;
    }
    Ok(())
}

/// StrictDoc: one .sdoc document, and a strictdoc.toml that turns on source-file
/// traceability over the generated sources (whose functions carry `@relation` markers).
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
    let sources = std::path::absolute(sources)?;
    write(
        &dir.join("strictdoc.toml"),
        &format!(
            "[project]\ntitle = \"Generated\"\nfeatures = [\"REQUIREMENT_TO_SOURCE_TRACEABILITY\"]\nsource_root_path = \"{}\"\ninclude_source_paths = [\"crates/**/*.rs\"]\n",
            sources.display()
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
