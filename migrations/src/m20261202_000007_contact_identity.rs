//! Contact identity for users with usernames (issue 27): Meta's
//! business-scoped user id (BSUID, unique when known), the username, the
//! parent BSUID and the phone number as attributes that may be missing.
//! `wa_id` stays the contact's key: its phone for contacts first seen with
//! one (every row before this migration, whose phone is backfilled from
//! it), else its BSUID.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contacts {
    Table,
    WaId,
    UserId,
    Username,
    ParentUserId,
    Phone,
}

const USER_ID_INDEX: &str = "ux_contacts_user_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            Contacts::UserId,
            Contacts::Username,
            Contacts::ParentUserId,
            Contacts::Phone,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Contacts::Table)
                        .add_column(string_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(USER_ID_INDEX)
                    .table(Contacts::Table)
                    .col(Contacts::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Every contact so far was keyed by its phone number.
        manager
            .exec_stmt(
                Query::update()
                    .table(Contacts::Table)
                    .value(Contacts::Phone, Expr::col(Contacts::WaId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(USER_ID_INDEX)
                    .table(Contacts::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Contacts::Phone,
            Contacts::ParentUserId,
            Contacts::Username,
            Contacts::UserId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Contacts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
