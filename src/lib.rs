//! The `wharf` binary's library: command line, configuration, telemetry,
//! role start-up, local NATS and role processes, and `wharf up`. `main.rs` only calls
//! into here, so tests run the same code.
#![forbid(unsafe_code)]

pub mod audit;
pub mod certs;
pub mod child;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod nats_server;
pub mod priority;
pub mod report_history;
pub mod roles;
pub mod simulate;
pub mod stack;
pub mod telemetry;
