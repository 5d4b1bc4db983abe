//! SIECLE imports as jobs: the row a running import refreshes, and its outcome (the counts, or a
//! refused file's first errors and its full error report). Nothing of an import stays in an app
//! server's memory once it has ended, and any server answers its progress page.

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{ImportCounts, Result, StoreError, TenantTx, now, on_tx};

/// Where an import is, as any server reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportJob {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub filename: String,
    /// `RUNNING`, `DONE` or `FAILED`.
    pub state: String,
    pub done: i32,
    pub total: i32,
    pub http_status: Option<i32>,
    pub error_count: i32,
    /// A JSON array of the first error messages.
    pub errors_preview: Option<String>,
    /// Whether a CSV error report was kept.
    pub has_report: bool,
    pub added: Option<i32>,
    pub updated: Option<i32>,
    pub disabled: Option<i32>,
}

impl ImportJob {
    pub fn preview(&self) -> Vec<String> {
        self.errors_preview
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default()
    }

    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            added: self.added.unwrap_or(0).into(),
            updated: self.updated.unwrap_or(0).into(),
            disabled: self.disabled.unwrap_or(0).into(),
        }
    }
}

/// A refused import's outcome, as the page and the report show it.
pub struct ImportRefusal<'a> {
    pub http_status: u16,
    pub error_count: usize,
    pub preview: &'a [String],
    /// The CSV report of every error, when there is one.
    pub report: Option<&'a [u8]>,
}

/// Finished jobs are kept this long: the report names students, and the history of what was
/// imported lives in `learner_imports`.
const KEEP_FINISHED: Duration = Duration::from_secs(24 * 3600);

impl TenantTx {
    /// Records a new running import. [`StoreError::Conflict`] when the establishment already
    /// has one running (the unique index holds across app servers and concurrent requests);
    /// a running job whose heartbeat is older than `stale_after` belonged to a server that died
    /// mid-way and is marked failed first. Finished jobs past a day are deleted on the way.
    pub async fn start_import_job(
        &mut self,
        id: Uuid,
        created_by: Uuid,
        filename: &str,
        stale_after: Duration,
    ) -> Result<()> {
        let tenant = self.tenant();
        let at = now();
        on_tx!(self, |c| sqlx::query(
            "DELETE FROM learner_import_jobs WHERE organization_id = $1 AND state <> 'RUNNING' \
             AND created_at < $2"
        )
        .bind(tenant)
        .bind(at - KEEP_FINISHED)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        // Error count 0 and no preview: the page says the import was interrupted.
        on_tx!(self, |c| sqlx::query(
            "UPDATE learner_import_jobs SET state = 'FAILED', finished_at = $2, http_status = 500 \
             WHERE organization_id = $1 AND state = 'RUNNING' AND heartbeat_at < $3"
        )
        .bind(tenant)
        .bind(at)
        .bind(at - stale_after)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO learner_import_jobs (organization_id, id, created_by, created_at, \
             filename, state, heartbeat_at) VALUES ($1, $2, $3, $4, $5, 'RUNNING', $4)"
        )
        .bind(tenant)
        .bind(id)
        .bind(created_by)
        .bind(at)
        .bind(filename)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// The running job is alive and has written `done` of `total` students.
    pub async fn import_job_heartbeat(
        &mut self,
        id: Uuid,
        done: usize,
        total: usize,
    ) -> Result<()> {
        let tenant = self.tenant();
        on_tx!(self, |c| sqlx::query(
            "UPDATE learner_import_jobs SET heartbeat_at = $3, done = $4, total = $5 \
             WHERE organization_id = $1 AND id = $2 AND state = 'RUNNING'"
        )
        .bind(tenant)
        .bind(id)
        .bind(now())
        .bind(i32::try_from(done).unwrap_or(i32::MAX))
        .bind(i32::try_from(total).unwrap_or(i32::MAX))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends a running job as refused; `false` when it was no longer running (taken over).
    pub async fn fail_import_job(&mut self, id: Uuid, refusal: &ImportRefusal<'_>) -> Result<bool> {
        let tenant = self.tenant();
        let preview = serde_json::to_string(refusal.preview).unwrap_or_else(|_| "[]".into());
        let n = on_tx!(self, |c| {
            sqlx::query(
            "UPDATE learner_import_jobs SET state = 'FAILED', finished_at = $3, http_status = $4, \
             error_count = $5, errors_preview = $6, error_report = $7 \
             WHERE organization_id = $1 AND id = $2 AND state = 'RUNNING'"
        )
        .bind(tenant)
        .bind(id)
        .bind(now())
        .bind(i32::from(refusal.http_status))
        .bind(i32::try_from(refusal.error_count).unwrap_or(i32::MAX))
        .bind(&preview)
        .bind(refusal.report)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Ends a running job as done, in the import's own transaction: `false` when the job was
    /// no longer running (another import took over a job thought dead), and the caller must
    /// then drop the transaction so that only one import's students are written.
    pub async fn finish_import_job(&mut self, id: Uuid, counts: ImportCounts) -> Result<bool> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE learner_import_jobs SET state = 'DONE', finished_at = $3, done = total, \
             added = $4, updated = $5, disabled = $6 \
             WHERE organization_id = $1 AND id = $2 AND state = 'RUNNING'"
        )
        .bind(tenant)
        .bind(id)
        .bind(now())
        .bind(i32::try_from(counts.added).unwrap_or(i32::MAX))
        .bind(i32::try_from(counts.updated).unwrap_or(i32::MAX))
        .bind(i32::try_from(counts.disabled).unwrap_or(i32::MAX))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A job of this establishment (without its report).
    pub async fn import_job(&mut self, id: Uuid) -> Result<Option<ImportJob>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_as::<_, ImportJob>(
            "SELECT id, created_at, filename, state, done, total, http_status, error_count, \
                    errors_preview, error_report IS NOT NULL AS has_report, added, updated, \
                    disabled \
             FROM learner_import_jobs WHERE organization_id = $1 AND id = $2"
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(c)
        .await)?)
    }

    /// The CSV error report of a refused job of this establishment.
    pub async fn import_job_report(&mut self, id: Uuid) -> Result<Option<Vec<u8>>> {
        let tenant = self.tenant();
        let report: Option<Option<Vec<u8>>> = on_tx!(self, |c| {
            sqlx::query_scalar(
            "SELECT error_report FROM learner_import_jobs WHERE organization_id = $1 AND id = $2"
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(c)
        .await
        })?;
        Ok(report.flatten())
    }
}
