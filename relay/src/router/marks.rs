//! What a customer's message does to other messages (issue 27): the
//! message it quotes or reacts to (`reply_to` on its row), an edit (the
//! original shows the new text and when it was edited; the edit's own row
//! keeps the history), a revoke (the original is marked deleted, its text
//! kept for audit), and Meta's `user_changed_user_id` system message (the
//! contact's BSUID follows the user). One place for both the one-by-one and
//! the batch paths.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::envelope::{InboundEvent, InboundMessage};
use entities::{contact, message};

/// `origin` of a message sent from the WhatsApp Business app.
pub const PHONE_APP: &str = "phone_app";

/// Where a message names the message it acts on.
const TARGET_POINTERS: &[&str] = &[
    "/edit/original_message_id",
    "/revoke/original_message_id",
    "/reaction/message_id",
    "/reaction/key/id",
    "/context/id",
];

/// The provider id of the message this one quotes, reacts to, edits or
/// deletes.
pub fn reply_to(message: &InboundMessage) -> Option<String> {
    TARGET_POINTERS.iter().find_map(|p| {
        crate::envelope::pointer(&message.raw, p)
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
    })
}

/// The row of a customer's message (or of a coexistence echo: outbound,
/// `sent`, from the phone app), as both paths insert it.
pub fn inbound_row(
    conversation_id: i64,
    event: &InboundEvent,
    message: &InboundMessage,
    now: DateTime<Utc>,
) -> message::ActiveModel {
    use sea_orm::ActiveValue::Set;
    // A file to fetch: the row waits for it (`crate::media`).
    let media = crate::media::reference(event, message);
    let pending = media
        .as_ref()
        .map(|_| message::MediaState::Pending.as_str().to_owned());
    let (media_type, media_size, media_filename) = media
        .map(|m| {
            (
                m.mime,
                m.size.and_then(|s| i64::try_from(s).ok()),
                m.filename,
            )
        })
        .unwrap_or_default();
    message::ActiveModel {
        conversation_id: Set(conversation_id),
        direction: Set(if message.echo { "outbound" } else { "inbound" }.into()),
        provider: Set(event.provider.as_str().into()),
        provider_message_id: Set(Some(message.id.clone())),
        kind: Set(message.message_type.clone()),
        body: Set(message.text.clone()),
        payload: Set(message.raw.clone()),
        status: Set(if message.echo { "sent" } else { "received" }.into()),
        origin: Set(message.echo.then(|| PHONE_APP.to_owned())),
        error: Set(None),
        provider_timestamp: Set(message.timestamp),
        reply_to: Set(reply_to(message)),
        media_state: Set(pending),
        media_type: Set(media_type),
        media_size: Set(media_size),
        media_sha256: Set(None),
        media_filename: Set(media_filename),
        media_key: Set(None),
        media_fetched_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Applies what `message` does to other rows (after its own row is in).
///
/// # Errors
/// Database errors.
pub async fn apply(
    txn: &impl ConnectionTrait,
    event: &InboundEvent,
    message: &InboundMessage,
) -> Result<(), DbErr> {
    match message.message_type.as_str() {
        "edit" | "revoke" => {
            let Some(target) = reply_to(message) else {
                return Ok(());
            };
            let mut update = message::Entity::update_many()
                .col_expr(message::Column::UpdatedAt, Expr::value(Utc::now()));
            update = if message.message_type == "edit" {
                update
                    .col_expr(message::Column::EditedAt, Expr::value(message.timestamp))
                    .col_expr(message::Column::Body, Expr::value(message.text.clone()))
            } else {
                update.col_expr(message::Column::DeletedAt, Expr::value(message.timestamp))
            };
            update
                .filter(message::Column::Provider.eq(event.provider.as_str()))
                .filter(message::Column::ProviderMessageId.eq(target))
                .exec(txn)
                .await?;
        }
        "system" => {
            let changed = crate::envelope::pointer(&message.raw, "/system/type")
                .and_then(Value::as_str)
                == Some("user_changed_user_id");
            let new =
                crate::envelope::pointer(&message.raw, "/system/user_id").and_then(Value::as_str);
            if let (true, Some(new), Some(old)) = (changed, new, &event.contact.user_id) {
                relink(txn, old, new).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A user's BSUID changed (a new phone number): the contact keeps its
/// history under the new id.
///
/// # Errors
/// Database errors.
pub async fn relink(txn: &impl ConnectionTrait, old: &str, new: &str) -> Result<(), DbErr> {
    let taken = contact::Entity::find()
        .filter(contact::Column::UserId.eq(new))
        .one(txn)
        .await?;
    if taken.is_some() {
        return Ok(());
    }
    contact::Entity::update_many()
        .col_expr(contact::Column::UserId, Expr::value(new))
        .col_expr(contact::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(contact::Column::UserId.eq(old))
        .exec(txn)
        .await?;
    Ok(())
}
