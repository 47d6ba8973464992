//! Bot figures and agents' presence time (issue 24, second slice), kept
//! like the first slice's (`m20261204_000014_support_measures`): by
//! triggers, in the transaction of the change that causes them.
//!
//! - A conversation leaving `bot` state for people (the router's hand-over
//!   on a keyword, `relay::assignment::hand_over`, an agent claiming or a
//!   transfer) writes a `handoff` measure: from the opening's first
//!   customer message (`opened_at`) to the change (`updated_at`).
//! - A conversation resolved straight from `bot` state with no agent reply
//!   in its opening (`first_response_at` unset) writes a `bot_resolved`
//!   measure beside its `resolution`.
//! - `agent_presence_intervals`: a change of `agents.presence` ends the
//!   agent's open interval and, unless the agent goes offline, opens one
//!   in the new state, both at the row's `updated_at` (every presence
//!   writer sets it). Agents online or away when this migration runs get
//!   an interval from their `updated_at`.
//!
//! The rules are `docs/reports.md`.
#![forbid(unsafe_code)]

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261204_000014_support_measures::{MEASURE_COLUMNS, postgres_secs, sqlite_secs};
use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AgentPresenceIntervals {
    Table,
    Id,
    AgentId,
    Presence,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

const BY_AGENT: &str = "ix_agent_presence_intervals_agent";
const BY_START: &str = "ix_agent_presence_intervals_started";

/// Where a conversation leaves `bot` state: `NEW`/`OLD` of an update of
/// `conversations.status`.
const LEAVES_BOT: &str = "OLD.status = 'bot' AND NEW.status <> 'bot'";

/// The interval writes of a presence change (both dialects).
fn presence_statements() -> [String; 2] {
    [
        "UPDATE agent_presence_intervals SET ended_at = NEW.updated_at
          WHERE agent_id = NEW.id AND ended_at IS NULL"
            .to_owned(),
        "INSERT INTO agent_presence_intervals (agent_id, presence, started_at)
         SELECT NEW.id, NEW.presence, NEW.updated_at WHERE NEW.presence <> 'offline'"
            .to_owned(),
    ]
}

fn sqlite_triggers() -> Vec<String> {
    let handoff_secs = format!(
        "CASE WHEN NEW.opened_at IS NULL THEN NULL ELSE {} END",
        sqlite_secs("NEW.opened_at", "NEW.updated_at")
    );
    let [close, open] = presence_statements();
    vec![
        format!(
            "CREATE TRIGGER tr_conversations_bot_measures AFTER UPDATE OF status ON conversations
             WHEN {LEAVES_BOT}
             BEGIN
               INSERT INTO support_measures {MEASURE_COLUMNS}
               SELECT NEW.id, NEW.business_number_id, NEW.team_id, NEW.assignee_id,
                      'handoff', NEW.opened_at, NEW.updated_at, {handoff_secs}
                WHERE NEW.status <> 'resolved';
               INSERT INTO support_measures {MEASURE_COLUMNS}
               SELECT NEW.id, NEW.business_number_id, NEW.team_id, NEW.assignee_id,
                      'bot_resolved', NEW.opened_at, COALESCE(NEW.resolved_at, NEW.updated_at),
                      NULL
                WHERE NEW.status = 'resolved' AND NEW.first_response_at IS NULL;
             END"
        ),
        format!(
            "CREATE TRIGGER tr_agents_presence_intervals AFTER UPDATE OF presence ON agents
             WHEN OLD.presence IS NOT NEW.presence
             BEGIN {close}; {open}; END"
        ),
        format!(
            "CREATE TRIGGER tr_agents_presence_first AFTER INSERT ON agents
             WHEN NEW.presence <> 'offline'
             BEGIN {open}; END"
        ),
    ]
}

fn postgres_functions() -> Vec<String> {
    let handoff_secs = format!(
        "CASE WHEN NEW.opened_at IS NULL THEN NULL ELSE {} END",
        postgres_secs("NEW.opened_at", "NEW.updated_at")
    );
    let [close, open] = presence_statements();
    vec![
        format!(
            "CREATE FUNCTION wharf_conversations_bot_measures() RETURNS trigger
             LANGUAGE plpgsql AS $$
             BEGIN
               IF NEW.status <> 'resolved' THEN
                 INSERT INTO support_measures {MEASURE_COLUMNS}
                 VALUES (NEW.id, NEW.business_number_id, NEW.team_id, NEW.assignee_id,
                         'handoff', NEW.opened_at, NEW.updated_at, {handoff_secs});
               ELSIF NEW.first_response_at IS NULL THEN
                 INSERT INTO support_measures {MEASURE_COLUMNS}
                 VALUES (NEW.id, NEW.business_number_id, NEW.team_id, NEW.assignee_id,
                         'bot_resolved', NEW.opened_at,
                         COALESCE(NEW.resolved_at, NEW.updated_at), NULL);
               END IF;
               RETURN NULL;
             END $$"
        ),
        format!(
            "CREATE TRIGGER tr_conversations_bot_measures AFTER UPDATE OF status ON conversations
             FOR EACH ROW WHEN ({LEAVES_BOT})
             EXECUTE FUNCTION wharf_conversations_bot_measures()"
        ),
        format!(
            "CREATE FUNCTION wharf_agents_presence_intervals() RETURNS trigger
             LANGUAGE plpgsql AS $$
             BEGIN
               IF TG_OP = 'UPDATE' THEN {close}; END IF;
               {open};
               RETURN NULL;
             END $$"
        ),
        "CREATE TRIGGER tr_agents_presence_intervals AFTER UPDATE OF presence ON agents
         FOR EACH ROW WHEN (OLD.presence IS DISTINCT FROM NEW.presence)
         EXECUTE FUNCTION wharf_agents_presence_intervals()"
            .to_owned(),
        "CREATE TRIGGER tr_agents_presence_first AFTER INSERT ON agents
         FOR EACH ROW WHEN (NEW.presence <> 'offline')
         EXECUTE FUNCTION wharf_agents_presence_intervals()"
            .to_owned(),
    ]
}

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS tr_agents_presence_first",
    "DROP TRIGGER IF EXISTS tr_agents_presence_intervals",
    "DROP TRIGGER IF EXISTS tr_conversations_bot_measures",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS tr_agents_presence_first ON agents",
    "DROP TRIGGER IF EXISTS tr_agents_presence_intervals ON agents",
    "DROP FUNCTION IF EXISTS wharf_agents_presence_intervals()",
    "DROP TRIGGER IF EXISTS tr_conversations_bot_measures ON conversations",
    "DROP FUNCTION IF EXISTS wharf_conversations_bot_measures()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AgentPresenceIntervals::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AgentPresenceIntervals::Id))
                    .col(big_integer(AgentPresenceIntervals::AgentId))
                    .col(string(AgentPresenceIntervals::Presence))
                    .col(timestamp_with_time_zone(AgentPresenceIntervals::StartedAt))
                    .col(timestamp_with_time_zone_null(
                        AgentPresenceIntervals::EndedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agent_presence_intervals_agent")
                            .from(
                                AgentPresenceIntervals::Table,
                                AgentPresenceIntervals::AgentId,
                            )
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The trigger closes an agent's open interval; reports read a range.
        manager
            .create_index(
                Index::create()
                    .name(BY_AGENT)
                    .table(AgentPresenceIntervals::Table)
                    .col(AgentPresenceIntervals::AgentId)
                    .col(AgentPresenceIntervals::EndedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_START)
                    .table(AgentPresenceIntervals::Table)
                    .col(AgentPresenceIntervals::StartedAt)
                    .to_owned(),
            )
            .await?;
        run_all(
            manager,
            [
                "INSERT INTO agent_presence_intervals (agent_id, presence, started_at)
              SELECT id, presence, updated_at FROM agents WHERE presence <> 'offline'",
            ],
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, postgres_functions()).await,
            _ => run_all(manager, sqlite_triggers()).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_DOWN).await?,
            _ => run_all(manager, SQLITE_DOWN).await?,
        }
        manager
            .drop_table(
                Table::drop()
                    .table(AgentPresenceIntervals::Table)
                    .to_owned(),
            )
            .await
    }
}
