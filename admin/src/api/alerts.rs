//! `/api/v1/alerts`: what is firing now, what is about to (pending), and the
//! alerts resolved lately, read from the hub's alerts bucket (so every admin
//! server answers the same, whichever one evaluates).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::AppState;
use crate::alerts::state::{AlertRecord, AlertState};
use crate::alerts::store::AlertStore;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "AlertState", rename_all = "lowercase")]
pub enum AlertStateOut {
    /// The condition holds, not yet for the rule's duration.
    Pending,
    /// Announced; not resolved yet.
    Firing,
    /// Announced as resolved.
    Resolved,
}

/// One alert: a rule and what it measured (a consumer, a number, …).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlertOut {
    /// The rule's name from the configuration.
    pub rule: String,
    /// consumer_pending, dlq_inflow, edge_rejections, send_failures,
    /// number_quiet, session_disconnected, account_restricted,
    /// events_repaired, media_fetch_failures, webhooks_disabled, campaigns_paused or sla_breach.
    pub kind: String,
    pub severity: String,
    /// What was measured: a consumer, a business number, `DLQ`, `edges`, `sends`.
    pub instance: String,
    pub state: AlertStateOut,
    pub summary: String,
    /// The last value that changed the state.
    pub value: f64,
    pub threshold: f64,
    /// Since when the condition holds.
    pub active_since: Option<DateTime<Utc>>,
    /// Firing, but clear since then (resolves after the rule's clear time).
    pub clear_since: Option<DateTime<Utc>>,
    pub fired_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<AlertRecord> for AlertOut {
    fn from(r: AlertRecord) -> Self {
        Self {
            rule: r.rule,
            kind: r.kind,
            severity: r.severity,
            instance: r.instance,
            state: match r.state {
                AlertState::Pending => AlertStateOut::Pending,
                AlertState::Firing => AlertStateOut::Firing,
                AlertState::Resolved => AlertStateOut::Resolved,
            },
            summary: r.summary,
            value: r.value,
            threshold: r.threshold,
            active_since: r.active_since,
            clear_since: r.clear_since,
            fired_at: r.fired_at,
            resolved_at: r.resolved_at,
            updated_at: r.updated_at,
        }
    }
}

/// Current and recent alerts.
#[derive(Debug, Object)]
pub struct AlertsOut {
    /// Firing now, oldest first.
    pub firing: Vec<AlertOut>,
    /// Holding, not yet for long enough to fire.
    pub pending: Vec<AlertOut>,
    /// Resolved, newest first (at most `limit`).
    pub recent: Vec<AlertOut>,
}

pub struct AlertsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::System")]
impl AlertsApi {
    /// Current and recent alerts
    ///
    /// Empty lists when no admin server evaluates alerts (`alerts.enabled`).
    #[oai(path = "/alerts", method = "get", operation_id = "listAlerts")]
    async fn list(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
        /// Resolved alerts to list, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<AlertsOut>> {
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "limit must be between 1 and 200",
            ));
        }
        let records: Vec<AlertRecord> = match AlertStore::existing(&state.js).await {
            Ok(store) => store
                .all()
                .await
                .map_err(ApiError::unavailable)?
                .into_iter()
                .map(|(_, stored)| stored.record)
                .collect(),
            // No bucket: nobody has evaluated alerts yet.
            Err(_) => Vec::new(),
        };
        let mut firing = Vec::new();
        let mut pending = Vec::new();
        let mut recent = Vec::new();
        for record in records {
            match record.state {
                AlertState::Firing => firing.push(record),
                AlertState::Pending => pending.push(record),
                AlertState::Resolved => recent.push(record),
            }
        }
        firing.sort_by_key(|r| (r.fired_at, r.rule.clone(), r.instance.clone()));
        pending.sort_by_key(|r| (r.active_since, r.rule.clone(), r.instance.clone()));
        recent.sort_by_key(|r| std::cmp::Reverse(r.resolved_at));
        recent.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let out = |v: Vec<AlertRecord>| v.into_iter().map(AlertOut::from).collect();
        Ok(Json(AlertsOut {
            firing: out(firing),
            pending: out(pending),
            recent: out(recent),
        }))
    }
}
