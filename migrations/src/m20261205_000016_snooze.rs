//! Snooze (issue 28): `conversations.snoozed_until` says until when a
//! conversation is out of the active views (null: awake), indexed for the
//! wake-up sweep; `conversation_snoozes` keeps each snooze and how it ended
//! (`customer` wrote, the `time` passed, an agent woke it, it was resolved
//! or claimed), which the conversation view shows as system lines.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Conversations {
    Table,
    Id,
    SnoozedUntil,
}

#[derive(DeriveIden)]
enum ConversationSnoozes {
    Table,
    Id,
    ConversationId,
    AgentId,
    Actor,
    SnoozedAt,
    Until,
    EndedAt,
    EndReason,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

const INDEX: &str = "ix_conversations_snoozed_until";
const SNOOZES_INDEX: &str = "ix_conversation_snoozes_conversation";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(timestamp_with_time_zone_null(Conversations::SnoozedUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Conversations::Table)
                    .col(Conversations::SnoozedUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationSnoozes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ConversationSnoozes::Id))
                    .col(big_integer(ConversationSnoozes::ConversationId))
                    .col(big_integer_null(ConversationSnoozes::AgentId))
                    .col(string(ConversationSnoozes::Actor))
                    .col(timestamp_with_time_zone(ConversationSnoozes::SnoozedAt))
                    .col(timestamp_with_time_zone(ConversationSnoozes::Until))
                    .col(timestamp_with_time_zone_null(ConversationSnoozes::EndedAt))
                    .col(string_null(ConversationSnoozes::EndReason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversation_snoozes_conversation")
                            .from(
                                ConversationSnoozes::Table,
                                ConversationSnoozes::ConversationId,
                            )
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversation_snoozes_agent")
                            .from(ConversationSnoozes::Table, ConversationSnoozes::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(SNOOZES_INDEX)
                    .table(ConversationSnoozes::Table)
                    .col(ConversationSnoozes::ConversationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationSnoozes::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .drop_column(Conversations::SnoozedUntil)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
