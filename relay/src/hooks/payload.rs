//! The `data` of each event type as Rust types: what the roles serialise
//! into the outbox, and so what an integrator receives. The admin API's
//! spec describes them (`admin::api::webhook_events`, poem-openapi objects
//! bound field for field to these, so the two cannot drift); this module
//! does not know about the spec. Alerts' data is the admin's own (its
//! alert type); the envelope around `data` is [`super::envelope`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which `data` an event type carries (each [`super::EventType`] names one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    MessageReceived,
    MessageStatus,
    Conversation,
    ContactUpdated,
    DeadLetterCreated,
    NumberStatus,
    Alert,
}

/// A conversation as events show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationData {
    pub id: i64,
    /// The business number's phone number id.
    pub business_number: String,
    pub contact_id: i64,
    pub status: String,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub version: i64,
}

impl ConversationData {
    /// `conversation` of `business_number`.
    pub fn of(conversation: &entities::conversation::Model, business_number: &str) -> Self {
        Self {
            id: conversation.id,
            business_number: business_number.to_owned(),
            contact_id: conversation.contact_id,
            status: conversation.status.clone(),
            team_id: conversation.team_id,
            assignee_id: conversation.assignee_id,
            version: conversation.version,
        }
    }
}

/// `data` of the `conversation.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationEvent {
    pub conversation: ConversationData,
}

/// The customer's message of `message.received`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedMessage {
    /// Wharf's message id.
    pub id: i64,
    pub provider_message_id: String,
    /// text, image, audio, …
    #[serde(rename = "type")]
    pub message_type: String,
    pub text: Option<String>,
    /// When the customer sent it (the provider's time).
    pub timestamp: DateTime<Utc>,
    /// Sent from the business's own phone (a WasenderApi echo).
    pub echo: bool,
}

/// The customer of `message.received`, as the provider named them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedContact {
    pub wa_id: String,
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub username: Option<String>,
}

/// `data` of `message.received`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageReceived {
    pub message: ReceivedMessage,
    pub conversation: ConversationData,
    pub contact: ReceivedContact,
}

/// `data` of `message.sent` and `message.status`: one of our replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageStatus {
    /// Wharf's message id of the reply.
    pub message_id: i64,
    pub conversation_id: i64,
    /// sent, delivered, read, failed.
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
    /// The provider's id of the reply, when the sender reports it.
    pub provider_message_id: Option<String>,
    pub timestamp: DateTime<Utc>,
}

/// A contact as `contact.updated` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl From<&entities::contact::Model> for ContactData {
    fn from(row: &entities::contact::Model) -> Self {
        Self {
            id: row.id,
            wa_id: row.wa_id.clone(),
            name: row.profile_name.clone(),
            tier: row.tier.clone(),
            language: row.language.clone(),
            attributes: row.attributes.clone(),
            marketing_opt_out_at: row.marketing_opt_out_at,
        }
    }
}

/// `data` of `contact.updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactUpdated {
    pub contact: ContactData,
}

/// A dead letter as `dead_letter.created` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl From<&entities::dead_letter::Model> for DeadLetterData {
    fn from(row: &entities::dead_letter::Model) -> Self {
        Self {
            id: row.id,
            origin: row.origin.clone(),
            reason: row.reason.clone(),
            business_number: row.business_number.clone(),
            error: row.error.clone(),
            attempts: row.attempts,
            failed_at: row.first_failed_at,
        }
    }
}

/// `data` of `dead_letter.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterCreated {
    pub dead_letter: DeadLetterData,
}

/// What the provider reported in `number.status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberUpdate {
    /// The provider's field, e.g. `account_update`, `phone_number_quality_update`.
    pub field: String,
    pub timestamp: DateTime<Utc>,
    /// The provider's report as it sent it.
    pub value: Value,
}

/// `data` of `number.status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberStatus {
    /// The business number's phone number id.
    pub business_number: String,
    pub update: NumberUpdate,
}
