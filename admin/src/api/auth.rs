//! `/api/v1/auth`: agents log in with email and password (argon2) and get a
//! bearer token; `me` says who a token belongs to; logout revokes it.

use entities::{agent, api_token};
use poem::web::{Data, RemoteAddr};
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::ApiTags;
use crate::AppState;
use crate::accounts;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// Email and password.
#[derive(Debug, Object)]
pub struct LoginIn {
    #[oai(validator(max_length = 320))]
    pub email: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// An agent, as the caller sees itself.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AgentSummaryOut {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// admin, supervisor or agent.
    pub role: String,
}

/// A new session.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LoginOut {
    /// Bearer token; shown once.
    pub token: String,
    pub agent: AgentSummaryOut,
}

/// Who the presented token belongs to.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MeOut {
    /// The caller's role.
    pub role: String,
    /// The agent, for a login token; absent for an integrator token.
    pub agent: Option<AgentSummaryOut>,
}

fn summary(agent: agent::Model) -> AgentSummaryOut {
    AgentSummaryOut {
        id: agent.id,
        email: agent.email,
        name: agent.name,
        role: agent.role,
    }
}

pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in
    ///
    /// Returns a bearer token for the agent. After 5 failed attempts for an
    /// email or from an address within 5 minutes, answers 429.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        body: Json<LoginIn>,
    ) -> ApiResult<Json<LoginOut>> {
        let email = body.0.email.trim().to_ascii_lowercase();
        let keys = vec![
            format!("email:{email}"),
            format!(
                "addr:{}",
                // The address without the port: one client, many connections.
                remote
                    .0
                    .as_socket_addr()
                    .map_or_else(|| remote.0.to_string(), |a| a.ip().to_string())
            ),
        ];
        let from = remote
            .0
            .as_socket_addr()
            .map_or_else(|| remote.0.to_string(), |a| a.ip().to_string());
        if state.logins.blocked(&keys) {
            crate::audit::record_auth_failure(
                &state.db,
                "locked_out",
                &from,
                serde_json::json!({ "email": email }),
            )
            .await;
            return Err(ApiError::too_many_requests(
                "too many failed logins; try again in a few minutes",
            ));
        }
        let found = agent::Entity::find()
            .filter(agent::Column::Email.eq(&email))
            .one(&state.db)
            .await?;
        let verified = found.filter(|a| {
            a.password_hash
                .as_deref()
                .is_some_and(|hash| accounts::verify_password(&body.0.password, hash))
        });
        let Some(agent) = verified else {
            state.logins.failed(&keys);
            tracing::warn!(reason = "bad_credentials", "login refused");
            crate::audit::record_auth_failure(
                &state.db,
                "bad_credentials",
                &from,
                serde_json::json!({ "email": email }),
            )
            .await;
            return Err(ApiError::unauthorized("email or password is wrong"));
        };
        // Only the email's failures are forgotten: one valid account must
        // not reset its address's count while guessing other emails.
        state.logins.succeeded(&keys[..1]);
        let token = accounts::issue_login_token(&state.db, &agent).await?;
        crate::audit::record_by(
            &state.db,
            &format!("agent:{}", agent.id),
            "auth.login",
            "agent",
            agent.id,
            serde_json::json!({ "from": from }),
        )
        .await?;
        Ok(Json(LoginOut {
            token,
            agent: summary(agent),
        }))
    }

    /// Who am I
    #[oai(path = "/auth/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: TokenAuth, state: Data<&AppState>) -> ApiResult<Json<MeOut>> {
        let agent = match auth.0.agent_id {
            Some(id) => agent::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .map(summary),
            None => None,
        };
        Ok(Json(MeOut {
            role: auth.0.role.as_str().to_owned(),
            agent,
        }))
    }

    /// Log out
    ///
    /// Revokes the presented token.
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, auth: TokenAuth, state: Data<&AppState>) -> ApiResult<Json<MeOut>> {
        let txn = relay::db::begin_write(&state.db).await?;
        api_token::Entity::delete_many()
            .filter(api_token::Column::Name.eq(&auth.0.token_name))
            .exec(&txn)
            .await?;
        let (target_type, target_id) = match auth.0.agent_id {
            Some(id) => ("agent", id.to_string()),
            None => ("token", auth.0.token_name.clone()),
        };
        crate::audit::record(
            &txn,
            &auth.0,
            "auth.logout",
            target_type,
            target_id,
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        // The agent signed out: offline now (a dashboard still open
        // elsewhere brings it back with its next heartbeat).
        if let Some(agent_id) = auth.0.agent_id {
            crate::presence::signed_out(&state, agent_id).await?;
        }
        Ok(Json(MeOut {
            role: auth.0.role.as_str().to_owned(),
            agent: None,
        }))
    }
}
