//! Campaigns and participations (tenant-owned), and the global campaign-code registry.

use acquis_tenants::TenantId;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Result, Store, StoreError, TenantTx, now, on_pool, on_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignKind {
    Assessment,
    ProfilesCollection,
}

impl CampaignKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignKind::Assessment => "ASSESSMENT",
            CampaignKind::ProfilesCollection => "PROFILES_COLLECTION",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub kind: CampaignKind,
    pub target_profile_id: Option<Uuid>,
    pub title: Option<String>,
    pub landing_text: Option<String>,
    pub external_id_label: Option<String>,
    /// `TEXT` or `EMAIL`.
    pub external_id_type: Option<&'static str>,
    pub multiple_sendings: bool,
    pub owner_id: Uuid,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Campaign {
    pub organization_id: Uuid,
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub target_profile_id: Option<Uuid>,
    pub title: Option<String>,
    pub landing_text: Option<String>,
    pub external_id_label: Option<String>,
    pub external_id_type: Option<String>,
    pub multiple_sendings: bool,
    pub owner_id: Uuid,
    pub created_at: OffsetDateTime,
    pub archived_at: Option<OffsetDateTime>,
}

impl Campaign {
    pub fn kind(&self) -> CampaignKind {
        if self.kind == "ASSESSMENT" {
            CampaignKind::Assessment
        } else {
            CampaignKind::ProfilesCollection
        }
    }
}

/// A campaign in the establishment's list, with its counts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignSummary {
    #[sqlx(flatten)]
    pub campaign: Campaign,
    pub owner_first_name: String,
    pub owner_last_name: String,
    pub participants: i64,
    pub shared: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Participation {
    pub organization_id: Uuid,
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub user_id: Uuid,
    pub external_id: Option<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub shared_at: Option<OffsetDateTime>,
    pub mastery_percent: Option<i32>,
    pub validated_skills: Option<i32>,
    pub pix_score: Option<i32>,
    pub results: Option<String>,
    pub learner_id: Option<Uuid>,
    /// The participant's share of the campaign's analysis, computed when sent.
    pub analysis: Option<String>,
}

impl Participation {
    pub fn is_shared(&self) -> bool {
        self.status == "SHARED"
    }
}

/// What is frozen for the establishment when a student sends their results.
#[derive(Debug, Clone)]
pub struct SharedResults {
    pub mastery_percent: i32,
    pub validated_skills: i32,
    pub pix_score: i32,
    /// JSON: per-competence results, stage, badges, or the sent profile.
    pub results: String,
    /// (reached, total) when the target profile has stages; 0 is the zero stage.
    pub stage: Option<(i32, i32)>,
    /// The participant's share of the campaign's analysis (assessments).
    pub analysis: Option<String>,
    /// (certifiable, certifiable competences) of a sent profile.
    pub certifiable: Option<(bool, i32)>,
    /// Keys of the badges obtained.
    pub badges: Vec<String>,
}

const CAMPAIGN_COLUMNS: &str = "c.organization_id, c.id, c.code, c.name, c.kind, \
    c.target_profile_id, c.title, c.landing_text, c.external_id_label, c.external_id_type, \
    c.multiple_sendings, c.owner_id, c.created_at, c.archived_at";

const PARTICIPATION_COLUMNS: &str = "p.organization_id, p.id, p.campaign_id, p.user_id, \
    p.external_id, p.status, p.created_at, p.shared_at, p.mastery_percent, p.validated_skills, \
    p.pix_score, p.results, p.learner_id, p.analysis";

impl Store {
    /// The establishment and campaign a code names (the code registry is global; the campaign
    /// itself is then read inside its tenant).
    pub async fn campaign_code(&self, code: &str) -> Result<Option<(TenantId, Uuid)>> {
        let row: Option<(Uuid, Uuid)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT organization_id, campaign_id FROM campaign_codes WHERE code = $1"
        )
        .bind(code)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|(o, c)| (TenantId(o), c)))
    }
}

impl TenantTx {
    /// Creates a campaign with a fresh code, registered globally.
    pub async fn create_campaign(&mut self, new: &NewCampaign, code: &str) -> Result<Campaign> {
        let tenant = self.tenant();
        let id = Uuid::now_v7();
        let at = now();
        let created_by = self.scope.user_id();
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO campaign_codes (code, organization_id, campaign_id) VALUES ($1, $2, $3)"
        )
        .bind(code)
        .bind(tenant)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO campaigns (organization_id, id, code, name, kind, target_profile_id, \
             title, landing_text, external_id_label, external_id_type, multiple_sendings, owner_id, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             RETURNING {}",
            CAMPAIGN_COLUMNS.replace("c.", "")
        ));
        on_tx!(self, |c| sqlx::query_as::<_, Campaign>(sql)
            .bind(tenant)
            .bind(id)
            .bind(code)
            .bind(&new.name)
            .bind(new.kind.as_str())
            .bind(new.target_profile_id)
            .bind(&new.title)
            .bind(&new.landing_text)
            .bind(&new.external_id_label)
            .bind(new.external_id_type)
            .bind(new.multiple_sendings)
            .bind(new.owner_id)
            .bind(created_by)
            .bind(at)
            .fetch_one(c)
            .await)
        .map_err(StoreError::from_write)
    }

    pub async fn campaign(&mut self, id: Uuid) -> Result<Option<Campaign>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns c \
             WHERE c.organization_id = $1 AND c.id = $2 AND c.deleted_at IS NULL"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Campaign>(sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(c)
            .await)?)
    }

    /// The establishment's campaigns, newest first, with participant and shared counts.
    pub async fn campaigns(
        &mut self,
        archived: bool,
        owner: Option<Uuid>,
        search: &str,
    ) -> Result<Vec<CampaignSummary>> {
        let tenant = self.tenant();
        let pattern = format!("%{}%", search.to_lowercase());
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLUMNS}, u.first_name AS owner_first_name, \
               u.last_name AS owner_last_name, \
               (SELECT COUNT(*) FROM campaign_participations p WHERE p.organization_id = c.organization_id \
                  AND p.campaign_id = c.id AND p.deleted_at IS NULL AND NOT p.is_improved) AS participants, \
               (SELECT COUNT(*) FROM campaign_participations p WHERE p.organization_id = c.organization_id \
                  AND p.campaign_id = c.id AND p.deleted_at IS NULL AND NOT p.is_improved \
                  AND p.status = 'SHARED') AS shared \
             FROM campaigns c JOIN users u ON u.id = c.owner_id \
             WHERE c.organization_id = $1 AND c.deleted_at IS NULL \
               AND (c.archived_at IS NOT NULL) = $2 \
               AND ($3 IS NULL OR c.owner_id = $3) \
               AND (lower(c.name) LIKE $4 OR lower(u.last_name || ' ' || u.first_name) LIKE $4 \
                    OR lower(u.first_name || ' ' || u.last_name) LIKE $4) \
             ORDER BY c.created_at DESC"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, CampaignSummary>(sql)
            .bind(tenant)
            .bind(archived)
            .bind(owner)
            .bind(&pattern)
            .fetch_all(c)
            .await)?)
    }

    pub async fn set_campaign_archived(&mut self, id: Uuid, archived: bool) -> Result<()> {
        let tenant = self.tenant();
        let at = archived.then(now);
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE campaigns SET archived_at = $3 WHERE organization_id = $1 AND id = $2 \
             AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(id)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// « Supprimer la campagne »: the campaign and every participation in it are marked deleted
    /// (external ids erased), so it leaves lists, results and the students' pages, and its code
    /// names nothing any more. Returns false when there is no such campaign.
    pub async fn delete_campaign(&mut self, id: Uuid, by: Uuid) -> Result<bool> {
        let tenant = self.tenant();
        let at = now();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE campaigns SET deleted_at = $3 WHERE organization_id = $1 AND id = $2 \
             AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(id)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Ok(false);
        }
        on_tx!(self, |c| sqlx::query(
            "UPDATE campaign_participations SET deleted_at = $3, deleted_by = $4, \
             external_id = NULL WHERE organization_id = $1 AND campaign_id = $2 \
             AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(id)
        .bind(at)
        .bind(by)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(true)
    }

    /// The user's current participation in a campaign (not superseded, not deleted).
    pub async fn participation_of(
        &mut self,
        campaign_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<Participation>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PARTICIPATION_COLUMNS} FROM campaign_participations p \
             WHERE p.organization_id = $1 AND p.campaign_id = $2 AND p.user_id = $3 \
               AND NOT p.is_improved AND p.deleted_at IS NULL"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Participation>(sql)
            .bind(tenant)
            .bind(campaign_id)
            .bind(user_id)
            .fetch_optional(c)
            .await)?)
    }

    pub async fn participation(&mut self, id: Uuid) -> Result<Option<Participation>> {
        let tenant = self.tenant();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PARTICIPATION_COLUMNS} FROM campaign_participations p \
             WHERE p.organization_id = $1 AND p.id = $2 AND p.deleted_at IS NULL"
        ));
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Participation>(sql)
            .bind(tenant)
            .bind(id)
            .fetch_optional(c)
            .await)?)
    }

    /// Starts a student's first participation in a campaign.
    pub async fn start_participation(
        &mut self,
        campaign_id: Uuid,
        user_id: Uuid,
        learner_id: Uuid,
        external_id: Option<&str>,
    ) -> Result<Uuid> {
        self.insert_participation(campaign_id, user_id, Some(learner_id), external_id)
            .await
    }

    /// A new participation of the same student, account and external id (retry after sending,
    /// a new sending); the previous one is kept but superseded.
    pub async fn supersede_participation(&mut self, old: &Participation) -> Result<Uuid> {
        let tenant = self.tenant();
        on_tx!(self, |c| sqlx::query(
            "UPDATE campaign_participations SET is_improved = $3 \
             WHERE organization_id = $1 AND id = $2"
        )
        .bind(tenant)
        .bind(old.id)
        .bind(true)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        self.insert_participation(
            old.campaign_id,
            old.user_id,
            old.learner_id,
            old.external_id.as_deref(),
        )
        .await
    }

    async fn insert_participation(
        &mut self,
        campaign_id: Uuid,
        user_id: Uuid,
        learner_id: Option<Uuid>,
        external_id: Option<&str>,
    ) -> Result<Uuid> {
        let tenant = self.tenant();
        let id = Uuid::now_v7();
        on_tx!(self, |c| sqlx::query(
            "INSERT INTO campaign_participations (organization_id, id, campaign_id, user_id, \
             external_id, status, created_at, learner_id) \
             VALUES ($1, $2, $3, $4, $5, 'STARTED', $6, $7)"
        )
        .bind(tenant)
        .bind(id)
        .bind(campaign_id)
        .bind(user_id)
        .bind(external_id)
        .bind(now())
        .bind(learner_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(id)
    }

    /// Freezes the results for the establishment. Sending twice changes nothing.
    pub async fn share_participation(&mut self, id: Uuid, results: &SharedResults) -> Result<bool> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE campaign_participations SET status = 'SHARED', shared_at = $3, \
             mastery_percent = $4, validated_skills = $5, pix_score = $6, results = $7, \
             stage_reached = $8, stage_total = $9, analysis = $10, certifiable = $11, \
             certifiable_competences = $12, badges = $13 \
             WHERE organization_id = $1 AND id = $2 AND status = 'STARTED' AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(id)
        .bind(now())
        .bind(results.mastery_percent)
        .bind(results.validated_skills)
        .bind(results.pix_score)
        .bind(&results.results)
        .bind(results.stage.map(|s| s.0))
        .bind(results.stage.map(|s| s.1))
        .bind(results.analysis.as_deref())
        .bind(results.certifiable.map(|c| c.0))
        .bind(results.certifiable.map(|c| c.1))
        .bind((!results.badges.is_empty()).then(|| format!(",{},", results.badges.join(","))))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Counts, averages and distributions of a campaign, computed by the database.
    /// `with_days`: also when each participation started and was sent (the activity chart).
    pub async fn campaign_figures(
        &mut self,
        campaign_id: Uuid,
        with_days: bool,
    ) -> Result<CampaignFigures> {
        let tenant = self.tenant();
        const CURRENT: &str = "organization_id = $1 AND campaign_id = $2 AND NOT is_improved \
             AND deleted_at IS NULL";
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'SHARED' THEN 1 ELSE 0 END), 0), \
                    AVG(CASE WHEN status = 'SHARED' THEN CAST(mastery_percent AS DOUBLE PRECISION) END), \
                    AVG(CASE WHEN status = 'SHARED' THEN CAST(stage_reached AS DOUBLE PRECISION) END), \
                    MAX(stage_total) \
             FROM campaign_participations WHERE {CURRENT}"
        ));
        let (participants, shared, average_mastery, average_stage, stage_total): (
            i64,
            i64,
            Option<f64>,
            Option<f64>,
            Option<i32>,
        ) = on_tx!(self, |c| sqlx::query_as(sql)
            .bind(tenant)
            .bind(campaign_id)
            .fetch_one(c)
            .await)?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT CASE WHEN mastery_percent <= 10 THEN 0 ELSE (mastery_percent - 1) / 10 END, \
                    COUNT(*) \
             FROM campaign_participations \
             WHERE {CURRENT} AND status = 'SHARED' AND mastery_percent IS NOT NULL \
             GROUP BY 1"
        ));
        let rows: Vec<(i32, i64)> = on_tx!(self, |c| sqlx::query_as(sql)
            .bind(tenant)
            .bind(campaign_id)
            .fetch_all(c)
            .await)?;
        let mut buckets = [0i64; 10];
        for (b, n) in rows {
            buckets[b.clamp(0, 9) as usize] += n;
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT stage_reached, COUNT(*) FROM campaign_participations \
             WHERE {CURRENT} AND status = 'SHARED' AND stage_reached IS NOT NULL \
             GROUP BY stage_reached ORDER BY stage_reached"
        ));
        let stages: Vec<(i32, i64)> = on_tx!(self, |c| sqlx::query_as(sql)
            .bind(tenant)
            .bind(campaign_id)
            .fetch_all(c)
            .await)?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT created_at, shared_at FROM campaign_participations WHERE {CURRENT}"
        ));
        let days: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = if with_days {
            on_tx!(self, |c| {
                sqlx::query_as(sql)
                    .bind(tenant)
                    .bind(campaign_id)
                    .fetch_all(c)
                    .await
            })?
        } else {
            Vec::new()
        };
        Ok(CampaignFigures {
            participants,
            shared,
            average_mastery,
            average_stage,
            stage_total,
            buckets,
            stages,
            days,
        })
    }

    /// The classes of a campaign's participants, for the filters.
    pub async fn participant_divisions(&mut self, campaign_id: Uuid) -> Result<Vec<String>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_scalar(
            "SELECT DISTINCT l.division FROM campaign_participations p \
             JOIN learners l ON l.organization_id = p.organization_id AND l.id = p.learner_id \
             WHERE p.organization_id = $1 AND p.campaign_id = $2 AND NOT p.is_improved \
               AND p.deleted_at IS NULL AND l.division IS NOT NULL ORDER BY l.division"
        )
        .bind(tenant)
        .bind(campaign_id)
        .fetch_all(c)
        .await)?)
    }

    /// One page of a campaign's participants (current participations), by name, filtered.
    /// `known_total`: the count when the caller already has it (no filter but the status).
    pub async fn participants_page(
        &mut self,
        campaign_id: Uuid,
        f: &ParticipantFilter,
        known_total: Option<i64>,
    ) -> Result<ParticipantPage> {
        let tenant = self.tenant();
        let mut conds = vec![
            "p.organization_id = $1".to_owned(),
            "p.campaign_id = $2".to_owned(),
            "NOT p.is_improved".to_owned(),
            "p.deleted_at IS NULL".to_owned(),
            crate::organizations::name_search(
                &[
                    "coalesce(l.last_name, u.last_name)",
                    "coalesce(l.first_name, u.first_name)",
                ],
                3,
                4,
            ),
        ];
        match f.shared {
            Some(true) => conds.push("p.status = 'SHARED'".into()),
            Some(false) => conds.push("p.status <> 'SHARED'".into()),
            None => {}
        }
        match f.certifiable {
            Some(true) => conds.push("p.certifiable = TRUE".into()),
            Some(false) => conds.push("p.certifiable = FALSE".into()),
            None => {}
        }
        // $5.. are the classes, then the stages.
        let mut next = 5;
        if !f.divisions.is_empty() {
            let ph: Vec<String> = (next..next + f.divisions.len())
                .map(|i| format!("${i}"))
                .collect();
            next += f.divisions.len();
            conds.push(format!("l.division IN ({})", ph.join(", ")));
        }
        if !f.stages.is_empty() {
            let ph: Vec<String> = (next..next + f.stages.len())
                .map(|i| format!("${i}"))
                .collect();
            next += f.stages.len();
            conds.push(format!("p.stage_reached IN ({})", ph.join(", ")));
        }
        // $next.. are the badges, each as a LIKE pattern.
        for i in 0..f.badges.len() {
            conds.push(format!("p.badges LIKE ${} ESCAPE '\\'", next + i));
        }
        let where_ = conds.join(" AND ");
        let from = "FROM campaign_participations p JOIN users u ON u.id = p.user_id \
             LEFT JOIN learners l ON l.organization_id = p.organization_id AND l.id = p.learner_id";
        let count_sql = format!("SELECT COUNT(*) {from} WHERE {where_}");
        let by_name = "lower(coalesce(l.last_name, u.last_name)), \
                       lower(coalesce(l.first_name, u.first_name)), p.id";
        let order = if f.latest_first {
            format!("p.shared_at DESC, {by_name}")
        } else {
            by_name.to_owned()
        };
        let page_sql = format!(
            "SELECT p.id, coalesce(l.first_name, u.first_name) AS first_name, \
                    coalesce(l.last_name, u.last_name) AS last_name, l.division, p.external_id, \
                    p.status, p.created_at, p.shared_at, p.mastery_percent, p.pix_score, \
                    p.stage_reached, p.stage_total, p.certifiable, p.certifiable_competences, \
                    p.badges \
             {from} WHERE {where_} \
             ORDER BY {order} \
             LIMIT {} OFFSET {}",
            f.per_page,
            (f.page.max(1) - 1) * f.per_page
        );
        let pattern = crate::organizations::like_pattern(&f.search);
        let upper = pattern.to_uppercase();
        let badge_patterns: Vec<String> = f
            .badges
            .iter()
            .map(|b| {
                let key = b
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%,{key},%")
            })
            .collect();
        macro_rules! bind_all {
            ($q:expr) => {{
                let mut q = $q
                    .bind(tenant)
                    .bind(campaign_id)
                    .bind(&pattern)
                    .bind(&upper);
                for d in &f.divisions {
                    q = q.bind(d);
                }
                for s in &f.stages {
                    q = q.bind(s);
                }
                for b in &badge_patterns {
                    q = q.bind(b);
                }
                q
            }};
        }
        let total: i64 = match known_total {
            Some(n) => n,
            None => {
                let count_sql = sqlx::AssertSqlSafe(count_sql);
                on_tx!(self, |c| bind_all!(sqlx::query_scalar(count_sql))
                    .fetch_one(c)
                    .await)?
            }
        };
        let page_sql = sqlx::AssertSqlSafe(page_sql);
        let rows: Vec<ParticipantRow> = on_tx!(self, |c| bind_all!(sqlx::query_as::<
            _,
            ParticipantRow,
        >(page_sql))
        .fetch_all(c)
        .await)?;
        Ok(ParticipantPage { rows, total })
    }

    /// What each participant who sent their results brings to the analysis: (participation, the
    /// digest kept when sent). Read from an index: the results themselves are not touched.
    pub async fn shared_digests(
        &mut self,
        campaign_id: Uuid,
    ) -> Result<Vec<(Uuid, Option<String>)>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_as(
            "SELECT id, analysis FROM campaign_participations \
             WHERE organization_id = $1 AND campaign_id = $2 AND status = 'SHARED' \
               AND deleted_at IS NULL AND NOT is_improved"
        )
        .bind(tenant)
        .bind(campaign_id)
        .fetch_all(c)
        .await)?)
    }

    /// The results a participation sent (to compute a digest it lacks).
    pub async fn sent_results(&mut self, id: Uuid) -> Result<Option<String>> {
        let tenant = self.tenant();
        Ok(on_tx!(self, |c| sqlx::query_scalar(
            "SELECT results FROM campaign_participations WHERE organization_id = $1 AND id = $2"
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(c)
        .await)?
        .flatten())
    }

    /// Keeps the analysis digests computed for participations sent before digests existed.
    pub async fn keep_digests(&mut self, digests: &[(Uuid, String)]) -> Result<()> {
        let tenant = self.tenant();
        for (id, digest) in digests {
            on_tx!(self, |c| sqlx::query(
                "UPDATE campaign_participations SET analysis = $3 \
                 WHERE organization_id = $1 AND id = $2 AND analysis IS NULL"
            )
            .bind(tenant)
            .bind(id)
            .bind(digest)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// One participant of a campaign with the names of their student record.
    pub async fn participant(
        &mut self,
        campaign_id: Uuid,
        id: Uuid,
    ) -> Result<Option<(Participation, String, String, Option<String>)>> {
        let Some(p) = self.participation(id).await? else {
            return Ok(None);
        };
        if p.campaign_id != campaign_id {
            return Ok(None);
        }
        let tenant = self.tenant();
        let names: Option<(String, String, Option<String>)> = on_tx!(self, |c| sqlx::query_as(
            "SELECT coalesce(l.first_name, u.first_name), coalesce(l.last_name, u.last_name), \
                    l.division \
             FROM users u LEFT JOIN learners l ON l.organization_id = $1 AND l.id = $3 \
             WHERE u.id = $2"
        )
        .bind(tenant)
        .bind(p.user_id)
        .bind(p.learner_id)
        .fetch_optional(c)
        .await)?;
        Ok(names.map(|(f, l, d)| (p, f, l, d)))
    }
}

/// What the campaign page's cards and charts show.
#[derive(Debug, Clone)]
pub struct CampaignFigures {
    pub participants: i64,
    pub shared: i64,
    pub average_mastery: Option<f64>,
    pub average_stage: Option<f64>,
    pub stage_total: Option<i32>,
    /// Shared participants by 10-point result bucket (0–10 %, 11–20 %, … 91–100 %).
    pub buckets: [i64; 10],
    /// (stage reached, shared participants).
    pub stages: Vec<(i32, i64)>,
    /// When each participation started and was sent.
    pub days: Vec<(OffsetDateTime, Option<OffsetDateTime>)>,
}

#[derive(Debug, Clone, Default)]
pub struct ParticipantFilter {
    pub search: String,
    pub divisions: Vec<String>,
    pub stages: Vec<i32>,
    /// Some(true): results sent; Some(false): in progress.
    pub shared: Option<bool>,
    /// Sent profiles: certifiable or not.
    pub certifiable: Option<bool>,
    /// Every one of these badges obtained.
    pub badges: Vec<String>,
    /// Latest sent first (profile collections), instead of by name.
    pub latest_first: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub division: Option<String>,
    pub external_id: Option<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub shared_at: Option<OffsetDateTime>,
    pub mastery_percent: Option<i32>,
    pub pix_score: Option<i32>,
    pub stage_reached: Option<i32>,
    pub stage_total: Option<i32>,
    pub certifiable: Option<bool>,
    pub certifiable_competences: Option<i32>,
    /// ",key1,key2," or none.
    pub badges: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ParticipantPage {
    pub rows: Vec<ParticipantRow>,
    pub total: i64,
}

/// One line of a campaign's results export.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub division: Option<String>,
    pub external_id: Option<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub shared_at: Option<OffsetDateTime>,
    pub mastery_percent: Option<i32>,
    pub pix_score: Option<i32>,
    pub results: Option<String>,
}

impl TenantTx {
    /// Current participations of a campaign after `after` (by id), `limit` at a time, so an
    /// export streams a campaign of any size in pages.
    pub async fn export_rows(
        &mut self,
        campaign_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ExportRow>> {
        let tenant = self.tenant();
        // Names come from the establishment's list when the student is on it.
        let sql = "SELECT p.id, coalesce(l.first_name, u.first_name) AS first_name, \
                    coalesce(l.last_name, u.last_name) AS last_name, l.division, p.external_id, \
                    p.status, p.created_at, p.shared_at, p.mastery_percent, p.pix_score, p.results \
             FROM campaign_participations p JOIN users u ON u.id = p.user_id \
             LEFT JOIN learners l ON l.organization_id = p.organization_id AND l.id = p.learner_id \
             WHERE p.organization_id = $1 AND p.campaign_id = $2 AND NOT p.is_improved \
               AND p.deleted_at IS NULL AND p.id > $3 \
             ORDER BY p.id LIMIT $4";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, ExportRow>(sql)
            .bind(tenant)
            .bind(campaign_id)
            .bind(after.unwrap_or(Uuid::nil()))
            .bind(limit)
            .fetch_all(c)
            .await)?)
    }
}

impl TenantTx {
    /// Deletes a participation and every earlier one of the same student in the campaign:
    /// marked deleted, external id erased. They leave lists, statistics and exports; the
    /// student may finish their test but neither send it nor take part again.
    pub async fn delete_participation(
        &mut self,
        campaign_id: Uuid,
        id: Uuid,
        by: Uuid,
    ) -> Result<u64> {
        let tenant = self.tenant();
        let Some(p) = self.participation(id).await? else {
            return Ok(0);
        };
        if p.campaign_id != campaign_id {
            return Ok(0);
        }
        let n = on_tx!(self, |c| {
            sqlx::query(
            "UPDATE campaign_participations SET deleted_at = $4, deleted_by = $5, external_id = NULL \
             WHERE organization_id = $1 AND campaign_id = $2 AND user_id = $3 AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(campaign_id)
        .bind(p.user_id)
        .bind(now())
        .bind(by)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n)
    }

    /// Whether staff deleted this account's participation in the campaign.
    pub async fn participation_deleted(
        &mut self,
        campaign_id: Uuid,
        user_id: Uuid,
    ) -> Result<bool> {
        let tenant = self.tenant();
        let n: i64 = on_tx!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM campaign_participations \
             WHERE organization_id = $1 AND campaign_id = $2 AND user_id = $3 \
               AND deleted_at IS NOT NULL"
        )
        .bind(tenant)
        .bind(campaign_id)
        .bind(user_id)
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }
}

impl TenantTx {
    /// Whether this participation exists but was deleted by staff.
    pub async fn is_deleted_participation(&mut self, id: Uuid) -> Result<bool> {
        let tenant = self.tenant();
        let n: i64 = on_tx!(self, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM campaign_participations \
             WHERE organization_id = $1 AND id = $2 AND deleted_at IS NOT NULL"
        )
        .bind(tenant)
        .bind(id)
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }
}

impl TenantTx {
    /// "Modifier": what staff may change once students have the code (not the objective, the
    /// profile nor the external id, which participations already depend on).
    pub async fn update_campaign(
        &mut self,
        id: Uuid,
        name: &str,
        title: Option<&str>,
        landing_text: Option<&str>,
        owner_id: Uuid,
    ) -> Result<bool> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "UPDATE campaigns SET name = $3, title = $4, landing_text = $5, owner_id = $6 \
             WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL"
        )
        .bind(tenant)
        .bind(id)
        .bind(name)
        .bind(title)
        .bind(landing_text)
        .bind(owner_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        // Titles are cached by participation, which this update does not know: drop them all
        // (edits are rare), now and again at commit.
        self.cache.campaign_titles.invalidate_all();
        self.titles_touched = true;
        Ok(n == 1)
    }
}

impl TenantTx {
    /// Claims this school year's back-to-school campaigns for the establishment; `false` when
    /// they were already created (by an earlier run or another server).
    pub async fn claim_back_to_school(&mut self, school_year: i32) -> Result<bool> {
        let tenant = self.tenant();
        let n = on_tx!(self, |c| sqlx::query(
            "INSERT INTO back_to_school_runs (organization_id, school_year, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )
        .bind(tenant)
        .bind(school_year)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Store {
    /// Establishments that are schools (not archived), for the yearly back-to-school campaigns.
    pub async fn school_establishments(&self) -> Result<Vec<crate::Organization>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM organizations WHERE archived_at IS NULL AND kind <> 'OTHER' ORDER BY id",
            crate::organizations::ORG_COLUMNS
        ));
        Ok(on_pool!(self, |p| {
            sqlx::query_as::<_, crate::Organization>(sql)
                .fetch_all(p)
                .await
        })?)
    }

    /// The platform's own account ("Équipe Acquis"), owner of what the platform creates; it has
    /// no password and cannot sign in.
    pub async fn platform_account(&self) -> Result<crate::User> {
        const USERNAME: &str = "equipe.acquis";
        if let Some(u) = self.find_user_by_login(USERNAME).await? {
            return Ok(u);
        }
        match self
            .create_user(&crate::NewUser {
                email: None,
                username: Some(USERNAME.into()),
                first_name: "Équipe".into(),
                last_name: "Acquis".into(),
                password_hash: None,
                must_change_password: false,
                platform_role: None,
                accepted_terms: false,
            })
            .await
        {
            Ok(u) => Ok(u),
            // Another server created it meanwhile.
            Err(StoreError::Conflict(_)) => self
                .find_user_by_login(USERNAME)
                .await?
                .ok_or(StoreError::NotFound),
            Err(e) => Err(e),
        }
    }
}
