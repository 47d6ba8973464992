//! Database schema migrations for Wharf (SQLite and PostgreSQL): the
//! [`Migrator`] listing every migration in order.
#![forbid(unsafe_code)]

use sea_orm_migration::prelude::*;

pub use m20261205_000023_business_hours::PENDING as BUSINESS_SECONDS_PENDING;
pub use sea_orm_migration::MigratorTrait;

mod m20261128_000001_core_schema;
mod m20261128_000002_routing;
mod m20261128_000003_dlq;
mod m20261128_000005_message_events;
mod m20261128_000006_conversation_notes;
mod m20261202_000007_contact_identity;
mod m20261202_000008_provider_updates;
mod m20261204_000009_message_events_by_stage;
mod m20261204_000010_inbox;
mod m20261204_000011_media;
mod m20261204_000012_canned_responses;
mod m20261204_000013_webhooks;
mod m20261204_000014_support_measures;
mod m20261205_000015_campaigns;
mod m20261205_000016_snooze;
mod m20261205_000017_support_report_index;
mod m20261205_000018_campaign_send_window;
mod m20261205_000020_bot_and_presence_measures;
mod m20261205_000021_media_dimensions;
mod m20261205_000022_sla_policies;
mod m20261205_000023_business_hours;
mod m20261205_000024_csat;
mod m20261205_000025_sla_figures;
mod m20261205_000026_router_hot_path;

/// Runs raw `statements` in order (triggers, functions, dialect-specific
/// SQL the schema builder does not spell).
pub(crate) async fn run_all(
    manager: &SchemaManager<'_>,
    statements: impl IntoIterator<Item = impl AsRef<str>>,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql.as_ref()).await?;
    }
    Ok(())
}

/// Applies Wharf's migrations: `Migrator::up(&db, None).await`.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_core_schema::Migration),
            Box::new(m20261128_000002_routing::Migration),
            Box::new(m20261128_000003_dlq::Migration),
            Box::new(m20261128_000005_message_events::Migration),
            Box::new(m20261128_000006_conversation_notes::Migration),
            Box::new(m20261202_000007_contact_identity::Migration),
            Box::new(m20261202_000008_provider_updates::Migration),
            Box::new(m20261204_000009_message_events_by_stage::Migration),
            Box::new(m20261204_000010_inbox::Migration),
            Box::new(m20261204_000011_media::Migration),
            Box::new(m20261204_000012_canned_responses::Migration),
            Box::new(m20261204_000013_webhooks::Migration),
            Box::new(m20261204_000014_support_measures::Migration),
            Box::new(m20261205_000015_campaigns::Migration),
            Box::new(m20261205_000016_snooze::Migration),
            Box::new(m20261205_000017_support_report_index::Migration),
            Box::new(m20261205_000018_campaign_send_window::Migration),
            Box::new(m20261205_000020_bot_and_presence_measures::Migration),
            Box::new(m20261205_000021_media_dimensions::Migration),
            Box::new(m20261205_000022_sla_policies::Migration),
            Box::new(m20261205_000023_business_hours::Migration),
            Box::new(m20261205_000024_csat::Migration),
            Box::new(m20261205_000025_sla_figures::Migration),
            Box::new(m20261205_000026_router_hot_path::Migration),
        ]
    }
}
