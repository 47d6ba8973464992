//! `/api/v1/templates`: the message template catalog of each business
//! account (kept by Meta's template webhooks, synced on demand from Meta's
//! listing), and `/api/v1/numbers/{id}/account-events`: what Meta reported
//! about a number's account (restrictions, bans, quality, …).

use chrono::{DateTime, Utc};
use entities::{account_event, business_number, template};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ApiTags;
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// A message template of a business account.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TemplateOut {
    pub id: i64,
    /// The WhatsApp Business Account it belongs to.
    pub waba_id: String,
    pub name: String,
    pub language: String,
    /// MARKETING, UTILITY or AUTHENTICATION.
    pub category: Option<String>,
    /// APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … (only APPROVED
    /// templates are sent).
    pub status: String,
    /// GREEN, YELLOW, RED or UNKNOWN.
    pub quality: Option<String>,
    /// Why it was rejected, paused or disabled.
    pub reason: Option<String>,
    pub provider_template_id: Option<String>,
    /// Header, body, footer and buttons, as Meta describes them.
    pub components: serde_json::Value,
    pub updated_at: DateTime<Utc>,
}

fn template_out(t: template::Model) -> TemplateOut {
    TemplateOut {
        id: t.id,
        waba_id: t.waba_id,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        quality: t.quality,
        reason: t.reason,
        provider_template_id: t.provider_template_id,
        components: t.components,
        updated_at: t.updated_at,
    }
}

/// What a sync did.
#[derive(Debug, Object)]
pub struct TemplateSyncOut {
    /// Templates the provider listed.
    pub listed: u64,
    /// Of those, new to the catalog.
    pub added: u64,
    pub templates: Vec<TemplateOut>,
}

/// One thing Meta reported about an account or number.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccountEventOut {
    pub id: i64,
    pub waba_id: Option<String>,
    pub business_number_id: Option<i64>,
    /// The webhook field (account_update, phone_number_quality_update, …).
    pub field: String,
    /// Its event (ACCOUNT_VIOLATION, DISABLED_UPDATE, FLAGGED, …).
    pub event: String,
    /// What the provider sent, whole.
    pub detail: serde_json::Value,
    pub provider_timestamp: DateTime<Utc>,
}

async fn number(state: &AppState, id: i64) -> ApiResult<business_number::Model> {
    business_number::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("business number"))
}

pub struct TemplatesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Numbers")]
impl TemplatesApi {
    /// List message templates
    ///
    /// The catalog of every business account, or of the account that owns
    /// `number` (a phone number id), filtered by `status` (e.g. APPROVED).
    #[oai(path = "/templates", method = "get", operation_id = "listTemplates")]
    async fn list(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
        /// A business number's phone number id.
        #[oai(validator(max_length = 64))]
        number: Query<Option<String>>,
        #[oai(validator(max_length = 32))] status: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<TemplateOut>>> {
        let mut query = template::Entity::find();
        if let Some(number) = &number.0 {
            let row = business_number::Entity::find()
                .filter(business_number::Column::PhoneNumberId.eq(number))
                .one(&state.db)
                .await?
                .ok_or_else(|| ApiError::not_found("business number"))?;
            let Some(waba) = row.waba_id else {
                return Ok(Json(Vec::new()));
            };
            query = query.filter(template::Column::WabaId.eq(waba));
        }
        if let Some(status) = &status.0 {
            query = query.filter(template::Column::Status.eq(status.to_ascii_uppercase()));
        }
        let rows = query
            .order_by_asc(template::Column::Name)
            .order_by_asc(template::Column::Language)
            .limit(1000)
            .all(&state.db)
            .await?;
        Ok(Json(rows.into_iter().map(template_out).collect()))
    }

    /// Sync a number's templates from the provider (admin)
    ///
    /// Reads Meta's template listing of the business account that owns the
    /// number, with the number's access token, into the catalog. The number
    /// must know its account (`waba_id`). 422 `provider_error` when the
    /// provider does not answer with a listing (the number's token, account
    /// or base URL is wrong, or the provider is unreachable).
    #[oai(
        path = "/numbers/:id/templates/sync",
        method = "post",
        operation_id = "syncTemplates"
    )]
    async fn sync(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<TemplateSyncOut>> {
        auth.0.require(Role::Admin)?;
        let row = number(&state, id.0).await?;
        let Some(waba) = row.waba_id.clone() else {
            return Err(ApiError::unprocessable(
                "waba_unknown",
                "the number's business account is not known yet: set waba_id, or wait for its first webhook",
            ));
        };
        if row.provider.parse() == Ok(business_number::Provider::Wasender) {
            return Err(ApiError::unprocessable(
                "not_supported",
                "WasenderApi numbers have no template catalog",
            ));
        }
        let opened = relay::vault::open_number(&state.vault, &row).map_err(ApiError::internal)?;
        let base = row
            .api_base_url
            .clone()
            .unwrap_or_else(|| relay::provider::meta::send::DEFAULT_BASE_URL.to_owned());
        let listed = relay::templates::fetch_listing(
            &state.http,
            &base,
            relay::provider::meta::send::DEFAULT_API_VERSION,
            opened.access_token.expose(),
            &waba,
            20,
        )
        .await
        // The number's own settings (token, account, base URL) decide
        // whether the provider answers: a client-side fix, so 422.
        .map_err(|e| {
            ApiError::unprocessable(
                "provider_error",
                format!("the provider did not list the templates: {e}"),
            )
        })?;
        let mut added = 0;
        for item in &listed {
            if relay::templates::upsert_listed(&state.db, &waba, item).await? {
                added += 1;
            }
        }
        audit::record(
            &state.db,
            &auth.0,
            "templates.sync",
            "business_number",
            row.id,
            serde_json::json!({"waba_id": waba, "listed": listed.len(), "added": added}),
        )
        .await?;
        let templates = template::Entity::find()
            .filter(template::Column::WabaId.eq(&waba))
            .order_by_asc(template::Column::Name)
            .all(&state.db)
            .await?;
        Ok(Json(TemplateSyncOut {
            listed: listed.len() as u64,
            added,
            templates: templates.into_iter().map(template_out).collect(),
        }))
    }

    /// A number's account events
    ///
    /// What Meta reported about the number and its business account,
    /// newest first: account updates (restrictions, violations, bans),
    /// quality and name updates, capability and security updates.
    #[oai(
        path = "/numbers/:id/account-events",
        method = "get",
        operation_id = "listAccountEvents"
    )]
    async fn account_events(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<Vec<AccountEventOut>>> {
        let row = number(&state, id.0).await?;
        let mut any = Condition::any().add(account_event::Column::BusinessNumberId.eq(row.id));
        if let Some(waba) = &row.waba_id {
            any = any.add(account_event::Column::WabaId.eq(waba));
        }
        let rows = account_event::Entity::find()
            .filter(any)
            .order_by_desc(account_event::Column::Id)
            .limit(200)
            .all(&state.db)
            .await?;
        Ok(Json(
            rows.into_iter()
                .map(|e| AccountEventOut {
                    id: e.id,
                    waba_id: e.waba_id,
                    business_number_id: e.business_number_id,
                    field: e.field,
                    event: e.event,
                    detail: e.detail,
                    provider_timestamp: e.provider_timestamp,
                })
                .collect(),
        ))
    }
}
