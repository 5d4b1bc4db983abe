//! Creation forms submitted twice: the first submission claims the form's key, the others find
//! where it led.

use uuid::Uuid;

use crate::{Result, TenantTx, now, on_tx};

/// What claiming a form's key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// The first time: go on and create, then [`TenantTx::submission_led_to`].
    First,
    /// Already submitted; where the first submission led (`None` if it did not record it).
    Again(Option<String>),
}

impl TenantTx {
    /// Claims `key` for this transaction. On PostgreSQL a concurrent claim of the same key waits
    /// for this transaction to end, then finds its row: two submissions never both create.
    pub async fn claim_submission(&mut self, key: Uuid) -> Result<Submission> {
        let tenant = self.tenant();
        let claimed = on_tx!(self, |c| {
            sqlx::query(
            "INSERT INTO form_submissions (organization_id, key, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        )
        .bind(tenant)
        .bind(key)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if claimed == 1 {
            return Ok(Submission::First);
        }
        let target: Option<Option<String>> = on_tx!(self, |c| sqlx::query_scalar(
            "SELECT target FROM form_submissions WHERE organization_id = $1 AND key = $2"
        )
        .bind(tenant)
        .bind(key)
        .fetch_optional(c)
        .await)?;
        Ok(Submission::Again(target.flatten()))
    }

    /// Records where the submission that claimed `key` led.
    pub async fn submission_led_to(&mut self, key: Uuid, target: &str) -> Result<()> {
        let tenant = self.tenant();
        on_tx!(self, |c| sqlx::query(
            "UPDATE form_submissions SET target = $3 WHERE organization_id = $1 AND key = $2"
        )
        .bind(tenant)
        .bind(key)
        .bind(target)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
