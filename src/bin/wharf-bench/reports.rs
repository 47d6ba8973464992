//! The reports part of `wharf-bench` (issue 24): a 30-day support report
//! for all agents over the synthetic history some 200,000 messages leave
//! (`wharf::report_history`, the rows `tests/reports.rs` measures too), by
//! agent and by day, `runs` times on SQLite and (with `--postgres-url`)
//! PostgreSQL; the median and p95 of each (the target: p95 under
//! 300 ms). In the bench process itself, against a fresh database each.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use entities::business_number;
use sea_orm::{ActiveModelTrait, Set};
use serde::Serialize;
use wharf::config::DatabaseSettings;
use wharf::roles;

use crate::pipeline::BenchDb;

/// What the reports part runs.
#[derive(Debug, Clone, Copy)]
pub struct ReportsOptions {
    /// Measures in the history (100,000: some 200,000 messages).
    pub measures: i64,
    /// Reports per grouping and database.
    pub runs: usize,
}

/// One grouping on one database.
#[derive(Debug, Clone, Serialize)]
pub struct ReportTiming {
    pub database: &'static str,
    pub grouping: &'static str,
    pub measures: i64,
    /// Measures in the 30 days reported.
    pub in_range: u64,
    /// Of the messages' own measures (`message_in`, `message_out`), those
    /// in the range (not in `in_range`).
    pub messages_in_range: u64,
    /// SLA outcomes and breaches in the range (not in `in_range`).
    pub sla_in_range: u64,
    pub groups: usize,
    pub runs: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
}

/// The reports part's results.
#[derive(Debug, Clone, Serialize)]
pub struct ReportsReport {
    pub timings: Vec<ReportTiming>,
}

/// Seeds and reports on SQLite (under `dir`) and on PostgreSQL when given.
///
/// # Errors
/// When a database cannot be made, migrated, seeded or read.
pub async fn run(
    dir: &Path,
    postgres_url: Option<&str>,
    options: ReportsOptions,
) -> anyhow::Result<ReportsReport> {
    let mut timings = Vec::new();
    let mut databases = vec![BenchDb::sqlite(dir, "reports")];
    if let Some(url) = postgres_url {
        databases.push(BenchDb::postgres(url).await?);
    }
    for db in databases {
        let result = on(&db, options).await;
        let kind = db.kind();
        db.remove().await;
        timings.extend(result.with_context(|| format!("the reports part on {kind}"))?);
    }
    Ok(ReportsReport { timings })
}

async fn on(db: &BenchDb, options: ReportsOptions) -> anyhow::Result<Vec<ReportTiming>> {
    let conn = roles::connect_database(&DatabaseSettings {
        url: db.url().to_owned(),
        max_connections: 4,
    })
    .await?;
    roles::migrate(&conn).await?;
    let now = Utc::now();
    let number = business_number::ActiveModel {
        provider: Set("meta".into()),
        phone_number_id: Set(crate::NUMBER.into()),
        display_phone: Set(String::new()),
        name: Set("Bench".into()),
        app_secret: Set(String::new()),
        verify_token: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&conn)
    .await?;
    let person = relay::envelope::Contact {
        wa_id: "4915100000799".into(),
        profile_name: None,
        user_id: None,
        username: None,
        parent_user_id: None,
    };
    let contact = relay::contacts::new_row(&person, None, now)
        .insert(&conn)
        .await?;
    wharf::report_history::seed(&conn, number.id, contact.id, options.measures, now).await?;
    let mut timings = Vec::new();
    for grouping in [
        admin::reports::Grouping::Agent,
        admin::reports::Grouping::Day,
    ] {
        let (report, took) =
            wharf::report_history::time_reports(&conn, grouping, now, options.runs).await?;
        let t = &report.total;
        timings.push(ReportTiming {
            database: db.kind(),
            grouping: grouping.as_str(),
            measures: options.measures,
            in_range: t.opened + t.first_response.count + t.next_response.count + t.resolved,
            messages_in_range: t.messages_in + t.messages_out,
            sla_in_range: [t.sla.first_response, t.sla.next_response, t.sla.resolution]
                .iter()
                .map(|c| c.met + c.missed + c.breaches)
                .sum(),
            groups: report.groups.len(),
            runs: took.runs,
            median_ms: took.median_ms,
            p95_ms: took.p95_ms,
        });
    }
    conn.close().await?;
    Ok(timings)
}
