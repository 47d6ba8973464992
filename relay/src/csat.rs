//! Customer satisfaction (issue 24 part 4), each rule once: the question a
//! business number asks after a resolution ([`question`]), what counts as
//! its answer ([`answer`], [`pending`]), asking the due questions through
//! the normal outbound path ([`ask_due`], run by the admin server's desk
//! sweep, never on the router's path) and storing an answer in the
//! router's transaction ([`settle_answer`]). Marking a question due on a
//! resolve and cancelling it on a reopen are `assignment::transition`'s
//! (and the router's reopening, `router::sessions`). The rules are
//! `docs/reports.md` ("Customer satisfaction").
//!
//! The scale is 1 (very poor) to 5 (excellent), the same on every
//! provider so that one average means one thing: Meta shows the five
//! choices as a list message (reply buttons allow three), WasenderApi as
//! lines of text the customer answers with a digit.

use std::ops::RangeInclusive;

use async_nats::jetstream;
use chrono::{DateTime, Duration, Utc};
use entities::conversation::{ConversationStatus, CsatState};
use entities::support_measure::MeasureKind;
use entities::{business_number, conversation, support_measure};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::envelope::{Choice, InboundMessage, ReplyContent};
use crate::outbound::{self, ReplyError};

/// The scores an answer may give.
pub const SCALE: RangeInclusive<i32> = 1..=5;
/// A score from this up is "satisfied" (the top two of five).
pub const SATISFIED_FROM: i32 = 4;
/// The question when a number sets none.
pub const DEFAULT_QUESTION: &str = "How would you rate the help you got from us today?";
/// How long an answer counts when a number sets no window.
pub const DEFAULT_WINDOW: Duration = Duration::hours(24);
/// The shortest and longest window a number may set.
pub const MIN_WINDOW_SECS: i64 = 60;
pub const MAX_WINDOW_SECS: i64 = 7 * 24 * 3600;
/// The longest question (Meta's list body allows 4,096 characters; a
/// question is one line).
pub const MAX_QUESTION_CHARS: usize = 1024;
/// A choice's id: `csat-<score>`.
const CHOICE_PREFIX: &str = "csat-";
/// Due questions asked per sweep round.
const ROUND: u64 = 100;

/// The question `text` as a reply: five choices, best first.
pub fn question(text: &str) -> ReplyContent {
    const TITLES: [&str; 5] = ["Very poor", "Poor", "Okay", "Good", "Excellent"];
    let choices = SCALE
        .rev()
        .map(|score| Choice {
            id: format!("{CHOICE_PREFIX}{score}"),
            title: format!("{score} - {}", TITLES[(score - 1) as usize]),
        })
        .collect();
    ReplyContent::Interactive {
        body: text.to_owned(),
        button: "Rate".into(),
        choices,
        footer: Some(format!(
            "Reply with a number from {} to {}",
            SCALE.start(),
            SCALE.end()
        )),
    }
}

/// A number's question text and window, its own or the defaults.
pub fn settings_of(number: &business_number::Model) -> (String, Duration) {
    let text = number
        .csat_question
        .clone()
        .filter(|q| !q.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_QUESTION.to_owned());
    let window = number
        .csat_window_secs
        .map_or(DEFAULT_WINDOW, Duration::seconds);
    (text, window)
}

/// The score a customer's message gives, if it reads as an answer: a
/// picked choice (Meta's `interactive.list_reply.id` or `button_reply.id`
/// is `csat-<score>`) or a text that is one digit of the scale (spaces
/// and a final `.` aside). O(1): two pointer look-ups and a trim.
pub fn answer(message: &InboundMessage) -> Option<i32> {
    if message.echo {
        return None;
    }
    let picked = ["/interactive/list_reply/id", "/interactive/button_reply/id"]
        .iter()
        .find_map(|at| crate::envelope::pointer(&message.raw, at)?.as_str());
    let digits = match picked {
        Some(id) => id.strip_prefix(CHOICE_PREFIX)?,
        None if message.message_type == "text" => {
            let text = message.text.as_deref()?.trim();
            text.strip_suffix('.').unwrap_or(text).trim_end()
        }
        None => return None,
    };
    if digits.len() != 1 {
        return None;
    }
    let score = digits.parse::<i32>().ok()?;
    SCALE.contains(&score).then_some(score)
}

/// Whether `row` waits for an answer to a message at `at`: asked, still
/// resolved, and `at` before the window's end.
pub fn pending(row: &conversation::Model, at: DateTime<Utc>) -> bool {
    row.csat_state() == Some(CsatState::Asked)
        && row.status() == Ok(ConversationStatus::Resolved)
        && row.csat_expires_at.is_some_and(|end| at < end)
}

/// The state a conversation's question takes when it reopens: a due or
/// asked question is cancelled, anything else stays.
pub fn on_reopen(state: Option<&str>) -> Option<String> {
    match state.and_then(|s| s.parse::<CsatState>().ok()) {
        Some(CsatState::Due | CsatState::Asked) => Some(CsatState::Cancelled.as_str().into()),
        _ => state.map(str::to_owned),
    }
}

/// Records an answer (`score`, at the message's time `at`) on `row`, in
/// the router's transaction, after the answer's message row was inserted:
/// the conversation stays resolved with its score, its waiting and
/// response clocks (started by the message's insert trigger) stopped, and
/// one `csat` measure (team and agent: the conversation's, i.e. the
/// assignee who resolved). Conditional on the question still being asked,
/// so the answer counts once.
///
/// # Errors
/// Database errors.
pub(crate) async fn settle_answer(
    txn: &impl ConnectionTrait,
    row: &conversation::Model,
    score: i32,
    at: DateTime<Utc>,
) -> Result<conversation::Model, DbErr> {
    let none: Option<DateTime<Utc>> = None;
    let settled = conversation::Entity::update_many()
        .col_expr(
            conversation::Column::CsatState,
            Expr::value(CsatState::Answered.as_str()),
        )
        .col_expr(conversation::Column::CsatScore, Expr::value(score))
        .col_expr(conversation::Column::CsatAnsweredAt, Expr::value(at))
        .col_expr(conversation::Column::ResponseDueSince, Expr::value(none))
        .col_expr(conversation::Column::WaitingSince, Expr::value(none))
        .filter(conversation::Column::Id.eq(row.id))
        .filter(conversation::Column::CsatState.eq(CsatState::Asked.as_str()))
        .exec_with_returning(txn)
        .await?;
    let Some(settled) = settled.into_iter().next() else {
        return Err(DbErr::Custom(format!(
            "conversation {}'s question was no longer asked",
            row.id
        )));
    };
    measure(txn, &settled, MeasureKind::Csat, at, Some(i64::from(score))).await?;
    Ok(settled)
}

/// One `support_measures` row of a question (`csat_asked`) or its answer
/// (`csat`, the score in `seconds`).
async fn measure(
    txn: &impl ConnectionTrait,
    row: &conversation::Model,
    kind: MeasureKind,
    at: DateTime<Utc>,
    value: Option<i64>,
) -> Result<(), DbErr> {
    support_measure::ActiveModel {
        conversation_id: Set(row.id),
        business_number_id: Set(row.business_number_id),
        team_id: Set(row.team_id),
        agent_id: Set(row.assignee_id),
        kind: Set(kind.as_str().into()),
        started_at: Set(None),
        at: Set(at),
        seconds: Set(value),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map(|_| ())
}

/// What one round of [`ask_due`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    /// Questions queued to the provider.
    pub asked: usize,
    /// Due questions that could not be sent (the 24-hour window closed).
    pub skipped: usize,
}

/// Sends the due questions (up to a round's worth, oldest first): each
/// one claimed by a conditional update (`due` → `asked`, so with several
/// admin servers one sends it), then queued through
/// [`outbound::enqueue_checked`] (the sender's rate limits, retries and
/// DLQ), then its message id and one `csat_asked` measure recorded. A
/// question whose 24-hour window closed is `skipped`; one that could not
/// be queued too (never sent twice).
///
/// # Errors
/// Database errors (the round stops; the next one goes on).
pub async fn ask_due(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
) -> Result<Asked, DbErr> {
    let due: Vec<conversation::Model> = conversation::Entity::find()
        .filter(conversation::Column::CsatState.eq(CsatState::Due.as_str()))
        .order_by_asc(conversation::Column::Id)
        .limit(ROUND)
        .all(db)
        .await?;
    let mut done = Asked::default();
    for row in due {
        let Some(number) = business_number::Entity::find_by_id(row.business_number_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let (text, window) = settings_of(&number);
        let content = question(&text);
        let target = match outbound::check_reply(db, row.id, &content).await {
            Ok(target) => target,
            Err(ReplyError::Database(err)) => return Err(err),
            Err(err) => {
                tracing::info!(conversation = row.id, %err, "CSAT question not sendable");
                if set_state(db, row.id, CsatState::Due, CsatState::Skipped).await? {
                    done.skipped += 1;
                }
                continue;
            }
        };
        let now = Utc::now();
        let claimed = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::CsatState,
                Expr::value(CsatState::Asked.as_str()),
            )
            .col_expr(conversation::Column::CsatAskedAt, Expr::value(now))
            .col_expr(
                conversation::Column::CsatExpiresAt,
                Expr::value(now + window),
            )
            .filter(conversation::Column::Id.eq(row.id))
            .filter(conversation::Column::CsatState.eq(CsatState::Due.as_str()))
            .filter(conversation::Column::Status.eq(ConversationStatus::Resolved.as_str()))
            .exec(db)
            .await?;
        if claimed.rows_affected == 0 {
            continue;
        }
        match outbound::enqueue_checked(db, js, partitions, target, None, content).await {
            Ok(message) => {
                let txn = crate::db::begin_write(db).await?;
                let asked = conversation::Entity::update_many()
                    .col_expr(conversation::Column::CsatMessageId, Expr::value(message.id))
                    .filter(conversation::Column::Id.eq(row.id))
                    .exec_with_returning(&txn)
                    .await?;
                if let Some(asked) = asked.first() {
                    measure(&txn, asked, MeasureKind::CsatAsked, now, None).await?;
                }
                txn.commit().await?;
                done.asked += 1;
            }
            Err(ReplyError::Database(err)) => return Err(err),
            Err(err) => {
                tracing::warn!(conversation = row.id, %err, "CSAT question not queued");
                set_state(db, row.id, CsatState::Asked, CsatState::Skipped).await?;
                done.skipped += 1;
            }
        }
    }
    Ok(done)
}

/// `from` → `to` if the question is still `from`; whether it moved.
async fn set_state(
    db: &DatabaseConnection,
    id: i64,
    from: CsatState,
    to: CsatState,
) -> Result<bool, DbErr> {
    let moved = conversation::Entity::update_many()
        .col_expr(conversation::Column::CsatState, Expr::value(to.as_str()))
        .filter(conversation::Column::Id.eq(id))
        .filter(conversation::Column::CsatState.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: &str, text: Option<&str>, raw: serde_json::Value) -> InboundMessage {
        InboundMessage {
            id: "wamid.1".into(),
            timestamp: Utc::now(),
            message_type: kind.into(),
            text: text.map(str::to_owned),
            text_at: None,
            raw,
            echo: false,
        }
    }

    #[test]
    fn a_picked_choice_or_a_lone_digit_is_an_answer() {
        // Meta's webhook for a picked list row (Interactive list messages:
        // `interactive.list_reply` with the row's id and title).
        let list = serde_json::json!({"type": "interactive", "interactive": {
            "type": "list_reply", "list_reply": {"id": "csat-4", "title": "4 - Good"}}});
        assert_eq!(
            answer(&message("interactive", Some("4 - Good"), list)),
            Some(4)
        );
        let button = serde_json::json!({"interactive": {
            "type": "button_reply", "button_reply": {"id": "csat-2", "title": "2 - Poor"}}});
        assert_eq!(answer(&message("interactive", None, button)), Some(2));
        let other = serde_json::json!({"interactive": {
            "type": "button_reply", "button_reply": {"id": "yes", "title": "5"}}});
        assert_eq!(answer(&message("interactive", Some("5"), other)), None);
        for (text, score) in [
            ("5", Some(5)),
            (" 1 ", Some(1)),
            ("3.", Some(3)),
            ("0", None),
            ("6", None),
            ("10", None),
            ("5 stars", None),
            ("thanks", None),
            ("", None),
        ] {
            let got = answer(&message("text", Some(text), serde_json::json!({})));
            assert_eq!(got, score, "{text:?}");
        }
        let mut echo = message("text", Some("5"), serde_json::json!({}));
        echo.echo = true;
        assert_eq!(answer(&echo), None);
    }

    #[test]
    fn the_question_has_five_choices_best_first_within_metas_limits() {
        let ReplyContent::Interactive {
            button,
            choices,
            footer,
            ..
        } = question(DEFAULT_QUESTION)
        else {
            panic!("interactive")
        };
        assert!(button.chars().count() <= 20);
        assert!(footer.is_some_and(|f| f.chars().count() <= 60));
        let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["csat-5", "csat-4", "csat-3", "csat-2", "csat-1"]);
        assert!(choices.iter().all(|c| c.title.chars().count() <= 24));
    }

    #[test]
    fn a_reopening_cancels_a_due_or_asked_question_only() {
        assert_eq!(on_reopen(Some("asked")).as_deref(), Some("cancelled"));
        assert_eq!(on_reopen(Some("due")).as_deref(), Some("cancelled"));
        assert_eq!(on_reopen(Some("answered")).as_deref(), Some("answered"));
        assert_eq!(on_reopen(None), None);
    }
}
