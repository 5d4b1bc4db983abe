//! Students' school SSO (global): the OpenID Connect providers operators configure, the provider
//! each establishment's students use, and the provider identities linked to accounts.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::{USER_COLUMNS, User};
use crate::{Result, Store, StoreError, TenantTx, TxInner, now, on_inner, on_pool, on_writer};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityProvider {
    pub id: Uuid,
    /// Shown to students on the button, e.g. « ENT / Médiacentre ».
    pub name: String,
    /// Discovery is `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Never shown again once saved; opened only to talk to the provider.
    pub client_secret_sealed: String,
    /// Space-separated, `openid` included.
    pub scopes: String,
    pub claim_subject: String,
    pub claim_first_name: String,
    pub claim_last_name: String,
    pub claim_birthdate: Option<String>,
    pub claim_uai: Option<String>,
    pub enabled: bool,
    pub created_at: OffsetDateTime,
}

/// What an operator saves; `client_secret_sealed: None` keeps the stored secret.
#[derive(Debug, Clone)]
pub struct NewIdentityProvider {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: Option<String>,
    pub scopes: String,
    pub claim_subject: String,
    pub claim_first_name: String,
    pub claim_last_name: String,
    pub claim_birthdate: Option<String>,
    pub claim_uai: Option<String>,
    pub enabled: bool,
}

/// A provider identity as the account page and the students list show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserIdentity {
    pub provider_id: Uuid,
    pub provider_name: String,
    pub subject: String,
    pub created_at: OffsetDateTime,
}

const PROVIDER_COLUMNS: &str = "id, name, issuer, client_id, client_secret_sealed, scopes, \
    claim_subject, claim_first_name, claim_last_name, claim_birthdate, claim_uai, enabled, created_at";

/// Binds a provider's fields, `$2` to `$12` of both its insert and its update.
macro_rules! bind_provider {
    ($q:expr, $new:expr, $secret:expr) => {
        $q.bind(&$new.name)
            .bind(&$new.issuer)
            .bind(&$new.client_id)
            .bind($secret)
            .bind(&$new.scopes)
            .bind(&$new.claim_subject)
            .bind(&$new.claim_first_name)
            .bind(&$new.claim_last_name)
            .bind($new.claim_birthdate.as_deref())
            .bind($new.claim_uai.as_deref())
            .bind($new.enabled)
    };
}

impl Store {
    pub async fn identity_providers(&self) -> Result<Vec<IdentityProvider>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROVIDER_COLUMNS} FROM identity_providers ORDER BY {}, id",
            crate::collation::sort_key("name")
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, IdentityProvider>(
            sql
        )
        .fetch_all(p)
        .await)?)
    }

    pub async fn identity_provider(&self, id: Uuid) -> Result<Option<IdentityProvider>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROVIDER_COLUMNS} FROM identity_providers WHERE id = $1"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, IdentityProvider>(
            sql
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn create_identity_provider(
        &self,
        new: &NewIdentityProvider,
    ) -> Result<IdentityProvider> {
        let Some(secret) = new.client_secret_sealed.as_deref() else {
            return Err(StoreError::Refused("client secret missing".into()));
        };
        let at = now();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO identity_providers (id, name, issuer, client_id, client_secret_sealed, \
             scopes, claim_subject, claim_first_name, claim_last_name, claim_birthdate, \
             claim_uai, enabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             RETURNING {PROVIDER_COLUMNS}"
        ));
        Ok(on_writer!(self, |p| bind_provider!(
            sqlx::query_as::<_, IdentityProvider>(sql).bind(Uuid::now_v7()),
            new,
            secret
        )
        .bind(at)
        .fetch_one(p)
        .await)?)
    }

    /// Returns false when there is no such provider.
    pub async fn update_identity_provider(
        &self,
        id: Uuid,
        new: &NewIdentityProvider,
    ) -> Result<bool> {
        let n = on_writer!(self, |p| bind_provider!(
            sqlx::query(
                "UPDATE identity_providers SET name = $2, issuer = $3, client_id = $4, \
             client_secret_sealed = coalesce($5, client_secret_sealed), scopes = $6, \
             claim_subject = $7, claim_first_name = $8, claim_last_name = $9, \
             claim_birthdate = $10, claim_uai = $11, enabled = $12, updated_at = $13 \
             WHERE id = $1"
            )
            .bind(id),
            new,
            new.client_secret_sealed.as_deref()
        )
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Chooses the provider an establishment's students sign in with (None: none).
    pub async fn set_students_provider(&self, org: Uuid, provider: Option<Uuid>) -> Result<bool> {
        let n = on_writer!(self, |p| sqlx::query(
            "UPDATE organizations SET identity_provider_id = $2 WHERE id = $1"
        )
        .bind(org)
        .bind(provider)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The establishments whose students use this provider: (id, name, UAI).
    pub async fn organizations_of_provider(
        &self,
        provider: Uuid,
    ) -> Result<Vec<(Uuid, String, String)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, name, uai FROM organizations WHERE identity_provider_id = $1 \
             ORDER BY {}, uai",
            crate::collation::sort_key("name")
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<
            _,
            (Uuid, String, String),
        >(sql)
        .bind(provider)
        .fetch_all(p)
        .await)?)
    }

    /// The account a provider identity is linked to.
    pub async fn user_by_identity(&self, provider: Uuid, subject: &str) -> Result<Option<User>> {
        let cols = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {cols} FROM user_identities i JOIN users u ON u.id = i.user_id \
             WHERE i.provider_id = $1 AND i.subject = $2"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, User>(sql)
            .bind(provider)
            .bind(subject)
            .fetch_optional(p)
            .await)?)
    }

    /// A returning student: the names the provider sends now, and when they last came.
    pub async fn identity_signed_in(
        &self,
        provider: Uuid,
        subject: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<()> {
        on_writer!(self, |p| sqlx::query(
            "UPDATE user_identities SET first_name = $3, last_name = $4, last_login_at = $5 \
             WHERE provider_id = $1 AND subject = $2"
        )
        .bind(provider)
        .bind(subject)
        .bind(first_name)
        .bind(last_name)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn identities_of_user(&self, user: Uuid) -> Result<Vec<UserIdentity>> {
        Ok(on_pool!(self, |p| sqlx::query_as::<_, UserIdentity>(
            "SELECT i.provider_id, p.name AS provider_name, i.subject, i.created_at \
             FROM user_identities i JOIN identity_providers p ON p.id = i.provider_id \
             WHERE i.user_id = $1 ORDER BY i.created_at"
        )
        .bind(user)
        .fetch_all(p)
        .await)?)
    }

    /// Links a provider identity to an existing account ("J'ai déjà un compte"). A subject
    /// already linked, or an account that already has an identity of this provider, is a
    /// conflict and nothing is written.
    pub async fn link_identity(&self, identity: &NewIdentity<'_>) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_identity(&mut tx.inner, identity).await?;
        tx.commit().await
    }
}

impl TenantTx {
    /// Links a provider identity inside a tenant transaction, so that an account created at a
    /// campaign join, its identity and its student are written together or not at all.
    pub async fn link_identity(&mut self, identity: &NewIdentity<'_>) -> Result<()> {
        insert_identity(&mut self.inner, identity).await
    }
}

pub struct NewIdentity<'a> {
    pub provider: Uuid,
    pub subject: &'a str,
    pub user: Uuid,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

async fn insert_identity(inner: &mut TxInner, i: &NewIdentity<'_>) -> Result<()> {
    let at = now();
    on_inner!(inner, |c| sqlx::query(
        "INSERT INTO user_identities (provider_id, subject, user_id, first_name, last_name, \
         created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
    )
    .bind(i.provider)
    .bind(i.subject)
    .bind(i.user)
    .bind(i.first_name)
    .bind(i.last_name)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_write)?;
    Ok(())
}
