//! Conversation notes: internal remarks agents leave on a conversation,
//! never sent to the customer. Append-only; read by conversation in time
//! order.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConversationNotes {
    Table,
    Id,
    ConversationId,
    AuthorId,
    Author,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConversationNotes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ConversationNotes::Id))
                    .col(big_integer(ConversationNotes::ConversationId))
                    .col(big_integer_null(ConversationNotes::AuthorId))
                    .col(string(ConversationNotes::Author))
                    .col(text(ConversationNotes::Body))
                    .col(timestamp_with_time_zone(ConversationNotes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversation_notes_conversation")
                            .from(ConversationNotes::Table, ConversationNotes::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversation_notes_author")
                            .from(ConversationNotes::Table, ConversationNotes::AuthorId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_conversation_notes_conversation")
                    .table(ConversationNotes::Table)
                    .col(ConversationNotes::ConversationId)
                    .col(ConversationNotes::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationNotes::Table).to_owned())
            .await
    }
}
