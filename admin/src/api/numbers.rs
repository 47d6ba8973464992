//! `/api/v1/numbers`: the business numbers (inboxes) Wharf serves. Secrets
//! (app secret, verify token, access token) are write-only: answers say only
//! whether each is set.

use chrono::{DateTime, Utc};
use entities::business_number::{self, Provider};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::ApiTags;
use relay::vault;

use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// A provider a number speaks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "Provider", rename_all = "lowercase")]
pub enum ProviderIn {
    Meta,
    Wasender,
    Sandbox,
}

impl From<ProviderIn> for Provider {
    fn from(provider: ProviderIn) -> Self {
        match provider {
            ProviderIn::Meta => Provider::Meta,
            ProviderIn::Wasender => Provider::Wasender,
            ProviderIn::Sandbox => Provider::Sandbox,
        }
    }
}

/// Why a number could not be handed to the edges.
#[derive(Debug, thiserror::Error)]
pub enum DistributeError {
    #[error("number {id} has an unknown provider")]
    UnknownProvider {
        id: i64,
        source: entities::UnknownVariant,
    },
    #[error("number {id}: {source}")]
    Unsealed { id: i64, source: vault::VaultError },
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    /// The hub's bucket refused or is not there (its error as text).
    #[error("{0}")]
    Publish(String),
}

/// A business number; secrets are never returned.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NumberOut {
    pub id: i64,
    /// meta, wasender or sandbox.
    pub provider: String,
    /// Meta phone number id, or WasenderApi session id.
    pub phone_number_id: String,
    pub display_phone: String,
    pub name: String,
    pub has_app_secret: bool,
    pub has_verify_token: bool,
    pub has_access_token: bool,
    /// Send API base URL when not the provider's default.
    pub api_base_url: Option<String>,
    /// The WhatsApp Business Account that owns it (learnt from its
    /// webhooks, or set here): account and template updates name it.
    pub waba_id: Option<String>,
    /// The account's state from Meta's account updates: ok, restricted,
    /// violation, banned or disabled; absent until an update came.
    pub account_status: Option<String>,
    pub account_status_at: Option<DateTime<Utc>>,
    /// Meta's quality rating or messaging limit of the number.
    pub quality_rating: Option<String>,
    /// WasenderApi: the session's state from its last `session.status`
    /// event (connected, disconnected, need_scan, …); absent until one came.
    /// Replies cannot go out while it is not `connected`.
    pub session_status: Option<String>,
    pub session_status_at: Option<DateTime<Utc>>,
    /// The customer-satisfaction question asked after each resolution.
    pub csat: CsatSettingsOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A number's customer-satisfaction question (`docs/reports.md`,
/// "Customer satisfaction").
#[derive(Debug, Object)]
pub struct CsatSettingsOut {
    /// Ask after each resolution.
    pub enabled: bool,
    /// The text asked: the number's own, or the default.
    pub question: String,
    /// Whether `question` is the number's own (not the default).
    pub custom_question: bool,
    /// How long after the question an answer counts, in seconds.
    pub window_secs: i64,
}

/// A number's customer-satisfaction settings, replaced whole.
#[derive(Debug, Object)]
pub struct CsatSettingsIn {
    pub enabled: bool,
    /// The question (absent: the default); 1 to 1,024 characters, not
    /// blank. Meta shows it above a list of five choices, WasenderApi
    /// above five lines to answer with a digit.
    #[oai(validator(min_length = 1, max_length = 1024))]
    pub question: Option<String>,
    /// How long an answer counts, 60 s to 7 days (absent: 24 h).
    #[oai(validator(minimum(value = "60"), maximum(value = "604800")))]
    pub window_secs: Option<i64>,
}

fn csat_out(n: &business_number::Model) -> CsatSettingsOut {
    let (question, window) = relay::csat::settings_of(n);
    CsatSettingsOut {
        enabled: n.csat_enabled,
        question,
        custom_question: n.csat_question.is_some(),
        window_secs: window.num_seconds(),
    }
}

/// A new business number.
#[derive(Debug, Object)]
pub struct NumberIn {
    pub provider: ProviderIn,
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_-]+$"))]
    pub phone_number_id: String,
    #[oai(default)]
    pub display_phone: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Write-only.
    #[oai(validator(min_length = 1, max_length = 512))]
    pub app_secret: String,
    /// Write-only.
    #[oai(default)]
    pub verify_token: String,
    /// Write-only.
    pub access_token: Option<String>,
    #[oai(validator(pattern = r"^https?://[^\s]+$", max_length = 500))]
    pub api_base_url: Option<String>,
}

/// Changes to a business number; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct NumberPatch {
    pub display_phone: Option<String>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    /// Write-only.
    #[oai(validator(min_length = 1, max_length = 512))]
    pub app_secret: Option<String>,
    /// Write-only.
    pub verify_token: Option<String>,
    /// Write-only.
    pub access_token: Option<String>,
    #[oai(validator(pattern = r"^https?://[^\s]+$", max_length = 500))]
    pub api_base_url: Option<String>,
    /// The WhatsApp Business Account id that owns the number.
    #[oai(validator(pattern = r"^[0-9A-Za-z_-]{1,64}$"))]
    pub waba_id: Option<String>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Number(Json<NumberOut>),
}

fn number_out(n: business_number::Model) -> NumberOut {
    let csat = csat_out(&n);
    NumberOut {
        id: n.id,
        provider: n.provider,
        phone_number_id: n.phone_number_id,
        display_phone: n.display_phone,
        name: n.name,
        has_app_secret: !n.app_secret.is_empty(),
        has_verify_token: !n.verify_token.is_empty(),
        has_access_token: n.access_token.as_deref().is_some_and(|t| !t.is_empty()),
        api_base_url: n.api_base_url,
        waba_id: n.waba_id,
        account_status: n.account_status,
        account_status_at: n.account_status_at,
        quality_rating: n.quality_rating,
        session_status: None,
        session_status_at: None,
        csat,
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

/// The numbers as answered: each row, and for WasenderApi numbers the
/// session state the router last recorded (`relay::session_health`). An
/// unreachable bucket leaves the state out rather than failing the answer.
async fn numbers_out(state: &AppState, rows: Vec<business_number::Model>) -> Vec<NumberOut> {
    let store = sessions(state, &rows).await;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_session(store.as_ref(), row).await);
    }
    out
}

/// [`numbers_out`] of one row.
async fn number_out_live(state: &AppState, row: business_number::Model) -> NumberOut {
    let store = sessions(state, std::slice::from_ref(&row)).await;
    with_session(store.as_ref(), row).await
}

fn is_wasender(row: &business_number::Model) -> bool {
    row.provider == Provider::Wasender.as_str()
}

/// The sessions bucket, when a row is a WasenderApi number.
async fn sessions(
    state: &AppState,
    rows: &[business_number::Model],
) -> Option<async_nats::jetstream::kv::Store> {
    if !rows.iter().any(is_wasender) {
        return None;
    }
    relay::session_health::bucket(&state.js)
        .await
        .inspect_err(|err| tracing::debug!(%err, "session states not read"))
        .ok()
}

async fn with_session(
    store: Option<&async_nats::jetstream::kv::Store>,
    row: business_number::Model,
) -> NumberOut {
    let health = match store {
        Some(store) if is_wasender(&row) => {
            relay::session_health::read(store, &row.phone_number_id)
                .await
                .inspect_err(|err| tracing::debug!(%err, "session state not read"))
                .ok()
                .flatten()
        }
        _ => None,
    };
    let mut number = number_out(row);
    if let Some(health) = health {
        number.session_status = Some(health.status);
        number.session_status_at = health.timestamp;
    }
    number
}

/// The credentials the edges need, from a row: its secrets opened, except
/// the access token (only senders call the provider; they read it from the
/// database, so an edge never holds it).
fn credentials(
    vault: &vault::Vault,
    n: &business_number::Model,
) -> Result<relay::provider::NumberCredentials, DistributeError> {
    let provider = n
        .provider
        .parse()
        .map_err(|source| DistributeError::UnknownProvider { id: n.id, source })?;
    let opened = vault::open_number(vault, n)
        .map_err(|source| DistributeError::Unsealed { id: n.id, source })?;
    Ok(relay::provider::NumberCredentials {
        provider,
        phone_number_id: n.phone_number_id.clone(),
        display_phone: n.display_phone.clone(),
        app_secret: opened.app_secret,
        verify_token: opened.verify_token,
        access_token: relay::secret::Secret::default(),
        api_base_url: n.api_base_url.clone(),
    })
}

/// Hands a number to the edges (through the hub's KV bucket).
async fn distribute(state: &AppState, row: &business_number::Model) -> ApiResult<()> {
    let number = credentials(&state.vault, row).map_err(ApiError::internal)?;
    relay::numbers::publish_to_hub(&state.js, &number)
        .await
        .map_err(|e| {
            ApiError::unavailable(format!("saved, but not yet distributed to the edges: {e}"))
        })
}

/// Publishes every number of the database to the edges' bucket (at start,
/// so the bucket and the database agree after any earlier failure).
///
/// # Errors
/// The first number that could not be published.
pub async fn distribute_all(state: &AppState) -> Result<usize, DistributeError> {
    let rows = business_number::Entity::find().all(&state.db).await?;
    let mut published = 0;
    for row in rows.iter().filter(|r| !r.app_secret.is_empty()) {
        let number = credentials(&state.vault, row)?;
        relay::numbers::publish_to_hub(&state.js, &number)
            .await
            .map_err(|e| DistributeError::Publish(e.to_string()))?;
        published += 1;
    }
    Ok(published)
}

fn check_url(url: Option<&str>) -> ApiResult<()> {
    match url {
        Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => Err(
            ApiError::bad_request("invalid_parameter", "api_base_url must be an http(s) URL"),
        ),
        _ => Ok(()),
    }
}

pub struct NumbersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Numbers")]
impl NumbersApi {
    /// List business numbers
    #[oai(path = "/numbers", method = "get", operation_id = "listNumbers")]
    async fn list(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<Vec<NumberOut>>> {
        let rows = business_number::Entity::find()
            .order_by_asc(business_number::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(numbers_out(&state, rows).await))
    }

    /// Get a business number
    #[oai(path = "/numbers/:id", method = "get", operation_id = "getNumber")]
    async fn get(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<NumberOut>> {
        let row = business_number::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("business number"))?;
        Ok(Json(number_out_live(&state, row).await))
    }

    /// Add a business number (admin)
    #[oai(path = "/numbers", method = "post", operation_id = "createNumber")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<NumberIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let input = body.0;
        check_url(input.api_base_url.as_deref())?;
        let taken = business_number::Entity::find()
            .filter(business_number::Column::PhoneNumberId.eq(&input.phone_number_id))
            .one(&state.db)
            .await?;
        if taken.is_some() {
            return Err(ApiError::conflict(
                "a business number with this phone_number_id exists",
            ));
        }
        let now = Utc::now();
        let row = business_number::ActiveModel {
            provider: Set(Provider::from(input.provider).into()),
            phone_number_id: Set(input.phone_number_id),
            display_phone: Set(input.display_phone),
            name: Set(input.name),
            app_secret: Set(state.vault.seal(vault::APP_SECRET, &input.app_secret)),
            verify_token: Set(state.vault.seal(vault::VERIFY_TOKEN, &input.verify_token)),
            access_token: Set(input
                .access_token
                .filter(|t| !t.is_empty())
                .map(|t| state.vault.seal(vault::ACCESS_TOKEN, &t))),
            api_base_url: Set(input.api_base_url),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        distribute(&state, &row).await?;
        audit::record(
            &state.db,
            &auth.0,
            "number.create",
            "business_number",
            row.id,
            serde_json::json!({"phone_number_id": row.phone_number_id, "provider": row.provider}),
        )
        .await?;
        Ok(Created::Number(Json(number_out(row))))
    }

    /// Change a business number (admin)
    ///
    /// Secrets are replaced when given and never returned.
    #[oai(path = "/numbers/:id", method = "patch", operation_id = "updateNumber")]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<NumberPatch>,
    ) -> ApiResult<Json<NumberOut>> {
        auth.0.require(Role::Admin)?;
        let patch = body.0;
        check_url(patch.api_base_url.as_deref())?;
        let row = business_number::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("business number"))?;
        let mut changed: Vec<&str> = Vec::new();
        let mut active: business_number::ActiveModel = row.into();
        if let Some(v) = patch.display_phone {
            active.display_phone = Set(v);
            changed.push("display_phone");
        }
        if let Some(v) = patch.name {
            active.name = Set(v);
            changed.push("name");
        }
        if let Some(v) = patch.app_secret {
            active.app_secret = Set(state.vault.seal(vault::APP_SECRET, &v));
            changed.push("app_secret");
        }
        if let Some(v) = patch.verify_token {
            active.verify_token = Set(state.vault.seal(vault::VERIFY_TOKEN, &v));
            changed.push("verify_token");
        }
        if let Some(v) = patch.access_token {
            active.access_token = Set(Some(state.vault.seal(vault::ACCESS_TOKEN, &v)));
            changed.push("access_token");
        }
        if let Some(v) = patch.api_base_url {
            active.api_base_url = Set(Some(v));
            changed.push("api_base_url");
        }
        if let Some(v) = patch.waba_id {
            active.waba_id = Set(Some(v));
            changed.push("waba_id");
        }
        active.updated_at = Set(Utc::now());
        let row = active.update(&state.db).await?;
        distribute(&state, &row).await?;
        // Only the names of changed fields: never a secret's value.
        audit::record(
            &state.db,
            &auth.0,
            "number.update",
            "business_number",
            row.id,
            serde_json::json!({"changed": changed}),
        )
        .await?;
        Ok(Json(number_out_live(&state, row).await))
    }

    /// Set a number's customer-satisfaction question (admin)
    ///
    /// Whether a question is asked after each resolution, its text and how
    /// long an answer counts; applies to resolutions from now on.
    #[oai(
        path = "/numbers/:id/csat",
        method = "put",
        operation_id = "setNumberCsat"
    )]
    async fn set_csat(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CsatSettingsIn>,
    ) -> ApiResult<Json<NumberOut>> {
        auth.0.require(Role::Admin)?;
        let input = body.0;
        if input
            .question
            .as_deref()
            .is_some_and(|q| q.trim().is_empty())
        {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "question must not be blank",
            ));
        }
        let row =
            super::found::<business_number::Entity>(&state.db, id.0, "business number").await?;
        let mut active: business_number::ActiveModel = row.into();
        active.csat_enabled = Set(input.enabled);
        active.csat_question = Set(input.question.map(|q| q.trim().to_owned()));
        active.csat_window_secs = Set(input.window_secs);
        active.updated_at = Set(Utc::now());
        let row = active.update(&state.db).await?;
        audit::record(
            &state.db,
            &auth.0,
            "number.csat",
            "business_number",
            row.id,
            serde_json::json!({
                "enabled": row.csat_enabled,
                "question": row.csat_question,
                "window_secs": row.csat_window_secs,
            }),
        )
        .await?;
        Ok(Json(number_out_live(&state, row).await))
    }
}
