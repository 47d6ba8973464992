//! `wharf`: one binary, one subcommand per role (`wharf --help`).
#![forbid(unsafe_code)]

use clap::Parser;

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
