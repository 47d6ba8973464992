//! Inbound media (issue 21): where a media message's file is. The bytes
//! live in the JetStream Object Store bucket `WHARF_MEDIA`; the row says
//! whether they are there (`media_state`: pending, stored, failed, expired)
//! and what they are (type, size, SHA-256, file name, object key, when
//! fetched), so lists never touch the bucket. One column per statement:
//! SQLite alters one column at a time.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Messages {
    Table,
    MediaState,
    MediaType,
    MediaSize,
    MediaSha256,
    MediaFilename,
    MediaKey,
    MediaFetchedAt,
}

/// The fetcher's sweep finds pending and expiring rows by state.
const INDEX: &str = "ix_messages_media_state";

fn columns() -> Vec<ColumnDef> {
    vec![
        string_null(Messages::MediaState),
        string_null(Messages::MediaType),
        big_integer_null(Messages::MediaSize),
        string_null(Messages::MediaSha256),
        string_null(Messages::MediaFilename),
        string_null(Messages::MediaKey),
        timestamp_with_time_zone_null(Messages::MediaFetchedAt),
    ]
}

const NAMES: [Messages; 7] = [
    Messages::MediaState,
    Messages::MediaType,
    Messages::MediaSize,
    Messages::MediaSha256,
    Messages::MediaFilename,
    Messages::MediaKey,
    Messages::MediaFetchedAt,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Messages::Table)
                    .col(Messages::MediaState)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Messages::Table).to_owned())
            .await?;
        for name in NAMES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(name)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
