//! `/api/v1/tokens`: API tokens for integrators. Admins create them (the
//! token is answered once; only its SHA-256 is stored, see `crate::tokens`)
//! and revoke them (the row goes; the token then gets 401). Supervisors list
//! them; no answer ever carries a token again. Agents' login sessions are
//! not managed here.

use chrono::{DateTime, Utc};
use entities::api_token;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{ApiTags, Deleted, unique_violation};
use crate::AppState;
use crate::accounts;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::tokens::hash_token;

/// A new integrator token.
#[derive(Debug, Object)]
pub struct TokenIn {
    /// Unique name, e.g. `crm-sync`.
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"^[A-Za-z0-9_.-]+$"))]
    pub name: String,
}

/// An integrator token, without its secret.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A created token: the only answer that carries it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenCreatedOut {
    pub id: i64,
    pub name: String,
    /// The bearer token. Shown once: store it now.
    pub token: String,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created; the token is in the answer, once.
    #[oai(status = 201)]
    Token(Json<TokenCreatedOut>),
}

const NAME_TAKEN: &str = "a token with this name exists";

fn token_out(t: api_token::Model) -> TokenOut {
    TokenOut {
        id: t.id,
        name: t.name,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
    }
}

pub struct TokensApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Tokens")]
impl TokensApi {
    /// List integrator tokens (supervisor)
    #[oai(path = "/tokens", method = "get", operation_id = "listTokens")]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<Vec<TokenOut>>> {
        auth.0.require(Role::Supervisor)?;
        let rows = api_token::Entity::find()
            .filter(api_token::Column::AgentId.is_null())
            .order_by_asc(api_token::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(rows.into_iter().map(token_out).collect()))
    }

    /// Create an integrator token (admin)
    ///
    /// The token acts with the admin role. It is in this answer only;
    /// the server keeps its SHA-256.
    #[oai(path = "/tokens", method = "post", operation_id = "createToken")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<TokenIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let name = body.0.name;
        let txn = relay::db::begin_write(&state.db).await?;
        let taken = api_token::Entity::find()
            .filter(api_token::Column::Name.eq(&name))
            .count(&txn)
            .await?;
        if taken > 0 {
            return Err(ApiError::conflict(NAME_TAKEN));
        }
        let token = accounts::new_token();
        let row = api_token::ActiveModel {
            name: Set(name),
            token_hash: Set(hash_token(&token)),
            agent_id: Set(None),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(unique_violation(NAME_TAKEN))?;
        audit::record(
            &txn,
            &auth.0,
            "token.create",
            "api_token",
            row.id,
            serde_json::json!({"after": {"name": row.name}}),
        )
        .await?;
        txn.commit().await?;
        Ok(Created::Token(Json(TokenCreatedOut {
            id: row.id,
            name: row.name,
            token,
            created_at: row.created_at,
        })))
    }

    /// Revoke an integrator token (admin)
    ///
    /// Requests with it get 401 from now on.
    #[oai(path = "/tokens/:id", method = "delete", operation_id = "revokeToken")]
    async fn revoke(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = api_token::Entity::find_by_id(id.0)
            .filter(api_token::Column::AgentId.is_null())
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::not_found("token"))?;
        audit::delete::<api_token::Entity>(
            txn,
            &auth.0,
            row.id,
            ("token.revoke", "api_token"),
            serde_json::json!({"name": row.name}),
        )
        .await?;
        Ok(Deleted::NoContent)
    }
}
