//! Two costs on the router's writes that the end-to-end bench found
//! (docs/benchmarks.md, "Routers on PostgreSQL", 2026-12-05):
//!
//! - **The contact lookup read the whole table.** The router finds a
//!   batch's contacts by key, BSUID or phone in one `OR`
//!   (`relay::contacts::condition_for`), and `contacts.phone` had no
//!   index, so both databases scanned every contact for every batch of new
//!   contacts. `ix_contacts_phone` makes each term an index probe (tested by
//!   `router::the_contact_lookup_reads_indexes_not_the_whole_table`).
//! - **PostgreSQL planned the triggers' statements on every row.** Each
//!   message insert runs several PL/pgSQL row triggers (measures, volume,
//!   waiting time, SLA inputs and outcomes); their statements were planned
//!   again per row (custom plans; `GetCachedPlan` → `standard_planner` was
//!   a fifth of PostgreSQL's CPU in the profile). Every `wharf_*` function
//!   now runs with `plan_cache_mode = force_generic_plan`: its statements
//!   are key lookups, which a generic plan serves as well. A function
//!   replaced later must say the same (`CREATE OR REPLACE` drops it);
//!   `check_trigger_functions_plan_once` in
//!   `migrations/tests/schema.rs` checks.
#![forbid(unsafe_code)]

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_contacts_phone";

/// Sets (or resets) `plan_cache_mode` on every function of ours.
fn generic_plans(setting: &str) -> String {
    format!(
        "DO $$ DECLARE f record; BEGIN
           FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = current_schema() AND p.proname LIKE 'wharf\\_%'
           LOOP
             EXECUTE format('ALTER FUNCTION %s {setting}', f.sig);
           END LOOP;
         END $$"
    )
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Phone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Contacts::Table)
                    .col(Contacts::Phone)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            run_all(
                manager,
                [generic_plans("SET plan_cache_mode = force_generic_plan")],
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            run_all(manager, [generic_plans("RESET plan_cache_mode")]).await?;
        }
        manager
            .drop_index(Index::drop().name(INDEX).table(Contacts::Table).to_owned())
            .await
    }
}
