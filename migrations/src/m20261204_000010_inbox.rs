//! The agents' inbox (issue 28): which agent sent an outbound message;
//! since when a customer waits for an answer (`conversations.waiting_since`,
//! kept by a trigger on every message insert, so the router's two paths and
//! the reply path cannot disagree); read markers per agent and
//! conversation; labels on conversations; and the full-text indexes of
//! message text and contacts (SQLite FTS5 tables kept by triggers;
//! PostgreSQL: a stored generated `messages.search` tsvector and an
//! expression over contacts, GIN-indexed).
#![forbid(unsafe_code)]

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    AgentId,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    WaitingSince,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConversationReads {
    Table,
    AgentId,
    ConversationId,
    LastReadMessageId,
    ReadAt,
}

#[derive(DeriveIden)]
enum Labels {
    Table,
    Id,
    Name,
    Color,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationLabels {
    Table,
    ConversationId,
    LabelId,
    CreatedAt,
}

/// The first customer message after our last reply (reactions aside), for
/// the conversations that exist before the trigger.
const BACKFILL_WAITING: &str = "UPDATE conversations SET waiting_since = (
    SELECT MIN(m.provider_timestamp) FROM messages m
     WHERE m.conversation_id = conversations.id AND m.direction = 'inbound'
       AND m.kind <> 'reaction'
       AND m.id > COALESCE((SELECT MAX(o.id) FROM messages o
                             WHERE o.conversation_id = conversations.id
                               AND o.direction = 'outbound'), 0))";

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER tr_messages_waiting AFTER INSERT ON messages
     WHEN NEW.kind <> 'reaction'
     BEGIN
       UPDATE conversations SET waiting_since = NEW.provider_timestamp
        WHERE id = NEW.conversation_id AND NEW.direction = 'inbound'
          AND waiting_since IS NULL;
       UPDATE conversations SET waiting_since = NULL
        WHERE id = NEW.conversation_id AND NEW.direction = 'outbound'
          AND waiting_since IS NOT NULL;
     END",
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages',
     content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER tr_messages_fts_insert AFTER INSERT ON messages BEGIN
       INSERT INTO messages_fts(rowid, body) VALUES (NEW.id, NEW.body);
     END",
    "CREATE TRIGGER tr_messages_fts_delete AFTER DELETE ON messages BEGIN
       INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
     END",
    "CREATE TRIGGER tr_messages_fts_update AFTER UPDATE OF body ON messages
     WHEN OLD.body IS NOT NEW.body BEGIN
       INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
       INSERT INTO messages_fts(rowid, body) VALUES (NEW.id, NEW.body);
     END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE contacts_fts USING fts5(profile_name, username, phone, wa_id,
     content='contacts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER tr_contacts_fts_insert AFTER INSERT ON contacts BEGIN
       INSERT INTO contacts_fts(rowid, profile_name, username, phone, wa_id)
       VALUES (NEW.id, NEW.profile_name, NEW.username, NEW.phone, NEW.wa_id);
     END",
    "CREATE TRIGGER tr_contacts_fts_delete AFTER DELETE ON contacts BEGIN
       INSERT INTO contacts_fts(contacts_fts, rowid, profile_name, username, phone, wa_id)
       VALUES ('delete', OLD.id, OLD.profile_name, OLD.username, OLD.phone, OLD.wa_id);
     END",
    "CREATE TRIGGER tr_contacts_fts_update
     AFTER UPDATE OF profile_name, username, phone, wa_id ON contacts
     WHEN OLD.profile_name IS NOT NEW.profile_name OR OLD.username IS NOT NEW.username
       OR OLD.phone IS NOT NEW.phone OR OLD.wa_id IS NOT NEW.wa_id BEGIN
       INSERT INTO contacts_fts(contacts_fts, rowid, profile_name, username, phone, wa_id)
       VALUES ('delete', OLD.id, OLD.profile_name, OLD.username, OLD.phone, OLD.wa_id);
       INSERT INTO contacts_fts(rowid, profile_name, username, phone, wa_id)
       VALUES (NEW.id, NEW.profile_name, NEW.username, NEW.phone, NEW.wa_id);
     END",
    "INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS tr_contacts_fts_update",
    "DROP TRIGGER IF EXISTS tr_contacts_fts_delete",
    "DROP TRIGGER IF EXISTS tr_contacts_fts_insert",
    "DROP TABLE IF EXISTS contacts_fts",
    "DROP TRIGGER IF EXISTS tr_messages_fts_update",
    "DROP TRIGGER IF EXISTS tr_messages_fts_delete",
    "DROP TRIGGER IF EXISTS tr_messages_fts_insert",
    "DROP TABLE IF EXISTS messages_fts",
    "DROP TRIGGER IF EXISTS tr_messages_waiting",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION wharf_messages_waiting() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.kind <> 'reaction' THEN
         IF NEW.direction = 'inbound' THEN
           UPDATE conversations SET waiting_since = NEW.provider_timestamp
            WHERE id = NEW.conversation_id AND waiting_since IS NULL;
         ELSE
           UPDATE conversations SET waiting_since = NULL
            WHERE id = NEW.conversation_id AND waiting_since IS NOT NULL;
         END IF;
       END IF;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER tr_messages_waiting AFTER INSERT ON messages
     FOR EACH ROW EXECUTE FUNCTION wharf_messages_waiting()",
    "ALTER TABLE messages ADD COLUMN search tsvector
     GENERATED ALWAYS AS (to_tsvector('simple', coalesce(body, ''))) STORED",
    "CREATE INDEX ix_messages_search ON messages USING GIN (search)",
    "CREATE INDEX ix_contacts_search ON contacts USING GIN (to_tsvector('simple',
     coalesce(profile_name, '') || ' ' || coalesce(username, '') || ' '
     || coalesce(phone, '') || ' ' || wa_id))",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_contacts_search",
    "DROP INDEX IF EXISTS ix_messages_search",
    "ALTER TABLE messages DROP COLUMN IF EXISTS search",
    "DROP TRIGGER IF EXISTS tr_messages_waiting ON messages",
    "DROP FUNCTION IF EXISTS wharf_messages_waiting()",
];

/// A foreign key from `from` to `to` whose rows go with the row they name.
fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(Messages::AgentId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(timestamp_with_time_zone_null(Conversations::WaitingSince))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_conversations_waiting")
                    .table(Conversations::Table)
                    .col(Conversations::WaitingSince)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationReads::Table)
                    .if_not_exists()
                    .col(big_integer(ConversationReads::AgentId))
                    .col(big_integer(ConversationReads::ConversationId))
                    .col(big_integer(ConversationReads::LastReadMessageId))
                    .col(timestamp_with_time_zone(ConversationReads::ReadAt))
                    .primary_key(
                        Index::create()
                            .col(ConversationReads::AgentId)
                            .col(ConversationReads::ConversationId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_conversation_reads_agent",
                        (ConversationReads::Table, ConversationReads::AgentId),
                        (Agents::Table, Agents::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_conversation_reads_conversation",
                        (ConversationReads::Table, ConversationReads::ConversationId),
                        (Conversations::Table, Conversations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Labels::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Labels::Id))
                    .col(string(Labels::Name).unique_key())
                    .col(string(Labels::Color))
                    .col(timestamp_with_time_zone(Labels::CreatedAt))
                    .col(timestamp_with_time_zone(Labels::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationLabels::Table)
                    .if_not_exists()
                    .col(big_integer(ConversationLabels::ConversationId))
                    .col(big_integer(ConversationLabels::LabelId))
                    .col(timestamp_with_time_zone(ConversationLabels::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ConversationLabels::ConversationId)
                            .col(ConversationLabels::LabelId),
                    )
                    .foreign_key(&mut cascade(
                        "fk_conversation_labels_conversation",
                        (
                            ConversationLabels::Table,
                            ConversationLabels::ConversationId,
                        ),
                        (Conversations::Table, Conversations::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk_conversation_labels_label",
                        (ConversationLabels::Table, ConversationLabels::LabelId),
                        (Labels::Table, Labels::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_conversation_labels_label")
                    .table(ConversationLabels::Table)
                    .col(ConversationLabels::LabelId)
                    .col(ConversationLabels::ConversationId)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL_WAITING)
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_UP).await,
            _ => run_all(manager, SQLITE_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_DOWN).await?,
            _ => run_all(manager, SQLITE_DOWN).await?,
        }
        manager
            .drop_table(Table::drop().table(ConversationLabels::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Labels::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ConversationReads::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_conversations_waiting")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .drop_column(Conversations::WaitingSince)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::AgentId)
                    .to_owned(),
            )
            .await
    }
}
