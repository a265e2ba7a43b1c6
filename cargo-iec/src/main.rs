//! `cargo iec`: parse the command line, run, map the outcome to a documented exit code.

use std::process::ExitCode;

// The static trace allocates many small strings per file and record from two threads;
// mimalloc's thread-local free lists make that markedly cheaper than glibc's malloc
// (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cargo_iec::main_with_args(std::env::args_os())
}
