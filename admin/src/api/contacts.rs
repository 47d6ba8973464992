//! `/api/v1/contacts`: search customers, read one, change tier, language
//! and custom attributes.

use chrono::{DateTime, Utc};
use entities::contact;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use super::ApiTags;
use crate::AppState;
use crate::audit;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// A customer.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactDetailOut {
    pub id: i64,
    /// The contact's key: its phone number, or its BSUID for a user first
    /// seen without one (a username hides the phone).
    pub wa_id: String,
    pub profile_name: Option<String>,
    /// Meta's business-scoped user id (BSUID), when known.
    pub user_id: Option<String>,
    /// The WhatsApp username, when the user adopted one.
    pub username: Option<String>,
    /// Meta's parent BSUID (linked business portfolios), when known.
    pub parent_user_id: Option<String>,
    /// The phone number, when known.
    pub phone: Option<String>,
    /// When the contact opted out of marketing messages (Meta's
    /// `user_preferences` or the API); absent when not.
    pub marketing_opt_out_at: Option<DateTime<Utc>>,
    pub tier: String,
    pub language: Option<String>,
    /// Free-form attributes (JSON object).
    pub attributes: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Changes to a contact; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct ContactPatch {
    #[oai(validator(min_length = 1, max_length = 32))]
    pub tier: Option<String>,
    #[oai(validator(min_length = 2, max_length = 16))]
    pub language: Option<String>,
    /// Replaces the attributes; must be a JSON object.
    pub attributes: Option<serde_json::Value>,
    /// Opt the contact out of marketing messages (true) or back in
    /// (false): any bulk send skips an opted-out contact.
    pub marketing_opt_out: Option<bool>,
}

fn contact_out(c: contact::Model) -> ContactDetailOut {
    ContactDetailOut {
        id: c.id,
        wa_id: c.wa_id,
        profile_name: c.profile_name,
        user_id: c.user_id,
        username: c.username,
        parent_user_id: c.parent_user_id,
        phone: c.phone,
        marketing_opt_out_at: c.marketing_opt_out_at,
        tier: c.tier,
        language: c.language,
        attributes: c.attributes,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

pub struct ContactsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Contacts")]
impl ContactsApi {
    /// Search contacts
    ///
    /// `q` matches the WhatsApp id or the profile name (substring).
    #[oai(path = "/contacts", method = "get", operation_id = "searchContacts")]
    async fn search(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
        /// Text to look for.
        q: Query<Option<String>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<ContactDetailOut>>> {
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "limit must be between 1 and 200",
            ));
        }
        let mut query = contact::Entity::find().order_by_desc(contact::Column::Id);
        if let Some(q) = q.0.filter(|q| !q.trim().is_empty()) {
            let q = q.trim().to_owned();
            query = query.filter(
                Condition::any()
                    .add(contact::Column::WaId.contains(&q))
                    .add(contact::Column::ProfileName.contains(&q)),
            );
        }
        let rows = query.limit(limit).all(&state.db).await?;
        Ok(Json(rows.into_iter().map(contact_out).collect()))
    }

    /// Get a contact
    #[oai(path = "/contacts/:id", method = "get", operation_id = "getContact")]
    async fn get(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<ContactDetailOut>> {
        let row = contact::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("contact"))?;
        Ok(Json(contact_out(row)))
    }

    /// Change a contact's tier, language or attributes
    #[oai(
        path = "/contacts/:id",
        method = "patch",
        operation_id = "updateContact"
    )]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ContactPatch>,
    ) -> ApiResult<Json<ContactDetailOut>> {
        let patch = body.0;
        if patch.attributes.as_ref().is_some_and(|a| !a.is_object()) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "attributes must be a JSON object",
            ));
        }
        let row = contact::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("contact"))?;
        let before = serde_json::json!({"tier": row.tier, "language": row.language, "attributes": row.attributes,
                                        "marketing_opt_out_at": row.marketing_opt_out_at});
        let mut active: contact::ActiveModel = row.into();
        if let Some(tier) = patch.tier {
            active.tier = Set(tier);
        }
        if let Some(language) = patch.language {
            active.language = Set(Some(language));
        }
        if let Some(attributes) = patch.attributes {
            active.attributes = Set(attributes);
        }
        if let Some(opt_out) = patch.marketing_opt_out {
            let since = before["marketing_opt_out_at"].is_string();
            if opt_out != since {
                active.marketing_opt_out_at = Set(opt_out.then(Utc::now));
            }
        }
        active.updated_at = Set(Utc::now());
        // The change, its audit entry and the integrators' event together.
        let txn = relay::db::begin_write(&state.db).await?;
        let row = active.update(&txn).await?;
        let after = serde_json::json!({"tier": row.tier, "language": row.language, "attributes": row.attributes,
                                       "marketing_opt_out_at": row.marketing_opt_out_at});
        audit::record(
            &txn,
            &auth.0,
            "contact.update",
            "contact",
            row.id,
            serde_json::json!({"before": before, "after": after}),
        )
        .await?;
        relay::hooks::outbox::record(
            &txn,
            vec![relay::hooks::Event::new(
                "contact.updated",
                &relay::hooks::payload::ContactUpdated {
                    contact: (&row).into(),
                },
            )],
        )
        .await?;
        txn.commit().await?;
        Ok(Json(contact_out(row)))
    }
}
