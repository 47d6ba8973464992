//! Campaigns (issue 25): a template sent to an audience of contacts from one
//! business number, at a pace that leaves the number's provider limit to
//! support replies first.
//!
//! - `campaigns`: the definition (number, template, parameters, audience,
//!   schedule, optional rate cap), its state (draft → scheduled → running →
//!   paused / completed / cancelled) with the optimistic-locking `version`,
//!   and why it was paused when Wharf paused it (provider feedback).
//! - `campaign_recipients`: one row per (campaign, contact), unique, so a
//!   contact is in a campaign once whatever happens (a double click, two
//!   feeders, a restart); its parameters as filled for that contact, its
//!   state before the send (pending, skipped with a reason, cancelled) and
//!   the one outbound message it became (`message_id`).
//! - `messages.campaign_id`: the campaign an outbound message belongs to;
//!   the sender sends those on the campaign lane.
//!
//! A campaign places its message in the contact's latest conversation on
//! the number, or in a new conversation created `resolved` (it must not
//! queue for an agent). Such a conversation was never opened by the
//! customer, so its reopening by the customer's reply is an opening, not a
//! reopening: the reopen rules of `m20261204_000014_support_measures` count
//! a reopening only for a conversation that had opened.
#![forbid(unsafe_code)]

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    Name,
    BusinessNumberId,
    TemplateName,
    TemplateLanguage,
    Parameters,
    Audience,
    State,
    ScheduledAt,
    RatePerSecond,
    PausedReason,
    PausedBy,
    ThrottledCount,
    LastThrottledAt,
    CreatedBy,
    StartedAt,
    FinishedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignRecipients {
    Table,
    Id,
    CampaignId,
    ContactId,
    Parameters,
    State,
    Reason,
    MessageId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    CampaignId,
    Status,
}

#[derive(DeriveIden)]
enum BusinessNumbers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

/// SQLite: the reopen trigger of migration 14, counting only a
/// conversation that had opened. Dropped and created in one execution:
/// the pool's connections must not see the two steps apart.
const SQLITE_REOPENED: &str = "DROP TRIGGER IF EXISTS tr_conversations_reopened;
     CREATE TRIGGER tr_conversations_reopened AFTER UPDATE OF status ON conversations
     WHEN OLD.status = 'resolved' AND NEW.status <> 'resolved'
     BEGIN
       UPDATE conversations SET opened_at = NULL, response_due_since = NULL,
              first_response_at = NULL, first_response_secs = NULL,
              resolution_secs = NULL,
              reopen_count = reopen_count + CASE WHEN OLD.opened_at IS NULL THEN 0 ELSE 1 END
        WHERE id = NEW.id;
     END";

/// PostgreSQL: runs after `tr_conversations_measures` (triggers of one
/// event fire in name order) and takes back its count for a conversation
/// that never opened.
const POSTGRES_NEVER_OPENED: [&str; 2] = [
    "CREATE FUNCTION wharf_conversations_never_opened() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF OLD.status = 'resolved' AND NEW.status <> 'resolved' AND OLD.opened_at IS NULL THEN
         NEW.reopen_count := OLD.reopen_count;
       END IF;
       RETURN NEW;
     END $$",
    "CREATE TRIGGER tr_conversations_never_opened BEFORE UPDATE OF status ON conversations
     FOR EACH ROW EXECUTE FUNCTION wharf_conversations_never_opened()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Campaigns::Id))
                    .col(string(Campaigns::Name))
                    .col(big_integer(Campaigns::BusinessNumberId))
                    .col(string(Campaigns::TemplateName))
                    .col(string(Campaigns::TemplateLanguage))
                    .col(json_binary(Campaigns::Parameters))
                    .col(json_binary(Campaigns::Audience))
                    .col(string(Campaigns::State))
                    .col(timestamp_with_time_zone_null(Campaigns::ScheduledAt))
                    .col(double_null(Campaigns::RatePerSecond))
                    .col(string_null(Campaigns::PausedReason))
                    .col(string_null(Campaigns::PausedBy))
                    .col(integer(Campaigns::ThrottledCount).default(0))
                    .col(timestamp_with_time_zone_null(Campaigns::LastThrottledAt))
                    .col(big_integer_null(Campaigns::CreatedBy))
                    .col(timestamp_with_time_zone_null(Campaigns::StartedAt))
                    .col(timestamp_with_time_zone_null(Campaigns::FinishedAt))
                    .col(big_integer(Campaigns::Version).default(1))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaigns_number")
                            .from(Campaigns::Table, Campaigns::BusinessNumberId)
                            .to(BusinessNumbers::Table, BusinessNumbers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_campaigns_state")
                    .table(Campaigns::Table)
                    .col(Campaigns::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CampaignRecipients::Table)
                    .if_not_exists()
                    .col(big_pk_auto(CampaignRecipients::Id))
                    .col(big_integer(CampaignRecipients::CampaignId))
                    .col(big_integer(CampaignRecipients::ContactId))
                    .col(json_binary(CampaignRecipients::Parameters))
                    .col(string(CampaignRecipients::State))
                    .col(string_null(CampaignRecipients::Reason))
                    .col(big_integer_null(CampaignRecipients::MessageId))
                    .col(timestamp_with_time_zone(CampaignRecipients::CreatedAt))
                    .col(timestamp_with_time_zone(CampaignRecipients::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_recipients_campaign")
                            .from(CampaignRecipients::Table, CampaignRecipients::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_campaign_recipients_contact")
                            .from(CampaignRecipients::Table, CampaignRecipients::ContactId)
                            .to(Contacts::Table, Contacts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Exactly once per recipient: the key the feeder cannot get around.
        manager
            .create_index(
                Index::create()
                    .name("ux_campaign_recipients_contact")
                    .table(CampaignRecipients::Table)
                    .col(CampaignRecipients::CampaignId)
                    .col(CampaignRecipients::ContactId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The feeder takes the next pending recipients of a campaign.
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_recipients_state")
                    .table(CampaignRecipients::Table)
                    .col(CampaignRecipients::CampaignId)
                    .col(CampaignRecipients::State)
                    .col(CampaignRecipients::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(Messages::CampaignId))
                    .to_owned(),
            )
            .await?;
        // The feeder's window: a campaign's messages still queued.
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_campaign")
                    .table(Messages::Table)
                    .col(Messages::CampaignId)
                    .col(Messages::Status)
                    .to_owned(),
            )
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_NEVER_OPENED).await,
            _ => {
                run_all(
                    manager,
                    [
                        "DROP TRIGGER IF EXISTS tr_conversations_reopened",
                        SQLITE_REOPENED,
                    ],
                )
                .await
            }
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite keeps the narrower reopen trigger: it counts the same for
        // every conversation that had opened.
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            run_all(
                manager,
                [
                    "DROP TRIGGER IF EXISTS tr_conversations_never_opened ON conversations",
                    "DROP FUNCTION IF EXISTS wharf_conversations_never_opened()",
                ],
            )
            .await?;
        }
        manager
            .drop_index(Index::drop().name("ix_messages_campaign").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(Messages::CampaignId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CampaignRecipients::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Campaigns::Table).to_owned())
            .await
    }
}
