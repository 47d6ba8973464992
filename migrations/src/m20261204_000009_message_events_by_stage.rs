//! Lifecycle rows by stage and time: the `events_repaired` alert counts the
//! `repaired` rows of the last window every evaluation, which without this
//! index reads the whole (append-only, several rows per message) table.
#![forbid(unsafe_code)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageEvents {
    Table,
    Stage,
    At,
}

const INDEX: &str = "ix_message_events_stage_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(MessageEvents::Table)
                    .col(MessageEvents::Stage)
                    .col(MessageEvents::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(MessageEvents::Table)
                    .to_owned(),
            )
            .await
    }
}
