//! Message lifecycle: one row per thing that happened to a message (received
//! at an edge, stored in INBOUND, routed, queued, each send attempt, sent,
//! delivered, read, failed, dead-lettered, replayed), for support debugging.
//! Append-only; read by message id in time order.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageEvents {
    Table,
    Id,
    MessageId,
    Stage,
    At,
    Detail,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageEvents::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MessageEvents::Id))
                    .col(big_integer(MessageEvents::MessageId))
                    .col(string(MessageEvents::Stage))
                    .col(timestamp_with_time_zone(MessageEvents::At))
                    .col(json_binary(MessageEvents::Detail).default("{}").take())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_events_message")
                            .from(MessageEvents::Table, MessageEvents::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_message_events_message_at")
                    .table(MessageEvents::Table)
                    .col(MessageEvents::MessageId)
                    .col(MessageEvents::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageEvents::Table).to_owned())
            .await
    }
}
