//! An establishment's team (tenant-owned): memberships, invitations, audit log.

use acquis_tenants::{Membership, Role, TenantScope};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, StoreError, TenantTx, now, on_tx};

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (organization_id, id, actor_user_id, action, target, details, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub membership_id: Uuid,
    pub user_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: RoleColumn,
    pub created_at: OffsetDateTime,
}

/// A role read from a column the schema constrains to the known values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleColumn(pub Role);

impl TryFrom<String> for RoleColumn {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        Role::parse(&s)
            .map(RoleColumn)
            .ok_or_else(|| format!("unknown role {s}"))
    }
}

impl Member {
    pub fn role(&self) -> Role {
        self.role.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Cancelled,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub code: String,
    pub role: Option<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Invitation {
    pub fn status(&self) -> InvitationStatus {
        match self.status.as_str() {
            "pending" => InvitationStatus::Pending,
            "accepted" => InvitationStatus::Accepted,
            _ => InvitationStatus::Cancelled,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.role.as_deref().and_then(Role::parse)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub target: Option<String>,
    pub details: Option<String>,
    pub created_at: OffsetDateTime,
}

const MEMBER_SELECT: &str = "SELECT m.id AS membership_id, u.id AS user_id, u.first_name, u.last_name, \
    u.email, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id \
    WHERE m.organization_id = $1 AND m.disabled_at IS NULL";

const INVITATION_COLUMNS: &str =
    "id, organization_id, email, code, role, status, created_at, updated_at";

impl Store {
    /// The membership of `user_id` in the scope's establishment, if active.
    pub async fn membership_in(
        &self,
        scope: &TenantScope,
        user_id: Uuid,
    ) -> Result<Option<Membership>> {
        let mut tx = self.tenant_read(scope).await?;
        let m = tx.membership_of_user(user_id).await?;
        tx.commit().await?;
        Ok(m)
    }
}

impl TenantTx {
    pub async fn members(&mut self) -> Result<Vec<Member>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "{MEMBER_SELECT} ORDER BY {}, {}",
            crate::collation::sort_key("u.last_name"),
            crate::collation::sort_key("u.first_name")
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Member>(sql)
            .bind(tenant)
            .fetch_all(c)
            .await)?)
    }

    pub async fn member(&mut self, membership_id: Uuid) -> Result<Option<Member>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!("{MEMBER_SELECT} AND m.id = $2"));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Member>(sql)
            .bind(tenant)
            .bind(membership_id)
            .fetch_optional(c)
            .await)?)
    }

    pub async fn membership_of_user(&mut self, user_id: Uuid) -> Result<Option<Membership>> {
        let tenant = self.tenant();
        let row: Option<(Uuid, String)> = on_tx!(self, |c| {
            sqlx::query_as(
            "SELECT id, role FROM memberships WHERE organization_id = $1 AND user_id = $2 AND disabled_at IS NULL"
        )
        .bind(tenant)
        .bind(user_id)
        .fetch_optional(c)
        .await
        })?;
        Ok(row.and_then(|(id, role)| {
            Some(Membership {
                id,
                tenant: self.scope.tenant(),
                user_id,
                role: Role::parse(&role)?,
            })
        }))
    }

    /// Active administrators; on PostgreSQL their rows stay locked until commit, so two
    /// concurrent demotions cannot both see "another admin remains".
    pub async fn count_admins_for_update(&mut self) -> Result<i64> {
        let tenant = self.tenant();
        let ids: Vec<Uuid> = match &mut self.inner {
            crate::TxInner::Postgres(t) => {
                sqlx::query_scalar(
                    "SELECT id FROM memberships WHERE organization_id = $1 AND role = 'ADMIN' \
                     AND disabled_at IS NULL FOR UPDATE",
                )
                .bind(tenant)
                .fetch_all(&mut **t)
                .await?
            }
            // SQLite tenant transactions hold the write lock (BEGIN IMMEDIATE) already.
            crate::TxInner::SqliteRead(t) => {
                sqlx::query_scalar(
                    "SELECT id FROM memberships WHERE organization_id = $1 AND role = 'ADMIN' \
                     AND disabled_at IS NULL",
                )
                .bind(tenant)
                .fetch_all(&mut **t)
                .await?
            }
            crate::TxInner::Sqlite(t) => {
                sqlx::query_scalar(
                    "SELECT id FROM memberships WHERE organization_id = $1 AND role = 'ADMIN' \
                     AND disabled_at IS NULL",
                )
                .bind(tenant)
                .fetch_all(&mut **t)
                .await?
            }
        };
        Ok(ids.len() as i64)
    }

    pub async fn count_members(&mut self) -> Result<i64> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND disabled_at IS NULL"
        )
        .bind(tenant)
        .fetch_one(c)
        .await)?)
    }

    pub async fn add_member(&mut self, user_id: Uuid, role: Role) -> Result<Membership> {
        let tenant = self.tenant();
        let id = Uuid::now_v7();
        let at = now();
        let by = self.scope.user_id();
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO memberships (organization_id, id, user_id, role, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)"
        )
        .bind(tenant)
        .bind(id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(at)
        .bind(by)
        .execute(c)
        .await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        self.touch(user_id).await;
        Ok(Membership {
            id,
            tenant: self.scope.tenant(),
            user_id,
            role,
        })
    }

    /// Changes a member's role. Refused with [`StoreError::LastAdmin`] when it would leave the
    /// establishment without an administrator: every path that changes roles or removes members
    /// comes through here or [`TenantTx::disable_membership`], so the rule holds on all of them.
    pub async fn set_role(&mut self, membership_id: Uuid, role: Role) -> Result<()> {
        // Locks the administrators' rows first (PostgreSQL): two concurrent demotions wait for
        // each other, and the second sees the first's.
        self.count_admins_for_update().await?;
        let tenant = self.tenant();
        let by = self.scope.user_id();
        let user: Option<Uuid> = on_tx!(self, |c| sqlx::query_scalar(
            "UPDATE memberships SET role = $3, updated_at = $4, updated_by = $5 \
             WHERE organization_id = $1 AND id = $2 AND disabled_at IS NULL RETURNING user_id"
        )
        .bind(tenant)
        .bind(membership_id)
        .bind(role.as_str())
        .bind(now())
        .bind(by)
        .fetch_optional(c)
        .await)?;
        let user = user.ok_or(StoreError::NotFound)?;
        self.keep_an_admin().await?;
        self.touch(user).await;
        Ok(())
    }

    /// Removing a member is a soft delete: their campaigns and history stay with the establishment.
    /// Refused with [`StoreError::LastAdmin`] for the last administrator.
    pub async fn disable_membership(&mut self, membership_id: Uuid) -> Result<()> {
        self.count_admins_for_update().await?;
        let tenant = self.tenant();
        let by = self.scope.user_id();
        let at = now();
        let user: Option<Uuid> = on_tx!(self, |c| sqlx::query_scalar(
            "UPDATE memberships SET disabled_at = $3, updated_at = $3, updated_by = $4 \
             WHERE organization_id = $1 AND id = $2 AND disabled_at IS NULL RETURNING user_id"
        )
        .bind(tenant)
        .bind(membership_id)
        .bind(at)
        .bind(by)
        .fetch_optional(c)
        .await)?;
        let user = user.ok_or(StoreError::NotFound)?;
        self.keep_an_admin().await?;
        self.touch(user).await;
        Ok(())
    }

    /// After a change of roles or members, within its transaction: the establishment keeps at
    /// least one administrator (the caller drops the transaction on error).
    async fn keep_an_admin(&mut self) -> Result<()> {
        if self.count_admins_for_update().await? == 0 {
            return Err(StoreError::LastAdmin);
        }
        Ok(())
    }

    pub async fn pending_invitations(&mut self) -> Result<Vec<Invitation>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE organization_id = $1 AND status = 'pending' \
             ORDER BY updated_at DESC"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Invitation>(sql)
            .bind(tenant)
            .fetch_all(c)
            .await)?)
    }

    pub async fn invitation(&mut self, id: Uuid) -> Result<Option<Invitation>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE organization_id = $1 AND id = $2"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Invitation>(sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(c)
            .await)?)
    }

    /// Creates a pending invitation for `email`, or renews the pending one (same code, role
    /// updated, sending date bumped). Returns the invitation and whether it is new.
    pub async fn invite(
        &mut self,
        email: &str,
        role: Option<Role>,
        new_code: &str,
    ) -> Result<(Invitation, bool)> {
        let tenant = self.tenant();
        let at = now();
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE invitations SET updated_at = $3, role = $4 \
             WHERE organization_id = $1 AND email = $2 AND status = 'pending' RETURNING {INVITATION_COLUMNS}"
        ));
        let renewed: Option<Invitation> = on_tx!(self, |c| sqlx::query_as(sql)
            .bind(tenant)
            .bind(email)
            .bind(at)
            .bind(role.map(Role::as_str))
            .fetch_optional(c)
            .await)?;
        if let Some(inv) = renewed {
            return Ok((inv, false));
        }
        let id = Uuid::now_v7();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO invitations (organization_id, id, email, code, role, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) RETURNING {INVITATION_COLUMNS}"
        ));
        let inv: Invitation = on_tx!(self, |c| sqlx::query_as(sql)
            .bind(tenant)
            .bind(id)
            .bind(email)
            .bind(new_code)
            .bind(role.map(Role::as_str))
            .bind(at)
            .fetch_one(c)
            .await)
        .map_err(StoreError::from_write)?;
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO invitation_links (invitation_id, organization_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(tenant)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok((inv, true))
    }

    /// Bumps the sending date of a pending invitation (resend keeps the code).
    pub async fn touch_invitation(&mut self, id: Uuid) -> Result<Invitation> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE invitations SET updated_at = $3 WHERE organization_id = $1 AND id = $2 AND status = 'pending' \
             RETURNING {INVITATION_COLUMNS}"
        ));
        on_tx!(self, |c| sqlx::query_as::<_, Invitation>(sql)
            .bind(tenant)
            .bind(id)
            .bind(now())
            .fetch_optional(c)
            .await)?
        .ok_or(StoreError::NotFound)
    }

    pub async fn cancel_invitation(&mut self, id: Uuid) -> Result<()> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE invitations SET status = 'cancelled', updated_at = $3 \
             WHERE organization_id = $1 AND id = $2 AND status = 'pending'"
        )
        .bind(tenant)
        .bind(id)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks a pending invitation accepted by `user_id`; `false` if it was no longer pending
    /// (a concurrent acceptance won).
    pub async fn mark_invitation_accepted(&mut self, id: Uuid, user_id: Uuid) -> Result<bool> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE invitations SET status = 'accepted', accepted_by = $3, updated_at = $4 \
             WHERE organization_id = $1 AND id = $2 AND status = 'pending'"
        )
        .bind(tenant)
        .bind(id)
        .bind(user_id)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn audit(
        &mut self,
        action: &str,
        target: Option<&str>,
        details: Option<&str>,
    ) -> Result<()> {
        let tenant = self.tenant();
        let actor = self.scope.user_id();
        on_tx!(self, |c| sqlx::query(INSERT_AUDIT)
            .bind(tenant)
            .bind(Uuid::now_v7())
            .bind(actor)
            .bind(action)
            .bind(target)
            .bind(details)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn audit_entries(&mut self, limit: i64) -> Result<Vec<AuditEntry>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_as::<_, AuditEntry>(
            "SELECT actor_user_id, action, target, details, created_at FROM audit_log \
             WHERE organization_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        )
        .bind(tenant)
        .bind(limit)
        .fetch_all(c)
        .await)?)
    }
}
