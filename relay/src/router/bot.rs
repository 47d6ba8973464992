//! The bot of a conversation routed to one: after the customer's message is
//! committed, an HTTP bot is asked what to say (or whether to hand over to
//! people), or the script's canned replies answer; the answer is queued as
//! an outbound reply like an agent's. Best effort: a failure is logged and
//! the event stays applied. Owns the bot call and the hand-over; which
//! conversations a bot takes is `crate::routing`'s, the reply's way out
//! `crate::outbound`'s.

use std::time::Duration;

use async_nats::jetstream;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::sessions::Applied;
use crate::assignment;
use crate::envelope::{EventBody, InboundEvent, ReplyContent};
use crate::routing::BotScript;
use entities::conversation;

/// What answers as a bot: the connections the answer goes out through.
pub(crate) struct Bot {
    db: DatabaseConnection,
    js: jetstream::Context,
    client: async_nats::Client,
    partitions: u16,
    /// For HTTP bots.
    http: reqwest::Client,
}

/// What an HTTP bot answers.
#[derive(Debug, Deserialize)]
struct BotVerdict {
    #[serde(default)]
    reply: Option<String>,
    #[serde(default)]
    handover: bool,
}

/// Why an HTTP bot gave no verdict (the canned replies answer instead).
#[derive(Debug, thiserror::Error)]
enum BotError {
    #[error("request failed: {0}")]
    Request(reqwest::Error),
    #[error("HTTP {0}")]
    Status(reqwest::StatusCode),
    #[error("unreadable answer: {0}")]
    Unreadable(reqwest::Error),
}

impl Bot {
    pub(crate) fn new(
        db: DatabaseConnection,
        js: jetstream::Context,
        client: async_nats::Client,
        partitions: u16,
    ) -> Self {
        Self {
            db,
            js,
            client,
            partitions,
            http: crate::tls::client_builder()
                .connect_timeout(Duration::from_secs(2))
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
        }
    }

    /// A conversation handed to a bot gets the script's canned answer
    /// (best effort: a failed reply is logged, the event stays applied).
    pub(crate) async fn answer(&self, event: &InboundEvent, applied: &Applied) {
        let Applied::Message {
            conversation_id,
            conversation,
            bot: Some(script),
            ..
        } = applied
        else {
            return;
        };
        // A bot on integrators' webhooks answers through the API.
        if script.webhook {
            return;
        }
        let text = match &event.body {
            EventBody::Message(m) => m.text.as_deref(),
            _ => None,
        };
        let answer = match &script.endpoint {
            Some(endpoint) => match self.ask_http(endpoint, event, *conversation_id, text).await {
                Ok(verdict) if verdict.handover => {
                    self.hand_over(conversation, script).await;
                    return;
                }
                Ok(verdict) => verdict.reply,
                Err(err) => {
                    tracing::warn!(conversation_id, %err, "HTTP bot failed; canned replies answer");
                    script.answer(text).map(str::to_owned)
                }
            },
            None => script.answer(text).map(str::to_owned),
        };
        let Some(answer) = answer.filter(|a| !a.trim().is_empty()) else {
            return;
        };
        let content = ReplyContent::Text { body: answer };
        if let Err(err) = crate::outbound::enqueue_reply(
            &self.db,
            &self.js,
            self.partitions,
            *conversation_id,
            None,
            content,
        )
        .await
        {
            tracing::warn!(conversation_id, %err, "bot reply not queued");
        }
    }

    /// Asks an HTTP bot what to say (or whether to hand over).
    async fn ask_http(
        &self,
        endpoint: &str,
        event: &InboundEvent,
        conversation_id: i64,
        text: Option<&str>,
    ) -> Result<BotVerdict, BotError> {
        let response = self
            .http
            .post(endpoint)
            .json(&serde_json::json!({
                "conversation_id": conversation_id,
                "contact": {"wa_id": event.contact.wa_id, "name": event.contact.profile_name,
                            "user_id": event.contact.user_id, "username": event.contact.username},
                "business_number": event.business_number,
                "text": text,
            }))
            .send()
            .await
            .map_err(|e| BotError::Request(e.without_url()))?;
        if !response.status().is_success() {
            return Err(BotError::Status(response.status()));
        }
        response
            .json::<BotVerdict>()
            .await
            .map_err(|e| BotError::Unreadable(e.without_url()))
    }

    /// The bot hands the conversation to its handover team's queue.
    async fn hand_over(&self, conversation: &conversation::Model, script: &BotScript) {
        let Some(team_id) = script.handover_team_id else {
            tracing::warn!(
                conversation = conversation.id,
                "bot asked for a human but has no handover team"
            );
            return;
        };
        if let Err(err) = assignment::hand_over(
            &self.db,
            &self.client,
            conversation,
            team_id,
            script.handover_priority,
        )
        .await
        {
            tracing::warn!(conversation = conversation.id, %err, "bot handover failed");
        }
    }
}

/// Hands over every conversation whose customer has waited in `bot` state
/// longer than the handover script's `handover_after_secs`, every `every`,
/// until `shutdown`: an unreachable bot never strands a customer. Several
/// routers may run it; the version check lets one hand each over.
pub(crate) async fn timeout_loop(
    db: DatabaseConnection,
    client: async_nats::Client,
    every: Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        if let Err(err) = hand_over_stale(&db, &client).await {
            tracing::warn!(%err, "bot timeout check failed");
        }
    }
}

async fn hand_over_stale(
    db: &DatabaseConnection,
    client: &async_nats::Client,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let rules = crate::routing::load(db).await?;
    let Some(script) = crate::routing::handover_script(&rules) else {
        return Ok(());
    };
    let (Some(after), Some(team_id)) = (script.handover_after_secs, script.handover_team_id) else {
        return Ok(());
    };
    let stale = chrono::Utc::now()
        - chrono::Duration::seconds(i64::try_from(after).unwrap_or(i64::MAX / 2));
    let waiting = conversation::Entity::find()
        .filter(conversation::Column::Status.eq(entities::conversation::ConversationStatus::Bot))
        .filter(conversation::Column::WaitingSince.lt(stale))
        .limit(100)
        .all(db)
        .await?;
    for row in waiting {
        match assignment::hand_over(db, client, &row, team_id, script.handover_priority).await {
            Ok(_) => tracing::info!(
                conversation = row.id,
                "bot did not answer in time; handed over"
            ),
            Err(err) => {
                tracing::debug!(conversation = row.id, %err, "bot timeout handover skipped")
            }
        }
    }
    Ok(())
}
