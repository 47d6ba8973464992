//! The load generator's HTTP side and the CPU accounting of a phase.
//!
//! The client is deliberately minimal: one keep-alive HTTP/1.1 connection
//! per in-flight request, the whole request written with one syscall, the
//! answer read up to its `Content-Length`. The load generator shares the
//! machine's cores with what it measures, so every microsecond it spends is
//! taken from the edge and the NATS servers; a general-purpose client
//! (reqwest: pool, header maps, body streams) cost about as much CPU per
//! request as the edge itself. It speaks only what the measured servers
//! answer (fixed-length bodies, or chunked ones) and is for the bench alone.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Where a phase POSTs: `http://host:port/path`.
#[derive(Debug, Clone)]
pub struct Target {
    addr: String,
    path: String,
}

impl Target {
    /// # Errors
    /// When `url` is not `http://host:port/path`.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow::anyhow!("{url}: only http:// is supported"))?;
        let (addr, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        anyhow::ensure!(!addr.is_empty(), "{url}: no host");
        Ok(Self {
            addr: addr.to_owned(),
            path: if path.is_empty() { "/" } else { path }.to_owned(),
        })
    }
}

/// One keep-alive connection and its buffers.
struct Connection {
    stream: TcpStream,
    request: Vec<u8>,
    answer: Vec<u8>,
}

/// Keep-alive connections to one target, one per request in flight.
#[derive(Clone)]
pub struct Client {
    target: Arc<Target>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl Client {
    pub fn new(target: Target) -> Self {
        Self {
            target: Arc::new(target),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// POSTs a JSON `body` with one extra header; the answer's status code.
    /// A connection that failed is dropped (the next request opens another).
    ///
    /// # Errors
    /// When the server cannot be reached or answers something unreadable.
    pub async fn post(&self, header: (&str, &str), body: &[u8]) -> io::Result<u16> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let mut connection = match idle {
            Some(connection) => connection,
            None => {
                let stream = TcpStream::connect(&self.target.addr).await?;
                stream.set_nodelay(true)?;
                Connection {
                    stream,
                    request: Vec::with_capacity(2048),
                    answer: Vec::with_capacity(1024),
                }
            }
        };
        let status = exchange(&mut connection, &self.target, header, body).await?;
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(connection);
        Ok(status)
    }
}

async fn exchange(
    connection: &mut Connection,
    target: &Target,
    (name, value): (&str, &str),
    body: &[u8],
) -> io::Result<u16> {
    use std::io::Write as _;
    let request = &mut connection.request;
    request.clear();
    write!(
        request,
        "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n{name}: {value}\r\ncontent-length: {}\r\n\r\n",
        target.path,
        target.addr,
        body.len()
    )?;
    request.extend_from_slice(body);
    connection.stream.write_all(request).await?;
    read_answer(&mut connection.stream, &mut connection.answer).await
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Reads one answer; returns its status code.
async fn read_answer(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<u16> {
    buf.clear();
    let head_end = loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            break end + 4;
        }
        if buf.len() > 64 * 1024 {
            return Err(bad("answer head too long"));
        }
        read_more(stream, buf).await?;
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("answer head not UTF-8"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| bad("no status code"))?;
    let mut length = None;
    let mut chunked = false;
    for line in head.split("\r\n").skip(1) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        } else if key.eq_ignore_ascii_case("transfer-encoding")
            && value.trim().eq_ignore_ascii_case("chunked")
        {
            chunked = true;
        }
    }
    if chunked {
        // The last chunk: `0\r\n\r\n` (no trailers from the measured servers).
        while find(&buf[head_end..], b"0\r\n\r\n").is_none() {
            read_more(stream, buf).await?;
        }
    } else {
        let end = head_end + length.unwrap_or(0);
        while buf.len() < end {
            read_more(stream, buf).await?;
        }
    }
    Ok(status)
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await?;
    if n == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// CPU time (user + system) of a set of processes, to split a phase's CPU
/// between the NATS servers, the edge and the load generator.
#[derive(Debug, Clone, Default)]
pub struct CpuGroups {
    groups: Vec<(&'static str, Vec<u32>)>,
}

/// CPU seconds each group used during a phase.
#[derive(Debug, Clone)]
pub struct CpuUse {
    pub group: &'static str,
    pub seconds: f64,
}

impl CpuGroups {
    pub fn add(&mut self, group: &'static str, pid: Option<u32>) {
        let Some(pid) = pid else { return };
        match self.groups.iter_mut().find(|(name, _)| *name == group) {
            Some((_, pids)) => pids.push(pid),
            None => self.groups.push((group, vec![pid])),
        }
    }

    /// Clock ticks so far, per group.
    pub fn sample(&self) -> Vec<u64> {
        self.groups
            .iter()
            .map(|(_, pids)| pids.iter().filter_map(|&pid| cpu_ticks(pid)).sum())
            .collect()
    }

    /// Waits until the processes measured, the bench's own aside, use
    /// less than a tenth of one core over 300 ms (at most `limit`): a
    /// phase starts on a machine at rest, not paying for what the phase
    /// before left behind (a replica catching up, a stream's writes).
    /// Returns how long it waited.
    pub async fn quiet(&self, limit: Duration) -> Duration {
        const WINDOW: Duration = Duration::from_millis(300);
        let started = Instant::now();
        let others = |ticks: &[u64]| -> u64 {
            self.groups
                .iter()
                .zip(ticks)
                .filter(|((group, _), _)| *group != "bench")
                .map(|(_, t)| *t)
                .sum()
        };
        let busy_limit = clock_ticks_per_second() * WINDOW.as_secs_f64() / 10.0;
        let mut before = others(&self.sample());
        while started.elapsed() < limit {
            tokio::time::sleep(WINDOW).await;
            let now = others(&self.sample());
            if (now.saturating_sub(before) as f64) < busy_limit {
                break;
            }
            before = now;
        }
        started.elapsed()
    }

    /// CPU seconds per group between two samples.
    pub fn since(&self, before: &[u64]) -> Vec<CpuUse> {
        let hz = clock_ticks_per_second();
        self.groups
            .iter()
            .zip(self.sample().iter().zip(before))
            .map(|((group, _), (after, before))| CpuUse {
                group,
                seconds: after.saturating_sub(*before) as f64 / hz,
            })
            .collect()
    }
}

/// The processes named `postgres` (the server and its backends): the
/// PostgreSQL cluster's CPU in the end-to-end runs, when it runs here.
fn postgres_pids() -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim_end() == "postgres")
        })
        .collect()
}

/// CPU ticks of every `postgres` process now, by pid: compare two of these
/// ([`ticks_between`]) to count backends that started during a phase too.
pub fn postgres_ticks() -> std::collections::HashMap<u32, u64> {
    postgres_pids()
        .into_iter()
        .filter_map(|pid| Some((pid, cpu_ticks(pid)?)))
        .collect()
}

/// CPU seconds between two [`postgres_ticks`]: a process that started in
/// between counts whole, one that ended is lost.
pub fn ticks_between(
    before: &std::collections::HashMap<u32, u64>,
    after: &std::collections::HashMap<u32, u64>,
) -> f64 {
    let ticks: u64 = after
        .iter()
        .map(|(pid, t)| t.saturating_sub(before.get(pid).copied().unwrap_or(0)))
        .sum();
    ticks as f64 / clock_ticks_per_second()
}

/// Busy clock ticks of the whole machine so far (every CPU's time but
/// idle and iowait, `/proc/stat`), and the number of CPUs.
pub fn machine_busy_ticks() -> Option<(u64, usize)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let mut lines = stat.lines();
    let total: Vec<u64> = lines
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let cpus = lines.filter(|l| l.starts_with("cpu")).count();
    let idle = total.get(3)? + total.get(4)?;
    Some((total.iter().sum::<u64>().saturating_sub(idle), cpus))
}

/// utime + stime of a process (and its finished children), in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields count from after its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    Some(field(11)? + field(12)?)
}

/// `sysconf(_SC_CLK_TCK)`: 100 on every Linux this runs on (the kernel's
/// USER_HZ is fixed for user space); `getconf` confirms it when present.
pub fn clock_ticks_per_second() -> f64 {
    static HZ: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *HZ.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|hz| *hz > 0.0)
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn posts_and_reads_fixed_and_chunked_answers_on_one_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap_or_else(|e| panic!("{e}"));
            let mut seen = Vec::new();
            let answers: [&[u8]; 2] = [
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                b"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            ];
            for answer in answers {
                let mut request = Vec::new();
                while find(&request, b"\r\n\r\nbody").is_none() {
                    let mut chunk = [0u8; 1024];
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    assert!(n > 0, "client closed early");
                    request.extend_from_slice(&chunk[..n]);
                }
                seen.push(String::from_utf8_lossy(&request).into_owned());
                socket
                    .write_all(answer)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            seen
        });
        let client = Client::new(
            Target::parse(&format!("http://{addr}/webhooks/meta"))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let first = client.post(("x-sig", "s1"), b"body").await;
        let second = client.post(("x-sig", "s2"), b"body").await;
        assert_eq!(first.ok(), Some(200));
        assert_eq!(second.ok(), Some(401));
        let seen = server.await.unwrap_or_else(|e| panic!("{e}"));
        assert!(seen[0].starts_with("POST /webhooks/meta HTTP/1.1\r\n"));
        assert!(seen[0].contains("x-sig: s1\r\n") && seen[0].contains("content-length: 4\r\n"));
        assert!(seen[1].contains("x-sig: s2\r\n"));
    }

    #[test]
    fn targets_are_parsed_and_others_refused() {
        let t = Target::parse("http://127.0.0.1:80/a/b").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.addr.as_str(), t.path.as_str()), ("127.0.0.1:80", "/a/b"));
        assert!(Target::parse("https://x/").is_err());
    }

    #[test]
    fn this_process_uses_cpu() {
        let mut groups = CpuGroups::default();
        groups.add("self", Some(std::process::id()));
        let before = groups.sample();
        // Spin until the sample shows CPU time (or 30 s pass): on a loaded
        // machine 200 ms of wall time can be far less CPU time.
        let started = std::time::Instant::now();
        let mut x = 0u64;
        let mut used = groups.since(&before);
        while used[0].seconds <= 0.05 && started.elapsed() < std::time::Duration::from_secs(30) {
            for _ in 0..1_000_000 {
                x = x.wrapping_mul(31).wrapping_add(7);
            }
            used = groups.since(&before);
        }
        assert!(x != 1);
        assert_eq!(used[0].group, "self");
        assert!(used[0].seconds > 0.05, "{used:?}");
    }
}
