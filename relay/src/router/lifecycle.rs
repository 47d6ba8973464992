//! The router's lifecycle records (`message_events`): which stages an
//! applied event adds to its message (received, stored, routed, assigned
//! for a customer's message; delivered, read, failed for a status of one of
//! our replies; repaired for an event the repair scan applied late or the
//! reconciler re-published into INBOUND). Owns the
//! choice of stages and their details; how they are written is
//! `crate::lifecycle`'s, and in a batch they are written inside its
//! transaction (`apply::apply_batch`).

use entities::message_event::Stage;
use sea_orm::DatabaseConnection;

use super::sessions::Applied;
use crate::envelope::{EventBody, InboundEvent};
use crate::topology;

/// The message's lifecycle after an event changed it: received at the
/// edge, stored in INBOUND, routed (and assigned) for a customer
/// message; delivered / read / failed for a status of one of our replies.
///
/// `repaired_from`: the edge stream and sequence a reconciler's copy names
/// ([`crate::completeness::REPAIRED_FROM_HEADER`]); such an event also gets
/// a `repaired` stage, which the `events_repaired` alert counts.
pub(crate) fn stages(
    event: &InboundEvent,
    applied: &Applied,
    stream_sequence: u64,
    delivered: i64,
    repaired_from: Option<&str>,
) -> Option<(i64, Vec<crate::lifecycle::StageRecord>)> {
    let (message_id, mut stages) = changed(event, applied, stream_sequence, delivered)?;
    if let Some(from) = repaired_from {
        stages.push((
            Stage::Repaired,
            chrono::Utc::now(),
            serde_json::json!({ "by": "reconciler", "from": from, "stream_sequence": stream_sequence }),
        ));
    }
    Some((message_id, stages))
}

fn changed(
    event: &InboundEvent,
    applied: &Applied,
    stream_sequence: u64,
    delivered: i64,
) -> Option<(i64, Vec<crate::lifecycle::StageRecord>)> {
    let now = chrono::Utc::now();
    match applied {
        Applied::Message {
            message_id,
            conversation_id,
            conversation,
            opened,
            bot,
            ..
        } => {
            let mut stages = vec![
                (
                    Stage::Received,
                    event.received_at,
                    serde_json::json!({ "region": event.region, "provider": event.provider.as_str() }),
                ),
                (
                    Stage::Stored,
                    now,
                    serde_json::json!({ "stream": topology::INBOUND, "stream_sequence": stream_sequence, "delivered": delivered }),
                ),
                (
                    Stage::Routed,
                    now,
                    serde_json::json!({
                        "conversation_id": conversation_id,
                        "status": conversation.status,
                        "team_id": conversation.team_id,
                        "opened": opened,
                        "bot": bot.is_some(),
                    }),
                ),
            ];
            if let Some(agent_id) = conversation.assignee_id {
                stages.push((
                    Stage::Assigned,
                    now,
                    serde_json::json!({ "agent_id": agent_id }),
                ));
            }
            Some((*message_id, stages))
        }
        Applied::Status { message_id, .. } => {
            let EventBody::Status(status) = &event.body else {
                return None;
            };
            // `sent` is the sender's own record; the webhook's adds nothing.
            let stage = match status.status.as_str() {
                "delivered" => Stage::Delivered,
                "read" | "played" => Stage::Read,
                "failed" => Stage::Failed,
                _ => return None,
            };
            Some((
                *message_id,
                vec![(
                    stage,
                    now,
                    serde_json::json!({
                        "via": "status webhook",
                        "provider_time": status.timestamp,
                        "region": event.region,
                        "stream_sequence": stream_sequence,
                        "error": status.error,
                    }),
                )],
            ))
        }
        Applied::Duplicate | Applied::Ignored | Applied::Recorded => None,
    }
}

/// The message's lifecycle after an event applied on its own changed it
/// (see [`stages`]), beside the event's own transaction.
pub(crate) async fn record(
    db: &DatabaseConnection,
    event: &InboundEvent,
    applied: &Applied,
    stream_sequence: u64,
    delivered: i64,
    repaired_from: Option<&str>,
) {
    if let Some((message_id, stages)) =
        stages(event, applied, stream_sequence, delivered, repaired_from)
    {
        crate::lifecycle::record_all_logged(db, message_id, stages).await;
    }
}

/// The repair scan applied a lost event to this message.
pub(crate) async fn record_repaired(
    db: &DatabaseConnection,
    applied: &Applied,
    stream_sequence: u64,
) {
    let message_id = match applied {
        Applied::Message { message_id, .. } | Applied::Status { message_id, .. } => *message_id,
        _ => 0,
    };
    crate::lifecycle::record_logged(
        db,
        message_id,
        Stage::Repaired,
        serde_json::json!({ "stream_sequence": stream_sequence }),
    )
    .await;
}
