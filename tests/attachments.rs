//! Agents' attachments end to end (issue 21, part 4) on real processes: a
//! file posted to `POST /api/v1/conversations/{id}/attachments` (through the
//! generated client's raw body, or as a browser's multipart form) is stored
//! in the media bucket, served back byte for byte, and delivered by the
//! sender through the provider's upload: Meta's `/{phone-number-id}/media`
//! then a send naming the media id; WasenderApi's `/api/upload` then a send
//! by the URL it answered. Once each, even when the sender is killed with
//! the upload under way. Refused files (empty, a type or size the provider
//! does not take, a closed window, a conversation the agent may not see)
//! change nothing: no message, no object in the bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "support/client.rs"]
mod client;
#[path = "support/procs.rs"]
mod procs;
mod support;

use std::time::Duration;

use futures::StreamExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use sha2::Digest;
use support::{
    ADMIN_TOKEN, Stack, StackOptions, TestDb, WASENDER_SECRET, eventually, file_bytes, stages,
};
use wharf::config::Config;

/// The Meta number's access token: the sandbox refuses uploads without it.
const TOKEN: &str = "EAAtest-attachment-token";

fn with_token(config: &mut Config) {
    config.numbers[0].access_token = relay::secret::Secret::new(TOKEN);
    config.numbers[1].access_token = relay::secret::Secret::new("wasender-key-1");
    config.sender.backoff_base_ms = 50;
    config.sender.backoff_max_ms = 200;
}

/// As [`with_token`], documents limited to 300 kB.
fn small_documents(config: &mut Config) {
    with_token(config);
    config.media.limits.document_max_bytes = 300_000;
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn admin(stack: &Stack) -> wharf_client::Client {
    client::client_with(&stack.admin_url, ADMIN_TOKEN)
}

/// The sandbox's uploads: `{started, uploads: [...]}`.
async fn uploads(stack: &Stack) -> Value {
    stack.sandbox_get("/sandbox/uploads").await
}

/// The sends the sandbox accepted for our message `id` (Meta's
/// `biz_opaque_callback_data`).
async fn meta_sends(stack: &Stack, id: i64) -> Vec<Value> {
    let sent = stack.sandbox_get("/sandbox/messages").await;
    sent.as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["request"]["biz_opaque_callback_data"]
                .as_str()
                .and_then(|s| s.parse::<i64>().ok())
                == Some(id)
        })
        .cloned()
        .collect()
}

async fn wait_status(stack: &Stack, id: i64, status: &str) -> Value {
    wait_status_for(stack, id, status, Duration::from_secs(40)).await
}

/// Waits until message `id` reached `status` or a later one: the
/// sandbox's delivered and read statuses can follow `sent` within one poll.
async fn wait_status_for(stack: &Stack, id: i64, status: &str, wait: Duration) -> Value {
    eventually(wait, status, || async {
        let (_, lifecycle) = stack
            .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
            .await;
        let now = lifecycle["message"]["status"].as_str().unwrap_or_default();
        reached(now, status).then_some(lifecycle)
    })
    .await
}

/// Whether an outbound message in status `now` got at least as far as
/// `wanted` (queued → sent → delivered → read).
fn reached(now: &str, wanted: &str) -> bool {
    const ORDER: [&str; 4] = ["queued", "sent", "delivered", "read"];
    let rank = |s: &str| ORDER.iter().position(|o| *o == s);
    matches!((rank(now), rank(wanted)), (Some(n), Some(w)) if n >= w) || now == wanted
}

/// The bytes the admin API serves for message `id`.
async fn served(stack: &Stack, id: i64) -> (String, Vec<u8>) {
    let response = stack
        .http
        .get(format!("{}/api/v1/messages/{id}/media", stack.admin_url))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mime = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (mime, response.bytes().await.unwrap().to_vec())
}

/// Objects in the media bucket.
async fn bucket_objects(stack: &Stack) -> usize {
    let js = stack.nats.hub_js().await;
    let store = js
        .get_object_store(relay::topology::MEDIA_BUCKET)
        .await
        .unwrap();
    let mut list = store.list().await.unwrap();
    let mut n = 0;
    while let Some(object) = list.next().await {
        object.unwrap();
        n += 1;
    }
    n
}

async fn messages_in(stack: &Stack, conversation: i64) -> u64 {
    entities::message::Entity::find()
        .filter(entities::message::Column::ConversationId.eq(conversation))
        .count(&stack.database)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agents_pdf_and_photo_reach_meta_by_upload_once_and_are_served_back() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: with_token,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000301", "wamid.ATT1").await;
    let pdf = file_bytes(b"%PDF-1.7\n", 180_000, 1);

    // The generated client sends the raw file, naming it in the query.
    let queued = admin(&stack)
        .send_attachment(
            conversation,
            Some("Your invoice"),
            Some("C:\\Users\\agent\\invoice-0425.pdf"),
            Some("application/pdf"),
            pdf.clone(),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queued.kind, "document");
    assert_eq!(queued.status, "queued");
    let id = queued.id;

    let lifecycle = wait_status(&stack, id, "sent").await;
    let seen = stages(&lifecycle);
    for stage in [
        "queued",
        "media_uploading",
        "media_uploaded",
        "sending",
        "sent",
    ] {
        assert!(
            seen.contains(&stage.to_owned()),
            "{stage} missing: {seen:?}"
        );
    }
    let all = uploads(&stack).await;
    let list = all["uploads"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{all}");
    let upload = &list[0];
    assert_eq!(upload["api"], "meta");
    assert_eq!(upload["mime_type"], "application/pdf");
    assert_eq!(upload["filename"], "invoice-0425.pdf");
    assert_eq!(upload["sha256"], hex_sha256(&pdf));
    let sends = meta_sends(&stack, id).await;
    assert_eq!(sends.len(), 1, "{sends:?}");
    let request = &sends[0]["request"];
    assert_eq!(request["type"], "document");
    assert_eq!(
        request["document"],
        json!({"id": upload["id"], "caption": "Your invoice", "filename": "invoice-0425.pdf"})
    );

    // Served back as stored, a document to download.
    let (mime, bytes) = served(&stack, id).await;
    assert_eq!(mime, "application/pdf");
    assert!(bytes == pdf, "the served bytes differ");
    let row = entities::message::Entity::find_by_id(id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.media_filename.as_deref(), Some("invoice-0425.pdf"));
    assert_eq!(row.body.as_deref(), Some("Your invoice"));

    // A browser's multipart form: a PNG goes out as an image.
    // A real PNG header (800 × 600), so the row gets its size hint.
    let mut header = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    header.extend_from_slice(&800u32.to_be_bytes());
    header.extend_from_slice(&600u32.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    let png = file_bytes(&header, 40_000, 2);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(png.clone())
                .file_name("broken-part.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("caption", "Is it this part?");
    let response = stack
        .http
        .post(format!(
            "{}/api/v1/conversations/{conversation}/attachments",
            stack.admin_url
        ))
        .bearer_auth(ADMIN_TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let image: Value = response.json().await.unwrap();
    assert_eq!(image["kind"], "image");
    let image_id = image["id"].as_i64().unwrap();
    wait_status(&stack, image_id, "sent").await;
    let sends = meta_sends(&stack, image_id).await;
    assert_eq!(sends.len(), 1);
    let uploaded = uploads(&stack).await;
    let second = &uploaded["uploads"][1];
    assert_eq!(second["sha256"], hex_sha256(&png));
    assert_eq!(
        sends[0]["request"]["image"],
        json!({"id": second["id"], "caption": "Is it this part?"})
    );
    assert_eq!(served(&stack, image_id).await.1, png);
    let row = entities::message::Entity::find_by_id(image_id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.media_width, row.media_height), (Some(800), Some(600)));

    // Audited as a reply, without the file.
    let audit = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq("conversation.reply"))
        .all(&stack.database)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.detail["message_id"] == id && a.detail["kind"] == "document"),
        "{audit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wasender_attachment_goes_by_the_url_its_upload_answered() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: with_token,
            ..StackOptions::default()
        },
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    let body = json!({
        "event": "messages.received",
        "sessionId": support::WASENDER_SESSION,
        "timestamp": now * 1000,
        "data": {"messages": {
            "key": {"id": "3EB0ATTACH0001", "fromMe": false,
                    "remoteJid": "4915188880301@s.whatsapp.net",
                    "cleanedSenderPn": "4915188880301"},
            "pushName": "Greta", "messageTimestamp": now,
            "message": {"conversation": "Can you send the manual?"},
            "messageBody": "Can you send the manual?"}}
    })
    .to_string();
    assert_eq!(
        stack
            .post_wasender("eu", &body, WASENDER_SECRET)
            .await
            .status(),
        200
    );
    let conversation = eventually(Duration::from_secs(20), "the conversation", || async {
        let (_, page) = stack.admin_get("/api/v1/conversations").await;
        page["items"]
            .as_array()?
            .iter()
            .find(|c| c["contact"]["wa_id"] == "4915188880301")
            .and_then(|c| c["id"].as_i64())
    })
    .await;
    let voice = file_bytes(b"OggS", 30_000, 3);
    let queued = admin(&stack)
        .send_attachment(
            conversation,
            None,
            Some("note.ogg"),
            Some("audio/ogg"),
            voice.clone(),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queued.kind, "audio");
    let lifecycle = wait_status(&stack, queued.id, "sent").await;

    let all = uploads(&stack).await;
    let list = all["uploads"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{all}");
    assert_eq!(list[0]["api"], "wasender");
    assert_eq!(list[0]["mime_type"], "audio/ogg");
    let sent = stack.sandbox_get("/sandbox/messages").await;
    let sends: Vec<&Value> = sent
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["request"].get("audioUrl").is_some())
        .collect();
    assert_eq!(sends.len(), 1, "{sent}");
    let url = sends[0]["request"]["audioUrl"].as_str().unwrap();
    // The timeline says it was uploaded, not where anyone may fetch it.
    assert!(!lifecycle.to_string().contains(url), "{lifecycle}");
    assert!(
        stages(&lifecycle).contains(&"media_uploaded".to_owned()),
        "{lifecycle}"
    );
    // What WasenderApi would serve the customer: the agent's bytes.
    let fetched = stack.http.get(url).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert!(fetched.bytes().await.unwrap().to_vec() == voice);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_attachments_change_nothing() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: small_documents,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000302", "wamid.ATT2").await;
    let before = (
        messages_in(&stack, conversation).await,
        bucket_objects(&stack).await,
    );
    let api = admin(&stack);
    let send = |bytes: Vec<u8>, mime: &'static str| {
        let api = api.clone();
        async move {
            api.send_attachment(conversation, None, Some("f"), Some(mime), bytes)
                .await
        }
    };
    client::refused(send(Vec::new(), "application/pdf").await, 422, "empty");
    let detail = client::refused(
        send(b"PK\x03\x04zip".to_vec(), "application/zip").await,
        422,
        "type_not_allowed",
    );
    assert!(detail.contains("application/zip"), "{detail}");
    let detail = client::refused(
        send(file_bytes(b"%PDF", 300_001, 4), "application/pdf").await,
        413,
        "too_large",
    );
    assert!(detail.contains("300000"), "{detail}");
    client::refused(
        api.send_attachment(
            987_654,
            None,
            None,
            Some("application/pdf"),
            b"%PDF".to_vec(),
        )
        .await,
        404,
        "not_found",
    );
    // An agent of no team may not see the conversation.
    let (_, outsider) =
        client::signed_in(&api, &stack.admin_url, "outsider@example.com", "agent", &[]).await;
    client::refused(
        outsider
            .send_attachment(
                conversation,
                None,
                None,
                Some("application/pdf"),
                b"%PDF".to_vec(),
            )
            .await,
        403,
        "forbidden",
    );
    // The window closed a day ago.
    let mut row: entities::conversation::ActiveModel =
        entities::conversation::Entity::find_by_id(conversation)
            .one(&stack.database)
            .await
            .unwrap()
            .unwrap()
            .into();
    row.last_inbound_at = Set(Some(chrono::Utc::now() - chrono::Duration::hours(25)));
    row.update(&stack.database).await.unwrap();
    client::refused(
        send(b"%PDF-1.7".to_vec(), "application/pdf").await,
        422,
        "window_closed",
    );

    assert_eq!(
        (
            messages_in(&stack, conversation).await,
            bucket_objects(&stack).await
        ),
        before,
        "a refused attachment left a message or an object"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sender_killed_mid_upload_leaves_one_upload_and_one_send() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: with_token,
            sender: false,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000303", "wamid.ATT3").await;
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("wharf.toml");
    let mut config = stack.config.clone();
    config.ops.sender_listen = "127.0.0.1:0".parse().unwrap();
    config.sender.ack_wait_secs = 3;
    config.write_file(&config_file).unwrap();
    let sender = |name: &str| {
        let log = vec![("WHARF__LOG__FILTER".into(), "info".into())];
        procs::role_process(name, &config_file, &["sender"], log)
    };

    // Uploads stall before their body is read; 20 MB is far more than the
    // loopback's socket buffers hold, so the killed sender's upload is cut.
    stack
        .http
        .put(format!("{}/sandbox/faults", stack.sandbox_url))
        .json(&json!({"upload_stall_ms": 3000}))
        .send()
        .await
        .unwrap();
    let pdf = file_bytes(b"%PDF-1.7\n", 20 * 1024 * 1024, 5);
    let id = admin(&stack)
        .send_attachment(
            conversation,
            None,
            Some("catalogue.pdf"),
            Some("application/pdf"),
            pdf.clone(),
        )
        .await
        .unwrap()
        .into_inner()
        .id;
    let mut first = sender("sender-1");
    eventually(Duration::from_secs(30), "the upload under way", || async {
        (uploads(&stack).await["started"].as_u64() >= Some(1)).then_some(())
    })
    .await;
    first.kill();
    stack
        .http
        .put(format!("{}/sandbox/faults", stack.sandbox_url))
        .json(&json!({"upload_stall_ms": 0}))
        .send()
        .await
        .unwrap();
    let second = sender("sender-2");
    // 20 MB read back from the replicated bucket and uploaded again: on a
    // loaded 2-core machine this took over 40 s once (10 s alone). Waits
    // for any settled status so a failure shows what the senders saw.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let lifecycle = loop {
        let (_, lifecycle) = stack
            .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
            .await;
        if lifecycle["message"]["status"] != "queued" || tokio::time::Instant::now() > deadline {
            break lifecycle;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        reached(
            lifecycle["message"]["status"].as_str().unwrap_or_default(),
            "sent"
        ),
        "{lifecycle}\n--- sender-1 ---\n{}\n--- sender-2 ---\n{}",
        first.log_tail(40),
        second.log_tail(40)
    );

    let all = uploads(&stack).await;
    assert!(all["started"].as_u64() >= Some(2), "{all}");
    let list = all["uploads"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one finished upload: {all}");
    assert_eq!(list[0]["sha256"], hex_sha256(&pdf));
    let sends = meta_sends(&stack, id).await;
    assert_eq!(sends.len(), 1, "{sends:?}");
    assert_eq!(sends[0]["request"]["document"]["id"], list[0]["id"]);
    let seen = stages(&lifecycle);
    assert_eq!(
        seen.iter().filter(|s| *s == "media_uploading").count(),
        2,
        "{seen:?}"
    );
    assert_eq!(seen.iter().filter(|s| *s == "media_uploaded").count(), 1);
}
