//! The template catalog of each WhatsApp Business Account: kept by Meta's
//! template webhooks (`updates`), synced on demand from Meta's listing
//! (`GET /<version>/<waba id>/message_templates`, with a number's token; the
//! sandbox serves one too), and asked before a template reply is queued:
//! an account whose catalog is known refuses a template it does not hold,
//! or holds unapproved, with a clear error before anything is sent.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::Value;

use entities::{business_number, template};

/// Why a template may not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("template {name:?} ({language}) is not in the account's catalog")]
    Unknown { name: String, language: String },
    #[error("template {name:?} ({language}) is {status}, not APPROVED")]
    NotApproved {
        name: String,
        language: String,
        status: String,
    },
}

/// Whether `number` may send template `name` in `language`. An account
/// whose catalog is empty (never synced, no webhook yet) is not checked:
/// the provider decides, as before there was a catalog.
///
/// # Errors
/// Database errors (outer), or the [`Refusal`] (inner).
pub async fn check_sendable(
    db: &impl ConnectionTrait,
    number: &business_number::Model,
    name: &str,
    language: &str,
) -> Result<Result<(), Refusal>, DbErr> {
    let Some(waba) = &number.waba_id else {
        return Ok(Ok(()));
    };
    let found = template::Entity::find()
        .filter(template::Column::WabaId.eq(waba))
        .filter(template::Column::Name.eq(name))
        .filter(template::Column::Language.eq(language))
        .one(db)
        .await?;
    Ok(match found {
        Some(row) if row.status == template::APPROVED => Ok(()),
        Some(row) => Err(Refusal::NotApproved {
            name: name.to_owned(),
            language: language.to_owned(),
            status: row.status,
        }),
        None => {
            let known = template::Entity::find()
                .filter(template::Column::WabaId.eq(waba))
                .count(db)
                .await?;
            if known == 0 {
                Ok(())
            } else {
                Err(Refusal::Unknown {
                    name: name.to_owned(),
                    language: language.to_owned(),
                })
            }
        }
    })
}

/// Why a campaign may not send template `name` in `language` from
/// `number` now: [`check_sendable`]'s refusal, or the template's quality
/// RED (Meta pauses such templates soon after; sending more of it harms
/// the number's rating). `None`: it may.
///
/// # Errors
/// Database errors.
pub async fn campaign_refusal(
    db: &impl ConnectionTrait,
    number: &business_number::Model,
    name: &str,
    language: &str,
) -> Result<Option<String>, DbErr> {
    if let Err(refusal) = check_sendable(db, number, name, language).await? {
        return Ok(Some(refusal.to_string()));
    }
    let Some(waba) = &number.waba_id else {
        return Ok(None);
    };
    let red = template::Entity::find()
        .filter(template::Column::WabaId.eq(waba))
        .filter(template::Column::Name.eq(name))
        .filter(template::Column::Language.eq(language))
        .filter(template::Column::Quality.eq("RED"))
        .count(db)
        .await?
        > 0;
    Ok(red.then(|| format!("template {name:?} ({language}) has quality RED")))
}

/// Writes one template of Meta's listing (`data[]` of
/// `message_templates`) into the catalog; `true` when it was new.
///
/// # Errors
/// Database errors.
pub async fn upsert_listed(
    db: &impl ConnectionTrait,
    waba: &str,
    listed: &Value,
) -> Result<bool, DbErr> {
    let text = |k: &str| listed.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(name), Some(language)) = (text("name"), text("language")) else {
        return Ok(false);
    };
    let found = template::Entity::find()
        .filter(template::Column::WabaId.eq(waba))
        .filter(template::Column::Name.eq(&name))
        .filter(template::Column::Language.eq(&language))
        .one(db)
        .await?;
    let new = found.is_none();
    let mut row: template::ActiveModel = match found {
        Some(row) => row.into(),
        None => template::ActiveModel {
            waba_id: Set(waba.to_owned()),
            name: Set(name),
            language: Set(language),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    row.status = Set(text("status")
        .map(|s| s.to_ascii_uppercase())
        .unwrap_or_else(|| "UNKNOWN".into()));
    row.category = Set(text("category"));
    row.quality = Set(crate::envelope::pointer(listed, "/quality_score/score")
        .and_then(Value::as_str)
        .map(str::to_owned));
    row.reason = Set(text("rejected_reason").filter(|r| r != "NONE"));
    row.provider_template_id = Set(text("id"));
    row.components = Set(listed
        .get("components")
        .cloned()
        .unwrap_or_else(|| serde_json::json!([])));
    row.updated_at = Set(Utc::now());
    row.save(db).await?;
    Ok(new)
}

/// Why a template listing could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// No answer (connection, timeout); the text has no URL.
    #[error("request failed: {0}")]
    Request(String),
    /// The provider refused, with its error message.
    #[error("HTTP {status}: {message}")]
    Refused {
        status: reqwest::StatusCode,
        message: String,
    },
    #[error("the answer has no data[]")]
    NoData,
}

/// Meta's template listing of `waba`, every page (`paging.next`), at most
/// `max_pages` of them.
///
/// # Errors
/// The provider's answer when it is not a listing (status and error
/// message, never the token).
pub async fn fetch_listing(
    http: &reqwest::Client,
    base_url: &str,
    api_version: &str,
    access_token: &str,
    waba: &str,
    max_pages: usize,
) -> Result<Vec<Value>, ListingError> {
    let mut url = format!(
        "{}/{api_version}/{waba}/message_templates?limit=100",
        base_url.trim_end_matches('/')
    );
    let mut out = Vec::new();
    for _ in 0..max_pages {
        let response = http
            .get(&url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| ListingError::Request(crate::provider::meta::send::without_url(&e)))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let message = crate::envelope::pointer(&body, "/error/message")
                .and_then(Value::as_str)
                .unwrap_or("no error message");
            return Err(ListingError::Refused {
                status,
                message: message.to_owned(),
            });
        }
        let Some(data) = body.get("data").and_then(Value::as_array) else {
            return Err(ListingError::NoData);
        };
        out.extend(data.iter().cloned());
        match crate::envelope::pointer(&body, "/paging/next").and_then(Value::as_str) {
            Some(next) if !data.is_empty() => next.clone_into(&mut url),
            _ => break,
        }
    }
    Ok(out)
}
