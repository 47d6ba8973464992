//! Support metrics (issue 24): per-conversation timing columns and one
//! `support_measures` row per measured event (an opening, a first or next
//! response, a resolution), written by triggers in the transaction of the
//! insert or update that causes them (the same choice as
//! `conversations.waiting_since` in `m20261204_000010_inbox`: the router's
//! batch and one-by-one paths, coexistence echoes, the reply path and every
//! status transition cannot disagree). The rules are `docs/reports.md`.
//! Existing conversations keep `NULL` timings and zero counts: their
//! history before this migration is not measured.
#![forbid(unsafe_code)]

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    OpenedAt,
    ResponseDueSince,
    FirstResponseAt,
    FirstResponseSecs,
    ResolutionSecs,
    ReopenCount,
    MessagesIn,
    MessagesOut,
}

#[derive(DeriveIden)]
enum SupportMeasures {
    Table,
    Id,
    ConversationId,
    BusinessNumberId,
    TeamId,
    AgentId,
    Kind,
    StartedAt,
    At,
    Seconds,
}

/// Whole seconds from `start` to `stop` (rounded half away from zero, as
/// PostgreSQL's `round`), SQLite: the stored texts through `julianday`.
pub(crate) fn sqlite_secs(start: &str, stop: &str) -> String {
    format!("CAST(ROUND((julianday({stop}) - julianday({start})) * 86400.0) AS INTEGER)")
}

pub(crate) fn postgres_secs(start: &str, stop: &str) -> String {
    format!("ROUND(EXTRACT(EPOCH FROM ({stop} - {start})))::bigint")
}

pub(crate) const MEASURE_COLUMNS: &str = "(conversation_id, business_number_id, team_id, agent_id, kind, \
                               started_at, at, seconds)";

/// SQLite: what a message insert measures (reactions aside).
fn sqlite_message_trigger() -> String {
    let reply_secs = sqlite_secs("response_due_since", "NEW.provider_timestamp");
    format!(
        "CREATE TRIGGER tr_messages_measures AFTER INSERT ON messages
         WHEN NEW.kind <> 'reaction'
         BEGIN
           INSERT INTO support_measures {MEASURE_COLUMNS}
             SELECT id, business_number_id, team_id, NULL,
                    CASE WHEN reopen_count > 0 THEN 'reopened' ELSE 'opened' END,
                    NULL, NEW.provider_timestamp, NULL
               FROM conversations
              WHERE id = NEW.conversation_id AND NEW.direction = 'inbound'
                AND opened_at IS NULL;
           UPDATE conversations SET
                  opened_at = COALESCE(opened_at, NEW.provider_timestamp),
                  response_due_since = COALESCE(response_due_since, NEW.provider_timestamp),
                  messages_in = messages_in + 1
            WHERE id = NEW.conversation_id AND NEW.direction = 'inbound';
           INSERT INTO support_measures {MEASURE_COLUMNS}
             SELECT id, business_number_id, team_id, NEW.agent_id,
                    CASE WHEN first_response_at IS NULL THEN 'first_response'
                         ELSE 'next_response' END,
                    response_due_since, NEW.provider_timestamp, {reply_secs}
               FROM conversations
              WHERE id = NEW.conversation_id AND NEW.direction = 'outbound'
                AND NEW.agent_id IS NOT NULL AND response_due_since IS NOT NULL;
           UPDATE conversations SET
                  first_response_secs = CASE
                    WHEN NEW.agent_id IS NOT NULL AND first_response_at IS NULL
                     AND response_due_since IS NOT NULL
                    THEN {reply_secs} ELSE first_response_secs END,
                  first_response_at = CASE
                    WHEN NEW.agent_id IS NOT NULL AND first_response_at IS NULL
                     AND response_due_since IS NOT NULL
                    THEN NEW.provider_timestamp ELSE first_response_at END,
                  response_due_since = CASE
                    WHEN NEW.agent_id IS NULL THEN response_due_since END,
                  messages_out = messages_out + 1
            WHERE id = NEW.conversation_id AND NEW.direction = 'outbound';
         END"
    )
}

/// SQLite: a resolution is measured; a reopening starts a new opening.
fn sqlite_status_triggers() -> [String; 2] {
    let stop = "COALESCE(NEW.resolved_at, NEW.updated_at)";
    let secs = format!(
        "CASE WHEN NEW.opened_at IS NULL THEN NULL ELSE {} END",
        sqlite_secs("NEW.opened_at", stop)
    );
    [
        format!(
            "CREATE TRIGGER tr_conversations_resolved AFTER UPDATE OF status ON conversations
             WHEN NEW.status = 'resolved' AND OLD.status <> 'resolved'
             BEGIN
               INSERT INTO support_measures {MEASURE_COLUMNS}
               VALUES (NEW.id, NEW.business_number_id, NEW.team_id, NEW.assignee_id,
                       'resolution', NEW.opened_at, {stop}, {secs});
               UPDATE conversations SET resolution_secs = {secs}, response_due_since = NULL
                WHERE id = NEW.id;
             END"
        ),
        "CREATE TRIGGER tr_conversations_reopened AFTER UPDATE OF status ON conversations
         WHEN OLD.status = 'resolved' AND NEW.status <> 'resolved'
         BEGIN
           UPDATE conversations SET opened_at = NULL, response_due_since = NULL,
                  first_response_at = NULL, first_response_secs = NULL,
                  resolution_secs = NULL, reopen_count = reopen_count + 1
            WHERE id = NEW.id;
         END"
        .to_owned(),
    ]
}

fn postgres_functions() -> [String; 4] {
    let reply_secs = postgres_secs("c.response_due_since", "NEW.provider_timestamp");
    let stop = "COALESCE(NEW.resolved_at, NEW.updated_at)";
    let resolution_secs = format!(
        "CASE WHEN NEW.opened_at IS NULL THEN NULL ELSE {} END",
        postgres_secs("NEW.opened_at", stop)
    );
    [
        format!(
            "CREATE FUNCTION wharf_messages_measures() RETURNS trigger LANGUAGE plpgsql AS $$
             DECLARE c conversations%ROWTYPE;
             BEGIN
               IF NEW.kind = 'reaction' THEN RETURN NULL; END IF;
               SELECT * INTO c FROM conversations WHERE id = NEW.conversation_id FOR UPDATE;
               IF NOT FOUND THEN RETURN NULL; END IF;
               IF NEW.direction = 'inbound' THEN
                 IF c.opened_at IS NULL THEN
                   INSERT INTO support_measures {MEASURE_COLUMNS}
                   VALUES (c.id, c.business_number_id, c.team_id, NULL,
                           CASE WHEN c.reopen_count > 0 THEN 'reopened' ELSE 'opened' END,
                           NULL, NEW.provider_timestamp, NULL);
                 END IF;
                 UPDATE conversations SET
                        opened_at = COALESCE(opened_at, NEW.provider_timestamp),
                        response_due_since = COALESCE(response_due_since, NEW.provider_timestamp),
                        messages_in = messages_in + 1
                  WHERE id = c.id;
               ELSE
                 IF NEW.agent_id IS NOT NULL AND c.response_due_since IS NOT NULL THEN
                   INSERT INTO support_measures {MEASURE_COLUMNS}
                   VALUES (c.id, c.business_number_id, c.team_id, NEW.agent_id,
                           CASE WHEN c.first_response_at IS NULL THEN 'first_response'
                                ELSE 'next_response' END,
                           c.response_due_since, NEW.provider_timestamp, {reply_secs});
                   IF c.first_response_at IS NULL THEN
                     UPDATE conversations SET first_response_at = NEW.provider_timestamp,
                            first_response_secs = {reply_secs}
                      WHERE id = c.id;
                   END IF;
                 END IF;
                 UPDATE conversations SET
                        response_due_since = CASE
                          WHEN NEW.agent_id IS NULL THEN response_due_since END,
                        messages_out = messages_out + 1
                  WHERE id = c.id;
               END IF;
               RETURN NULL;
             END $$"
        ),
        "CREATE TRIGGER tr_messages_measures AFTER INSERT ON messages
         FOR EACH ROW EXECUTE FUNCTION wharf_messages_measures()"
            .to_owned(),
        format!(
            "CREATE FUNCTION wharf_conversations_measures() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF NEW.status = 'resolved' AND OLD.status <> 'resolved' THEN
                 INSERT INTO support_measures {MEASURE_COLUMNS}
                 VALUES (NEW.id, NEW.business_number_id, NEW.team_id, NEW.assignee_id,
                         'resolution', NEW.opened_at, {stop}, {resolution_secs});
                 NEW.resolution_secs := {resolution_secs};
                 NEW.response_due_since := NULL;
               ELSIF OLD.status = 'resolved' AND NEW.status <> 'resolved' THEN
                 NEW.opened_at := NULL;
                 NEW.response_due_since := NULL;
                 NEW.first_response_at := NULL;
                 NEW.first_response_secs := NULL;
                 NEW.resolution_secs := NULL;
                 NEW.reopen_count := OLD.reopen_count + 1;
               END IF;
               RETURN NEW;
             END $$"
        ),
        "CREATE TRIGGER tr_conversations_measures BEFORE UPDATE OF status ON conversations
         FOR EACH ROW EXECUTE FUNCTION wharf_conversations_measures()"
            .to_owned(),
    ]
}

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS tr_conversations_reopened",
    "DROP TRIGGER IF EXISTS tr_conversations_resolved",
    "DROP TRIGGER IF EXISTS tr_messages_measures",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS tr_conversations_measures ON conversations",
    "DROP FUNCTION IF EXISTS wharf_conversations_measures()",
    "DROP TRIGGER IF EXISTS tr_messages_measures ON messages",
    "DROP FUNCTION IF EXISTS wharf_messages_measures()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let columns = [
            timestamp_with_time_zone_null(Conversations::OpenedAt),
            timestamp_with_time_zone_null(Conversations::ResponseDueSince),
            timestamp_with_time_zone_null(Conversations::FirstResponseAt),
            big_integer_null(Conversations::FirstResponseSecs),
            big_integer_null(Conversations::ResolutionSecs),
            integer(Conversations::ReopenCount).default(0).to_owned(),
            integer(Conversations::MessagesIn).default(0).to_owned(),
            integer(Conversations::MessagesOut).default(0).to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SupportMeasures::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SupportMeasures::Id))
                    .col(big_integer(SupportMeasures::ConversationId))
                    .col(big_integer(SupportMeasures::BusinessNumberId))
                    .col(big_integer_null(SupportMeasures::TeamId))
                    .col(big_integer_null(SupportMeasures::AgentId))
                    .col(string(SupportMeasures::Kind))
                    .col(timestamp_with_time_zone_null(SupportMeasures::StartedAt))
                    .col(timestamp_with_time_zone(SupportMeasures::At))
                    .col(big_integer_null(SupportMeasures::Seconds))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_support_measures_conversation")
                            .from(SupportMeasures::Table, SupportMeasures::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Reports read a time range: by `at`, then the kind.
        manager
            .create_index(
                Index::create()
                    .name("ix_support_measures_at")
                    .table(SupportMeasures::Table)
                    .col(SupportMeasures::At)
                    .col(SupportMeasures::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_support_measures_conversation")
                    .table(SupportMeasures::Table)
                    .col(SupportMeasures::ConversationId)
                    .to_owned(),
            )
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, postgres_functions()).await,
            _ => {
                run_all(manager, [sqlite_message_trigger()]).await?;
                run_all(manager, sqlite_status_triggers()).await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_DOWN).await?,
            _ => run_all(manager, SQLITE_DOWN).await?,
        }
        manager
            .drop_table(Table::drop().table(SupportMeasures::Table).to_owned())
            .await?;
        for column in [
            Conversations::MessagesOut,
            Conversations::MessagesIn,
            Conversations::ReopenCount,
            Conversations::ResolutionSecs,
            Conversations::FirstResponseSecs,
            Conversations::FirstResponseAt,
            Conversations::ResponseDueSince,
            Conversations::OpenedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
