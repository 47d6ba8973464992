//! The one HTTP error mapping of the admin API: 4xx answers carry a JSON
//! `{code, detail}`; 5xx answers are logged here and stay opaque. Covers both
//! the errors handlers return ([`ApiError`]) and the ones poem / poem-openapi
//! raise themselves (unparsable parameters, missing credentials, unknown
//! routes), see [`into_json_response`].

use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::error::{AuthorizationError, ParseParamError, ParsePathError};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

/// Body of every error answer.
#[derive(Object, serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ErrorOut {
    /// Machine-readable code: `invalid_parameter`, `invalid_body`,
    /// `unauthorized`, `not_found`, `window_closed`, `unavailable`, `internal`, …
    pub code: String,
    /// Human-readable explanation.
    pub detail: String,
}

const INTERNAL_DETAIL: &str = "internal error";

/// Error answers of the API operations, as documented in the spec.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request or one of its parameters is invalid.
    #[oai(status = 400)]
    BadRequest(Json<ErrorOut>),
    /// The bearer token is missing or unknown (`unauthorized`).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorOut>),
    /// The caller's role may not do this (`forbidden`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorOut>),
    /// The resource does not exist (`not_found`).
    #[oai(status = 404)]
    NotFound(Json<ErrorOut>),
    /// The resource changed or exists already (`conflict`), e.g. a stale version.
    #[oai(status = 409)]
    Conflict(Json<ErrorOut>),
    /// An uploaded file is larger than its kind may be (`too_large`).
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorOut>),
    /// The body is not `application/json` (`unsupported_media_type`).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorOut>),
    /// The request is well-formed but cannot be carried out (e.g. `window_closed`).
    #[oai(status = 422)]
    Unprocessable(Json<ErrorOut>),
    /// Too many attempts; retry later (`too_many_requests`).
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorOut>),
    /// Something failed on the server (`internal`); see the server log.
    #[oai(status = 500)]
    Internal(Json<ErrorOut>),
    /// A dependency is temporarily unavailable; retry later (`unavailable`).
    #[oai(status = 503)]
    Unavailable(Json<ErrorOut>),
}

fn body(code: &str, detail: impl Into<String>) -> Json<ErrorOut> {
    Json(ErrorOut {
        code: code.to_owned(),
        detail: detail.into(),
    })
}

impl ApiError {
    /// 400 with `code` (e.g. `invalid_parameter`).
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::BadRequest(body(code, detail))
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::Unauthorized(body("unauthorized", detail))
    }

    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(body("forbidden", detail))
    }

    /// 413 `too_large`.
    pub fn too_large(detail: impl Into<String>) -> Self {
        Self::PayloadTooLarge(body("too_large", detail))
    }

    /// 429 `too_many_requests`.
    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::TooManyRequests(body("too_many_requests", detail))
    }

    /// 404 `not_found` for a `what` (e.g. `"conversation"`).
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(body("not_found", format!("{what} not found")))
    }

    /// 409 `conflict`.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict(body("conflict", detail))
    }

    /// 422 with `code` (e.g. `window_closed`).
    pub fn unprocessable(code: &str, detail: impl Into<String>) -> Self {
        Self::Unprocessable(body(code, detail))
    }

    /// 422 `invalid_field`: `field` of the body is well-formed but not
    /// acceptable (an unknown team, a regex that does not compile, …).
    pub fn invalid_field(field: &str, detail: impl std::fmt::Display) -> Self {
        Self::Unprocessable(body("invalid_field", format!("{field}: {detail}")))
    }

    /// 503 `unavailable`; `detail` is logged, the client sees a generic text.
    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %detail, "admin API dependency unavailable");
        Self::Unavailable(body("unavailable", "temporarily unavailable, retry later"))
    }

    /// 500 `internal`; `err` is logged, the client sees `internal error`.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "admin API request failed");
        Self::Internal(body("internal", INTERNAL_DETAIL))
    }
}

impl ApiError {
    /// The `{code, detail}` of any answer (for reporting one row of a bulk
    /// request instead of the whole request).
    pub fn error_out(&self) -> &ErrorOut {
        match self {
            Self::BadRequest(b)
            | Self::Unauthorized(b)
            | Self::Forbidden(b)
            | Self::NotFound(b)
            | Self::Conflict(b)
            | Self::PayloadTooLarge(b)
            | Self::UnsupportedMediaType(b)
            | Self::Unprocessable(b)
            | Self::TooManyRequests(b)
            | Self::Internal(b)
            | Self::Unavailable(b) => &b.0,
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(format!("database: {err}"))
    }
}

/// Result of an API operation.
pub type ApiResult<T> = Result<T, ApiError>;

/// Turns any error leaving the HTTP app into a JSON answer. Answers built
/// from [`ApiError`] pass through unchanged; errors raised by poem or
/// poem-openapi get the same `{code, detail}` shape.
pub async fn into_json_response(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let (status, code, detail) = if err.is::<ParseParamError>() || err.is::<ParsePathError>() {
        (status, "invalid_parameter", err.to_string())
    } else if err.is::<AuthorizationError>() || status == StatusCode::UNAUTHORIZED {
        (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or unknown bearer token".to_owned(),
        )
    } else if status == StatusCode::NOT_FOUND {
        (status, "not_found", "no such route".to_owned())
    } else if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return ApiError::UnsupportedMediaType(body(
            "unsupported_media_type",
            "send the body as application/json",
        ))
        .into_response();
    } else if status == StatusCode::METHOD_NOT_ALLOWED {
        (status, "method_not_allowed", err.to_string())
    } else if status.is_client_error() {
        (status, "bad_request", err.to_string())
    } else {
        tracing::error!(error = %err, %status, "admin HTTP request failed");
        let status = if status.is_server_error() {
            status
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        (status, "internal", INTERNAL_DETAIL.to_owned())
    };

    let out = ErrorOut {
        code: code.to_owned(),
        detail,
    };
    let mut builder = Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8");
    if status == StatusCode::UNAUTHORIZED {
        builder = builder.header(header::WWW_AUTHENTICATE, "Bearer");
    }
    match serde_json::to_vec(&out) {
        Ok(bytes) => builder.body(bytes),
        // Serializing two strings cannot fail; answer something sane anyway.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn json_of(resp: Response) -> serde_json::Value {
        let bytes = resp.into_body().into_vec().await.expect("body");
        serde_json::from_slice(&bytes).expect("JSON body")
    }

    #[tokio::test]
    async fn poem_parameter_errors_become_invalid_parameter() {
        let err = poem::Error::from(ParseParamError {
            name: "limit",
            reason: "bad".into(),
        });
        let resp = into_json_response(err).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let json = json_of(resp).await;
        assert_eq!(json["code"], "invalid_parameter");
        assert!(
            json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("limit")
        );
    }

    #[tokio::test]
    async fn missing_credentials_become_a_json_401() {
        let resp = into_json_response(AuthorizationError.into()).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            resp.headers()
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..])
        );
        assert_eq!(json_of(resp).await["code"], "unauthorized");
    }

    #[tokio::test]
    async fn server_errors_are_opaque() {
        let err = poem::Error::from_string("secret path /etc/x", StatusCode::BAD_GATEWAY);
        let resp = into_json_response(err).await;
        assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
        let json = json_of(resp).await;
        assert_eq!(
            json,
            serde_json::json!({"code": "internal", "detail": "internal error"})
        );
    }

    #[tokio::test]
    async fn database_errors_are_opaque_500s() {
        let resp = ApiError::from(sea_orm::DbErr::Custom("table x".into())).into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let json = json_of(resp).await;
        assert_eq!(
            json,
            serde_json::json!({"code": "internal", "detail": "internal error"})
        );
    }
}
