//! The campaigns part of `wharf-bench` (issue 25): support replies' time to
//! the provider (the sandbox) without and with a campaign running at the
//! number's limit, and the campaign's achieved rate as a ratio of the limit
//! the replies leave it. One sender process (with its campaign feeder) per
//! run, the real OUTBOUND lanes and shared rate schedule; the sandbox
//! records when each send arrived. A reply's time is from its row's
//! creation (queued) to its arrival at the sandbox.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use entities::campaign::CampaignState;
use entities::campaign_recipient::RecipientState;
use entities::{business_number, campaign, campaign_recipient, contact, conversation, message};
use relay::envelope::ReplyContent;
use relay::provider::sandbox::Arrival;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::Serialize;

use crate::children::{RoleConfig, spawn_role, stop_with_peak};
use crate::pipeline::{self, BenchDb, Rig};
use crate::report::{Median, RoleMemory};

/// What the campaigns part runs.
#[derive(Debug, Clone)]
pub struct CampaignOptions {
    pub rounds: usize,
    /// Seconds support replies are sent in each run.
    pub seconds: u64,
    /// The number's send limit per second (the sandbox's provider limit).
    pub limit: u32,
    /// Support replies per second during a run.
    pub replies_per_second: u32,
    /// The campaign's recipients (raised to what the run can send).
    pub recipients: usize,
}

/// One round: the same replies without and with a campaign.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignRound {
    pub round: usize,
    pub replies: usize,
    /// Reply queued → at the sandbox, ms, without a campaign.
    pub p50_ms_without: f64,
    pub p99_ms_without: f64,
    /// The same with a campaign at the number's limit.
    pub p50_ms_with: f64,
    pub p99_ms_with: f64,
    /// Campaign sends per second while the replies were sent.
    pub campaign_per_second: f64,
    /// The number's effective limit (the shared schedule's spacing) minus
    /// the replies' rate: what the campaign could have had.
    pub limit_left_per_second: f64,
    /// `campaign_per_second` over `limit_left_per_second` (goal ≥ 0.9).
    pub campaign_ratio: f64,
    /// The most sends of the number (replies and campaign) the sandbox saw
    /// in any one second of the run; never above `limit`.
    pub busiest_second: usize,
    pub limit: u32,
}

/// The campaigns part's results.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignsReport {
    pub database: &'static str,
    pub rounds: Vec<CampaignRound>,
    pub medians: Vec<Median>,
}

/// Nearest-rank percentile `p` (0–100) of `values`.
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

async fn arrivals(rig: &Rig<'_>, sandbox_url: &str, since_ms: i64) -> anyhow::Result<Vec<Arrival>> {
    let all: Vec<Arrival> = rig
        .http
        .get(format!("{sandbox_url}/sandbox/arrivals"))
        .send()
        .await?
        .json()
        .await?;
    Ok(all
        .into_iter()
        .filter(|a| a.at_ms >= since_ms && a.phone_number_id == crate::NUMBER)
        .collect())
}

/// A contact and an open conversation of the number to reply in.
async fn support_conversation(
    conn: &DatabaseConnection,
    number: &business_number::Model,
    round: usize,
) -> anyhow::Result<i64> {
    let now = Utc::now();
    let who = relay::envelope::Contact::phone(format!("4915999{round:06}"), None);
    let contact = relay::contacts::new_row(&who, None, now)
        .insert(conn)
        .await?;
    let row = conversation::ActiveModel {
        business_number_id: Set(number.id),
        contact_id: Set(contact.id),
        status: Set("queued".into()),
        priority: Set(0),
        version: Set(1),
        last_inbound_at: Set(Some(now)),
        last_message_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

/// A running campaign of `recipients` new contacts.
async fn running_campaign(
    conn: &DatabaseConnection,
    number: &business_number::Model,
    round: usize,
    recipients: usize,
) -> anyhow::Result<i64> {
    let now = Utc::now();
    let first_contact = contact::Entity::find()
        .select_only()
        .column_as(contact::Column::Id.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten()
        .unwrap_or(0);
    let rows: Vec<contact::ActiveModel> = (0..recipients)
        .map(|i| {
            let who = relay::envelope::Contact::phone(format!("4917{round:03}{i:07}"), None);
            relay::contacts::new_row(&who, None, now)
        })
        .collect();
    for chunk in rows.chunks(500) {
        contact::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    let ids: Vec<i64> = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::Id.gt(first_contact))
        .filter(contact::Column::WaId.starts_with(format!("4917{round:03}")))
        .into_tuple()
        .all(conn)
        .await?;
    let row = campaign::ActiveModel {
        name: Set(format!("bench {round}")),
        business_number_id: Set(number.id),
        template_name: Set("bench_offer".into()),
        template_language: Set("en".into()),
        parameters: Set(serde_json::json!([])),
        audience: Set(serde_json::json!({"bench": recipients})),
        state: Set(CampaignState::Running.into()),
        throttled_count: Set(0),
        started_at: Set(Some(now)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let recipients: Vec<campaign_recipient::ActiveModel> = ids
        .iter()
        .map(|&contact_id| campaign_recipient::ActiveModel {
            campaign_id: Set(row.id),
            contact_id: Set(contact_id),
            parameters: Set(serde_json::json!([])),
            state: Set(RecipientState::Pending.into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in recipients.chunks(500) {
        campaign_recipient::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(row.id)
}

/// Sends replies at `per_second` for `seconds`, waits until all reached
/// the sandbox; their times (ms, queued → arrival) and the window they
/// were sent in (unix ms).
async fn replies(
    rig: &Rig<'_>,
    conn: &DatabaseConnection,
    sandbox_url: &str,
    conversation: i64,
    per_second: u32,
    seconds: u64,
) -> anyhow::Result<(Vec<f64>, i64, i64)> {
    let started_ms = Utc::now().timestamp_millis();
    let every = Duration::from_secs_f64(1.0 / f64::from(per_second.max(1)));
    let count = per_second as usize * seconds as usize;
    let mut queued = std::collections::HashMap::new();
    let mut tick = tokio::time::interval(every);
    for i in 0..count {
        tick.tick().await;
        let row = relay::outbound::enqueue_reply(
            conn,
            &rig.hub_js,
            rig.role.partitions,
            conversation,
            None,
            ReplyContent::Text {
                body: format!("bench support reply {i}"),
            },
        )
        .await
        .context("queueing a support reply")?;
        queued.insert(row.id.to_string(), row.created_at.timestamp_millis());
    }
    let ended_ms = Utc::now().timestamp_millis();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got: Vec<Arrival> = arrivals(rig, sandbox_url, started_ms)
            .await?
            .into_iter()
            .filter(|a| a.callback.as_ref().is_some_and(|c| queued.contains_key(c)))
            .collect();
        if got.len() >= count || Instant::now() > deadline {
            let mut seen = HashSet::new();
            let times = got
                .iter()
                .filter(|a| seen.insert(a.callback.clone()))
                .filter_map(|a| {
                    let at = queued.get(a.callback.as_deref()?)?;
                    Some((a.at_ms - at) as f64)
                })
                .collect();
            return Ok((times, started_ms, ended_ms));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The campaigns part on SQLite.
///
/// # Errors
/// When a role does not start or the database fails.
pub async fn run(
    rig: &Rig<'_>,
    sandbox_url: &str,
    options: &CampaignOptions,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<CampaignsReport> {
    let db = BenchDb::sqlite(rig.dir, "campaigns");
    let conn = pipeline::prepare_database(&db, rig.numbers, &rig.role.secrets_key).await?;
    let number = business_number::Entity::find()
        .filter(business_number::Column::PhoneNumberId.eq(crate::NUMBER))
        .one(&conn)
        .await?
        .context("the bench number")?;
    let role = RoleConfig {
        database_url: db.url().to_owned(),
        sends: options.limit.max(1),
        period_ms: 1000,
        ..rig.role.clone()
    };
    let config = role.write(rig.base, rig.dir, "sender-campaigns")?;
    let limit = relay::sender::ratelimit::Limit {
        sends: options.limit.max(1),
        period_ms: 1000,
    };
    let spacing = limit.spacing(Duration::from_millis(rig.base.sender.rate.allowance_ms));
    let effective = 1.0 / spacing.as_secs_f64();
    let per_second = options.replies_per_second.max(1);
    let mut results = Vec::new();
    for round in 0..options.rounds.max(1) {
        let support = support_conversation(&conn, &number, round).await?;
        // Without a campaign.
        let mut process = spawn_role("sender-campaigns", &["sender"], &config, rig.dir)?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (without, _, _) = replies(
            rig,
            &conn,
            sandbox_url,
            support,
            per_second,
            options.seconds,
        )
        .await?;
        process.check_running(20)?;
        stop_with_peak(process, Duration::from_secs(10));

        // With a campaign at the number's limit: never fewer recipients
        // than the run can reach (the case: 10,000).
        let recipients = options
            .recipients
            .max(options.limit as usize * (options.seconds as usize + 10));
        let campaign = running_campaign(&conn, &number, round, recipients).await?;
        let mut process = spawn_role("sender-campaigns", &["sender"], &config, rig.dir)?;
        // The campaign up to speed first.
        let warm_since = Utc::now().timestamp_millis();
        let deadline = Instant::now() + Duration::from_secs(30);
        while arrivals(rig, sandbox_url, warm_since).await?.len() < options.limit as usize
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let (with, from_ms, to_ms) = replies(
            rig,
            &conn,
            sandbox_url,
            support,
            per_second,
            options.seconds,
        )
        .await?;
        process.check_running(20)?;
        let ours: HashSet<String> = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .filter(message::Column::CampaignId.eq(campaign))
            .into_tuple::<i64>()
            .all(&conn)
            .await?
            .into_iter()
            .map(|id| id.to_string())
            .collect();
        let window = arrivals(rig, sandbox_url, from_ms).await?;
        let campaign_sends = window
            .iter()
            .filter(|a| a.at_ms <= to_ms)
            .filter(|a| a.callback.as_ref().is_some_and(|c| ours.contains(c)))
            .count();
        let mut all_times: Vec<i64> = arrivals(rig, sandbox_url, warm_since)
            .await?
            .iter()
            .map(|a| a.at_ms)
            .collect();
        all_times.sort_unstable();
        campaign::Entity::update_many()
            .col_expr(
                campaign::Column::State,
                sea_orm::sea_query::Expr::value(CampaignState::Cancelled),
            )
            .filter(campaign::Column::Id.eq(campaign))
            .exec(&conn)
            .await?;
        memory.push(RoleMemory {
            role: "sender-campaigns".into(),
            peak_rss_mib: stop_with_peak(process, Duration::from_secs(10))
                .map(|kib| kib as f64 / 1024.0),
        });
        let seconds = ((to_ms - from_ms) as f64 / 1000.0).max(0.001);
        let campaign_per_second = campaign_sends as f64 / seconds;
        let limit_left = (effective - f64::from(per_second)).max(0.001);
        results.push(CampaignRound {
            round,
            replies: with.len(),
            p50_ms_without: percentile(&without, 50.0),
            p99_ms_without: percentile(&without, 99.0),
            p50_ms_with: percentile(&with, 50.0),
            p99_ms_with: percentile(&with, 99.0),
            campaign_per_second,
            limit_left_per_second: limit_left,
            campaign_ratio: campaign_per_second / limit_left,
            busiest_second: relay::sender::ratelimit::busiest_window(&all_times, 1000),
            limit: options.limit,
        });
    }
    conn.close().await.ok();
    let medians = if results.len() > 1 {
        let p99_ratio: Vec<f64> = results
            .iter()
            .map(|r| r.p99_ms_with / r.p99_ms_without.max(0.001))
            .collect();
        vec![
            Median::over(
                "support reply p99 ms with a campaign (ratio: vs without)".into(),
                per_second as usize,
                results.iter().map(|r| r.p99_ms_with).collect(),
                p99_ratio,
            ),
            Median::over(
                "campaign sends/s (ratio: vs the limit left to it)".into(),
                options.limit as usize,
                results.iter().map(|r| r.campaign_per_second).collect(),
                results.iter().map(|r| r.campaign_ratio).collect(),
            ),
        ]
    } else {
        Vec::new()
    };
    Ok(CampaignsReport {
        database: "sqlite",
        rounds: results,
        medians,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
