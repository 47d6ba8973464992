//! `/api/v1/campaigns` (issue 25): a template sent from one business number
//! to an audience (a label, a filter over contacts, chosen contacts, or an
//! uploaded CSV), now or at a time, at a rate that leaves the number's
//! provider limit to support replies first. Supervisors and admins manage
//! them; every change is audited. The audience becomes one recipient row
//! per contact when the campaign is created (so its size is known and the
//! filled parameters can be previewed); sending is the senders' job
//! (`relay::campaigns`), exactly once per recipient.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::campaign::{self, CampaignState};
use entities::campaign_recipient::{self, RecipientState};
use entities::{business_number, contact, conversation, conversation_label, message, template};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::PlainText;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, StatementBuilder,
};

use super::hours::Hours;
use super::{ApiTags, Deleted};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::placeholders::{self, Facts};

/// Recipients one campaign may have.
const MAX_RECIPIENTS: usize = 100_000;

/// Who a campaign goes to: exactly one of `label_id`, `contact_ids`, `csv`,
/// `all` (optionally narrowed by `tier` and `language`).
#[derive(Debug, Object)]
pub struct AudienceIn {
    /// Contacts with a conversation on the campaign's number that carries
    /// this label.
    pub label_id: Option<i64>,
    /// These contacts.
    #[oai(validator(max_items = 100000))]
    pub contact_ids: Option<Vec<i64>>,
    /// Every contact who wrote to the campaign's number (with `tier` and
    /// `language`: those of them that match).
    pub all: Option<bool>,
    /// With `all`: only contacts of this tier.
    pub tier: Option<String>,
    /// With `all`: only contacts of this language.
    pub language: Option<String>,
    /// A CSV whose header names one id column, `phone` (digits, `+`
    /// allowed), `wa_id` or `user_id` (a BSUID), and any other columns,
    /// used by the parameters as `{{csv.<column>}}`. Contacts not known yet
    /// are created.
    #[oai(validator(max_length = 20000000))]
    pub csv: Option<String>,
}

/// A new campaign (a draft).
#[derive(Debug, Object)]
pub struct CampaignIn {
    #[oai(validator(min_length = 1, max_length = 120))]
    pub name: String,
    pub business_number_id: i64,
    /// An approved template of the number's account.
    #[oai(validator(min_length = 1, max_length = 512))]
    pub template_name: String,
    #[oai(validator(min_length = 1, max_length = 16))]
    pub template_language: String,
    /// The template's body parameters in order; each may hold
    /// `{{contact.…}}` and `{{csv.<column>}}` placeholders, filled per
    /// recipient (a recipient missing a value is skipped with the reason).
    #[oai(default, validator(max_items = 20))]
    pub parameters: Vec<String>,
    pub audience: AudienceIn,
    /// Sends per second at most; absent: what the number's limit leaves
    /// after support replies.
    #[oai(validator(minimum(value = "0.001"), maximum(value = "1000")))]
    pub rate_per_second: Option<f64>,
    /// Hours in which messages may be made (the audience's business
    /// hours); absent: any time.
    pub send_window: Option<Hours>,
}

/// A send window as stored (`relay::routing::Hours`): outside it a running
/// campaign waits, and messages already made still go out.
fn window_in(window: &Hours) -> ApiResult<serde_json::Value> {
    super::hours::stored("send_window", window, false)
}

/// Changes to a draft or scheduled campaign; absent fields stay.
#[derive(Debug, Object)]
pub struct CampaignPatch {
    /// The version read: a stale one is a 409.
    pub version: i64,
    #[oai(validator(min_length = 1, max_length = 120))]
    pub name: Option<String>,
    #[oai(validator(minimum(value = "0.001"), maximum(value = "1000")))]
    pub rate_per_second: Option<f64>,
    /// Back to "what the number's limit leaves".
    pub unlimited: Option<bool>,
    /// A new send window (also while running).
    pub send_window: Option<Hours>,
    /// `true`: no send window any more (any time).
    pub any_time: Option<bool>,
}

/// A state change.
#[derive(Debug, Object)]
pub struct CampaignActionIn {
    /// The version read: a stale one is a 409.
    pub version: i64,
}

/// Starting a draft: now, or at a time.
#[derive(Debug, Object)]
pub struct CampaignStartIn {
    /// The version read: a stale one is a 409.
    pub version: i64,
    /// When to start; absent or past: now.
    pub at: Option<DateTime<Utc>>,
}

/// Where a campaign stands, by recipient.
#[derive(Debug, Object, Default)]
pub struct CampaignCountsOut {
    pub recipients: i64,
    /// Not reached yet.
    pub pending: i64,
    /// Made, waiting for their send.
    pub queued: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    /// Not sent to (opted out, a parameter without a value, …).
    pub skipped: i64,
    pub cancelled: i64,
    /// Recipients who wrote to the number after their message.
    pub replied: i64,
}

/// A campaign.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CampaignOut {
    pub id: i64,
    pub name: String,
    pub business_number_id: i64,
    pub template_name: String,
    pub template_language: String,
    pub parameters: Vec<String>,
    /// The audience as given (a CSV's text is not repeated: `csv_rows`).
    pub audience: serde_json::Value,
    /// draft, scheduled, running, paused, completed or cancelled.
    pub state: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub rate_per_second: Option<f64>,
    pub send_window: Option<Hours>,
    /// With a send window: whether messages may be made now (a running
    /// campaign outside its window waits).
    pub window_open: Option<bool>,
    /// `agent` or `wharf`, when paused.
    pub paused_by: Option<String>,
    pub paused_reason: Option<String>,
    /// Sends the provider throttled (each slowed the campaign down).
    pub throttled_count: i32,
    pub last_throttled_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub counts: CampaignCountsOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One recipient.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecipientOut {
    pub id: i64,
    pub contact_id: i64,
    pub wa_id: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    /// pending, queued, sent, delivered, read, failed, skipped or cancelled.
    pub status: String,
    /// Why it was skipped or cancelled, or the provider's error.
    pub reason: Option<String>,
    pub message_id: Option<i64>,
    pub conversation_id: Option<i64>,
    /// The template's parameters filled for it.
    pub parameters: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// A page of recipients.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecipientPageOut {
    pub items: Vec<RecipientOut>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created, with its recipients.
    #[oai(status = 201)]
    Campaign(Json<CampaignOut>),
}

/// Recipients as CSV.
#[derive(ApiResponse)]
pub enum RecipientsCsv {
    /// One header row, then one row per recipient.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(
        PlainText<String>,
        /// `attachment; filename="campaign-<id>.csv"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

/// The statuses a recipient can have, as `status` filters name them.
const STATUSES: &[&str] = &[
    "pending",
    "queued",
    "sent",
    "delivered",
    "read",
    "failed",
    "skipped",
    "cancelled",
    "replied",
];

/// A recipient's status from its own state and its message's status.
fn status_of(state: &str, message_status: Option<&str>) -> &'static str {
    match (state, message_status) {
        ("pending", _) => "pending",
        ("skipped", _) => "skipped",
        ("cancelled", _) => "cancelled",
        (_, Some("sent")) => "sent",
        (_, Some("delivered")) => "delivered",
        (_, Some("read" | "played")) => "read",
        (_, Some("failed")) => "failed",
        _ => "queued",
    }
}

fn parse_params(value: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

/// The `{{n}}` parameters a template's body has.
fn body_parameters(components: &serde_json::Value) -> Option<usize> {
    let body = components
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(|t| t.as_str()) == Some("BODY"))?;
    let text = body.get("text")?.as_str()?;
    let mut seen = HashSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = after[..end].trim();
        if !inner.is_empty() {
            seen.insert(inner.to_owned());
        }
        rest = &after[end + 2..];
    }
    Some(seen.len())
}

#[derive(FromQueryResult)]
struct CountRow {
    state: String,
    status: Option<String>,
    n: i64,
}

/// Recipients whose contact wrote to the number after their message.
fn replied_condition(number_id: i64) -> sea_orm::sea_query::SimpleExpr {
    let (i, c, m) = (Alias::new("i"), Alias::new("c"), Alias::new("m"));
    Expr::exists(
        SqlQuery::select()
            .expr(Expr::val(1))
            .from_as(message::Entity, i.clone())
            .join_as(
                JoinType::InnerJoin,
                conversation::Entity,
                c.clone(),
                Expr::col((c.clone(), conversation::Column::Id))
                    .equals((i.clone(), message::Column::ConversationId)),
            )
            .and_where(
                Expr::col((c.clone(), conversation::Column::ContactId)).equals((
                    campaign_recipient::Entity,
                    campaign_recipient::Column::ContactId,
                )),
            )
            .and_where(Expr::col((c, conversation::Column::BusinessNumberId)).eq(number_id))
            .and_where(Expr::col((i.clone(), message::Column::Direction)).eq("inbound"))
            .and_where(
                Expr::col((i, message::Column::CreatedAt))
                    .gt(Expr::col((m, message::Column::CreatedAt))),
            )
            .to_owned(),
    )
}

async fn counts(db: &impl ConnectionTrait, c: &campaign::Model) -> ApiResult<CampaignCountsOut> {
    let m = Alias::new("m");
    let join = Expr::col((m.clone(), message::Column::Id)).equals((
        campaign_recipient::Entity,
        campaign_recipient::Column::MessageId,
    ));
    let grouped = SqlQuery::select()
        .expr_as(
            Expr::col((
                campaign_recipient::Entity,
                campaign_recipient::Column::State,
            )),
            Alias::new("state"),
        )
        .expr_as(
            Expr::col((m.clone(), message::Column::Status)),
            Alias::new("status"),
        )
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(campaign_recipient::Entity)
        .join_as(JoinType::LeftJoin, message::Entity, m.clone(), join.clone())
        .and_where(
            Expr::col((
                campaign_recipient::Entity,
                campaign_recipient::Column::CampaignId,
            ))
            .eq(c.id),
        )
        .group_by_col((
            campaign_recipient::Entity,
            campaign_recipient::Column::State,
        ))
        .group_by_col((m.clone(), message::Column::Status))
        .to_owned();
    let backend = db.get_database_backend();
    let rows = CountRow::find_by_statement(StatementBuilder::build(&grouped, &backend))
        .all(db)
        .await?;
    let mut out = CampaignCountsOut::default();
    for row in rows {
        out.recipients += row.n;
        let slot = match status_of(&row.state, row.status.as_deref()) {
            "pending" => &mut out.pending,
            "skipped" => &mut out.skipped,
            "cancelled" => &mut out.cancelled,
            "sent" => &mut out.sent,
            "delivered" => &mut out.delivered,
            "read" => &mut out.read,
            "failed" => &mut out.failed,
            _ => &mut out.queued,
        };
        *slot += row.n;
    }
    let replied = SqlQuery::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(campaign_recipient::Entity)
        .join_as(JoinType::InnerJoin, message::Entity, m, join)
        .and_where(
            Expr::col((
                campaign_recipient::Entity,
                campaign_recipient::Column::CampaignId,
            ))
            .eq(c.id),
        )
        .and_where(replied_condition(c.business_number_id))
        .to_owned();
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    out.replied = N::find_by_statement(StatementBuilder::build(&replied, &backend))
        .one(db)
        .await?
        .map_or(0, |r| r.n);
    Ok(out)
}

async fn out(db: &impl ConnectionTrait, c: campaign::Model) -> ApiResult<CampaignOut> {
    let counts = counts(db, &c).await?;
    Ok(CampaignOut {
        id: c.id,
        name: c.name,
        business_number_id: c.business_number_id,
        template_name: c.template_name,
        template_language: c.template_language,
        parameters: parse_params(&c.parameters),
        audience: c.audience,
        state: c.state,
        scheduled_at: c.scheduled_at,
        rate_per_second: c.rate_per_second,
        send_window: super::hours::out(c.send_window.as_ref()),
        window_open: c
            .send_window
            .as_ref()
            .map(|w| relay::campaigns::window_open(Some(w), Utc::now())),
        paused_by: c.paused_by,
        paused_reason: c.paused_reason,
        throttled_count: c.throttled_count,
        last_throttled_at: c.last_throttled_at,
        started_at: c.started_at,
        finished_at: c.finished_at,
        version: c.version,
        counts,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<campaign::Model> {
    super::found::<campaign::Entity>(db, id, "campaign").await
}

fn snapshot(c: &campaign::Model) -> serde_json::Value {
    serde_json::json!({
        "name": c.name, "state": c.state, "business_number_id": c.business_number_id,
        "template": [c.template_name, c.template_language], "rate_per_second": c.rate_per_second,
        "send_window": c.send_window,
        "scheduled_at": c.scheduled_at, "version": c.version,
    })
}

/// One audience member: the contact and its CSV row (by lower-case column).
type Member = (contact::Model, Option<HashMap<String, String>>);

/// A phone number as digits, or `None` when it is not one.
fn phone_digits(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits).to_owned();
    ((6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// The contacts of a CSV audience, created when unknown; nothing is
/// written when a row is bad (the caller's transaction).
async fn csv_members(
    txn: &impl ConnectionTrait,
    text: &str,
    used: &[String],
) -> ApiResult<Vec<Member>> {
    let records =
        crate::csv::parse(text).map_err(|e| ApiError::invalid_field("audience.csv", e))?;
    let mut records = records.into_iter();
    let header: Vec<String> = records
        .next()
        .ok_or_else(|| ApiError::invalid_field("audience.csv", "is empty"))?
        .into_iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let id_column = header
        .iter()
        .position(|h| matches!(h.as_str(), "phone" | "wa_id" | "user_id"))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "audience.csv",
                "the header names no id column (phone, wa_id or user_id)",
            )
        })?;
    if let Some(missing) = used.iter().find(|u| !header.contains(&u.to_lowercase())) {
        return Err(ApiError::invalid_field(
            "parameters",
            format!("use {{{{csv.{missing}}}}} but the CSV has no column {missing:?}"),
        ));
    }
    let mut members = Vec::new();
    let mut seen = HashSet::new();
    let now = Utc::now();
    for (n, record) in records.enumerate() {
        let line = n + 2;
        let raw = record.get(id_column).map(|v| v.trim()).unwrap_or_default();
        let id = if relay::envelope::is_bsuid(raw) {
            relay::envelope::Contact {
                wa_id: raw.to_owned(),
                user_id: Some(raw.to_owned()),
                ..Default::default()
            }
        } else if let Some(digits) = phone_digits(raw) {
            relay::envelope::Contact::phone(digits, None)
        } else {
            return Err(ApiError::invalid_field(
                "audience.csv",
                format!("line {line}: {raw:?} is neither a phone number nor a BSUID"),
            ));
        };
        if !seen.insert(id.wa_id.clone()) {
            continue;
        }
        let row: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(|v| v.trim().to_owned()))
            .collect();
        let contact = match relay::contacts::find(txn, &id).await? {
            Some(found) => found,
            None => relay::contacts::new_row(&id, None, now).insert(txn).await?,
        };
        members.push((contact, Some(row)));
        if members.len() > MAX_RECIPIENTS {
            break;
        }
    }
    Ok(members)
}

/// The audience's contacts.
async fn members(
    txn: &impl ConnectionTrait,
    number: &business_number::Model,
    audience: &AudienceIn,
    used_csv: &[String],
) -> ApiResult<Vec<Member>> {
    let given = [
        audience.label_id.is_some(),
        audience.contact_ids.is_some(),
        audience.csv.is_some(),
        audience.all == Some(true),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given != 1 {
        return Err(ApiError::invalid_field(
            "audience",
            "give exactly one of label_id, contact_ids, csv or all",
        ));
    }
    if (audience.tier.is_some() || audience.language.is_some()) && audience.all != Some(true) {
        return Err(ApiError::invalid_field(
            "audience",
            "tier and language narrow `all` only",
        ));
    }
    if !used_csv.is_empty() && audience.csv.is_none() {
        return Err(ApiError::invalid_field(
            "parameters",
            "use {{csv.…}} placeholders, but the audience is not a CSV",
        ));
    }
    if let Some(text) = &audience.csv {
        return csv_members(txn, text, used_csv).await;
    }
    let ids: Vec<i64> = if let Some(ids) = &audience.contact_ids {
        ids.clone()
    } else {
        let mut query = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::ContactId)
            .distinct()
            .filter(conversation::Column::BusinessNumberId.eq(number.id));
        if let Some(label) = audience.label_id {
            query = query
                .join(
                    JoinType::InnerJoin,
                    conversation_label::Relation::Conversation.def().rev(),
                )
                .filter(conversation_label::Column::LabelId.eq(label));
        }
        query.into_tuple::<i64>().all(txn).await?
    };
    let mut found = Vec::new();
    // Bounded statements: SQLite limits the variables of one.
    for chunk in ids.chunks(5000) {
        let mut part = Condition::all().add(contact::Column::Id.is_in(chunk.iter().copied()));
        if let Some(tier) = &audience.tier {
            part = part.add(contact::Column::Tier.eq(tier));
        }
        if let Some(language) = &audience.language {
            part = part.add(contact::Column::Language.eq(language));
        }
        found.extend(
            contact::Entity::find()
                .filter(part)
                .order_by_asc(contact::Column::Id)
                .all(txn)
                .await?,
        );
    }
    if audience.contact_ids.is_some() && found.len() < ids.iter().collect::<HashSet<_>>().len() {
        let known: HashSet<i64> = found.iter().map(|c| c.id).collect();
        let unknown: Vec<String> = ids
            .iter()
            .filter(|id| !known.contains(id))
            .take(5)
            .map(ToString::to_string)
            .collect();
        return Err(ApiError::invalid_field(
            "audience.contact_ids",
            format!("no contact with id {}", unknown.join(", ")),
        ));
    }
    Ok(found.into_iter().map(|c| (c, None)).collect())
}

/// Checks a state change and writes it with the version check; 409 when
/// the version is stale, 422 `invalid_transition` when the state does not
/// allow it.
async fn transition(
    txn: &impl ConnectionTrait,
    current: &campaign::Model,
    version: i64,
    from: &[CampaignState],
    mut change: campaign::ActiveModel,
) -> ApiResult<campaign::Model> {
    if current.version != version {
        return Err(ApiError::conflict(format!(
            "the campaign changed (version {}, you sent {version}); reload it",
            current.version
        )));
    }
    let state = current.state().map_err(ApiError::internal)?;
    if !from.contains(&state) {
        return Err(ApiError::unprocessable(
            "invalid_transition",
            format!("not possible while the campaign is {state}"),
        ));
    }
    change.id = Set(current.id);
    change.version = Set(current.version + 1);
    change.updated_at = Set(Utc::now());
    let updated = campaign::Entity::update_many()
        .set(change)
        .filter(campaign::Column::Id.eq(current.id))
        .filter(campaign::Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ApiError::conflict(
            "the campaign changed meanwhile; reload it",
        ));
    }
    find(txn, current.id).await
}

pub struct CampaignsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Campaigns")]
impl CampaignsApi {
    /// List campaigns (supervisor)
    ///
    /// Newest first, with their counts; `state` keeps one state.
    #[oai(path = "/campaigns", method = "get", operation_id = "listCampaigns")]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// draft, scheduled, running, paused, completed or cancelled.
        #[oai(name = "state")]
        filter_state: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<CampaignOut>>> {
        auth.0.require(Role::Supervisor)?;
        let mut query = campaign::Entity::find().order_by_desc(campaign::Column::Id);
        if let Some(s) = &filter_state.0 {
            let s: CampaignState = s.parse().map_err(|_| {
                ApiError::bad_request("invalid_parameter", "state: not a campaign state")
            })?;
            query = query.filter(campaign::Column::State.eq(s));
        }
        let mut items = Vec::new();
        for c in query.limit(200).all(&state.db).await? {
            items.push(out(&state.db, c).await?);
        }
        Ok(Json(items))
    }

    /// Create a campaign (supervisor)
    ///
    /// A draft with its recipients, one per contact of the audience. The
    /// template must be sendable from the number (approved, when the
    /// account's catalog is known: 422 otherwise) and take as many body
    /// parameters as given; WasenderApi numbers cannot send templates
    /// (422). Recipients without a value for a placeholder are skipped
    /// with the reason.
    #[oai(path = "/campaigns", method = "post", operation_id = "createCampaign")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<CampaignIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Supervisor)?;
        let input = body.0;
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::invalid_field("name", "must not be blank"));
        }
        for (i, p) in input.parameters.iter().enumerate() {
            placeholders::check(p, &format!("parameters[{i}]"), true)?;
        }
        let send_window = input.send_window.as_ref().map(window_in).transpose()?;
        let used_csv: Vec<String> = input
            .parameters
            .iter()
            .flat_map(|p| placeholders::csv_columns(p))
            .collect();
        let txn = relay::db::begin_write(&state.db).await?;
        let number = business_number::Entity::find_by_id(input.business_number_id)
            .one(&txn)
            .await?
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "business_number_id",
                    format!("no business number {}", input.business_number_id),
                )
            })?;
        if number.provider == "wasender" {
            return Err(ApiError::invalid_field(
                "business_number_id",
                "WasenderApi sends no templates: campaigns need a Meta Cloud API number",
            ));
        }
        if let Err(refusal) = relay::templates::check_sendable(
            &txn,
            &number,
            &input.template_name,
            &input.template_language,
        )
        .await?
        {
            return Err(ApiError::unprocessable(
                match refusal {
                    relay::templates::Refusal::Unknown { .. } => "template_unknown",
                    relay::templates::Refusal::NotApproved { .. } => "template_not_approved",
                },
                refusal.to_string(),
            ));
        }
        if let Some(waba) = &number.waba_id
            && let Some(t) = template::Entity::find()
                .filter(template::Column::WabaId.eq(waba))
                .filter(template::Column::Name.eq(&input.template_name))
                .filter(template::Column::Language.eq(&input.template_language))
                .one(&txn)
                .await?
            && let Some(wanted) = body_parameters(&t.components)
            && wanted != input.parameters.len()
        {
            return Err(ApiError::invalid_field(
                "parameters",
                format!(
                    "the template's body takes {wanted} parameter(s), {} given",
                    input.parameters.len()
                ),
            ));
        }
        let members = members(&txn, &number, &input.audience, &used_csv).await?;
        if members.len() > MAX_RECIPIENTS {
            return Err(ApiError::invalid_field(
                "audience",
                format!("has more than {MAX_RECIPIENTS} contacts"),
            ));
        }
        let mut audience = serde_json::json!({
            "label_id": input.audience.label_id,
            "contact_ids": input.audience.contact_ids.as_ref().map(Vec::len),
            "all": input.audience.all,
            "tier": input.audience.tier,
            "language": input.audience.language,
            "csv_rows": input.audience.csv.as_ref().map(|_| members.len()),
        });
        if let Some(map) = audience.as_object_mut() {
            map.retain(|_, v| !serde_json::Value::is_null(v));
        }
        let now = Utc::now();
        let row = campaign::ActiveModel {
            name: Set(name),
            business_number_id: Set(number.id),
            template_name: Set(input.template_name.clone()),
            template_language: Set(input.template_language.clone()),
            parameters: Set(serde_json::json!(input.parameters)),
            audience: Set(audience),
            state: Set(CampaignState::Draft.into()),
            rate_per_second: Set(input.rate_per_second),
            send_window: Set(send_window),
            throttled_count: Set(0),
            created_by: Set(auth.0.agent_id),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut rows = Vec::with_capacity(members.len());
        for (contact, csv_row) in &members {
            let facts = Facts {
                contact: Some(contact),
                agent_name: None,
                row: csv_row.as_ref(),
            };
            let mut missing = Vec::new();
            let filled: Vec<String> = input
                .parameters
                .iter()
                .map(|p| {
                    let (text, m) = placeholders::fill(p, &facts);
                    missing.extend(m);
                    text
                })
                .collect();
            let (state, reason) = if missing.is_empty() {
                (RecipientState::Pending, None)
            } else {
                (
                    RecipientState::Skipped,
                    Some(format!("no value for {}", missing.join(", "))),
                )
            };
            rows.push(campaign_recipient::ActiveModel {
                campaign_id: Set(row.id),
                contact_id: Set(contact.id),
                parameters: Set(serde_json::json!(filled)),
                state: Set(state.into()),
                reason: Set(reason),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        // Bounded statements: SQLite limits the variables of one.
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(500).collect();
            campaign_recipient::Entity::insert_many(chunk)
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            &auth.0,
            "campaign.create",
            "campaign",
            row.id,
            serde_json::json!({"after": snapshot(&row), "recipients": members.len()}),
        )
        .await?;
        let created = out(&txn, row).await?;
        txn.commit().await?;
        Ok(Created::Campaign(Json(created)))
    }

    /// One campaign (supervisor)
    #[oai(path = "/campaigns/:id", method = "get", operation_id = "getCampaign")]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<CampaignOut>> {
        auth.0.require(Role::Supervisor)?;
        let c = find(&state.db, id.0).await?;
        Ok(Json(out(&state.db, c).await?))
    }

    /// Change a draft or scheduled campaign (supervisor)
    ///
    /// Its name and rate; the audience and parameters are fixed once
    /// created (create another draft to change them).
    #[oai(
        path = "/campaigns/:id",
        method = "patch",
        operation_id = "updateCampaign"
    )]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CampaignPatch>,
    ) -> ApiResult<Json<CampaignOut>> {
        auth.0.require(Role::Supervisor)?;
        let patch = body.0;
        if patch.unlimited == Some(true) && patch.rate_per_second.is_some() {
            return Err(ApiError::invalid_field(
                "unlimited",
                "give either rate_per_second or unlimited",
            ));
        }
        if patch.any_time == Some(true) && patch.send_window.is_some() {
            return Err(ApiError::invalid_field(
                "any_time",
                "give either send_window or any_time",
            ));
        }
        let send_window = patch.send_window.as_ref().map(window_in).transpose()?;
        let txn = relay::db::begin_write(&state.db).await?;
        let current = find(&txn, id.0).await?;
        let mut change = <campaign::ActiveModel as Default>::default();
        if let Some(name) = &patch.name {
            let name = name.trim();
            if name.is_empty() {
                return Err(ApiError::invalid_field("name", "must not be blank"));
            }
            change.name = Set(name.to_owned());
        }
        if let Some(rate) = patch.rate_per_second {
            change.rate_per_second = Set(Some(rate));
        }
        if patch.unlimited == Some(true) {
            change.rate_per_second = Set(None);
        }
        if let Some(window) = send_window {
            change.send_window = Set(Some(window));
        }
        if patch.any_time == Some(true) {
            change.send_window = Set(None);
        }
        let updated = transition(
            &txn,
            &current,
            patch.version,
            &[
                CampaignState::Draft,
                CampaignState::Scheduled,
                CampaignState::Paused,
                CampaignState::Running,
            ],
            change,
        )
        .await?;
        audit::record(
            &txn,
            &auth.0,
            "campaign.update",
            "campaign",
            updated.id,
            serde_json::json!({"before": snapshot(&current), "after": snapshot(&updated)}),
        )
        .await?;
        let answer = out(&txn, updated).await?;
        txn.commit().await?;
        Ok(Json(answer))
    }

    /// Delete a draft campaign (supervisor)
    ///
    /// Only drafts: a campaign that sent anything is kept (cancel it).
    #[oai(
        path = "/campaigns/:id",
        method = "delete",
        operation_id = "deleteCampaign"
    )]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Supervisor)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let current = find(&txn, id.0).await?;
        if current.state != CampaignState::Draft.as_str() {
            return Err(ApiError::unprocessable(
                "invalid_transition",
                format!(
                    "only drafts are deleted; this one is {} (cancel it)",
                    current.state
                ),
            ));
        }
        audit::delete::<campaign::Entity>(
            txn,
            &auth.0,
            current.id,
            ("campaign.delete", "campaign"),
            snapshot(&current),
        )
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Start a campaign (supervisor)
    ///
    /// A draft starts now, or is scheduled for `at`; a scheduled one starts
    /// now.
    #[oai(
        path = "/campaigns/:id/start",
        method = "post",
        operation_id = "startCampaign"
    )]
    async fn start(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CampaignStartIn>,
    ) -> ApiResult<Json<CampaignOut>> {
        auth.0.require(Role::Supervisor)?;
        let now = Utc::now();
        let later = body.0.at.filter(|at| *at > now);
        let mut change = <campaign::ActiveModel as Default>::default();
        match later {
            Some(at) => {
                change.state = Set(CampaignState::Scheduled.into());
                change.scheduled_at = Set(Some(at));
            }
            None => {
                change.state = Set(CampaignState::Running.into());
                change.started_at = Set(Some(now));
            }
        }
        let from: &[CampaignState] = if later.is_some() {
            &[CampaignState::Draft]
        } else {
            &[CampaignState::Draft, CampaignState::Scheduled]
        };
        self.act(
            &auth,
            &state,
            id.0,
            body.0.version,
            from,
            change,
            "campaign.start",
        )
        .await
    }

    /// Pause a campaign (supervisor)
    ///
    /// No message is made or sent until it resumes; those already made are
    /// held by the senders.
    #[oai(
        path = "/campaigns/:id/pause",
        method = "post",
        operation_id = "pauseCampaign"
    )]
    async fn pause(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CampaignActionIn>,
    ) -> ApiResult<Json<CampaignOut>> {
        auth.0.require(Role::Supervisor)?;
        let change = campaign::ActiveModel {
            state: Set(CampaignState::Paused.into()),
            paused_by: Set(Some(relay::campaigns::PAUSED_BY_AGENT.into())),
            paused_reason: Set(Some("paused by a person".into())),
            ..Default::default()
        };
        let from = [CampaignState::Running, CampaignState::Scheduled];
        self.act(
            &auth,
            &state,
            id.0,
            body.0.version,
            &from,
            change,
            "campaign.pause",
        )
        .await
    }

    /// Resume a paused campaign (supervisor)
    #[oai(
        path = "/campaigns/:id/resume",
        method = "post",
        operation_id = "resumeCampaign"
    )]
    async fn resume(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CampaignActionIn>,
    ) -> ApiResult<Json<CampaignOut>> {
        auth.0.require(Role::Supervisor)?;
        let change = campaign::ActiveModel {
            state: Set(CampaignState::Running.into()),
            paused_by: Set(None),
            paused_reason: Set(None),
            ..Default::default()
        };
        let from = [CampaignState::Paused];
        self.act(
            &auth,
            &state,
            id.0,
            body.0.version,
            &from,
            change,
            "campaign.resume",
        )
        .await
    }

    /// Cancel a campaign (supervisor)
    ///
    /// For good: recipients not yet sent to are cancelled (messages already
    /// made are cancelled by the senders, never sent).
    #[oai(
        path = "/campaigns/:id/cancel",
        method = "post",
        operation_id = "cancelCampaign"
    )]
    async fn cancel(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CampaignActionIn>,
    ) -> ApiResult<Json<CampaignOut>> {
        auth.0.require(Role::Supervisor)?;
        let change = campaign::ActiveModel {
            state: Set(CampaignState::Cancelled.into()),
            finished_at: Set(Some(Utc::now())),
            ..Default::default()
        };
        let from = [
            CampaignState::Draft,
            CampaignState::Scheduled,
            CampaignState::Running,
            CampaignState::Paused,
        ];
        self.act(
            &auth,
            &state,
            id.0,
            body.0.version,
            &from,
            change,
            "campaign.cancel",
        )
        .await
    }

    /// A campaign's recipients (supervisor)
    ///
    /// By id; `status` keeps one status (pending, queued, sent, delivered,
    /// read, failed, skipped, cancelled, replied); page with `cursor`.
    #[oai(
        path = "/campaigns/:id/recipients",
        method = "get",
        operation_id = "listCampaignRecipients"
    )]
    async fn recipients(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        status: Query<Option<String>>,
        /// Page size, 1–1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^[0-9]{1,19}$"))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<RecipientPageOut>> {
        auth.0.require(Role::Supervisor)?;
        let c = find(&state.db, id.0).await?;
        let limit = limit.0.unwrap_or(100);
        let after = cursor
            .0
            .map(|v| v.parse::<i64>())
            .transpose()
            .map_err(|_| ApiError::bad_request("invalid_parameter", "cursor is not one we issued"))?
            .unwrap_or(0);
        let mut items =
            recipient_rows(&state.db, &c, status.0.as_deref(), after, Some(limit + 1)).await?;
        let more = items.len() as u64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = more
            .then(|| items.last().map(|r| r.id.to_string()))
            .flatten();
        Ok(Json(RecipientPageOut { items, next_cursor }))
    }

    /// A campaign's recipients as CSV (supervisor)
    #[oai(
        path = "/campaigns/:id/recipients.csv",
        method = "get",
        operation_id = "getCampaignRecipientsCsv"
    )]
    async fn recipients_csv(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        status: Query<Option<String>>,
    ) -> ApiResult<RecipientsCsv> {
        auth.0.require(Role::Supervisor)?;
        let c = find(&state.db, id.0).await?;
        let rows = recipient_rows(&state.db, &c, status.0.as_deref(), 0, None).await?;
        let mut text = String::from(
            "recipient_id,contact_id,wa_id,phone,name,status,reason,message_id,parameters\n",
        );
        for r in rows {
            let cells = [
                r.id.to_string(),
                r.contact_id.to_string(),
                crate::csv::field(r.wa_id.as_deref()),
                crate::csv::field(r.phone.as_deref()),
                crate::csv::field(r.name.as_deref()),
                r.status,
                crate::csv::field(r.reason.as_deref()),
                r.message_id.map(|m| m.to_string()).unwrap_or_default(),
                crate::csv::field(Some(&r.parameters.join(" | "))),
            ];
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        Ok(RecipientsCsv::Ok(
            PlainText(text),
            format!("attachment; filename=\"campaign-{}.csv\"", c.id),
        ))
    }
}

impl CampaignsApi {
    /// A state change: checked, written with the version check, audited.
    #[allow(clippy::too_many_arguments)]
    async fn act(
        &self,
        auth: &TokenAuth,
        state: &AppState,
        id: i64,
        version: i64,
        from: &[CampaignState],
        change: campaign::ActiveModel,
        action: &str,
    ) -> ApiResult<Json<CampaignOut>> {
        let txn = relay::db::begin_write(&state.db).await?;
        let current = find(&txn, id).await?;
        let updated = transition(&txn, &current, version, from, change).await?;
        let cancelled = if updated.state == CampaignState::Cancelled.as_str() {
            relay::campaigns::cancel_pending(&txn, updated.id).await?
        } else {
            0
        };
        audit::record(
            &txn,
            &auth.0,
            action,
            "campaign",
            updated.id,
            serde_json::json!({
                "before": snapshot(&current), "after": snapshot(&updated),
                "recipients_cancelled": cancelled,
            }),
        )
        .await?;
        let answer = out(&txn, updated).await?;
        txn.commit().await?;
        Ok(Json(answer))
    }
}

#[derive(FromQueryResult)]
struct RecipientRow {
    id: i64,
    contact_id: i64,
    state: String,
    reason: Option<String>,
    message_id: Option<i64>,
    parameters: serde_json::Value,
    updated_at: DateTime<Utc>,
    status: Option<String>,
    error: Option<String>,
    conversation_id: Option<i64>,
    wa_id: Option<String>,
    phone: Option<String>,
    profile_name: Option<String>,
}

/// Recipients of `c` after id `after`, by id, with their message's status.
async fn recipient_rows(
    db: &impl ConnectionTrait,
    c: &campaign::Model,
    status: Option<&str>,
    after: i64,
    limit: Option<u64>,
) -> ApiResult<Vec<RecipientOut>> {
    let (m, k) = (Alias::new("m"), Alias::new("k"));
    let r = campaign_recipient::Entity;
    let mut q = SqlQuery::select();
    q.columns([
        (r, campaign_recipient::Column::Id),
        (r, campaign_recipient::Column::ContactId),
        (r, campaign_recipient::Column::State),
        (r, campaign_recipient::Column::Reason),
        (r, campaign_recipient::Column::MessageId),
        (r, campaign_recipient::Column::Parameters),
        (r, campaign_recipient::Column::UpdatedAt),
    ])
    .expr_as(
        Expr::col((m.clone(), message::Column::Status)),
        Alias::new("status"),
    )
    .expr_as(
        Expr::col((m.clone(), message::Column::Error)),
        Alias::new("error"),
    )
    .expr_as(
        Expr::col((m.clone(), message::Column::ConversationId)),
        Alias::new("conversation_id"),
    )
    .expr_as(
        Expr::col((k.clone(), contact::Column::WaId)),
        Alias::new("wa_id"),
    )
    .expr_as(
        Expr::col((k.clone(), contact::Column::Phone)),
        Alias::new("phone"),
    )
    .expr_as(
        Expr::col((k.clone(), contact::Column::ProfileName)),
        Alias::new("profile_name"),
    )
    .from(r)
    .join_as(
        JoinType::LeftJoin,
        message::Entity,
        m.clone(),
        Expr::col((m.clone(), message::Column::Id))
            .equals((r, campaign_recipient::Column::MessageId)),
    )
    .join_as(
        JoinType::LeftJoin,
        contact::Entity,
        k.clone(),
        Expr::col((k, contact::Column::Id)).equals((r, campaign_recipient::Column::ContactId)),
    )
    .and_where(Expr::col((r, campaign_recipient::Column::CampaignId)).eq(c.id))
    .and_where(Expr::col((r, campaign_recipient::Column::Id)).gt(after))
    .order_by((r, campaign_recipient::Column::Id), sea_orm::Order::Asc);
    if let Some(limit) = limit {
        q.limit(limit);
    }
    let state_is = |s: RecipientState| Expr::col((r, campaign_recipient::Column::State)).eq(s);
    let message_is = |statuses: &[&str]| {
        Expr::col((m.clone(), message::Column::Status)).is_in(statuses.iter().copied())
    };
    match status {
        None => {}
        Some("pending") => {
            q.and_where(state_is(RecipientState::Pending));
        }
        Some("skipped") => {
            q.and_where(state_is(RecipientState::Skipped));
        }
        Some("cancelled") => {
            q.and_where(state_is(RecipientState::Cancelled));
        }
        Some("queued") => {
            q.and_where(state_is(RecipientState::Queued))
                .and_where(message_is(&["queued"]));
        }
        Some("read") => {
            q.and_where(state_is(RecipientState::Queued))
                .and_where(message_is(&["read", "played"]));
        }
        Some(s @ ("sent" | "delivered" | "failed")) => {
            q.and_where(state_is(RecipientState::Queued))
                .and_where(message_is(&[s]));
        }
        Some("replied") => {
            q.and_where(replied_condition(c.business_number_id));
        }
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("status: {other:?} is not one of {}", STATUSES.join(", ")),
            ));
        }
    }
    let backend = db.get_database_backend();
    let rows = RecipientRow::find_by_statement(StatementBuilder::build(&q, &backend))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let status = status_of(&row.state, row.status.as_deref()).to_owned();
            let reason = row
                .reason
                .or_else(|| (status == "failed").then_some(row.error).flatten());
            RecipientOut {
                id: row.id,
                contact_id: row.contact_id,
                wa_id: row.wa_id,
                phone: row.phone,
                name: row.profile_name,
                status,
                reason,
                message_id: row.message_id,
                conversation_id: row.conversation_id,
                parameters: parse_params(&row.parameters),
                updated_at: row.updated_at,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipient_s_status_follows_its_message_once_made() {
        assert_eq!(status_of("pending", None), "pending");
        assert_eq!(status_of("skipped", None), "skipped");
        assert_eq!(status_of("cancelled", Some("failed")), "cancelled");
        assert_eq!(status_of("queued", Some("queued")), "queued");
        assert_eq!(status_of("queued", Some("played")), "read");
        assert_eq!(status_of("queued", Some("failed")), "failed");
    }

    #[test]
    fn template_body_parameters_are_counted_once_each() {
        let components = serde_json::json!([
            {"type": "HEADER", "text": "{{1}}"},
            {"type": "BODY", "text": "Hi {{1}}, your order {{2}} ships {{3}}; {{1}} again"}
        ]);
        assert_eq!(body_parameters(&components), Some(3));
        assert_eq!(body_parameters(&serde_json::json!([])), None);
    }

    #[test]
    fn phone_numbers_are_digits_and_anything_else_is_refused() {
        assert_eq!(
            phone_digits("+49 151 000-0001").as_deref(),
            Some("491510000001")
        );
        assert_eq!(phone_digits("12345"), None);
        assert_eq!(phone_digits("call me"), None);
    }
}
