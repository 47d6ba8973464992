//! The wharf-client crate against a running `wharf up` stack: receives a
//! real signed webhook (`message.received`) and verifies it, lists
//! conversations, replies to the customer's and fetches the stats.
//!
//! ```sh
//! WHARF_ADMIN_URL=http://127.0.0.1:8080 WHARF_TOKEN=… \
//! WHARF_EDGE_URL=http://127.0.0.1:8081 WHARF_PHONE_NUMBER_ID=… WHARF_APP_SECRET=… \
//! cargo run -p wharf-client --example example
//! ```
//!
//! (all five are in `data/stack.json`; the last three only stand in for
//! Meta, which sends the customer's message to the edge in production).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use poem::web::Data;
use poem::{EndpointExt, handler, http::StatusCode, listener::Acceptor, listener::Listener};
use reqwest::header::HeaderMap;
use tokio::sync::mpsc;
use wharf_client::webhooks::{self, WebhookError};
use wharf_client::{Client, types};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;
type Delivery = (HeaderMap, Vec<u8>);

fn env(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

/// The receiver: every delivery goes to the example's channel.
#[handler]
async fn receive(
    headers: &HeaderMap,
    body: Vec<u8>,
    Data(tx): Data<&mpsc::UnboundedSender<Delivery>>,
) -> StatusCode {
    let _ = tx.send((headers.clone(), body));
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<()> {
    let client = Client::with_token(&env("WHARF_ADMIN_URL")?, &env("WHARF_TOKEN")?)?;

    // 1. A receiver for the webhooks, on a free loopback port.
    let (tx, mut deliveries) = mpsc::unbounded_channel::<Delivery>();
    let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await?;
    let port = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().map(|s| s.port()))
        .ok_or("the receiver has no port")?;
    let app = poem::Route::new()
        .at("/wharf", poem::post(receive))
        .data(tx);
    let server = tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));

    // 2. An endpoint for it: its signing secret is in this answer only.
    let created = client
        .create_webhook(&types::WebhookIn {
            url: format!("http://127.0.0.1:{port}/wharf").parse()?,
            description: Some("wharf-client Rust example".parse()?),
            event_types: vec!["message.received".into()],
            business_number: None,
            team_id: None,
            ordered: None,
            rate_per_second: None,
            headers: Default::default(),
        })
        .await?
        .into_inner();
    let (webhook, secret) = (created.webhook, created.secret);
    println!("webhook endpoint {} -> {}", webhook.id, webhook.url_origin);

    let outcome = run(&client, &secret, &mut deliveries).await;
    client.delete_webhook(webhook.id).await?;
    server.abort();
    outcome?;
    println!("rust example: ok");
    Ok(())
}

async fn run(
    client: &Client,
    secret: &str,
    deliveries: &mut mpsc::UnboundedReceiver<Delivery>,
) -> Result<()> {
    // 3. A customer writes (signed as Meta signs), until the event arrives:
    //    an endpoint may miss the first 2 s of its life (docs/webhooks.md).
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let wamid = format!("wamid.example-rs-{nanos}");
    let mut event = None;
    for attempt in 0..10 {
        let id = if attempt == 0 {
            wamid.clone()
        } else {
            format!("{wamid}-{attempt}")
        };
        customer_writes(&id, "Hello from the Rust example").await?;
        event = received(secret, deliveries, Duration::from_secs(3), &wamid).await?;
        if event.is_some() {
            break;
        }
    }
    let event = event.ok_or("no message.received arrived within 30 s")?;
    let conversation_id = event.data.conversation.id;
    println!(
        "verified {} {} for conversation {conversation_id}: {:?} from {}",
        event.type_, event.id, event.data.message.text, event.data.contact.wa_id
    );

    // 4. List conversations (newest first): the customer's is there.
    let limit = std::num::NonZeroU64::new(20);
    let page = client
        .list_conversations(
            None, None, None, limit, None, None, None, None, None, None, None,
        )
        .await?
        .into_inner();
    let mine = page
        .items
        .iter()
        .find(|c| c.id == conversation_id)
        .ok_or("the conversation is not listed")?;
    println!(
        "listed {} conversations; #{} is {}",
        page.items.len(),
        mine.id,
        mine.status
    );

    // 5. Reply to it.
    let reply = types::ReplyIn {
        text: Some("Thanks! An agent will be with you shortly.".parse()?),
        ..Default::default()
    };
    let message = client
        .reply_to_conversation(conversation_id, &reply)
        .await?
        .into_inner();
    println!("replied: message {} is {}", message.id, message.status);

    // 6. The stats.
    let stats = client.get_stats().await?.into_inner();
    let counts: Vec<String> = stats
        .conversations
        .iter()
        .map(|c| format!("{}={}", c.status, c.count))
        .collect();
    println!(
        "stats: {} streams, conversations {}",
        stats.streams.len(),
        counts.join(" ")
    );
    Ok(())
}

/// Posts a customer's text message to the edge, signed with the number's app secret.
async fn customer_writes(wamid: &str, text: &str) -> Result<()> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)?
        .as_secs()
        .to_string();
    let body = serde_json::to_vec(&serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": env("WHARF_PHONE_NUMBER_ID")?},
            "contacts": [{"profile": {"name": "Rust Example"}, "wa_id": "4915100000003"}],
            "messages": [{"from": "4915100000003", "id": wamid, "timestamp": now,
                          "type": "text", "text": {"body": text}}],
        }}]}],
    }))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(env("WHARF_APP_SECRET")?.as_bytes())?;
    mac.update(&body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    reqwest::Client::new()
        .post(format!("{}/webhooks/meta", env("WHARF_EDGE_URL")?))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", format!("sha256={hex}"))
        .body(body)
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// The first delivery within `wait` for our message, as the spec's typed
/// `message.received` event; every delivery must verify.
async fn received(
    secret: &str,
    deliveries: &mut mpsc::UnboundedReceiver<Delivery>,
    wait: Duration,
    wamid: &str,
) -> Result<Option<types::WebhookEventMessageReceived>> {
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some((headers, body))) = tokio::time::timeout_at(deadline, deliveries.recv()).await
    {
        let event = webhooks::verify(secret, &headers, &body)?;
        let tampered = [body.as_slice(), b" "].concat();
        if webhooks::verify(secret, &headers, &tampered).err() != Some(WebhookError::NoMatch) {
            return Err("a tampered body verified".into());
        }
        if event.event_type != "message.received" {
            continue;
        }
        // Verified: now the body as the spec types it.
        let typed: types::WebhookEventMessageReceived = serde_json::from_slice(&body)?;
        if typed.data.message.provider_message_id.starts_with(wamid) {
            return Ok(Some(typed));
        }
    }
    Ok(None)
}
