//! The HTTP side every provider's send shares: a pooled client with the
//! sender's timeouts, a JSON POST with a bearer token, and the provider's
//! `Retry-After`. A request that got no answer becomes a retryable
//! [`SendError`]; what an answer means is each provider's business
//! ([`ReplySender::classify`](super::ReplySender::classify)).

use std::time::Duration;

use serde_json::Value;

use super::SendError;

/// How long a provider call may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

/// What every provider's send client holds: its pooled HTTP client, the
/// send API's base URL for a number without one of its own, and how many
/// sends a number may make per period unless it has a limit of its own.
#[derive(Clone)]
pub struct SendEndpoint {
    pub http: reqwest::Client,
    pub base_url: String,
    pub limit: crate::sender::ratelimit::Limit,
}

impl SendEndpoint {
    /// A pooled client (`idle_per_host` idle connections) for `base_url`.
    ///
    /// # Errors
    /// When the TLS backend cannot start.
    pub fn new(
        timeouts: Timeouts,
        idle_per_host: usize,
        base_url: &str,
        limit: crate::sender::ratelimit::Limit,
    ) -> reqwest::Result<Self> {
        Ok(Self {
            http: pooled(timeouts, idle_per_host)?,
            base_url: base_url.to_owned(),
            limit,
        })
    }
}

/// A pooled client keeping at most `idle_per_host` idle connections.
///
/// # Errors
/// When the TLS backend cannot start.
pub fn pooled(timeouts: Timeouts, idle_per_host: usize) -> reqwest::Result<reqwest::Client> {
    crate::tls::client_builder()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .pool_max_idle_per_host(idle_per_host)
        .build()
}

/// What a provider answered: its status, its `Retry-After` and its JSON
/// body (`Null` when it is not JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub retry_after: Option<Duration>,
    pub body: Value,
}

/// POSTs `body` as JSON with a bearer token.
///
/// # Errors
/// The request got no answer: a retryable [`SendError`] (`timeout` or
/// `connection`).
pub async fn post_json(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Answer, SendError> {
    call(http.post(url).bearer_auth(token).json(body)).await
}

/// Sends a built request (an upload) and reads the answer as
/// [`post_json`] does.
///
/// # Errors
/// The request got no answer: a retryable [`SendError`].
pub async fn call(request: reqwest::RequestBuilder) -> Result<Answer, SendError> {
    let response = request.send().await.map_err(|e| SendError {
        retryable: true,
        code: if e.is_timeout() {
            SendError::TIMEOUT.into()
        } else {
            "connection".into()
        },
        reason: format!("request failed: {}", without_url(&e)),
        retry_after: None,
    })?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    Ok(Answer {
        status,
        retry_after,
        body,
    })
}

/// A request error's text without the URL.
pub fn without_url(err: &reqwest::Error) -> String {
    // The URL holds nothing secret, but the error is shorter without it.
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(url.as_str(), "<provider>");
    }
    text
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
