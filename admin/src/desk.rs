//! The admin role's periodic desk work, every [`INTERVAL`]: waking snoozed
//! conversations whose time passed (`relay::snooze::wake_due`, safe with
//! several admin servers: each conversation is woken and announced by one)
//! and taking agents whose heartbeats stopped offline (`presence::expire`),
//! and keeping conversations' SLA due times and breaches (`sla::sweep`),
//! filling the business-time seconds of new support measures
//! (`business_hours::fill`, idempotent conditional updates),
//! and sending the customer-satisfaction questions of resolutions
//! (`relay::csat::ask_due`: at most [`INTERVAL`] after the resolve, off
//! the request and off the router's path).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::AppState;

/// How often the sweep runs: a snooze ends at most this late.
pub const INTERVAL: Duration = Duration::from_secs(5);

/// Sweeps until `shutdown`; a failed round is logged and retried next time.
pub(crate) async fn run(state: AppState, shutdown: CancellationToken) {
    loop {
        if let Err(err) = wake_due(&state).await {
            tracing::warn!(%err, "snooze sweep failed; retrying");
        }
        if let Err(err) = crate::presence::expire(&state).await {
            tracing::warn!(error = ?err, "presence sweep failed; retrying");
        }
        if let Err(err) = crate::business_hours::fill(&state.db).await {
            tracing::warn!(%err, "business seconds sweep failed; retrying");
        }
        match crate::sla::sweep(&state.db, chrono::Utc::now()).await {
            Ok(breaches) if !breaches.is_empty() => {
                tracing::info!(count = breaches.len(), "SLA breaches recorded");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "SLA sweep failed; retrying"),
        }
        match relay::csat::ask_due(&state.db, &state.js, state.partitions).await {
            Ok(done) if done.asked + done.skipped > 0 => {
                tracing::info!(asked = done.asked, skipped = done.skipped, "CSAT questions");
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "CSAT sweep failed; retrying"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(INTERVAL) => {}
        }
    }
}

/// One round: wakes what is due, announces it, hands out the queued ones.
async fn wake_due(state: &AppState) -> Result<(), sea_orm::DbErr> {
    let txn = relay::db::begin_write(&state.db).await?;
    let woken = relay::snooze::wake_due(&txn, chrono::Utc::now()).await?;
    txn.commit().await?;
    if woken.is_empty() {
        return Ok(());
    }
    tracing::info!(count = woken.len(), "snoozed conversations woke up");
    for row in &woken {
        relay::assignment::announce(&state.nats, row, relay::snooze::WOKE).await;
    }
    for row in relay::assignment::drain_queues(&state.db).await? {
        relay::assignment::announce(&state.nats, &row, relay::assignment::ASSIGNED).await;
    }
    Ok(())
}
