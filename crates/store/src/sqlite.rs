//! Opening the SQLite database and applying migrations.

use domain::ports::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// The SQLite adapter: a connection pool over one database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

pub(crate) fn backend(err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(err))
}

/// One page of rows newest first: `sql` selects with `?1` the owner's id, `?2` the id to stay
/// below, `?3` the limit; `row` reads each.
pub(crate) async fn newest_first<T>(
    pool: &sqlx::SqlitePool,
    sql: &str,
    owner: i64,
    before: Option<i64>,
    limit: u32,
    row: fn(&sqlx::sqlite::SqliteRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let rows = sqlx::query(sql)
        .bind(owner)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter().map(row).collect()
}

/// Whether `err` broke a UNIQUE constraint.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("unreadable {what} in the database").into())
}

/// Now, in unix milliseconds (the time columns of builds, deployments, runs and the audit log).
pub(crate) fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn time_ms(ms: i64) -> Result<time::OffsetDateTime, StoreError> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|_| corrupt("timestamp"))
}

pub(crate) fn optional_time(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<Option<time::OffsetDateTime>, StoreError> {
    use sqlx::Row;
    row.try_get::<Option<i64>, _>(column).map_err(backend)?.map(time_ms).transpose()
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`)
    /// and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(backend)?;
        sqlx::migrate!("../../migrations").run(&pool).await.map_err(backend)?;
        Ok(Self { pool })
    }

    /// Answers whether the database responds (for `GET /healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(backend)?;
        Ok(())
    }

    /// Waits for open connections to finish and closes the pool (graceful shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
