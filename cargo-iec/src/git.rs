//! Revisions read through the git CLI (the one way the product reads git: the evidence's
//! environment record uses it too). Nothing is checked out: a revision's files are listed
//! with `git ls-tree` and read with one `git cat-file --batch`, into a private temporary
//! directory the static channel reads like any workspace; the working tree and the index
//! are never touched.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use iec_runtime::requirement;

use crate::error::Error;

/// Runs `git -C dir ARGS`, returning stdout, or git's own message on failure.
fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run git ({error}); is git installed?"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let message = String::from_utf8_lossy(&output.stderr);
        Err(message.trim().to_string())
    }
}

fn text(dir: &Path, args: &[&str]) -> Result<String, String> {
    run(dir, args).map(|out| String::from_utf8_lossy(&out).trim().to_string())
}

/// The git repository holding a workspace.
#[derive(Debug, Clone)]
pub struct Repository {
    /// The top of the work tree.
    pub top: PathBuf,
}

impl Repository {
    /// The repository whose work tree holds `dir`; an error naming `dir` when there is
    /// none.
    #[requirement("TR-IMPACT-ERRORS")]
    pub fn discover(dir: &Path) -> Result<Repository, Error> {
        let top = text(dir, &["rev-parse", "--show-toplevel"]).map_err(|message| {
            Error::Input(format!(
                "{} is not in a git repository ({message}); `cargo iec impact` and `cargo iec diff` with revisions compare commits: run them in a git work tree",
                dir.display()
            ))
        })?;
        Ok(Repository {
            top: crate::workspace::normalize(Path::new(&top)),
        })
    }

    /// The full commit hash `revision` names; an error naming it when it names none.
    #[requirement("TR-IMPACT-ERRORS")]
    pub fn commit(&self, revision: &str) -> Result<String, Error> {
        let spec = format!("{revision}^{{commit}}");
        text(&self.top, &["rev-parse", "--verify", "--quiet", &spec])
            .ok()
            .filter(|hash| !hash.is_empty())
            .ok_or_else(|| {
                Error::Input(format!(
                    "unknown revision `{revision}`: it names no commit of the repository at {}; give a branch, tag or commit (`git log --oneline` lists them)",
                    self.top.display()
                ))
            })
    }

    /// Whether `revision` names a commit.
    pub fn is_commit(&self, revision: &str) -> bool {
        self.commit(revision).is_ok()
    }

    /// The default branch: `origin/HEAD`, else `main`, else `master`.
    pub fn default_branch(&self) -> Result<String, Error> {
        if let Ok(name) = text(
            &self.top,
            &[
                "symbolic-ref",
                "--quiet",
                "--short",
                "refs/remotes/origin/HEAD",
            ],
        ) && !name.is_empty()
        {
            return Ok(name);
        }
        for name in ["main", "master"] {
            if self.is_commit(name) {
                return Ok(name.to_string());
            }
        }
        Err(Error::Input(format!(
            "the repository at {} has no default branch (no origin/HEAD, main or master): give the base revision, e.g. `cargo iec impact HEAD~1`",
            self.top.display()
        )))
    }

    /// The merge base of two commits.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, Error> {
        text(&self.top, &["merge-base", a, b]).map_err(|message| {
            Error::Input(format!(
                "{a} and {b} have no common ancestor ({message}); give the base revision explicitly"
            ))
        })
    }

    /// The files (relative to the top, `/`-separated) that differ between `base` and
    /// `head` (a commit, or the working tree when `None`, untracked files included).
    pub fn changed_files(&self, base: &str, head: Option<&str>) -> Result<Vec<String>, Error> {
        let mut args = vec!["diff", "--name-only", "--no-renames", "-z", base];
        if let Some(head) = head {
            args.push(head);
        }
        args.extend(["--", "."]);
        let mut files = split_z(&run(&self.top, &args).map_err(git_error)?);
        if head.is_none() {
            files.extend(split_z(
                &run(
                    &self.top,
                    &["ls-files", "--others", "--exclude-standard", "-z"],
                )
                .map_err(git_error)?,
            ));
        }
        files.sort();
        files.dedup();
        Ok(files)
    }

    /// Writes every file of `commit` under `destination` (which exists), reading the
    /// blobs with one `git cat-file --batch`. Symbolic links and submodules are skipped.
    #[requirement("TR-IMPACT-REVISIONS")]
    pub fn materialize(&self, commit: &str, destination: &Path) -> Result<(), Error> {
        let listing =
            run(&self.top, &["ls-tree", "-r", "-z", "--full-tree", commit]).map_err(git_error)?;
        let mut blobs: Vec<(String, String)> = Vec::new();
        for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            // "<mode> <type> <hash>\t<path>"
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let fields: Vec<&str> = meta.split(' ').collect();
            if fields.len() == 3 && fields[1] == "blob" && fields[0] != "120000" {
                blobs.push((fields[2].to_string(), path.to_string()));
            }
        }
        let io = |context: String| move |source| Error::Io { context, source };
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.top)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io("cannot run git cat-file".to_string()))?;
        let mut stdin = child.stdin.take().ok_or_else(|| Error::Io {
            context: "git cat-file has no stdin".to_string(),
            source: std::io::Error::other("no pipe"),
        })?;
        let requests: String = blobs.iter().map(|(hash, _)| format!("{hash}\n")).collect();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(requests.as_bytes());
        });
        let stdout = child.stdout.take().ok_or_else(|| Error::Io {
            context: "git cat-file has no stdout".to_string(),
            source: std::io::Error::other("no pipe"),
        })?;
        let mut reader = BufReader::new(stdout);
        for (hash, path) in &blobs {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(io("cannot read from git cat-file".to_string()))?;
            let size: usize = header
                .split(' ')
                .nth(2)
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| Error::Input(format!("git cat-file cannot read {hash} ({path})")))?;
            let mut bytes = vec![0; size + 1];
            reader
                .read_exact(&mut bytes)
                .map_err(io(format!("cannot read {path} at {commit}")))?;
            bytes.truncate(size);
            let file = destination.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(io(format!("cannot create {}", parent.display())))?;
            }
            std::fs::write(&file, &bytes)
                .map_err(io(format!("cannot write {}", file.display())))?;
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(())
    }
}

fn split_z(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|e| !e.is_empty())
        .map(|e| String::from_utf8_lossy(e).into_owned())
        .collect()
}

fn git_error(message: String) -> Error {
    Error::Input(format!("git failed: {message}"))
}
