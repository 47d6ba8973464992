//! The media part of `wharf-bench` (issue 21): inbound files of 100 KB and
//! 5 MB fetched by the routers' media fetchers from the sandbox (served as
//! Meta serves media) into the media bucket, against a plain HTTP download
//! of the same files in the same run; and routed text events with and
//! without a concurrent media burst on the same routers.
//! Owns the files, their webhooks and the measuring; the edge, the routers,
//! their fetchers and the sandbox are the real ones.

use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine;
use chrono::{DateTime, Utc};
use entities::message::{self, MediaState};
use futures::{StreamExt, TryStreamExt};
use rand::RngCore;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use sha2::Digest;

use crate::pipeline::{self, BenchDb, Rig, Routers};
use crate::report::{CpuShare, Median, RoleMemory};
use crate::{NUMBER, SECRET};

/// A file size of the media part and how its messages arrive.
#[derive(Debug, Clone, Copy)]
pub struct FileSize {
    pub label: &'static str,
    pub bytes: usize,
    /// The message's `type` in Meta's webhook.
    pub kind: &'static str,
    pub mime: &'static str,
}

/// Photos of 100 KB; files of 5 MB as documents (5 MB is an image's limit).
pub const SIZES: [FileSize; 2] = [
    FileSize {
        label: "100 KB",
        bytes: 100_000,
        kind: "image",
        mime: "image/jpeg",
    },
    FileSize {
        label: "5 MB",
        bytes: 5_000_000,
        kind: "document",
        mime: "application/pdf",
    },
];

/// What the media part runs.
#[derive(Debug, Clone)]
pub struct MediaOptions {
    /// Router processes (each runs a fetcher).
    pub routers: usize,
    /// Files of each size of [`SIZES`] per measurement.
    pub files: [usize; 2],
    /// Rounds: plain download and fetch of each size, then text routing
    /// without and with a burst, in turn.
    pub rounds: usize,
    /// Seconds of text load of each routing run.
    pub seconds: u64,
    /// Text webhooks in flight (and media webhooks posted at once).
    pub concurrency: usize,
}

/// One size, one round: the fetchers against a plain download.
#[derive(Debug, Clone, Serialize)]
pub struct MediaFetch {
    pub round: usize,
    pub size: &'static str,
    pub file_bytes: usize,
    /// The messages' type (`image`, `document`).
    pub kind: &'static str,
    pub files: usize,
    /// Files in flight: the plain download's tasks, and the fetchers' (the
    /// routers times `media.concurrency`).
    pub concurrency: usize,
    /// The same look-up and download requests, from the bench process.
    pub download_seconds: f64,
    pub download_files_per_second: f64,
    pub download_mb_per_second: f64,
    /// Files stored (`media_state = stored`) before the deadline.
    pub stored: usize,
    /// From the first webhook posted until the last file was stored
    /// (its row's `media_fetched_at`): edge, routing, job, look-up,
    /// download, checksum, bucket, row.
    pub fetch_seconds: f64,
    pub fetch_files_per_second: f64,
    pub fetch_mb_per_second: f64,
    /// `fetch_files_per_second` over `download_files_per_second`.
    pub ratio_to_download: f64,
    /// CPU µs per file of the bench process (sandbox and client) during
    /// the plain download.
    pub download_cpu_us_per_file: f64,
    /// CPU µs per stored file of each group (router processes, NATS
    /// servers, edge, the bench process: sandbox and load generator)
    /// during the fetch.
    pub fetch_cpu_us_per_file: Vec<CpuShare>,
}

/// One round of text routing without and with a media burst.
#[derive(Debug, Clone, Serialize)]
pub struct MediaBurst {
    pub round: usize,
    pub routers: usize,
    /// Text webhooks in flight.
    pub concurrency: usize,
    pub routed_per_second_without: f64,
    pub routed_per_second_with: f64,
    /// With over without.
    pub ratio: f64,
    /// Both runs routed everything they posted before their deadline.
    pub drained: bool,
    pub max_lag_without: u64,
    pub max_lag_with: u64,
    /// Files of each size in the burst (posted as the text load began).
    pub burst_files_per_size: usize,
    pub burst_mb: f64,
    /// Burst files stored before the text load ended: fewer than all means
    /// the fetchers were busy through the whole load.
    pub stored_during_load: usize,
    pub burst_stored: usize,
    /// From the burst's first webhook until its last file was stored.
    pub burst_seconds: f64,
}

/// The media part's results.
#[derive(Debug, Clone, Serialize)]
pub struct MediaReport {
    pub database: &'static str,
    pub routers: usize,
    pub fetch_concurrency: usize,
    pub fetches: Vec<MediaFetch>,
    pub bursts: Vec<MediaBurst>,
    /// With more than one round: each size's fetch against the plain
    /// download, the routing with the burst against without.
    pub medians: Vec<Median>,
}

/// A file registered with the sandbox.
#[derive(Debug, Clone)]
struct BenchFile {
    media_id: String,
    /// SHA-256, base64, as Meta's webhook states it.
    sha256: String,
}

/// The files registered with the sandbox, per size in [`SIZES`] order;
/// registered once and named again by later messages (a media id stays
/// downloadable, as Meta's do for 7 days).
struct Library<'a> {
    http: &'a reqwest::Client,
    sandbox_url: &'a str,
    files: [Vec<BenchFile>; 2],
}

impl Library<'_> {
    /// The first `count` files of size `s`, registering the missing ones
    /// (random bytes: nothing on the way compresses them).
    async fn files(&mut self, s: usize, count: usize) -> anyhow::Result<Vec<BenchFile>> {
        let size = SIZES[s];
        let have = self.files[s].len();
        if count > have {
            let mut template = vec![0u8; size.bytes];
            rand::rng().fill_bytes(&mut template);
            let template = &template;
            let (http, sandbox_url) = (self.http, self.sandbox_url);
            let added: Vec<BenchFile> = futures::stream::iter(have..count)
                .map(|i| async move {
                    let mut bytes = template.clone();
                    bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
                    let media_id = format!("bench-{}-{i}", size.kind);
                    let b64 = base64::engine::general_purpose::STANDARD;
                    let response = http
                        .put(format!("{sandbox_url}/sandbox/media/{media_id}"))
                        .json(&relay::provider::sandbox::MediaIn {
                            mime_type: size.mime.into(),
                            data_base64: b64.encode(&bytes),
                            sha256: None,
                            fail_downloads: 0,
                        })
                        .send()
                        .await?;
                    anyhow::ensure!(
                        response.status().is_success(),
                        "the sandbox refused file {media_id}: {}",
                        response.status()
                    );
                    Ok(BenchFile {
                        media_id,
                        sha256: b64.encode(sha2::Sha256::digest(&bytes)),
                    })
                })
                .buffered(4)
                .try_collect()
                .await?;
            self.files[s].extend(added);
        }
        Ok(self.files[s][..count].to_vec())
    }
}

/// A signed Meta delivery of one media message naming `file`, numbered `n`.
fn media_delivery(size: FileSize, file: &BenchFile, n: u64) -> (Vec<u8>, String, String) {
    let wamid = format!("wamid.BENCHMEDIA{n}");
    let from = format!("4917{:09}", n % 5000);
    let mut media = serde_json::json!({
        "id": file.media_id, "mime_type": size.mime, "sha256": file.sha256,
    });
    if size.kind == "document" {
        media["filename"] = format!("bench-{n}.pdf").into();
    }
    let body = serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": NUMBER},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": from}],
            "messages": [{"from": from, "id": wamid, "timestamp": Utc::now().timestamp().to_string(),
                "type": size.kind, size.kind: media}],
        }}]}],
    })
    .to_string()
    .into_bytes();
    let signature = relay::provider::meta::sign(SECRET, &body);
    (body, signature, wamid)
}

/// Posts one media webhook per file (numbered from `first`) through the
/// edge, `concurrency` at once; the messages' wamids.
///
/// # Errors
/// When the edge does not answer 2xx.
async fn post_media(
    edge: &crate::load::Client,
    files: &[(FileSize, BenchFile)],
    first: u64,
    concurrency: usize,
) -> anyhow::Result<Vec<String>> {
    futures::stream::iter(files.iter().enumerate())
        .map(|(i, (size, file))| async move {
            let (body, signature, wamid) = media_delivery(*size, file, first + i as u64);
            let status = edge
                .post((relay::provider::META_SIGNATURE_HEADER, &signature), &body)
                .await
                .context("posting a media webhook")?;
            anyhow::ensure!(
                (200..300).contains(&status),
                "the edge answered {status} to a media webhook"
            );
            Ok(wamid)
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

/// Polls until every message of `wamids` has its file stored, or `timeout`;
/// when each stored file was stored (`media_fetched_at`).
///
/// # Errors
/// When a file failed for good (the fetcher gave up) or the database fails.
async fn wait_stored(
    conn: &DatabaseConnection,
    wamids: &[String],
    timeout: Duration,
) -> anyhow::Result<Vec<DateTime<Utc>>> {
    let deadline = Instant::now() + timeout;
    loop {
        let rows: Vec<(Option<String>, Option<DateTime<Utc>>)> = message::Entity::find()
            .select_only()
            .column(message::Column::MediaState)
            .column(message::Column::MediaFetchedAt)
            .filter(message::Column::ProviderMessageId.is_in(wamids.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        let failed = rows
            .iter()
            .filter(|(state, _)| state.as_deref() == Some(MediaState::Failed.as_str()))
            .count();
        anyhow::ensure!(
            failed == 0,
            "{failed} of {} files failed (media_state = failed): see the routers' logs",
            wamids.len()
        );
        let stored: Vec<DateTime<Utc>> = rows
            .iter()
            .filter(|(state, _)| state.as_deref() == Some(MediaState::Stored.as_str()))
            .map(|(_, at)| at.unwrap_or_else(Utc::now))
            .collect();
        if stored.len() >= wamids.len() || Instant::now() > deadline {
            return Ok(stored);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Seconds from `start` until the last of `stored` (at least 1 ms).
fn seconds_until_last(start: DateTime<Utc>, stored: &[DateTime<Utc>]) -> f64 {
    stored
        .iter()
        .max()
        .map_or(0.0, |last| (*last - start).as_seconds_f64())
        .max(0.001)
}

/// Looks up and downloads every file as the fetcher does (Meta's
/// `GET /{version}/{media-id}` with the number's token, then its URL with
/// the same token), `concurrency` at once; the seconds it took.
///
/// # Errors
/// When the sandbox refuses or a body is short.
async fn download_all(
    rig: &Rig<'_>,
    size: FileSize,
    files: &[BenchFile],
    concurrency: usize,
) -> anyhow::Result<f64> {
    #[derive(serde::Deserialize)]
    struct Located {
        url: String,
    }
    let token = rig
        .numbers
        .first()
        .map(|n| n.access_token.expose().to_owned())
        .unwrap_or_default();
    let token = token.as_str();
    let version = &rig.base.sender.meta_api_version;
    let sandbox_url = &rig.role.sandbox_url;
    let get = |url: String| async move {
        rig.http
            .get(url)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()
    };
    let started = Instant::now();
    futures::stream::iter(files)
        .map(|file| {
            let get = &get;
            async move {
                let located: Located = get(format!("{sandbox_url}/{version}/{}", file.media_id))
                    .await?
                    .json()
                    .await?;
                let bytes = get(located.url).await?.bytes().await?;
                anyhow::ensure!(
                    bytes.len() == size.bytes,
                    "{} downloaded {} bytes of {}",
                    file.media_id,
                    bytes.len(),
                    size.bytes
                );
                Ok(())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<()>()
        .await?;
    Ok(started.elapsed().as_secs_f64().max(0.001))
}

/// Empties the media bucket (not timed), so the runs' files do not pile up
/// on disk three times over.
async fn purge_bucket(rig: &Rig<'_>) -> anyhow::Result<()> {
    let stream = rig
        .hub_js
        .get_stream(relay::topology::media_store_stream())
        .await
        .context("opening the media bucket's stream")?;
    stream.purge().await.context("purging the media bucket")?;
    Ok(())
}

/// CPU µs per file of each group since `before`.
fn cpu_us_per_file(cpu: &crate::load::CpuGroups, before: &[u64], files: usize) -> Vec<CpuShare> {
    cpu.since(before)
        .into_iter()
        .map(|used| CpuShare {
            group: used.group,
            us: used.seconds * 1e6 / files.max(1) as f64,
        })
        .collect()
}

/// Generous: a minute plus 1 s per MB.
fn deadline_for(bytes: usize) -> Duration {
    Duration::from_secs(60 + (bytes / 1_000_000) as u64)
}

/// The media part: `options.routers` router processes on a fresh SQLite
/// database; per round, each size downloaded plainly and then fetched by
/// the routers, then text routing without and with a burst.
///
/// # Errors
/// When the routers do not start, a file fails, or the sandbox refuses.
pub async fn run(
    rig: &Rig<'_>,
    options: &MediaOptions,
    round: &mut u64,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<MediaReport> {
    let db = BenchDb::sqlite(rig.dir, "media");
    let mut routers = Routers::start(rig, &db, options.routers.max(1), "router-media").await?;
    let result = rounds(rig, &mut routers, options, round).await;
    routers.stop(memory).await;
    result
}

async fn rounds(
    rig: &Rig<'_>,
    routers: &mut Routers,
    options: &MediaOptions,
    round: &mut u64,
) -> anyhow::Result<MediaReport> {
    let fetch_concurrency = routers.count() * rig.base.media.concurrency.max(1);
    let mut library = Library {
        http: &rig.http,
        sandbox_url: &rig.role.sandbox_url,
        files: [Vec::new(), Vec::new()],
    };
    let mut fetches = Vec::new();
    let mut bursts = Vec::new();
    for media_round in 0..options.rounds.max(1) {
        let mut rates = [0.0f64; 2];
        for (s, size) in SIZES.iter().copied().enumerate() {
            let files = library.files(s, options.files[s].max(1)).await?;
            let cpu = routers.with_cpu(&rig.cpu);
            let cpu_before = cpu.sample();
            let download_seconds = download_all(rig, size, &files, fetch_concurrency).await?;
            let download_cpu = cpu_us_per_file(&cpu, &cpu_before, files.len());
            purge_bucket(rig).await?;
            *round += 1;
            let tagged: Vec<(FileSize, BenchFile)> =
                files.iter().map(|f| (size, f.clone())).collect();
            let start = Utc::now();
            let cpu_before = cpu.sample();
            let wamids = post_media(
                &rig.edge,
                &tagged,
                *round * 100_000_000,
                options.concurrency,
            )
            .await?;
            let stored = wait_stored(
                &routers.conn,
                &wamids,
                deadline_for(files.len() * size.bytes),
            )
            .await
            .with_context(|| format!("fetching {} files of {}", files.len(), size.label))?;
            let fetch_cpu = cpu_us_per_file(&cpu, &cpu_before, stored.len());
            routers.check_running()?;
            let fetch_seconds = seconds_until_last(start, &stored);
            let n = files.len() as f64;
            let mb = |count: f64| count * size.bytes as f64 / 1e6;
            let fetch_rate = stored.len() as f64 / fetch_seconds;
            rates[s] = fetch_rate;
            fetches.push(MediaFetch {
                round: media_round,
                size: size.label,
                file_bytes: size.bytes,
                kind: size.kind,
                files: files.len(),
                concurrency: fetch_concurrency,
                download_seconds,
                download_files_per_second: n / download_seconds,
                download_mb_per_second: mb(n) / download_seconds,
                stored: stored.len(),
                fetch_seconds,
                fetch_files_per_second: fetch_rate,
                fetch_mb_per_second: mb(stored.len() as f64) / fetch_seconds,
                ratio_to_download: fetch_rate / (n / download_seconds),
                download_cpu_us_per_file: download_cpu
                    .iter()
                    .find(|share| share.group == "bench")
                    .map_or(0.0, |share| share.us),
                fetch_cpu_us_per_file: fetch_cpu,
            });
        }
        let burst = burst_vs_routing(rig, routers, &mut library, options, rates, round).await?;
        bursts.push(MediaBurst {
            round: media_round,
            ..burst
        });
    }
    purge_bucket(rig).await?;
    let medians = if options.rounds > 1 {
        media_medians(&fetches, &bursts)
    } else {
        Vec::new()
    };
    Ok(MediaReport {
        database: "sqlite",
        routers: routers.count(),
        fetch_concurrency,
        fetches,
        bursts,
        medians,
    })
}

/// Files of each size in a burst: enough, at this round's fetch rates, to
/// keep the fetchers busy for 1.5 times the text load, within `cap`.
fn burst_size(seconds: u64, rates: [f64; 2], cap: usize) -> usize {
    let per_pair: f64 = rates.iter().map(|r| 1.0 / r.max(1e-3)).sum();
    let wanted = (1.5 * seconds as f64 / per_pair.max(1e-6)).ceil();
    (wanted.min(cap as f64) as usize).max(1)
}

/// Text routing on the same routers, without and then with a media burst
/// posted as the text load begins.
async fn burst_vs_routing(
    rig: &Rig<'_>,
    routers: &mut Routers,
    library: &mut Library<'_>,
    options: &MediaOptions,
    rates: [f64; 2],
    round: &mut u64,
) -> anyhow::Result<MediaBurst> {
    let c = options.concurrency.max(1);
    *round += 1;
    let without = pipeline::route_text(rig, routers, c, options.seconds, *round * 100_000_000)
        .await
        .context("text routing without a burst")?;
    routers.check_running()?;

    let k = burst_size(
        options.seconds,
        rates,
        4 * options.files.iter().copied().max().unwrap_or(1),
    );
    let small = library.files(0, k).await?;
    let large = library.files(1, k).await?;
    let burst: Vec<(FileSize, BenchFile)> = small
        .into_iter()
        .zip(large)
        .flat_map(|(s, l)| [(SIZES[0], s), (SIZES[1], l)])
        .collect();
    purge_bucket(rig).await?;
    *round += 1;
    let text_base = *round * 100_000_000;
    let start = Utc::now();
    let (with, wamids) = tokio::join!(
        pipeline::route_text(rig, routers, c, options.seconds, text_base),
        post_media(&rig.edge, &burst, text_base + 50_000_000, c),
    );
    let with = with.context("text routing with a burst")?;
    let wamids = wamids?;
    let burst_bytes = k * (SIZES[0].bytes + SIZES[1].bytes);
    let stored = wait_stored(&routers.conn, &wamids, deadline_for(burst_bytes))
        .await
        .context("the burst's files")?;
    routers.check_running()?;
    let load_end = start + chrono::Duration::milliseconds((with.load_seconds * 1000.0) as i64);
    Ok(MediaBurst {
        round: 0,
        routers: routers.count(),
        concurrency: c,
        routed_per_second_without: without.routed_per_second,
        routed_per_second_with: with.routed_per_second,
        ratio: with.routed_per_second / without.routed_per_second.max(1e-9),
        drained: without.drained && with.drained,
        max_lag_without: without.max_lag,
        max_lag_with: with.max_lag,
        burst_files_per_size: k,
        burst_mb: burst_bytes as f64 / 1e6,
        stored_during_load: stored.iter().filter(|at| **at <= load_end).count(),
        burst_stored: stored.len(),
        burst_seconds: seconds_until_last(start, &stored),
    })
}

/// Each size's median fetch rate and ratio to the plain download, and the
/// median routed rate with the burst and its ratio, over the rounds.
fn media_medians(fetches: &[MediaFetch], bursts: &[MediaBurst]) -> Vec<Median> {
    let mut out: Vec<Median> = SIZES
        .iter()
        .map(|size| {
            let of: Vec<&MediaFetch> = fetches.iter().filter(|f| f.size == size.label).collect();
            Median::over(
                format!("fetch {} files vs plain download", size.label),
                of.first().map_or(0, |f| f.concurrency),
                of.iter().map(|f| f.fetch_files_per_second).collect(),
                of.iter().map(|f| f.ratio_to_download).collect(),
            )
        })
        .collect();
    out.push(Median::over(
        "routed text events with the media burst vs without".into(),
        bursts.first().map_or(0, |b| b.concurrency),
        bursts.iter().map(|b| b.routed_per_second_with).collect(),
        bursts.iter().map(|b| b.ratio).collect(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_keeps_the_fetchers_busy_for_longer_than_the_text_load_within_its_cap() {
        // 10 files/s of 100 KB and 2 of 5 MB: 0.6 s per pair, 15 s wanted.
        assert_eq!(burst_size(10, [10.0, 2.0], 1000), 25);
        assert_eq!(burst_size(10, [10.0, 2.0], 8), 8);
        assert_eq!(burst_size(1, [0.0, 0.0], 8), 1, "no rate measured");
    }

    #[test]
    fn a_media_delivery_names_its_file_and_is_signed() {
        let file = BenchFile {
            media_id: "bench-document-3".into(),
            sha256: "c3Vt".into(),
        };
        let (body, signature, wamid) = media_delivery(SIZES[1], &file, 42);
        assert_eq!(wamid, "wamid.BENCHMEDIA42");
        assert_eq!(signature, relay::provider::meta::sign(SECRET, &body));
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let message = &value["entry"][0]["changes"][0]["value"]["messages"][0];
        assert_eq!(message["type"], "document");
        assert_eq!(message["document"]["id"], "bench-document-3");
        assert_eq!(message["document"]["sha256"], "c3Vt");
        assert_eq!(message["document"]["filename"], "bench-42.pdf");
    }
}
