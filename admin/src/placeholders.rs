//! Placeholders in texts people write once and Wharf fills per contact: a
//! canned response's body (filled per conversation) and a campaign's
//! template parameters (filled per recipient). The one place that knows
//! them: `{{contact.name}}`, `{{contact.first_name}}`, `{{contact.phone}}`,
//! `{{contact.username}}`, `{{contact.wa_id}}`, `{{contact.<attribute>}}`
//! (a key of the contact's attributes), `{{agent.name}}` (the agent
//! inserting a canned response) and, where a CSV gave the audience,
//! `{{csv.<column>}}` (that recipient's row).

use std::collections::HashMap;

use entities::contact;

use crate::error::{ApiError, ApiResult};

/// Whether `key` (after `contact.` or `csv.`) is a name.
fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A placeholder's name (`contact.name`) as written between `{{` and `}}`.
fn placeholder_name(inner: &str, csv: bool) -> Option<&str> {
    let name = inner.trim();
    let known = name == "agent.name"
        || name.strip_prefix("contact.").is_some_and(is_key)
        || (csv && name.strip_prefix("csv.").is_some_and(is_key));
    known.then_some(name)
}

/// The pieces of `text`: literal text and placeholders. An unclosed `{{` or
/// an unknown placeholder is an error naming it (and `field`).
fn pieces<'a>(text: &'a str, field: &str, csv: bool) -> ApiResult<Vec<Piece<'a>>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push(Piece::Text(&rest[..start]));
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(ApiError::invalid_field(
                field,
                "has a `{{` without its `}}`",
            ));
        };
        let inner = &after[..end];
        let name = placeholder_name(inner, csv).ok_or_else(|| {
            let allowed = if csv {
                "contact.<field or attribute>, csv.<column> or agent.name"
            } else {
                "contact.<field or attribute> or agent.name"
            };
            ApiError::invalid_field(
                field,
                format!(
                    "has an unknown placeholder `{{{{{}}}}}`: use {allowed}",
                    inner.trim()
                ),
            )
        })?;
        out.push(Piece::Placeholder(name, &rest[start..start + 2 + end + 2]));
        rest = &after[end + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Checks that `text` holds only known placeholders, well closed (`csv`:
/// `{{csv.<column>}}` allowed too); the error names `field`.
///
/// # Errors
/// 422 `invalid_field`.
pub fn check(text: &str, field: &str, csv: bool) -> ApiResult<()> {
    pieces(text, field, csv).map(|_| ())
}

/// The `csv.<column>` names `text` uses.
pub fn csv_columns(text: &str) -> Vec<String> {
    pieces(text, "", true)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p {
            Piece::Placeholder(name, _) => name.strip_prefix("csv.").map(str::to_owned),
            Piece::Text(_) => None,
        })
        .collect()
}

enum Piece<'a> {
    Text(&'a str),
    /// The name and the placeholder as written.
    Placeholder(&'a str, &'a str),
}

/// What the placeholders stand for in one conversation or for one recipient.
pub(crate) struct Facts<'a> {
    pub contact: Option<&'a contact::Model>,
    pub agent_name: Option<&'a str>,
    /// The recipient's CSV row, by column (lower case).
    pub row: Option<&'a HashMap<String, String>>,
}

impl Facts<'_> {
    fn value(&self, name: &str) -> Option<String> {
        if name == "agent.name" {
            return self.agent_name.map(str::to_owned);
        }
        if let Some(column) = name.strip_prefix("csv.") {
            return self
                .row?
                .get(&column.to_lowercase())
                .filter(|v| !v.trim().is_empty())
                .cloned();
        }
        let contact = self.contact?;
        let key = name.strip_prefix("contact.")?;
        let value = match key {
            "name" => contact.profile_name.clone(),
            "first_name" => contact
                .profile_name
                .as_deref()
                .and_then(|n| n.split_whitespace().next())
                .map(str::to_owned),
            "phone" => contact.phone.clone(),
            "username" => contact.username.clone(),
            "wa_id" => Some(contact.wa_id.clone()),
            other => match contact.attributes.get(other)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                _ => None,
            },
        };
        value.filter(|v| !v.trim().is_empty())
    }
}

/// `text` with every placeholder the facts know filled in; the names of
/// those left as written.
pub(crate) fn fill(text: &str, facts: &Facts<'_>) -> (String, Vec<String>) {
    let Ok(pieces) = pieces(text, "", true) else {
        // Saved texts were checked on write; an older one is shown as is.
        return (text.to_owned(), Vec::new());
    };
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name, written) => match facts.value(name) {
                Some(value) => out.push_str(&value),
                None => {
                    out.push_str(written);
                    if !missing.iter().any(|m| m == name) {
                        missing.push(name.to_owned());
                    }
                }
            },
        }
    }
    (out, missing)
}
