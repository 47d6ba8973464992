//! Automatic presence (issue 28): a signed-in dashboard sends a heartbeat
//! (`POST /api/v1/presence/heartbeat`, every [`HEARTBEAT_SECS`]) saying how
//! long its user has been idle; the agent is `online` while active, `away`
//! after `[admin] presence_away_secs` without activity, and `offline` on
//! sign-out or once heartbeats stopped for `presence_offline_secs`. The
//! presence-aware assignment (`relay::assignment::pick_agent`) reads the
//! `agents.presence` column, so that is where the state lives.
//!
//! Keeping it cheap: the database is written on a *transition* only, never
//! on a heartbeat that changes nothing (one primary-key read tells). When
//! each agent was last heard of is kept in memory, not in the database or a
//! KV bucket: it changes every heartbeat, is only needed to notice silence,
//! and losing it loses nothing durable. Several admin servers share it over
//! core NATS (each heartbeat is fanned out on `wa.events.presence.agents`,
//! every server records it), so whichever server runs the expiry sweep
//! knows of beats that reached another one; the expiry is a conditional
//! `UPDATE … WHERE presence <> 'offline'`, so one server announces it.
//! What this leaves: an admin server that restarts forgets who it heard
//! of; an agent whose heartbeats stop while every server restarts stays as
//! it was until it beats again or signs out. A presence set by hand (`PUT
//! /agents/{id}/presence`) lasts until that agent's next heartbeat.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use entities::agent::{self, Presence};
use futures::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio_util::sync::CancellationToken;

use crate::AppState;
use crate::error::ApiResult;

/// How often the dashboard beats (it is told so in each answer).
pub const HEARTBEAT_SECS: u32 = 30;

/// How long an agent has been silent, as this process heard.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    last: Mutex<HashMap<i64, Instant>>,
}

impl Registry {
    fn beat(&self, agent_id: i64) {
        if let Ok(mut last) = self.last.lock() {
            last.insert(agent_id, Instant::now());
        }
    }

    fn forget(&self, agent_id: i64) {
        if let Ok(mut last) = self.last.lock() {
            last.remove(&agent_id);
        }
    }

    /// Agents not heard of for `silence`, taken out of the registry.
    fn silent(&self, silence: Duration) -> Vec<i64> {
        let Ok(mut last) = self.last.lock() else {
            return Vec::new();
        };
        let gone: Vec<i64> = last
            .iter()
            .filter(|(_, at)| at.elapsed() >= silence)
            .map(|(id, _)| *id)
            .collect();
        for id in &gone {
            last.remove(id);
        }
        gone
    }
}

/// What one heartbeat or sign-out carries to the other admin servers.
#[derive(serde::Serialize, serde::Deserialize)]
struct Fanout {
    agent_id: i64,
    /// `false`: signed out, forget it.
    alive: bool,
}

/// The presence a heartbeat means: away once idle for `away_secs`.
pub(crate) fn presence_for(idle_secs: u64, away_secs: u32) -> Presence {
    if idle_secs >= u64::from(away_secs) {
        Presence::Away
    } else {
        Presence::Online
    }
}

/// A heartbeat of `agent_id`, idle for `idle_secs`: recorded (here and, over
/// NATS, in the other admin servers) and, when it changes the agent's
/// presence, written and announced. Returns the presence now.
pub(crate) async fn heartbeat(
    state: &AppState,
    agent_id: i64,
    idle_secs: u64,
) -> ApiResult<Presence> {
    state.presence.beat(agent_id);
    fan_out(state, agent_id, true).await;
    let wanted = presence_for(idle_secs, state.presence_away_secs);
    set(state, agent_id, wanted).await?;
    Ok(wanted)
}

/// The agent signed out: offline now, forgotten by every admin server.
pub(crate) async fn signed_out(state: &AppState, agent_id: i64) -> ApiResult<()> {
    state.presence.forget(agent_id);
    fan_out(state, agent_id, false).await;
    set(state, agent_id, Presence::Offline).await?;
    Ok(())
}

/// Writes `presence` only where it differs (one conditional update, so of
/// several writers one changes the row); when it changed: announced, and
/// an agent coming online gets waiting conversations.
async fn set(state: &AppState, agent_id: i64, presence: Presence) -> ApiResult<bool> {
    let current = agent::Entity::find_by_id(agent_id)
        .one(&state.db)
        .await?
        .map(|a| a.presence);
    if current.as_deref() == Some(presence.as_str()) || current.is_none() {
        return Ok(false);
    }
    let changed = agent::Entity::update_many()
        .col_expr(agent::Column::Presence, Expr::value(presence.as_str()))
        .col_expr(agent::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(agent::Column::Id.eq(agent_id))
        .filter(agent::Column::Presence.ne(presence.as_str()))
        .exec(&state.db)
        .await?
        .rows_affected
        > 0;
    if changed {
        tracing::info!(agent_id, presence = presence.as_str(), "presence changed");
        crate::api::announce_change(state, "agents", Some(agent_id), "presence").await;
        if presence == Presence::Online {
            crate::api::conversations::drain(state).await?;
        }
    }
    Ok(changed)
}

async fn fan_out(state: &AppState, agent_id: i64, alive: bool) {
    let Ok(body) = serde_json::to_vec(&Fanout { agent_id, alive }) else {
        return;
    };
    if let Err(err) = state
        .nats
        .publish(relay::topology::presence_subject(), body.into())
        .await
    {
        tracing::debug!(%err, "presence heartbeat not fanned out");
    }
}

/// Records the other admin servers' heartbeats and sign-outs until
/// `shutdown` (resubscribing after a failure).
pub(crate) async fn listen(state: AppState, shutdown: CancellationToken) {
    loop {
        match state
            .nats
            .subscribe(relay::topology::presence_subject())
            .await
        {
            Ok(mut beats) => loop {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    next = beats.next() => match next {
                        Some(message) => {
                            if let Ok(beat) = serde_json::from_slice::<Fanout>(&message.payload) {
                                if beat.alive {
                                    state.presence.beat(beat.agent_id);
                                } else {
                                    state.presence.forget(beat.agent_id);
                                }
                            }
                        }
                        None => break,
                    },
                }
            },
            Err(err) => tracing::debug!(%err, "presence subscription failed; retrying"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// One sweep round: agents silent for `presence_offline_secs` go offline.
pub(crate) async fn expire(state: &AppState) -> ApiResult<()> {
    let silence = Duration::from_secs(u64::from(state.presence_offline_secs));
    for agent_id in state.presence.silent(silence) {
        set(state, agent_id, Presence::Offline).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_past_the_limit_is_away() {
        assert_eq!(presence_for(0, 300), Presence::Online);
        assert_eq!(presence_for(299, 300), Presence::Online);
        assert_eq!(presence_for(300, 300), Presence::Away);
    }

    #[test]
    fn the_registry_hands_out_the_silent_once() {
        let registry = Registry::default();
        registry.beat(1);
        registry.beat(2);
        registry.forget(2);
        assert!(registry.silent(Duration::from_secs(60)).is_empty());
        assert_eq!(registry.silent(Duration::ZERO), vec![1]);
        assert!(registry.silent(Duration::ZERO).is_empty());
    }
}
