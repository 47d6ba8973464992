//! End-to-end schema tests: run the migrations against a real SQLite file and
//! (when `TEST_POSTGRES_URL` is set) a throw-away PostgreSQL database, then
//! exercise the schema through the `entities` crate.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use entities::{business_number, contact, conversation, message};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    DbErr, EntityTrait, PaginatorTrait, SqlErr, Statement,
};
use sea_orm_migration::SchemaManager;

/// Every table the core schema creates.
const TABLES: [&str; 11] = [
    "business_numbers",
    "contacts",
    "teams",
    "agents",
    "team_members",
    "conversations",
    "messages",
    "routing_rules",
    "dead_letters",
    "audit_log",
    "api_tokens",
];

#[tokio::test]
async fn sqlite_schema_migrates_up_dedups_messages_and_migrates_down() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wharf.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = Database::connect(&url).await.unwrap();
    check_schema_lifecycle(&db).await;
    db.close().await.unwrap();
}

#[tokio::test]
async fn postgres_schema_migrates_up_dedups_messages_and_migrates_down() {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("skipping PostgreSQL: TEST_POSTGRES_URL not set");
        return;
    };
    let admin = Database::connect(&admin_url).await.unwrap();
    let name = format!("wharf_test_{:016x}", rand::random::<u64>());
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await
        .unwrap();

    // Run the checks in their own task so the database is dropped even if
    // an assertion fails, then re-raise the failure.
    let url = with_database(&admin_url, &name);
    let outcome = tokio::spawn(async move {
        let db = Database::connect(&url).await.unwrap();
        check_schema_lifecycle(&db).await;
        db.close().await.unwrap();
    })
    .await;

    admin
        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
        .await
        .unwrap();
    admin.close().await.unwrap();
    if let Err(err) = outcome {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// `postgres://u:p@host:5432/postgres?x=y` → same URL with the database
/// path replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// The backend-independent specification of the schema.
async fn check_schema_lifecycle(db: &DatabaseConnection) {
    Migrator::up(db, None).await.unwrap();
    assert_tables_exist(db, true).await;
    assert_column_types(db).await;

    let conversation_id = insert_conversation(db).await;
    check_conversation_defaults(db, conversation_id).await;
    check_message_dedup(db, conversation_id).await;
    check_waiting_and_search_follow_messages(db, conversation_id).await;
    check_foreign_keys_are_enforced(db).await;
    check_trigger_functions_plan_once(db).await;

    // A second `up` is a no-op: nothing pending, data untouched.
    Migrator::up(db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        Migrator::get_applied_migrations(db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    assert_eq!(message::Entity::find().count(db).await.unwrap(), 5);

    Migrator::down(db, None).await.unwrap();
    assert_tables_exist(db, false).await;
    assert_eq!(
        Migrator::get_pending_migrations(db).await.unwrap().len(),
        Migrator::migrations().len()
    );
}

async fn assert_tables_exist(db: &DatabaseConnection, expected: bool) {
    let manager = SchemaManager::new(db);
    for table in TABLES {
        assert_eq!(
            manager.has_table(table).await.unwrap(),
            expected,
            "table {table} exists should be {expected}"
        );
    }
}

/// Ids must be real auto-increment 64-bit keys on each backend.
async fn assert_column_types(db: &DatabaseConnection) {
    let backend = db.get_database_backend();
    match backend {
        DbBackend::Sqlite => {
            for table in TABLES.into_iter().filter(|t| *t != "team_members") {
                let sql = query_string(
                    db,
                    &format!("SELECT sql AS v FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
                )
                .await;
                assert!(
                    sql.contains(r#""id" integer NOT NULL PRIMARY KEY AUTOINCREMENT"#),
                    "{table}: {sql}"
                );
            }
        }
        DbBackend::Postgres => {
            let column = |table: &str, column: &str| {
                format!(
                    "SELECT data_type || '/' || is_identity AS v FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = '{column}'"
                )
            };
            for table in TABLES.into_iter().filter(|t| *t != "team_members") {
                assert_eq!(
                    query_string(db, &column(table, "id")).await,
                    "bigint/YES",
                    "{table}.id"
                );
            }
            assert_eq!(
                query_string(db, &column("messages", "payload")).await,
                "jsonb/NO"
            );
            assert_eq!(
                query_string(db, &column("messages", "provider_timestamp")).await,
                "timestamp with time zone/NO"
            );
        }
        other => panic!("unexpected backend {other:?}"),
    }
}

async fn query_string(db: &DatabaseConnection, sql: &str) -> String {
    let stmt = Statement::from_string(db.get_database_backend(), sql.to_owned());
    let row = db.query_one_raw(stmt).await.unwrap();
    let row = row.unwrap_or_else(|| panic!("no row for {sql}"));
    row.try_get::<String>("", "v").unwrap()
}

async fn insert_conversation(db: &DatabaseConnection) -> i64 {
    let number = business_number::ActiveModel {
        provider: Set(business_number::Provider::Sandbox.into()),
        phone_number_id: Set("100200300".into()),
        display_phone: Set("+1 555 0100".into()),
        name: Set("Support".into()),
        app_secret: Set("app-secret".into()),
        verify_token: Set("verify-token".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(number.access_token, None);

    let contact = contact::ActiveModel {
        wa_id: Set("15550001111".into()),
        profile_name: Set(Some("Ada".into())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(contact.tier, contact::DEFAULT_TIER);
    assert_eq!(contact.attributes, serde_json::json!({}));

    let conversation = conversation::ActiveModel {
        business_number_id: Set(number.id),
        contact_id: Set(contact.id),
        status: Set(conversation::ConversationStatus::Bot.into()),
        last_message_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    conversation.id
}

/// Column defaults and the created/updated stamping survive a round trip.
async fn check_conversation_defaults(db: &DatabaseConnection, id: i64) {
    let conversation = conversation::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conversation.priority, 0);
    assert_eq!(conversation.version, 1);
    assert_eq!(conversation.team_id, None);
    assert_eq!(
        conversation.status.parse(),
        Ok(conversation::ConversationStatus::Bot)
    );
    assert!(conversation.created_at <= Utc::now());
    assert_eq!(conversation.created_at, conversation.updated_at);
}

fn new_message(
    conversation_id: i64,
    provider: &str,
    provider_message_id: Option<&str>,
) -> message::ActiveModel {
    message::ActiveModel {
        conversation_id: Set(conversation_id),
        direction: Set(message::Direction::Inbound.into()),
        provider: Set(provider.into()),
        provider_message_id: Set(provider_message_id.map(str::to_owned)),
        kind: Set(message::MessageKind::Text.into()),
        body: Set(Some("hello".into())),
        payload: Set(serde_json::json!({"text": {"body": "hello"}})),
        status: Set(message::MessageStatus::Received.into()),
        provider_timestamp: Set(Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()),
        ..Default::default()
    }
}

/// How many messages (or, with `contacts`, contacts) the search index
/// finds for `word` as a prefix.
async fn found(db: &DatabaseConnection, word: &str, contacts: bool) -> i64 {
    let sql = match (db.get_database_backend(), contacts) {
        (DbBackend::Postgres, false) => format!(
            "SELECT count(*) AS n FROM messages WHERE search @@ to_tsquery('simple', '{word}:*')"
        ),
        (DbBackend::Postgres, true) => format!(
            "SELECT count(*) AS n FROM contacts WHERE to_tsvector('simple', \
             coalesce(profile_name, '') || ' ' || coalesce(username, '') || ' ' || \
             coalesce(phone, '') || ' ' || wa_id) @@ to_tsquery('simple', '{word}:*')"
        ),
        (_, false) => {
            format!("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH '\"{word}\"*'")
        }
        (_, true) => {
            format!("SELECT count(*) AS n FROM contacts_fts WHERE contacts_fts MATCH '\"{word}\"*'")
        }
    };
    let stmt = Statement::from_string(db.get_database_backend(), sql);
    let row = db.query_one_raw(stmt).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn waiting_since(db: &DatabaseConnection, id: i64) -> Option<chrono::DateTime<Utc>> {
    conversation::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .waiting_since
}

/// The inbox migration's triggers and indexes: a customer waits from their
/// first message after our last reply (reactions aside); the search index
/// follows inserts, edits and deletes of messages and contact renames.
async fn check_waiting_and_search_follow_messages(db: &DatabaseConnection, conversation_id: i64) {
    let first = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    assert_eq!(waiting_since(db, conversation_id).await, Some(first));
    let mut added = Vec::new();
    let mut reply = new_message(conversation_id, "meta", Some("wamid.reply"));
    reply.direction = Set(message::Direction::Outbound.into());
    added.push(reply.insert(db).await.unwrap());
    assert_eq!(waiting_since(db, conversation_id).await, None);
    let mut reaction = new_message(conversation_id, "meta", Some("wamid.reaction"));
    reaction.kind = Set(message::MessageKind::Reaction.into());
    added.push(reaction.insert(db).await.unwrap());
    assert_eq!(
        waiting_since(db, conversation_id).await,
        None,
        "a reaction is no question"
    );
    let later = Utc.with_ymd_and_hms(2026, 11, 28, 13, 0, 0).unwrap();
    let mut question = new_message(conversation_id, "meta", Some("wamid.question"));
    question.provider_timestamp = Set(later);
    question.body = Set(Some("Where is my order #5521?".into()));
    let question = question.insert(db).await.unwrap();
    let mut again = new_message(conversation_id, "meta", Some("wamid.again"));
    again.provider_timestamp = Set(later + chrono::Duration::minutes(5));
    added.push(again.insert(db).await.unwrap());
    assert_eq!(waiting_since(db, conversation_id).await, Some(later));

    assert_eq!(found(db, "5521", false).await, 1);
    let mut edited: message::ActiveModel = question.into();
    edited.body = Set(Some("Where is my parcel?".into()));
    let edited = edited.update(db).await.unwrap();
    assert_eq!(found(db, "5521", false).await, 0, "the old text is gone");
    assert_eq!(found(db, "parc", false).await, 1);
    added.push(edited);
    for row in added {
        message::Entity::delete_by_id(row.id)
            .exec(db)
            .await
            .unwrap();
    }
    assert_eq!(found(db, "parcel", false).await, 0);

    assert_eq!(found(db, "ada", true).await, 1);
    let ada = contact::Entity::find().one(db).await.unwrap().unwrap();
    let mut renamed: contact::ActiveModel = ada.into();
    renamed.profile_name = Set(Some("Beatriz".into()));
    renamed.update(db).await.unwrap();
    assert_eq!(
        (found(db, "ada", true).await, found(db, "beatr", true).await),
        (0, 1)
    );
    assert_eq!(found(db, "1555000", true).await, 1, "by phone prefix");
}

async fn check_message_dedup(db: &DatabaseConnection, conversation_id: i64) {
    new_message(conversation_id, "meta", Some("wamid.1"))
        .insert(db)
        .await
        .unwrap();
    new_message(conversation_id, "meta", Some("wamid.2"))
        .insert(db)
        .await
        .unwrap();

    let duplicate = new_message(conversation_id, "meta", Some("wamid.1"))
        .insert(db)
        .await
        .expect_err("duplicate (provider, provider_message_id) must be rejected");
    assert_unique_violation(&duplicate);

    // The same provider id from another provider is a different message.
    new_message(conversation_id, "wasender", Some("wamid.1"))
        .insert(db)
        .await
        .unwrap();

    // Messages not yet acknowledged by the provider have no id; NULLs never collide.
    new_message(conversation_id, "meta", None)
        .insert(db)
        .await
        .unwrap();
    new_message(conversation_id, "meta", None)
        .insert(db)
        .await
        .unwrap();

    assert_eq!(message::Entity::find().count(db).await.unwrap(), 5);
}

fn assert_unique_violation(err: &DbErr) {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => {
            // SQLite names the columns, PostgreSQL names the index.
            assert!(
                detail.contains(message::UNIQUE_PROVIDER_MESSAGE_ID)
                    || detail.contains("messages.provider_message_id"),
                "unexpected unique violation: {detail}"
            );
        }
        other => panic!("expected a unique violation, got {other:?} from {err}"),
    }
}

async fn check_foreign_keys_are_enforced(db: &DatabaseConnection) {
    let orphan = conversation::ActiveModel {
        business_number_id: Set(9_999),
        contact_id: Set(9_999),
        status: Set(conversation::ConversationStatus::Queued.into()),
        last_message_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect_err("conversation pointing at missing rows must be rejected");
    assert!(
        matches!(
            orphan.sql_err(),
            Some(SqlErr::ForeignKeyConstraintViolation(_))
        ),
        "expected a foreign key violation, got {orphan}"
    );
}

#[test]
fn postgres_url_database_is_replaced_keeping_query() {
    assert_eq!(
        with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
        "postgres://u:p@h:5432/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://u:p@h:5432", "x"),
        "postgres://u:p@h:5432/x"
    );
}

/// PostgreSQL: every function of ours keeps `plan_cache_mode =
/// force_generic_plan` (migration 26): a migration that replaces one
/// without it brings back a plan per row on the router's hot path.
async fn check_trigger_functions_plan_once(db: &DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT p.proname::text, coalesce(array_to_string(p.proconfig, ','), '')
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = current_schema() AND p.proname LIKE 'wharf\\_%'
              ORDER BY 1",
        ))
        .await
        .unwrap();
    let functions: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap(),
            )
        })
        .collect();
    assert!(functions.len() >= 5, "too few functions: {functions:?}");
    let without: Vec<&String> = functions
        .iter()
        .filter(|(_, config)| !config.contains("plan_cache_mode=force_generic_plan"))
        .map(|(name, _)| name)
        .collect();
    assert!(without.is_empty(), "planned per row: {without:?}");
}
