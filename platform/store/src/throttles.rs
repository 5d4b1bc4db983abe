//! Attempt counters in the database, so that every app server counts the same attempts.
//!
//! Fixed windows, read with the window before: the caller weighs the previous window by the
//! part of it still inside a sliding window (a burst straddling a window's start is still seen).

use crate::{Result, Store, on_pool, on_writer};

/// The attempts counted under a key: in the window holding the instant asked about, and in the
/// window before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hits {
    pub current: i64,
    pub previous: i64,
}

fn window_start(at_unix: i64, window_secs: i64) -> i64 {
    at_unix - at_unix.rem_euclid(window_secs.max(1))
}

impl Store {
    /// Counts one attempt under `key` in the fixed window of `window_secs` that holds `at_unix`.
    /// `key` should not be personal data (the server passes a digest).
    pub async fn throttle_hit(&self, key: &str, window_secs: i64, at_unix: i64) -> Result<Hits> {
        let start = window_start(at_unix, window_secs);
        let current: i32 = on_writer!(self, |p| sqlx::query_scalar(
            "INSERT INTO throttles (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, window_start) DO UPDATE SET hits = throttles.hits + 1 \
             RETURNING hits"
        )
        .bind(key)
        .bind(start)
        .fetch_one(p)
        .await)?;
        let previous = self.hits_at(key, start - window_secs).await?;
        Ok(Hits {
            current: i64::from(current),
            previous,
        })
    }

    /// The attempts counted under `key` around `at_unix`, without counting one.
    pub async fn throttle_hits(&self, key: &str, window_secs: i64, at_unix: i64) -> Result<Hits> {
        let start = window_start(at_unix, window_secs);
        Ok(Hits {
            current: self.hits_at(key, start).await?,
            previous: self.hits_at(key, start - window_secs).await?,
        })
    }

    async fn hits_at(&self, key: &str, window_start: i64) -> Result<i64> {
        let hits: Option<i32> = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT hits FROM throttles WHERE key = $1 AND window_start = $2"
        )
        .bind(key)
        .bind(window_start)
        .fetch_optional(p)
        .await)?;
        Ok(i64::from(hits.unwrap_or(0)))
    }

    /// Forgets windows that started before `before_unix`; run periodically.
    pub async fn purge_throttles(&self, before_unix: i64) -> Result<u64> {
        Ok(on_writer!(self, |p| sqlx::query(
            "DELETE FROM throttles WHERE window_start < $1"
        )
        .bind(before_unix)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }
}
