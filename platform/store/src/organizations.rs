//! The establishment registry (global): operators create, list, search and archive establishments.

use acquis_tenants::{EstablishmentKind, TenantId, TenantScope, Uai};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, StoreError, Tx, TxInner, now, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub uai: String,
    pub kind: String,
    pub contact_email: String,
    pub archived_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Imports its students (SIECLE): only they may join its campaigns, after reconciliation.
    pub manages_students: bool,
    /// The OpenID Connect provider its students sign in with, if any.
    pub identity_provider_id: Option<Uuid>,
}

impl Organization {
    pub fn tenant(&self) -> TenantId {
        TenantId(self.id)
    }

    pub fn kind(&self) -> EstablishmentKind {
        EstablishmentKind::parse(&self.kind).unwrap_or(EstablishmentKind::Other)
    }
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub uai: Uai,
    pub kind: EstablishmentKind,
    pub contact_email: String,
    pub manages_students: bool,
}

#[derive(Debug, Clone)]
pub struct OrganizationPage {
    pub items: Vec<Organization>,
    pub total: i64,
}

pub(crate) const ORG_COLUMNS: &str = "id, name, uai, kind, contact_email, archived_at, created_at, manages_students, \
     identity_provider_id";

/// Any of `exprs` matches a name search, whatever its case. SQLite folds case for ASCII only and
/// imported names are in capitals with accents (« LEFÈVRE »): the lower-cased `like_pattern`
/// (`$lower`) is tried on lower(expr), and the same pattern upper-cased in Rust (Unicode, `$upper`)
/// on upper(expr). Without a search (`$lower` is the match-all `%%`) the per-row LIKEs are skipped:
/// they cost ≈ 20 ms per 10,000 rows.
pub(crate) fn name_search(exprs: &[&str], lower: usize, upper: usize) -> String {
    let tries: Vec<String> = exprs
        .iter()
        .flat_map(|e| {
            [
                format!("lower({e}) LIKE ${lower} ESCAPE '\\'"),
                format!("upper({e}) LIKE ${upper} ESCAPE '\\'"),
            ]
        })
        .collect();
    format!("(${lower} = '%%' OR {})", tries.join(" OR "))
}

/// A lower-cased `LIKE … ESCAPE '\\'` pattern matching `q` anywhere, wildcards escaped.
pub(crate) fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    /// Creates every establishment or none; a taken UAI is reported as a conflict.
    pub async fn create_organizations(
        &self,
        created_by: Option<Uuid>,
        news: &[NewOrganization],
    ) -> Result<Vec<Organization>> {
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(news.len());
        for new in news {
            let org = tx.create_organization(created_by, new).await?;
            tx.audit_in(
                org.tenant(),
                created_by,
                "organization.created",
                Some(org.uai.as_str()),
                Some(&org.name),
            )
            .await?;
            out.push(org);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The UAIs among `uais` that are already taken.
    /// The establishments with these UAIs (unknown ones are simply absent).
    pub async fn organizations_by_uai(&self, uais: &[String]) -> Result<Vec<Organization>> {
        let mut found = Vec::new();
        for chunk in uais.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {ORG_COLUMNS} FROM organizations WHERE uai IN ({})",
                placeholders.join(", ")
            );
            let rows: Vec<Organization> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for u in chunk {
                    q = q.bind(u);
                }
                q.fetch_all(p).await
            })?;
            found.extend(rows);
        }
        Ok(found)
    }

    pub async fn existing_uais(&self, uais: &[String]) -> Result<Vec<String>> {
        let mut taken = Vec::new();
        // One round trip per chunk keeps the statement within both backends' bind limits.
        for chunk in uais.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT uai FROM organizations WHERE uai IN ({})",
                placeholders.join(", ")
            ));
            let found: Vec<String> = on_pool!(self, |p| {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.0.clone()));
                for u in chunk {
                    q = q.bind(u);
                }
                q.fetch_all(p).await
            })?;
            taken.extend(found);
        }
        Ok(taken)
    }

    pub async fn list_organizations(
        &self,
        search: &str,
        include_archived: bool,
        page: i64,
        per_page: i64,
    ) -> Result<OrganizationPage> {
        let pattern = like_pattern(search);
        let filter = "(lower(name) LIKE $1 ESCAPE '\\' OR lower(uai) LIKE $1 ESCAPE '\\') \
                      AND ($2 OR archived_at IS NULL)";
        let count_sql =
            sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM organizations WHERE {filter}"));
        let total: i64 = on_pool!(self, |p| sqlx::query_scalar(count_sql)
            .bind(&pattern)
            .bind(include_archived)
            .fetch_one(p)
            .await)?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE {filter} ORDER BY lower(name), uai LIMIT $3 OFFSET $4"
        ));
        let items = on_pool!(self, |p| sqlx::query_as::<_, Organization>(sql)
            .bind(&pattern)
            .bind(include_archived)
            .bind(per_page)
            .bind((page.max(1) - 1) * per_page)
            .fetch_all(p)
            .await)?;
        Ok(OrganizationPage { items, total })
    }

    pub async fn find_organization(&self, id: TenantId) -> Result<Option<Organization>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, Organization>(sql)
            .bind(id.0)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn archive_organization(&self, scope: &TenantScope) -> Result<()> {
        let mut tx = self.tenant_tx(scope).await?;
        let n = on_tx!(tx, |c| sqlx::query(
            "UPDATE organizations SET archived_at = $2 WHERE id = $1 AND archived_at IS NULL"
        )
        .bind(scope.tenant().0)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit("organization.archived", None, None).await?;
        tx.touch_all();
        tx.commit().await
    }

    /// Turns the student import (and reconciliation at join) on or off for an establishment.
    pub async fn set_manages_students(&self, scope: &TenantScope, on: bool) -> Result<()> {
        let mut tx = self.tenant_tx(scope).await?;
        on_tx!(tx, |c| sqlx::query(
            "UPDATE organizations SET manages_students = $2 WHERE id = $1"
        )
        .bind(scope.tenant().0)
        .bind(on)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        tx.audit(
            if on {
                "organization.manages_students_on"
            } else {
                "organization.manages_students_off"
            },
            None,
            None,
        )
        .await?;
        tx.commit().await
    }

    /// Resolves an invitation link to its establishment without reading tenant rows.
    pub async fn invitation_tenant(&self, invitation_id: Uuid) -> Result<Option<TenantId>> {
        let id: Option<Uuid> = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT organization_id FROM invitation_links WHERE invitation_id = $1"
        )
        .bind(invitation_id)
        .fetch_optional(p)
        .await)?;
        Ok(id.map(TenantId))
    }
}

impl Tx {
    async fn create_organization(
        &mut self,
        created_by: Option<Uuid>,
        new: &NewOrganization,
    ) -> Result<Organization> {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO organizations (id, name, uai, kind, contact_email, created_by, created_at, \
             manages_students) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ORG_COLUMNS}"
        ));
        on_tx!(self, |c| sqlx::query_as::<_, Organization>(sql)
            .bind(Uuid::now_v7())
            .bind(new.name.trim())
            .bind(new.uai.as_str())
            .bind(new.kind.as_str())
            .bind(acquis_tenants::normalize_email(&new.contact_email))
            .bind(created_by)
            .bind(now())
            .bind(new.manages_students)
            .fetch_one(c)
            .await)
        .map_err(StoreError::from_write)
    }

    /// Writes an audit entry for a tenant from a global transaction (establishment creation).
    async fn audit_in(
        &mut self,
        tenant: TenantId,
        actor: Option<Uuid>,
        action: &str,
        target: Option<&str>,
        details: Option<&str>,
    ) -> Result<()> {
        if let TxInner::Postgres(t) = &mut self.inner {
            sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
                .bind(tenant.0.to_string())
                .execute(&mut **t)
                .await?;
        }
        on_tx!(self, |c| sqlx::query(crate::team::INSERT_AUDIT)
            .bind(tenant.0)
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
}
