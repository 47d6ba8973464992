//! `/api/v1/conversations/:id/notes`: internal notes on a conversation —
//! remarks for the support team, never sent to the customer. Any signed-in
//! role adds and reads them; every note is audited and announced live.

use chrono::{DateTime, Utc};
use entities::{conversation, conversation_note};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::ApiTags;
use crate::AppState;
use crate::audit;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// A new note.
#[derive(Debug, Object)]
pub struct NoteIn {
    /// The note's text.
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub body: String,
}

/// An internal note.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoteOut {
    pub id: i64,
    pub conversation_id: i64,
    /// The agent who wrote it (absent for an integrator token).
    pub author_id: Option<i64>,
    /// `agent:<id>` or `token:<name>`.
    pub author: String,
    /// The agent's display name (absent for a token or a deleted agent).
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Note(Json<NoteOut>),
}

/// The API's view of notes, with their authors' names (one query).
async fn notes_out(
    db: &impl ConnectionTrait,
    notes: Vec<conversation_note::Model>,
) -> ApiResult<Vec<NoteOut>> {
    let names = crate::listing::agent_names(
        db,
        super::conversations::distinct(notes.iter().filter_map(|n| n.author_id)),
    )
    .await?;
    Ok(notes
        .into_iter()
        .map(|n| {
            let name = n.author_id.and_then(|id| names.get(&id).cloned());
            note_out(n, name)
        })
        .collect())
}

fn note_out(n: conversation_note::Model, author_name: Option<String>) -> NoteOut {
    NoteOut {
        author_name,
        id: n.id,
        conversation_id: n.conversation_id,
        author_id: n.author_id,
        author: n.author,
        body: n.body,
        created_at: n.created_at,
    }
}

pub struct NotesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl NotesApi {
    /// List a conversation's internal notes
    ///
    /// Oldest first.
    #[oai(
        path = "/conversations/:id/notes",
        method = "get",
        operation_id = "listConversationNotes"
    )]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<Vec<NoteOut>>> {
        crate::scope::visible_conversation(&state.db, &auth.0, id.0).await?;
        let notes = conversation_note::Entity::find()
            .filter(conversation_note::Column::ConversationId.eq(id.0))
            .order_by_asc(conversation_note::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(notes_out(&state.db, notes).await?))
    }

    /// Add an internal note to a conversation
    ///
    /// Seen by the team only; never sent to the customer.
    #[oai(
        path = "/conversations/:id/notes",
        method = "post",
        operation_id = "addConversationNote"
    )]
    async fn add(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<NoteIn>,
    ) -> ApiResult<Created> {
        let text = body.0.body;
        if text.trim().is_empty() {
            return Err(ApiError::invalid_field("body", "must not be blank"));
        }
        crate::scope::visible_conversation(&state.db, &auth.0, id.0).await?;
        let txn = relay::db::begin_write(&state.db).await?;
        conversation::Entity::find_by_id(id.0)
            .one(&txn)
            .await?
            .ok_or_else(|| ApiError::not_found("conversation"))?;
        let row = conversation_note::ActiveModel {
            conversation_id: Set(id.0),
            author_id: Set(auth.0.agent_id),
            author: Set(auth.0.actor()),
            body: Set(text),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            &auth.0,
            "conversation.note",
            "conversation",
            id.0,
            serde_json::json!({"note_id": row.id}),
        )
        .await?;
        txn.commit().await?;
        super::announce_conversation(&state, id.0, "note", serde_json::json!({"note_id": row.id}))
            .await;
        let note = notes_out(&state.db, vec![row])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("note vanished"))?;
        Ok(Created::Note(Json(note)))
    }
}
