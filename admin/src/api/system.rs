//! `/api/v1/system`: facts about the running system.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::AppState;
use crate::auth::TokenAuth;
use crate::error::ApiResult;

/// Version and the state of the dependencies.
#[derive(Debug, Object)]
pub struct SystemInfoOut {
    /// Wharf version.
    pub version: String,
    /// `sqlite` or `postgres`.
    pub database_backend: String,
    /// Whether this server's NATS connection is up.
    pub nats_connected: bool,
}

pub struct SystemApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::System")]
impl SystemApi {
    /// System information
    #[oai(path = "/system/info", method = "get", operation_id = "getSystemInfo")]
    async fn info(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<SystemInfoOut>> {
        let backend = match state.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "postgres",
            sea_orm::DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        };
        Ok(Json(SystemInfoOut {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            database_backend: backend.to_owned(),
            nats_connected: matches!(
                state.nats.connection_state(),
                async_nats::connection::State::Connected
            ),
        }))
    }
}
