//! Bearer-token authentication: `Authorization: Bearer <token>`, checked
//! against the hashes in `api_tokens`. Unknown or missing → 401 `{code, detail}`.

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};

use crate::AppState;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Principal {
    pub token_name: String,
    pub agent_id: Option<i64>,
}

/// An API token (`wharf up` prints where to find the dev token).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_token")]
pub struct TokenAuth(pub Principal);

fn unauthorized(detail: &str) -> poem::Error {
    use poem::IntoResponse;
    poem::Error::from_response(crate::error::ApiError::unauthorized(detail).into_response())
}

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let Some(state) = req.data::<AppState>() else {
        return Err(unauthorized("server misconfigured"));
    };
    match crate::tokens::find(&state.db, &bearer.token).await {
        Ok(Some(row)) => Ok(Principal {
            token_name: row.name,
            agent_id: row.agent_id,
        }),
        Ok(None) => Err(unauthorized("unknown token")),
        Err(err) => {
            tracing::error!(%err, "token lookup failed");
            Err(poem::Error::from_status(
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
            ))
        }
    }
}
