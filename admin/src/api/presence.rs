//! Presence of people: `POST /api/v1/presence/heartbeat` (a signed-in
//! dashboard keeps its agent online or away; the rules are
//! `crate::presence`) and `POST /api/v1/conversations/:id/activity` (an
//! agent is viewing or typing in a conversation: ephemeral, published on
//! `wa.events.activity.<id>` over core NATS, which the live event stream
//! passes to the other agents' dashboards; nothing is stored).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::AppState;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};
use crate::scope::visible_conversation;

/// A dashboard's heartbeat.
#[derive(Debug, Object)]
pub struct HeartbeatIn {
    /// Seconds since the user last typed, clicked or moved the pointer in
    /// the dashboard (0–604800).
    #[oai(validator(minimum(value = "0"), maximum(value = "604800")))]
    pub idle_secs: u64,
}

/// The agent's presence after a heartbeat, and how to keep beating.
#[derive(Debug, Object)]
pub struct HeartbeatOut {
    pub agent_id: i64,
    /// online or away.
    pub presence: String,
    /// Send the next heartbeat within this many seconds.
    pub heartbeat_secs: u32,
    /// Idle this long, the agent is away.
    pub away_after_secs: u32,
    /// Without a heartbeat this long, the agent is offline.
    pub offline_after_secs: u32,
}

/// What an agent is doing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum Activity {
    /// Has it open.
    Viewing,
    /// Is writing a reply or a note.
    Typing,
    /// Closed it.
    Left,
}

impl Activity {
    const fn kind(self) -> &'static str {
        match self {
            Activity::Viewing => "viewing",
            Activity::Typing => "typing",
            Activity::Left => "left",
        }
    }
}

/// An agent's activity in a conversation.
#[derive(Debug, Object)]
pub struct ActivityIn {
    pub activity: Activity,
}

#[derive(poem_openapi::ApiResponse)]
pub enum Published {
    /// Told to the other agents' dashboards.
    #[oai(status = 204)]
    NoContent,
}

pub struct PresenceApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Agents")]
impl PresenceApi {
    /// Heartbeat of a signed-in dashboard
    ///
    /// Keeps the calling agent `online`, or `away` once `idle_secs` reaches
    /// `[admin] presence_away_secs`; without heartbeats for
    /// `presence_offline_secs` (or on logout) it is `offline`. The database
    /// is written only when the presence changes; routing's presence-aware
    /// assignment sees it. 403 for a token without an agent.
    #[oai(
        path = "/presence/heartbeat",
        method = "post",
        operation_id = "presenceHeartbeat"
    )]
    async fn heartbeat(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<HeartbeatIn>,
    ) -> ApiResult<Json<HeartbeatOut>> {
        let agent_id = auth
            .0
            .agent_id
            .ok_or_else(|| ApiError::forbidden("only an agent's login has a presence"))?;
        let presence = crate::presence::heartbeat(&state, agent_id, body.0.idle_secs).await?;
        Ok(Json(HeartbeatOut {
            agent_id,
            presence: presence.into(),
            heartbeat_secs: crate::presence::HEARTBEAT_SECS,
            away_after_secs: state.presence_away_secs,
            offline_after_secs: state.presence_offline_secs,
        }))
    }

    /// Say what you are doing in a conversation
    ///
    /// `viewing` (send it every ~10 s while it is open), `typing` (at most
    /// every few seconds while writing) or `left`. Other agents' dashboards
    /// get it as a live event (`kind` = the activity, with `agent_id` and
    /// `agent_name`) and show "Ana is viewing / typing" for ~15 s after the
    /// last one. Nothing is stored. 403 for a token without an agent or a
    /// conversation of other teams.
    #[oai(
        path = "/conversations/:id/activity",
        method = "post",
        operation_id = "conversationActivity"
    )]
    async fn activity(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ActivityIn>,
    ) -> ApiResult<Published> {
        let agent_id = auth
            .0
            .agent_id
            .ok_or_else(|| ApiError::forbidden("only an agent has activity"))?;
        visible_conversation(&state.db, &auth.0, id.0).await?;
        let name = crate::listing::agent_names(&state.db, vec![agent_id])
            .await?
            .remove(&agent_id);
        let event = serde_json::json!({
            "conversation_id": id.0,
            "kind": body.0.activity.kind(),
            "agent_id": agent_id,
            "agent_name": name,
        });
        let subject = relay::topology::activity_subject(id.0);
        if let Err(err) = state.nats.publish(subject, event.to_string().into()).await {
            tracing::debug!(%err, "activity not published");
        }
        Ok(Published::NoContent)
    }
}
