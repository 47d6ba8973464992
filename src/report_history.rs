//! A synthetic support history for timing reports: what some 200,000
//! messages leave (openings, first and next responses, resolutions) as
//! `support_measures` rows of one conversation, 40 days of them, 20 agents
//! in 5 teams, durations spread over a day and scattered (a multiplicative
//! hash of the row: few measures share a value, as real ones); beside
//! them the messages' own measures (`message_in`, `message_out`: two per
//! measure, the 200,000 messages) and an SLA outcome for every timed
//! measure (a tenth of them also a breach). The test
//! `tests/reports.rs` (`a_large_history_is_reported_whole`) and
//! `wharf-bench`'s reports part measure the same rows.

use chrono::{DateTime, Duration, Utc};
use entities::support_measure::{self, MeasureKind};
use entities::{conversation, sla_breach, sla_outcome};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};

/// Days of history the rows span, ending at `now`.
pub const DAYS: i64 = 40;

/// Inserts `rows` measures ending at `now` into a new conversation of
/// business number `number` and contact `contact`.
///
/// # Errors
/// Database errors.
pub async fn seed(
    db: &impl ConnectionTrait,
    number: i64,
    contact: i64,
    rows: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let conversation = conversation::ActiveModel {
        business_number_id: Set(number),
        contact_id: Set(contact),
        status: Set("assigned".into()),
        priority: Set(0),
        version: Set(1),
        last_message_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id;
    let kinds = [
        MeasureKind::Opened,
        MeasureKind::FirstResponse,
        MeasureKind::NextResponse,
        MeasureKind::NextResponse,
        MeasureKind::Resolution,
    ];
    let all: Vec<support_measure::ActiveModel> = (0..rows)
        .map(|i| {
            let kind = kinds[(i % 5) as usize];
            let timed = kind != MeasureKind::Opened;
            support_measure::ActiveModel {
                conversation_id: Set(conversation),
                business_number_id: Set(number),
                team_id: Set(Some(i % 5)),
                agent_id: Set(timed.then_some(i / 5 % 20)),
                kind: Set(kind.as_str().into()),
                started_at: Set(None),
                at: Set(now - Duration::seconds(i * DAYS * 86_400 / rows.max(1))),
                seconds: Set(timed.then_some(i * 2_654_435_761 % 86_400)),
                ..Default::default()
            }
        })
        .collect();
    let timed: Vec<(MeasureKind, i64, i64, DateTime<Utc>, i64)> = all
        .iter()
        .filter_map(|m| {
            let kind: MeasureKind = m.kind.as_ref().parse().ok()?;
            let seconds = (*m.seconds.as_ref())?;
            let agent = (*m.agent_id.as_ref())?;
            let team = (*m.team_id.as_ref())?;
            Some((kind, agent, team, *m.at.as_ref(), seconds))
        })
        .collect();
    for chunk in all.chunks(1_000) {
        support_measure::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let messages = rows * 2;
    let all: Vec<support_measure::ActiveModel> = (0..messages)
        .map(|i| {
            let inbound = i % 2 == 0;
            support_measure::ActiveModel {
                conversation_id: Set(conversation),
                business_number_id: Set(number),
                team_id: Set(Some(i % 5)),
                agent_id: Set((!inbound).then_some(i / 2 % 20)),
                kind: Set(if inbound {
                    MeasureKind::MessageIn
                } else {
                    MeasureKind::MessageOut
                }
                .as_str()
                .into()),
                started_at: Set(None),
                at: Set(now - Duration::seconds(i * DAYS * 86_400 / messages.max(1))),
                seconds: Set(None),
                ..Default::default()
            }
        })
        .collect();
    for chunk in all.chunks(1_000) {
        support_measure::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    seed_sla(db, conversation, number, &timed).await
}

/// One SLA outcome per timed measure (target one hour: met when at most),
/// and a breach for every tenth missed one, recorded at the measure.
async fn seed_sla(
    db: &impl ConnectionTrait,
    conversation: i64,
    number: i64,
    timed: &[(MeasureKind, i64, i64, DateTime<Utc>, i64)],
) -> Result<(), DbErr> {
    const TARGET: i64 = 3_600;
    let outcomes: Vec<sla_outcome::ActiveModel> = timed
        .iter()
        .map(
            |&(kind, agent, team, at, seconds)| sla_outcome::ActiveModel {
                conversation_id: Set(conversation),
                policy_id: Set(1),
                team_id: Set(Some(team)),
                agent_id: Set(Some(agent)),
                business_number_id: Set(number),
                target: Set(kind.as_str().into()),
                at: Set(at),
                seconds: Set(seconds),
                target_secs: Set(TARGET),
                met: Set(seconds <= TARGET),
                ..Default::default()
            },
        )
        .collect();
    for chunk in outcomes.chunks(1_000) {
        sla_outcome::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    let breaches: Vec<sla_breach::ActiveModel> = timed
        .iter()
        .filter(|t| t.4 > TARGET)
        .step_by(10)
        .map(|&(kind, agent, team, at, _)| sla_breach::ActiveModel {
            conversation_id: Set(conversation),
            policy_id: Set(Some(1)),
            team_id: Set(Some(team)),
            agent_id: Set(Some(agent)),
            business_number_id: Set(number),
            target: Set(kind.as_str().into()),
            due_at: Set(at),
            breached_at: Set(at),
            ..Default::default()
        })
        .collect();
    for chunk in breaches.chunks(1_000) {
        sla_breach::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// How long `runs` reports took: the median and the 95th percentile
/// (nearest rank).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Timing {
    pub runs: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
}

/// The 30 days up to `now` (its second included) reported `runs` times
/// by `grouping` for all agents: the last report and how long they took.
///
/// # Errors
/// Database errors.
pub async fn time_reports(
    db: &impl ConnectionTrait,
    grouping: admin::reports::Grouping,
    now: DateTime<Utc>,
    runs: usize,
) -> Result<(admin::reports::Report, Timing), DbErr> {
    time_reports_on(db, grouping, now, runs, admin::business_hours::Clock::Wall).await
}

/// [`time_reports`] counting the timings on `clock`.
///
/// # Errors
/// Database errors.
pub async fn time_reports_on(
    db: &impl ConnectionTrait,
    grouping: admin::reports::Grouping,
    now: DateTime<Utc>,
    runs: usize,
    clock: admin::business_hours::Clock,
) -> Result<(admin::reports::Report, Timing), DbErr> {
    let (from, to) = (now - Duration::days(30), now + Duration::seconds(1));
    let runs = runs.max(1);
    let mut took = Vec::with_capacity(runs);
    let mut report = None;
    for _ in 0..runs {
        let started = std::time::Instant::now();
        report =
            Some(admin::reports::build_clocked(db, from, to, grouping, None, None, clock).await?);
        took.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    took.sort_by(f64::total_cmp);
    let timing = Timing {
        runs,
        median_ms: took[(runs - 1) / 2],
        p95_ms: took[(runs * 95).div_ceil(100) - 1],
    };
    report
        .map(|r| (r, timing))
        .ok_or_else(|| DbErr::Custom("no report".into()))
}
