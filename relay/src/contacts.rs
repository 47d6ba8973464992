//! A contact's identity, the one place for its rules: how an event's
//! customer finds its row (by BSUID first, then by key or phone, so a user
//! seen with and without a phone number is one contact), what a new row
//! holds, and what an event changes in an existing one (profile name,
//! username, a BSUID or phone learnt later). Used by the one-by-one and the
//! batch paths alike.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

use crate::envelope::Contact;
use entities::contact;

/// Words a customer writes, alone, to opt out of marketing messages (and
/// back in): the convention of bulk senders, besides Meta's own
/// `user_preferences` button. Compared trimmed, case and a trailing `.`
/// or `!` ignored.
pub const OPT_OUT_WORDS: &[&str] = &["stop", "unsubscribe", "stop promotions", "opt out"];
/// Words that take an opt-out back.
pub const OPT_IN_WORDS: &[&str] = &["start", "unstop", "subscribe"];

/// Whether a customer's text is a marketing keyword: `Some(true)` opts
/// out, `Some(false)` opts back in, `None` is any other text.
pub fn marketing_keyword(text: &str) -> Option<bool> {
    let word = text
        .trim()
        .trim_end_matches(['.', '!'])
        .trim()
        .to_lowercase();
    if word.len() > 20 {
        return None;
    }
    if OPT_OUT_WORDS.contains(&word.as_str()) {
        Some(true)
    } else if OPT_IN_WORDS.contains(&word.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// Where replies to `row` go: its phone number when known (what Meta
/// advises, so phone numbers keep appearing in webhooks), else its BSUID
/// (sent as `recipient`, see `provider::meta_send`).
pub fn address(row: &contact::Model) -> String {
    row.phone.clone().unwrap_or_else(|| row.wa_id.clone())
}

/// The condition that finds `contact`'s row: its BSUID, its key, or its
/// phone number.
pub fn condition(contact: &Contact) -> Condition {
    condition_for([contact])
}

/// The condition that finds the rows of all of `contacts` at once (each
/// row then told apart by [`pick`]): one `IN` list per identity column.
/// Every column it reads is indexed (`wa_id` unique,
/// `ux_contacts_user_id`, `ix_contacts_phone`), so the lookup never reads
/// the whole table: one unindexed term of an `OR` makes both databases scan.
pub fn condition_for<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> Condition {
    use crate::db::distinct;
    let contacts: Vec<&Contact> = contacts.into_iter().collect();
    let keys = distinct(contacts.iter().map(|c| c.wa_id.as_str()));
    let users = distinct(contacts.iter().filter_map(|c| c.user_id.as_deref()));
    let phones = distinct(contacts.iter().filter_map(|c| c.phone_number()));
    let mut any = Condition::any().add(contact::Column::WaId.is_in(keys));
    if !users.is_empty() {
        any = any.add(contact::Column::UserId.is_in(users));
    }
    if !phones.is_empty() {
        any = any.add(contact::Column::Phone.is_in(phones));
    }
    any
}

/// Of the rows `condition` found, the one that is `contact`: the BSUID's
/// when there is one, else the key's, else the phone's.
pub fn pick<'a>(
    rows: impl IntoIterator<Item = &'a contact::Model>,
    contact: &Contact,
) -> Option<&'a contact::Model> {
    let rows: Vec<&contact::Model> = rows.into_iter().collect();
    let by_user = contact
        .user_id
        .as_deref()
        .and_then(|u| rows.iter().find(|r| r.user_id.as_deref() == Some(u)));
    by_user
        .or_else(|| rows.iter().find(|r| r.wa_id == contact.wa_id))
        .or_else(|| {
            let phone = contact.phone_number()?;
            rows.iter().find(|r| r.phone.as_deref() == Some(phone))
        })
        .copied()
}

/// Finds `contact`'s row.
///
/// # Errors
/// Database errors.
pub async fn find(
    db: &impl ConnectionTrait,
    contact: &Contact,
) -> Result<Option<contact::Model>, DbErr> {
    let rows = contact::Entity::find()
        .filter(condition(contact))
        .all(db)
        .await?;
    Ok(pick(&rows, contact).cloned())
}

/// A new row for `contact`.
pub fn new_row(
    contact: &Contact,
    language: Option<String>,
    now: DateTime<Utc>,
) -> contact::ActiveModel {
    contact::ActiveModel {
        wa_id: Set(contact.wa_id.clone()),
        profile_name: Set(contact.profile_name.clone()),
        user_id: Set(contact.user_id.clone()),
        username: Set(contact.username.clone()),
        parent_user_id: Set(contact.parent_user_id.clone()),
        phone: Set(contact.phone_number().map(str::to_owned)),
        tier: Set(contact::DEFAULT_TIER.into()),
        language: Set(language),
        attributes: Set(serde_json::json!({})),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// What the event's `contact` changes in `row`, if anything: a profile
/// name or username that differs, a BSUID, parent BSUID or phone number
/// the row did not have. A missing value never clears a known one.
pub fn changes(
    row: &contact::Model,
    contact: &Contact,
    now: DateTime<Utc>,
) -> Option<contact::ActiveModel> {
    let differs = |new: &Option<String>, old: &Option<String>| new.is_some() && new != old;
    let learns = |new: Option<&str>, old: &Option<String>| new.is_some() && old.is_none();
    let phone = contact.phone_number();
    let changed = differs(&contact.profile_name, &row.profile_name)
        || differs(&contact.username, &row.username)
        || learns(contact.user_id.as_deref(), &row.user_id)
        || learns(contact.parent_user_id.as_deref(), &row.parent_user_id)
        || learns(phone, &row.phone);
    if !changed {
        return None;
    }
    let mut active: contact::ActiveModel = row.clone().into();
    if differs(&contact.profile_name, &row.profile_name) {
        active.profile_name = Set(contact.profile_name.clone());
    }
    if differs(&contact.username, &row.username) {
        active.username = Set(contact.username.clone());
    }
    if learns(contact.user_id.as_deref(), &row.user_id) {
        active.user_id = Set(contact.user_id.clone());
    }
    if learns(contact.parent_user_id.as_deref(), &row.parent_user_id) {
        active.parent_user_id = Set(contact.parent_user_id.clone());
    }
    if learns(phone, &row.phone) {
        active.phone = Set(phone.map(str::to_owned));
    }
    active.updated_at = Set(now);
    Some(active)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_keyword_alone_is_a_marketing_choice() {
        assert_eq!(marketing_keyword("STOP"), Some(true));
        assert_eq!(marketing_keyword("  Stop. "), Some(true));
        assert_eq!(marketing_keyword("unsubscribe!"), Some(true));
        assert_eq!(marketing_keyword("Start"), Some(false));
        assert_eq!(marketing_keyword("please stop the order"), None);
        assert_eq!(marketing_keyword("stopp"), None);
        assert_eq!(marketing_keyword(""), None);
    }

    fn row(wa_id: &str, user_id: Option<&str>, phone: Option<&str>) -> contact::Model {
        let now = Utc::now();
        contact::Model {
            id: 1,
            wa_id: wa_id.into(),
            profile_name: Some("Ana".into()),
            user_id: user_id.map(Into::into),
            username: None,
            parent_user_id: None,
            phone: phone.map(Into::into),
            marketing_opt_out_at: None,
            tier: "standard".into(),
            language: None,
            attributes: serde_json::json!({}),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn the_bsuid_finds_the_contact_first_and_a_phone_is_learnt() {
        let bsuid_row = contact::Model {
            id: 2,
            ..row("US.134", Some("US.134"), None)
        };
        let phone_row = row("4915112345", None, Some("4915112345"));
        let seen = Contact {
            wa_id: "4915112345".into(),
            user_id: Some("US.134".into()),
            ..Contact::default()
        };
        let rows = [phone_row.clone(), bsuid_row.clone()];
        assert_eq!(pick(&rows, &seen).map(|r| r.id), Some(2));
        let change = changes(&bsuid_row, &seen, Utc::now()).expect("a phone learnt");
        assert_eq!(change.phone, Set(Some("4915112345".into())));
        // An old phone-keyed row learns its BSUID.
        let change = changes(&phone_row, &seen, Utc::now()).expect("a BSUID learnt");
        assert_eq!(change.user_id, Set(Some("US.134".into())));
        // Nothing new: no write; a missing value never clears a known one.
        let same = Contact::phone("4915112345", None);
        assert!(changes(&phone_row, &same, Utc::now()).is_none());
    }
}
