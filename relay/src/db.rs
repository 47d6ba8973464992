//! Database helpers every role shares.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
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
