//! DLQ index: what `dead_letters` needs beyond the core schema to list,
//! filter and replay dead letters — the DLQ stream sequence (unique: the
//! indexer may see a letter twice), the business number, first and last
//! failure time and the failure history of replays.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeadLetters {
    Table,
    DlqSequence,
    BusinessNumber,
    FirstFailedAt,
    LastFailedAt,
    History,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            big_integer_null(DeadLetters::DlqSequence),
            string_null(DeadLetters::BusinessNumber),
            timestamp_with_time_zone_null(DeadLetters::FirstFailedAt),
            timestamp_with_time_zone_null(DeadLetters::LastFailedAt),
            json_binary(DeadLetters::History).default("[]").take(),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(DeadLetters::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_dead_letters_dlq_sequence")
                    .table(DeadLetters::Table)
                    .col(DeadLetters::DlqSequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dead_letters_number_last_failed")
                    .table(DeadLetters::Table)
                    .col(DeadLetters::BusinessNumber)
                    .col(DeadLetters::LastFailedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ux_dead_letters_dlq_sequence",
            "ix_dead_letters_number_last_failed",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(DeadLetters::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            DeadLetters::DlqSequence,
            DeadLetters::BusinessNumber,
            DeadLetters::FirstFailedAt,
            DeadLetters::LastFailedAt,
            DeadLetters::History,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(DeadLetters::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
