//! Published content (global): packages, immutable and addressed by digest, and the target
//! profiles they carry.

use time::OffsetDateTime;
use uuid::Uuid;

use acquis_tenants::TenantId;

use crate::{Organization, Result, Store, StoreError, User, now, on_pool, on_writer};

#[derive(Debug, Clone)]
pub struct NewPackage<'a> {
    pub digest: &'a str,
    pub package_id: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub archive: &'a [u8],
    pub published_by: Option<Uuid>,
    pub profiles: Vec<NewTargetProfile>,
    /// Whether a profile key this package never had before is offered to every establishment
    /// (built-in content) or to none until an operator chooses (studio). Keys the package had in
    /// an earlier version keep the choice made for them.
    pub offer_new_profiles_to_all: bool,
    /// The ids of the challenge types the package ships (its `components/`): owned like the
    /// package id.
    pub types: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewTargetProfile {
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRow {
    pub digest: String,
    pub package_id: String,
    pub version: String,
    pub kind: String,
    pub published_at: OffsetDateTime,
}

/// A published version, for the studio's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageSummary {
    pub digest: String,
    pub package_id: String,
    pub version: String,
    pub kind: String,
    pub published_at: OffsetDateTime,
    pub published_by: Option<String>,
    pub profiles: i64,
    pub size: i64,
}

/// A target profile of the latest version of its package, with whom it is offered to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferedProfile {
    pub id: Uuid,
    pub package_id: String,
    pub version: String,
    pub profile_key: String,
    pub name: String,
    pub category: String,
    pub offered_to_all: bool,
    pub establishments: i64,
}

/// A designer's API token, without its secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DesignerToken {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TargetProfileRow {
    pub id: Uuid,
    pub package_digest: String,
    pub profile_key: String,
    pub name: String,
    pub category: String,
    pub description: String,
}

/// What publishing did (or, checked beforehand, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    New,
    /// The same bytes were already published: nothing changed.
    AlreadyThere,
    /// Nothing was written.
    Refused(PublishRefusal),
}

/// Why a package cannot be published; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishRefusal {
    /// The package id (`kind` "package") or one of its type ids ("type") belongs to another
    /// account, or to the platform (`owner` None).
    NotOwner {
        kind: &'static str,
        name: String,
        owner: Option<String>,
    },
    /// This version was published with other content.
    VersionTaken,
    /// Versions only go up (semver): `current` is the highest published.
    NotNewer { current: String },
}

/// Who owns a package or type id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageOwner {
    /// `package` or `type`.
    pub kind: String,
    pub name: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub claimed_at: OffsetDateTime,
    pub transferred_at: Option<OffsetDateTime>,
}

const PROFILE_COLUMNS: &str =
    "tp.id, tp.package_digest, tp.profile_key, tp.name, tp.category, tp.description";

impl Store {
    /// Stores a verified package and its target profiles, all or nothing. A package id and
    /// version name one content forever: the same version with other bytes is refused. The
    /// package id and its type ids belong to the account that first published them (`None`:
    /// the platform): anyone else is refused. Versions only go up: one not above every version
    /// already published is refused. Refusals write nothing.
    pub async fn publish_package(&self, new: &NewPackage<'_>) -> Result<Published> {
        self.publication(new, true).await
    }

    /// What [`Store::publish_package`] would answer now, writing nothing (the studio's report,
    /// before « Publier »).
    pub async fn check_publication(&self, new: &NewPackage<'_>) -> Result<Published> {
        self.publication(new, false).await
    }

    async fn publication(&self, new: &NewPackage<'_>, write: bool) -> Result<Published> {
        // The owner rows serialise publications of one package on PostgreSQL (SQLite's
        // transactions take the write lock up front).
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE OF o",
            crate::Backend::Sqlite => "",
        };
        let owner_sql = format!(
            "SELECT o.owner_id, (SELECT u.first_name || ' ' || u.last_name FROM users u \
               WHERE u.id = o.owner_id) FROM package_owners o WHERE o.kind = $1 AND o.name = $2{lock}"
        );
        let names: Vec<(&'static str, &str)> = std::iter::once(("package", new.package_id))
            .chain(new.types.iter().map(|t| ("type", t.as_str())))
            .collect();
        let at = now();
        let mut tx = self.begin().await?;
        // Every early `return` below leaves the function with the transaction uncommitted: a
        // refusal, a check or the same bytes again roll back the names claimed here.
        crate::on_tx!(tx, |c| {
            for &(kind, name) in &names {
                sqlx::query(
                    "INSERT INTO package_owners (kind, name, owner_id, claimed_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(kind)
                .bind(name)
                .bind(new.published_by)
                .bind(at)
                .execute(&mut *c)
                .await?;
                let (owner, owner_name): (Option<Uuid>, Option<String>) =
                    sqlx::query_as(sqlx::AssertSqlSafe(owner_sql.clone()))
                        .bind(kind)
                        .bind(name)
                        .fetch_one(&mut *c)
                        .await?;
                if owner != new.published_by {
                    return Ok(Published::Refused(PublishRefusal::NotOwner {
                        kind,
                        name: name.to_owned(),
                        owner: owner_name,
                    }));
                }
            }
            let versions: Vec<(String, String)> = sqlx::query_as(
                "SELECT version, digest FROM content_packages WHERE package_id = $1",
            )
            .bind(new.package_id)
            .fetch_all(&mut *c)
            .await?;
            if let Some((_, d)) = versions.iter().find(|(v, _)| v == new.version) {
                return Ok(if d == new.digest {
                    Published::AlreadyThere
                } else {
                    Published::Refused(PublishRefusal::VersionTaken)
                });
            }
            let top = versions
                .iter()
                .filter_map(|(v, _)| semver::Version::parse(v).ok())
                .max();
            if let (Some(top), Ok(this)) = (top, semver::Version::parse(new.version))
                && this < top
            {
                return Ok(Published::Refused(PublishRefusal::NotNewer {
                    current: top.to_string(),
                }));
            }
            if !write {
                return Ok(Published::New);
            }
            sqlx::query(
                "INSERT INTO content_packages (digest, package_id, version, kind, archive, \
                 published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(new.digest)
            .bind(new.package_id)
            .bind(new.version)
            .bind(new.kind)
            .bind(new.archive)
            .bind(new.published_by)
            .bind(at)
            .execute(&mut *c)
            .await
            .map_err(StoreError::from_write)?;
            for tp in &new.profiles {
                let earlier: Option<bool> = sqlx::query_scalar(
                    "SELECT tp.offered_to_all FROM target_profiles tp \
                     JOIN content_packages p ON p.digest = tp.package_digest \
                     WHERE p.package_id = $1 AND tp.profile_key = $2 \
                     ORDER BY p.published_at DESC LIMIT 1",
                )
                .bind(new.package_id)
                .bind(&tp.key)
                .fetch_optional(&mut *c)
                .await?;
                sqlx::query(
                    "INSERT INTO target_profiles (id, package_digest, profile_key, name, category, \
                     description, offered_to_all, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(Uuid::now_v7())
                .bind(new.digest)
                .bind(&tp.key)
                .bind(&tp.name)
                .bind(&tp.category)
                .bind(&tp.description)
                .bind(earlier.unwrap_or(new.offer_new_profiles_to_all))
                .bind(at)
                .execute(&mut *c)
                .await
                .map_err(StoreError::from_write)?;
            }
            Ok::<(), StoreError>(())
        })?;
        tx.commit().await?;
        Ok(Published::New)
    }

    /// Every owned package and type id, for operators.
    pub async fn package_owners(&self) -> Result<Vec<PackageOwner>> {
        Ok(on_pool!(self, |p| sqlx::query_as(
            "SELECT o.kind, o.name, o.owner_id, \
               (SELECT u.first_name || ' ' || u.last_name FROM users u WHERE u.id = o.owner_id) \
                 AS owner_name, \
               (SELECT u.email FROM users u WHERE u.id = o.owner_id) AS owner_email, \
               o.claimed_at, o.transferred_at \
             FROM package_owners o ORDER BY o.kind, o.name"
        )
        .fetch_all(p)
        .await)?)
    }

    /// Gives a package or type id to another account. The platform's ids are not anyone's to
    /// give: false when the id is unknown or the platform's.
    pub async fn transfer_package_name(
        &self,
        kind: &str,
        name: &str,
        to: Uuid,
        by: Uuid,
    ) -> Result<bool> {
        let done = on_writer!(self, |p| sqlx::query(
            "UPDATE package_owners SET owner_id = $1, transferred_by = $2, transferred_at = $3 \
             WHERE kind = $4 AND name = $5 AND owner_id IS NOT NULL"
        )
        .bind(to)
        .bind(by)
        .bind(now())
        .bind(kind)
        .bind(name)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn package_archive(&self, digest: &str) -> Result<Option<Vec<u8>>> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT archive FROM content_packages WHERE digest = $1"
        )
        .bind(digest)
        .fetch_optional(p)
        .await)?)
    }

    /// The target profiles an establishment may choose for a new campaign: those of the latest
    /// version of each package offered to every establishment or to this one.
    pub async fn offered_target_profiles(&self, org: TenantId) -> Result<Vec<TargetProfileRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM target_profiles tp \
             JOIN content_packages p ON p.digest = tp.package_digest \
             WHERE p.published_at = (SELECT MAX(q.published_at) \
               FROM content_packages q WHERE q.package_id = p.package_id) \
             AND (tp.offered_to_all OR EXISTS (SELECT 1 FROM target_profile_offers o \
               WHERE o.organization_id = $1 AND o.package_id = p.package_id \
               AND o.profile_key = tp.profile_key)) \
             ORDER BY tp.category, tp.name"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as(sql)
            .bind(org.0)
            .fetch_all(p)
            .await)?)
    }

    /// Every target profile of the latest version of each package, for operators.
    pub async fn latest_target_profiles(&self) -> Result<Vec<OfferedProfile>> {
        self.latest_profiles(None).await
    }

    /// One target profile, when it belongs to the latest version of its package.
    pub async fn latest_target_profile(&self, id: Uuid) -> Result<Option<OfferedProfile>> {
        Ok(self.latest_profiles(Some(id)).await?.pop())
    }

    async fn latest_profiles(&self, id: Option<Uuid>) -> Result<Vec<OfferedProfile>> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT tp.id, p.package_id, p.version, tp.profile_key, tp.name, tp.category, \
               tp.offered_to_all, (SELECT COUNT(*) FROM target_profile_offers o \
                 WHERE o.package_id = p.package_id AND o.profile_key = tp.profile_key) AS establishments \
             FROM target_profiles tp JOIN content_packages p ON p.digest = tp.package_digest \
             WHERE p.published_at = (SELECT MAX(q.published_at) \
               FROM content_packages q WHERE q.package_id = p.package_id) \
               AND ($1 IS NULL OR tp.id = $1) \
             ORDER BY p.package_id, tp.category, tp.name"
        )
        .bind(id)
        .fetch_all(p)
        .await
        })?)
    }

    /// The establishments a profile is offered to by name (besides "all").
    pub async fn target_profile_offers(
        &self,
        package_id: &str,
        key: &str,
    ) -> Result<Vec<Organization>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM organizations WHERE id IN (SELECT organization_id \
             FROM target_profile_offers WHERE package_id = $1 AND profile_key = $2) ORDER BY uai",
            crate::organizations::ORG_COLUMNS
        ));
        Ok(on_pool!(self, |p| sqlx::query_as(sql)
            .bind(package_id)
            .bind(key)
            .fetch_all(p)
            .await)?)
    }

    /// Offers a profile (every version of it) to all establishments or exactly to `orgs`, in one
    /// transaction.
    pub async fn set_target_profile_offers(
        &self,
        package_id: &str,
        key: &str,
        to_all: bool,
        orgs: &[Uuid],
        by: Uuid,
    ) -> Result<()> {
        let at = now();
        let mut tx = self.begin().await?;
        crate::on_tx!(tx, |c| {
            sqlx::query(
                "UPDATE target_profiles SET offered_to_all = $1 WHERE profile_key = $2 \
                 AND package_digest IN (SELECT digest FROM content_packages WHERE package_id = $3)",
            )
            .bind(to_all)
            .bind(key)
            .bind(package_id)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "DELETE FROM target_profile_offers WHERE package_id = $1 AND profile_key = $2",
            )
            .bind(package_id)
            .bind(key)
            .execute(&mut *c)
            .await?;
            for org in orgs {
                sqlx::query(
                    "INSERT INTO target_profile_offers (package_id, profile_key, organization_id, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(package_id)
                .bind(key)
                .bind(org)
                .bind(by)
                .bind(at)
                .execute(&mut *c)
                .await
                .map_err(StoreError::from_write)?;
            }
            Ok::<(), StoreError>(())
        })?;
        tx.commit().await?;
        Ok(())
    }

    /// Every published version, newest first within each package.
    pub async fn packages(&self) -> Result<Vec<PackageSummary>> {
        self.package_summaries(None).await
    }

    pub async fn package(&self, digest: &str) -> Result<Option<PackageSummary>> {
        Ok(self.package_summaries(Some(digest)).await?.pop())
    }

    async fn package_summaries(&self, digest: Option<&str>) -> Result<Vec<PackageSummary>> {
        Ok(on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT p.digest, p.package_id, p.version, p.kind, p.published_at, \
               (SELECT u.first_name || ' ' || u.last_name FROM users u WHERE u.id = p.published_by) \
                 AS published_by, \
               (SELECT COUNT(*) FROM target_profiles tp WHERE tp.package_digest = p.digest) AS profiles, \
               CAST(length(p.archive) AS BIGINT) AS size \
             FROM content_packages p WHERE ($1 IS NULL OR p.digest = $1) \
             ORDER BY p.package_id, p.published_at DESC"
        )
        .bind(digest)
        .fetch_all(p)
        .await
        })?)
    }

    /// The digest already published under this id and version, if any.
    pub async fn published_digest(
        &self,
        package_id: &str,
        version: &str,
    ) -> Result<Option<String>> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT digest FROM content_packages WHERE package_id = $1 AND version = $2"
        )
        .bind(package_id)
        .bind(version)
        .fetch_optional(p)
        .await)?)
    }

    /// Stores a new token for a designer; only its sha256 is kept.
    pub async fn create_designer_token(
        &self,
        user: Uuid,
        name: &str,
        sha256: &str,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        on_writer!(self, |p| sqlx::query(
            "INSERT INTO designer_tokens (id, user_id, name, token_sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(user)
        .bind(name)
        .bind(sha256)
        .bind(now())
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)?;
        Ok(id)
    }

    pub async fn designer_tokens(&self, user: Uuid) -> Result<Vec<DesignerToken>> {
        Ok(on_pool!(self, |p| sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM designer_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC"
        )
        .bind(user)
        .fetch_all(p)
        .await)?)
    }

    /// Revokes one of `user`'s tokens; false when it is not theirs or already revoked.
    pub async fn revoke_designer_token(&self, user: Uuid, id: Uuid) -> Result<bool> {
        let done = on_writer!(self, |p| sqlx::query(
            "UPDATE designer_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 \
             AND revoked_at IS NULL"
        )
        .bind(now())
        .bind(id)
        .bind(user)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The designer a live token belongs to, noting its use. A revoked token, or one whose
    /// account lost the designer role, names no one.
    pub async fn designer_by_token(&self, sha256: &str) -> Result<Option<User>> {
        let user: Option<Uuid> = on_writer!(self, |p| sqlx::query_scalar(
            "UPDATE designer_tokens SET last_used_at = $1 WHERE token_sha256 = $2 \
             AND revoked_at IS NULL RETURNING user_id"
        )
        .bind(now())
        .bind(sha256)
        .fetch_optional(p)
        .await)?;
        let Some(user) = user else { return Ok(None) };
        Ok(self
            .find_user(user)
            .await?
            .filter(|u| u.platform_role.as_deref() == Some("DESIGNER")))
    }

    pub async fn target_profile(&self, id: Uuid) -> Result<Option<TargetProfileRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM target_profiles tp WHERE tp.id = $1"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }
}
