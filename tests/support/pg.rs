//! A private PostgreSQL server for fault tests: its own cluster made with
//! `initdb` in a temp dir, on a free port, run with `pg_ctl` as the
//! `postgres` user, so a test may stop it and start it again. Removed on
//! `Drop`. Owns nothing else; the shared server of `TEST_POSTGRES_URL` is
//! in `support::TestDb`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use wharf::nats_server::free_port;

const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    data: PathBuf,
    pub port: u16,
    /// URL of the `wharf` database on this server.
    pub url: String,
}

/// Runs a PostgreSQL tool as `postgres` (initdb and the server refuse root).
fn as_postgres(tool: &str, args: &[&str]) -> std::process::Output {
    let program = format!("{BIN}/{tool}");
    let output = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--", &program])
            .args(args)
            .output()
    } else {
        Command::new(&program).args(args).output()
    };
    output.unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PrivatePostgres {
    /// Whether the server binaries are installed (Debian's postgresql-15).
    pub fn available() -> bool {
        Path::new(BIN).join("pg_ctl").exists()
    }

    /// Creates and starts a cluster, then the database `wharf`.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown of the cluster dir");
        }
        let data_arg = data.display().to_string();
        let init = as_postgres(
            "initdb",
            &[
                "-D",
                &data_arg,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
        );
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let port = free_port().unwrap();
        let server = Self {
            url: format!("postgres://postgres@127.0.0.1:{port}/wharf"),
            dir,
            data,
            port,
        };
        server.start_server();
        let admin = sea_orm::Database::connect(format!(
            "postgres://postgres@127.0.0.1:{}/postgres",
            server.port
        ))
        .await
        .unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(&admin, "CREATE DATABASE wharf")
            .await
            .unwrap();
        admin.close().await.ok();
        server
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        let out = as_postgres(
            "pg_ctl",
            &[
                "-D",
                &self.data.display().to_string(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// `pg_ctl stop -m fast`: connections are cut, the server is down.
    pub fn stop_server(&self) {
        self.pg_ctl_stop("fast");
    }

    fn pg_ctl_stop(&self, mode: &str) {
        let _ = as_postgres(
            "pg_ctl",
            &[
                "-D",
                &self.data.display().to_string(),
                "-m",
                mode,
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.pg_ctl_stop("immediate");
    }
}
