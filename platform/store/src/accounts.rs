//! Accounts (global): users, password resets, and a user's own memberships.

use acquis_tenants::{Membership, Role, TenantId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Db, Result, Store, StoreError, TenantTx, Tx, TxInner, now, on_inner, on_pool, on_tx, on_writer,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub email: Option<String>,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub platform_role: Option<String>,
    pub orga_terms_accepted_at: Option<OffsetDateTime>,
    pub last_organization_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

impl User {
    pub fn is_operator(&self) -> bool {
        self.platform_role.as_deref() == Some("OPERATOR")
    }

    /// A content designer: uses the studio and its API.
    pub fn is_designer(&self) -> bool {
        self.platform_role.as_deref() == Some("DESIGNER")
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Option<String>,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub platform_role: Option<String>,
    pub accepted_terms: bool,
}

/// One of a user's establishments, for the switcher and the access check.
#[derive(Debug, Clone)]
pub struct UserMembership {
    pub membership: Membership,
    pub organization_name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasswordResetToken {
    pub user_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

pub(crate) const USER_COLUMNS: &str = "id, email, username, first_name, last_name, password_hash, \
    must_change_password, platform_role, orga_terms_accepted_at, last_organization_id, created_at";

#[derive(sqlx::FromRow)]
struct MembershipRow {
    organization_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    role: String,
    name: String,
    archived_at: Option<OffsetDateTime>,
}

impl Store {
    /// Accounts holding a platform role (`OPERATOR`, `DESIGNER`), by name.
    pub async fn users_with_role(&self, role: &str) -> Result<Vec<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE platform_role = $1 ORDER BY last_name, first_name"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as(sql)
            .bind(role)
            .fetch_all(p)
            .await)?)
    }

    /// Gives an account a platform role or takes it back (`None`).
    pub async fn set_platform_role(&self, user_id: Uuid, role: Option<&str>) -> Result<()> {
        on_writer!(self, |p| sqlx::query(
            "UPDATE users SET platform_role = $1, updated_at = $2 WHERE id = $3"
        )
        .bind(role)
        .bind(now())
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ()))?;
        self.cache.forget_user(user_id).await;
        Ok(())
    }

    pub async fn count_users(&self) -> Result<i64> {
        let n: i64 = on_pool!(self, |p| sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(p)
            .await)?;
        Ok(n)
    }

    pub async fn create_user(&self, new: &NewUser) -> Result<User> {
        let mut tx = self.begin().await?;
        let user = tx.create_user(new).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The account, from the cache when fresh (every signed-in request needs it).
    pub async fn find_user(&self, id: Uuid) -> Result<Option<User>> {
        if let Some(user) = self.cache.users.get(&id).await {
            return Ok(Some(user));
        }
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        let user = on_pool!(self, |p| sqlx::query_as::<_, User>(sql)
            .bind(id)
            .fetch_optional(p)
            .await)?;
        if let Some(u) = &user {
            self.cache.users.insert(id, u.clone()).await;
        }
        Ok(user)
    }

    /// Looks a user up by e-mail or username, case-insensitively.
    pub async fn find_user_by_login(&self, login: &str) -> Result<Option<User>> {
        let login = login.trim().to_lowercase();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1 OR username = $1"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, User>(sql)
            .bind(&login)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn set_password(&self, user_id: Uuid, hash: &str, must_change: bool) -> Result<()> {
        let n = on_writer!(self, |p| {
            sqlx::query(
            "UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4 WHERE id = $1"
        )
        .bind(user_id)
        .bind(hash)
        .bind(must_change)
        .bind(now())
        .execute(p)
        .await.map(|r| r.rows_affected())
        })?;
        self.cache.forget_user(user_id).await;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn accept_orga_terms(&self, user_id: Uuid) -> Result<()> {
        on_writer!(self, |p| {
            sqlx::query(
            "UPDATE users SET orga_terms_accepted_at = $2, updated_at = $2 WHERE id = $1 AND orga_terms_accepted_at IS NULL"
        )
        .bind(user_id)
        .bind(now())
        .execute(p)
        .await.map(|r| r.rows_affected())
        })?;
        self.cache.forget_user(user_id).await;
        Ok(())
    }

    pub async fn set_last_organization(&self, user_id: Uuid, org: TenantId) -> Result<()> {
        on_writer!(self, |p| sqlx::query(
            "UPDATE users SET last_organization_id = $2 WHERE id = $1"
        )
        .bind(user_id)
        .bind(org.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        self.cache.users.invalidate(&user_id).await;
        Ok(())
    }

    /// The user's active memberships across establishments.
    ///
    /// On PostgreSQL this reads through the `own_memberships` policy: the transaction names the
    /// user, not a tenant.
    pub async fn memberships_of_user(&self, user_id: Uuid) -> Result<Vec<UserMembership>> {
        if let Some(cached) = self.cache.memberships.get(&user_id).await {
            return Ok(cached.as_ref().clone());
        }
        const SQL: &str = "SELECT m.organization_id, m.id, m.user_id, m.role, o.name, o.archived_at \
             FROM memberships m JOIN organizations o ON o.id = m.organization_id \
             WHERE m.user_id = $1 AND m.disabled_at IS NULL ORDER BY o.name";
        let rows: Vec<MembershipRow> = match &self.db {
            Db::Sqlite(p) => sqlx::query_as(SQL).bind(user_id).fetch_all(&p.read).await?,
            Db::Postgres(p) => {
                // The user's id is a typed Uuid: safe to format (SET takes no parameters).
                let begin = format!("BEGIN; SET LOCAL app.user_id = '{user_id}'");
                let mut t = p.begin_with(sqlx::AssertSqlSafe(begin)).await?;
                let rows = sqlx::query_as(SQL).bind(user_id).fetch_all(&mut *t).await?;
                t.commit().await?;
                rows
            }
        };
        let list: Vec<UserMembership> = rows
            .into_iter()
            .filter_map(|r| {
                Some(UserMembership {
                    membership: Membership {
                        id: r.id,
                        tenant: TenantId(r.organization_id),
                        user_id: r.user_id,
                        role: Role::parse(&r.role)?,
                    },
                    organization_name: r.name,
                    archived: r.archived_at.is_some(),
                })
            })
            .collect();
        self.cache
            .memberships
            .insert(user_id, std::sync::Arc::new(list.clone()))
            .await;
        Ok(list)
    }

    pub async fn insert_password_reset(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        on_writer!(self, |p| {
            sqlx::query(
            "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .bind(now())
        .execute(p)
        .await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn find_password_reset(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetToken>> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as::<_, PasswordResetToken>(
            "SELECT user_id, expires_at, used_at FROM password_reset_tokens WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await
        })?)
    }

    /// Sets the new password and burns the token in one transaction; `false` when the token
    /// was already used (a concurrent submit lost the race).
    pub async fn reset_password_with_token(
        &self,
        token_hash: &str,
        user_id: Uuid,
        password_hash: &str,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let at = now();
        let burnt = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE password_reset_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL"
        )
        .bind(token_hash)
        .bind(at)
        .execute(c)
        .await.map(|r| r.rows_affected())
        })?;
        if burnt == 0 {
            return Ok(false);
        }
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE users SET password_hash = $2, must_change_password = false, updated_at = $3 WHERE id = $1"
        )
        .bind(user_id)
        .bind(password_hash)
        .bind(at)
        .execute(c)
        .await.map(|r| r.rows_affected())
        })?;
        // Other outstanding links for the same account die with this use.
        on_tx!(tx, |c| sqlx::query(
            "UPDATE password_reset_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL"
        )
        .bind(user_id)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.commit().await?;
        self.cache.forget_user(user_id).await;
        Ok(true)
    }
}

impl Tx {
    pub async fn create_user(&mut self, new: &NewUser) -> Result<User> {
        insert_user(&mut self.inner, new).await
    }
}

impl TenantTx {
    /// Creates an account inside a tenant transaction, e.g. when accepting an invitation, so the
    /// account and its membership are written together or not at all.
    pub async fn create_user(&mut self, new: &NewUser) -> Result<User> {
        insert_user(&mut self.inner, new).await
    }
}

async fn insert_user(inner: &mut TxInner, new: &NewUser) -> Result<User> {
    {
        let id = Uuid::now_v7();
        let at = now();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (id, email, username, first_name, last_name, password_hash, \
             must_change_password, platform_role, terms_accepted_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {USER_COLUMNS}"
        ));
        let user = on_inner!(inner, |c| sqlx::query_as::<_, User>(sql)
            .bind(id)
            .bind(new.email.as_deref().map(str::to_lowercase))
            .bind(new.username.as_deref().map(str::to_lowercase))
            .bind(new.first_name.trim())
            .bind(new.last_name.trim())
            .bind(new.password_hash.as_deref())
            .bind(new.must_change_password)
            .bind(new.platform_role.as_deref())
            .bind(new.accepted_terms.then_some(at))
            .bind(at)
            .fetch_one(c)
            .await)
        .map_err(StoreError::from_write)?;
        Ok(user)
    }
}
