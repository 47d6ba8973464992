//! Database helpers every role shares.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, Select,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
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
