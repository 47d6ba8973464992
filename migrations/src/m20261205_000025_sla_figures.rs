//! SLA compliance and messages in the reports (issue 24): what a report
//! groups SLA outcomes and breaches by, and messages counted by time.
//!
//! - `sla_outcomes.agent_id`: the measure's agent (the replying agent of a
//!   response, the assignee of a resolution), written by the outcome
//!   trigger of `m20261205_000022_sla_policies`, replaced here; existing
//!   rows get the agent of their measure.
//! - `sla_breaches.agent_id`: the conversation's assignee when the sweep
//!   recorded the breach (written by `admin::sla`); existing rows keep none.
//! - Covering indexes keyed by the time a report ranges over, with every
//!   column it groups or scopes by, under new names (the old indexes stay:
//!   dropping and re-creating an index name failed on pooled SQLite).
//! - `support_measures` of kinds `message_in` (a customer message, agent =
//!   the conversation's assignee then) and `message_out` (an outbound
//!   message, agent = its sender if an agent), one per message insert
//!   (reactions aside), by a trigger of its own beside the measures'
//!   (`m20261204_000014_support_measures`), in the insert's transaction.
//!   Messages stored before this migration are not counted.
//!
//! The rules are `docs/reports.md`.
#![forbid(unsafe_code)]

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261204_000014_support_measures::MEASURE_COLUMNS;
use crate::m20261205_000022_sla_policies::outcome_insert_with;
use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OUTCOMES_INDEX: &str = "ix_sla_outcomes_figures";
const SQLITE_OUTCOME_TRIGGER: &str = "tr_support_measures_sla_outcome";
const BREACHES_INDEX: &str = "ix_sla_breaches_figures";

/// One `message_in` / `message_out` measure per message (reactions aside):
/// the conversation's team and number then; the agent of a customer
/// message is the assignee, of an outbound one its sender.
const VOLUME_INSERT: &str = "INSERT INTO support_measures {COLUMNS}
     SELECT c.id, c.business_number_id, c.team_id,
            CASE WHEN NEW.direction = 'inbound' THEN c.assignee_id ELSE NEW.agent_id END,
            CASE WHEN NEW.direction = 'inbound' THEN 'message_in' ELSE 'message_out' END,
            NULL, NEW.provider_timestamp, NULL
       FROM conversations c WHERE c.id = NEW.conversation_id";

fn volume_insert() -> String {
    VOLUME_INSERT.replace("{COLUMNS}", MEASURE_COLUMNS)
}

/// The outcome trigger's statement, with the agent (`up`) or without (`down`).
fn outcome(agent: bool) -> String {
    if agent {
        outcome_insert_with(", agent_id", ", NEW.agent_id")
    } else {
        outcome_insert_with("", "")
    }
}

/// SQLite: the outcome trigger with the agent under a new name, then the
/// old one dropped (re-creating a dropped name in the same migration
/// failed on pooled SQLite connections); `down` the other way round.
fn sqlite_outcome_trigger(agent: bool) -> [String; 2] {
    let (create, drop) = if agent {
        (SQLITE_OUTCOME_TRIGGER, "tr_support_measures_sla")
    } else {
        ("tr_support_measures_sla", SQLITE_OUTCOME_TRIGGER)
    };
    [
        format!(
            "CREATE TRIGGER {create} AFTER INSERT ON support_measures
             BEGIN
               {}
             END",
            outcome(agent)
        ),
        format!("DROP TRIGGER IF EXISTS {drop}"),
    ]
}

fn postgres_outcome_function(agent: bool) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION wharf_support_measures_sla() RETURNS trigger
         LANGUAGE plpgsql AS $$
         BEGIN
           {}
           RETURN NULL;
         END $$",
        outcome(agent)
    )
}

fn sqlite_up() -> Vec<String> {
    let mut all = sqlite_outcome_trigger(true).to_vec();
    all.push(format!(
        "CREATE TRIGGER tr_messages_volume AFTER INSERT ON messages
         WHEN NEW.kind <> 'reaction'
         BEGIN
           {};
         END",
        volume_insert()
    ));
    all
}

/// Named to fire after `tr_messages_measures` (PostgreSQL fires a table's
/// triggers in name order), which already holds the conversation's row lock.
fn postgres_up() -> Vec<String> {
    vec![
        postgres_outcome_function(true),
        format!(
            "CREATE FUNCTION wharf_messages_volume() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               {};
               RETURN NULL;
             END $$",
            volume_insert()
        ),
        "CREATE TRIGGER tr_messages_volume AFTER INSERT ON messages
         FOR EACH ROW WHEN (NEW.kind <> 'reaction')
         EXECUTE FUNCTION wharf_messages_volume()"
            .to_owned(),
    ]
}

/// Existing outcomes: the agent of the measure they were written for.
const BACKFILL: &str = "UPDATE sla_outcomes SET agent_id = (
     SELECT m.agent_id FROM support_measures m
      WHERE m.conversation_id = sla_outcomes.conversation_id
        AND m.kind = sla_outcomes.target AND m.at = sla_outcomes.at
        AND m.seconds = sla_outcomes.seconds
      ORDER BY m.id LIMIT 1)";

/// The tables that get `agent_id`, each with its covering index: its name
/// and columns, the time first.
const FIGURES: [(&str, &str, &[&str]); 2] = [
    (
        "sla_outcomes",
        OUTCOMES_INDEX,
        &[
            "at",
            "target",
            "met",
            "agent_id",
            "team_id",
            "business_number_id",
            "conversation_id",
        ],
    ),
    (
        "sla_breaches",
        BREACHES_INDEX,
        &[
            "breached_at",
            "target",
            "agent_id",
            "team_id",
            "business_number_id",
            "conversation_id",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, _, _) in FIGURES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(big_integer_null(Alias::new("agent_id")))
                        .to_owned(),
                )
                .await?;
        }
        run_all(manager, [BACKFILL]).await?;
        for (table, name, columns) in FIGURES {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index).await?;
        }
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, postgres_up()).await,
            _ => run_all(manager, sqlite_up()).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                run_all(
                    manager,
                    [
                        "DROP TRIGGER IF EXISTS tr_messages_volume ON messages".to_owned(),
                        "DROP FUNCTION IF EXISTS wharf_messages_volume()".to_owned(),
                        postgres_outcome_function(false),
                    ],
                )
                .await?;
            }
            _ => {
                run_all(manager, ["DROP TRIGGER IF EXISTS tr_messages_volume"]).await?;
                run_all(manager, sqlite_outcome_trigger(false)).await?;
            }
        }
        run_all(
            manager,
            ["DELETE FROM support_measures WHERE kind IN ('message_in', 'message_out')"],
        )
        .await?;
        for (table, name, _) in FIGURES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new("agent_id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
