//! Published content (global): packages, immutable and addressed by digest, and the target
//! profiles they carry.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, StoreError, now, on_pool};

#[derive(Debug, Clone)]
pub struct NewPackage<'a> {
    pub digest: &'a str,
    pub package_id: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub archive: &'a [u8],
    pub published_by: Option<Uuid>,
    pub profiles: Vec<NewTargetProfile>,
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TargetProfileRow {
    pub id: Uuid,
    pub package_digest: String,
    pub profile_key: String,
    pub name: String,
    pub category: String,
    pub description: String,
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    New,
    /// The same bytes were already published: nothing changed.
    AlreadyThere,
}

const PROFILE_COLUMNS: &str =
    "tp.id, tp.package_digest, tp.profile_key, tp.name, tp.category, tp.description";

impl Store {
    /// Stores a verified package and its target profiles, all or nothing. A package id and
    /// version name one content forever: the same version with other bytes is refused.
    pub async fn publish_package(&self, new: &NewPackage<'_>) -> Result<Published> {
        let existing: Option<String> = on_pool!(self, |p| sqlx::query_scalar(
            "SELECT digest FROM content_packages WHERE package_id = $1 AND version = $2"
        )
        .bind(new.package_id)
        .bind(new.version)
        .fetch_optional(p)
        .await)?;
        if let Some(d) = existing {
            return if d == new.digest {
                Ok(Published::AlreadyThere)
            } else {
                Err(StoreError::Conflict("content_packages_version".into()))
            };
        }
        let at = now();
        let mut tx = self.begin().await?;
        crate::on_tx!(tx, |c| {
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
                .bind(true)
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

    pub async fn package_archive(&self, digest: &str) -> Result<Option<Vec<u8>>> {
        Ok(on_pool!(self, |p| sqlx::query_scalar(
            "SELECT archive FROM content_packages WHERE digest = $1"
        )
        .bind(digest)
        .fetch_optional(p)
        .await)?)
    }

    /// The target profiles an establishment may choose for a new campaign: those of the latest
    /// version of each package.
    pub async fn offered_target_profiles(&self) -> Result<Vec<TargetProfileRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM target_profiles tp \
             JOIN content_packages p ON p.digest = tp.package_digest \
             WHERE tp.offered_to_all AND p.published_at = (SELECT MAX(q.published_at) \
               FROM content_packages q WHERE q.package_id = p.package_id) \
             ORDER BY tp.category, tp.name"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as(sql).fetch_all(p).await)?)
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
