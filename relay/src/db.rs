//! Database helpers every role shares.

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IsolationLevel, Select, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Starts a transaction that will write. On SQLite it takes the write lock
/// at `BEGIN IMMEDIATE`, waiting out the busy timeout like any write; a
/// deferred transaction that reads first and then writes fails at once with
/// SQLITE_BUSY_SNAPSHOT when another connection wrote meanwhile, which under
/// load turned admin writes into 500s. PostgreSQL ignores the mode.
///
/// # Errors
/// When the database cannot start the transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Starts a transaction that only reads, every read of it seeing the same
/// snapshot: for an answer made of several queries that must agree (a
/// message and its lifecycle stages, read while the sender writes both).
/// PostgreSQL: `REPEATABLE READ, READ ONLY`, the snapshot taken at its
/// first statement. SQLite: a deferred transaction, whose first read fixes
/// the snapshot (WAL) until it ends; SQLite takes no isolation level.
///
/// # Errors
/// When the database cannot start the transaction.
pub async fn begin_read(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Deferred),
            ..Default::default()
        },
        _ => TransactionOptions {
            isolation_level: Some(IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            ..Default::default()
        },
    };
    db.begin_with_options(options).await
}

/// The row of a look-up by a unique key (at most one row), like `.one()`
/// but without its `LIMIT ?`: SQLite (the bundled 3.51) marks a statement whose
/// LIMIT is a bound parameter as depending on that parameter's value, and
/// every new binding then re-prepares the statement (sqlx binds anew on
/// every execution of its cached statements), which cost the router ~12 %
/// of its CPU re-parsing SQL.
///
/// # Errors
/// Database errors.
pub async fn unique<E: EntityTrait>(
    select: Select<E>,
    conn: &impl ConnectionTrait,
) -> Result<Option<E::Model>, DbErr> {
    Ok(select.all(conn).await?.into_iter().next())
}

/// The items once each, in first-seen order: the values of an `IN` list.
pub(crate) fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    items.filter(|i| seen.insert(*i)).collect()
}
