//! The router's session state cache: the open conversation of each
//! (business number, contact) as last seen (id, status, assignee, team,
//! version), so an event usually needs no look-up. The database stays the
//! truth: a cached conversation is only used through a version-checked
//! update (`sessions`), and a stale one is dropped and read again. Changes
//! made elsewhere (the admin API's claim, transfer, resolve, reopen; other
//! routers) are announced on `wa.events.conversation.<id>` with their
//! version, and every router drops an entry older than that.

use std::sync::Arc;
use std::time::Duration;

use entities::conversation;
use futures::StreamExt;
use moka::future::Cache;
use tokio_util::sync::CancellationToken;

use crate::observe;
use crate::topology;

/// Conversations by (business number id, contact id).
pub struct SessionCache {
    inner: Cache<(i64, i64), conversation::Model>,
    /// The pair of each cached conversation id, for `changed` (an
    /// invalidation closure made moka scan every entry per announcement).
    pairs: Cache<i64, (i64, i64)>,
}

impl SessionCache {
    pub fn new(capacity: u64) -> Self {
        Self {
            inner: Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            pairs: Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }

    /// The cached conversation of this pair, if any.
    pub async fn get(&self, number_id: i64, contact_id: i64) -> Option<conversation::Model> {
        let found = self.inner.get(&(number_id, contact_id)).await;
        let result = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!(observe::SESSION_CACHE, "result" => result).increment(1);
        found
    }

    /// Counts an event served without a look-up by a copy its batch already
    /// holds (a second message of the same conversation in one batch).
    pub fn served_by_batch(&self) {
        metrics::counter!(observe::SESSION_CACHE, "result" => "hit").increment(1);
    }

    /// Remembers `row` as its pair's conversation.
    pub async fn put(&self, row: &conversation::Model) {
        let pair = (row.business_number_id, row.contact_id);
        self.pairs.insert(row.id, pair).await;
        self.inner.insert(pair, row.clone()).await;
    }

    /// Forgets the pair (a stale entry).
    pub async fn forget(&self, number_id: i64, contact_id: i64) {
        self.inner.invalidate(&(number_id, contact_id)).await;
    }

    /// Drops the conversation `id` if the cached version is older than
    /// `version`. (Should a newer copy be put between the check and the
    /// drop, it is dropped too: one more look-up, never a stale use.)
    pub async fn changed(&self, id: i64, version: i64) {
        let Some(pair) = self.pairs.get(&id).await else {
            return;
        };
        if self
            .inner
            .get(&pair)
            .await
            .is_some_and(|row| row.id == id && row.version < version)
        {
            self.inner.invalidate(&pair).await;
        }
    }

    /// Applies every conversation event on core NATS until `shutdown`.
    pub async fn listen(self: Arc<Self>, client: async_nats::Client, shutdown: CancellationToken) {
        let subject = format!("{}.conversation.*", topology::EVENTS_PREFIX);
        let mut events = match client.subscribe(subject).await {
            Ok(events) => events,
            Err(err) => {
                tracing::warn!(%err, "session cache: no invalidation feed");
                return;
            }
        };
        loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => return,
                next = events.next() => next,
            };
            let Some(event) = next else { return };
            let Ok(body) = serde_json::from_slice::<serde_json::Value>(&event.payload) else {
                continue;
            };
            if let (Some(id), Some(version)) = (
                body.get("conversation_id")
                    .and_then(serde_json::Value::as_i64),
                body.get("version").and_then(serde_json::Value::as_i64),
            ) {
                self.changed(id, version).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, contact_id: i64, version: i64) -> conversation::Model {
        let now = chrono::Utc::now();
        conversation::Model {
            id,
            business_number_id: 1,
            contact_id,
            status: "queued".into(),
            team_id: None,
            assignee_id: None,
            priority: 0,
            version,
            last_inbound_at: Some(now),
            last_message_at: now,
            waiting_since: None,
            resolved_at: None,
            assigned_at: None,
            opened_at: None,
            response_due_since: None,
            first_response_at: None,
            first_response_secs: None,
            resolution_secs: None,
            reopen_count: 0,
            messages_in: 0,
            messages_out: 0,
            snoozed_until: None,
            sla_policy_id: None,
            sla_target: None,
            sla_due_at: None,
            sla_warn_at: None,
            sla_breached_at: None,
            sla_breach: None,
            sla_dirty: 0,
            csat_state: None,
            csat_asked_at: None,
            csat_expires_at: None,
            csat_message_id: None,
            csat_score: None,
            csat_answered_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[tokio::test]
    async fn a_change_drops_only_older_copies_of_that_conversation() {
        let cache = SessionCache::new(100);
        cache.put(&row(7, 70, 2)).await;
        cache.put(&row(8, 80, 1)).await;
        cache.changed(7, 2).await;
        assert!(cache.get(1, 70).await.is_some(), "same version stays");
        cache.changed(7, 3).await;
        assert!(cache.get(1, 70).await.is_none(), "older copy dropped");
        assert!(cache.get(1, 80).await.is_some(), "others stay");
        cache.changed(99, 5).await;
        // A new conversation of the same pair is not dropped by a change of
        // the old one.
        cache.put(&row(9, 80, 1)).await;
        cache.changed(8, 4).await;
        assert_eq!(cache.get(1, 80).await.map(|r| r.id), Some(9));
    }
}
