//! Authentication and roles. A bearer token (`Authorization: Bearer …`) is
//! looked up by hash in `api_tokens`; a login token belongs to an agent and
//! carries the agent's role, an integrator token (no agent) acts as admin.
//! Unknown or missing → 401 `{code, detail}`; a role that may not → 403.

use entities::agent;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::AppState;
use crate::error::ApiError;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Agent,
    Supervisor,
    Admin,
}

impl Role {
    fn parse(role: &str) -> Self {
        match role {
            "admin" => Role::Admin,
            "supervisor" => Role::Supervisor,
            _ => Role::Agent,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Principal {
    pub token_name: String,
    pub agent_id: Option<i64>,
    pub role: Role,
}

impl Principal {
    /// How the audit log names the caller: `agent:<id>` or `token:<name>`.
    pub fn actor(&self) -> String {
        match self.agent_id {
            Some(id) => format!("agent:{id}"),
            None => format!("token:{}", self.token_name),
        }
    }

    /// `Ok` when the caller's role is at least `needed`.
    ///
    /// # Errors
    /// 403 `forbidden` otherwise.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            metrics::counter!(relay::observe::AUTH_FAILURES, "reason" => "forbidden").increment(1);
            Err(ApiError::forbidden(format!(
                "this needs the {} role",
                needed.as_str()
            )))
        }
    }
}

/// A bearer token: an agent's login token or an integrator's API token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct TokenAuth(pub Principal);

/// The same token as a `token` query parameter, for clients that cannot set
/// headers (the browser's EventSource).
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "token",
    key_in = "query",
    checker = "check_query_token"
)]
pub struct QueryTokenAuth(pub Principal);

/// Either way of presenting a token.
#[derive(SecurityScheme)]
pub enum AnyTokenAuth {
    Bearer(TokenAuth),
    Query(QueryTokenAuth),
}

impl AnyTokenAuth {
    pub fn principal(&self) -> &Principal {
        match self {
            AnyTokenAuth::Bearer(TokenAuth(p)) | AnyTokenAuth::Query(QueryTokenAuth(p)) => p,
        }
    }
}

fn unauthorized(detail: &str) -> poem::Error {
    use poem::IntoResponse;
    poem::Error::from_response(ApiError::unauthorized(detail).into_response())
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    principal_of(req, &bearer.token).await
}

async fn check_query_token(req: &Request, key: ApiKey) -> poem::Result<Principal> {
    principal_of(req, &key.key).await
}

async fn principal_of(req: &Request, token: &str) -> poem::Result<Principal> {
    let Some(state) = req.data::<AppState>() else {
        return Err(unauthorized("server misconfigured"));
    };
    let unavailable = |err: sea_orm::DbErr| {
        tracing::error!(%err, "token lookup failed");
        poem::Error::from_status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
    };
    let from = req
        .remote_addr()
        .as_socket_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let refuse = |reason: &'static str, detail: &'static str| {
        let (db, from, path) = (state.db.clone(), from.clone(), req.uri().path().to_owned());
        async move {
            crate::audit::record_auth_failure(
                &db,
                reason,
                &from,
                serde_json::json!({ "path": path }),
            )
            .await;
            unauthorized(detail)
        }
    };
    let Some(row) = crate::tokens::find(&state.db, token)
        .await
        .map_err(unavailable)?
    else {
        return Err(refuse("unknown_token", "unknown token").await);
    };
    // Dashboard logins last `session_ttl`; integrator tokens until revoked.
    if row.name.starts_with("login:") && row.created_at + state.session_ttl < chrono::Utc::now() {
        let _ = entities::api_token::Entity::delete_by_id(row.id)
            .exec(&state.db)
            .await;
        return Err(refuse("session_expired", "the session expired; log in again").await);
    }
    // When the token was last used, to the minute (one write a minute).
    let now = chrono::Utc::now();
    if row
        .last_used_at
        .is_none_or(|at| now - at > chrono::Duration::seconds(60))
    {
        let _ = entities::api_token::Entity::update_many()
            .col_expr(
                entities::api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(entities::api_token::Column::Id.eq(row.id))
            .exec(&state.db)
            .await;
    }
    let role = match row.agent_id {
        Some(id) => match agent::Entity::find_by_id(id)
            .one(&state.db)
            .await
            .map_err(unavailable)?
        {
            Some(agent) => Role::parse(&agent.role),
            None => {
                return Err(refuse("agent_gone", "the token's agent no longer exists").await);
            }
        },
        None => Role::Admin,
    };
    Ok(Principal {
        token_name: row.name,
        agent_id: row.agent_id,
        role,
    })
}
