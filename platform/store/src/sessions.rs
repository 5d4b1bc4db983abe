//! Server-side sessions in the database, so any app server behind a load balancer can serve a user.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use uuid::Uuid;

use crate::{Store, now, on_pool, on_writer};

/// Sessions live in the database; a short-lived in-process cache spares a query per request.
/// A session deleted on another app server (logout) stops working there after at most the
/// cache's time-to-live.
#[derive(Debug, Clone)]
pub struct SessionStoreImpl {
    store: Store,
    cache: moka::future::Cache<Id, Record>,
}

impl SessionStoreImpl {
    pub fn new(store: Store, ttl: std::time::Duration) -> Self {
        SessionStoreImpl {
            store,
            cache: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// Deletes expired sessions; run periodically.
    pub async fn delete_expired(&self) -> crate::Result<u64> {
        Ok(on_writer!(self.store, |p| sqlx::query(
            "DELETE FROM sessions WHERE expiry_date < $1"
        )
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }
}

impl SessionStoreImpl {
    /// Closes every session of `user_id` but `keep` (the one that changed the password). Other
    /// app servers' caches forget a closed session within their time-to-live, as after a logout.
    pub async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        keep: Option<Id>,
    ) -> crate::Result<u64> {
        let keep = keep.map(|k| k.to_string()).unwrap_or_default();
        let n = on_writer!(self.store, |p| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND id <> $2"
        )
        .bind(user_id)
        .bind(&keep)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        let gone: Vec<Id> = self
            .cache
            .iter()
            .filter(|(id, record)| user_of(record) == Some(user_id) && id.to_string() != keep)
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            self.cache.invalidate(&id).await;
        }
        Ok(n)
    }
}

/// The signed-in user a session's data names (the server's `uid` key).
fn user_of(record: &Record) -> Option<Uuid> {
    record
        .data
        .get(USER_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The key under which the server keeps the signed-in user's id in a session.
pub const USER_KEY: &str = "uid";

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for SessionStoreImpl {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id colliding is astronomically unlikely, but never overwrite a session.
        loop {
            let data = serde_json::to_vec(&record.data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let res = on_writer!(self.store, |p| sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date, user_id) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING"
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(record.expiry_date)
            .bind(user_of(record))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if res == 1 {
                self.cache.insert(record.id, record.clone()).await;
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_vec(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        on_writer!(self.store, |p| sqlx::query(
            "INSERT INTO sessions (id, data, expiry_date, user_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date, \
             user_id = excluded.user_id"
        )
        .bind(record.id.to_string())
        .bind(&data)
        .bind(record.expiry_date)
        .bind(user_of(record))
        .execute(p)
        .await.map(|r| r.rows_affected()))
        .map_err(backend)?;
        self.cache.insert(record.id, record.clone()).await;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = self.cache.get(id).await {
            if record.expiry_date > now() {
                return Ok(Some(record));
            }
            self.cache.invalidate(id).await;
        }
        let row: Option<(Vec<u8>, time::OffsetDateTime)> =
            on_pool!(self.store, |p| sqlx::query_as(
                "SELECT data, expiry_date FROM sessions WHERE id = $1"
            )
            .bind(id.to_string())
            .fetch_optional(p)
            .await)
            .map_err(backend)?;
        let Some((data, expiry_date)) = row else {
            return Ok(None);
        };
        if expiry_date <= now() {
            return Ok(None);
        }
        let data = serde_json::from_slice(&data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let record = Record {
            id: *id,
            data,
            expiry_date,
        };
        self.cache.insert(*id, record.clone()).await;
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.cache.invalidate(id).await;
        on_writer!(self.store, |p| sqlx::query(
            "DELETE FROM sessions WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }
}
