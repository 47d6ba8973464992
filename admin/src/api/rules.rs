//! `/api/v1/rules`: routing rules — ordered, the first enabled rule that
//! matches a conversation's opening message decides where it goes. CRUD,
//! reorder (all or nothing) and a dry run. Rules are compiled with the
//! router's own matcher (`relay::routing`) on write, so a stored rule always
//! compiles, and the dry run evaluates them exactly as the router does.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{routing_rule, team};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use relay::routing::{self, Action, BotScript, CannedReply, Conditions, Facts, Hours, Outcome};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set,
};

use super::{ApiTags, Deleted, announce_change};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// Business hours in a time zone.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BusinessHours {
    /// IANA time zone, e.g. `Europe/Berlin`.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub time_zone: String,
    /// ISO weekdays, 1 = Monday … 7 = Sunday; empty means every day.
    #[oai(default, validator(max_items = 7))]
    pub days: Vec<u32>,
    /// `HH:MM` local time, inclusive.
    #[oai(validator(pattern = r"^[0-9]{2}:[0-9]{2}$"))]
    pub from: String,
    /// `HH:MM` local time, exclusive (before `from` means overnight).
    #[oai(validator(pattern = r"^[0-9]{2}:[0-9]{2}$"))]
    pub to: String,
    /// `true` (default) matches inside the hours, `false` outside them.
    #[oai(default = "yes")]
    pub inside: bool,
}

fn yes() -> bool {
    true
}

/// Conditions of a rule: every one given must hold; none matches everything.
#[derive(Debug, Clone, Default, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RuleConditions {
    /// Any of these words in the text (whole words, case-insensitive).
    #[oai(default, validator(max_items = 200))]
    pub keywords: Vec<String>,
    /// A regular expression the text must match (case-insensitive).
    #[oai(validator(max_length = 1000))]
    pub regex: Option<String>,
    /// The contact's tier is one of these.
    #[oai(default, validator(max_items = 50))]
    pub tiers: Vec<String>,
    /// The contact's (detected) language is one of these.
    #[oai(default, validator(max_items = 50))]
    pub languages: Vec<String>,
    /// The business phone number id is one of these.
    #[oai(default, validator(max_items = 200))]
    pub business_numbers: Vec<String>,
    pub hours: Option<BusinessHours>,
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "RuleActionType", rename_all = "snake_case")]
pub enum ActionType {
    /// Queue for `team_id` at `priority`.
    Team,
    /// The `bot` answers first.
    Bot,
}

/// A canned bot answer.
#[derive(Debug, Clone, Object)]
pub struct BotReply {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub keyword: String,
    #[oai(validator(min_length = 1, max_length = 4096))]
    pub text: String,
}

/// A canned-reply bot and when it hands over to a team.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BotBehaviour {
    /// The first reply whose keyword is in the text answers.
    #[oai(default, validator(max_items = 200))]
    pub replies: Vec<BotReply>,
    /// Sent when no reply matches.
    #[oai(validator(max_length = 4096))]
    pub fallback: Option<String>,
    /// Any of these words hands the conversation to `handover_team_id`.
    #[oai(default, validator(max_items = 200))]
    pub handover_keywords: Vec<String>,
    pub handover_team_id: Option<i64>,
    #[oai(default)]
    pub handover_priority: i32,
    /// An HTTP bot asked first (AI triage): it receives
    /// `{conversation_id, contact, text, language}` and answers
    /// `{"reply": "…", "handover": true|false}`; canned replies answer when
    /// it fails.
    #[oai(validator(max_length = 2048))]
    pub endpoint: Option<String>,
    /// A bot on integrators' webhooks: no canned reply; a webhook endpoint
    /// gets the customer's messages, answers through the API and hands over
    /// with `POST /conversations/{id}/handoff`.
    #[oai(default)]
    pub webhook: bool,
    /// Hand a customer left unanswered this long (seconds) in `bot` state
    /// over to `handover_team_id`.
    #[oai(validator(minimum(value = "5"), maximum(value = "86400")))]
    pub handover_after_secs: Option<u64>,
}

/// The action of a rule: `{"type": "team", "team_id": 3, "priority": 1}` or
/// `{"type": "bot", "bot": {…}}`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RuleAction {
    #[oai(rename = "type")]
    pub kind: ActionType,
    /// For `team`: the team to queue for.
    pub team_id: Option<i64>,
    /// For `team`: higher is more urgent.
    #[oai(default)]
    pub priority: i32,
    /// For `bot`: what the bot says.
    pub bot: Option<BotBehaviour>,
}

/// A new routing rule.
#[derive(Debug, Object)]
pub struct RuleIn {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    #[oai(default = "yes")]
    pub enabled: bool,
    /// Evaluation order, ascending; absent puts the rule last.
    pub position: Option<i32>,
    #[oai(default)]
    pub conditions: RuleConditions,
    pub action: RuleAction,
}

/// Changes to a rule; absent fields stay as they are, given ones replace.
#[derive(Debug, Object)]
pub struct RulePatch {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub position: Option<i32>,
    pub conditions: Option<RuleConditions>,
    pub action: Option<RuleAction>,
}

/// A routing rule.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RuleOut {
    pub id: i64,
    pub name: String,
    /// Evaluation order, ascending (ties by id).
    pub position: i32,
    pub enabled: bool,
    pub conditions: RuleConditions,
    pub action: RuleAction,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new order of the rules.
#[derive(Debug, Object)]
pub struct RuleOrderIn {
    /// Every rule's id exactly once, first evaluated first.
    #[oai(validator(max_items = 10000))]
    pub ids: Vec<i64>,
}

/// A sample message for a dry run.
#[derive(Debug, Object)]
pub struct DryRunIn {
    /// Text of the message.
    #[oai(validator(max_length = 4096))]
    pub text: Option<String>,
    /// The contact's tier (default `standard`).
    #[oai(default = "standard", validator(max_length = 100))]
    pub tier: String,
    /// The contact's known language; absent detects it from the text, as
    /// the router does for a contact without one.
    #[oai(validator(max_length = 16))]
    pub language: Option<String>,
    /// The business phone number id the message arrives on.
    #[oai(default, validator(max_length = 64))]
    pub business_number: String,
    /// Provider time of the message (default now).
    pub at: Option<DateTime<Utc>>,
}

fn standard() -> String {
    "standard".to_owned()
}

/// Where a matched message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "DryRunOutcomeType", rename_all = "snake_case")]
pub enum OutcomeType {
    /// Queued for a team.
    Queue,
    /// Answered by the bot.
    Bot,
}

/// What the router would do with the message.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DryRunOutcome {
    #[oai(rename = "type")]
    pub kind: OutcomeType,
    /// For `queue`.
    pub team_id: Option<i64>,
    /// For `queue`.
    pub priority: Option<i32>,
    /// For `bot`: its canned answer to the text, if any.
    pub reply: Option<String>,
}

/// The result of a dry run.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DryRunOut {
    /// Whether an enabled rule matched.
    pub matched: bool,
    /// The first matching rule.
    pub rule: Option<RuleOut>,
    /// What the router would do; absent when no rule matched (the
    /// conversation then stays with the bot, unrouted).
    pub outcome: Option<DryRunOutcome>,
    /// The language matched against (given or detected).
    pub language: Option<String>,
    /// How many enabled rules were evaluated, in order.
    pub rules_evaluated: u32,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Rule(Json<RuleOut>),
}

fn conditions_in(c: RuleConditions) -> Conditions {
    Conditions {
        keywords: c.keywords,
        regex: c.regex,
        tiers: c.tiers,
        languages: c.languages,
        business_numbers: c.business_numbers,
        hours: c.hours.map(|h| Hours {
            time_zone: h.time_zone,
            days: h.days,
            from: h.from,
            to: h.to,
            inside: h.inside,
        }),
    }
}

fn conditions_out(c: Conditions) -> RuleConditions {
    RuleConditions {
        keywords: c.keywords,
        regex: c.regex,
        tiers: c.tiers,
        languages: c.languages,
        business_numbers: c.business_numbers,
        hours: c.hours.map(|h| BusinessHours {
            time_zone: h.time_zone,
            days: h.days,
            from: h.from,
            to: h.to,
            inside: h.inside,
        }),
    }
}

fn action_in(a: RuleAction) -> ApiResult<Action> {
    match a.kind {
        ActionType::Team => {
            if a.bot.is_some() {
                return Err(ApiError::invalid_field(
                    "action.bot",
                    "only for an action of type bot",
                ));
            }
            let team_id = a.team_id.ok_or_else(|| {
                ApiError::invalid_field("action.team_id", "required for type team")
            })?;
            Ok(Action::Team {
                team_id,
                priority: a.priority,
            })
        }
        ActionType::Bot => {
            if a.team_id.is_some() {
                return Err(ApiError::invalid_field(
                    "action.team_id",
                    "only for an action of type team (a bot hands over with handover_team_id)",
                ));
            }
            let bot = a
                .bot
                .ok_or_else(|| ApiError::invalid_field("action.bot", "required for type bot"))?;
            if let Some(url) = &bot.endpoint
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                return Err(ApiError::invalid_field(
                    "action.bot.endpoint",
                    "must be an http(s) URL",
                ));
            }
            Ok(Action::Bot(BotScript {
                replies: bot
                    .replies
                    .into_iter()
                    .map(|r| CannedReply {
                        keyword: r.keyword,
                        text: r.text,
                    })
                    .collect(),
                fallback: bot.fallback,
                handover_keywords: bot.handover_keywords,
                handover_team_id: bot.handover_team_id,
                handover_priority: bot.handover_priority,
                endpoint: bot.endpoint,
                webhook: bot.webhook,
                handover_after_secs: bot.handover_after_secs,
            }))
        }
    }
}

fn action_out(a: Action) -> RuleAction {
    match a {
        Action::Team { team_id, priority } => RuleAction {
            kind: ActionType::Team,
            team_id: Some(team_id),
            priority,
            bot: None,
        },
        Action::Bot(script) => RuleAction {
            kind: ActionType::Bot,
            team_id: None,
            priority: 0,
            bot: Some(BotBehaviour {
                replies: script
                    .replies
                    .into_iter()
                    .map(|r| BotReply {
                        keyword: r.keyword,
                        text: r.text,
                    })
                    .collect(),
                fallback: script.fallback,
                handover_keywords: script.handover_keywords,
                handover_team_id: script.handover_team_id,
                handover_priority: script.handover_priority,
                endpoint: script.endpoint,
                webhook: script.webhook,
                handover_after_secs: script.handover_after_secs,
            }),
        },
    }
}

fn rule_out(r: routing_rule::Model) -> ApiResult<RuleOut> {
    let conditions: Conditions = serde_json::from_value(r.conditions)
        .map_err(|e| ApiError::internal(format!("rule {} conditions: {e}", r.id)))?;
    let action: Action = serde_json::from_value(r.action)
        .map_err(|e| ApiError::internal(format!("rule {} action: {e}", r.id)))?;
    Ok(RuleOut {
        id: r.id,
        name: r.name,
        position: r.position,
        enabled: r.enabled,
        conditions: conditions_out(conditions),
        action: action_out(action),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Checks conditions and action with the router's compiler and that every
/// team the action names exists; answers the JSON to store.
async fn validated(
    db: &impl ConnectionTrait,
    conditions: RuleConditions,
    action: RuleAction,
) -> ApiResult<(serde_json::Value, serde_json::Value)> {
    let conditions = conditions_in(conditions);
    let action = action_in(action)?;
    routing::Rule::new(0, String::new(), conditions.clone(), action.clone()).map_err(|err| {
        let field = match &err {
            routing::RuleError::Regex(_) => "conditions.regex",
            routing::RuleError::TimeZone(_) => "conditions.hours.time_zone",
            routing::RuleError::Time(_) => "conditions.hours",
            routing::RuleError::Day(_) => "conditions.hours.days",
            routing::RuleError::Conditions(_) => "conditions",
            routing::RuleError::Action(_) => "action",
        };
        ApiError::invalid_field(field, err)
    })?;
    for team_id in action.team_ids() {
        if team::Entity::find_by_id(team_id).one(db).await?.is_none() {
            let field = match action {
                Action::Team { .. } => "action.team_id",
                Action::Bot(_) => "action.bot.handover_team_id",
            };
            return Err(ApiError::invalid_field(
                field,
                format!("no team with id {team_id}"),
            ));
        }
    }
    let to_json = |v: Result<serde_json::Value, serde_json::Error>| v.map_err(ApiError::internal);
    Ok((
        to_json(serde_json::to_value(&conditions))?,
        to_json(serde_json::to_value(&action))?,
    ))
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<routing_rule::Model> {
    super::found::<routing_rule::Entity>(db, id, "routing rule").await
}

/// Every rule, in evaluation order.
async fn ordered(db: &impl ConnectionTrait) -> ApiResult<Vec<routing_rule::Model>> {
    Ok(routing_rule::Entity::find()
        .order_by_asc(routing_rule::Column::Position)
        .order_by_asc(routing_rule::Column::Id)
        .all(db)
        .await?)
}

fn snapshot(r: &routing_rule::Model) -> serde_json::Value {
    serde_json::json!({
        "name": r.name, "position": r.position, "enabled": r.enabled,
        "conditions": r.conditions, "action": r.action,
    })
}

pub struct RulesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Rules")]
impl RulesApi {
    /// List routing rules (supervisor)
    ///
    /// In evaluation order: by position, then id.
    #[oai(path = "/rules", method = "get", operation_id = "listRules")]
    async fn list(&self, auth: TokenAuth, state: Data<&AppState>) -> ApiResult<Json<Vec<RuleOut>>> {
        auth.0.require(Role::Supervisor)?;
        let rules = ordered(&state.db).await?;
        Ok(Json(
            rules.into_iter().map(rule_out).collect::<ApiResult<_>>()?,
        ))
    }

    /// Get a routing rule (supervisor)
    #[oai(path = "/rules/:id", method = "get", operation_id = "getRule")]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<RuleOut>> {
        auth.0.require(Role::Supervisor)?;
        Ok(Json(rule_out(find(&state.db, id.0).await?)?))
    }

    /// Create a routing rule (admin)
    ///
    /// Compiled as the router compiles it: a regex that does not compile, an
    /// unknown time zone or team is a 422 naming the field.
    #[oai(path = "/rules", method = "post", operation_id = "createRule")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<RuleIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let input = body.0;
        let txn = relay::db::begin_write(&state.db).await?;
        let (conditions, action) = validated(&txn, input.conditions, input.action).await?;
        let position = match input.position {
            Some(p) => p,
            None => {
                let last: Option<Option<i32>> = routing_rule::Entity::find()
                    .select_only()
                    .column_as(routing_rule::Column::Position.max(), "max")
                    .into_tuple()
                    .one(&txn)
                    .await?;
                last.flatten().map_or(0, |p| p.saturating_add(1))
            }
        };
        let row = routing_rule::ActiveModel {
            name: Set(input.name),
            position: Set(position),
            enabled: Set(input.enabled),
            conditions: Set(conditions),
            action: Set(action),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            &auth.0,
            "rule.create",
            "routing_rule",
            row.id,
            serde_json::json!({"after": snapshot(&row)}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "rules", Some(row.id), "create").await;
        Ok(Created::Rule(Json(rule_out(row)?)))
    }

    /// Change a routing rule (admin)
    ///
    /// Given `conditions` or `action` replace the stored ones as a whole.
    /// Rules carry no version: the last write wins.
    #[oai(path = "/rules/:id", method = "patch", operation_id = "updateRule")]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<RulePatch>,
    ) -> ApiResult<Json<RuleOut>> {
        auth.0.require(Role::Admin)?;
        let patch = body.0;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let before = snapshot(&row);
        let current = rule_out(row.clone())?;
        let (conditions, action) = validated(
            &txn,
            patch.conditions.unwrap_or(current.conditions),
            patch.action.unwrap_or(current.action),
        )
        .await?;
        let mut active: routing_rule::ActiveModel = row.into();
        if let Some(name) = patch.name {
            active.name = Set(name);
        }
        if let Some(enabled) = patch.enabled {
            active.enabled = Set(enabled);
        }
        if let Some(position) = patch.position {
            active.position = Set(position);
        }
        active.conditions = Set(conditions);
        active.action = Set(action);
        active.updated_at = Set(Utc::now());
        let row = active.update(&txn).await?;
        audit::record(
            &txn,
            &auth.0,
            "rule.update",
            "routing_rule",
            row.id,
            serde_json::json!({"before": before, "after": snapshot(&row)}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "rules", Some(row.id), "update").await;
        Ok(Json(rule_out(row)?))
    }

    /// Delete a routing rule (admin)
    #[oai(path = "/rules/:id", method = "delete", operation_id = "deleteRule")]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        audit::delete::<routing_rule::Entity>(
            txn,
            &auth.0,
            row.id,
            ("rule.delete", "routing_rule"),
            snapshot(&row),
        )
        .await?;
        announce_change(&state, "rules", Some(row.id), "delete").await;
        Ok(Deleted::NoContent)
    }

    /// Reorder the routing rules (admin)
    ///
    /// `ids` lists every rule exactly once; rule `ids[i]` gets position `i`.
    /// All or nothing: a duplicate is a 422 naming `ids`, an unknown id a
    /// 404, and a list that misses a rule (one was added since you read
    /// them) a 409; none of these changes anything.
    #[oai(
        path = "/rules/reorder",
        method = "post",
        operation_id = "reorderRules"
    )]
    async fn reorder(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<RuleOrderIn>,
    ) -> ApiResult<Json<Vec<RuleOut>>> {
        auth.0.require(Role::Admin)?;
        let ids = body.0.ids;
        let mut seen = HashSet::new();
        if let Some(dup) = ids.iter().find(|id| !seen.insert(**id)) {
            return Err(ApiError::invalid_field(
                "ids",
                format!("rule {dup} is listed more than once"),
            ));
        }
        let txn = relay::db::begin_write(&state.db).await?;
        let rows = ordered(&txn).await?;
        let before: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if let Some(unknown) = ids.iter().find(|id| !before.contains(id)) {
            return Err(ApiError::not_found(&format!("routing rule {unknown}")));
        }
        let missing: Vec<String> = before
            .iter()
            .filter(|id| !seen.contains(*id))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::conflict(format!(
                "the rules changed since you read them: ids must list every rule (missing {})",
                missing.join(", ")
            )));
        }
        let mut by_id: HashMap<i64, routing_rule::Model> =
            rows.into_iter().map(|r| (r.id, r)).collect();
        let mut out = Vec::with_capacity(ids.len());
        for (position, id) in ids.iter().enumerate() {
            let row = by_id
                .remove(id)
                .ok_or_else(|| ApiError::internal("reorder lost a rule"))?;
            let position = i32::try_from(position)
                .map_err(|_| ApiError::invalid_field("ids", "too many rules"))?;
            let row = if row.position == position {
                row
            } else {
                let mut active: routing_rule::ActiveModel = row.into();
                active.position = Set(position);
                active.updated_at = Set(Utc::now());
                active.update(&txn).await?
            };
            out.push(row);
        }
        audit::record(
            &txn,
            &auth.0,
            "rule.reorder",
            "routing_rule",
            "order",
            serde_json::json!({"before": before, "after": ids}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "rules", None, "reorder").await;
        Ok(Json(
            out.into_iter().map(rule_out).collect::<ApiResult<_>>()?,
        ))
    }

    /// Dry-run the routing rules (supervisor)
    ///
    /// Which enabled rule a message with these facts would hit, and what the
    /// router would do: the router's own rule loading, matcher, language
    /// detection and bot handover, without storing anything.
    #[oai(path = "/rules/dry-run", method = "post", operation_id = "dryRunRules")]
    async fn dry_run(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<DryRunIn>,
    ) -> ApiResult<Json<DryRunOut>> {
        auth.0.require(Role::Supervisor)?;
        let input = body.0;
        let language = match input.language {
            Some(l) => Some(l),
            None => input.text.as_deref().and_then(routing::detect_language),
        };
        let rules = routing::load(&state.db).await?;
        let facts = Facts {
            text: input.text.as_deref(),
            tier: &input.tier,
            language: language.as_deref(),
            business_number: &input.business_number,
            at: input.at.unwrap_or_else(Utc::now),
        };
        let rules_evaluated = u32::try_from(rules.len()).unwrap_or(u32::MAX);
        let Some(rule) = routing::first_match(&rules, &facts) else {
            return Ok(Json(DryRunOut {
                matched: false,
                rule: None,
                outcome: None,
                language,
                rules_evaluated,
            }));
        };
        let outcome = match rule.action.outcome(input.text.as_deref()) {
            Outcome::Queue { team_id, priority } => DryRunOutcome {
                kind: OutcomeType::Queue,
                team_id: Some(team_id),
                priority: Some(priority),
                reply: None,
            },
            Outcome::Bot { reply } => DryRunOutcome {
                kind: OutcomeType::Bot,
                team_id: None,
                priority: None,
                reply,
            },
        };
        let row = find(&state.db, rule.id).await?;
        Ok(Json(DryRunOut {
            matched: true,
            rule: Some(rule_out(row)?),
            outcome: Some(outcome),
            language,
            rules_evaluated,
        }))
    }
}
