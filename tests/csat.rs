//! Customer satisfaction (issue 24 part 4) end to end on real NATS, a real
//! database and the sandbox (a real local HTTP server speaking Meta's and
//! WasenderApi's send APIs, recording every request): a number set to ask
//! (through the generated client, bad settings refused), a resolution →
//! exactly one question through the sender (Meta: an interactive list
//! message of Meta's documented shape; WasenderApi: text), the customer's
//! picked choice (a signed Meta webhook written from Meta's docs) stored
//! on the conversation without reopening it, redelivered copies counted
//! once, a real message reopening and cancelling the question, an answer
//! after the window reopening, and the support report, its CSV and the
//! Prometheus figure showing the exact counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::time::Duration;

use chrono::Utc;
use client_support::*;
use entities::{conversation, message};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::*;
use wharf_client::{Client, types};

const WAIT: Duration = Duration::from_secs(40);

async fn number_id(admin: &Client, provider: &str) -> i64 {
    admin
        .list_numbers()
        .await
        .unwrap()
        .into_inner()
        .into_iter()
        .find(|n| n.provider == provider)
        .unwrap()
        .id
}

async fn stored(stack: &Stack, wamid: &str) -> message::Model {
    eventually(WAIT, &format!("message {wamid} stored"), || async {
        message::Entity::find()
            .filter(message::Column::ProviderMessageId.eq(wamid))
            .one(&stack.database)
            .await
            .ok()
            .flatten()
    })
    .await
}

async fn row(stack: &Stack, id: i64) -> conversation::Model {
    conversation::Entity::find_by_id(id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap()
}

/// A customer's text at `ts` through the edge of region eu; its conversation.
async fn writes(stack: &Stack, from: &str, wamid: &str, text: &str, ts: i64) -> i64 {
    let webhook = meta_text(PHONE_NUMBER_ID, from, "Client", wamid, text, ts);
    assert_eq!(
        stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
        200
    );
    stored(stack, wamid).await.conversation_id
}

/// The customer picks a row of the list: Meta's `messages` webhook for an
/// interactive list reply, as documented in "Interactive list messages"
/// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-list-messages,
/// "Webhook syntax": `type: interactive`, `interactive.type: list_reply`,
/// `list_reply` with the row's `id`, `title` and `description`, and
/// `context` naming the list message answered).
fn list_reply(from: &str, wamid: &str, question: &str, id: &str, title: &str, ts: i64) -> Vec<u8> {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550100", "phone_number_id": PHONE_NUMBER_ID},
                    "contacts": [{"profile": {"name": "Client"}, "wa_id": from}],
                    "messages": [{
                        "context": {"from": "15550100", "id": question},
                        "from": from,
                        "id": wamid,
                        "timestamp": ts.to_string(),
                        "type": "interactive",
                        "interactive": {
                            "type": "list_reply",
                            "list_reply": {"id": id, "title": title, "description": ""}
                        }
                    }]
                }
            }]
        }]
    })
    .to_string()
    .into_bytes()
}

/// The sandbox's recorded sends to `to`.
async fn sends_to(stack: &Stack, to: &str) -> Vec<Value> {
    let sent = stack.sandbox_get("/sandbox/messages").await;
    sent.as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["to"]
                .as_str()
                .is_some_and(|t| t.trim_start_matches('+') == to)
        })
        .cloned()
        .collect()
}

async fn conversation_out(admin: &Client, id: i64) -> types::ConversationOut {
    admin
        .get_conversation(id)
        .await
        .unwrap()
        .into_inner()
        .conversation
}

/// The admin hands conversation `id` to `agent` (its assignee, whom the
/// measures name), then resolves it.
async fn assign_and_resolve(stack: &Stack, admin: &Client, agent: i64, id: i64) {
    let version = row(stack, id).await.version;
    admin
        .transfer_conversation(id, &body(json!({"version": version, "agent_id": agent})))
        .await
        .unwrap();
    let version = row(stack, id).await.version;
    admin
        .resolve_conversation(id, &body(json!({"version": version})))
        .await
        .unwrap();
}

/// Waits until the conversation's question was sent; its one send.
async fn asked(stack: &Stack, admin: &Client, id: i64, to: &str) -> Value {
    let csat = eventually(WAIT, "the question asked", || async {
        let csat = conversation_out(admin, id).await.csat?;
        (csat.state == "asked" && csat.message_id.is_some()).then_some(csat)
    })
    .await;
    let callback = csat.message_id.unwrap().to_string();
    let sent = eventually(WAIT, "the question at the provider", || async {
        let sends = sends_to(stack, to).await;
        // Meta's request carries our id; WasenderApi's is text only.
        sends.into_iter().find(|m| {
            m["request"]["biz_opaque_callback_data"] == callback.as_str()
                || m["request"]["text"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("Reply with a number from 1 to 5"))
        })
    })
    .await;
    let expires = csat.expires_at.unwrap() - csat.asked_at.unwrap();
    assert_eq!(expires.num_seconds(), 3600);
    sent
}

async fn a_resolution_asks_once_and_the_answer_is_stored_without_reopening(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let meta = number_id(&admin, "meta").await;
    let started = Utc::now() - chrono::Duration::hours(1);

    // Off by default; bad settings are refused naming the field, and
    // change nothing.
    let before = admin.get_number(meta).await.unwrap().into_inner();
    assert!(!before.csat.enabled);
    assert_eq!(before.csat.window_secs, 86_400);
    for bad in [
        json!({"enabled": true, "window_secs": 59}),
        json!({"enabled": true, "window_secs": 604_801}),
        json!({"enabled": true, "question": "   "}),
        json!({"enabled": true, "question": ""}),
    ] {
        let refused = stack
            .http
            .put(format!("{url}/api/v1/numbers/{meta}/csat"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "{bad}");
        let text = refused.text().await.unwrap();
        assert!(
            text.contains("window_secs") || text.contains("question"),
            "{text}"
        );
    }
    assert!(
        !admin
            .get_number(meta)
            .await
            .unwrap()
            .into_inner()
            .csat
            .enabled
    );
    let set = admin
        .set_number_csat(
            meta,
            &body(json!({"enabled": true, "question": "How did we do?", "window_secs": 3600})),
        )
        .await
        .unwrap()
        .into_inner();
    assert!(set.csat.enabled && set.csat.custom_question);
    assert_eq!(set.csat.question, "How did we do?");
    let audit = stack
        .admin_get("/api/v1/audit?target_type=business_number")
        .await
        .1;
    assert!(audit.to_string().contains("number.csat"), "{audit}");

    let (ana_id, _ana) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;
    let now = Utc::now().timestamp();

    // A: resolved → one interactive list question, as Meta documents it.
    let (a_phone, b_phone, c_phone, d_phone) = (
        "4915100000801",
        "4915100000802",
        "4915100000803",
        "4915100000804",
    );
    let a = writes(&stack, a_phone, "wamid.CA1", "my order is late", now - 30).await;
    assign_and_resolve(&stack, &admin, ana_id, a).await;
    let question = asked(&stack, &admin, a, a_phone).await;
    // "Interactive list messages", request syntax:
    // https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-list-messages
    let request = &question["request"];
    assert_eq!(request["messaging_product"], "whatsapp");
    assert_eq!(request["recipient_type"], "individual");
    assert_eq!(request["to"], a_phone);
    assert_eq!(request["type"], "interactive");
    let interactive = &request["interactive"];
    assert_eq!(interactive["type"], "list");
    assert_eq!(interactive["body"]["text"], "How did we do?");
    assert_eq!(
        interactive["footer"]["text"],
        "Reply with a number from 1 to 5"
    );
    assert_eq!(interactive["action"]["button"], "Rate");
    let rows = interactive["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["csat-5", "csat-4", "csat-3", "csat-2", "csat-1"]);
    assert_eq!(rows[1]["title"], "4 - Good");
    let question_wamid = question["id"].as_str().unwrap().to_owned();

    // A picks "4 - Good": stored, still resolved; the same webhook again
    // and through the other region counts once.
    let answer = list_reply(
        a_phone,
        "wamid.CA2",
        &question_wamid,
        "csat-4",
        "4 - Good",
        now,
    );
    for region in ["eu", "eu", "us"] {
        assert_eq!(
            stack.post_meta(region, &answer, APP_SECRET).await.status(),
            200
        );
    }
    assert_eq!(stored(&stack, "wamid.CA2").await.conversation_id, a);
    let csat = eventually(WAIT, "A's answer", || async {
        conversation_out(&admin, a)
            .await
            .csat
            .filter(|c| c.state == "answered")
    })
    .await;
    assert_eq!(csat.score, Some(4));
    assert_eq!(csat.answered_at.unwrap().timestamp(), now);
    let a_row = row(&stack, a).await;
    assert_eq!(a_row.status, "resolved");
    assert_eq!(a_row.reopen_count, 0);
    assert_eq!(a_row.response_due_since, None, "an answer waits for nobody");
    assert_eq!(a_row.waiting_since, None);

    // B: resolved and asked; a real message reopens and cancels.
    let b = writes(&stack, b_phone, "wamid.CB1", "hello", now - 20).await;
    assign_and_resolve(&stack, &admin, ana_id, b).await;
    asked(&stack, &admin, b, b_phone).await;
    assert_eq!(
        writes(&stack, b_phone, "wamid.CB2", "one more thing", now).await,
        b
    );
    eventually(WAIT, "B reopened", || async {
        (row(&stack, b).await.status == "queued").then_some(())
    })
    .await;
    let b_csat = conversation_out(&admin, b).await.csat.unwrap();
    assert_eq!((b_csat.state.as_str(), b_csat.score), ("cancelled", None));

    // C: asked, its window passes (the question's end moved into the
    // past, as an hour passing would): "5" is a message, it reopens.
    let c = writes(&stack, c_phone, "wamid.CC1", "hi", now - 10).await;
    assign_and_resolve(&stack, &admin, ana_id, c).await;
    asked(&stack, &admin, c, c_phone).await;
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::CsatExpiresAt,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(conversation::Column::Id.eq(c))
        .exec(&stack.database)
        .await
        .unwrap();
    assert_eq!(
        writes(&stack, c_phone, "wamid.CC2", "5", Utc::now().timestamp()).await,
        c
    );
    eventually(WAIT, "C reopened", || async {
        (row(&stack, c).await.status == "queued").then_some(())
    })
    .await;
    assert_eq!(row(&stack, c).await.csat_score, None);

    // D: answers by typing "2" (what WasenderApi customers do, too).
    let d = writes(&stack, d_phone, "wamid.CD1", "hey", now - 5).await;
    assign_and_resolve(&stack, &admin, ana_id, d).await;
    asked(&stack, &admin, d, d_phone).await;
    assert_eq!(writes(&stack, d_phone, "wamid.CD2", " 2 ", now).await, d);
    let d_row = eventually(WAIT, "D's answer", || async {
        let r = row(&stack, d).await;
        (r.csat_state.as_deref() == Some("answered")).then_some(r)
    })
    .await;
    assert_eq!(
        (d_row.status.as_str(), d_row.csat_score),
        ("resolved", Some(2))
    );

    // One question per resolution, nothing more went out.
    for phone in [a_phone, b_phone, c_phone, d_phone] {
        let questions = sends_to(&stack, phone)
            .await
            .into_iter()
            .filter(|m| m["request"]["type"] == "interactive")
            .count();
        assert_eq!(questions, 1, "{phone}");
    }

    // The report: asked 4 (A, B, C, D), answered 2 (4 and 2): average 3,
    // satisfied (4 or 5) 1 of 2.
    let to = Utc::now() + chrono::Duration::hours(1);
    let report = admin
        .get_support_report(None, &started, Some(types::ReportGroupBy::Agent), &to)
        .await
        .unwrap()
        .into_inner();
    let total = &report.total;
    assert_eq!(
        (
            total.csat_asked,
            total.csat_answered,
            total.csat_average,
            total.csat_satisfied,
            total.csat_satisfied_share
        ),
        (4, 2, Some(3.0), 1, Some(0.5))
    );
    let ana_group = report
        .groups
        .iter()
        .find(|g| g.key == Some(ana_id.to_string()))
        .unwrap();
    assert_eq!((ana_group.csat_asked, ana_group.csat_answered), (4, 2));
    let csv = report_csv(&admin, &started, &to, types::ReportGroupBy::Agent).await;
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let first = header.iter().position(|h| *h == "csat_asked").unwrap();
    assert_eq!(
        header[first..first + 5],
        [
            "csat_asked",
            "csat_answered",
            "csat_average",
            "csat_satisfied",
            "csat_satisfied_share"
        ]
    );
    assert!(csv.lines().any(|l| l.contains(",4,2,3,1,0.5,")), "{csv}");

    // Prometheus: the answers by score.
    eventually(WAIT, "the CSAT series", || async {
        let text = stack.metrics_text().await;
        let of = |score: &str| {
            text.lines().any(|l| {
                l.starts_with("wharf_support_csat_answers_total{")
                    && l.contains(&format!("score=\"{score}\""))
                    && l.ends_with(" 1")
            })
        };
        (of("4") && of("2")).then_some(())
    })
    .await;
}

on_sqlite_and_postgres!(a_resolution_asks_once_and_the_answer_is_stored_without_reopening);

/// WasenderApi has no interactive messages: the question goes out as text
/// through `POST /api/send-message`, the customer answers with a digit.
async fn a_wasender_customer_answers_a_text_question_with_a_digit(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let number = number_id(&admin, "wasender").await;
    admin
        .set_number_csat(number, &body(json!({"enabled": true, "window_secs": 3600})))
        .await
        .unwrap();
    let phone = "4915100000877";
    let now = Utc::now().timestamp();
    let inbound = |id: &str, text: &str| {
        json!({
            "event": "messages.received",
            "timestamp": now * 1000,
            "data": {"messages": {
                "key": {"id": id, "fromMe": false, "remoteJid": format!("{phone}@s.whatsapp.net")},
                "pushName": "Wes",
                "messageTimestamp": now,
                "message": {"conversation": text},
            }},
        })
        .to_string()
    };
    let post = |body: String| {
        let stack = &stack;
        async move {
            let response = stack
                .http
                .post(format!("{}/webhooks/wasender", stack.edge_url("eu")))
                .header("content-type", "application/json")
                .header("x-webhook-signature", WASENDER_SECRET)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        }
    };
    post(inbound("WS-CSAT-1", "hello")).await;
    let id = stored(&stack, "WS-CSAT-1").await.conversation_id;
    let version = row(&stack, id).await.version;
    admin
        .resolve_conversation(id, &body(json!({"version": version})))
        .await
        .unwrap();
    let sent = asked(&stack, &admin, id, phone).await;
    assert_eq!(sent["phone_number_id"], WASENDER_SESSION);
    let text = sent["request"]["text"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "{}\n\n5 - Excellent\n4 - Good\n3 - Okay\n2 - Poor\n1 - Very poor\n\nReply with a number from 1 to 5",
            relay::csat::DEFAULT_QUESTION
        )
    );
    post(inbound("WS-CSAT-2", "5")).await;
    stored(&stack, "WS-CSAT-2").await;
    let csat = eventually(WAIT, "the answer", || async {
        conversation_out(&admin, id)
            .await
            .csat
            .filter(|c| c.state == "answered")
    })
    .await;
    assert_eq!(csat.score, Some(5));
    assert_eq!(row(&stack, id).await.status, "resolved");
}

on_sqlite_and_postgres!(a_wasender_customer_answers_a_text_question_with_a_digit);
