//! Canned responses (issue 28): saved answers an agent inserts with a `/`
//! shortcut, global (`team_id` null) or for one team's agents; the text may
//! hold `{{contact.…}}` and `{{agent.name}}` placeholders filled when the
//! answer is offered for a conversation. Shortcuts are unique across all
//! scopes, so `/refund` means one text for everybody who sees it.
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CannedResponses {
    Table,
    Id,
    Shortcut,
    Title,
    Body,
    TeamId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CannedResponses::Table)
                    .if_not_exists()
                    .col(big_pk_auto(CannedResponses::Id))
                    .col(string(CannedResponses::Shortcut).unique_key())
                    .col(string(CannedResponses::Title))
                    .col(text(CannedResponses::Body))
                    .col(big_integer_null(CannedResponses::TeamId))
                    .col(timestamp_with_time_zone(CannedResponses::CreatedAt))
                    .col(timestamp_with_time_zone(CannedResponses::UpdatedAt))
                    // A team's answers go with the team.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_canned_responses_team")
                            .from(CannedResponses::Table, CannedResponses::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_canned_responses_team")
                    .table(CannedResponses::Table)
                    .col(CannedResponses::TeamId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CannedResponses::Table).to_owned())
            .await
    }
}
