//! SLA policies (issue 24, item 3): `sla_policies` (targets per team, label
//! and business number), the running SLA of each conversation on
//! `conversations` (`sla_policy_id`, `sla_target`, `sla_due_at` indexed for
//! the sweep, `sla_warn_at`, `sla_breached_at`, `sla_breach`), one
//! `sla_breaches` row per breach the sweep recorded, and one `sla_outcomes`
//! row per timed response or resolution of a conversation under a policy
//! with that target (met or missed; written by a trigger on
//! `support_measures` in the measure's transaction): what reports count.
//!
//! `conversations.sla_dirty` is a change counter: triggers add one when a
//! clock input changes (status, team, number, the opening's times) or a
//! label is put on or taken off; the admin server's sweep recomputes the
//! conversation and sets it back to 0 only if it did not move meanwhile.
//! New and existing open rows start dirty (default 1): the first sweeps
//! compute them (500 a round). Rules: `docs/reports.md`, "SLA policies".
#![forbid(unsafe_code)]

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::run_all;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Conversations {
    Table,
    SlaPolicyId,
    SlaTarget,
    SlaDueAt,
    SlaWarnAt,
    SlaBreachedAt,
    SlaBreach,
    SlaDirty,
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    Id,
    Name,
    TeamId,
    LabelId,
    BusinessNumberId,
    FirstResponseSecs,
    NextResponseSecs,
    ResolutionSecs,
    WarnBeforeSecs,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SlaOutcomes {
    Table,
    Id,
    ConversationId,
    PolicyId,
    TeamId,
    BusinessNumberId,
    Target,
    At,
    Seconds,
    TargetSecs,
    Met,
}

#[derive(DeriveIden)]
enum SlaBreaches {
    Table,
    Id,
    ConversationId,
    PolicyId,
    TeamId,
    BusinessNumberId,
    Target,
    DueAt,
    BreachedAt,
}

const DUE_INDEX: &str = "ix_conversations_sla_due_at";
const DIRTY_INDEX: &str = "ix_conversations_sla_dirty";
/// For the `sla_breach` alert's source: the conversations breached now.
const BREACHED_INDEX: &str = "ix_conversations_sla_breached_at";
const BREACHES_INDEX: &str = "ix_sla_breaches_breached_at";
const BREACHES_UNIQUE: &str = "ux_sla_breaches_clock";
const OUTCOMES_INDEX: &str = "ix_sla_outcomes_report";

/// The columns whose change moves a conversation's clocks.
const INPUTS: [&str; 6] = [
    "status",
    "team_id",
    "business_number_id",
    "opened_at",
    "response_due_since",
    "first_response_at",
];

/// The target of the measured kind, from the policy `p`.
const TARGET_SECS: &str = "CASE NEW.kind WHEN 'first_response' THEN p.first_response_secs \
                           WHEN 'next_response' THEN p.next_response_secs \
                           WHEN 'resolution' THEN p.resolution_secs END";

/// One `sla_outcomes` row per timed measure of a conversation under a policy
/// with a target for it (the measure's own transaction).
fn outcome_insert() -> String {
    outcome_insert_with("", "")
}

/// [`outcome_insert`] writing `extra_columns` too (each led by a comma)
/// from `extra_values` (`m20261205_000025_sla_figures` adds the agent).
pub(crate) fn outcome_insert_with(extra_columns: &str, extra_values: &str) -> String {
    format!(
        "INSERT INTO sla_outcomes (conversation_id, policy_id, team_id, business_number_id,
                                   target, at, seconds, target_secs, met{extra_columns})
         SELECT NEW.conversation_id, p.id, NEW.team_id, NEW.business_number_id, NEW.kind,
                NEW.at, NEW.seconds, {TARGET_SECS}, NEW.seconds <= {TARGET_SECS}{extra_values}
           FROM conversations c JOIN sla_policies p ON p.id = c.sla_policy_id
          WHERE c.id = NEW.conversation_id AND NEW.seconds IS NOT NULL
            AND NEW.kind IN ('first_response', 'next_response', 'resolution')
            AND {TARGET_SECS} IS NOT NULL;"
    )
}

fn sqlite_triggers() -> [String; 4] {
    let changed = INPUTS
        .iter()
        .map(|c| format!("NEW.{c} IS NOT OLD.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    [
        format!(
            "CREATE TRIGGER tr_conversations_sla_dirty AFTER UPDATE OF {} ON conversations
             WHEN {changed}
             BEGIN
               UPDATE conversations SET sla_dirty = sla_dirty + 1 WHERE id = NEW.id;
             END",
            INPUTS.join(", ")
        ),
        "CREATE TRIGGER tr_conversation_labels_sla_added AFTER INSERT ON conversation_labels
         BEGIN
           UPDATE conversations SET sla_dirty = sla_dirty + 1 WHERE id = NEW.conversation_id;
         END"
        .to_owned(),
        "CREATE TRIGGER tr_conversation_labels_sla_removed AFTER DELETE ON conversation_labels
         BEGIN
           UPDATE conversations SET sla_dirty = sla_dirty + 1 WHERE id = OLD.conversation_id;
         END"
        .to_owned(),
        format!(
            "CREATE TRIGGER tr_support_measures_sla AFTER INSERT ON support_measures
             BEGIN
               {}
             END",
            outcome_insert()
        ),
    ]
}

const SQLITE_DOWN: [&str; 4] = [
    "DROP TRIGGER IF EXISTS tr_support_measures_sla",
    "DROP TRIGGER IF EXISTS tr_conversations_sla_dirty",
    "DROP TRIGGER IF EXISTS tr_conversation_labels_sla_added",
    "DROP TRIGGER IF EXISTS tr_conversation_labels_sla_removed",
];

fn postgres_functions() -> [String; 6] {
    let new = INPUTS
        .iter()
        .map(|c| format!("NEW.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let old = INPUTS
        .iter()
        .map(|c| format!("OLD.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    [
        format!(
            "CREATE FUNCTION wharf_conversations_sla_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF ({new}) IS DISTINCT FROM ({old}) THEN
                 NEW.sla_dirty := NEW.sla_dirty + 1;
               END IF;
               RETURN NEW;
             END $$"
        ),
        "CREATE TRIGGER tr_conversations_sla_dirty BEFORE UPDATE ON conversations
         FOR EACH ROW EXECUTE FUNCTION wharf_conversations_sla_dirty()"
            .to_owned(),
        "CREATE FUNCTION wharf_conversation_labels_sla_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF TG_OP = 'DELETE' THEN
             UPDATE conversations SET sla_dirty = sla_dirty + 1 WHERE id = OLD.conversation_id;
           ELSE
             UPDATE conversations SET sla_dirty = sla_dirty + 1 WHERE id = NEW.conversation_id;
           END IF;
           RETURN NULL;
         END $$"
            .to_owned(),
        "CREATE TRIGGER tr_conversation_labels_sla_dirty AFTER INSERT OR DELETE ON conversation_labels
         FOR EACH ROW EXECUTE FUNCTION wharf_conversation_labels_sla_dirty()"
            .to_owned(),
        format!(
            "CREATE FUNCTION wharf_support_measures_sla() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               {}
               RETURN NULL;
             END $$",
            outcome_insert()
        ),
        "CREATE TRIGGER tr_support_measures_sla AFTER INSERT ON support_measures
         FOR EACH ROW EXECUTE FUNCTION wharf_support_measures_sla()"
            .to_owned(),
    ]
}

const POSTGRES_DOWN: [&str; 6] = [
    "DROP TRIGGER IF EXISTS tr_support_measures_sla ON support_measures",
    "DROP FUNCTION IF EXISTS wharf_support_measures_sla()",
    "DROP TRIGGER IF EXISTS tr_conversation_labels_sla_dirty ON conversation_labels",
    "DROP FUNCTION IF EXISTS wharf_conversation_labels_sla_dirty()",
    "DROP TRIGGER IF EXISTS tr_conversations_sla_dirty ON conversations",
    "DROP FUNCTION IF EXISTS wharf_conversations_sla_dirty()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SlaPolicies::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SlaPolicies::Id))
                    .col(string(SlaPolicies::Name).unique_key())
                    .col(big_integer_null(SlaPolicies::TeamId))
                    .col(big_integer_null(SlaPolicies::LabelId))
                    .col(big_integer_null(SlaPolicies::BusinessNumberId))
                    .col(big_integer_null(SlaPolicies::FirstResponseSecs))
                    .col(big_integer_null(SlaPolicies::NextResponseSecs))
                    .col(big_integer_null(SlaPolicies::ResolutionSecs))
                    .col(big_integer_null(SlaPolicies::WarnBeforeSecs))
                    .col(boolean(SlaPolicies::Enabled).default(true))
                    .col(timestamp_with_time_zone(SlaPolicies::CreatedAt))
                    .col(timestamp_with_time_zone(SlaPolicies::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SlaBreaches::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SlaBreaches::Id))
                    .col(big_integer(SlaBreaches::ConversationId))
                    .col(big_integer_null(SlaBreaches::PolicyId))
                    .col(big_integer_null(SlaBreaches::TeamId))
                    .col(big_integer(SlaBreaches::BusinessNumberId))
                    .col(string(SlaBreaches::Target))
                    .col(timestamp_with_time_zone(SlaBreaches::DueAt))
                    .col(timestamp_with_time_zone(SlaBreaches::BreachedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SlaOutcomes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SlaOutcomes::Id))
                    .col(big_integer(SlaOutcomes::ConversationId))
                    .col(big_integer(SlaOutcomes::PolicyId))
                    .col(big_integer_null(SlaOutcomes::TeamId))
                    .col(big_integer(SlaOutcomes::BusinessNumberId))
                    .col(string(SlaOutcomes::Target))
                    .col(timestamp_with_time_zone(SlaOutcomes::At))
                    .col(big_integer(SlaOutcomes::Seconds))
                    .col(big_integer(SlaOutcomes::TargetSecs))
                    .col(boolean(SlaOutcomes::Met))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(OUTCOMES_INDEX)
                    .table(SlaOutcomes::Table)
                    .col(SlaOutcomes::At)
                    .col(SlaOutcomes::TeamId)
                    .col(SlaOutcomes::Met)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BREACHES_INDEX)
                    .table(SlaBreaches::Table)
                    .col(SlaBreaches::BreachedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BREACHES_UNIQUE)
                    .table(SlaBreaches::Table)
                    .col(SlaBreaches::ConversationId)
                    .col(SlaBreaches::Target)
                    .col(SlaBreaches::DueAt)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let columns = [
            big_integer_null(Conversations::SlaPolicyId),
            string_null(Conversations::SlaTarget),
            timestamp_with_time_zone_null(Conversations::SlaDueAt),
            timestamp_with_time_zone_null(Conversations::SlaWarnAt),
            timestamp_with_time_zone_null(Conversations::SlaBreachedAt),
            string_null(Conversations::SlaBreach),
            big_integer(Conversations::SlaDirty).default(1).to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, col) in [
            (DUE_INDEX, Conversations::SlaDueAt),
            (DIRTY_INDEX, Conversations::SlaDirty),
            (BREACHED_INDEX, Conversations::SlaBreachedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Conversations::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        // Resolved conversations run no clock: nothing to sweep.
        run_all(
            manager,
            ["UPDATE conversations SET sla_dirty = 0 WHERE status = 'resolved'"],
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, postgres_functions()).await,
            _ => run_all(manager, sqlite_triggers()).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_DOWN).await?,
            _ => run_all(manager, SQLITE_DOWN).await?,
        }
        for name in [DUE_INDEX, DIRTY_INDEX, BREACHED_INDEX] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Conversations::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Conversations::SlaDirty,
            Conversations::SlaBreach,
            Conversations::SlaBreachedAt,
            Conversations::SlaWarnAt,
            Conversations::SlaDueAt,
            Conversations::SlaTarget,
            Conversations::SlaPolicyId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(SlaBreaches::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SlaOutcomes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SlaPolicies::Table).to_owned())
            .await
    }
}
