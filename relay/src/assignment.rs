//! Conversation ownership: the one optimistic-locking transition
//! (`UPDATE … WHERE id = ? AND version = ?`) that claim, transfer, resolve,
//! reopen and automatic assignment all go through, and the choice of an agent
//! per team strategy (`round_robin`, `least_loaded`, `manual`) among agents
//! who are online, under capacity and speak the conversation's language.
//! Which team a conversation goes to is `routing`'s business.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::agent::Presence;
use entities::conversation::{ConversationStatus, CsatState};
use entities::conversation_snooze::EndReason;
use entities::team::RoutingStrategy;
use entities::{agent, business_number, contact, conversation, team, team_member};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::topology;

/// How far ahead a conversation may be snoozed.
pub const MAX_SNOOZE: chrono::Duration = chrono::Duration::days(366);

/// Statuses that count against an agent's capacity.
const OPEN_FOR_AGENT: [ConversationStatus; 2] =
    [ConversationStatus::Assigned, ConversationStatus::Pending];

/// Event kind of an automatic assignment (queues drained, a bot's
/// hand-over) in [`announce`].
pub const ASSIGNED: &str = "assigned";

/// A change of a conversation's ownership or lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An agent takes a `queued` or `bot` conversation.
    Claim { agent_id: i64 },
    /// To another agent (assigned) or back to a team's queue.
    Transfer {
        team_id: Option<i64>,
        agent_id: Option<i64>,
    },
    /// Close the conversation.
    Resolve,
    /// Reopen a resolved conversation into its team's queue.
    Reopen,
    /// Out of the active views until `until` (`snooze`), by `actor`
    /// (`agent_id` when an agent); a sleeping one is snoozed again.
    Snooze {
        until: DateTime<Utc>,
        agent_id: Option<i64>,
        actor: String,
    },
    /// An agent wakes a snoozed conversation before its time.
    Wake,
    /// The router's routing decision for a new or reopened conversation.
    Route {
        status: ConversationStatus,
        team_id: Option<i64>,
        priority: i32,
    },
}

impl Change {
    /// Short name for events and logs.
    pub const fn kind(&self) -> &'static str {
        match self {
            Change::Claim { .. } => "claimed",
            Change::Transfer { .. } => "transferred",
            Change::Resolve => "resolved",
            Change::Reopen => "reopened",
            Change::Snooze { .. } => "snoozed",
            Change::Wake => crate::snooze::WOKE,
            Change::Route { .. } => "routed",
        }
    }
}

/// Why a transition did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("conversation not found")]
    NotFound,
    /// Someone changed the conversation since `version` was read.
    #[error("conversation changed: version is {current}, not {expected}")]
    Conflict { expected: i64, current: i64 },
    /// The change does not apply to the conversation's current state.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Applies `change` if the conversation is still at `expected_version`,
/// bumping the version; returns the updated row. A snooze is started by
/// `Snooze` and ended by `Wake`, `Resolve` and `Claim` (an agent taking
/// it works on it now), each recorded by `snooze`; a transfer keeps it.
///
/// # Errors
/// `NotFound`, `Conflict` on a stale version (also when another writer wins
/// the race between the read and the update), `Invalid` when the change does
/// not fit the current status, `Database`.
pub async fn transition(
    db: &impl ConnectionTrait,
    id: i64,
    expected_version: i64,
    change: &Change,
) -> Result<conversation::Model, TransitionError> {
    let current = conversation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(TransitionError::NotFound)?;
    if current.version != expected_version {
        return Err(TransitionError::Conflict {
            expected: expected_version,
            current: current.version,
        });
    }
    let now = Utc::now();
    let mut update = conversation::Entity::update_many()
        .col_expr(
            conversation::Column::Version,
            Expr::col(conversation::Column::Version).add(1),
        )
        .col_expr(conversation::Column::UpdatedAt, Expr::value(now));
    let none_i64: Option<i64> = None;
    let none_time: Option<DateTime<Utc>> = None;
    // How this change ends a snooze of the conversation, if it sleeps.
    let mut ends_snooze = None;
    match change {
        Change::Claim { agent_id } => {
            if !matches!(
                current.status(),
                Ok(ConversationStatus::Queued | ConversationStatus::Bot)
            ) {
                return Err(TransitionError::Invalid(format!(
                    "a {} conversation cannot be claimed",
                    current.status
                )));
            }
            update = update
                .col_expr(
                    conversation::Column::Status,
                    Expr::value(ConversationStatus::Assigned),
                )
                .col_expr(conversation::Column::AssigneeId, Expr::value(*agent_id))
                .col_expr(conversation::Column::AssignedAt, Expr::value(now))
                .col_expr(conversation::Column::SnoozedUntil, Expr::value(none_time));
            ends_snooze = Some(EndReason::Agent);
        }
        Change::Transfer { team_id, agent_id } => {
            if current.status() == Ok(ConversationStatus::Resolved) {
                return Err(TransitionError::Invalid(
                    "a resolved conversation cannot be transferred; reopen it".into(),
                ));
            }
            let team_id = team_id.or(current.team_id);
            update = update.col_expr(conversation::Column::TeamId, Expr::value(team_id));
            update = match agent_id {
                Some(agent_id) => update
                    .col_expr(
                        conversation::Column::Status,
                        Expr::value(ConversationStatus::Assigned),
                    )
                    .col_expr(conversation::Column::AssigneeId, Expr::value(*agent_id))
                    .col_expr(conversation::Column::AssignedAt, Expr::value(now)),
                None => update
                    .col_expr(
                        conversation::Column::Status,
                        Expr::value(ConversationStatus::Queued),
                    )
                    .col_expr(conversation::Column::AssigneeId, Expr::value(none_i64))
                    .col_expr(conversation::Column::AssignedAt, Expr::value(none_time)),
            };
        }
        Change::Resolve => {
            if current.status() == Ok(ConversationStatus::Resolved) {
                return Err(TransitionError::Invalid("already resolved".into()));
            }
            update = update
                .col_expr(
                    conversation::Column::Status,
                    Expr::value(ConversationStatus::Resolved),
                )
                .col_expr(conversation::Column::ResolvedAt, Expr::value(Some(now)))
                .col_expr(conversation::Column::SnoozedUntil, Expr::value(none_time));
            ends_snooze = Some(EndReason::Resolved);
            // A number that asks: this resolution's question is due (sent
            // by `csat::ask_due`); the last one's answer makes way.
            let asks = business_number::Entity::find_by_id(current.business_number_id)
                .one(db)
                .await?
                .is_some_and(|n| n.csat_enabled);
            if asks {
                let none_i32: Option<i32> = None;
                update = update
                    .col_expr(
                        conversation::Column::CsatState,
                        Expr::value(CsatState::Due.as_str()),
                    )
                    .col_expr(conversation::Column::CsatAskedAt, Expr::value(none_time))
                    .col_expr(conversation::Column::CsatExpiresAt, Expr::value(none_time))
                    .col_expr(conversation::Column::CsatMessageId, Expr::value(none_i64))
                    .col_expr(conversation::Column::CsatScore, Expr::value(none_i32))
                    .col_expr(conversation::Column::CsatAnsweredAt, Expr::value(none_time));
            }
        }
        Change::Snooze { until, .. } => {
            if current.status() == Ok(ConversationStatus::Resolved) {
                return Err(TransitionError::Invalid(
                    "a resolved conversation cannot be snoozed".into(),
                ));
            }
            if *until <= now {
                return Err(TransitionError::Invalid(
                    "`until` must be in the future".into(),
                ));
            }
            if *until > now + MAX_SNOOZE {
                return Err(TransitionError::Invalid(format!(
                    "`until` must be within {} days",
                    MAX_SNOOZE.num_days()
                )));
            }
            update = update.col_expr(conversation::Column::SnoozedUntil, Expr::value(*until));
            ends_snooze = Some(EndReason::Replaced);
        }
        Change::Wake => {
            if current.snoozed_until.is_none() {
                return Err(TransitionError::Invalid(
                    "the conversation is not snoozed".into(),
                ));
            }
            update = update.col_expr(conversation::Column::SnoozedUntil, Expr::value(none_time));
            ends_snooze = Some(EndReason::Agent);
        }
        Change::Reopen => {
            if current.status() != Ok(ConversationStatus::Resolved) {
                return Err(TransitionError::Invalid(
                    "only a resolved conversation reopens".into(),
                ));
            }
            update = update
                .col_expr(
                    conversation::Column::Status,
                    Expr::value(ConversationStatus::Queued),
                )
                .col_expr(conversation::Column::AssigneeId, Expr::value(none_i64))
                .col_expr(conversation::Column::AssignedAt, Expr::value(none_time))
                .col_expr(conversation::Column::ResolvedAt, Expr::value(none_time))
                .col_expr(
                    conversation::Column::CsatState,
                    Expr::value(crate::csat::on_reopen(current.csat_state.as_deref())),
                );
        }
        Change::Route {
            status,
            team_id,
            priority,
        } => {
            update = update
                .col_expr(conversation::Column::Status, Expr::value(*status))
                .col_expr(conversation::Column::TeamId, Expr::value(*team_id))
                .col_expr(conversation::Column::Priority, Expr::value(*priority));
        }
    }
    let result = update
        .filter(conversation::Column::Id.eq(id))
        .filter(conversation::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        let current = conversation::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(TransitionError::NotFound)?;
        return Err(TransitionError::Conflict {
            expected: expected_version,
            current: current.version,
        });
    }
    if let Some(reason) = ends_snooze
        && current.snoozed_until.is_some()
    {
        crate::snooze::end(db, &[id], reason, now).await?;
    }
    if let Change::Snooze {
        until,
        agent_id,
        actor,
    } = change
    {
        crate::snooze::start(db, id, *until, *agent_id, actor, now).await?;
    }
    conversation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(TransitionError::NotFound)
}

/// Publishes the small live event of a change on
/// `wa.events.conversation.<id>` (core NATS, best effort): SSE clients and
/// every router's session cache listen.
pub async fn announce(client: &async_nats::Client, row: &conversation::Model, kind: &str) {
    let body = serde_json::json!({
        "conversation_id": row.id,
        "kind": kind,
        "status": row.status,
        "version": row.version,
        "team_id": row.team_id,
        "assignee_id": row.assignee_id,
    });
    let subject = topology::conversation_event_subject(row.id);
    if let Err(err) = client.publish(subject, body.to_string().into()).await {
        tracing::debug!(%err, "conversation event not published");
    }
}

/// Chooses an agent of `team_id` for a conversation in `language`, by the
/// team's strategy; `None` for `manual` teams or when nobody is available
/// (online, under capacity, speaking the language — an agent without
/// languages speaks any).
///
/// # Errors
/// Database errors.
pub async fn pick_agent(
    db: &impl ConnectionTrait,
    team_id: i64,
    language: Option<&str>,
) -> Result<Option<i64>, DbErr> {
    let Some(team) = team::Entity::find_by_id(team_id).one(db).await? else {
        return Ok(None);
    };
    let strategy = team.strategy.parse::<RoutingStrategy>().ok();
    if strategy == Some(RoutingStrategy::Manual) {
        return Ok(None);
    }
    let member_ids: Vec<i64> = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.agent_id)
        .collect();
    let agents = agent::Entity::find()
        .filter(agent::Column::Id.is_in(member_ids))
        .filter(agent::Column::Presence.eq(Presence::Online))
        .order_by_asc(agent::Column::Id)
        .all(db)
        .await?;
    let mut eligible = Vec::new();
    for agent in agents {
        let languages = agent.language_list();
        let speaks = match language {
            Some(lang) if !languages.is_empty() => {
                languages.iter().any(|l| l.eq_ignore_ascii_case(lang))
            }
            _ => true,
        };
        if !speaks || agent.capacity <= 0 {
            continue;
        }
        let load = agent_load(db, agent.id).await?;
        if load < u64::try_from(agent.capacity).unwrap_or(0) {
            eligible.push((agent.id, load));
        }
    }
    if eligible.is_empty() {
        return Ok(None);
    }
    if strategy == Some(RoutingStrategy::LeastLoaded) {
        return Ok(eligible
            .iter()
            .min_by_key(|(id, load)| (*load, *id))
            .map(|(id, _)| *id));
    }
    // round_robin: the next eligible agent (by id, cyclic) after the one the
    // team assigned last.
    let last = conversation::Entity::find()
        .filter(conversation::Column::TeamId.eq(team_id))
        .filter(conversation::Column::AssignedAt.is_not_null())
        .order_by_desc(conversation::Column::AssignedAt)
        .order_by_desc(conversation::Column::Id)
        .one(db)
        .await?
        .and_then(|c| c.assignee_id);
    let next = last
        .and_then(|last| eligible.iter().find(|(id, _)| *id > last))
        .or_else(|| eligible.first())
        .map(|(id, _)| *id);
    Ok(next)
}

/// Conversations an agent holds that count against capacity.
async fn agent_load(db: &impl ConnectionTrait, agent_id: i64) -> Result<u64, DbErr> {
    conversation::Entity::find()
        .filter(conversation::Column::AssigneeId.eq(agent_id))
        .filter(conversation::Column::Status.is_in(OPEN_FOR_AGENT))
        .count(db)
        .await
}

/// Assigns one queued conversation if its team has an agent available.
/// A conflict (someone claimed it meanwhile) is not an error: `None`.
///
/// # Errors
/// Database errors.
pub async fn assign(
    db: &impl ConnectionTrait,
    row: &conversation::Model,
    language: Option<&str>,
) -> Result<Option<conversation::Model>, DbErr> {
    let (Some(team_id), Ok(ConversationStatus::Queued), None) =
        (row.team_id, row.status(), row.snoozed_until)
    else {
        // Not queued, no team, or snoozed: a sleeping conversation is
        // handed out when it wakes.
        return Ok(None);
    };
    let Some(agent_id) = pick_agent(db, team_id, language).await? else {
        return Ok(None);
    };
    match transition(db, row.id, row.version, &Change::Claim { agent_id }).await {
        Ok(updated) => Ok(Some(updated)),
        Err(TransitionError::Database(err)) => Err(err),
        Err(_) => Ok(None),
    }
}

/// Hands queued conversations to available agents, highest priority first,
/// then longest waiting; called when an agent comes online or frees up.
/// Returns the conversations it assigned.
///
/// # Errors
/// Database errors.
pub async fn drain_queues(db: &impl ConnectionTrait) -> Result<Vec<conversation::Model>, DbErr> {
    let queued = conversation::Entity::find()
        .filter(conversation::Column::Status.eq(ConversationStatus::Queued))
        .filter(conversation::Column::TeamId.is_not_null())
        .filter(conversation::Column::SnoozedUntil.is_null())
        .order_by_desc(conversation::Column::Priority)
        .order_by_asc(conversation::Column::CreatedAt)
        .order_by_asc(conversation::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let contact_ids: Vec<i64> = queued.iter().map(|c| c.contact_id).collect();
    let languages: HashMap<i64, Option<String>> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(contact_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.language))
        .collect();
    // A team with nobody free for one language stays full for it this round.
    let mut full: HashSet<(i64, Option<String>)> = HashSet::new();
    let mut assigned = Vec::new();
    for row in queued {
        let language = languages.get(&row.contact_id).cloned().flatten();
        let key = (row.team_id.unwrap_or_default(), language.clone());
        if full.contains(&key) {
            continue;
        }
        match assign(db, &row, language.as_deref()).await? {
            Some(updated) => {
                crate::hooks::outbox::record_conversation(db, "conversation.assigned", &updated)
                    .await?;
                assigned.push(updated);
            }
            None => {
                full.insert(key);
            }
        }
    }
    Ok(assigned)
}

/// Hands a conversation in `bot` state to people: `team_id`'s queue at
/// `priority`, where the queues assign it as usual. The change and its
/// `conversation.handed_over` event commit together; then it is announced
/// and the queues drained. The one path of every hand-over: the bot's
/// verdict, an integrator's `POST /conversations/{id}/handoff` and the
/// bot timeout.
///
/// # Errors
/// [`TransitionError`]: a stale version, or a conversation not in `bot`
/// state any more.
pub async fn hand_over(
    db: &sea_orm::DatabaseConnection,
    client: &async_nats::Client,
    conversation: &conversation::Model,
    team_id: i64,
    priority: i32,
) -> Result<conversation::Model, TransitionError> {
    if conversation.status() != Ok(ConversationStatus::Bot) {
        return Err(TransitionError::Invalid(format!(
            "only a conversation with a bot can be handed over (it is {})",
            conversation.status
        )));
    }
    let change = Change::Route {
        status: ConversationStatus::Queued,
        team_id: Some(team_id),
        priority,
    };
    let txn = crate::db::begin_write(db).await?;
    let row = transition(&txn, conversation.id, conversation.version, &change).await?;
    crate::hooks::outbox::record_conversation(&txn, "conversation.handed_over", &row).await?;
    txn.commit().await?;
    announce(client, &row, "handover").await;
    let mut row = row;
    for assigned in drain_queues(db).await? {
        announce(client, &assigned, ASSIGNED).await;
        if assigned.id == row.id {
            row = assigned;
        }
    }
    Ok(row)
}
