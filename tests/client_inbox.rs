//! The agents' inbox through the generated client (issue 28): what the
//! conversation list shows (last message, unread count per agent, waiting
//! time, assignee and team names, labels), who sent a reply and wrote a
//! note, the list's filters and orders, labels and full-text search, on
//! SQLite and PostgreSQL. Refusals are typed `{code, detail}` and change
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::num::NonZeroU64;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use client_support::*;
use serde_json::json;
use support::*;
use wharf_client::{Client, types};

const WAIT: Duration = Duration::from_secs(30);

/// What a list call may narrow by, all absent by default.
#[derive(Default)]
struct Filter<'a> {
    assignee: Option<i64>,
    cursor: Option<&'a str>,
    label: Option<i64>,
    limit: Option<u64>,
    q: Option<&'a str>,
    sort: Option<types::ConversationSort>,
    unassigned: Option<bool>,
}

async fn try_list(
    client: &Client,
    f: Filter<'_>,
) -> Result<types::ConversationPageOut, wharf_client::Error<types::ErrorOut>> {
    let cursor: Option<types::ListConversationsCursor> = f.cursor.map(|c| c.parse().unwrap());
    let q: Option<types::ListConversationsQ> = f.q.map(|q| q.parse().unwrap());
    client
        .list_conversations(
            f.assignee,
            cursor.as_ref(),
            f.label,
            f.limit.and_then(NonZeroU64::new),
            None,
            q.as_ref(),
            None,
            f.sort,
            None,
            None,
            f.unassigned,
        )
        .await
        .map(|r| r.into_inner())
}

async fn list(client: &Client, f: Filter<'_>) -> Vec<types::ConversationOut> {
    try_list(client, f).await.unwrap().items
}

/// The customer `from` (named `name`) writes `text` at `ts`; waits until
/// the message is stored and returns (conversation id, message id).
async fn customer_writes(
    stack: &Stack,
    admin: &Client,
    from: &str,
    name: &str,
    wamid: &str,
    text: &str,
    ts: i64,
) -> (i64, i64) {
    let webhook = meta_text(PHONE_NUMBER_ID, from, name, wamid, text, ts);
    assert_eq!(
        stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
        200
    );
    eventually(WAIT, &format!("message {wamid}"), || async {
        let page = try_list(admin, Filter::default()).await.ok()?;
        let conversation = page.items.into_iter().find(|c| c.contact.wa_id == from)?;
        let detail = admin
            .get_conversation(conversation.id)
            .await
            .ok()?
            .into_inner();
        let message = detail
            .messages
            .iter()
            .find(|m| m.provider_message_id.as_deref() == Some(wamid))?;
        Some((conversation.id, message.id))
    })
    .await
}

/// Transfers conversation `id` to `agent` (and `team`), at its current version.
async fn assign(admin: &Client, id: i64, agent: i64, team: Option<i64>) -> types::ConversationOut {
    let version = admin
        .get_conversation(id)
        .await
        .unwrap()
        .into_inner()
        .conversation
        .version;
    admin
        .transfer_conversation(
            id,
            &body(json!({"version": version, "team_id": team, "agent_id": agent})),
        )
        .await
        .unwrap()
        .into_inner()
}

fn at(ts: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0).unwrap()
}

fn ids(items: &[types::ConversationOut]) -> Vec<i64> {
    items.iter().map(|c| c.id).collect()
}

fn find(items: Vec<types::ConversationOut>, id: i64) -> types::ConversationOut {
    items.into_iter().find(|c| c.id == id).unwrap()
}

async fn the_list_shows_last_message_unread_count_waiting_time_and_names(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let now = Utc::now().timestamp();
    let (id, first) = customer_writes(
        &stack,
        &admin,
        "4915100000701",
        "Una",
        "wamid.U1",
        "Hello",
        now - 60,
    )
    .await;
    let (_, second) = customer_writes(
        &stack,
        &admin,
        "4915100000701",
        "Una",
        "wamid.U2",
        "Still there?",
        now - 30,
    )
    .await;
    let (other, _) = customer_writes(
        &stack,
        &admin,
        "4915100000702",
        "Vic",
        "wamid.V1",
        "Hi",
        now,
    )
    .await;
    let moved = assign(&admin, id, ana_id, Some(care.id)).await;
    assert_eq!(
        (moved.assignee_name.as_deref(), moved.team_name.as_deref()),
        (Some("ana"), Some("Care"))
    );

    // Ana's list: both customer messages unread, waiting since the first,
    // the newest message as the preview, names instead of ids.
    let row = find(list(&ana, Filter::default()).await, id);
    assert_eq!(row.unread_count, Some(2));
    assert_eq!(row.waiting_since, Some(at(now - 60)));
    let last = row.last_message.unwrap();
    assert_eq!(
        (
            last.id,
            last.direction.as_str(),
            last.kind.as_str(),
            last.text.as_deref()
        ),
        (second, "inbound", "text", Some("Still there?"))
    );
    assert_eq!(
        (row.assignee_name.as_deref(), row.team_name.as_deref()),
        (Some("ana"), Some("Care"))
    );
    // The admin token is no agent: it has no read marker.
    assert_eq!(
        find(list(&admin, Filter::default()).await, id).unread_count,
        None
    );

    // Reading up to the first message leaves one unread; opening it, none.
    let read = ana
        .mark_conversation_read(id, &body(json!({"message_id": first})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.last_read_message_id, first);
    assert_eq!(
        find(list(&ana, Filter::default()).await, id).unread_count,
        Some(1)
    );
    ana.mark_conversation_read(id, &body(json!({})))
        .await
        .unwrap();
    assert_eq!(
        find(list(&ana, Filter::default()).await, id).unread_count,
        Some(0)
    );
    // The marker never moves back.
    let kept = ana
        .mark_conversation_read(id, &body(json!({"message_id": first})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(kept.last_read_message_id, second);

    // Refusals change nothing: a message of another conversation, a token
    // without an agent.
    let (_, elsewhere) = customer_writes(
        &stack,
        &admin,
        "4915100000702",
        "Vic",
        "wamid.V2",
        "Hi again",
        now,
    )
    .await;
    let detail = refused(
        ana.mark_conversation_read(id, &body(json!({"message_id": elsewhere})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.contains("message_id"), "{detail}");
    refused(
        admin.mark_conversation_read(id, &body(json!({}))).await,
        400,
        "invalid_body",
    );
    refused(
        ana.mark_conversation_read(other, &body(json!({}))).await,
        403,
        "forbidden",
    );
    let (_, third) = customer_writes(
        &stack,
        &admin,
        "4915100000701",
        "Una",
        "wamid.U3",
        "Hello??",
        now,
    )
    .await;
    let row = find(list(&ana, Filter::default()).await, id);
    assert_eq!(row.unread_count, Some(1), "the new message is unread");
    assert_eq!(row.last_message.unwrap().id, third);

    // Ana answers: the reply names her, and nobody waits any more.
    let reply = ana
        .reply_to_conversation(id, &body(json!({"text": "On it"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (reply.agent_id, reply.agent_name.as_deref()),
        (Some(ana_id), Some("ana"))
    );
    let row = find(list(&ana, Filter::default()).await, id);
    assert_eq!(row.waiting_since, None);
    assert_eq!(row.last_message.unwrap().direction, "outbound");
    let detail = admin.get_conversation(id).await.unwrap().into_inner();
    let sent = detail.messages.iter().find(|m| m.id == reply.id).unwrap();
    assert_eq!(sent.agent_name.as_deref(), Some("ana"));
    assert!(
        detail
            .messages
            .iter()
            .filter(|m| m.direction == "inbound")
            .all(|m| m.agent_id.is_none())
    );
    // The customer writes again: waiting since that message.
    customer_writes(
        &stack,
        &admin,
        "4915100000701",
        "Una",
        "wamid.U4",
        "Thanks",
        now + 1,
    )
    .await;
    assert_eq!(
        find(list(&ana, Filter::default()).await, id).waiting_since,
        Some(at(now + 1))
    );

    // A note names its author.
    let note = ana
        .add_conversation_note(id, &body(json!({"body": "VIP customer"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(note.author_name.as_deref(), Some("ana"));
    let notes = admin
        .list_conversation_notes(id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(notes[0].author_name.as_deref(), Some("ana"));
}

on_sqlite_and_postgres!(the_list_shows_last_message_unread_count_waiting_time_and_names);

/// Longest waiting first, from `cursor`.
fn waiting(cursor: Option<&str>, limit: Option<u64>) -> Filter<'_> {
    Filter {
        sort: Some(types::ConversationSort::Waiting),
        cursor,
        limit,
        ..Filter::default()
    }
}

async fn the_list_filters_unassigned_and_sorts_longest_waiting_first_across_pages(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let (ana_id, _) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;
    let now = Utc::now().timestamp();
    let (a, _) = customer_writes(
        &stack,
        &admin,
        "4915100000801",
        "A",
        "wamid.A1",
        "a",
        now - 300,
    )
    .await;
    let (b, _) = customer_writes(
        &stack,
        &admin,
        "4915100000802",
        "B",
        "wamid.B1",
        "b",
        now - 100,
    )
    .await;
    let (c, _) = customer_writes(
        &stack,
        &admin,
        "4915100000803",
        "C",
        "wamid.C1",
        "c",
        now - 200,
    )
    .await;
    let (d, _) = customer_writes(
        &stack,
        &admin,
        "4915100000804",
        "D",
        "wamid.D1",
        "d",
        now - 400,
    )
    .await;
    admin
        .reply_to_conversation(d, &body(json!({"text": "answered"})))
        .await
        .unwrap();

    assert_eq!(ids(&list(&admin, waiting(None, None)).await), [a, c, b, d]);
    assert_eq!(
        ids(&list(&admin, Filter::default()).await),
        [d, c, b, a],
        "newest first by default"
    );
    // Page by page (one each) the order holds, answered ones last.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = try_list(&admin, waiting(cursor.as_deref(), Some(1)))
            .await
            .unwrap();
        seen.extend(ids(&page.items));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, [a, c, b, d]);
    // A cursor of another order is refused.
    let newest = try_list(
        &admin,
        Filter {
            limit: Some(1),
            ..Filter::default()
        },
    )
    .await
    .unwrap()
    .next_cursor
    .unwrap();
    refused(
        try_list(&admin, waiting(Some(&newest), None)).await,
        400,
        "invalid_parameter",
    );

    // Unassigned: everyone but the conversation given to Ana.
    assign(&admin, a, ana_id, None).await;
    let unassigned = list(
        &admin,
        Filter {
            unassigned: Some(true),
            ..Filter::default()
        },
    )
    .await;
    assert_eq!(ids(&unassigned), [d, c, b]);
    let mine = list(
        &admin,
        Filter {
            assignee: Some(ana_id),
            ..Filter::default()
        },
    )
    .await;
    assert_eq!(ids(&mine), [a]);
    refused(
        try_list(
            &admin,
            Filter {
                assignee: Some(ana_id),
                unassigned: Some(true),
                ..Filter::default()
            },
        )
        .await,
        400,
        "invalid_parameter",
    );
}

on_sqlite_and_postgres!(the_list_filters_unassigned_and_sorts_longest_waiting_first_across_pages);

async fn labels_are_managed_applied_filtered_by_and_audited(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let (_, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;
    let now = Utc::now().timestamp();
    let (a, _) = customer_writes(&stack, &admin, "4915100000901", "A", "wamid.LA", "a", now).await;
    let (b, _) = customer_writes(&stack, &admin, "4915100000902", "B", "wamid.LB", "b", now).await;

    let vip = admin
        .create_label(&body(json!({"name": " VIP ", "color": "#FF0000"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((vip.name.as_str(), vip.color.as_str()), ("VIP", "#ff0000"));
    let late = admin
        .create_label(&body(json!({"name": "Late", "color": "#00aa00"})))
        .await
        .unwrap()
        .into_inner();
    // Refusals: a name in use, a bad colour, a blank name, an agent.
    refused(
        admin
            .create_label(&body(json!({"name": "VIP", "color": "#000000"})))
            .await,
        409,
        "conflict",
    );
    refused(
        admin
            .update_label(late.id, &body(json!({"name": "VIP"})))
            .await,
        409,
        "conflict",
    );
    let raw = reqwest::Client::new()
        .post(format!("{url}/api/v1/labels"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Red", "color": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    refused(
        admin
            .create_label(&body(json!({"name": "  ", "color": "#000000"})))
            .await,
        422,
        "invalid_field",
    );
    refused(
        ana.create_label(&body(json!({"name": "Mine", "color": "#000000"})))
            .await,
        403,
        "forbidden",
    );
    let names: Vec<String> = ana
        .list_labels()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, ["Late", "VIP"], "anyone reads them, by name");

    // Applied (twice is once), shown as chips, filtered by.
    let chips = admin
        .label_conversation(b, &body(json!({"label_id": vip.id})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(chips.len(), 1);
    admin
        .label_conversation(b, &body(json!({"label_id": vip.id})))
        .await
        .unwrap();
    admin
        .label_conversation(b, &body(json!({"label_id": late.id})))
        .await
        .unwrap();
    let detail = refused(
        admin
            .label_conversation(a, &body(json!({"label_id": 999_999})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.contains("label_id"), "{detail}");
    let filtered = list(
        &admin,
        Filter {
            label: Some(vip.id),
            ..Filter::default()
        },
    )
    .await;
    assert_eq!(ids(&filtered), [b]);
    let chip_names: Vec<&str> = filtered[0].labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(chip_names, ["Late", "VIP"]);
    assert!(
        find(list(&admin, Filter::default()).await, a)
            .labels
            .is_empty()
    );

    // Removed; removing again is a 404.
    let left = admin
        .unlabel_conversation(b, late.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(left.iter().map(|l| l.id).collect::<Vec<_>>(), [vip.id]);
    refused(
        admin.unlabel_conversation(b, late.id).await,
        404,
        "not_found",
    );
    // Renamed and recoloured; deleting it takes it off every conversation.
    let renamed = admin
        .update_label(vip.id, &body(json!({"name": "Gold", "color": "#ABCDEF"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (renamed.name.as_str(), renamed.color.as_str()),
        ("Gold", "#abcdef")
    );
    admin.delete_label(vip.id).await.unwrap();
    assert!(
        find(list(&admin, Filter::default()).await, b)
            .labels
            .is_empty()
    );
    refused(admin.delete_label(vip.id).await, 404, "not_found");

    // Every change is in the audit trail.
    let actions: Vec<String> = admin
        .list_audit(None, Some(NonZeroU64::new(100).unwrap()), None, None)
        .await
        .unwrap()
        .into_inner()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "label.create",
        "label.update",
        "label.delete",
        "conversation.label",
        "conversation.unlabel",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "conversation.label")
            .count(),
        2,
        "applying a label twice is audited once"
    );
}

on_sqlite_and_postgres!(labels_are_managed_applied_filtered_by_and_audited);

/// Canned responses: supervisors manage them (a shortcut in use, an
/// unknown placeholder or team refused, nothing stored), an agent sees the
/// global ones and its teams' only, and for a conversation each comes with
/// its text filled from the contact and the caller, the unfilled
/// placeholders named; every change is audited.
async fn canned_responses_are_scoped_filled_for_a_conversation_and_audited(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    let sales = admin
        .create_team(&body(json!({"name": "Sales", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    let (_, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let now = Utc::now().timestamp();
    let (conversation, _) = customer_writes(
        &stack,
        &admin,
        "4915100000931",
        "Una Müller",
        "wamid.CANNED1",
        "where is my order?",
        now,
    )
    .await;
    let detail = admin
        .get_conversation(conversation)
        .await
        .unwrap()
        .into_inner()
        .conversation;
    let contact_id = detail.contact.id;
    admin
        .update_contact(contact_id, &body(json!({"attributes": {"order": "5521"}})))
        .await
        .unwrap();
    admin
        .transfer_conversation(
            conversation,
            &body(json!({"team_id": care.id, "version": detail.version})),
        )
        .await
        .unwrap();

    let global = admin
        .create_canned_response(&body(json!({
            "shortcut": " /Order ", "title": "Order status",
            "body": "Hi {{contact.first_name}}, {{agent.name}} here: order {{contact.order}} ships today. {{contact.username}}",
        })))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(global.shortcut, "order");
    assert!(global.team_id.is_none() && global.rendered.is_none());
    let care_only = admin
        .create_canned_response(&body(json!({
            "shortcut": "refund", "title": "Refund", "body": "Refund started.", "team_id": care.id,
        })))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(care_only.team_name.as_deref(), Some("Care"));
    let sales_only = admin
        .create_canned_response(&body(json!({
            "shortcut": "offer", "title": "Offer", "body": "10 % off.", "team_id": sales.id,
        })))
        .await
        .unwrap()
        .into_inner();

    // Refusals change nothing.
    for (request, status, code) in [
        (
            json!({"shortcut": "ORDER", "title": "t", "body": "b"}),
            409,
            "conflict",
        ),
        (
            json!({"shortcut": "two words", "title": "t", "body": "b"}),
            422,
            "invalid_field",
        ),
        (
            json!({"shortcut": "x", "title": "t", "body": "Hi {{contcat.name}}"}),
            422,
            "invalid_field",
        ),
        (
            json!({"shortcut": "y", "title": "t", "body": "Hi {{contact.name"}),
            422,
            "invalid_field",
        ),
        (
            json!({"shortcut": "z", "title": "t", "body": "b", "team_id": 999_999}),
            422,
            "invalid_field",
        ),
    ] {
        refused(
            admin.create_canned_response(&body(request)).await,
            status,
            code,
        );
    }
    refused(
        ana.create_canned_response(&body(
            json!({"shortcut": "mine", "title": "t", "body": "b"}),
        ))
        .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .update_canned_response(care_only.id, &body(json!({"shortcut": "order"})))
            .await,
        409,
        "conflict",
    );
    let all = admin
        .list_canned_responses(None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        all.iter().map(|c| c.shortcut.as_str()).collect::<Vec<_>>(),
        ["offer", "order", "refund"],
        "by shortcut, nothing refused was stored"
    );

    // Ana (Care) sees the global and Care's, filled for the conversation.
    let offered = ana
        .list_canned_responses(Some(conversation), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        offered
            .iter()
            .map(|c| c.shortcut.as_str())
            .collect::<Vec<_>>(),
        ["order", "refund"]
    );
    let order = &offered[0];
    assert_eq!(
        order.rendered.as_deref(),
        Some("Hi Una, ana here: order 5521 ships today. {{contact.username}}")
    );
    assert_eq!(order.missing, ["contact.username"]);
    let narrowed = ana
        .list_canned_responses(None, Some("/ref"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(narrowed.len(), 1);
    assert_eq!(narrowed[0].id, care_only.id);
    assert!(narrowed[0].rendered.is_none());

    // Moved to Sales and back to global: what Ana sees follows.
    admin
        .update_canned_response(care_only.id, &body(json!({"team_id": sales.id})))
        .await
        .unwrap();
    let seen = ana
        .list_canned_responses(None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(seen.len(), 1);
    let global_again = admin
        .update_canned_response(
            sales_only.id,
            &body(json!({"global": true, "title": "Offer!"})),
        )
        .await
        .unwrap()
        .into_inner();
    assert!(global_again.team_id.is_none());
    refused(
        admin
            .update_canned_response(
                sales_only.id,
                &body(json!({"global": true, "team_id": care.id})),
            )
            .await,
        422,
        "invalid_field",
    );
    assert_eq!(global_again.title, "Offer!");
    assert_eq!(
        ana.list_canned_responses(None, None)
            .await
            .unwrap()
            .into_inner()
            .len(),
        2
    );

    admin.delete_canned_response(global.id).await.unwrap();
    refused(
        admin.delete_canned_response(global.id).await,
        404,
        "not_found",
    );
    refused(
        ana.delete_canned_response(care_only.id).await,
        403,
        "forbidden",
    );
    let actions: Vec<String> = admin
        .list_audit(
            None,
            Some(NonZeroU64::new(100).unwrap()),
            None,
            Some("canned_response"),
        )
        .await
        .unwrap()
        .into_inner()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "canned_response.create")
            .count(),
        3
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "canned_response.update")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "canned_response.delete")
            .count(),
        1
    );
}

on_sqlite_and_postgres!(canned_responses_are_scoped_filled_for_a_conversation_and_audited);

/// What agents do to a conversation is in the audit trail, each entry with
/// who did it and where the conversation stood before and after (a reply:
/// which message, never its text); sign-in and sign-out too. A refused
/// change (a stale version) records nothing.
async fn claims_transfers_resolves_reopens_replies_and_sign_ins_are_audited(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let now = Utc::now().timestamp();
    let (id, _) = customer_writes(
        &stack,
        &admin,
        "4915100000951",
        "Ida",
        "wamid.AUD1",
        "help please",
        now,
    )
    .await;
    let version = |c: types::ConversationOut| c.version;
    let v0 = admin
        .get_conversation(id)
        .await
        .unwrap()
        .into_inner()
        .conversation
        .version;
    let v1 = version(
        admin
            .transfer_conversation(id, &body(json!({"team_id": care.id, "version": v0})))
            .await
            .unwrap()
            .into_inner(),
    );
    refused(
        ana.claim_conversation(id, &body(json!({"version": v0})))
            .await,
        409,
        "conflict",
    );
    let v2 = version(
        ana.claim_conversation(id, &body(json!({"version": v1})))
            .await
            .unwrap()
            .into_inner(),
    );
    let reply = ana
        .reply_to_conversation(id, &body(json!({"text": "secret order details 5521"})))
        .await
        .unwrap()
        .into_inner();
    let v3 = version(
        ana.resolve_conversation(id, &body(json!({"version": v2})))
            .await
            .unwrap()
            .into_inner(),
    );
    admin
        .reopen_conversation(id, &body(json!({"version": v3})))
        .await
        .unwrap();
    ana.logout().await.unwrap();

    let entries = admin
        .list_audit(None, Some(NonZeroU64::new(100).unwrap()), None, None)
        .await
        .unwrap()
        .into_inner()
        .items;
    let on_conversation: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.target_type == "conversation" && e.target_id.as_deref() == Some(&id.to_string())
        })
        .collect();
    let actions: Vec<&str> = on_conversation.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "conversation.transfer",
        "conversation.claim",
        "conversation.reply",
        "conversation.resolve",
        "conversation.reopen",
    ] {
        assert_eq!(
            actions.iter().filter(|a| **a == action).count(),
            1,
            "{action} once in {actions:?} (the refused claim records nothing)"
        );
    }
    let entry = |action: &str| on_conversation.iter().find(|e| e.action == action).unwrap();
    let claim = entry("conversation.claim");
    assert_eq!(claim.actor, format!("agent:{ana_id}"));
    assert_eq!(
        claim.detail["before"]["status"], "queued",
        "{:?}",
        claim.detail
    );
    assert_eq!(claim.detail["after"]["status"], "assigned");
    assert_eq!(claim.detail["after"]["assignee_id"], ana_id);
    assert_eq!(claim.detail["after"]["version"], v2);
    let transfer = entry("conversation.transfer");
    assert_eq!(transfer.detail["after"]["team_id"], care.id);
    assert_eq!(
        entry("conversation.resolve").detail["after"]["status"],
        "resolved"
    );
    let replied = entry("conversation.reply");
    assert_eq!(replied.detail["message_id"], reply.id);
    assert!(
        !serde_json::to_string(&replied.detail)
            .unwrap()
            .contains("5521"),
        "the audit trail never holds a reply's text"
    );
    let signs: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.action.starts_with("auth.log"))
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    let ana_actor = format!("agent:{ana_id}");
    assert!(
        signs.contains(&("auth.login", ana_actor.as_str())),
        "{signs:?}"
    );
    assert!(
        signs.contains(&("auth.logout", ana_actor.as_str())),
        "{signs:?}"
    );
}

on_sqlite_and_postgres!(claims_transfers_resolves_reopens_replies_and_sign_ins_are_audited);

async fn search_finds_words_in_any_order_ignoring_punctuation_ranked_with_the_message(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let now = Utc::now().timestamp();
    let (late, late_message) = customer_writes(
        &stack,
        &admin,
        "4915100001001",
        "Rita",
        "wamid.S1",
        "Hi, where is my order #5521? It is late.",
        now,
    )
    .await;
    let (many, many_message) = customer_writes(
        &stack,
        &admin,
        "4915100001002",
        "Sam",
        "wamid.S2",
        "order order order",
        now,
    )
    .await;
    let (other, _) = customer_writes(
        &stack,
        &admin,
        "4915100001003",
        "Tom",
        "wamid.S3",
        "I would like to know when the order that I placed last week with a long story arrives",
        now,
    )
    .await;
    let search = |q| Filter {
        q: Some(q),
        ..Filter::default()
    };

    for q in [
        "order 5521",
        "late order",
        "5521 ORDER",
        "#5521, late!",
        "ord 55",
    ] {
        let found = list(&admin, search(q)).await;
        assert_eq!(ids(&found), [late], "{q}");
        let matched = found[0].matched_message.as_ref().unwrap();
        assert_eq!(matched.id, late_message, "{q}");
        assert_eq!(
            matched.text.as_deref(),
            Some("Hi, where is my order #5521? It is late.")
        );
    }
    // Ranked: the message most about "order" first.
    let ranked = list(&admin, search("order")).await;
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[0].id, many);
    assert_eq!(ranked[0].matched_message.as_ref().unwrap().id, many_message);
    assert!(ids(&ranked).contains(&other));
    // Paged by rank.
    let first = try_list(
        &admin,
        Filter {
            q: Some("order"),
            limit: Some(2),
            ..Filter::default()
        },
    )
    .await
    .unwrap();
    let rest = try_list(
        &admin,
        Filter {
            q: Some("order"),
            cursor: first.next_cursor.as_deref(),
            ..Filter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        [ids(&first.items), ids(&rest.items)].concat(),
        ids(&ranked),
        "two pages, the same order"
    );
    assert_eq!(rest.next_cursor, None);

    // Contacts: by name and by phone (prefix); no message named.
    let by_name = list(&admin, search("rita")).await;
    assert_eq!(ids(&by_name), [late]);
    assert!(by_name[0].matched_message.is_none());
    assert_eq!(ids(&list(&admin, search("49151000010")).await).len(), 3);
    // Nothing matches; a query of punctuation only finds nothing.
    assert!(list(&admin, search("refund")).await.is_empty());
    assert!(list(&admin, search("?!")).await.is_empty());
    // Search combines with the other filters.
    let (ana_id, _) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;
    assign(&admin, many, ana_id, None).await;
    let theirs = list(
        &admin,
        Filter {
            q: Some("order"),
            assignee: Some(ana_id),
            ..Filter::default()
        },
    )
    .await;
    assert_eq!(ids(&theirs), [many]);
}

on_sqlite_and_postgres!(
    search_finds_words_in_any_order_ignoring_punctuation_ranked_with_the_message
);

/// Stores `conversations` contacts with one conversation each and
/// `messages` messages spread over them (every 20th answered), straight
/// into the database in multi-row inserts; the triggers keep the search
/// indexes and waiting times as the router's inserts do.
async fn seed(
    db: &sea_orm::DatabaseConnection,
    number_id: i64,
    conversations: usize,
    messages: usize,
) {
    use entities::{contact, conversation, message};
    use sea_orm::{ConnectionTrait, EntityTrait, Set};
    const WORDS: &[&str] = &[
        "hello", "order", "late", "refund", "delivery", "where", "is", "my", "package", "thanks",
        "please", "help", "card", "payment", "address", "change", "cancel", "when", "arrives",
        "today", "tomorrow", "store", "size", "colour", "return", "invoice", "price", "discount",
        "account", "login",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let start = Utc::now() - chrono::Duration::days(30);
    let mut conversation_ids = Vec::with_capacity(conversations);
    for chunk in (0..conversations).collect::<Vec<_>>().chunks(1000) {
        let contacts = chunk.iter().map(|i| contact::ActiveModel {
            wa_id: Set(format!("4917{i:09}")),
            phone: Set(Some(format!("4917{i:09}"))),
            profile_name: Set(Some(format!("Customer {i}"))),
            tier: Set("standard".into()),
            attributes: Set(json!({})),
            created_at: Set(start),
            updated_at: Set(start),
            ..Default::default()
        });
        let contacts = contact::Entity::insert_many(contacts)
            .exec_with_returning(db)
            .await
            .unwrap();
        let rows = contacts.iter().map(|c| conversation::ActiveModel {
            business_number_id: Set(number_id),
            contact_id: Set(c.id),
            status: Set("queued".into()),
            priority: Set(0),
            version: Set(1),
            last_message_at: Set(start),
            last_inbound_at: Set(Some(start)),
            created_at: Set(start),
            updated_at: Set(start),
            ..Default::default()
        });
        conversation_ids.extend(
            conversation::Entity::insert_many(rows)
                .exec_with_returning(db)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id),
        );
    }
    for chunk in (0..messages).collect::<Vec<_>>().chunks(1000) {
        let rows = chunk.iter().map(|i| {
            let words = 6 + (next() % 10) as usize;
            let mut text: Vec<String> = (0..words)
                .map(|_| WORDS[(next() % WORDS.len() as u64) as usize].to_owned())
                .collect();
            text.push(format!("#{}", next() % 100_000));
            let outbound = i % 20 == 19;
            message::ActiveModel {
                conversation_id: Set(conversation_ids[i % conversation_ids.len()]),
                direction: Set(if outbound { "outbound" } else { "inbound" }.into()),
                provider: Set("meta".into()),
                provider_message_id: Set(Some(format!("wamid.seed{i}"))),
                kind: Set("text".into()),
                body: Set(Some(text.join(" "))),
                payload: Set(json!({})),
                status: Set(if outbound { "sent" } else { "received" }.into()),
                provider_timestamp: Set(start + chrono::Duration::seconds(*i as i64)),
                created_at: Set(start),
                updated_at: Set(start),
                ..Default::default()
            }
        });
        message::Entity::insert_many(rows).exec(db).await.unwrap();
    }
    // As autovacuum does after a bulk load: the planner's statistics, the
    // GIN indexes' pending entries merged.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
    }
}

/// The 95th percentile of `runs` timings of `request` (after 3 to warm
/// up), in milliseconds.
async fn p95_ms<F, Fut>(runs: usize, mut request: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..3 {
        request().await;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = std::time::Instant::now();
        request().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[(runs * 95).div_ceil(100) - 1]
}

/// With many conversations and messages (10,000 and 200,000 with
/// `WHARF_INBOX_SCALE=full`; a tenth by default), the list's first page
/// (newest and longest waiting, with unread counts, previews and labels)
/// and a text search answer within 200 ms at the 95th percentile.
async fn the_first_page_and_a_search_stay_fast_with_many_conversations(db: TestDb) {
    let full = std::env::var("WHARF_INBOX_SCALE").as_deref() == Ok("full");
    let (conversations, messages) = if full {
        (10_000, 200_000)
    } else {
        (1_000, 20_000)
    };
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    customer_writes(
        &stack,
        &admin,
        "4915100001101",
        "Ona",
        "wamid.P1",
        "Hi, where is my order #5521? It is late.",
        Utc::now().timestamp(),
    )
    .await;
    let number_id = {
        use sea_orm::EntityTrait;
        entities::business_number::Entity::find()
            .one(&stack.database)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let seeding = std::time::Instant::now();
    seed(&stack.database, number_id, conversations, messages).await;
    let seeded = seeding.elapsed();
    // A supervisor sees everything and has read markers: the heaviest list.
    let (_, sue) = signed_in(&admin, url, "sue@example.com", "supervisor", &[]).await;
    let page = list(
        &sue,
        Filter {
            limit: Some(50),
            ..Filter::default()
        },
    )
    .await;
    assert_eq!(page.len(), 50);
    assert!(
        page.iter()
            .all(|c| c.unread_count.is_some() && c.last_message.is_some())
    );
    let found = list(
        &sue,
        Filter {
            q: Some("order 5521"),
            ..Filter::default()
        },
    )
    .await;
    assert!(found.iter().any(|c| c.contact.wa_id == "4915100001101"));

    let runs = 20;
    let newest = p95_ms(runs, || async {
        list(
            &sue,
            Filter {
                limit: Some(50),
                ..Filter::default()
            },
        )
        .await;
    })
    .await;
    let waiting = p95_ms(runs, || async {
        list(&sue, waiting(None, Some(50))).await;
    })
    .await;
    let common = p95_ms(runs, || async {
        list(
            &sue,
            Filter {
                q: Some("late order"),
                limit: Some(50),
                ..Filter::default()
            },
        )
        .await;
    })
    .await;
    let rare = p95_ms(runs, || async {
        list(
            &sue,
            Filter {
                q: Some("order 5521"),
                limit: Some(50),
                ..Filter::default()
            },
        )
        .await;
    })
    .await;
    println!(
        "inbox at {conversations} conversations / {messages} messages ({}): seeded in {:.1} s; \
         p95 of {runs}: first page newest {newest:.0} ms, longest waiting {waiting:.0} ms, \
         search 'late order' {common:.0} ms, 'order 5521' {rare:.0} ms",
        match sea_orm::ConnectionTrait::get_database_backend(&stack.database) {
            sea_orm::DatabaseBackend::Postgres => "PostgreSQL",
            _ => "SQLite",
        },
        seeded.as_secs_f64()
    );
    for (what, ms) in [
        ("newest", newest),
        ("waiting", waiting),
        ("common search", common),
        ("rare search", rare),
    ] {
        assert!(ms < 200.0, "{what}: p95 {ms:.0} ms");
    }
}

on_sqlite_and_postgres!(the_first_page_and_a_search_stay_fast_with_many_conversations);
