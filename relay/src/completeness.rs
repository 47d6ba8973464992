//! Completeness of the inbound path: for a time range, what each region's
//! edge stream accepted, what of it reached INBOUND (by `Nats-Msg-Id`), and
//! what became message rows; and the repair of an accepted event INBOUND
//! lacks (re-published from the edge stream into INBOUND under the hub's
//! subject, same partition and id: the duplicate window and the database's
//! unique index make a repeat harmless). Owns the comparison and the
//! re-publish, not when they run (`wharf audit`, the reconciler loop).

use std::collections::HashSet;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::DeliverPolicy};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::envelope::MSG_ID_HEADER;
use crate::topology;

/// Header a repaired copy carries: `<edge stream>:<sequence>` it came from.
pub const REPAIRED_FROM_HEADER: &str = "Wharf-Repaired-From";

/// Suffix of the id of a repaired copy published under a second id: when
/// INBOUND's duplicate window still remembers the first (the event was
/// stored, then lost), a re-publish under it would be dropped. The
/// database's unique index keeps the row single either way.
pub const REPAIR_ID_SUFFIX: &str = "#repair";

/// The event id a stored id stands for (a repaired copy's, without its suffix).
pub fn original_id(id: &str) -> &str {
    id.strip_suffix(REPAIR_ID_SUFFIX).unwrap_or(id)
}

/// Why a completeness check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CompletenessError {
    #[error("stream {stream}: {message}")]
    Stream { stream: String, message: String },
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("re-publishing {msg_id}: {message}")]
    Publish { msg_id: String, message: String },
}

fn stream_error(stream: &str) -> impl Fn(&dyn std::fmt::Display) -> CompletenessError + '_ {
    move |e| CompletenessError::Stream {
        stream: stream.to_owned(),
        message: e.to_string(),
    }
}

/// An accepted event that INBOUND does not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingEvent {
    pub region: String,
    /// Its sequence in the region's edge stream.
    pub sequence: u64,
    pub msg_id: String,
    pub subject: String,
    pub accepted_at: DateTime<Utc>,
}

/// One region's figures for a time range.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RegionReport {
    pub region: String,
    /// Events the region's edge stream holds from the range.
    pub accepted: u64,
    /// Of those, how many INBOUND holds (by id).
    pub in_inbound: u64,
    /// Of the accepted customer messages, how many are message rows.
    pub messages: u64,
    pub message_rows: u64,
    /// Accepted, not in INBOUND.
    pub missing: Vec<MissingEvent>,
    /// Accepted messages in INBOUND without a row (ids).
    pub without_row: Vec<String>,
}

/// What the edge stream holds between `since` and `until`: (sequence,
/// id, subject, time), headers only.
async fn edge_events(
    leaf: &jetstream::Context,
    region: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(u64, String, String, DateTime<Utc>)>, CompletenessError> {
    let name = topology::edge_stream(region);
    let mut out = Vec::new();
    for (sequence, headers, subject, at) in read_headers(leaf, &name, since, until).await? {
        if let Some(id) = headers {
            out.push((sequence, id, subject, at));
        }
    }
    Ok(out)
}

/// Headers-only read of `stream` from `since` up to `until` (or its end):
/// (sequence, msg id, subject, time) per message.
async fn read_headers(
    js: &jetstream::Context,
    stream: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(u64, Option<String>, String, DateTime<Utc>)>, CompletenessError> {
    let err = stream_error(stream);
    let handle = js.get_stream(stream).await.map_err(|e| err(&e))?;
    let last = handle
        .get_info()
        .await
        .map_err(|e| err(&e))?
        .state
        .last_sequence;
    let mut out = Vec::new();
    if last == 0 {
        return Ok(out);
    }
    let start_time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(
        since.timestamp_nanos_opt().unwrap_or_default(),
    ))
    .map_err(|e| err(&e))?;
    let consumer = handle
        .create_consumer(jetstream::consumer::pull::OrderedConfig {
            deliver_policy: DeliverPolicy::ByStartTime { start_time },
            headers_only: true,
            ..Default::default()
        })
        .await
        .map_err(|e| err(&e))?;
    let mut messages = consumer.messages().await.map_err(|e| err(&e))?;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), messages.next()).await;
        let message = match next {
            Err(_) | Ok(None) => break,
            Ok(Some(message)) => message.map_err(|e| err(&e))?,
        };
        let info = message.info().map_err(|e| err(&e))?;
        let (sequence, pending) = (info.stream_sequence, info.pending);
        let at = DateTime::<Utc>::from_timestamp_nanos(
            i64::try_from(info.published.unix_timestamp_nanos()).unwrap_or(i64::MAX),
        );
        if at > until {
            break;
        }
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(MSG_ID_HEADER))
            .map(ToString::to_string);
        out.push((sequence, id, message.subject.to_string(), at));
        if pending == 0 || sequence >= last {
            break;
        }
    }
    Ok(out)
}

/// Ids INBOUND holds from `since` on (sourced copies arrive after their
/// edge time, so reading from `since` to the end misses none).
async fn inbound_ids(
    hub: &jetstream::Context,
    since: DateTime<Utc>,
) -> Result<HashSet<String>, CompletenessError> {
    let far = Utc::now() + chrono::Duration::days(1);
    Ok(read_headers(hub, topology::INBOUND, since, far)
        .await?
        .into_iter()
        .filter_map(|(_, id, _, _)| id)
        .map(|id| original_id(&id).to_owned())
        .collect())
}

/// The provider message id of a customer message's event id
/// (`meta:msg:wamid.X` → (`meta`, `wamid.X`)).
fn message_of(msg_id: &str) -> Option<(&str, &str)> {
    let (provider, rest) = msg_id.split_once(':')?;
    Some((provider, rest.strip_prefix("msg:")?))
}

/// Compares every region in `regions` for events accepted between `since`
/// and `until`, through `hub` (the hub's JetStream) and `leaf(region)`.
///
/// # Errors
/// When a stream cannot be read or the database answers with an error.
pub async fn report(
    hub: &jetstream::Context,
    leaf: impl Fn(&str) -> jetstream::Context,
    database: Option<&DatabaseConnection>,
    regions: &[String],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<RegionReport>, CompletenessError> {
    let in_inbound = inbound_ids(hub, since).await?;
    let mut reports = Vec::new();
    for region in regions {
        let events = edge_events(&leaf(region), region, since, until).await?;
        let mut report = RegionReport {
            region: region.clone(),
            accepted: events.len() as u64,
            ..RegionReport::default()
        };
        let mut messages = Vec::new();
        for (sequence, id, subject, at) in events {
            if in_inbound.contains(&id) {
                report.in_inbound += 1;
                if message_of(&id).is_some() {
                    messages.push(id);
                }
            } else {
                report.missing.push(MissingEvent {
                    region: region.clone(),
                    sequence,
                    msg_id: id,
                    subject,
                    accepted_at: at,
                });
            }
        }
        report.messages = messages.len() as u64;
        if let Some(db) = database {
            let found = message_rows(db, &messages).await?;
            report.message_rows = found.len() as u64;
            report.without_row = messages
                .into_iter()
                .filter(|id| !found.contains(id))
                .collect();
        }
        reports.push(report);
    }
    Ok(reports)
}

/// Which of `ids` (customer message event ids) have a message row.
async fn message_rows(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<HashSet<String>, CompletenessError> {
    use entities::message;
    let mut found = HashSet::new();
    for chunk in ids.chunks(500) {
        let wanted: Vec<&str> = chunk
            .iter()
            .filter_map(|id| message_of(id))
            .map(|m| m.1)
            .collect();
        let rows: Vec<(String, Option<String>)> = message::Entity::find()
            .select_only()
            .column(message::Column::Provider)
            .column(message::Column::ProviderMessageId)
            .filter(message::Column::ProviderMessageId.is_in(wanted))
            .into_tuple()
            .all(db)
            .await?;
        for (provider, id) in rows {
            if let Some(id) = id {
                found.insert(format!("{provider}:msg:{id}"));
            }
        }
    }
    Ok(found)
}

/// Re-publishes each missing event from its edge stream into INBOUND (the
/// hub's subject for it, its id, a [`REPAIRED_FROM_HEADER`]). Returns how
/// many INBOUND stored anew (a copy it already had is not counted).
///
/// # Errors
/// When an event cannot be read from its edge stream or INBOUND refuses it.
pub async fn republish(
    hub: &jetstream::Context,
    leaf: impl Fn(&str) -> jetstream::Context,
    missing: &[MissingEvent],
) -> Result<u64, CompletenessError> {
    let mut stored = 0;
    for event in missing {
        let stream = topology::edge_stream(&event.region);
        let err = stream_error(&stream);
        let original = leaf(&event.region)
            .get_stream(&stream)
            .await
            .map_err(|e| err(&e))?
            .get_raw_message(event.sequence)
            .await
            .map_err(|e| err(&e))?;
        let subject = topology::inbound_subject_at_hub(&original.subject).ok_or_else(|| {
            CompletenessError::Publish {
                msg_id: event.msg_id.clone(),
                message: format!("{} is not an inbound subject", original.subject),
            }
        })?;
        let mut headers = crate::envelope::headers_to_republish(&original.headers, |_| false);
        headers.insert(MSG_ID_HEADER, event.msg_id.as_str());
        headers.insert(
            REPAIRED_FROM_HEADER,
            format!("{stream}:{}", event.sequence).as_str(),
        );
        let publish = |e: &dyn std::fmt::Display| CompletenessError::Publish {
            msg_id: event.msg_id.clone(),
            message: e.to_string(),
        };
        let ack = hub
            .publish_with_headers(subject.clone(), headers.clone(), original.payload.clone())
            .await
            .map_err(|e| publish(&e))?
            .await
            .map_err(|e| publish(&e))?;
        // Dropped as a duplicate although INBOUND lacks it: stored once, then
        // lost. Again under the repair id (once: that id dedupes repeats).
        let ack = if ack.duplicate {
            let second = format!("{}{REPAIR_ID_SUFFIX}", event.msg_id);
            headers.insert(MSG_ID_HEADER, second.as_str());
            hub.publish_with_headers(subject, headers, original.payload.clone())
                .await
                .map_err(|e| publish(&e))?
                .await
                .map_err(|e| publish(&e))?
        } else {
            ack
        };
        if !ack.duplicate {
            stored += 1;
            metrics::counter!(crate::observe::RECONCILED, "region" => event.region.clone())
                .increment(1);
            tracing::warn!(
                region = %event.region,
                msg_id = %event.msg_id,
                sequence = event.sequence,
                "accepted event missing from INBOUND: re-published"
            );
        }
    }
    Ok(stored)
}

/// `[reconciler]`: the loop that keeps INBOUND complete.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcilerSettings {
    /// Off: only `wharf audit` compares.
    pub enabled: bool,
    /// Seconds between two passes.
    pub every_secs: u64,
    /// Each pass looks at events accepted within this many seconds...
    pub window_secs: u64,
    /// ...except the newest ones, still on their way to INBOUND.
    pub grace_secs: u64,
    /// A region's source into INBOUND silent this long gets INBOUND's
    /// leader stepped down (`crate::sources`); 0: never.
    pub stepdown_after_secs: u64,
}

impl Default for ReconcilerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            every_secs: 60,
            window_secs: 600,
            grace_secs: 30,
            stepdown_after_secs: 10,
        }
    }
}

/// Every `every_secs`, compares each region's edge stream with INBOUND over
/// the window and re-publishes what INBOUND lacks (as `wharf audit
/// --repair`, without the database). Any number may run: a repeat is a
/// duplicate INBOUND drops. Needs a connection that may read the edge
/// streams through the leaves' domains and publish `wa.in.hub.>` (the
/// `reconciler` user of nats.conf).
pub struct Reconciler {
    pub client: async_nats::Client,
    pub regions: Vec<String>,
    pub settings: ReconcilerSettings,
}

impl Reconciler {
    /// One pass: how many events it re-published.
    ///
    /// # Errors
    /// As [`report`] and [`republish`].
    pub async fn pass(&self) -> Result<u64, CompletenessError> {
        let now = Utc::now();
        let secs = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX));
        let since = now - secs(self.settings.window_secs);
        let until = now - secs(self.settings.grace_secs);
        let hub = jetstream::new(self.client.clone());
        let client = self.client.clone();
        let leaf =
            |region: &str| jetstream::with_domain(client.clone(), topology::edge_domain(region));
        let reports = report(&hub, leaf, None, &self.regions, since, until).await?;
        let missing: Vec<_> = reports.into_iter().flat_map(|r| r.missing).collect();
        if missing.is_empty() {
            return Ok(0);
        }
        republish(&hub, leaf, &missing).await
    }

    /// Passes until `shutdown`; a failed pass is logged and retried next
    /// time. Beside them, the source watch keeps INBOUND's sources live.
    pub async fn run(self, shutdown: tokio_util::sync::CancellationToken) {
        if !self.settings.enabled {
            return;
        }
        let watch = crate::sources::SourceWatch {
            client: self.client.clone(),
            regions: self.regions.clone(),
            stepdown_after_secs: self.settings.stepdown_after_secs,
        };
        tokio::join!(watch.run(shutdown.clone()), self.passes(shutdown.clone()));
    }

    async fn passes(&self, shutdown: tokio_util::sync::CancellationToken) {
        // Each region's count exists from the start, so an alert on its
        // increase sees the first repair.
        for region in &self.regions {
            metrics::counter!(crate::observe::RECONCILED, "region" => region.clone()).absolute(0);
        }
        let every = Duration::from_secs(self.settings.every_secs.max(1));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            match self.pass().await {
                Ok(0) => tracing::debug!("reconciler: INBOUND complete"),
                Ok(n) => tracing::warn!(
                    repaired = n,
                    "reconciler re-published events INBOUND lacked"
                ),
                Err(err) => tracing::warn!(%err, "reconciler pass failed; next one in {every:?}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repaired_copy_stands_for_its_original() {
        assert_eq!(original_id("meta:msg:w.1#repair"), "meta:msg:w.1");
        assert_eq!(original_id("meta:msg:w.1"), "meta:msg:w.1");
    }

    #[test]
    fn only_customer_messages_name_a_message_row() {
        assert_eq!(message_of("meta:msg:wamid.1"), Some(("meta", "wamid.1")));
        assert_eq!(message_of("meta:status:wamid.1:read"), None);
        assert_eq!(message_of("wasender:session:x:y:z"), None);
        assert_eq!(message_of("nonsense"), None);
    }

    #[test]
    fn a_repair_lands_on_the_hubs_subject_of_the_same_partition() {
        assert_eq!(
            topology::inbound_subject_at_hub("wa.in.eu.15550001.3").as_deref(),
            Some("wa.in.hub.15550001.3")
        );
        assert_eq!(topology::inbound_subject_at_hub("wa.out.1.2"), None);
        assert_eq!(
            topology::region_of_inbound_subject("wa.in.us.1.2"),
            Some("us")
        );
    }
}
