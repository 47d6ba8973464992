//! The one place that spells stream, consumer and subject names, and that
//! creates the streams: hub `INBOUND`, `OUTBOUND`, `DLQ`, the media fetch
//! work queue `MEDIA` (replicated), the KV buckets and the media Object
//! Store bucket, and one `EDGE_<REGION>` per region in that region's leaf
//! JetStream domain.
//! Creation is idempotent; a stream that exists with a config that differs in
//! a way that matters is reported as [`TopologyError::Drift`], never ignored.

use std::time::Duration;

use async_nats::jetstream::{
    self,
    stream::{Config, DiscardPolicy, External, RetentionPolicy, Source, StorageType},
};
use serde::{Deserialize, Serialize};

/// Hub stream of every inbound event (sourced from the edge streams).
pub const INBOUND: &str = "INBOUND";
/// Hub stream of replies waiting to be sent.
pub const OUTBOUND: &str = "OUTBOUND";
/// Hub stream of dead letters.
pub const DLQ: &str = "DLQ";
/// Hub work-queue stream of media fetch jobs (one per inbound media message).
pub const MEDIA: &str = "MEDIA";
/// Hub stream of events for integrators' webhooks (from the outbox), kept
/// [`WEBHOOKS_MAX_AGE`] so an endpoint's events can be recovered.
pub const WEBHOOKS: &str = "WEBHOOKS";
/// Subjects of [`WEBHOOKS`]: `wa.hook.all.<type>` for every endpoint,
/// `wa.hook.to.<endpoint id>.<type>` for one (a resend).
pub const WEBHOOKS_PREFIX: &str = "wa.hook";
/// How long [`WEBHOOKS`] keeps an event.
pub const WEBHOOKS_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Object Store bucket (in the hub) of fetched media, one object per
/// message (keyed by the message row id).
pub const MEDIA_BUCKET: &str = "WHARF_MEDIA";
/// Durable name of the media fetcher consumer on MEDIA (shared by every
/// router process).
pub const MEDIA_FETCHER_CONSUMER: &str = "media-fetcher";
/// The `<origin>` token of a dead letter the media fetcher wrote
/// (`wa.dlq.media.<reason>`).
pub const DLQ_ORIGIN_MEDIA: &str = "media";
/// The hub streams whose depth and consumers the admin server watches
/// (gauges, `/api/v1/stats`, `consumer_pending` alerts).
pub const QUEUE_STREAMS: [&str; 4] = [INBOUND, OUTBOUND, DLQ, MEDIA];
/// JetStream domain of the hub cluster.
pub const HUB_DOMAIN: &str = "hub";
/// The pseudo-region of events published straight to the hub.
pub const HUB_REGION: &str = "hub";
/// KV bucket (in the hub) of business-number credentials for the edges.
pub const NUMBERS_BUCKET: &str = "WHARF_NUMBERS";
/// KV bucket (in the hub) of alert states, one key per rule and instance;
/// written only by the admin servers' alert evaluators.
pub const ALERTS_BUCKET: &str = "WHARF_ALERTS";
/// KV bucket (in the hub) of provider session health (WasenderApi
/// `session.status`), one key per business number; written by the routers.
pub const SESSIONS_BUCKET: &str = "WHARF_SESSIONS";
/// KV bucket (in the hub) of the routers' partition leases and their
/// roster (`router::lease`).
pub const ROUTER_LEASES_BUCKET: &str = "WHARF_ROUTER_LEASES";
/// KV bucket (in the hub) of the next free send slot per business number
/// (`sender::ratelimit`).
pub const RATE_LIMITS_BUCKET: &str = "RATE_LIMITS";
/// The key, in [`ROUTER_LEASES_BUCKET`], of the roster of live routers.
pub const ROUTER_ROSTER_KEY: &str = "routers";
/// Durable name of the sender consumer on OUTBOUND.
pub const SENDER_CONSUMER: &str = "sender";
/// Durable name of the sender's campaign-lane consumer on OUTBOUND.
pub const CAMPAIGN_SENDER_CONSUMER: &str = "sender-campaigns";
/// Durable name of the DLQ indexer consumer (shared by every sender).
pub const DLQ_INDEXER_CONSUMER: &str = "dlq-indexer";
/// The `<origin>` token of a dead letter the router wrote
/// (`wa.dlq.router.<reason>`).
pub const DLQ_ORIGIN_ROUTER: &str = "router";
/// The `<origin>` token of a dead letter the sender wrote
/// (`wa.dlq.sender.<reason>`).
pub const DLQ_ORIGIN_SENDER: &str = "sender";

/// A KV bucket of the hub: its name, what it holds, how long a value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub name: &'static str,
    pub description: &'static str,
    /// Values older than this are dropped (`None`: kept).
    pub max_age: Option<Duration>,
}

/// Business-number credentials for the edges.
pub const NUMBERS: Bucket = Bucket {
    name: NUMBERS_BUCKET,
    description: "business-number credentials for the edges",
    max_age: None,
};
/// The next free send slot per business number.
pub const RATE_LIMITS: Bucket = Bucket {
    name: RATE_LIMITS_BUCKET,
    description: "next free send slot per business number",
    max_age: Some(Duration::from_secs(24 * 3600)),
};
/// Alert states of the admin evaluators.
pub const ALERTS: Bucket = Bucket {
    name: ALERTS_BUCKET,
    description: "alert states of the admin evaluators",
    max_age: None,
};
/// Provider session health by business number.
pub const SESSIONS: Bucket = Bucket {
    name: SESSIONS_BUCKET,
    description: "provider session health by business number",
    max_age: None,
};
/// Which router pulls each partition.
pub const ROUTER_LEASES: Bucket = Bucket {
    name: ROUTER_LEASES_BUCKET,
    description: "which router pulls each partition",
    max_age: None,
};
/// Every bucket of the hub, created by [`ensure_hub`].
pub const BUCKETS: [Bucket; 5] = [NUMBERS, RATE_LIMITS, ALERTS, SESSIONS, ROUTER_LEASES];
/// Prefix of live conversation events (core NATS, not stored).
pub const EVENTS_PREFIX: &str = "wa.events";

/// Stream and partition settings shared by every role (`[topology]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopologySettings {
    /// Number of conversation partitions P; fixed once traffic has flowed.
    pub partitions: u16,
    /// Replicas of the hub streams (3 in production; INBOUND must be > 1).
    pub replicas: usize,
    /// Duplicate window of every stream, in seconds.
    pub duplicate_window_secs: u64,
    /// How long an edge stream keeps events, in seconds.
    pub edge_max_age_secs: u64,
    /// How long INBOUND and OUTBOUND keep events, in seconds.
    pub hub_max_age_secs: u64,
    /// Regions whose edge streams INBOUND sources.
    pub regions: Vec<String>,
    /// How long the media Object Store bucket keeps a file, in seconds
    /// (90 days); the message row says `expired` afterwards.
    #[serde(default = "default_media_max_age_secs")]
    pub media_max_age_secs: u64,
}

fn default_media_max_age_secs() -> u64 {
    90 * 24 * 3600
}

impl Default for TopologySettings {
    fn default() -> Self {
        Self {
            partitions: 8,
            replicas: 3,
            duplicate_window_secs: 120,
            edge_max_age_secs: 7 * 24 * 3600,
            hub_max_age_secs: 7 * 24 * 3600,
            regions: vec!["eu".into(), "us".into()],
            media_max_age_secs: default_media_max_age_secs(),
        }
    }
}

impl TopologySettings {
    /// Checks the values a stream config depends on.
    ///
    /// # Errors
    /// Names the first invalid field (`(key, reason)`).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.partitions == 0 {
            return Err(("partitions", "must be at least 1".into()));
        }
        if self.replicas == 0 || self.replicas > 5 {
            return Err(("replicas", "must be between 1 and 5".into()));
        }
        if self.duplicate_window_secs == 0 {
            return Err(("duplicate_window_secs", "must be at least 1".into()));
        }
        if self.edge_max_age_secs < self.duplicate_window_secs {
            return Err((
                "edge_max_age_secs",
                "must not be shorter than duplicate_window_secs".into(),
            ));
        }
        for region in &self.regions {
            validate_region(region).map_err(|err| ("regions", err.to_string()))?;
        }
        Ok(())
    }

    fn duplicate_window(&self) -> Duration {
        Duration::from_secs(self.duplicate_window_secs)
    }
}

/// A region name that cannot stand in subjects and domains.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("region {0:?} must be 1-32 characters of a-z, 0-9 or '-' and not \"hub\"")]
pub struct InvalidRegion(pub String);

/// A region name must be a lowercase token usable in subjects and domains.
///
/// # Errors
/// [`InvalidRegion`] when it is empty, too long, `hub`, or has anything but
/// `a-z`, `0-9`, `-`.
pub fn validate_region(region: &str) -> Result<(), InvalidRegion> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region != HUB_REGION
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(InvalidRegion(region.to_owned()))
    }
}

/// True when `token` can stand as one subject token (no wildcards, dots, spaces).
pub fn is_subject_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 64
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The JetStream API subject asking `stream`'s leader to step down (a new
/// one is elected among its replicas).
pub fn stream_leader_stepdown_subject(stream: &str) -> String {
    format!("$JS.API.STREAM.LEADER.STEPDOWN.{stream}")
}

/// `EDGE_EU` for region `eu`.
pub fn edge_stream(region: &str) -> String {
    format!("EDGE_{}", region.to_ascii_uppercase().replace('-', "_"))
}

/// The JetStream domain of a region's leaf node: the region name itself.
pub fn edge_domain(region: &str) -> &str {
    region
}

/// `wa.in.<region>.>`: every inbound event of a region (its edge stream's
/// subjects, the subjects its leaf node exports to the hub).
pub fn region_inbound_subjects(region: &str) -> String {
    format!("wa.in.{region}.>")
}

/// `wa.in.<region>.<number>.<partition>`.
pub fn inbound_subject(region: &str, number: &str, partition: u16) -> String {
    // Written part by part: the edge makes one per event, and `format!`
    // took three times as long (72 against 22 ns, 2026-12-06).
    let mut out = String::with_capacity(6 + region.len() + 1 + number.len() + 6);
    for part in ["wa.in.", region, ".", number, "."] {
        out.push_str(part);
    }
    // A number alone goes through `Display` quickly.
    let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{partition}"));
    out
}

/// The hub's own subject for an inbound event first stored under
/// `subject` in a region (`wa.in.eu.<number>.<p>` → `wa.in.hub.<number>.<p>`):
/// where a repair re-publishes it into INBOUND, same partition. `None` for
/// a subject that is not an inbound event's.
pub fn inbound_subject_at_hub(subject: &str) -> Option<String> {
    let rest = subject.strip_prefix("wa.in.")?;
    let (_region, tail) = rest.split_once('.')?;
    Some(format!("wa.in.{HUB_REGION}.{tail}"))
}

/// The region an inbound subject was stored under (`wa.in.<region>.…`).
pub fn region_of_inbound_subject(subject: &str) -> Option<&str> {
    subject.strip_prefix("wa.in.")?.split('.').next()
}

/// Filter matching every inbound event of one partition, from any region.
pub fn inbound_partition_filter(partition: u16) -> String {
    format!("wa.in.*.*.{partition}")
}

/// `wa.out.<number>.<partition>`: a reply, on the support lane.
pub fn outbound_subject(number: &str, partition: u16) -> String {
    format!("wa.out.{number}.{partition}")
}

/// `wa.out.<number>.camp.<campaign>`: a campaign's message, on the
/// campaign lane (one token more than a reply's, so the lanes' filters
/// cannot overlap).
pub fn outbound_campaign_subject(number: &str, campaign: i64) -> String {
    format!("wa.out.{number}.camp.{campaign}")
}

/// The two lanes of OUTBOUND, each read by its own durable consumer of the
/// senders: replies never wait behind a campaign's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboundLane {
    /// Replies: agents', the bot's, integrators'.
    Support,
    /// Campaigns' messages, sent with what the number's limit leaves.
    Campaign,
}

impl OutboundLane {
    pub const ALL: [OutboundLane; 2] = [OutboundLane::Support, OutboundLane::Campaign];

    /// Its durable consumer.
    pub const fn consumer(self) -> &'static str {
        match self {
            Self::Support => SENDER_CONSUMER,
            Self::Campaign => CAMPAIGN_SENDER_CONSUMER,
        }
    }

    /// Its subjects.
    pub const fn filter(self) -> &'static str {
        match self {
            Self::Support => OUTBOUND_SUPPORT_FILTER,
            Self::Campaign => OUTBOUND_CAMPAIGN_FILTER,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Support => "support",
            Self::Campaign => "campaign",
        }
    }
}

/// The support lane of OUTBOUND: replies ([`outbound_subject`]).
pub const OUTBOUND_SUPPORT_FILTER: &str = "wa.out.*.*";
/// The campaign lane of OUTBOUND ([`outbound_campaign_subject`]).
pub const OUTBOUND_CAMPAIGN_FILTER: &str = "wa.out.*.camp.*";

/// `wa.dlq.<origin>.<reason>`.
pub fn dlq_subject(origin: &str, reason: &str) -> String {
    format!("wa.dlq.{origin}.{reason}")
}

/// `wa.media.<number>.<message id>`: the fetch job of one media message.
pub fn media_subject(number: &str, message_id: i64) -> String {
    format!("wa.media.{number}.{message_id}")
}

/// The object name of a message's media in [`MEDIA_BUCKET`].
pub fn media_object(message_id: i64) -> String {
    message_id.to_string()
}

/// The object name of a file an agent uploaded in [`MEDIA_BUCKET`]: its
/// own name, not the message's, since a retried reply carries the same
/// file under a new message id.
pub fn attachment_object(upload_id: &str) -> String {
    format!("out-{upload_id}")
}

/// `wa.events.conversation.<id>`: a conversation changed.
pub fn conversation_event_subject(conversation_id: i64) -> String {
    format!("{EVENTS_PREFIX}.conversation.{conversation_id}")
}

/// `wa.events.conversation.>` and `wa.events.activity.>`: what the admin
/// server's SSE streams listen to (changes, and agents' activity).
pub fn live_event_wildcards() -> [String; 2] {
    [
        format!("{EVENTS_PREFIX}.conversation.>"),
        format!("{EVENTS_PREFIX}.activity.>"),
    ]
}

/// `wa.events.activity.<id>`: an agent is viewing or typing in
/// conversation `id` (core NATS, ephemeral; apart from the conversation's
/// changes so that the routers' session caches never hear of it).
pub fn activity_subject(conversation_id: i64) -> String {
    format!("{EVENTS_PREFIX}.activity.{conversation_id}")
}

/// `wa.events.presence.agents`: agents' dashboard heartbeats and sign-outs,
/// fanned out between admin servers (core NATS).
pub fn presence_subject() -> String {
    format!("{EVENTS_PREFIX}.presence.agents")
}

/// `wa.events.<kind>`: the admin side changed configuration of `kind`
/// (`rules`, `agents`, `teams`); routers drop what they cached of it.
pub fn config_event_subject(kind: &str) -> String {
    format!("{EVENTS_PREFIX}.{kind}")
}

/// Durable name of the router consumer of one partition.
pub fn router_consumer(partition: u16) -> String {
    format!("router-p{partition}")
}

/// The partition of a contact: FNV-1a of its id, mod P. Stable across builds
/// and machines (unlike `DefaultHasher`), since edges in every region must agree.
pub fn partition_of(contact: &str, partitions: u16) -> u16 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in contact.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % u64::from(partitions.max(1))) as u16
}

/// A stream that exists with a config that differs from the wanted one.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    #[error(
        "stream {stream} exists with a different config: {}; \
         change the stream (nats stream edit/rm) or the settings so they agree",
        differences.join("; ")
    )]
    Drift {
        stream: String,
        differences: Vec<String>,
    },
    #[error("stream {stream}: {message}")]
    Api { stream: String, message: String },
}

/// The wanted config of every hub stream, in creation order.
pub fn hub_stream_configs(settings: &TopologySettings) -> Vec<Config> {
    let sources = settings
        .regions
        .iter()
        .map(|region| Source {
            name: edge_stream(region),
            external: Some(External {
                api_prefix: format!("$JS.{}.API", edge_domain(region)),
                delivery_prefix: None,
            }),
            ..Default::default()
        })
        .collect::<Vec<_>>();
    let max_age = Duration::from_secs(settings.hub_max_age_secs);
    // Every hub stream: file storage, the configured replicas and
    // duplicate window; what differs is below.
    let stream = |name: &str, description: &str, subject: String| Config {
        name: name.into(),
        description: Some(description.into()),
        subjects: vec![subject],
        retention: RetentionPolicy::Limits,
        storage: StorageType::File,
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window(),
        max_age,
        ..Default::default()
    };
    vec![
        Config {
            sources: Some(sources),
            discard: DiscardPolicy::Old,
            ..stream(
                INBOUND,
                "every inbound provider event, from every region",
                region_inbound_subjects(HUB_REGION),
            )
        },
        stream(OUTBOUND, "replies waiting to be sent", "wa.out.>".into()),
        Config {
            max_age: Duration::ZERO,
            ..stream(
                DLQ,
                "dead letters: original bytes and failure record",
                "wa.dlq.>".into(),
            )
        },
        Config {
            max_age: WEBHOOKS_MAX_AGE,
            discard: DiscardPolicy::Old,
            ..stream(
                WEBHOOKS,
                "events for integrators' webhooks, one durable consumer per endpoint",
                format!("{WEBHOOKS_PREFIX}.>"),
            )
        },
        Config {
            retention: RetentionPolicy::WorkQueue,
            ..stream(
                MEDIA,
                "media fetch jobs: one per inbound media message",
                "wa.media.>".into(),
            )
        },
    ]
}

/// The wanted config of a region's edge stream (in the leaf's domain).
pub fn edge_stream_config(settings: &TopologySettings, region: &str) -> Config {
    Config {
        name: edge_stream(region),
        description: Some(format!("inbound events accepted in region {region}")),
        subjects: vec![region_inbound_subjects(region)],
        retention: RetentionPolicy::Limits,
        storage: StorageType::File,
        num_replicas: 1,
        duplicate_window: settings.duplicate_window(),
        max_age: Duration::from_secs(settings.edge_max_age_secs),
        ..Default::default()
    }
}

/// Creates the hub streams, or checks that existing ones agree.
///
/// # Errors
/// [`TopologyError::Drift`] when an existing stream differs in replicas,
/// subjects, sources or duplicate window; `Api` when JetStream refuses.
pub async fn ensure_hub(
    js: &jetstream::Context,
    settings: &TopologySettings,
) -> Result<(), TopologyError> {
    for config in hub_stream_configs(settings) {
        ensure_stream(js, config).await?;
    }
    for bucket in &BUCKETS {
        ensure_bucket(js, bucket, settings.replicas).await?;
    }
    ensure_media_store(js, settings).await?;
    Ok(())
}

/// Opens the media Object Store bucket of the hub, creating it (replicated
/// like the streams, files kept `media_max_age_secs`) when missing.
///
/// # Errors
/// [`TopologyError::Api`] when JetStream refuses.
pub async fn ensure_media_store(
    js: &jetstream::Context,
    settings: &TopologySettings,
) -> Result<jetstream::object_store::ObjectStore, TopologyError> {
    if let Ok(store) = js.get_object_store(MEDIA_BUCKET).await {
        return Ok(store);
    }
    js.create_object_store(jetstream::object_store::Config {
        bucket: MEDIA_BUCKET.into(),
        description: Some("fetched media of inbound messages, by message id".into()),
        max_age: Duration::from_secs(settings.media_max_age_secs),
        storage: StorageType::File,
        num_replicas: settings.replicas,
        ..Default::default()
    })
    .await
    .map_err(|e| TopologyError::Api {
        stream: media_store_stream(),
        message: e.to_string(),
    })
}

/// `OBJ_WHARF_MEDIA`: the stream behind the media bucket.
pub fn media_store_stream() -> String {
    format!("OBJ_{MEDIA_BUCKET}")
}

/// Opens a KV bucket of the hub (one value per key, no history), creating
/// it with async-nats' KV API when missing.
///
/// # Errors
/// [`TopologyError::Api`] when JetStream refuses.
pub async fn ensure_bucket(
    js: &jetstream::Context,
    bucket: &Bucket,
    replicas: usize,
) -> Result<jetstream::kv::Store, TopologyError> {
    if let Ok(store) = js.get_key_value(bucket.name).await {
        return Ok(store);
    }
    js.create_key_value(jetstream::kv::Config {
        bucket: bucket.name.into(),
        description: bucket.description.into(),
        history: 1,
        max_age: bucket.max_age.unwrap_or_default(),
        num_replicas: replicas,
        storage: StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|e| TopologyError::Api {
        stream: bucket_stream(bucket.name),
        message: e.to_string(),
    })
}

/// `KV_WHARF_NUMBERS` for bucket `WHARF_NUMBERS`: the stream behind a bucket.
pub fn bucket_stream(bucket: &str) -> String {
    format!("KV_{bucket}")
}

/// Creates a region's edge stream in its leaf domain, or checks it agrees.
///
/// # Errors
/// As [`ensure_hub`].
pub async fn ensure_edge(
    js: &jetstream::Context,
    settings: &TopologySettings,
    region: &str,
) -> Result<(), TopologyError> {
    ensure_stream(js, edge_stream_config(settings, region)).await
}

async fn ensure_stream(js: &jetstream::Context, wanted: Config) -> Result<(), TopologyError> {
    let name = wanted.name.clone();
    let api = |e: &dyn std::fmt::Display| TopologyError::Api {
        stream: name.clone(),
        message: e.to_string(),
    };
    match js.get_stream(&name).await {
        Ok(mut stream) => {
            let info = stream.info().await.map_err(|e| api(&e))?;
            let existing = info.config.clone();
            let differences = differences(&existing, &wanted);
            if !differences.is_empty() {
                return Err(TopologyError::Drift {
                    stream: name,
                    differences,
                });
            }
            if missing_sources(&existing, &wanted) {
                // Adding a region is additive and safe: apply it.
                let mut updated = existing;
                updated.sources = wanted.sources.clone();
                js.update_stream(&updated).await.map_err(|e| api(&e))?;
                tracing::info!(stream = %name, "added new region sources");
            }
            Ok(())
        }
        Err(err)
            if matches!(
                err.kind(),
                jetstream::context::GetStreamErrorKind::JetStream(ref js_err)
                    if js_err.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
            ) =>
        {
            js.create_stream(wanted)
                .await
                .map_err(|e| TopologyError::Api {
                    stream: name.clone(),
                    message: format!(
                        "cannot create it: {e} (only the ops user may create streams: \
                     run `wharf provision` first)"
                    ),
                })?;
            tracing::info!(stream = %name, "created stream");
            Ok(())
        }
        Err(err) => Err(api(&err)),
    }
}

fn source_keys(config: &Config) -> Vec<String> {
    let mut keys: Vec<String> = config
        .sources
        .iter()
        .flatten()
        .map(|s| {
            let api = s
                .external
                .as_ref()
                .map(|e| e.api_prefix.as_str())
                .unwrap_or("");
            format!("{}@{}", s.name, api)
        })
        .collect();
    keys.sort();
    keys
}

fn missing_sources(existing: &Config, wanted: &Config) -> bool {
    let have = source_keys(existing);
    source_keys(wanted).iter().any(|k| !have.contains(k))
}

/// The differences that matter between an existing and a wanted config.
/// Sources present in `wanted` only are not a difference (they get added);
/// sources present in `existing` only are.
pub fn differences(existing: &Config, wanted: &Config) -> Vec<String> {
    let mut out = Vec::new();
    if existing.num_replicas.max(1) != wanted.num_replicas.max(1) {
        out.push(format!(
            "replicas {} (wanted {})",
            existing.num_replicas, wanted.num_replicas
        ));
    }
    let mut have_subjects = existing.subjects.clone();
    let mut want_subjects = wanted.subjects.clone();
    have_subjects.sort();
    want_subjects.sort();
    if have_subjects != want_subjects {
        out.push(format!(
            "subjects {have_subjects:?} (wanted {want_subjects:?})"
        ));
    }
    let want_sources = source_keys(wanted);
    let extra: Vec<String> = source_keys(existing)
        .into_iter()
        .filter(|k| !want_sources.contains(k))
        .collect();
    if !extra.is_empty() {
        out.push(format!("sources {extra:?} not in the configured regions"));
    }
    if existing.duplicate_window != wanted.duplicate_window {
        out.push(format!(
            "duplicate window {:?} (wanted {:?})",
            existing.duplicate_window, wanted.duplicate_window
        ));
    }
    if existing.retention != wanted.retention {
        out.push(format!(
            "retention {:?} (wanted {:?})",
            existing.retention, wanted.retention
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_is_stable_and_in_range() {
        assert_eq!(
            partition_of("31612345678", 8),
            partition_of("31612345678", 8)
        );
        for n in 0..1000 {
            assert!(partition_of(&n.to_string(), 7) < 7);
        }
        // FNV-1a of "a" is 0xaf63dc4c8601ec8c; pins the algorithm across builds.
        assert_eq!(
            partition_of("a", 1000),
            (0xaf63_dc4c_8601_ec8c_u64 % 1000) as u16
        );
    }

    #[test]
    fn an_inbound_subject_names_region_number_and_partition() {
        for (partition, tail) in [(0, "0"), (7, "7"), (10, "10"), (u16::MAX, "65535")] {
            assert_eq!(
                inbound_subject("eu", "1065", partition),
                format!("wa.in.eu.1065.{tail}")
            );
        }
        assert_eq!(
            region_of_inbound_subject(&inbound_subject("us", "1", 2)),
            Some("us")
        );
    }

    #[test]
    fn partitions_spread_contacts() {
        let mut counts = [0u32; 8];
        for n in 0..8000u32 {
            counts[partition_of(&format!("4915{n:08}"), 8) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 700 && c < 1300), "{counts:?}");
    }

    #[test]
    fn drift_reports_replicas_subjects_window_and_foreign_sources() {
        let settings = TopologySettings::default();
        let wanted = hub_stream_configs(&settings).remove(0);
        assert!(differences(&wanted, &wanted).is_empty());
        let mut existing = wanted.clone();
        existing.num_replicas = 1;
        existing.subjects = vec!["wa.in.>".into()];
        existing.duplicate_window = Duration::from_secs(5);
        existing.sources.get_or_insert_with(Vec::new).push(Source {
            name: "EDGE_AP".into(),
            ..Default::default()
        });
        let diff = differences(&existing, &wanted);
        assert_eq!(diff.len(), 4, "{diff:?}");
    }

    #[test]
    fn a_new_region_is_not_drift_but_a_missing_source() {
        let mut settings = TopologySettings::default();
        let existing = hub_stream_configs(&settings).remove(0);
        settings.regions.push("ap".into());
        let wanted = hub_stream_configs(&settings).remove(0);
        assert!(differences(&existing, &wanted).is_empty());
        assert!(missing_sources(&existing, &wanted));
    }

    #[test]
    fn invalid_settings_name_the_field() {
        let s = TopologySettings {
            partitions: 0,
            ..TopologySettings::default()
        };
        assert_eq!(s.validate().map_err(|e| e.0), Err("partitions"));
        let s = TopologySettings {
            regions: vec!["EU west".into()],
            ..TopologySettings::default()
        };
        assert_eq!(s.validate().map_err(|e| e.0), Err("regions"));
    }

    #[test]
    fn subject_tokens_reject_wildcards_and_dots() {
        assert!(is_subject_token("106540352242922"));
        assert!(!is_subject_token("a.b"));
        assert!(!is_subject_token("*"));
        assert!(!is_subject_token(">"));
        assert!(!is_subject_token(""));
    }
}
