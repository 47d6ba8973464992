//! A role process's scheduling priority (`router.nice`). Linux keeps a nice
//! value per thread and a new thread starts with its creator's, so the
//! value is set on every thread the process has now, and the threads
//! started later (tokio's blocking pool, sqlx's SQLite workers) inherit it.

use std::collections::HashSet;
use std::io;

use rustix::process::{Pid, getpriority_process, setpriority_process};

/// Sets the nice value of every thread of this process; the number of
/// threads set. Threads that start meanwhile are caught by another pass.
///
/// # Errors
/// The first refusal, e.g. `PermissionDenied` below 0 without
/// `CAP_SYS_NICE`; threads already set keep the new value.
pub fn set_process_nice(nice: i32) -> io::Result<usize> {
    let mut done = HashSet::new();
    loop {
        let mut new = 0;
        for tid in threads("self")? {
            if done.insert(tid) {
                new += 1;
                let pid = Pid::from_raw(tid)
                    .ok_or_else(|| io::Error::other(format!("thread id {tid}")))?;
                match setpriority_process(Some(pid), nice) {
                    Ok(()) => {}
                    // Ended since the listing: nothing to set.
                    Err(rustix::io::Errno::SRCH) => {}
                    Err(err) => return Err(err.into()),
                }
            }
        }
        if new == 0 {
            return Ok(done.len());
        }
    }
}

/// The nice value of each thread of process `pid` (`/proc/<pid>/task`).
///
/// # Errors
/// When the process is gone or `/proc` is unreadable.
pub fn thread_nice_values(pid: u32) -> io::Result<Vec<(String, i32)>> {
    let mut out = Vec::new();
    for tid in threads(&pid.to_string())? {
        let name =
            std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm")).unwrap_or_default();
        let Some(thread) = Pid::from_raw(tid) else {
            continue;
        };
        match getpriority_process(Some(thread)) {
            Ok(nice) => out.push((name.trim().to_owned(), nice)),
            Err(rustix::io::Errno::SRCH) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(out)
}

/// Thread ids of process `pid` ("self": this one).
fn threads(pid: &str) -> io::Result<Vec<i32>> {
    let mut tids = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        if let Some(tid) = entry?.file_name().to_str().and_then(|n| n.parse().ok()) {
            tids.push(tid);
        }
    }
    Ok(tids)
}
