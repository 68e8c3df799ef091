//! The `guidelang` command line: parses arguments, calls the library, prints,
//! and turns outcomes into exit codes. Each subcommand lives in `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
