//! Outgoing webhooks for integrators (issue 23): the endpoints (their URL,
//! signing secrets and custom headers sealed like provider credentials),
//! the outbox of events written in the same transaction as the change that
//! caused them (published to the `WEBHOOKS` stream by the senders, so no
//! committed change loses its event), and every delivery attempt.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    Url,
    UrlOrigin,
    Description,
    EventTypes,
    BusinessNumber,
    TeamId,
    Enabled,
    DisabledReason,
    Ordered,
    RatePerSecond,
    Headers,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    FailingSince,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookOutbox {
    Table,
    Id,
    EventType,
    ConversationId,
    MessageId,
    BusinessNumber,
    TeamId,
    Payload,
    CreatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    EndpointId,
    EventId,
    EventType,
    ConversationId,
    MessageId,
    Attempt,
    At,
    StatusCode,
    LatencyMs,
    ResponsePrefix,
    Error,
    Outcome,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .if_not_exists()
                    .col(big_pk_auto(WebhookEndpoints::Id))
                    .col(text(WebhookEndpoints::Url))
                    .col(string(WebhookEndpoints::UrlOrigin))
                    .col(string(WebhookEndpoints::Description))
                    .col(json_binary(WebhookEndpoints::EventTypes))
                    .col(string_null(WebhookEndpoints::BusinessNumber))
                    .col(big_integer_null(WebhookEndpoints::TeamId))
                    .col(boolean(WebhookEndpoints::Enabled))
                    .col(string_null(WebhookEndpoints::DisabledReason))
                    .col(boolean(WebhookEndpoints::Ordered))
                    .col(integer_null(WebhookEndpoints::RatePerSecond))
                    .col(text(WebhookEndpoints::Headers))
                    .col(text(WebhookEndpoints::Secret))
                    .col(text_null(WebhookEndpoints::PreviousSecret))
                    .col(timestamp_with_time_zone_null(
                        WebhookEndpoints::PreviousSecretUntil,
                    ))
                    .col(timestamp_with_time_zone_null(
                        WebhookEndpoints::FailingSince,
                    ))
                    .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookOutbox::Table)
                    .if_not_exists()
                    .col(big_pk_auto(WebhookOutbox::Id))
                    .col(string(WebhookOutbox::EventType))
                    .col(big_integer_null(WebhookOutbox::ConversationId))
                    .col(big_integer_null(WebhookOutbox::MessageId))
                    .col(string_null(WebhookOutbox::BusinessNumber))
                    .col(big_integer_null(WebhookOutbox::TeamId))
                    .col(json_binary(WebhookOutbox::Payload))
                    .col(timestamp_with_time_zone(WebhookOutbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookOutbox::PublishedAt))
                    .to_owned(),
            )
            .await?;
        // The publisher's scan: what is not yet published, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_outbox_unpublished")
                    .table(WebhookOutbox::Table)
                    .col(WebhookOutbox::PublishedAt)
                    .col(WebhookOutbox::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .if_not_exists()
                    .col(big_pk_auto(WebhookAttempts::Id))
                    .col(big_integer(WebhookAttempts::EndpointId))
                    .col(string(WebhookAttempts::EventId))
                    .col(string(WebhookAttempts::EventType))
                    .col(big_integer_null(WebhookAttempts::ConversationId))
                    .col(big_integer_null(WebhookAttempts::MessageId))
                    .col(integer(WebhookAttempts::Attempt))
                    .col(timestamp_with_time_zone(WebhookAttempts::At))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(big_integer(WebhookAttempts::LatencyMs))
                    .col(text_null(WebhookAttempts::ResponsePrefix))
                    .col(text_null(WebhookAttempts::Error))
                    .col(string(WebhookAttempts::Outcome))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempts_endpoint")
                            .from(WebhookAttempts::Table, WebhookAttempts::EndpointId)
                            .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempts_endpoint")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::EndpointId)
                    .col(WebhookAttempts::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempts_message")
                    .table(WebhookAttempts::Table)
                    .col(WebhookAttempts::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookAttempts::Table.into_iden(),
            WebhookOutbox::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
