//! `cargo iec`: parse the command line, run, map the outcome to a documented exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    cargo_iec::main_with_args(std::env::args_os())
}
