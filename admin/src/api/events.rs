//! `/api/v1/events`: Server-Sent Events of conversation changes and of
//! agents' activity in conversations, from the core NATS subjects
//! `wa.events.conversation.>` and `wa.events.activity.>`, with keep-alive
//! comments; an agent gets
//! only the events of conversations it may see. Accepts the
//! token as a bearer header or a `token` query parameter (EventSource).

use std::time::{Duration, Instant};

use futures::StreamExt;
use poem::web::Data;
use poem_openapi::payload::EventStream;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use crate::AppState;
use crate::auth::AnyTokenAuth;
use crate::error::{ApiError, ApiResult};
use crate::scope::AgentScope;
use entities::conversation;
use sea_orm::EntityTrait;

/// One live change.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LiveEventOut {
    /// message, status, assignment, …; `viewing`, `typing` and `left` are
    /// another agent's activity in the conversation (ephemeral).
    pub kind: String,
    pub conversation_id: i64,
    pub message_id: Option<i64>,
    /// `viewing` / `typing` / `left`: the agent doing it.
    pub agent_id: Option<i64>,
    /// That agent's display name.
    pub agent_name: Option<String>,
}

/// How long an agent's stream trusts its last look at a conversation for
/// activity events.
const ACTIVITY_VERDICT_TTL: Duration = Duration::from_secs(10);

/// Per stream: whether the agent may see a conversation, and since when.
type Verdicts = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<i64, (bool, Instant)>>>;

pub struct EventsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Events")]
impl EventsApi {
    /// Live conversation events
    ///
    /// A Server-Sent Events stream: one `LiveEventOut` JSON per change, a
    /// keep-alive comment every 15 s. Reload the affected conversation on
    /// an event; after a reconnect, reload the list (events are not replayed).
    #[oai(path = "/events", method = "get", operation_id = "streamEvents")]
    async fn events(
        &self,
        auth: AnyTokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<EventStream<futures::stream::BoxStream<'static, LiveEventOut>>> {
        // Agents get the events of the conversations they may see (their
        // teams', and their own), checked against the database per change.
        // Activity (viewing, typing: several per second with many agents)
        // reuses this stream's last verdict on the conversation for
        // ACTIVITY_VERDICT_TTL; every change reads the row again.
        let scope = AgentScope::of(&state.db, auth.principal()).await?;
        let me = auth.principal().agent_id;
        let db = state.db.clone();
        let verdicts: Verdicts = std::sync::Arc::default();
        let [changes, activity] = relay::topology::live_event_wildcards();
        let changes = state
            .nats
            .subscribe(changes)
            .await
            .map_err(ApiError::unavailable)?;
        let activity = state
            .nats
            .subscribe(activity)
            .await
            .map_err(ApiError::unavailable)?;
        let stream = futures::stream::select(changes, activity)
            .filter_map(move |message| {
                let (scope, db, verdicts) = (scope.clone(), db.clone(), verdicts.clone());
                async move {
                    let value: serde_json::Value = serde_json::from_slice(&message.payload).ok()?;
                    let event = LiveEventOut {
                        kind: value.get("kind")?.as_str()?.to_owned(),
                        conversation_id: value.get("conversation_id")?.as_i64()?,
                        message_id: value.get("message_id").and_then(serde_json::Value::as_i64),
                        agent_id: value.get("agent_id").and_then(serde_json::Value::as_i64),
                        agent_name: value
                            .get("agent_name")
                            .and_then(serde_json::Value::as_str)
                            .map(str::to_owned),
                    };
                    let is_activity = event.agent_id.is_some();
                    // One's own activity is no news to one's dashboard.
                    if is_activity && event.agent_id == me {
                        return None;
                    }
                    if let Some(scope) = scope {
                        let id = event.conversation_id;
                        let cached = is_activity
                            .then(|| {
                                verdicts.lock().ok().and_then(|v| {
                                    v.get(&id)
                                        .filter(|(_, at)| at.elapsed() < ACTIVITY_VERDICT_TTL)
                                        .map(|(sees, _)| *sees)
                                })
                            })
                            .flatten();
                        let sees = match cached {
                            Some(sees) => sees,
                            None => {
                                let row =
                                    conversation::Entity::find_by_id(id).one(&db).await.ok()??;
                                let sees = scope.sees(&row);
                                if let Ok(mut v) = verdicts.lock() {
                                    v.insert(id, (sees, Instant::now()));
                                }
                                sees
                            }
                        };
                        if !sees {
                            return None;
                        }
                    }
                    Some(event)
                }
            })
            .boxed();
        Ok(EventStream::new(stream).keep_alive(Duration::from_secs(15)))
    }
}
