//! SeaORM entities for Wharf: one module per database table, plus a `prelude`
//! re-exporting every `Entity` under its table-ish name, and the small string
//! enums used by status-like columns.
#![forbid(unsafe_code)]

use sea_orm::ActiveValue;

/// Declares a plain Rust enum mirroring the allowed values of a `String`
/// column, with `as_str()`, `FromStr`, `Display`, `ALL` and serde support,
/// and `Into<sea_orm::Value>` so queries compare the column with the enum
/// (`Column::Status.eq(ConversationStatus::Queued)`, `.is_in([..])`,
/// `Expr::value(..)`) while the column stays a `String`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The value stored in the database column.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err($crate::UnknownVariant {
                        kind: stringify!($name),
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_owned()
            }
        }

        impl From<$name> for ::sea_orm::Value {
            fn from(value: $name) -> ::sea_orm::Value {
                ::sea_orm::Value::from(value.as_str())
            }
        }
    };
}

pub mod account_event;
pub mod agent;
pub mod agent_presence_interval;
pub mod api_token;
pub mod audit_log;
pub mod business_number;
pub mod campaign;
pub mod campaign_recipient;
pub mod canned_response;
pub mod contact;
pub mod conversation;
pub mod conversation_label;
pub mod conversation_note;
pub mod conversation_read;
pub mod conversation_snooze;
pub mod dead_letter;
pub mod label;
pub mod message;
pub mod message_event;
pub mod routing_rule;
pub mod sla_breach;
pub mod sla_outcome;
pub mod sla_policy;
pub mod support_measure;
pub mod team;
pub mod team_member;
pub mod template;
pub mod webhook_attempt;
pub mod webhook_endpoint;
pub mod webhook_outbox;

/// Error returned by the `FromStr` impls of the column enums when the string
/// is not one of the known values, and by the models' typed accessors
/// (`conversation::Model::status()`, …) when a row holds such a value (the
/// column is a plain `String`, so a row written by hand or by a newer
/// version can). Callers decide: a comparison treats it as none of the known
/// values, an API answer passes the stored string through unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariant {
    /// Name of the enum that failed to parse (e.g. `"ConversationStatus"`).
    pub kind: &'static str,
    /// The offending input.
    pub value: String,
}

impl std::fmt::Display for UnknownVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} value {:?}", self.kind, self.value)
    }
}

impl std::error::Error for UnknownVariant {}

/// The `ActiveModelBehavior` of a table with timestamps: `created_at` filled
/// on insert and, when named, `updated_at` on every save ([`stamp`]).
macro_rules! stamped {
    ($created:ident $(, $updated:ident)?) => {
        #[async_trait::async_trait]
        impl ActiveModelBehavior for ActiveModel {
            async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
            where
                C: ConnectionTrait,
            {
                let updated = None $(.or(Some(&mut self.$updated)))?;
                $crate::stamp(&mut self.$created, updated, insert);
                Ok(self)
            }
        }
    };
}
pub(crate) use stamped;

/// A table's relations: the `Relation` enum, its `RelationTrait` and one
/// `Related` impl per relation, written once here instead of a
/// `DeriveRelation` attribute block and a `Related` impl in every entity.
/// Each relation is `Variant => has_many module` or `Variant => belongs_to
/// module (FromColumn[, update Action], delete Action)` (the other table's
/// `id`); a table related to another through a third writes that
/// `Related` impl itself.
macro_rules! relations {
    ($(
        $(#[$doc:meta])*
        $variant:ident => $kind:ident $target:ident
            $(($from:ident $(, update $update:ident)?, delete $delete:ident))?
    ),* $(,)?) => {
        #[derive(Copy, Clone, Debug, EnumIter)]
        pub enum Relation {
            $( $(#[$doc])* $variant, )*
        }

        impl RelationTrait for Relation {
            fn def(&self) -> RelationDef {
                match *self {
                    $( Self::$variant => $crate::relations!(
                        @def $kind $target $(($from $(, update $update)?, delete $delete))?
                    ), )*
                }
            }
        }

        $(
            impl Related<super::$target::Entity> for Entity {
                fn to() -> RelationDef {
                    Relation::$variant.def()
                }
            }
        )*
    };
    (@def has_many $target:ident) => {
        Entity::has_many(super::$target::Entity).into()
    };
    (@def belongs_to $target:ident ($from:ident $(, update $update:ident)?, delete $delete:ident)) => {
        Entity::belongs_to(super::$target::Entity)
            .from(Column::$from)
            .to(super::$target::Column::Id)
            $(.on_update(ForeignKeyAction::$update))?
            .on_delete(ForeignKeyAction::$delete)
            .into()
    };
}
pub(crate) use relations;

/// Fills `created_at` on insert and `updated_at` on every save, unless the
/// caller set them explicitly. Used by the `ActiveModelBehavior` impls.
pub(crate) fn stamp(
    created_at: &mut ActiveValue<chrono::DateTime<chrono::Utc>>,
    updated_at: Option<&mut ActiveValue<chrono::DateTime<chrono::Utc>>>,
    insert: bool,
) {
    let now = chrono::Utc::now();
    if insert && !created_at.is_set() {
        *created_at = ActiveValue::Set(now);
    }
    if let Some(updated_at) = updated_at
        && !updated_at.is_set()
    {
        *updated_at = ActiveValue::Set(now);
    }
}

/// `Entity` types under their table names, e.g. `prelude::Conversation`.
pub mod prelude {
    pub use super::agent::Entity as Agent;
    pub use super::agent_presence_interval::Entity as AgentPresenceInterval;
    pub use super::api_token::Entity as ApiToken;
    pub use super::audit_log::Entity as AuditLog;
    pub use super::business_number::Entity as BusinessNumber;
    pub use super::campaign::Entity as Campaign;
    pub use super::campaign_recipient::Entity as CampaignRecipient;
    pub use super::canned_response::Entity as CannedResponse;
    pub use super::contact::Entity as Contact;
    pub use super::conversation::Entity as Conversation;
    pub use super::conversation_label::Entity as ConversationLabel;
    pub use super::conversation_note::Entity as ConversationNote;
    pub use super::conversation_read::Entity as ConversationRead;
    pub use super::dead_letter::Entity as DeadLetter;
    pub use super::label::Entity as Label;
    pub use super::message::Entity as Message;
    pub use super::message_event::Entity as MessageEvent;
    pub use super::routing_rule::Entity as RoutingRule;
    pub use super::support_measure::Entity as SupportMeasure;
    pub use super::team::Entity as Team;
    pub use super::team_member::Entity as TeamMember;

    pub use super::UnknownVariant;
    pub use super::agent::{Presence, Role};
    pub use super::business_number::Provider;
    pub use super::conversation::ConversationStatus;
    pub use super::dead_letter::DeadLetterStatus;
    pub use super::message::{Direction, MessageKind, MessageStatus};
    pub use super::support_measure::MeasureKind;
    pub use super::team::RoutingStrategy;
}

#[cfg(test)]
mod tests {
    use super::prelude::*;
    use std::str::FromStr;

    #[test]
    fn relations_join_on_their_columns_and_keep_their_foreign_key_actions() {
        use sea_orm::{
            DbBackend, EntityTrait, ForeignKeyAction, QuerySelect, QueryTrait, RelationTrait,
        };
        // belongs_to: the owning table's column to the other table's id.
        let sql = crate::conversation::Entity::find()
            .find_also_related(crate::team::Entity)
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(
            sql.contains(r#"LEFT JOIN "teams" ON "conversations"."team_id" = "teams"."id""#),
            "{sql}"
        );
        // has_many: the other table's column to this table's id.
        let sql = crate::agent::Entity::find()
            .find_with_related(crate::conversation::Entity)
            .build(DbBackend::Postgres)
            .to_string();
        assert!(
            sql.contains(
                r#"LEFT JOIN "conversations" ON "agents"."id" = "conversations"."assignee_id""#
            ),
            "{sql}"
        );
        // Reversed, as the campaign audience by label joins.
        let sql = crate::conversation::Entity::find()
            .join(
                sea_orm::JoinType::InnerJoin,
                crate::conversation_label::Relation::Conversation
                    .def()
                    .rev(),
            )
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(
            sql.contains(r#"INNER JOIN "conversation_labels" ON "conversations"."id" = "conversation_labels"."conversation_id""#),
            "{sql}"
        );
        let team = crate::conversation::Relation::Team.def();
        assert!(matches!(team.on_delete, Some(ForeignKeyAction::SetNull)));
        assert!(matches!(team.on_update, Some(ForeignKeyAction::Cascade)));
        let label = crate::conversation_label::Relation::Label.def();
        assert!(matches!(label.on_delete, Some(ForeignKeyAction::Cascade)));
        assert!(label.on_update.is_none());
    }

    #[test]
    fn every_enum_round_trips_through_its_database_string() {
        fn check<T>(all: &[T], as_str: fn(T) -> &'static str)
        where
            T: Copy + FromStr + PartialEq + std::fmt::Debug,
            T::Err: std::fmt::Debug,
        {
            for v in all {
                assert_eq!(T::from_str(as_str(*v)).expect("parses"), *v);
            }
        }
        check(Provider::ALL, Provider::as_str);
        check(MeasureKind::ALL, MeasureKind::as_str);
        check(Role::ALL, Role::as_str);
        check(Presence::ALL, Presence::as_str);
        check(RoutingStrategy::ALL, RoutingStrategy::as_str);
        check(ConversationStatus::ALL, ConversationStatus::as_str);
        check(Direction::ALL, Direction::as_str);
        check(MessageKind::ALL, MessageKind::as_str);
        check(MessageStatus::ALL, MessageStatus::as_str);
        check(DeadLetterStatus::ALL, DeadLetterStatus::as_str);
    }

    #[test]
    fn unknown_strings_are_rejected_with_the_enum_name() {
        let err = ConversationStatus::from_str("closed").expect_err("not a status");
        assert_eq!(err.kind, "ConversationStatus");
        assert_eq!(
            err.to_string(),
            "unknown ConversationStatus value \"closed\""
        );
    }

    #[test]
    fn enums_compare_with_their_string_columns_in_queries() {
        use crate::{conversation, message};
        use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryTrait};
        let sql = conversation::Entity::find()
            .filter(conversation::Column::Status.eq(ConversationStatus::Queued))
            .filter(message::Column::Status.is_in([MessageStatus::Sent, MessageStatus::Failed]))
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(sql.contains("\"status\" = 'queued'"), "{sql}");
        assert!(sql.contains("IN ('sent', 'failed')"), "{sql}");
        assert_eq!(
            sea_orm::Value::from(Presence::Online),
            sea_orm::Value::from("online")
        );
    }

    #[test]
    fn typed_accessors_parse_the_column_and_report_unknown_values() {
        let now = chrono::Utc::now();
        let mut row = crate::conversation::Model {
            id: 1,
            business_number_id: 1,
            contact_id: 1,
            status: "pending".into(),
            team_id: None,
            assignee_id: None,
            priority: 0,
            version: 1,
            last_inbound_at: None,
            last_message_at: now,
            waiting_since: None,
            resolved_at: None,
            assigned_at: None,
            opened_at: None,
            response_due_since: None,
            first_response_at: None,
            first_response_secs: None,
            resolution_secs: None,
            reopen_count: 0,
            messages_in: 0,
            messages_out: 0,
            sla_policy_id: None,
            sla_target: None,
            sla_due_at: None,
            sla_warn_at: None,
            sla_breached_at: None,
            sla_breach: None,
            sla_dirty: 0,
            csat_state: None,
            csat_asked_at: None,
            csat_expires_at: None,
            csat_message_id: None,
            csat_score: None,
            csat_answered_at: None,
            snoozed_until: None,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(row.status(), Ok(ConversationStatus::Pending));
        row.status = "closed".into();
        let err = row.status().expect_err("not a status");
        assert_eq!(err.kind, "ConversationStatus");
    }

    #[test]
    fn serde_uses_the_database_strings() {
        let json = serde_json::to_string(&RoutingStrategy::LeastLoaded).expect("serializes");
        assert_eq!(json, "\"least_loaded\"");
        let back: RoutingStrategy = serde_json::from_str("\"round_robin\"").expect("parses");
        assert_eq!(back, RoutingStrategy::RoundRobin);
    }
}
