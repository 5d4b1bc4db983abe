//! The only crate that speaks SQL.
//!
//! One [`Store`] over either backend. Both migration trees and every query use `$N` placeholders
//! (sqlx-sqlite accepts them), so most SQL text is shared and dispatched by the [`on_pool!`] and
//! [`on_tx!`] macros, which expand the same generic code once per native driver. Where the two
//! dialects differ, a method matches on the backend explicitly.
//!
//! Tenant-owned rows are only reached through a [`TenantTx`], opened from a [`TenantScope`]: it
//! filters by `organization_id` in SQL and, on PostgreSQL, also sets the transaction-local tenant
//! that row-level security checks.

mod accounts;
mod assessments;
mod campaigns;
mod collation;
mod content;
mod identity;
mod import_jobs;
mod learners;
mod organizations;
mod sessions;
mod submissions;
mod team;
mod throttles;

pub use accounts::{NewUser, PasswordResetToken, User, UserMembership};
pub use assessments::{
    AnswerRow, Assessment, MyParticipation, NewAnswer, NewAssessment, StoredKnowledge,
};
pub use campaigns::{
    Campaign, CampaignFigures, CampaignKind, CampaignSummary, ExportRow, NewCampaign,
    ParticipantFilter, ParticipantPage, ParticipantRow, Participation, SharedResults,
};
pub use content::{
    DesignerToken, NewPackage, NewTargetProfile, OfferedProfile, PackageOwner, PackageRow,
    PackageSummary, PublishRefusal, Published, TargetProfileRow,
};
pub use identity::{IdentityProvider, NewIdentity, NewIdentityProvider, UserIdentity};
pub use import_jobs::{ImportJob, ImportRefusal};
pub use learners::{
    Certificability, Connection, ImportCounts, ImportRow, Learner, LearnerFilter, LearnerListRow,
    LearnerPage, LearnerParticipation, LearnerSort,
};
pub use organizations::{NewOrganization, Organization, OrganizationPage};
pub use sessions::{SessionStoreImpl, USER_KEY as SESSION_USER_KEY};
pub use submissions::Submission;
pub use team::{AuditEntry, Invitation, InvitationStatus, Member};
pub use throttles::Hits;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use acquis_tenants::{TenantId, TenantScope};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use uuid::Uuid;

pub use sqlx;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Runs `$body` with `$p` bound to the PostgreSQL pool or to one of SQLite's two pools.
macro_rules! on_pools {
    ($store:expr, $sqlite:ident, |$p:ident| $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(pools) => {
                let $p = &pools.$sqlite;
                $body
            }
            $crate::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pools;

/// Runs `$body` with `$p` bound to the backend's pool for reads (on SQLite, the read-only
/// connections: a write there fails, so every write must go through [`on_writer!`]).
macro_rules! on_pool {
    ($store:expr, |$p:ident| $body:expr) => {
        $crate::on_pools!($store, read, |$p| $body)
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$p` bound to the backend's pool for a write outside a transaction (on
/// SQLite, the one writer connection).
macro_rules! on_writer {
    ($store:expr, |$p:ident| $body:expr) => {
        $crate::on_pools!($store, write, |$p| $body)
    };
}
pub(crate) use on_writer;

/// Runs `$body` with `$c` bound to the connection a [`Held`] carries, or else to the backend's
/// pool for reads (`read`) or writes (`write`).
macro_rules! on_held {
    ($store:expr, $held:expr, $sqlite:ident, |$c:ident| $body:expr) => {
        match $held.0.as_mut() {
            Some(conn) => {
                let $c = &mut **conn;
                $body
            }
            None => $crate::on_pools!($store, $sqlite, |$c| $body),
        }
    };
}
pub(crate) use on_held;

/// Runs `$body` with `$c` bound to the connection of a `&mut TxInner`.
macro_rules! on_inner {
    ($inner:expr, |$c:ident| $body:expr) => {
        match $inner {
            $crate::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::TxInner::SqliteRead(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_inner;

/// Runs `$body` with `$c` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        $crate::on_inner!(&mut $tx.inner, |$c| $body)
    };
}
pub(crate) use on_tx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; carries the constraint's column or index name.
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Refused(String),
    /// The change would leave an establishment without an administrator.
    #[error("the establishment would have no administrator left")]
    LastAdmin,
}

impl StoreError {
    /// Maps unique violations to [`StoreError::Conflict`], naming what collided.
    pub(crate) fn from_write(e: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            let what = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            return StoreError::Conflict(what);
        }
        StoreError::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// SQLite admits one writer at a time. With every connection free to write, concurrent writers
/// wait for the lock in SQLite's busy handler, which sleeps 1 ms, 2 ms, 5 ms… between tries: the
/// lock sits idle while they sleep. One writer connection queues them in the pool instead, each
/// taking the lock the moment the previous one commits; reads go to read-only connections (WAL
/// lets them run beside the writer).
#[derive(Clone, Debug)]
pub(crate) struct SqlitePools {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    pub(crate) cache: Arc<Caches>,
}

/// Read-through caches of what every signed-in request needs (the account and its memberships).
///
/// Writes made through this store invalidate their entries at once; another app server behind
/// the same database sees a change after at most the time-to-live (`cache_ttl`).
#[derive(Debug)]
pub(crate) struct Caches {
    pub(crate) users: moka::future::Cache<Uuid, User>,
    pub(crate) memberships: moka::future::Cache<Uuid, Arc<Vec<UserMembership>>>,
    /// The answers of each assessment, in order. Never stale, so no time-to-live: an entry is
    /// only used up to the answer count the caller read (see `with_answers`).
    pub(crate) answered: moka::future::Cache<Uuid, Arc<assessments::AnswerLog>>,
    /// The tutorials each student saved, newest first.
    pub(crate) saved_tutorials: moka::future::Cache<Uuid, Arc<Vec<String>>>,
    /// The campaign title a test page shows in its header, by participation.
    pub(crate) campaign_titles: moka::future::Cache<Uuid, Arc<str>>,
    /// Each assessment as this server last wrote or read it for an answer. No time-to-live: a
    /// page only uses an entry for the revision it holds (see `Store::assessment_at`), and an
    /// answer's write checks that revision (see `Store::answer_state`).
    pub(crate) assessments: moka::future::Cache<Uuid, Assessment>,
}

impl Caches {
    fn new(ttl: Duration) -> Caches {
        Caches {
            users: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
            memberships: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
            answered: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            saved_tutorials: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
            campaign_titles: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
            // The page that follows a write comes within a second; an hour covers a student
            // who reloads it after a break.
            assessments: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(3600))
                .build(),
        }
    }

    pub(crate) async fn forget_user(&self, user: Uuid) {
        self.users.invalidate(&user).await;
        self.memberships.invalidate(&user).await;
    }
}

/// One pooled PostgreSQL connection carried through a request's store calls, which then pay one
/// checkout and one release ping (a round trip) instead of one each. On SQLite it holds nothing:
/// each call takes the reader or the writer it needs.
///
/// A handler holding one must [`release`](Held::release) it before anything that may take
/// another connection: requests all holding one and all waiting for a second would empty the
/// pool and wait on themselves.
#[derive(Default)]
pub struct Held(Option<sqlx::pool::PoolConnection<Postgres>>);

impl Held {
    pub fn release(&mut self) {
        self.0 = None;
    }
}

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    /// Reads on SQLite need no transaction: each statement sees a consistent state, and skipping
    /// BEGIN/COMMIT halves the driver round trips of a page.
    SqliteRead(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A transaction on global tables only (accounts, sessions, the establishment registry).
pub struct Tx {
    pub(crate) inner: TxInner,
}

/// A transaction inside one tenant: the only way to touch tenant-owned rows.
pub struct TenantTx {
    pub(crate) inner: TxInner,
    pub(crate) scope: TenantScope,
    pub(crate) cache: Arc<Caches>,
    /// Users whose memberships this transaction changed; their cache entries go at commit.
    pub(crate) touched: Vec<Uuid>,
    pub(crate) touched_all: bool,
    /// A campaign's title changed; the cached titles go at commit.
    pub(crate) titles_touched: bool,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::SqliteRead(_) => {}
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl TenantTx {
    pub fn scope(&self) -> &TenantScope {
        &self.scope
    }

    pub(crate) fn tenant(&self) -> Uuid {
        self.scope.tenant().0
    }

    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::SqliteRead(_) => {}
            TxInner::Postgres(t) => t.commit().await?,
        }
        // Again after commit: a reader may have cached the old rows while the transaction ran.
        if self.touched_all {
            self.cache.memberships.invalidate_all();
        }
        if self.titles_touched {
            self.cache.campaign_titles.invalidate_all();
        }
        for user in self.touched {
            self.cache.forget_user(user).await;
        }
        Ok(())
    }

    pub(crate) async fn touch(&mut self, user: Uuid) {
        self.cache.forget_user(user).await;
        self.touched.push(user);
    }

    pub(crate) fn touch_all(&mut self) {
        self.cache.memberships.invalidate_all();
        self.touched_all = true;
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite://path` or `postgres://…` for the application's role.
    pub url: String,
    /// PostgreSQL only: a role that owns the schema, used to migrate. Without it the schema must
    /// already be up to date.
    pub migrate_url: Option<String>,
    pub max_connections: u32,
    /// Time-to-live of the account and session caches (zero turns them off).
    pub cache_ttl: Duration,
}

impl Store {
    /// Connects, migrates, and on PostgreSQL refuses a role that would bypass row-level security.
    pub async fn connect(opts: &ConnectOptions) -> Result<Store> {
        if opts.url.starts_with("sqlite:") {
            let write = connect_sqlite(&opts.url, 1, false).await?;
            SQLITE_MIGRATIONS.run(&write).await?;
            let read = connect_sqlite(&opts.url, opts.max_connections, true).await?;
            Ok(Store {
                db: Db::Sqlite(SqlitePools { read, write }),
                cache: Arc::new(Caches::new(opts.cache_ttl)),
            })
        } else if opts.url.starts_with("postgres:") || opts.url.starts_with("postgresql:") {
            if let Some(owner_url) = &opts.migrate_url {
                let owner = PgPoolOptions::new()
                    .max_connections(1)
                    .connect(owner_url)
                    .await?;
                POSTGRES_MIGRATIONS.run(&owner).await?;
                owner.close().await;
            }
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                // sqlx pings a connection (a round trip) when it goes back to the pool and, by
                // default, again when it is taken out: three round trips for a one-statement
                // read. The ping on release stays; a connection that died while idle fails one
                // statement and is replaced.
                .test_before_acquire(false)
                .connect_with(PgConnectOptions::from_str(&opts.url)?)
                .await?;
            check_pg_role(&pool).await?;
            Ok(Store {
                db: Db::Postgres(pool),
                cache: Arc::new(Caches::new(opts.cache_ttl)),
            })
        } else {
            Err(StoreError::Refused(format!(
                "unsupported database URL (expected sqlite:// or postgres://): {}",
                opts.url
            )))
        }
    }

    /// Runs the PostgreSQL migrations as the connecting (owner) role.
    pub async fn migrate_postgres(owner_url: &str) -> Result<()> {
        let owner = PgPoolOptions::new()
            .max_connections(1)
            .connect(owner_url)
            .await?;
        POSTGRES_MIGRATIONS.run(&owner).await?;
        owner.close().await;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pools) => {
                pools.read.close().await;
                pools.write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A connection to carry through a request's store calls (see [`Held`]).
    pub async fn hold(&self) -> Result<Held> {
        Ok(Held(match &self.db {
            Db::Postgres(p) => Some(p.acquire().await?),
            Db::Sqlite(_) => None,
        }))
    }

    /// A transaction on global tables.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.db {
            // IMMEDIATE takes the write lock up front: a deferred transaction that reads then
            // writes fails with SQLITE_BUSY instead of waiting when another writer is active.
            Db::Sqlite(p) => TxInner::Sqlite(p.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(Tx { inner })
    }

    /// A transaction inside the scope's tenant.
    pub async fn tenant_tx(&self, scope: &TenantScope) -> Result<TenantTx> {
        let inner = match &self.db {
            Db::Sqlite(p) => TxInner::Sqlite(p.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => {
                TxInner::Postgres(begin_pg_tenant(p, scope.tenant(), scope.user_id()).await?)
            }
        };
        Ok(self.wrap(inner, scope))
    }

    /// A read-only tenant unit of work; on SQLite a plain pooled connection (no write lock, no
    /// BEGIN/COMMIT), on PostgreSQL a transaction carrying the tenant for row-level security.
    pub async fn tenant_read(&self, scope: &TenantScope) -> Result<TenantTx> {
        let inner = match &self.db {
            Db::Sqlite(p) => TxInner::SqliteRead(p.read.acquire().await?),
            Db::Postgres(p) => {
                TxInner::Postgres(begin_pg_tenant(p, scope.tenant(), scope.user_id()).await?)
            }
        };
        Ok(self.wrap(inner, scope))
    }

    fn wrap(&self, inner: TxInner, scope: &TenantScope) -> TenantTx {
        TenantTx {
            inner,
            scope: *scope,
            cache: self.cache.clone(),
            touched: Vec::new(),
            touched_all: false,
            titles_touched: false,
        }
    }
}

/// Begins a transaction with the tenant set, in one round trip.
///
/// `SET LOCAL` dies with the transaction, so a pooled connection never carries a tenant into its
/// next borrower; it also reaches Citus workers, which `set_config()` does not. `SET` takes no
/// bind parameters: the values are typed `Uuid`s formatted here, never user text.
pub(crate) async fn begin_pg_tenant(
    pool: &PgPool,
    tenant: TenantId,
    user: Option<Uuid>,
) -> Result<sqlx::Transaction<'static, Postgres>> {
    let user = user.map(|u| u.to_string()).unwrap_or_default();
    let begin = format!(
        "BEGIN; SET LOCAL app.tenant_id = '{}'; SET LOCAL app.user_id = '{user}'",
        tenant.0
    );
    Ok(pool.begin_with(sqlx::AssertSqlSafe(begin)).await?)
}

/// The writer pool (opened first: it creates the file and switches it to WAL) or the read-only one.
async fn connect_sqlite(url: &str, max_connections: u32, read_only: bool) -> Result<SqlitePool> {
    let mut opts = SqliteConnectOptions::from_str(url)?
        .create_if_missing(!read_only)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        // Other processes (the command line beside a running server) still wait for the lock.
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    if read_only {
        opts = opts.pragma("query_only", "ON");
    }
    if let Some(parent) = std::path::Path::new(opts.get_filename()).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Refused(format!("cannot create {}: {e}", parent.display())))?;
    }
    Ok(SqlitePoolOptions::new()
        .max_connections(max_connections)
        // A ping is a message to the connection's thread and back; an open file does not die.
        .test_before_acquire(false)
        // Writers queue here for as long as they would have waited for the lock.
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await?)
}

/// Row-level security is a wall only for a role that neither is superuser nor has BYPASSRLS.
async fn check_pg_role(pool: &PgPool) -> Result<()> {
    let (user, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(pool)
    .await?;
    if superuser || bypass {
        return Err(StoreError::Refused(format!(
            "refusing to serve as PostgreSQL role \"{user}\": it is {} and would bypass row-level \
             security. Connect as a role without SUPERUSER or BYPASSRLS (e.g. acquis_app) and \
             give the owner role in ACQUIS_MIGRATE_DATABASE_URL.",
            if superuser {
                "a superuser"
            } else {
                "BYPASSRLS"
            }
        )));
    }
    Ok(())
}

/// The migration versions shipped for each backend, for the check that both trees match.
pub fn migration_versions() -> (Vec<i64>, Vec<i64>) {
    let v = |m: &sqlx::migrate::Migrator| m.iter().map(|m| m.version).collect::<Vec<_>>();
    (v(&SQLITE_MIGRATIONS), v(&POSTGRES_MIGRATIONS))
}

pub(crate) fn now() -> time::OffsetDateTime {
    // Whole microseconds: PostgreSQL keeps no more, so values read back compare equal.
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}
