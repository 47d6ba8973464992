//! Full-text search over message text and contacts (name, username, phone,
//! WhatsApp id): the words of a query in any order, punctuation ignored,
//! each word matching as a prefix, best matches first. One function over
//! both databases: SQLite's FTS5 tables `messages_fts` / `contacts_fts` and
//! PostgreSQL's `to_tsvector('simple', …)` (the stored `messages.search`
//! and an expression over contacts), each GIN-indexed (migration
//! `m20261204_000010_inbox`). Which conversations the caller may see and
//! the list's other filters stay with `api::conversations`.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, Statement};

use crate::error::ApiResult;

/// At most this many words of a query are searched for.
pub const MAX_WORDS: usize = 8;

/// How many conversations of each kind of match (contacts, messages) a
/// search returns at most.
const MAX_MATCHES: i64 = 500;

/// How many of the newest matching messages are ranked: a common word
/// matches a good part of all messages, and ranking them all would cost
/// time in proportion; the best among the newest are what agents look for.
const RECENT_MESSAGES: i64 = 2000;

/// A conversation that matches, and the message that matched (none when
/// its contact matched).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub conversation_id: i64,
    pub message_id: Option<i64>,
}

/// The words of a query: runs of letters and digits, lower-cased, the
/// first [`MAX_WORDS`], each once. Everything else (punctuation, `#`,
/// quotes, operators) separates words and is never passed to the database.
pub fn words(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| seen.insert(w.clone()))
        .take(MAX_WORDS)
        .collect()
}

/// An FTS5 query: every word as a quoted prefix, all required.
fn fts5_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A PostgreSQL `tsquery`: every word as a prefix, all required.
fn tsquery(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}':*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

#[derive(FromQueryResult)]
struct Row {
    conversation_id: i64,
    message_id: Option<i64>,
}

const SQLITE_CONTACTS: &str = "SELECT v.id AS conversation_id, NULL AS message_id
    FROM contacts_fts JOIN conversations v ON v.contact_id = contacts_fts.rowid
    WHERE contacts_fts MATCH ? ORDER BY bm25(contacts_fts), v.id DESC LIMIT ?";
/// The newest matching messages (FTS5 walks its lists in rowid order and
/// scores only those), ranked by bm25.
const SQLITE_MESSAGES: &str = "SELECT m.conversation_id AS conversation_id, m.id AS message_id
    FROM (SELECT rowid AS id, bm25(messages_fts) AS rank FROM messages_fts
          WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) recent
    JOIN messages m ON m.id = recent.id
    ORDER BY recent.rank, m.id DESC LIMIT ?";
const POSTGRES_CONTACTS: &str = "SELECT v.id AS conversation_id, NULL::bigint AS message_id
    FROM contacts c JOIN conversations v ON v.contact_id = c.id,
         to_tsquery('simple', $1) q
    WHERE to_tsvector('simple', coalesce(c.profile_name, '') || ' ' || coalesce(c.username, '')
          || ' ' || coalesce(c.phone, '') || ' ' || c.wa_id) @@ q
    ORDER BY ts_rank(to_tsvector('simple', coalesce(c.profile_name, '') || ' '
          || coalesce(c.username, '') || ' ' || coalesce(c.phone, '') || ' ' || c.wa_id), q) DESC,
          v.id DESC
    LIMIT $2";
/// The newest matching messages by the stored `search` vector, ranked.
const POSTGRES_MESSAGES: &str = "SELECT recent.conversation_id, recent.message_id
    FROM (SELECT m.conversation_id, m.id AS message_id, m.search FROM messages m
          WHERE m.search @@ to_tsquery('simple', $1) ORDER BY m.id DESC LIMIT $3) recent
    ORDER BY ts_rank(recent.search, to_tsquery('simple', $1)) DESC, recent.message_id DESC
    LIMIT $2";

/// The conversations matching `query`, best first, each once: those whose
/// contact matches (by rank), then those with a matching message among the
/// [`RECENT_MESSAGES`] newest that match (by the rank of their best message,
/// which the hit names). Empty when the query has no words.
///
/// # Errors
/// Database failures.
pub async fn search(db: &impl ConnectionTrait, query: &str) -> ApiResult<Vec<Hit>> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let (contacts, messages, text) = match backend {
        DatabaseBackend::Postgres => (POSTGRES_CONTACTS, POSTGRES_MESSAGES, tsquery(&words)),
        _ => (SQLITE_CONTACTS, SQLITE_MESSAGES, fts5_query(&words)),
    };
    let mut hits = Vec::new();
    let mut seen = HashSet::new();
    let postgres = backend == DatabaseBackend::Postgres;
    for (sql, values) in [
        (contacts, vec![text.clone().into(), MAX_MATCHES.into()]),
        (
            messages,
            if postgres {
                vec![
                    text.clone().into(),
                    MAX_MATCHES.into(),
                    RECENT_MESSAGES.into(),
                ]
            } else {
                vec![
                    text.clone().into(),
                    RECENT_MESSAGES.into(),
                    MAX_MATCHES.into(),
                ]
            },
        ),
    ] {
        let statement = Statement::from_sql_and_values(backend, sql, values);
        for row in Row::find_by_statement(statement).all(db).await? {
            if seen.insert(row.conversation_id) {
                hits.push(Hit {
                    conversation_id: row.conversation_id,
                    message_id: row.message_id,
                });
            }
        }
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_punctuation_and_case_and_keep_each_word_once() {
        assert_eq!(words("Order #5521?"), ["order", "5521"]);
        assert_eq!(words("late, LATE order"), ["late", "order"]);
        assert_eq!(words("\"a\" OR b* -c"), ["a", "or", "b", "c"]);
        assert_eq!(words("Zoë's café"), ["zoë", "s", "café"]);
        assert!(words(" ?! ").is_empty());
    }

    #[test]
    fn words_are_capped() {
        let many = (0..20)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(words(&many).len(), MAX_WORDS);
    }

    #[test]
    fn database_queries_quote_every_word_as_a_required_prefix() {
        let w = words("order 5521");
        assert_eq!(fts5_query(&w), "\"order\"* \"5521\"*");
        assert_eq!(tsquery(&w), "'order':* & '5521':*");
    }
}
