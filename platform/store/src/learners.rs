//! Students of an establishment: the SIECLE import (all or nothing), the list staff read, and the
//! link between a student and the account they take tests with.

use std::collections::HashSet;

use acquis_interop::siecle::Student;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{Result, StoreError, TenantTx, now, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Learner {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub ine: Option<String>,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub third_name: Option<String>,
    pub last_name: String,
    pub preferred_last_name: Option<String>,
    pub birthdate: Option<Date>,
    pub division: Option<String>,
    pub disabled: bool,
    pub certifiable: Option<bool>,
    pub certifiable_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

const LEARNER_COLUMNS: &str = "id, user_id, ine, first_name, middle_name, third_name, last_name, \
     preferred_last_name, birthdate, division, disabled, certifiable, certifiable_at, created_at";

/// What one import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    pub added: i64,
    pub updated: i64,
    pub disabled: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub filename: String,
    pub added: i32,
    pub updated: i32,
    pub disabled: i32,
    pub first_name: String,
    pub last_name: String,
}

/// The student's identity as an import writes it; each JSON row is the new id, then these.
const IDENTITY_COLUMNS: &[&str] = &[
    "ine",
    "first_name",
    "middle_name",
    "third_name",
    "last_name",
    "preferred_last_name",
    "sex",
    "birthdate",
    "birth_country_code",
    "birth_province_code",
    "birth_city_code",
    "birth_city",
    "mef_code",
    "status",
    "division",
];

/// Students per statement. Each chunk is one JSON array of arrays bound as a single parameter
/// and unpacked by the database (`json_each` / `jsonb_array_elements`). Measured
/// (docs/benchmarks.md): with one bind per column, sqlx-sqlite's cost per bind grows with the
/// statement's parameter count and each statement costs about 150 µs (100,000 students: 16 s a
/// row at a time, 6.3 s twenty at a time); as JSON, 2.3 s. Positions, not keys: SQLite reads
/// `->> 3` much faster than `->> '$.last_name'`.
const IMPORT_CHUNK: usize = 5000;

fn json_upsert_sql(postgres: bool) -> String {
    let field = |i: usize| {
        if postgres {
            format!("j ->> {i}")
        } else {
            format!("j.value ->> {i}")
        }
    };
    // Position 0 is the new id; the identity follows in IDENTITY_COLUMNS order.
    let cells: Vec<String> = IDENTITY_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| match *c {
            "birthdate" if postgres => format!("({})::date", field(i + 1)),
            _ => field(i + 1),
        })
        .collect();
    let (id, from) = if postgres {
        ("(j ->> 0)::uuid", "jsonb_array_elements($2::jsonb) AS j")
    } else {
        // `WHERE true`: SQLite's parser then knows ON CONFLICT belongs to the INSERT.
        ("unhex(j.value ->> 0)", "json_each($2) AS j WHERE true")
    };
    // Identity fields are overwritten; the account link, the creation date and the
    // certificability survive a re-import.
    let updates: Vec<String> = IDENTITY_COLUMNS
        .iter()
        .filter(|c| **c != "ine")
        .chain(&["disabled", "last_import_id", "updated_at"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO learners (organization_id, id, {}, disabled, last_import_id, created_at, \
         updated_at) SELECT $1, {id}, {}, false, $3, $4, $4 FROM {from} \
         ON CONFLICT (organization_id, ine) DO UPDATE SET {}",
        IDENTITY_COLUMNS.join(", "),
        cells.join(", "),
        updates.join(", ")
    )
}

fn json_rows(students: &[Student]) -> String {
    let rows: Vec<serde_json::Value> = students
        .iter()
        .map(|s| {
            serde_json::json!([
                Uuid::now_v7().simple().to_string(),
                s.ine(),
                s.first_name(),
                s.middle_name(),
                s.third_name(),
                s.last_name(),
                s.preferred_last_name(),
                s.sex.as_str(),
                // The text sqlx-sqlite stores a Date as, and PostgreSQL's date input.
                format!(
                    "{:04}-{:02}-{:02}",
                    s.birthdate.year(),
                    u8::from(s.birthdate.month()),
                    s.birthdate.day()
                ),
                s.birth_country_code(),
                s.birth_province_code(),
                s.birth_city_code(),
                s.birth_city(),
                s.mef_code(),
                s.status(),
                s.division(),
            ])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

impl TenantTx {
    /// Writes a validated SIECLE file: upserts every student on their INE, disables those the
    /// file no longer lists, and records the import. The caller commits (or drops) the whole.
    pub async fn import_learners(
        &mut self,
        created_by: Uuid,
        filename: &str,
        students: &[Student],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<ImportCounts> {
        let tenant = self.tenant();
        let existing: Vec<String> = on_tx!(self, |c| sqlx::query_scalar(
            "SELECT ine FROM learners WHERE organization_id = $1 AND ine IS NOT NULL"
        )
        .bind(tenant)
        .fetch_all(c)
        .await)?;
        let existing: HashSet<String> = existing.into_iter().collect();
        let import_id = Uuid::now_v7();
        let at = now();
        let sql = json_upsert_sql(matches!(self.inner, crate::TxInner::Postgres(_)));
        for (i, chunk) in students.chunks(IMPORT_CHUNK).enumerate() {
            progress(i * IMPORT_CHUNK);
            let sql = sql.clone();
            let payload = json_rows(chunk);
            on_tx!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(tenant)
                .bind(&payload)
                .bind(import_id)
                .bind(at)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .map_err(StoreError::from_write)?;
        }
        let disabled = on_tx!(self, |c| sqlx::query(
            "UPDATE learners SET disabled = $3, updated_at = $4 \
             WHERE organization_id = $1 AND ine IS NOT NULL AND disabled = $5 \
               AND deleted_at IS NULL AND (last_import_id IS NULL OR last_import_id <> $2)"
        )
        .bind(tenant)
        .bind(import_id)
        .bind(true)
        .bind(at)
        .bind(false)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        // The reference's re-import rule: a student whose INE and birth date are linked to an
        // account in another establishment gets that account here too, unless the account
        // already has a student here or is known under several INEs.
        // PostgreSQL: other establishments' links sit behind the registry's wall; only the
        // account they designate comes through `acquis_ine_account`.
        let linked = match &mut self.inner {
            crate::TxInner::Postgres(c) => sqlx::query(
                "UPDATE learners SET updated_at = $3, user_id = m.account \
                 FROM (SELECT l.id, acquis_ine_account(l.ine, l.birthdate) AS account \
                       FROM learners l WHERE l.organization_id = $1 AND l.last_import_id = $2 \
                       AND l.user_id IS NULL AND NOT l.disabled AND l.deleted_at IS NULL \
                       AND l.ine IS NOT NULL AND l.birthdate IS NOT NULL) m \
                 WHERE learners.organization_id = $1 AND learners.id = m.id \
                   AND m.account IS NOT NULL \
                   AND NOT EXISTS (SELECT 1 FROM learners l2 WHERE l2.organization_id = $1 \
                     AND l2.user_id = m.account AND l2.deleted_at IS NULL)",
            )
            .bind(tenant)
            .bind(import_id)
            .bind(at)
            .execute(&mut **c)
            .await
            .map(|r| r.rows_affected()),
            _ => on_tx!(self, |c| sqlx::query(
                "UPDATE learners SET updated_at = $3, user_id = (SELECT r.user_id \
                   FROM student_ine_links r WHERE r.ine = learners.ine \
                   AND r.birthdate = learners.birthdate \
                   AND (SELECT COUNT(DISTINCT r2.ine) FROM student_ine_links r2 \
                     WHERE r2.user_id = r.user_id) = 1 \
                   ORDER BY r.updated_at DESC LIMIT 1) \
                 WHERE organization_id = $1 AND last_import_id = $2 AND user_id IS NULL \
                   AND NOT disabled AND deleted_at IS NULL \
                   AND EXISTS (SELECT 1 FROM student_ine_links r WHERE r.ine = learners.ine \
                     AND r.birthdate = learners.birthdate \
                     AND NOT EXISTS (SELECT 1 FROM learners l2 WHERE l2.organization_id = $1 \
                       AND l2.user_id = r.user_id AND l2.deleted_at IS NULL) \
                     AND (SELECT COUNT(DISTINCT r2.ine) FROM student_ine_links r2 \
                       WHERE r2.user_id = r.user_id) = 1)"
            )
            .bind(tenant)
            .bind(import_id)
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())),
        }
        .map_err(StoreError::from_write)?;
        // The accounts just linked, in the registry (the common case links none: skip the scan).
        if linked > 0 {
            on_tx!(self, |c| sqlx::query(
                "INSERT INTO student_ine_links (user_id, organization_id, ine, birthdate, \
                 updated_at) SELECT user_id, organization_id, ine, birthdate, $3 FROM learners \
                 WHERE organization_id = $1 AND last_import_id = $2 AND updated_at = $3 \
                   AND user_id IS NOT NULL AND ine IS NOT NULL AND birthdate IS NOT NULL \
                   AND deleted_at IS NULL \
                 ON CONFLICT (user_id, organization_id) DO NOTHING"
            )
            .bind(tenant)
            .bind(import_id)
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        let added = students
            .iter()
            .filter(|s| !existing.contains(s.ine()))
            .count() as i64;
        let counts = ImportCounts {
            added,
            updated: students.len() as i64 - added,
            disabled: disabled as i64,
        };
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO learner_imports (organization_id, id, created_by, created_at, filename, \
             added, updated, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(tenant)
        .bind(import_id)
        .bind(created_by)
        .bind(at)
        .bind(filename)
        .bind(counts.added as i32)
        .bind(counts.updated as i32)
        .bind(counts.disabled as i32)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(counts)
    }

    /// The establishment's imports, latest first, with who ran them.
    pub async fn learner_imports(&mut self, limit: i64) -> Result<Vec<ImportRow>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_as::<_, ImportRow>(
            "SELECT i.id, i.created_at, i.filename, i.added, i.updated, i.disabled, \
                    u.first_name, u.last_name \
             FROM learner_imports i JOIN users u ON u.id = i.created_by \
             WHERE i.organization_id = $1 ORDER BY i.created_at DESC LIMIT $2"
        )
        .bind(tenant)
        .bind(limit)
        .fetch_all(c)
        .await)?)
    }

    pub async fn learner(&mut self, id: Uuid) -> Result<Option<Learner>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {LEARNER_COLUMNS} FROM learners \
             WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Learner>(sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(c)
            .await)?)
    }

    /// The student an account is linked to in this establishment (disabled or not).
    pub async fn learner_of_user(&mut self, user_id: Uuid) -> Result<Option<Learner>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {LEARNER_COLUMNS} FROM learners \
             WHERE organization_id = $1 AND user_id = $2 AND deleted_at IS NULL"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Learner>(sql)
            .bind(tenant)
            .bind(user_id)
            .fetch_optional(c)
            .await)?)
    }

    /// Imported students born on `birthdate`, the candidates of a reconciliation.
    pub async fn learners_born_on(&mut self, birthdate: Date) -> Result<Vec<Learner>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {LEARNER_COLUMNS} FROM learners \
             WHERE organization_id = $1 AND birthdate = $2 AND ine IS NOT NULL \
               AND deleted_at IS NULL ORDER BY id"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Learner>(sql)
            .bind(tenant)
            .bind(birthdate)
            .fetch_all(c)
            .await)?)
    }

    /// Links a student to an account, unless another account got there first.
    pub async fn link_learner(&mut self, learner_id: Uuid, user_id: Uuid) -> Result<bool> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE learners SET user_id = $3, updated_at = $4 \
             WHERE organization_id = $1 AND id = $2 AND user_id IS NULL AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(learner_id)
        .bind(user_id)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        if n == 1 {
            self.remember_ine(learner_id, user_id).await?;
        }
        Ok(n == 1)
    }

    /// The INE and birth date of the student the scope's user was most recently linked to, in
    /// any establishment: the registry's wall lets an account read its own links only.
    pub async fn latest_ine_link_of_user(&mut self) -> Result<Option<(String, time::Date)>> {
        let Some(user_id) = self.scope.user_id() else {
            return Ok(None);
        };
        Ok(on_tx!(self, |c| sqlx::query_as(
            "SELECT ine, birthdate FROM student_ine_links WHERE user_id = $1 \
             ORDER BY updated_at DESC LIMIT 1"
        )
        .bind(user_id)
        .fetch_optional(c)
        .await)?)
    }

    /// Records in the global registry the INE and birth date of the student this account was
    /// just linked to, so another establishment can recognise the student.
    async fn remember_ine(&mut self, learner_id: Uuid, user_id: Uuid) -> Result<()> {
        let Some(l) = self.learner(learner_id).await? else {
            return Ok(());
        };
        let (Some(ine), Some(birthdate)) = (l.ine, l.birthdate) else {
            return Ok(());
        };
        let tenant = self.tenant();
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO student_ine_links (user_id, organization_id, ine, birthdate, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, organization_id) \
             DO UPDATE SET ine = excluded.ine, birthdate = excluded.birthdate, \
             updated_at = excluded.updated_at"
        )
        .bind(user_id)
        .bind(tenant)
        .bind(&ine)
        .bind(birthdate)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The active, unlinked student of this establishment with this INE, if any.
    pub async fn unlinked_learner_by_ine(&mut self, ine: &str) -> Result<Option<Learner>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {LEARNER_COLUMNS} FROM learners WHERE organization_id = $1 AND ine = $2 \
             AND user_id IS NULL AND NOT disabled AND deleted_at IS NULL"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Learner>(sql)
            .bind(tenant)
            .bind(ine)
            .fetch_optional(c)
            .await)?)
    }

    /// The student behind a new participation: the linked one, or, in an establishment that
    /// does not import its students, one created from the account's names. `None` when the
    /// establishment imports its students and this account is not linked to an active one.
    pub async fn participant_learner(
        &mut self,
        user_id: Uuid,
        manages_students: bool,
    ) -> Result<Option<Uuid>> {
        if let Some(l) = self.learner_of_user(user_id).await? {
            return Ok((!l.disabled).then_some(l.id));
        }
        if manages_students {
            return Ok(None);
        }
        let tenant = self.tenant();
        let id = Uuid::now_v7();
        let at = now();
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO learners (organization_id, id, user_id, first_name, last_name, \
             disabled, created_at, updated_at) \
             SELECT $1, $2, u.id, u.first_name, u.last_name, $4, $5, $5 FROM users u WHERE u.id = $3"
        )
        .bind(tenant)
        .bind(id)
        .bind(user_id)
        .bind(false)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(Some(id))
    }
}

/// Whether the student's account has a provider identity (global table, no tenant rows).
const SSO_EXISTS: &str = "EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = l.user_id)";

/// How a student signs in, as the list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    None,
    Email,
    Username,
    /// Through the school's identity provider (ENT / médiacentre).
    Mediacentre,
}

impl Connection {
    pub fn parse(s: &str) -> Option<Connection> {
        match s {
            "none" => Some(Connection::None),
            "email" => Some(Connection::Email),
            "identifiant" => Some(Connection::Username),
            "mediacentre" => Some(Connection::Mediacentre),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certificability {
    Yes,
    No,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnerSort {
    LastName,
    FirstName,
    Division,
    Participations,
}

/// What the Élèves list shows, one page at a time.
#[derive(Debug, Clone)]
pub struct LearnerFilter {
    pub last_name: String,
    pub first_name: String,
    pub divisions: Vec<String>,
    pub connection: Option<Connection>,
    pub certificability: Option<Certificability>,
    pub sort: LearnerSort,
    pub descending: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LearnerListRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub birthdate: Option<Date>,
    pub division: Option<String>,
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    pub username: Option<String>,
    /// The account signs in through the school's identity provider.
    pub mediacentre: bool,
    pub certifiable: Option<bool>,
    pub certifiable_at: Option<OffsetDateTime>,
    pub participations: i64,
    pub last_campaign: Option<String>,
    pub last_status: Option<String>,
    pub last_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct LearnerPage {
    pub rows: Vec<LearnerListRow>,
    pub total: i64,
}

/// One participation on a student's page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LearnerParticipation {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub campaign_name: String,
    pub campaign_kind: String,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub shared_at: Option<OffsetDateTime>,
    pub mastery_percent: Option<i32>,
    pub pix_score: Option<i32>,
}

impl TenantTx {
    /// Active students with their account, participations and last participation.
    pub async fn learners_page(&mut self, f: &LearnerFilter) -> Result<LearnerPage> {
        let tenant = self.tenant();
        let mut conds = vec![
            "l.organization_id = $1".to_owned(),
            "NOT l.disabled".to_owned(),
            "l.deleted_at IS NULL".to_owned(),
            crate::organizations::name_search(&["l.last_name"], 2, 4),
            crate::organizations::name_search(
                &["l.first_name", "coalesce(l.middle_name, '')"],
                3,
                5,
            ),
        ];
        // $6.. are the classes.
        if !f.divisions.is_empty() {
            let ph: Vec<String> = (0..f.divisions.len())
                .map(|i| format!("${}", i + 6))
                .collect();
            conds.push(format!("l.division IN ({})", ph.join(", ")));
        }
        match f.connection {
            Some(Connection::None) => conds.push("l.user_id IS NULL".into()),
            Some(Connection::Email) => conds.push("u.email IS NOT NULL".into()),
            Some(Connection::Username) => conds.push("u.username IS NOT NULL".into()),
            Some(Connection::Mediacentre) => conds.push(SSO_EXISTS.to_owned()),
            None => {}
        }
        match f.certificability {
            Some(Certificability::Yes) => conds.push("l.certifiable = TRUE".into()),
            Some(Certificability::No) => conds.push("l.certifiable = FALSE".into()),
            Some(Certificability::Unknown) => conds.push("l.certifiable IS NULL".into()),
            None => {}
        }
        let where_ = conds.join(" AND ");
        let dir = if f.descending { "DESC" } else { "ASC" };
        let order = match f.sort {
            LearnerSort::LastName => {
                format!("lower(l.last_name) {dir}, lower(l.first_name) {dir}, l.id")
            }
            LearnerSort::FirstName => {
                format!("lower(l.first_name) {dir}, lower(l.last_name) {dir}, l.id")
            }
            LearnerSort::Division => {
                format!("l.division {dir}, lower(l.last_name), lower(l.first_name), l.id")
            }
            LearnerSort::Participations => {
                format!("participations {dir}, lower(l.last_name), lower(l.first_name), l.id")
            }
        };
        let from = "FROM learners l LEFT JOIN users u ON u.id = l.user_id";
        let count_sql = format!("SELECT COUNT(*) {from} WHERE {where_}");
        let n = f.divisions.len();
        let last = "(SELECT p.id FROM campaign_participations p \
             WHERE p.organization_id = l.organization_id AND p.learner_id = l.id \
               AND p.deleted_at IS NULL ORDER BY p.created_at DESC LIMIT 1)";
        let page_sql = format!(
            "SELECT l.id, l.first_name, l.last_name, l.birthdate, l.division, l.user_id, u.email, \
                    u.username, {SSO_EXISTS} AS mediacentre, l.certifiable, l.certifiable_at, \
                    (SELECT COUNT(*) FROM campaign_participations p \
                     WHERE p.organization_id = l.organization_id AND p.learner_id = l.id \
                       AND p.deleted_at IS NULL AND NOT p.is_improved) AS participations, \
                    c.name AS last_campaign, lp.status AS last_status, lp.created_at AS last_at \
             {from} \
             LEFT JOIN campaign_participations lp \
               ON lp.organization_id = l.organization_id AND lp.id = {last} \
             LEFT JOIN campaigns c ON c.organization_id = lp.organization_id AND c.id = lp.campaign_id \
             WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 6,
            n + 7
        );
        let last_name = crate::organizations::like_pattern(&f.last_name);
        let first_name = crate::organizations::like_pattern(&f.first_name);
        let (last_upper, first_upper) = (last_name.to_uppercase(), first_name.to_uppercase());
        let total: i64 = on_tx!(self, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
                .bind(tenant)
                .bind(&last_name)
                .bind(&first_name)
                .bind(&last_upper)
                .bind(&first_upper);
            for d in &f.divisions {
                q = q.bind(d);
            }
            q.fetch_one(c).await
        })?;
        let rows = on_tx!(self, |c| {
            let mut q = sqlx::query_as::<_, LearnerListRow>(sqlx::AssertSqlSafe(page_sql.clone()))
                .bind(tenant)
                .bind(&last_name)
                .bind(&first_name)
                .bind(&last_upper)
                .bind(&first_upper);
            for d in &f.divisions {
                q = q.bind(d);
            }
            q.bind(f.per_page)
                .bind((f.page.max(1) - 1) * f.per_page)
                .fetch_all(c)
                .await
        })?;
        Ok(LearnerPage { rows, total })
    }

    /// The classes of active students, for the filter.
    pub async fn divisions(&mut self) -> Result<Vec<String>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_scalar(
            "SELECT DISTINCT division FROM learners \
             WHERE organization_id = $1 AND division IS NOT NULL AND NOT disabled \
               AND deleted_at IS NULL ORDER BY division"
        )
        .bind(tenant)
        .fetch_all(c)
        .await)?)
    }

    /// Every participation of a student, latest first.
    pub async fn learner_participations(
        &mut self,
        learner_id: Uuid,
    ) -> Result<Vec<LearnerParticipation>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, LearnerParticipation>(
                "SELECT p.id, p.campaign_id, c.name AS campaign_name, c.kind AS campaign_kind, \
                    p.status, p.created_at, p.shared_at, p.mastery_percent, p.pix_score \
             FROM campaign_participations p \
             JOIN campaigns c ON c.organization_id = p.organization_id AND c.id = p.campaign_id \
             WHERE p.organization_id = $1 AND p.learner_id = $2 AND p.deleted_at IS NULL \
             ORDER BY p.created_at DESC",
            )
            .bind(tenant)
            .bind(learner_id)
            .fetch_all(c)
            .await
        })?)
    }
}

impl TenantTx {
    /// Replaces the password of a student's account; with `must_change`, the student chooses a
    /// new one at next login (one-time passwords given by staff).
    pub async fn set_account_password(
        &mut self,
        user_id: Uuid,
        hash: &str,
        must_change: bool,
    ) -> Result<()> {
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE users SET password_hash = $2, must_change_password = $3, updated_at = $4 \
             WHERE id = $1"
        )
        .bind(user_id)
        .bind(hash)
        .bind(must_change)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.touch(user_id).await;
        Ok(())
    }

    /// Gives an account a username (it had none); a taken one is a conflict.
    pub async fn set_account_username(&mut self, user_id: Uuid, username: &str) -> Result<()> {
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE users SET username = $2, updated_at = $3 WHERE id = $1 AND username IS NULL"
        )
        .bind(user_id)
        .bind(username)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.touch(user_id).await;
        Ok(())
    }

    /// The certificability of the student a participation belongs to, as its sent profile says.
    pub async fn set_participant_certifiable(
        &mut self,
        participation_id: Uuid,
        certifiable: bool,
    ) -> Result<()> {
        match self.participation(participation_id).await? {
            Some(p) => match p.learner_id {
                Some(learner) => self.set_certifiable(learner, certifiable).await,
                None => Ok(()),
            },
            None => Err(StoreError::NotFound),
        }
    }

    /// Active students linked to an account: (student, account).
    pub async fn linked_learners(&mut self) -> Result<Vec<(Uuid, Uuid)>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_as(
            "SELECT id, user_id FROM learners WHERE organization_id = $1 AND user_id IS NOT NULL \
             AND NOT disabled AND deleted_at IS NULL"
        )
        .bind(tenant)
        .fetch_all(c)
        .await)?)
    }

    pub async fn set_certifiable(&mut self, learner_id: Uuid, certifiable: bool) -> Result<()> {
        let tenant = self.tenant();
        on_tx!(self, |c| sqlx::query(
            "UPDATE learners SET certifiable = $3, certifiable_at = $4 \
             WHERE organization_id = $1 AND id = $2"
        )
        .bind(tenant)
        .bind(learner_id)
        .bind(certifiable)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Detaches a wrongly linked account from a student; their participations stay with the
    /// student, and the account's INE is forgotten by the registry. Returns the account that was
    /// detached.
    pub async fn unlink_learner(&mut self, learner_id: Uuid) -> Result<Option<Uuid>> {
        let tenant = self.tenant();
        let Some(l) = self.learner(learner_id).await? else {
            return Ok(None);
        };
        let Some(user) = l.user_id else {
            return Ok(None);
        };
        on_tx!(self, |c| sqlx::query(
            "UPDATE learners SET user_id = NULL, updated_at = $3 \
             WHERE organization_id = $1 AND id = $2"
        )
        .bind(tenant)
        .bind(learner_id)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        // A wrong link makes the account's INE doubtful everywhere: forget it, so that no other
        // establishment links the account by it (links made by hand stay where they are).
        on_tx!(self, |c| sqlx::query(
            "DELETE FROM student_ine_links WHERE user_id = $1 AND organization_id = $2"
        )
        .bind(user)
        .bind(tenant)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if let Some(ine) = &l.ine {
            // Other establishments' links are behind the registry's wall on PostgreSQL.
            match &mut self.inner {
                crate::TxInner::Postgres(c) => sqlx::query("SELECT acquis_forget_ine($1, $2)")
                    .bind(user)
                    .bind(ine)
                    .execute(&mut **c)
                    .await
                    .map(|_| ())?,
                _ => on_tx!(self, |c| sqlx::query(
                    "DELETE FROM student_ine_links WHERE user_id = $1 AND ine = $2"
                )
                .bind(user)
                .bind(ine)
                .execute(c)
                .await
                .map(|_| ()))?,
            }
        }
        Ok(Some(user))
    }
}
