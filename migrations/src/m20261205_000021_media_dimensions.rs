//! Image dimensions (issue 21): `messages.media_width` / `media_height`,
//! read from a stored image's or sticker's header (customers' files and
//! agents' attachments), so the dashboard can size an image before it
//! loads it. Null for other kinds and for files whose header does not read.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    MediaWidth,
    MediaHeight,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [Messages::MediaWidth, Messages::MediaHeight] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Messages::MediaHeight, Messages::MediaWidth] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
