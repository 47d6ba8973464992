//! Business hours (issue 24): a team's hours (`teams.business_hours`,
//! `relay::routing::Hours` as JSON: time zone, weekdays, from, to; null:
//! always open), the business-time seconds of each timed support measure
//! (`support_measures.business_seconds`: the seconds of `started_at → at`
//! inside its team's hours, filled by the admin servers' desk sweep) and
//! which clock an SLA policy counts in (`sla_policies.clock`, `wall` or
//! `business`).
//!
//! Measures written before this migration get `business_seconds =
//! seconds`: no team had hours then. The sweep finds the measures still
//! to fill through a partial index holding only them
//! (`ix_support_measures_business_pending`), and business-clock reports read
//! a covering index of their own (`ix_support_measures_report_hours`, the
//! report index with `business_seconds`); the report index of migration 17
//! is left as it is (dropping and re-creating it failed on SQLite with
//! pooled connections).
#![forbid(unsafe_code)]

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Teams {
    Table,
    BusinessHours,
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    Clock,
}

#[derive(DeriveIden)]
enum SupportMeasures {
    Table,
    BusinessSeconds,
}

/// The partial index of the measures whose business seconds are to fill;
/// the sweep's query repeats [`PENDING`] word for word so SQLite uses it.
const PENDING_INDEX: &str = "ix_support_measures_business_pending";
/// Which measures are timed and not yet filled (the sweep's filter too:
/// `admin::business_hours::PENDING`).
pub const PENDING: &str = "business_seconds IS NULL AND seconds IS NOT NULL \
     AND kind IN ('first_response', 'next_response', 'resolution', 'handoff')";
const REPORT_INDEX: &str = "ix_support_measures_report_hours";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Teams::Table)
                    .add_column(json_binary_null(Teams::BusinessHours))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SlaPolicies::Table)
                    .add_column(string_len(SlaPolicies::Clock, 16).default("wall"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SupportMeasures::Table)
                    .add_column(big_integer_null(SupportMeasures::BusinessSeconds))
                    .to_owned(),
            )
            .await?;
        crate::run_all(
            manager,
            [
                format!("UPDATE support_measures SET business_seconds = seconds WHERE {PENDING}"),
                format!("CREATE INDEX {PENDING_INDEX} ON support_measures (id) WHERE {PENDING}"),
                format!(
                    "CREATE INDEX {REPORT_INDEX} ON support_measures (at, kind, agent_id, \
                     team_id, business_number_id, conversation_id, seconds, business_seconds)"
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_all(
            manager,
            [
                format!("DROP INDEX {REPORT_INDEX}"),
                format!("DROP INDEX {PENDING_INDEX}"),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SupportMeasures::Table)
                    .drop_column(SupportMeasures::BusinessSeconds)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SlaPolicies::Table)
                    .drop_column(SlaPolicies::Clock)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Teams::Table)
                    .drop_column(Teams::BusinessHours)
                    .to_owned(),
            )
            .await
    }
}
