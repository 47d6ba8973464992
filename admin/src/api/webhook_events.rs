//! The events Wharf POSTs to integrators' endpoints, in the spec: one
//! webhook per event type of the catalog (`relay::hooks::CATALOG`), each
//! with its typed body, so the generated clients get a model per payload.
//!
//! The bodies are the relay's payload types (`relay::hooks::payload`, what
//! the roles serialise): each object here is bound to its relay type field
//! for field (`#[oai(remote)]` converts both ways, so a field added on one
//! side only does not compile), and the tests below compare their JSON.
//! Alerts' `data` is [`AlertOut`] itself, serialised by the evaluator.
//! Delivery and signing are the senders' (`relay::hooks::deliver`), not
//! this module's.

use chrono::{DateTime, Utc};
use poem::http::Method;
use poem_openapi::registry::{
    MetaOperation, MetaOperationParam, MetaParamIn, MetaRequest, MetaWebhook, Registry,
};
use poem_openapi::types::{ParseFromJSON, ToJSON, Type};
use poem_openapi::{ApiExtractor, ApiResponse, Object, Webhook, payload::Json};
use relay::hooks::{self, EventType, payload as wire, payload::Payload};
use serde_json::Value;

use super::alerts::AlertOut;

/// One event as it is POSTed: the same envelope for every type, `data`
/// typed per type.
#[derive(Debug, Clone, Object)]
#[oai(rename = "WebhookEvent")]
pub struct WebhookEvent<T: ParseFromJSON + ToJSON> {
    /// `evt_<n>`, also the `webhook-id` header: stable across retries,
    /// resends and recoveries. Deduplicate on it.
    pub id: String,
    /// The event type (`message.received`, …; see `/webhooks/event-types`).
    #[oai(rename = "type")]
    pub event_type: String,
    /// The payloads' version (1); a change that is not an addition gets a
    /// new one.
    pub version: u32,
    /// When the change that caused it was committed.
    pub created_at: DateTime<Utc>,
    pub data: T,
}

/// A conversation as events show it.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::ConversationData")]
pub struct ConversationData {
    pub id: i64,
    /// The business number's phone number id.
    pub business_number: String,
    pub contact_id: i64,
    /// bot, queued, assigned, resolved, …
    pub status: String,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// The conversation's version (optimistic concurrency in the API).
    pub version: i64,
}

/// `data` of `conversation.created`, `.assigned`, `.transferred`,
/// `.handed_over`, `.resolved` and `.reopened`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::ConversationEvent")]
pub struct ConversationEvent {
    pub conversation: ConversationData,
}

/// The customer's message of `message.received`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::ReceivedMessage")]
pub struct ReceivedMessage {
    /// Wharf's message id.
    pub id: i64,
    pub provider_message_id: String,
    /// text, image, audio, …
    #[oai(rename = "type")]
    pub message_type: String,
    pub text: Option<String>,
    /// When the customer sent it (the provider's time).
    pub timestamp: DateTime<Utc>,
    /// Sent from the business's own phone (a WasenderApi echo).
    pub echo: bool,
}

/// The customer of `message.received`, as the provider named them.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::ReceivedContact")]
pub struct ReceivedContact {
    pub wa_id: String,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub username: Option<String>,
}

/// `data` of `message.received`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::MessageReceived")]
pub struct MessageReceived {
    pub message: ReceivedMessage,
    pub conversation: ConversationData,
    pub contact: ReceivedContact,
}

/// `data` of `message.sent` and `message.status`: one of our replies.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::MessageStatus")]
pub struct MessageStatus {
    /// Wharf's message id of the reply.
    pub message_id: i64,
    pub conversation_id: i64,
    /// sent, delivered, read, failed.
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
    /// The provider's id of the reply.
    pub provider_message_id: Option<String>,
    pub timestamp: DateTime<Utc>,
}

/// A contact as `contact.updated` shows it.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::ContactData")]
pub struct ContactData {
    pub id: i64,
    pub wa_id: String,
    pub name: Option<String>,
    pub tier: String,
    pub language: Option<String>,
    /// The contact's custom attributes (a JSON object).
    pub attributes: Value,
    pub marketing_opt_out_at: Option<DateTime<Utc>>,
}

/// `data` of `contact.updated`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::ContactUpdated")]
pub struct ContactUpdated {
    pub contact: ContactData,
}

/// A dead letter as `dead_letter.created` shows it.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::DeadLetterData")]
pub struct DeadLetterData {
    pub id: i64,
    /// inbound, outbound, …
    pub origin: String,
    pub reason: String,
    pub business_number: Option<String>,
    pub error: String,
    pub attempts: i32,
    pub failed_at: Option<DateTime<Utc>>,
}

/// `data` of `dead_letter.created`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::DeadLetterCreated")]
pub struct DeadLetterCreated {
    pub dead_letter: DeadLetterData,
}

/// What the provider reported in `number.status`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::NumberUpdate")]
pub struct NumberUpdate {
    /// The provider's field, e.g. `account_update`, `phone_number_quality_update`.
    pub field: String,
    pub timestamp: DateTime<Utc>,
    /// The provider's report as it sent it.
    pub value: Value,
}

/// `data` of `number.status`.
#[derive(Debug, Clone, Object)]
#[oai(remote = "wire::NumberStatus")]
pub struct NumberStatus {
    /// The business number's phone number id.
    pub business_number: String,
    pub update: NumberUpdate,
}

/// `data` of `alert.firing` and `alert.resolved`.
#[derive(Debug, Object)]
pub struct AlertEvent {
    pub alert: AlertOut,
}

impl AlertEvent {
    /// The event's `data`, as delivered.
    pub fn data(alert: AlertOut) -> Value {
        Self { alert }.to_json().unwrap_or_default()
    }
}

/// What Wharf expects back.
#[derive(ApiResponse)]
pub enum Received {
    /// Received: any 2xx. A 410 disables the endpoint; anything else, or no
    /// answer in 10 s, is retried with backoff (at least `Retry-After`).
    #[oai(status = 200)]
    Ok,
}

/// Every webhook's description.
const DELIVERY: &str = "POSTed to each enabled endpoint subscribed to this type, signed per \
    Standard Webhooks: `webhook-id` (= the body's `id`, stable across retries: deduplicate on \
    it), `webhook-timestamp` (Unix seconds; reject old ones) and `webhook-signature` \
    (`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the \
    endpoint's secret; space-separated `v1,…` while a rotated secret overlaps), plus the \
    endpoint's custom headers. Answer 2xx once stored. See docs/webhooks.md.";

/// The signing headers, as parameters of each webhook.
const HEADERS: [(&str, &str); 3] = [
    ("webhook-id", "The event's id (`evt_<n>`), as in the body."),
    (
        "webhook-timestamp",
        "When this attempt was signed, Unix seconds.",
    ),
    (
        "webhook-signature",
        "`v1,<base64>` signatures, space-separated.",
    ),
];

/// The events of the catalog, as the spec's `webhooks`.
pub struct EventWebhooks;

impl Webhook for EventWebhooks {
    fn meta() -> Vec<MetaWebhook> {
        hooks::CATALOG
            .iter()
            .map(|event| MetaWebhook {
                name: event.name,
                operation: operation(event),
            })
            .collect()
    }

    fn register(registry: &mut Registry) {
        // A payload several types share is registered once (by name).
        for event in hooks::CATALOG {
            (body_of(event.payload).register)(registry);
        }
        <Received as ApiResponse>::register(registry);
    }
}

/// How the spec gets one payload's body.
struct Body {
    meta: fn() -> Option<MetaRequest>,
    register: fn(&mut Registry),
}

fn body<T: Type + ParseFromJSON + ToJSON>() -> Body {
    Body {
        meta: || {
            let mut request = <Json<WebhookEvent<T>> as ApiExtractor>::request_meta()?;
            // What the senders send (`Json` says `; charset=utf-8`).
            for content in &mut request.content {
                content.content_type = "application/json";
            }
            Some(request)
        },
        register: <Json<WebhookEvent<T>> as ApiExtractor>::register,
    }
}

fn body_of(payload: Payload) -> Body {
    match payload {
        Payload::MessageReceived => body::<MessageReceived>(),
        Payload::MessageStatus => body::<MessageStatus>(),
        Payload::Conversation => body::<ConversationEvent>(),
        Payload::ContactUpdated => body::<ContactUpdated>(),
        Payload::DeadLetterCreated => body::<DeadLetterCreated>(),
        Payload::NumberStatus => body::<NumberStatus>(),
        Payload::Alert => body::<AlertEvent>(),
    }
}

fn operation(event: &EventType) -> MetaOperation {
    let params = HEADERS
        .iter()
        .map(|(name, description)| MetaOperationParam {
            name: (*name).to_owned(),
            schema: String::schema_ref(),
            in_type: MetaParamIn::Header,
            description: Some((*description).to_owned()),
            required: true,
            deprecated: false,
            explode: true,
            style: None,
        })
        .collect();
    MetaOperation {
        method: Method::POST,
        tags: Vec::new(),
        summary: Some(event.description),
        description: Some(DELIVERY),
        external_docs: None,
        params,
        request: (body_of(event.payload).meta)(),
        responses: <Received as ApiResponse>::meta(),
        deprecated: false,
        security: Vec::new(),
        operation_id: None,
        code_samples: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;
    use serde::Serialize;
    use serde_json::json;

    use super::*;

    /// The object parses `wire` as delivered (serde) and gives back the
    /// same value: nothing delivered is left out or read under another name
    /// (times are compared as times: poem writes `+00:00`, serde `Z`).
    fn same_json<W, O>(wire: W) -> Value
    where
        W: Serialize + PartialEq + std::fmt::Debug,
        O: ParseFromJSON + ToJSON + std::fmt::Debug + Into<W>,
    {
        let delivered = serde_json::to_value(&wire).unwrap();
        let parsed = O::parse_from_json(Some(delivered.clone())).unwrap();
        let back: W = parsed.into();
        assert_eq!(back, wire);
        delivered
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 12, 27, 14).unwrap()
    }

    fn conversation(team: Option<i64>) -> wire::ConversationData {
        wire::ConversationData {
            id: 7,
            business_number: "1065".into(),
            contact_id: 3,
            status: "assigned".into(),
            team_id: team,
            assignee_id: team.map(|t| t + 1),
            version: 4,
        }
    }

    #[test]
    fn every_payload_is_described_as_it_is_delivered() {
        for (team, text) in [(Some(2), Some("I need help")), (None, None)] {
            let text = text.map(str::to_owned);
            let received = same_json::<_, MessageReceived>(wire::MessageReceived {
                message: wire::ReceivedMessage {
                    id: 11,
                    provider_message_id: "wamid.1".into(),
                    message_type: "text".into(),
                    text: text.clone(),
                    timestamp: at(),
                    echo: false,
                },
                conversation: conversation(team),
                contact: wire::ReceivedContact {
                    wa_id: "4915100000401".into(),
                    name: text.clone(),
                    user_id: text.clone(),
                    username: text.clone(),
                },
            });
            assert_eq!(received["message"]["type"], "text");
            same_json::<_, MessageStatus>(wire::MessageStatus {
                message_id: 12,
                conversation_id: 7,
                status: "failed".into(),
                error: text.clone(),
                provider_message_id: text.clone(),
                timestamp: at(),
            });
            same_json::<_, ConversationEvent>(wire::ConversationEvent {
                conversation: conversation(team),
            });
            same_json::<_, ContactUpdated>(wire::ContactUpdated {
                contact: wire::ContactData {
                    id: 3,
                    wa_id: "4915100000401".into(),
                    name: text.clone(),
                    tier: "vip".into(),
                    language: text.clone(),
                    attributes: json!({"plan": "gold"}),
                    marketing_opt_out_at: team.map(|_| at()),
                },
            });
            same_json::<_, DeadLetterCreated>(wire::DeadLetterCreated {
                dead_letter: wire::DeadLetterData {
                    id: 5,
                    origin: "outbound".into(),
                    reason: "provider_rejected".into(),
                    business_number: text.clone(),
                    error: "131026".into(),
                    attempts: 3,
                    failed_at: team.map(|_| at()),
                },
            });
            same_json::<_, NumberStatus>(wire::NumberStatus {
                business_number: "1065".into(),
                update: wire::NumberUpdate {
                    field: "account_update".into(),
                    timestamp: at(),
                    value: json!({"event": "FLAGGED"}),
                },
            });
        }
    }

    #[test]
    fn the_delivered_envelope_parses_as_the_described_one() {
        let data = serde_json::to_value(wire::ConversationEvent {
            conversation: conversation(Some(2)),
        })
        .unwrap();
        let delivered =
            serde_json::to_value(hooks::envelope(42, "conversation.assigned", at(), &data))
                .unwrap();
        let parsed =
            WebhookEvent::<ConversationEvent>::parse_from_json(Some(delivered.clone())).unwrap();
        assert_eq!(parsed.id, "evt_42");
        assert_eq!(parsed.event_type, "conversation.assigned");
        assert_eq!(parsed.version, hooks::EVENT_VERSION);
        assert_eq!(parsed.created_at, at());
        let back: wire::ConversationEvent = parsed.data.into();
        assert_eq!(serde_json::to_value(back).unwrap(), data);
    }

    #[test]
    fn an_alerts_data_parses_as_described() {
        let record = crate::alerts::state::AlertRecord {
            rule: "dead-letters".into(),
            kind: "dlq_inflow".into(),
            severity: "ticket".into(),
            instance: "DLQ".into(),
            state: crate::alerts::state::AlertState::Firing,
            summary: "2 new dead letters".into(),
            value: 2.0,
            threshold: 0.0,
            active_since: Some(at()),
            clear_since: None,
            fired_at: Some(at()),
            resolved_at: None,
            updated_at: at(),
        };
        let data = AlertEvent::data(record.into());
        assert_eq!(data["alert"]["state"], "firing");
        let parsed = AlertEvent::parse_from_json(Some(data.clone())).unwrap();
        assert_eq!(parsed.to_json().unwrap(), data);
    }

    #[test]
    fn each_event_type_is_a_webhook_with_its_typed_body_and_the_signing_headers() {
        let webhooks = EventWebhooks::meta();
        let names: Vec<&str> = webhooks.iter().map(|w| w.name).collect();
        let catalog: Vec<&str> = hooks::CATALOG.iter().map(|t| t.name).collect();
        assert_eq!(names, catalog);
        let spec: Value = serde_json::from_str(&super::super::service().spec()).unwrap();
        for name in catalog {
            let post = &spec["webhooks"][name]["post"];
            let schema = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {post}"));
            let schema = schema.trim_start_matches("#/components/schemas/");
            assert!(schema.starts_with("WebhookEvent_"), "{name}: {schema}");
            assert!(
                spec["components"]["schemas"][schema].is_object(),
                "{schema}"
            );
            let headers: Vec<&str> = post["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "header")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                headers,
                ["webhook-id", "webhook-timestamp", "webhook-signature"]
            );
            assert!(post["responses"]["200"].is_object(), "{name}");
        }
        assert_eq!(
            spec["webhooks"]["message.received"]["post"]["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/WebhookEvent_MessageReceived"
        );
    }
}
