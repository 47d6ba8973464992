//! The media fetcher: one durable consumer (`media-fetcher`) on the
//! work-queue stream `MEDIA`, shared by every router process, beside (never
//! inside) the router's ordered batches. Per job: the message row and its
//! number's token, the provider's look-up (`crate::provider::media`), the
//! download within the limits, the checksum against the webhook's and the
//! look-up's SHA-256, the bucket (`store`), the row (`media_*` columns) and
//! the lifecycle (`media_fetch_started`, `media_stored`, `media_failed`).
//!
//! A failed attempt that may pass is retried in place with full-jitter
//! backoff while progress acks hold the job (as the sender does); a crash
//! hands it to another router after `ack_wait`. After the last attempt, or
//! at once for what cannot pass (too large, a refused token, no reference),
//! the row says `failed` and the job goes to the DLQ (origin `media`, reason
//! `media`); a replay puts it back on `MEDIA`. The message itself is never
//! touched: it was stored and routed before the fetch began.
//!
//! A sweep (`sweep_interval_secs`) publishes the job again for rows still
//! `pending` after `pending_after_secs` (their router died between commit
//! and publish) and marks `expired` the rows whose file outlived the
//! bucket's retention.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, pull},
};
use chrono::Utc;
use entities::message::MediaState;
use entities::message_event::Stage;
use entities::{business_number, conversation, message};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use sha2::Digest;
use tokio_util::sync::CancellationToken;

use super::store::MediaStore;
use super::{MediaJob, MediaSettings, ProviderApis};
use crate::dlq::letter::{self, Failure};
use crate::envelope::Provider;
use crate::provider::media::{Located, Lookup, MediaError, MediaRef};
use crate::provider::media_source_for as source_for;
use crate::pull::ack;
use crate::topology::{self, TopologySettings};
use crate::{lifecycle, observe};

/// The reason of every media dead letter (`wa.dlq.media.media`).
pub const DLQ_REASON: &str = "media";

/// The fetcher of one router process.
pub struct Fetcher {
    settings: MediaSettings,
    topology: TopologySettings,
    apis: ProviderApis,
    db: DatabaseConnection,
    js: jetstream::Context,
    http: reqwest::Client,
    vault: Arc<crate::vault::Vault>,
    /// `max_bytes_per_second` in KiB cells; `None` without a budget.
    budget: Option<ByteBudget>,
    /// The routing backlog of this process, waited for before each file.
    backlog: crate::backlog::Backlog,
}

/// A byte-rate budget shared by a process's downloads: one cell per KiB,
/// a second's worth in hand at most.
struct ByteBudget {
    limiter: governor::DefaultDirectRateLimiter,
    burst: u32,
}

impl ByteBudget {
    fn new(bytes_per_second: u64) -> Option<Self> {
        let kib = u32::try_from(bytes_per_second.div_ceil(1024)).unwrap_or(u32::MAX);
        let per_second = std::num::NonZeroU32::new(kib)?;
        Some(Self {
            limiter: governor::RateLimiter::direct(governor::Quota::per_second(per_second)),
            burst: per_second.get(),
        })
    }

    /// Waits until `bytes` more may be downloaded.
    async fn take(&self, bytes: usize) {
        let mut cells = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        while cells > 0 {
            let now = cells.min(self.burst);
            if let Some(n) = std::num::NonZeroU32::new(now) {
                // `now` never passes the burst: the wait cannot fail.
                let _ = self.limiter.until_n_ready(n).await;
            }
            cells -= now;
        }
    }
}

/// A file fetched and stored.
struct Stored {
    key: String,
    mime: String,
    size: u64,
    sha256: String,
    /// An image's width and height in pixels.
    dimensions: Option<(i32, i32)>,
}

impl Fetcher {
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(
        settings: MediaSettings,
        topology: TopologySettings,
        apis: ProviderApis,
        db: DatabaseConnection,
        client: async_nats::Client,
        vault: Arc<crate::vault::Vault>,
    ) -> crate::Result<Self> {
        let http = crate::tls::client_builder()
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .timeout(Duration::from_millis(settings.request_timeout_ms))
            .pool_max_idle_per_host(4)
            .build()?;
        Ok(Self {
            budget: ByteBudget::new(settings.max_bytes_per_second),
            backlog: crate::backlog::Backlog::default(),
            settings,
            topology,
            apis,
            db,
            js: jetstream::new(client),
            http,
            vault,
        })
    }

    /// Waits for `backlog` (the routing of the same process) before each
    /// file; without it, never.
    #[must_use]
    pub fn yielding_to(mut self, backlog: crate::backlog::Backlog) -> Self {
        self.backlog = backlog;
        self
    }

    /// Consumes `MEDIA` until `shutdown`, finishing (or handing back) the
    /// files in hand.
    ///
    /// # Errors
    /// When the consumer cannot be created or the bucket opened.
    pub async fn run(self, shutdown: CancellationToken) -> crate::Result<()> {
        // The failure series the alert watches exist from the start (at
        // zero), so `increase()` sees the first failure of each.
        for reason in [
            "provider_error",
            "timeout",
            "connection",
            "checksum",
            "too_large",
        ] {
            metrics::counter!(observe::MEDIA_FAILURES, "reason" => reason, "final" => "true")
                .absolute(0);
        }
        let is_permanent = |_: &crate::Error| false;
        let setup = crate::nats::retry_transient(
            "media fetcher start-up",
            &shutdown,
            is_permanent,
            || async {
                let store = MediaStore::open(&self.js).await?;
                let stream = self
                    .js
                    .get_stream(topology::MEDIA)
                    .await
                    .map_err(crate::Error::nats)?;
                let consumer: jetstream::consumer::PullConsumer = stream
                    .get_or_create_consumer(
                        topology::MEDIA_FETCHER_CONSUMER,
                        pull::Config {
                            durable_name: Some(topology::MEDIA_FETCHER_CONSUMER.into()),
                            ack_policy: AckPolicy::Explicit,
                            ack_wait: Duration::from_secs(self.settings.ack_wait_secs.max(3)),
                            max_ack_pending: i64::try_from(self.settings.concurrency * 4)
                                .unwrap_or(64),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(crate::Error::nats)?;
                Ok((store, consumer))
            },
        )
        .await?;
        let Some((store, consumer)) = setup else {
            return Ok(());
        };
        tracing::info!("media fetcher consuming MEDIA");
        let this = Arc::new(self);
        let sweep = (this.settings.sweep_interval_secs > 0)
            .then(|| tokio::spawn(Arc::clone(&this).sweep_loop(shutdown.clone())));
        crate::pull::consume(
            &this.js,
            &consumer,
            this.settings.concurrency,
            "media fetcher",
            &shutdown,
            |message| {
                let this = Arc::clone(&this);
                let store = store.clone();
                let shutdown = shutdown.clone();
                async move { this.handle(&store, message, &shutdown).await }
            },
        )
        .await;
        if let Some(sweep) = sweep {
            sweep.abort();
        }
        Ok(())
    }

    /// One job, from its delivery to ack or dead letter.
    async fn handle(
        &self,
        store: &MediaStore,
        message: jetstream::Message,
        shutdown: &CancellationToken,
    ) {
        let (delivered, sequence) = message
            .info()
            .map_or((1, 0), |i| (i.delivered, i.stream_sequence));
        let job: MediaJob = match serde_json::from_slice(&message.payload) {
            Ok(job) => job,
            Err(err) => {
                let failure = MediaError::permanent("malformed", format!("not a media job: {err}"));
                self.dead_letter(&message, sequence, 0, &failure).await;
                return;
            }
        };
        let keep_alive = crate::pull::keep_alive(
            vec![message.clone()],
            Duration::from_secs(self.settings.ack_wait_secs.max(3) / 3),
        );
        let outcome = self.fetch(store, &job, delivered, shutdown).await;
        keep_alive.abort();
        match outcome {
            Fetch::Done => ack(&message, AckKind::Ack).await,
            Fetch::Interrupted => ack(&message, AckKind::Nak(None)).await,
            Fetch::Later(delay) => ack(&message, AckKind::Nak(Some(delay))).await,
            Fetch::Failed { error, attempts } => {
                self.mark_failed(job.message_id, &error, attempts).await;
                if self.dead_letter(&message, sequence, attempts, &error).await {
                    lifecycle::record_logged(
                        &self.db,
                        job.message_id,
                        Stage::DeadLettered,
                        json!({ "origin": topology::DLQ_ORIGIN_MEDIA, "reason": DLQ_REASON }),
                    )
                    .await;
                }
            }
        }
    }

    /// Fetches, stores and records one job's file, retrying in place.
    async fn fetch(
        &self,
        store: &MediaStore,
        job: &MediaJob,
        delivered: i64,
        shutdown: &CancellationToken,
    ) -> Fetch {
        let row = match message::Entity::find_by_id(job.message_id)
            .one(&self.db)
            .await
        {
            Ok(Some(row)) => row,
            // A message deleted since: nothing to fetch.
            Ok(None) => return Fetch::Done,
            Err(err) => {
                // Nothing was tried: the job comes back once the database answers.
                tracing::warn!(message_id = job.message_id, %err, "media job's row unreadable; later");
                return Fetch::Later(Duration::from_secs(5));
            }
        };
        if row.media_state() == Ok(Some(MediaState::Stored)) {
            return Fetch::Done;
        }
        let provider = row.provider.parse::<Provider>().ok();
        let reference = provider.and_then(|p| source_for(p).reference(&row.kind, &row.payload));
        let (Some(provider), Some(reference)) = (provider, reference) else {
            return Fetch::Failed {
                error: MediaError::permanent("no_reference", "the message names no file to fetch"),
                attempts: 0,
            };
        };
        // A replayed job (failed, expired): pending again while it is fetched.
        if row.media_state() != Ok(Some(MediaState::Pending)) {
            let _ = message::Entity::update_many()
                .col_expr(
                    message::Column::MediaState,
                    Expr::value(MediaState::Pending.as_str()),
                )
                .filter(message::Column::Id.eq(row.id))
                .exec(&self.db)
                .await;
        }
        // Routing first: the file waits while this process's partitions
        // are behind (bounded, so files are never starved).
        let waited = if self.settings.yield_max_secs > 0 {
            self.backlog
                .wait_below(
                    self.settings.yield_backlog,
                    Duration::from_secs(self.settings.yield_max_secs),
                    shutdown,
                )
                .await
        } else {
            Duration::ZERO
        };
        metrics::histogram!(observe::MEDIA_YIELD_SECONDS).record(waited.as_secs_f64());
        lifecycle::record_logged(
            &self.db,
            row.id,
            Stage::MediaFetchStarted,
            json!({
                "delivery": delivered,
                "class": reference.class.as_str(),
                "waited_for_routing_ms": u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
            }),
        )
        .await;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let result = self.attempt(store, &row, provider, &reference).await;
            let seconds = started.elapsed().as_secs_f64();
            let last = attempt >= self.settings.max_attempts.max(1);
            match result {
                Ok(stored) => {
                    metrics::histogram!(observe::MEDIA_FETCH_SECONDS,
                        "provider" => provider.as_str(), "outcome" => "stored")
                    .record(seconds);
                    self.mark_stored(&row, &reference, &stored, attempt, seconds)
                        .await;
                    return Fetch::Done;
                }
                Err(error) if error.retryable && !last => {
                    metrics::histogram!(observe::MEDIA_FETCH_SECONDS,
                        "provider" => provider.as_str(), "outcome" => "retry")
                    .record(seconds);
                    metrics::counter!(observe::MEDIA_FAILURES,
                        "reason" => error.reason, "final" => "false")
                    .increment(1);
                    let delay = crate::pull::jittered_backoff(
                        i64::from(attempt),
                        self.settings.backoff_base_ms,
                        self.settings.backoff_max_ms,
                    );
                    tracing::warn!(
                        message_id = row.id,
                        reason = error.reason,
                        attempt,
                        ?delay,
                        "media fetch failed; retrying"
                    );
                    tokio::select! {
                        () = shutdown.cancelled() => return Fetch::Interrupted,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
                Err(error) => {
                    metrics::histogram!(observe::MEDIA_FETCH_SECONDS,
                        "provider" => provider.as_str(), "outcome" => "failed")
                    .record(seconds);
                    return Fetch::Failed {
                        error,
                        attempts: attempt,
                    };
                }
            }
        }
    }

    /// One attempt: look-up, download within the limits, checksum, store.
    async fn attempt(
        &self,
        store: &MediaStore,
        row: &message::Model,
        provider: Provider,
        reference: &MediaRef,
    ) -> Result<Stored, MediaError> {
        let limits = &self.settings.limits;
        if let Some(size) = reference.size {
            limits.check_size(reference.class, size)?;
        }
        let (base_url, token) = self.credentials(row, provider).await?;
        let api_version = self.apis.meta_api_version.as_str();
        let located = source_for(provider)
            .locate(Lookup {
                http: &self.http,
                base_url: &base_url,
                api_version,
                token: token.expose(),
                message_id: row.provider_message_id.as_deref().unwrap_or_default(),
                message_type: &row.kind,
                raw: &row.payload,
            })
            .await?;
        if let Some(size) = located.size {
            limits.check_size(reference.class, size)?;
        }
        let (bytes, served_type) = self.download(&located, token.expose(), reference).await?;
        let digest = sha2::Sha256::digest(&bytes);
        for expected in [&reference.sha256, &located.sha256].into_iter().flatten() {
            if !super::sha256_matches(expected, &digest) {
                return Err(MediaError::retryable(
                    "checksum",
                    "the downloaded bytes do not match the provider's sha256",
                ));
            }
        }
        let mime = located
            .mime
            .clone()
            .or_else(|| reference.mime.clone())
            .or(served_type)
            .unwrap_or_else(|| "application/octet-stream".into());
        limits.check_type(&mime)?;
        let key = store.put(row.id, &mime, &bytes).await?;
        Ok(Stored {
            key,
            dimensions: super::dimensions(&mime, &bytes),
            mime,
            size: bytes.len() as u64,
            sha256: hex::encode(digest),
        })
    }

    /// The number's API base URL and token (opened from the vault).
    async fn credentials(
        &self,
        row: &message::Model,
        provider: Provider,
    ) -> Result<(String, crate::secret::Secret), MediaError> {
        let db = |e: sea_orm::DbErr| MediaError::retryable("database", e.to_string());
        let number_id = conversation::Entity::find_by_id(row.conversation_id)
            .select_only()
            .column(conversation::Column::BusinessNumberId)
            .into_tuple::<i64>()
            .one(&self.db)
            .await
            .map_err(db)?;
        let number = match number_id {
            Some(id) => business_number::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(db)?,
            None => None,
        }
        .ok_or_else(|| MediaError::permanent("unknown_number", "the message's number is gone"))?;
        let token = self
            .vault
            .open(
                crate::vault::ACCESS_TOKEN,
                number.access_token.as_deref().unwrap_or_default(),
            )
            .map_err(|e| MediaError::permanent("secret_unreadable", e.to_string()))?;
        let base_url = number
            .api_base_url
            .clone()
            .unwrap_or_else(|| match provider {
                Provider::Wasender => self.apis.wasender_base_url.clone(),
                Provider::Meta | Provider::Sandbox => self.apis.meta_base_url.clone(),
            });
        Ok((base_url, token))
    }

    /// Downloads a located file, refusing it as soon as it passes its limit;
    /// the bytes and the type the server named.
    async fn download(
        &self,
        located: &Located,
        token: &str,
        reference: &MediaRef,
    ) -> Result<(Vec<u8>, Option<String>), MediaError> {
        let max = self.settings.limits.max_bytes(reference.class);
        let mut request = self.http.get(&located.url);
        if located.bearer {
            request = request.bearer_auth(token);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| MediaError::request("download", &e))?;
        if !response.status().is_success() {
            return Err(MediaError::status("download", response.status()));
        }
        if let Some(length) = response.content_length() {
            self.settings.limits.check_size(reference.class, length)?;
        }
        let served_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| MediaError::request("download", &e))?
        {
            if let Some(budget) = &self.budget {
                budget.take(chunk.len()).await;
            }
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max {
                return Err(MediaError::permanent(
                    "too_large",
                    format!(
                        "{} download passed the limit of {max} bytes",
                        reference.class.as_str()
                    ),
                ));
            }
        }
        Ok((bytes, served_type))
    }

    async fn mark_stored(
        &self,
        row: &message::Model,
        reference: &MediaRef,
        stored: &Stored,
        attempt: u32,
        seconds: f64,
    ) {
        let size = i64::try_from(stored.size).unwrap_or(i64::MAX);
        let now = Utc::now();
        let update = message::Entity::update_many()
            .col_expr(
                message::Column::MediaState,
                Expr::value(MediaState::Stored.as_str()),
            )
            .col_expr(message::Column::MediaType, Expr::value(stored.mime.clone()))
            .col_expr(message::Column::MediaSize, Expr::value(size))
            .col_expr(
                message::Column::MediaSha256,
                Expr::value(stored.sha256.clone()),
            )
            .col_expr(message::Column::MediaKey, Expr::value(stored.key.clone()))
            .col_expr(message::Column::MediaFetchedAt, Expr::value(now))
            .col_expr(
                message::Column::MediaWidth,
                Expr::value(stored.dimensions.map(|(w, _)| w)),
            )
            .col_expr(
                message::Column::MediaHeight,
                Expr::value(stored.dimensions.map(|(_, h)| h)),
            )
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(row.id));
        let record = lifecycle::row(
            row.id,
            (
                Stage::MediaStored,
                now,
                json!({
                    "bytes": stored.size,
                    "mime": stored.mime,
                    "attempt": attempt,
                    "ms": (seconds * 1000.0).round() as u64,
                }),
            ),
        );
        // The row and its `media_stored` record in one transaction, written
        // until it takes: the bytes are stored, and a redelivery would only
        // fetch them again.
        let mut pause = Duration::from_millis(100);
        for _ in 0..10 {
            let written = async {
                let txn = crate::db::begin_write(&self.db).await?;
                update.clone().exec(&txn).await?;
                record.clone().insert(&txn).await?;
                txn.commit().await
            };
            match written.await {
                Ok(()) => break,
                Err(err) => {
                    tracing::warn!(message_id = row.id, %err, "recording stored media failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
        metrics::counter!(observe::MEDIA_STORED, "class" => reference.class.as_str()).increment(1);
        metrics::counter!(observe::MEDIA_STORED_BYTES, "class" => reference.class.as_str())
            .increment(stored.size);
        tracing::debug!(message_id = row.id, bytes = stored.size, "media stored");
        self.announce(row.conversation_id, row.id).await;
    }

    /// Tells live views that the file of message `message_id` changed state
    /// (`kind: media` on the conversation's subject; core NATS, best effort:
    /// the row is written already).
    async fn announce(&self, conversation_id: i64, message_id: i64) {
        crate::live::message_event(&self.js.client(), conversation_id, "media", message_id).await;
    }

    async fn mark_failed(&self, message_id: i64, error: &MediaError, attempts: u32) {
        metrics::counter!(observe::MEDIA_FAILURES, "reason" => error.reason, "final" => "true")
            .increment(1);
        tracing::warn!(
            message_id,
            reason = error.reason,
            attempts,
            "media fetch failed for good"
        );
        if let Err(err) = message::Entity::update_many()
            .col_expr(
                message::Column::MediaState,
                Expr::value(MediaState::Failed.as_str()),
            )
            .col_expr(message::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(message::Column::Id.eq(message_id))
            .filter(message::Column::MediaState.ne(MediaState::Stored.as_str()))
            .exec(&self.db)
            .await
        {
            tracing::warn!(message_id, %err, "recording failed media failed");
        }
        lifecycle::record_logged(
            &self.db,
            message_id,
            Stage::MediaFailed,
            json!({ "reason": error.reason, "error": error.detail, "attempts": attempts }),
        )
        .await;
        if let Ok(Some(row)) = message::Entity::find_by_id(message_id).one(&self.db).await {
            self.announce(row.conversation_id, message_id).await;
        }
    }

    /// Writes the letter, then acks; `false` (left unacked, redelivered
    /// after `ack_wait`) when the DLQ did not take it.
    async fn dead_letter(
        &self,
        message: &jetstream::Message,
        sequence: u64,
        attempts: u32,
        error: &MediaError,
    ) -> bool {
        let text = error.to_string();
        let failure = Failure {
            origin: topology::DLQ_ORIGIN_MEDIA,
            reason: DLQ_REASON,
            error: &text,
            attempts: i64::from(attempts),
        };
        match letter::publish(&self.js, message, sequence, failure).await {
            Ok(()) => {
                ack(message, AckKind::Ack).await;
                true
            }
            Err(err) => {
                tracing::error!(%err, "media DLQ publish failed; left for redelivery");
                false
            }
        }
    }

    /// Publishes jobs again for rows pending too long and marks rows whose
    /// file outlived the bucket `expired`, every `sweep_interval_secs`.
    async fn sweep_loop(self: Arc<Self>, shutdown: CancellationToken) {
        let every = Duration::from_secs(self.settings.sweep_interval_secs.max(1));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            if let Err(err) = self.sweep().await {
                tracing::warn!(%err, "media sweep failed");
            }
        }
    }

    async fn sweep(&self) -> crate::Result<()> {
        let now = Utc::now();
        let retention = chrono::Duration::seconds(
            i64::try_from(self.topology.media_max_age_secs).unwrap_or(i64::MAX / 2),
        );
        message::Entity::update_many()
            .col_expr(
                message::Column::MediaState,
                Expr::value(MediaState::Expired.as_str()),
            )
            .filter(message::Column::MediaState.eq(MediaState::Stored.as_str()))
            .filter(message::Column::MediaFetchedAt.lt(now - retention))
            .exec(&self.db)
            .await?;
        let stale = now
            - chrono::Duration::seconds(
                i64::try_from(self.settings.pending_after_secs).unwrap_or(i64::MAX / 2),
            );
        let pending: Vec<(i64, i64)> = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .column(message::Column::ConversationId)
            .filter(message::Column::MediaState.eq(MediaState::Pending.as_str()))
            .filter(message::Column::UpdatedAt.lt(stale))
            .limit(500)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (message_id, conversation_id) in pending {
            let number = conversation::Entity::find_by_id(conversation_id)
                .find_also_related(business_number::Entity)
                .one(&self.db)
                .await?
                .and_then(|(_, number)| number)
                .map(|n| n.phone_number_id);
            let Some(business_number) = number else {
                continue;
            };
            let job = MediaJob {
                message_id,
                business_number,
            };
            // Touched first: the next sweep waits `pending_after_secs` again.
            message::Entity::update_many()
                .col_expr(message::Column::UpdatedAt, Expr::value(now))
                .filter(message::Column::Id.eq(message_id))
                .exec(&self.db)
                .await?;
            tracing::info!(message_id, "media still pending; fetch job published again");
            super::publish_job(&self.js, &job, &job.sweep_msg_id(now)).await?;
        }
        Ok(())
    }
}

/// How one job ended.
enum Fetch {
    /// Stored, or nothing to do.
    Done,
    /// Shutting down mid-retry: another router takes it at once.
    Interrupted,
    /// Not tried (the database did not answer): redelivered after the delay.
    Later(Duration),
    /// Given up: the row says `failed`, the job goes to the DLQ.
    Failed { error: MediaError, attempts: u32 },
}
