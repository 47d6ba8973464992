//! Support reports read one index (issue 24): `ix_support_measures_report`
//! on `at`, then every column a report reads or its agent scope filters by
//! (`kind`, `agent_id`, `team_id`, `business_number_id`, `conversation_id`,
//! `seconds`), so a report's range is read from the index alone, in `at`
//! order, without a look-up of each row in the table. It replaces
//! `ix_support_measures_at (at, kind)`, its prefix, so the triggers still
//! write two indexes per measure. Measured in `docs/reports.md`.
#![forbid(unsafe_code)]

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SupportMeasures {
    Table,
    At,
    Kind,
    AgentId,
    TeamId,
    BusinessNumberId,
    ConversationId,
    Seconds,
}

const OLD: &str = "ix_support_measures_at";
const NEW: &str = "ix_support_measures_report";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(SupportMeasures::Table)
                    .col(SupportMeasures::At)
                    .col(SupportMeasures::Kind)
                    .col(SupportMeasures::AgentId)
                    .col(SupportMeasures::TeamId)
                    .col(SupportMeasures::BusinessNumberId)
                    .col(SupportMeasures::ConversationId)
                    .col(SupportMeasures::Seconds)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OLD)
                    .table(SupportMeasures::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(SupportMeasures::Table)
                    .col(SupportMeasures::At)
                    .col(SupportMeasures::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(NEW)
                    .table(SupportMeasures::Table)
                    .to_owned(),
            )
            .await
    }
}
