//! What the conversation list shows beyond a conversation's own row, each
//! fetched for a whole page in one query: the last message, the unread
//! count of the calling agent (inbound messages after its read marker),
//! the labels, and the names of agents and teams. Owns neither the list's
//! filters and order (`api::conversations`) nor search (`search`).

use std::collections::HashMap;

use entities::message::Direction;
use entities::{agent, conversation_label, conversation_read, label, message, team};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    StatementBuilder,
};

use crate::error::ApiResult;

/// Display names by id (of agents, of teams).
pub type Names = HashMap<i64, String>;

/// How many characters of a text the list shows.
pub const PREVIEW_CHARS: usize = 120;

/// `text` cut to `max` characters (on a character boundary), `…` added
/// when cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The newest message (highest id) of each conversation in `ids`.
///
/// # Errors
/// Database failures.
pub async fn last_messages(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> ApiResult<HashMap<i64, message::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let newest = Query::select()
        .expr(Func::max(Expr::col(message::Column::Id)))
        .from(message::Entity)
        .and_where(message::Column::ConversationId.is_in(ids.iter().copied()))
        .group_by_col(message::Column::ConversationId)
        .to_owned();
    Ok(message::Entity::find()
        .filter(message::Column::Id.in_subquery(newest))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.conversation_id, m))
        .collect())
}

#[derive(FromQueryResult)]
struct Unread {
    conversation_id: i64,
    unread: i64,
}

/// How many customer messages of each conversation in `ids` arrived after
/// `agent_id`'s read marker (all of them without a marker); conversations
/// with none are absent.
///
/// # Errors
/// Database failures.
pub async fn unread_counts(
    db: &impl ConnectionTrait,
    agent_id: i64,
    ids: &[i64],
) -> ApiResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let m = Alias::new("m");
    let r = Alias::new("r");
    let query = Query::select()
        .expr_as(
            Expr::col((m.clone(), message::Column::ConversationId)),
            Alias::new("conversation_id"),
        )
        .expr_as(
            Func::count(Expr::col((m.clone(), message::Column::Id))),
            Alias::new("unread"),
        )
        .from_as(message::Entity, m.clone())
        .join_as(
            JoinType::LeftJoin,
            conversation_read::Entity,
            r.clone(),
            Expr::col((r.clone(), conversation_read::Column::ConversationId))
                .equals((m.clone(), message::Column::ConversationId))
                .and(Expr::col((r.clone(), conversation_read::Column::AgentId)).eq(agent_id)),
        )
        .and_where(
            Expr::col((m.clone(), message::Column::ConversationId)).is_in(ids.iter().copied()),
        )
        .and_where(
            Expr::col((m.clone(), message::Column::Direction)).eq(Direction::Inbound.to_string()),
        )
        .and_where(
            Expr::col((m.clone(), message::Column::Id)).gt(Func::coalesce([
                Expr::col((r.clone(), conversation_read::Column::LastReadMessageId)),
                Expr::val(0i64),
            ])),
        )
        .group_by_col((m, message::Column::ConversationId))
        .to_owned();
    let statement = StatementBuilder::build(&query, &db.get_database_backend());
    Ok(Unread::find_by_statement(statement)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.conversation_id, u.unread))
        .collect())
}

/// The labels of each conversation in `ids`, by name.
///
/// # Errors
/// Database failures.
pub async fn labels_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<label::Model>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = conversation_label::Entity::find()
        .filter(conversation_label::Column::ConversationId.is_in(ids.iter().copied()))
        .find_also_related(label::Entity)
        .order_by_asc(label::Column::Name)
        .all(db)
        .await?;
    let mut by_conversation: HashMap<i64, Vec<label::Model>> = HashMap::new();
    for (link, found) in rows {
        if let Some(found) = found {
            by_conversation
                .entry(link.conversation_id)
                .or_default()
                .push(found);
        }
    }
    Ok(by_conversation)
}

/// The names of the agents in `ids` (deleted ones are absent).
///
/// # Errors
/// Database failures.
pub async fn agent_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> ApiResult<Names> {
    names::<agent::Entity>(db, agent::Column::Id, ids, |a| (a.id, a.name)).await
}

/// The names of the teams in `ids`.
///
/// # Errors
/// Database failures.
pub async fn team_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> ApiResult<Names> {
    names::<team::Entity>(db, team::Column::Id, ids, |t| (t.id, t.name)).await
}

/// The rows of `E` whose `id` column is in `ids`, as (id, name).
async fn names<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: impl IntoIterator<Item = i64>,
    name: impl Fn(E::Model) -> (i64, String),
) -> ApiResult<Names> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .filter(id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_a_character_boundary_and_marks_the_cut() {
        assert_eq!(shorten("héllo wörld", 5), "héllo…");
        assert_eq!(shorten("short", 5), "short");
        assert_eq!(shorten("", 3), "");
    }
}
