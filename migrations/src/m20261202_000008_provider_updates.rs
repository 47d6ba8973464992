//! What Meta reports besides messages (issue 27): account updates
//! (restrictions, violations, bans …) recorded per business account and on
//! its numbers; the template catalog of each business account; a contact's
//! marketing opt-out; and the lifecycle marks of a message (edited,
//! deleted, the message it quotes or reacts to, sent from the phone app).
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BusinessNumbers {
    Table,
    WabaId,
    AccountStatus,
    AccountStatusAt,
    QualityRating,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    MarketingOptOutAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    EditedAt,
    DeletedAt,
    ReplyTo,
    Origin,
}

#[derive(DeriveIden)]
enum AccountEvents {
    Table,
    Id,
    EventKey,
    WabaId,
    BusinessNumberId,
    Field,
    Event,
    Detail,
    ProviderTimestamp,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Templates {
    Table,
    Id,
    WabaId,
    Name,
    Language,
    Category,
    Status,
    Quality,
    Reason,
    ProviderTemplateId,
    Components,
    CreatedAt,
    UpdatedAt,
}

/// Adds nullable columns one statement each (SQLite alters one at a time).
async fn add_columns(
    manager: &SchemaManager<'_>,
    table: DynIden,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    for mut column in columns {
        manager
            .alter_table(
                Table::alter()
                    .table(table.clone())
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            BusinessNumbers::Table.into_iden(),
            vec![
                string_null(BusinessNumbers::WabaId),
                string_null(BusinessNumbers::AccountStatus),
                timestamp_with_time_zone_null(BusinessNumbers::AccountStatusAt),
                string_null(BusinessNumbers::QualityRating),
            ],
        )
        .await?;
        add_columns(
            manager,
            Contacts::Table.into_iden(),
            vec![timestamp_with_time_zone_null(Contacts::MarketingOptOutAt)],
        )
        .await?;
        add_columns(
            manager,
            Messages::Table.into_iden(),
            vec![
                timestamp_with_time_zone_null(Messages::EditedAt),
                timestamp_with_time_zone_null(Messages::DeletedAt),
                string_null(Messages::ReplyTo),
                string_null(Messages::Origin),
            ],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountEvents::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AccountEvents::Id))
                    .col(string(AccountEvents::EventKey))
                    .col(string_null(AccountEvents::WabaId))
                    .col(big_integer_null(AccountEvents::BusinessNumberId))
                    .col(string(AccountEvents::Field))
                    .col(string(AccountEvents::Event))
                    .col(json_binary(AccountEvents::Detail))
                    .col(timestamp_with_time_zone(AccountEvents::ProviderTimestamp))
                    .col(timestamp_with_time_zone(AccountEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_account_events_event_key")
                    .table(AccountEvents::Table)
                    .col(AccountEvents::EventKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_events_waba")
                    .table(AccountEvents::Table)
                    .col(AccountEvents::WabaId)
                    .col(AccountEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Templates::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Templates::Id))
                    .col(string(Templates::WabaId))
                    .col(string(Templates::Name))
                    .col(string(Templates::Language))
                    .col(string_null(Templates::Category))
                    .col(string(Templates::Status))
                    .col(string_null(Templates::Quality))
                    .col(string_null(Templates::Reason))
                    .col(string_null(Templates::ProviderTemplateId))
                    .col(json_binary(Templates::Components).default("[]").take())
                    .col(timestamp_with_time_zone(Templates::CreatedAt))
                    .col(timestamp_with_time_zone(Templates::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_templates_waba_name_language")
                    .table(Templates::Table)
                    .col(Templates::WabaId)
                    .col(Templates::Name)
                    .col(Templates::Language)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Templates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AccountEvents::Table).to_owned())
            .await?;
        for (table, column) in [
            (Messages::Table.into_iden(), Messages::Origin.into_iden()),
            (Messages::Table.into_iden(), Messages::ReplyTo.into_iden()),
            (Messages::Table.into_iden(), Messages::DeletedAt.into_iden()),
            (Messages::Table.into_iden(), Messages::EditedAt.into_iden()),
            (
                Contacts::Table.into_iden(),
                Contacts::MarketingOptOutAt.into_iden(),
            ),
            (
                BusinessNumbers::Table.into_iden(),
                BusinessNumbers::QualityRating.into_iden(),
            ),
            (
                BusinessNumbers::Table.into_iden(),
                BusinessNumbers::AccountStatusAt.into_iden(),
            ),
            (
                BusinessNumbers::Table.into_iden(),
                BusinessNumbers::AccountStatus.into_iden(),
            ),
            (
                BusinessNumbers::Table.into_iden(),
                BusinessNumbers::WabaId.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
