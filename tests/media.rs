//! Inbound media end to end (issue 21) on real processes: signed Meta
//! webhooks name media ids; the sandbox serves the files as Meta does (the
//! media-URL look-up with the number's Bearer token, then the download);
//! the fetcher stores them in the Object Store bucket and the admin API
//! serves them byte for byte, with their types, file names, ranges and
//! caching headers. Failures (checksum mismatch, oversized file, provider
//! 5xx) end as dead letters with reason `media` while the messages
//! themselves are stored; a replay after the cause is fixed stores the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;
#[path = "support/media.rs"]
mod wire;

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::Digest;
use support::{
    APP_SECRET, PHONE_NUMBER_ID, Stack, StackOptions, TestDb, eventually, file_bytes, stages,
};
use wharf::config::Config;
use wire::{Media, meta_media, serve, sha256_b64};

/// The Meta number's access token: the sandbox refuses look-ups and
/// downloads without it.
const MEDIA_TOKEN: &str = "EAAtest-media-token";

/// The number's token, and quick retries.
fn media_config(config: &mut Config) {
    config.numbers[0].access_token = relay::secret::Secret::new(MEDIA_TOKEN);
    config.media.max_attempts = 3;
    config.media.backoff_base_ms = 50;
    config.media.backoff_max_ms = 200;
}

/// As [`media_config`], with images limited to 100 kB, and the default
/// `media-fetch-failures` rule firing above 2 failures (evaluated every second).
fn small_images(config: &mut Config) {
    media_config(config);
    config.media.limits.image_max_bytes = 100_000;
    config.alerts.interval_ms = 1000;
    for rule in &mut config.alerts.rules {
        if rule.name == "media-fetch-failures" {
            rule.threshold = 2.0;
        }
    }
}

/// A stack whose config `tune` adjusts.
async fn media_stack(db: TestDb, tune: fn(&mut Config)) -> Stack {
    let options = StackOptions {
        tune,
        ..StackOptions::default()
    };
    support::spawn_stack(db, options).await
}

/// Asserts equal bytes, saying where they differ (not printing them).
#[track_caller]
fn assert_same_bytes(got: &[u8], want: &[u8]) {
    let first_difference = got.iter().zip(want).position(|(a, b)| a != b);
    assert!(
        got == want,
        "{} bytes, wanted {}; first difference at {first_difference:?}",
        got.len(),
        want.len()
    );
}

/// The row id of the message with provider id `wamid`, once routed.
async fn message_id(stack: &Stack, wamid: &str) -> i64 {
    eventually(
        Duration::from_secs(30),
        &format!("message {wamid}"),
        || async {
            entities::message::Entity::find()
                .filter(entities::message::Column::ProviderMessageId.eq(wamid))
                .one(&stack.database)
                .await
                .unwrap()
                .map(|m| m.id)
        },
    )
    .await
}

/// The message's `media` as the API shows it, once its state is `state`.
async fn media_in(stack: &Stack, id: i64, state: &str) -> Value {
    eventually(
        Duration::from_secs(60),
        &format!("media of message {id} {state}"),
        || async {
            let (status, body) = stack
                .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
                .await;
            assert_eq!(status, 200, "{body}");
            let media = body["message"]["media"].clone();
            (media["state"] == state).then_some(media)
        },
    )
    .await
}

/// GET the message's media with `token` and extra headers.
async fn download(
    stack: &Stack,
    id: i64,
    token: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = stack
        .http
        .get(format!("{}/api/v1/messages/{id}/media", stack.admin_url))
        .bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

async fn a_photo_a_voice_note_and_a_pdf_are_stored_and_served(db: TestDb) {
    let stack = media_stack(db, media_config).await;
    let photo = support::jpeg_bytes(1280, 960, 180_000, 1);
    let voice = file_bytes(b"OggS", 40_000, 2);
    let pdf = file_bytes(b"%PDF-1.7\n", 350_000, 3);
    serve(&stack, "5001", "image/jpeg", &photo, 0).await;
    serve(&stack, "5002", "audio/ogg; codecs=opus", &voice, 0).await;
    serve(&stack, "5003", "application/pdf", &pdf, 0).await;
    // Larger than one chunk of the bucket: a range crosses chunks.
    let video = file_bytes(b"\0\0\0\x18ftypmp42", 1_300_000, 4);
    serve(&stack, "5004", "video/mp4", &video, 0).await;
    let body = meta_media(
        "4915100000801",
        &[
            Media {
                wamid: "wamid.PHOTO1",
                kind: "image",
                media_id: "5001",
                mime: "image/jpeg",
                sha256: sha256_b64(&photo),
                extra: json!({"caption": "it arrived broken"}),
            },
            Media {
                wamid: "wamid.VOICE1",
                kind: "audio",
                media_id: "5002",
                mime: "audio/ogg; codecs=opus",
                sha256: sha256_b64(&voice),
                extra: json!({"voice": true}),
            },
            Media {
                wamid: "wamid.PDF1",
                kind: "document",
                media_id: "5003",
                mime: "application/pdf",
                sha256: sha256_b64(&pdf),
                extra: json!({"filename": "invoice 2026-11.pdf"}),
            },
            Media {
                wamid: "wamid.VIDEO1",
                kind: "video",
                media_id: "5004",
                mime: "video/mp4",
                sha256: sha256_b64(&video),
                extra: json!({}),
            },
        ],
    );
    let started = std::time::Instant::now();
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);

    let files = [
        ("wamid.PHOTO1", &photo, "image/jpeg", "inline"),
        ("wamid.VOICE1", &voice, "audio/ogg; codecs=opus", "inline"),
        ("wamid.PDF1", &pdf, "application/pdf", "attachment"),
        ("wamid.VIDEO1", &video, "video/mp4", "inline"),
    ];
    let mut ids = Vec::new();
    for (wamid, bytes, mime, disposition) in files {
        let id = message_id(&stack, wamid).await;
        let media = media_in(&stack, id, "stored").await;
        assert_eq!(media["mime_type"], *mime, "{media}");
        assert_eq!(media["size"], bytes.len(), "{media}");
        assert_eq!(media["url"], format!("/api/v1/messages/{id}/media"));
        // The image's size hint, from its header; none for other files.
        if wamid == "wamid.PHOTO1" {
            assert_eq!(
                (&media["width"], &media["height"]),
                (&json!(1280), &json!(960)),
                "{media}"
            );
        } else {
            assert!(media.get("width").is_none(), "{media}");
        }
        let response = download(&stack, id, support::ADMIN_TOKEN, &[]).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "content-type"), mime);
        assert!(
            header(&response, "content-disposition").starts_with(disposition),
            "{}",
            header(&response, "content-disposition")
        );
        let etag = format!("\"{}\"", hex::encode(sha2::Sha256::digest(bytes)));
        assert_eq!(header(&response, "etag"), etag);
        assert!(header(&response, "cache-control").starts_with("private, max-age="));
        assert_eq!(header(&response, "accept-ranges"), "bytes");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_same_bytes(&response.bytes().await.unwrap(), bytes.as_slice());
        // The client's copy is current.
        let again = download(
            &stack,
            id,
            support::ADMIN_TOKEN,
            &[("if-none-match", etag.as_str())],
        )
        .await;
        assert_eq!(again.status(), 304);
        ids.push(id);
    }
    eprintln!(
        "four files (1.9 MB) from webhook to stored in {:?}",
        started.elapsed()
    );
    let (photo_id, voice_id, pdf_id, video_id) = (ids[0], ids[1], ids[2], ids[3]);
    let response = download(&stack, pdf_id, support::ADMIN_TOKEN, &[]).await;
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"invoice 2026-11.pdf\""
    );

    // The generated client downloads it too (the operation is in the spec).
    let client = wharf_client::Client::with_token(&stack.admin_url, support::ADMIN_TOKEN).unwrap();
    let answer = client.get_message_media(pdf_id, None, None).await.unwrap();
    assert_eq!(answer.status(), 200);
    let mut stream = answer.into_inner_stream();
    let mut downloaded = Vec::new();
    while let Some(chunk) = futures::StreamExt::next(&mut stream).await {
        downloaded.extend_from_slice(&chunk.unwrap());
    }
    assert_same_bytes(&downloaded, &pdf);

    // A player seeks: one range, 206, the exact slice; outside it, 416.
    let size = voice.len();
    let ranges = [
        (
            "bytes=1000-4999",
            206,
            format!("bytes 1000-4999/{size}"),
            1000..5000,
        ),
        (
            "bytes=-100",
            206,
            format!("bytes {}-{}/{size}", size - 100, size - 1),
            size - 100..size,
        ),
        ("bytes=999999-", 416, format!("bytes */{size}"), 0..0),
    ];
    for (range, status, content_range, slice) in ranges {
        let response = download(&stack, voice_id, support::ADMIN_TOKEN, &[("range", range)]).await;
        assert_eq!(response.status(), status, "{range}");
        assert_eq!(header(&response, "content-range"), content_range, "{range}");
        if status == 206 {
            assert_same_bytes(&response.bytes().await.unwrap(), &voice[slice]);
        }
    }
    let response = download(
        &stack,
        video_id,
        support::ADMIN_TOKEN,
        &[("range", "bytes=500000-1099999")],
    )
    .await;
    assert_eq!(response.status(), 206);
    assert_same_bytes(&response.bytes().await.unwrap(), &video[500_000..1_100_000]);

    // The timeline tells the fetch; the text of the photo is its caption.
    let (_, lifecycle) = stack
        .admin_get(&format!("/api/v1/messages/{photo_id}/lifecycle"))
        .await;
    let seen = stages(&lifecycle);
    for stage in ["routed", "media_fetch_started", "media_stored"] {
        assert!(seen.iter().any(|s| s == stage), "{stage} in {seen:?}");
    }
    assert_eq!(lifecycle["message"]["body"], "it arrived broken");
    // Each file was looked up and downloaded once.
    let hits = stack.sandbox_get("/sandbox/media/5003").await;
    assert_eq!(hits, json!({"lookups": 1, "downloads": 1}));

    // An agent outside the conversation's team is refused; unknown ids and
    // messages without media are 404.
    let (status, team) = stack
        .admin_post(
            "/api/v1/teams",
            json!({"name": "Elsewhere", "strategy": "manual"}),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    let (status, agent) = stack
        .admin_post(
            "/api/v1/agents",
            json!({"email": "olga@example.com", "name": "Olga", "password": "correct horse battery",
                   "role": "agent", "teams": [team["id"]]}),
        )
        .await;
    assert_eq!(status, 201, "{agent}");
    let (status, login) = stack
        .admin_post(
            "/api/v1/auth/login",
            json!({"email": "olga@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 200, "{login}");
    let olga = login["token"].as_str().unwrap();
    let refused = download(&stack, photo_id, olga, &[]).await;
    assert_eq!(refused.status(), 403);
    let missing = download(&stack, 999_999, support::ADMIN_TOKEN, &[]).await;
    assert_eq!(missing.status(), 404);
    let text_id = {
        let body = support::meta_text(
            PHONE_NUMBER_ID,
            "4915100000801",
            "Mia",
            "wamid.TEXT1",
            "hello?",
            chrono::Utc::now().timestamp(),
        );
        assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
        message_id(&stack, "wamid.TEXT1").await
    };
    let no_media = download(&stack, text_id, support::ADMIN_TOKEN, &[]).await;
    assert_eq!(no_media.status(), 404);

    // The work queue is drained and watched like the other streams.
    let (status, stats) = stack.admin_get("/api/v1/stats").await;
    assert_eq!(status, 200, "{stats}");
    let fetcher = stats["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stream"] == "MEDIA" && c["name"] == "media-fetcher")
        .cloned()
        .unwrap_or_else(|| panic!("no media-fetcher consumer in {stats}"));
    assert_eq!(
        (fetcher["pending"].as_u64(), fetcher["ack_pending"].as_u64()),
        (Some(0), Some(0))
    );

    // Metrics: files and bytes stored.
    let metrics = stack.metrics_text().await;
    for name in [
        "wharf_media_stored_total",
        "wharf_media_stored_bytes_total",
        "wharf_media_fetch_seconds",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
}
on_sqlite_and_postgres!(a_photo_a_voice_note_and_a_pdf_are_stored_and_served);

/// The letters of reason `media`, pending ones, by their error text.
async fn media_letters(stack: &Stack, expected: usize) -> Vec<Value> {
    eventually(
        Duration::from_secs(60),
        &format!("{expected} pending media dead letters"),
        || async {
            let (status, page) = stack
                .admin_get("/api/v1/dlq?reason=media&status=pending")
                .await;
            assert_eq!(status, 200, "{page}");
            let items = page["items"].as_array()?.clone();
            (items.len() == expected).then_some(items)
        },
    )
    .await
}

async fn failed_fetches_are_dead_lettered_and_replays_store_them(db: TestDb) {
    let mut stack = media_stack(db, small_images).await;
    let good = file_bytes(b"\xff\xd8\xff\xe0", 60_000, 11);
    let mut corrupted = good.clone();
    corrupted[30_000] ^= 0xff;
    let flaky = file_bytes(b"\x89PNG", 50_000, 12);
    let large = file_bytes(b"\xff\xd8\xff\xe0", 150_000, 13);
    serve(&stack, "6001", "image/jpeg", &corrupted, 0).await;
    serve(&stack, "6002", "image/png", &flaky, u32::MAX).await;
    serve(&stack, "6003", "image/jpeg", &large, 0).await;
    let image = |wamid, media_id, mime, bytes: &[u8]| Media {
        wamid,
        kind: "image",
        media_id,
        mime,
        sha256: sha256_b64(bytes),
        extra: json!({}),
    };
    let body = meta_media(
        "4915100000802",
        &[
            image("wamid.SUM", "6001", "image/jpeg", &good),
            image("wamid.5XX", "6002", "image/png", &flaky),
            image("wamid.BIG", "6003", "image/jpeg", &large),
        ],
    );
    // Nothing a provider signs is refused, whatever becomes of its files.
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let ids = [
        message_id(&stack, "wamid.SUM").await,
        message_id(&stack, "wamid.5XX").await,
        message_id(&stack, "wamid.BIG").await,
    ];
    for id in ids {
        media_in(&stack, id, "failed").await;
    }
    let letters = media_letters(&stack, 3).await;
    let errors: Vec<&str> = letters
        .iter()
        .map(|l| l["error"].as_str().unwrap())
        .collect();
    for reason in ["checksum", "provider_error", "too_large"] {
        assert!(
            errors.iter().any(|e| e.starts_with(reason)),
            "{reason} in {errors:?}"
        );
    }
    for letter in &letters {
        assert_eq!(letter["origin"], "media");
        assert_eq!(letter["business_number"], PHONE_NUMBER_ID, "{letter}");
    }
    // No secret reaches a letter: the token, the download URL's hash.
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/dlq/{}", letters[0]["id"]))
        .await;
    let text = detail.to_string();
    assert!(!text.contains(MEDIA_TOKEN), "{text}");
    assert!(!text.contains("hash="), "{text}");
    // The 5xx was retried (3 attempts), the oversized one never downloaded.
    let hits = stack.sandbox_get("/sandbox/media/6002").await;
    assert_eq!(hits["downloads"], 3, "{hits}");
    let hits = stack.sandbox_get("/sandbox/media/6003").await;
    assert_eq!(hits["downloads"], 0, "{hits}");
    // Three files given up on pass the rule's threshold: the alert fires.
    let alert = eventually(
        Duration::from_secs(30),
        "the media-fetch-failures alert",
        || async {
            let (_, alerts) = stack.admin_get("/api/v1/alerts").await;
            alerts["firing"]
                .as_array()?
                .iter()
                .find(|a| a["rule"] == "media-fetch-failures")
                .cloned()
        },
    )
    .await;
    assert_eq!(alert["kind"], "media_fetch_failures", "{alert}");
    assert_eq!(alert["value"], 3.0, "{alert}");
    let conflict = download(&stack, ids[0], support::ADMIN_TOKEN, &[]).await;
    assert_eq!(conflict.status(), 409);
    let error: Value = conflict.json().await.unwrap();
    assert_eq!(error["code"], "media_failed");
    let (_, lifecycle) = stack
        .admin_get(&format!("/api/v1/messages/{}/lifecycle", ids[1]))
        .await;
    let seen = stages(&lifecycle);
    for stage in ["media_fetch_started", "media_failed", "dead_lettered"] {
        assert!(seen.iter().any(|s| s == stage), "{stage} in {seen:?}");
    }

    // The causes are fixed: the provider serves the right bytes, stops
    // failing, and the image limit is raised (routers restarted with it).
    serve(&stack, "6001", "image/jpeg", &good, 0).await;
    serve(&stack, "6002", "image/png", &flaky, 0).await;
    stack.stop_router().await;
    stack.config.media.limits.image_max_bytes = 5_000_000;
    stack.start_router().await;
    let (status, replayed) = stack
        .admin_post(
            "/api/v1/dlq/replay",
            json!({"reason": "media", "dry_run": false}),
        )
        .await;
    assert_eq!(status, 200, "{replayed}");
    assert_eq!(replayed["replayed"], 3, "{replayed}");
    for (id, bytes) in ids.iter().zip([&good, &flaky, &large]) {
        media_in(&stack, *id, "stored").await;
        let response = download(&stack, *id, support::ADMIN_TOKEN, &[]).await;
        assert_eq!(response.status(), 200);
        assert_same_bytes(&response.bytes().await.unwrap(), bytes.as_slice());
    }
    let (_, lifecycle) = stack
        .admin_get(&format!("/api/v1/messages/{}/lifecycle", ids[2]))
        .await;
    let seen = stages(&lifecycle);
    assert!(seen.iter().any(|s| s == "replayed"), "{seen:?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("media_stored"),
        "{seen:?}"
    );
    media_letters(&stack, 0).await;
}
on_sqlite_and_postgres!(failed_fetches_are_dead_lettered_and_replays_store_them);

async fn a_wasender_voice_note_is_decrypted_through_its_api_and_stored(db: TestDb) {
    let stack = media_stack(db, media_config).await;
    let voice = file_bytes(b"OggS", 30_000, 21);
    // WasenderApi's decrypt endpoint names the file by the message id.
    serve(&stack, "3EB0MEDIA0001", "audio/ogg; codecs=opus", &voice, 0).await;
    let body = json!({
        "event": "messages.received",
        "timestamp": chrono::Utc::now().timestamp_millis(),
        "data": {"messages": {
            "key": {"id": "3EB0MEDIA0001", "fromMe": false,
                    "remoteJid": "4915188880009@s.whatsapp.net", "cleanedSenderPn": "4915188880009"},
            "pushName": "Vera",
            "messageTimestamp": chrono::Utc::now().timestamp(),
            "message": {"audioMessage": {
                "url": "https://mmg.whatsapp.net/v/t62.7117-24/encrypted.enc",
                "mimetype": "audio/ogg; codecs=opus",
                "mediaKey": "c2VjcmV0LW1lZGlhLWtleQ==",
                "fileSha256": sha256_b64(&voice),
                "fileLength": voice.len().to_string(),
                "ptt": true,
            }},
        }},
    })
    .to_string();
    let response = stack
        .post_wasender("eu", &body, support::WASENDER_SECRET)
        .await;
    assert_eq!(response.status(), 200);
    let id = message_id(&stack, "3EB0MEDIA0001").await;
    let media = media_in(&stack, id, "stored").await;
    assert_eq!(media["size"], voice.len(), "{media}");
    let response = download(&stack, id, support::ADMIN_TOKEN, &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "audio/ogg; codecs=opus");
    assert_same_bytes(&response.bytes().await.unwrap(), voice.as_slice());
}
on_sqlite_and_postgres!(a_wasender_voice_note_is_decrypted_through_its_api_and_stored);

/// Files kept 3 s; the sweep runs every second and takes rows pending
/// for more than a second.
fn short_retention(config: &mut Config) {
    media_config(config);
    config.topology.media_max_age_secs = 3;
    config.media.sweep_interval_secs = 1;
    config.media.pending_after_secs = 1;
}

async fn a_lost_job_is_published_again_and_an_old_file_expires(db: TestDb) {
    let stack = media_stack(db, short_retention).await;
    let photo = file_bytes(b"\x89PNG", 20_000, 31);
    serve(&stack, "7001", "image/png", &photo, 0).await;
    let body = meta_media(
        "4915100000803",
        &[Media {
            wamid: "wamid.LOST",
            kind: "image",
            media_id: "7001",
            mime: "image/png",
            sha256: sha256_b64(&photo),
            extra: json!({}),
        }],
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let id = message_id(&stack, "wamid.LOST").await;
    let stored_once = |lifecycle: &Value| {
        stages(lifecycle)
            .iter()
            .filter(|s| *s == "media_stored")
            .count()
    };
    let lifecycle_of = || async {
        let (status, lifecycle) = stack
            .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
            .await;
        assert_eq!(status, 200, "{lifecycle}");
        lifecycle
    };
    eventually(Duration::from_secs(30), "the file stored", || async {
        (stored_once(&lifecycle_of().await) == 1).then_some(())
    })
    .await;

    // A router that died between its commit and the job leaves the row
    // pending with no job: the sweep publishes it again.
    entities::message::Entity::update_many()
        .col_expr(
            entities::message::Column::MediaState,
            sea_orm::sea_query::Expr::value("pending"),
        )
        .col_expr(
            entities::message::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(5)),
        )
        .filter(entities::message::Column::Id.eq(id))
        .exec(&stack.database)
        .await
        .unwrap();
    eventually(Duration::from_secs(30), "the file stored again", || async {
        (stored_once(&lifecycle_of().await) == 2).then_some(())
    })
    .await;
    assert_eq!(
        stack.sandbox_get("/sandbox/media/7001").await["downloads"],
        2
    );

    // Past the bucket's retention the bytes are gone and the row says so.
    media_in(&stack, id, "expired").await;
    let gone = download(&stack, id, support::ADMIN_TOKEN, &[]).await;
    assert_eq!(gone.status(), 404);
    let error: Value = gone.json().await.unwrap();
    assert_eq!(error["code"], "media_expired");
}
on_sqlite_and_postgres!(a_lost_job_is_published_again_and_an_old_file_expires);

/// 500 kB/s for the fetcher of the router process.
fn slow_budget(config: &mut Config) {
    media_config(config);
    config.media.max_bytes_per_second = 500_000;
}

/// The fetcher's byte budget paces its downloads: a 1.5 MB file at 500 kB/s
/// (a second's worth in hand) takes at least 2 s to fetch (without the
/// budget, tens of milliseconds), and is stored whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_byte_budget_paces_a_large_download() {
    let stack = media_stack(TestDb::sqlite(), slow_budget).await;
    let pdf = file_bytes(b"%PDF-1.7\n", 1_500_000, 9);
    serve(&stack, "5901", "application/pdf", &pdf, 0).await;
    let body = meta_media(
        "4915100000899",
        &[Media {
            wamid: "wamid.BUDGET1",
            kind: "document",
            media_id: "5901",
            mime: "application/pdf",
            sha256: sha256_b64(&pdf),
            extra: json!({"filename": "catalogue.pdf"}),
        }],
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let id = message_id(&stack, "wamid.BUDGET1").await;
    let media = media_in(&stack, id, "stored").await;
    assert_eq!(media["size"], pdf.len(), "{media}");
    // The fetch itself (look-up, download, checksum, bucket), as recorded.
    let (_, lifecycle) = stack
        .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
        .await;
    let stored = lifecycle["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "media_stored")
        .cloned()
        .unwrap_or_else(|| panic!("no media_stored stage: {lifecycle}"));
    let ms = stored["detail"]["ms"].as_u64().unwrap_or_default();
    assert!(
        ms >= 1900,
        "1.5 MB at 500 kB/s fetched in {ms} ms: {stored}"
    );
    let response = download(&stack, id, support::ADMIN_TOKEN, &[]).await;
    assert_same_bytes(&response.bytes().await.unwrap(), &pdf);
}

/// Routing first: every file waits while anything is pending, and the
/// router takes 16 events per batch.
fn yield_to_routing(config: &mut Config) {
    media_config(config);
    config.media.yield_backlog = 0;
    config.media.yield_max_secs = 120;
    config.router.batch_size = 16;
}

/// A file whose message is routed while 400 text messages wait behind it
/// (one delivery: the photo first, then the texts, all stored before the
/// router starts) is fetched only once routing has caught up: when its
/// fetch starts, every text but at most the last batch is a row, and the
/// wait is on its lifecycle. Without the yield the fetch starts right
/// after the photo's own batch, with a few dozen rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_file_waits_while_text_routing_is_behind() {
    const TEXTS: usize = 400;
    let mut stack = media_stack(TestDb::sqlite(), yield_to_routing).await;
    let photo = file_bytes(b"\xff\xd8\xff\xe0", 40_000, 21);
    serve(&stack, "7101", "image/jpeg", &photo, 0).await;
    let from = "4915100000901";
    let mut body: Value = serde_json::from_slice(&meta_media(
        from,
        &[Media {
            wamid: "wamid.YIELD.PHOTO",
            kind: "image",
            media_id: "7101",
            mime: "image/jpeg",
            sha256: sha256_b64(&photo),
            extra: json!({}),
        }],
    ))
    .unwrap();
    let ts = chrono::Utc::now().timestamp().to_string();
    let messages = body["entry"][0]["changes"][0]["value"]["messages"]
        .as_array_mut()
        .unwrap();
    for i in 0..TEXTS {
        messages.push(json!({
            "from": from, "id": format!("wamid.YIELD.TEXT.{i}"), "timestamp": ts,
            "type": "text", "text": {"body": format!("text {i}")},
        }));
    }
    // Everything in INBOUND before a router pulls the first batch.
    stack.stop_router().await;
    let js = stack.nats.hub_js().await;
    let before = js
        .get_stream(relay::topology::INBOUND)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages;
    let body = serde_json::to_vec(&body).unwrap();
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    eventually(Duration::from_secs(30), "all events in INBOUND", || {
        let js = js.clone();
        async move {
            let mut stream = js.get_stream(relay::topology::INBOUND).await.ok()?;
            let stored = stream.info().await.ok()?.state.messages;
            (stored > before + TEXTS as u64).then_some(())
        }
    })
    .await;
    stack.start_router().await;

    let id = message_id(&stack, "wamid.YIELD.PHOTO").await;
    let media = media_in(&stack, id, "stored").await;
    assert_eq!(media["size"], photo.len(), "{media}");
    let (_, lifecycle) = stack
        .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
        .await;
    let started = lifecycle["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "media_fetch_started")
        .cloned()
        .unwrap_or_else(|| panic!("no media_fetch_started stage: {lifecycle}"));
    let at: chrono::DateTime<chrono::Utc> = started["at"].as_str().unwrap().parse().unwrap();
    let rows_then = entities::message::Entity::find()
        .filter(entities::message::Column::Kind.eq("text"))
        .filter(entities::message::Column::ProviderMessageId.starts_with("wamid.YIELD.TEXT."))
        .filter(entities::message::Column::CreatedAt.lte(at))
        .all(&stack.database)
        .await
        .unwrap()
        .len();
    assert!(
        rows_then >= TEXTS - 16,
        "the fetch started with {rows_then} of {TEXTS} texts routed: {started}"
    );
    assert!(
        started["detail"]["waited_for_routing_ms"].as_u64().unwrap() > 0,
        "{started}"
    );
}
