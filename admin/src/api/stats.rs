//! `/api/v1/stats`: the system at a glance — stream depths, consumer backlog
//! per partition, outbound delivery outcomes, conversations by status and
//! the edges' cumulative ingest counters (read from their `/metrics`; rates
//! are the reader's job, from two readings).

use entities::message::{Direction, MessageStatus};
use entities::{conversation, message};
use futures::TryStreamExt;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};

use super::ApiTags;
use crate::AppState;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// One hub stream.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StreamStatsOut {
    pub name: String,
    pub messages: u64,
    pub bytes: u64,
    pub consumers: usize,
}

/// One durable consumer (a router partition, the sender, …).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConsumerStatsOut {
    pub stream: String,
    pub name: String,
    /// Messages not yet delivered.
    pub pending: u64,
    /// Delivered, not yet acked.
    pub ack_pending: u64,
    /// Deliveries beyond the first.
    pub redelivered: u64,
}

/// A count per status.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatusCountOut {
    pub status: String,
    pub count: i64,
}

/// Outbound delivery outcomes.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeliveryStatsOut {
    pub by_status: Vec<StatusCountOut>,
    /// (sent + delivered + read) / (those + failed); absent before any outcome.
    pub success_rate: Option<f64>,
}

/// The edges' cumulative counters since each edge started, summed over the
/// edges that answered. Rates come from the difference of two readings.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct IngestStatsOut {
    /// Edges whose `/metrics` were read.
    pub edges: u64,
    /// Edges whose `/metrics` could not be read this time.
    pub edges_unreachable: u64,
    /// Webhook deliveries answered 200.
    pub webhooks_accepted: u64,
    /// Webhook deliveries refused (bad signature, overloaded, …).
    pub webhooks_rejected: u64,
    /// Events stored in the edge streams (a delivery may hold several).
    pub events_stored: u64,
    /// Sum of the seconds from a delivery's arrival to its last PubAck.
    pub ack_seconds_sum: f64,
    /// Deliveries counted in `ack_seconds_sum`.
    pub ack_seconds_count: u64,
}

/// The system at a glance.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatsOut {
    pub streams: Vec<StreamStatsOut>,
    pub consumers: Vec<ConsumerStatsOut>,
    pub deliveries: DeliveryStatsOut,
    pub conversations: Vec<StatusCountOut>,
    /// The edges' ingest counters; absent when this server knows no edge
    /// `/metrics` URL (`alerts.edge_metrics_urls`).
    pub ingest: Option<IngestStatsOut>,
}

#[derive(Debug, FromQueryResult)]
struct StatusCount {
    status: String,
    count: i64,
}

pub struct StatsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::System")]
impl StatsApi {
    /// System statistics
    #[oai(path = "/stats", method = "get", operation_id = "getStats")]
    async fn stats(&self, _auth: TokenAuth, state: Data<&AppState>) -> ApiResult<Json<StatsOut>> {
        let mut streams = Vec::new();
        let mut consumers = Vec::new();
        for name in relay::topology::QUEUE_STREAMS {
            let mut stream = state
                .js
                .get_stream(name)
                .await
                .map_err(ApiError::unavailable)?;
            let info = stream.info().await.map_err(ApiError::unavailable)?;
            streams.push(StreamStatsOut {
                name: name.to_owned(),
                messages: info.state.messages,
                bytes: info.state.bytes,
                consumers: info.state.consumer_count,
            });
            let infos: Vec<_> = stream
                .consumers()
                .try_collect()
                .await
                .map_err(ApiError::unavailable)?;
            for consumer in infos {
                consumers.push(ConsumerStatsOut {
                    stream: name.to_owned(),
                    name: consumer.name,
                    pending: consumer.num_pending,
                    ack_pending: consumer.num_ack_pending as u64,
                    redelivered: consumer.num_redelivered as u64,
                });
            }
        }
        consumers.sort_by(|a, b| (&a.stream, &a.name).cmp(&(&b.stream, &b.name)));
        let outbound: Vec<StatusCount> = message::Entity::find()
            .select_only()
            .column(message::Column::Status)
            .column_as(message::Column::Id.count(), "count")
            .filter(message::Column::Direction.eq(Direction::Outbound))
            .group_by(message::Column::Status)
            .into_model()
            .all(&state.db)
            .await?;
        let count_of = |wanted: &[MessageStatus]| -> i64 {
            outbound
                .iter()
                .filter(|c| c.status.parse().is_ok_and(|s| wanted.contains(&s)))
                .map(|c| c.count)
                .sum()
        };
        let succeeded = count_of(&[
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Played,
        ]);
        let failed = count_of(&[MessageStatus::Failed]);
        let success_rate =
            (succeeded + failed > 0).then(|| succeeded as f64 / (succeeded + failed) as f64);
        let by_conversation: Vec<StatusCount> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Status)
            .column_as(conversation::Column::Id.count(), "count")
            .group_by(conversation::Column::Status)
            .into_model()
            .all(&state.db)
            .await?;
        let counts = |rows: Vec<StatusCount>| {
            rows.into_iter()
                .map(|c| StatusCountOut {
                    status: c.status,
                    count: c.count,
                })
                .collect()
        };
        Ok(Json(StatsOut {
            streams,
            consumers,
            deliveries: DeliveryStatsOut {
                by_status: counts(outbound),
                success_rate,
            },
            conversations: counts(by_conversation),
            ingest: ingest(&state).await,
        }))
    }
}

/// Reads and sums the edges' counters; `None` without edge URLs.
async fn ingest(state: &AppState) -> Option<IngestStatsOut> {
    use crate::alerts::sources::sum_counter;
    use relay::observe;
    if state.edge_metrics_urls.is_empty() {
        return None;
    }
    let reads = state.edge_metrics_urls.iter().map(|url| async move {
        let response = state.http.get(url).send().await.ok()?;
        response.error_for_status().ok()?.text().await.ok()
    });
    let texts = futures::future::join_all(reads).await;
    let mut out = IngestStatsOut {
        edges: 0,
        edges_unreachable: 0,
        webhooks_accepted: 0,
        webhooks_rejected: 0,
        events_stored: 0,
        ack_seconds_sum: 0.0,
        ack_seconds_count: 0,
    };
    for text in texts {
        let Some(text) = text else {
            out.edges_unreachable += 1;
            continue;
        };
        let count = |name: &str| sum_counter(&text, name, &[]).max(0.0) as u64;
        out.edges += 1;
        out.webhooks_accepted += count(observe::WEBHOOKS_ACCEPTED);
        out.webhooks_rejected += count(observe::WEBHOOKS_REJECTED);
        out.events_stored += count(observe::EVENTS_STORED);
        out.ack_seconds_sum += sum_counter(&text, &format!("{}_sum", observe::ACK_SECONDS), &[]);
        out.ack_seconds_count += count(&format!("{}_count", observe::ACK_SECONDS));
    }
    Some(out)
}
