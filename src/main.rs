//! `wharf`: one binary, one subcommand per role (`wharf --help`).
#![forbid(unsafe_code)]

use clap::Parser;

/// mimalloc instead of glibc's allocator: malloc and free were 13–17 % of
/// the edge's and the router's CPU in the profile (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = wharf::cli::Cli::parse();
    match wharf::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("wharf: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
