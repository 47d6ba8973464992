//! The `wharf` binary's library: command line, configuration, telemetry,
//! role start-up, local NATS and role processes, and `wharf up`. `main.rs` only calls
//! into here, so tests run the same code.
#![forbid(unsafe_code)]

/// The allocator of every binary built on this library: `wharf` and
/// `wharf-bench` (whose forward-only process is the edge's yardstick, so
/// both sides of that comparison allocate alike). glibc's malloc and free
/// were a fifth of the edge's CPU per request, most of it in the bins
/// that ~1 KiB bodies and envelopes land in (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
