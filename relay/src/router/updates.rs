//! Provider updates that are not messages (issue 27), recorded where they
//! belong, in the event's transaction: every one as an `account_events` row
//! (deduplicated by its id); account updates as the status of the account's
//! numbers (a banned or restricted number is an outage: the admin server's
//! `account_restricted` alert watches it); template updates into the
//! account's template catalog; a user's marketing preference on the
//! contact. The business account comes from the event (`account`), the
//! numbers it owns from `business_numbers.waba_id` (learnt from messages).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};
use serde_json::Value;

use crate::envelope::{Contact, InboundEvent, ProviderUpdate};
use entities::business_number::AccountStatus;
use entities::{account_event, business_number, contact, template};

/// The account state an `account_update` sets, if it changes the state:
/// from Meta's `event` (and `ban_info.waba_ban_state` for bans).
pub fn account_state(value: &Value) -> Option<AccountStatus> {
    let event = value.get("event").and_then(Value::as_str)?;
    let ban_state = crate::envelope::pointer(value, "/ban_info/waba_ban_state")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(match event {
        "ACCOUNT_VIOLATION" => AccountStatus::Violation,
        "ACCOUNT_RESTRICTION" => AccountStatus::Restricted,
        "DISABLED_UPDATE" if ban_state == "REINSTATE" => AccountStatus::Ok,
        "DISABLED_UPDATE" => AccountStatus::Banned,
        "ACCOUNT_DELETED" | "PARTNER_REMOVED" => AccountStatus::Disabled,
        "ACCOUNT_RECONNECTED" | "PARTNER_ADDED" | "REINSTATED" => AccountStatus::Ok,
        _ => return None,
    })
}

/// Applies one update.
///
/// # Errors
/// Database errors (the event is retried, as any).
pub async fn apply(
    txn: &impl ConnectionTrait,
    event: &InboundEvent,
    update: &ProviderUpdate,
) -> Result<(), DbErr> {
    let waba = event.account.as_deref();
    let value = &update.raw;
    let number = named_number(txn, waba, value).await?;
    let recorded = account_event::Entity::insert(account_event::ActiveModel {
        event_key: Set(event.msg_id()),
        waba_id: Set(waba.map(str::to_owned)),
        business_number_id: Set(number.as_ref().map(|n| n.id)),
        field: Set(update.field.clone()),
        event: Set(event_name(value)),
        detail: Set(value.clone()),
        provider_timestamp: Set(update.timestamp),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(account_event::Column::EventKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if recorded == 0 {
        // Seen before (a redelivery): already applied.
        return Ok(());
    }
    match update.field.as_str() {
        "account_update" => {
            if let Some(state) = account_state(value) {
                set_account_state(txn, waba, number.as_ref(), state, update.timestamp).await?;
            }
        }
        "phone_number_quality_update" => {
            if let (Some(number), Some(rating)) = (
                number,
                value
                    .get("current_limit")
                    .or_else(|| value.get("event"))
                    .and_then(Value::as_str),
            ) {
                let mut active: business_number::ActiveModel = number.into();
                active.quality_rating = Set(Some(rating.to_owned()));
                active.update(txn).await?;
            }
        }
        "message_template_status_update"
        | "message_template_quality_update"
        | "template_category_update"
        | "message_template_components_update" => {
            if let Some(waba) = waba {
                apply_template(txn, waba, &update.field, value).await?;
            }
        }
        "user_preferences" => apply_preferences(txn, value, update.timestamp).await?,
        "user_id_update" => {
            // A user changed phone number: a new BSUID, the same person.
            for change in value
                .get("user_id_update")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = |k: &str| {
                    crate::envelope::pointer(change, &format!("/user_id/{k}"))
                        .and_then(Value::as_str)
                };
                if let (Some(old), Some(new)) = (id("previous"), id("current")) {
                    crate::router::marks::relink(txn, old, new).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The update's event name, for the record: `event`, else the field's own
/// word for it.
fn event_name(value: &Value) -> String {
    ["event", "decision", "type"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
        .unwrap_or("update")
        .chars()
        .take(64)
        .collect()
}

/// The number an update names (its `metadata.phone_number_id`, or its
/// `display_phone_number` / `phone_number` among the account's numbers).
async fn named_number(
    txn: &impl ConnectionTrait,
    waba: Option<&str>,
    value: &Value,
) -> Result<Option<business_number::Model>, DbErr> {
    if let Some(id) =
        crate::envelope::pointer(value, "/metadata/phone_number_id").and_then(Value::as_str)
    {
        return business_number::Entity::find()
            .filter(business_number::Column::PhoneNumberId.eq(id))
            .one(txn)
            .await;
    }
    let Some(display) = ["display_phone_number", "phone_number"]
        .iter()
        .find_map(|k| value.get(*k).and_then(Value::as_str))
    else {
        return Ok(None);
    };
    let digits: String = display.chars().filter(char::is_ascii_digit).collect();
    let mut query = business_number::Entity::find();
    if let Some(waba) = waba {
        query = query.filter(business_number::Column::WabaId.eq(waba));
    }
    Ok(query.all(txn).await?.into_iter().find(|n| {
        n.display_phone
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            == digits
    }))
}

/// Sets the account state on the number named, or on every number of the
/// account.
async fn set_account_state(
    txn: &impl ConnectionTrait,
    waba: Option<&str>,
    number: Option<&business_number::Model>,
    state: AccountStatus,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut query = business_number::Entity::update_many()
        .col_expr(
            business_number::Column::AccountStatus,
            Expr::value(state.as_str()),
        )
        .col_expr(business_number::Column::AccountStatusAt, Expr::value(at))
        .col_expr(business_number::Column::UpdatedAt, Expr::value(Utc::now()));
    query = match (number, waba) {
        (Some(n), _) => query.filter(business_number::Column::Id.eq(n.id)),
        (None, Some(waba)) => query.filter(business_number::Column::WabaId.eq(waba)),
        (None, None) => return Ok(()),
    };
    let changed = query.exec(txn).await?.rows_affected;
    tracing::warn!(
        ?waba,
        state = state.as_str(),
        changed,
        "account update: numbers' account state set"
    );
    Ok(())
}

/// A template webhook into the account's catalog.
async fn apply_template(
    txn: &impl ConnectionTrait,
    waba: &str,
    field: &str,
    value: &Value,
) -> Result<(), DbErr> {
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(name), Some(language)) = (
        text("message_template_name"),
        text("message_template_language"),
    ) else {
        return Ok(());
    };
    let found = template::Entity::find()
        .filter(template::Column::WabaId.eq(waba))
        .filter(template::Column::Name.eq(&name))
        .filter(template::Column::Language.eq(&language))
        .one(txn)
        .await?;
    let mut row: template::ActiveModel = match found {
        Some(row) => row.into(),
        None => template::ActiveModel {
            waba_id: Set(waba.to_owned()),
            name: Set(name),
            language: Set(language),
            status: Set("UNKNOWN".into()),
            components: Set(serde_json::json!([])),
            ..Default::default()
        },
    };
    if let Some(id) = value.get("message_template_id") {
        row.provider_template_id = Set(Some(id.to_string().trim_matches('"').to_owned()));
    }
    match field {
        "message_template_status_update" => {
            if let Some(status) = text("event") {
                row.status = Set(status.to_ascii_uppercase());
            }
            row.reason = Set(text("reason").filter(|r| r != "NONE"));
            if let Some(category) = text("message_template_category") {
                row.category = Set(Some(category));
            }
        }
        "message_template_quality_update" => {
            row.quality = Set(text("new_quality_score"));
        }
        "template_category_update" => {
            if let Some(category) = text("new_category").or_else(|| text("correct_category")) {
                row.category = Set(Some(category));
            }
        }
        _ => {
            // Components: what Meta sends of them (title, element, footer,
            // buttons), kept as given.
            let mut components = value.clone();
            if let Some(map) = components.as_object_mut() {
                for key in [
                    "message_template_id",
                    "message_template_name",
                    "message_template_language",
                ] {
                    map.remove(key);
                }
            }
            row.components = Set(components);
        }
    }
    row.save(txn).await?;
    Ok(())
}

/// Meta's `user_preferences`: a user stopping or resuming marketing
/// messages, recorded on the contact (any bulk send must skip it).
async fn apply_preferences(
    txn: &impl ConnectionTrait,
    value: &Value,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    for preference in value
        .get("user_preferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let category = preference.get("category").and_then(Value::as_str);
        if category.is_some_and(|c| c != "marketing_messages") {
            continue;
        }
        let stop = match preference.get("value").and_then(Value::as_str) {
            Some("stop") => true,
            Some("resume") => false,
            _ => continue,
        };
        let who = Contact {
            wa_id: preference
                .get("wa_id")
                .or_else(|| preference.get("user_id"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            user_id: preference
                .get("user_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ..Contact::default()
        };
        if who.wa_id.is_empty() {
            continue;
        }
        let when = preference
            .get("timestamp")
            .and_then(|t| t.as_i64().or_else(|| t.as_str()?.parse().ok()))
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .unwrap_or(at);
        let row = match crate::contacts::find(txn, &who).await? {
            Some(row) => row,
            // A user who never wrote: remembered, so a campaign skips them.
            None => {
                crate::contacts::new_row(&who, None, Utc::now())
                    .insert(txn)
                    .await?
            }
        };
        let mut active: contact::ActiveModel = row.into();
        active.marketing_opt_out_at = Set(stop.then_some(when));
        active.updated_at = Set(Utc::now());
        active.update(txn).await?;
    }
    Ok(())
}
