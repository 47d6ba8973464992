//! One child process of a local stack (`nats-server`, a `wharf <role>`, a
//! whole `wharf up`): started from a fixed command line, its output appended
//! to a log file, stopped with SIGTERM (a grace period, then SIGKILL) or
//! killed outright, started again on the same command line. Killed and
//! reaped on drop. `wharf up`, the bench and the test harness all use it.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// A program, its arguments and environment, and the log it writes to.
pub struct ChildProcess {
    pub name: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    env_remove: Vec<String>,
    own_group: bool,
    log: PathBuf,
    child: Option<Child>,
}

impl ChildProcess {
    /// A process named `name` that runs `program` logging to `log`; not
    /// started yet ([`ChildProcess::start`]).
    pub fn new(name: &str, program: impl Into<PathBuf>, log: impl Into<PathBuf>) -> Self {
        Self {
            name: name.to_owned(),
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            own_group: false,
            log: log.into(),
            child: None,
        }
    }

    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.args.extend(
            args.into_iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned()),
        );
        self
    }

    #[must_use]
    pub fn envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Variables of this process's environment the child does not inherit.
    #[must_use]
    pub fn env_remove<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.env_remove.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Runs the child in its own process group: Ctrl-C reaches only this
    /// process, which then stops its children in order.
    #[must_use]
    pub fn own_process_group(mut self) -> Self {
        self.own_group = true;
        self
    }

    /// Starts the process (again); a no-op while it runs.
    ///
    /// # Errors
    /// When the log cannot be opened or the program cannot be run.
    pub fn start(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            return Ok(());
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let mut command = Command::new(&self.program);
        if self.own_group {
            command.process_group(0);
        }
        for key in &self.env_remove {
            command.env_remove(key);
        }
        let child = command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {} ({})", self.name, self.program.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL: no shutdown path runs (a crash); reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM (through `kill`, as an operator would).
    pub fn terminate(&self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
    }

    /// SIGTERM, up to `grace` for a clean exit, then SIGKILL.
    pub fn stop(&mut self, grace: Duration) {
        if self.child.is_some() {
            self.terminate();
            let deadline = Instant::now() + grace;
            while Instant::now() < deadline && self.alive() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }

    /// SIGTERM, then waits for the exit however long it takes.
    ///
    /// # Errors
    /// When the process is not running or cannot be waited for.
    pub async fn terminate_and_wait(&mut self) -> anyhow::Result<ExitStatus> {
        self.terminate();
        let mut child = self.child.take().context("not running")?;
        Ok(tokio::task::spawn_blocking(move || child.wait()).await??)
    }

    /// Whether the process runs (it did not exit on its own).
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Fails with the end of its log when the process has exited.
    ///
    /// # Errors
    /// When it is no longer running.
    pub fn check_running(&mut self, log_lines: usize) -> anyhow::Result<()> {
        if let Some(child) = self.child.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            anyhow::bail!(
                "{} exited ({status}):\n{}",
                self.name,
                self.log_tail(log_lines)
            );
        }
        Ok(())
    }

    /// Its process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Peak resident set so far, in KiB (None once it exited).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.pid().and_then(peak_rss_kib)
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last `lines` lines of its log (for failure messages).
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

pub use relay::observe::{own_peak_rss_kib, peak_rss_kib};

/// The `wharf` binary beside the running one (the bench's and the tests'
/// role processes are `wharf <role>`).
///
/// # Errors
/// When the running binary cannot be located.
pub fn wharf_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the running binary")?;
    Ok(if exe.file_stem().is_some_and(|s| s == "wharf") {
        exe
    } else {
        exe.with_file_name("wharf")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_from_proc() {
        assert!(own_peak_rss_kib().is_some_and(|kib| kib > 0));
    }

    #[test]
    fn a_child_is_stopped_started_again_and_its_log_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut child = ChildProcess::new("sh", "/bin/sh", dir.path().join("sh.log"))
            .args(["-c", "echo up; exec sleep 30"]);
        // Until the child wrote `lines` lines (on a loaded machine the shell
        // may not have run its echo yet when it is stopped).
        let wait_for = |child: &ChildProcess, lines: usize| {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while child.log_tail(5).lines().count() < lines && std::time::Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        child.start().unwrap_or_else(|e| panic!("{e}"));
        assert!(child.alive());
        wait_for(&child, 1);
        child.stop(Duration::from_secs(5));
        assert!(!child.alive() && child.pid().is_none());
        child.start().unwrap_or_else(|e| panic!("{e}"));
        wait_for(&child, 2);
        assert!(child.check_running(5).is_ok());
        child.kill();
        assert_eq!(child.log_tail(5), "up\nup");
    }
}
