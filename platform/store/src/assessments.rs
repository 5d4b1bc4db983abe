//! What a student does (global, theirs for life): assessments, the append-only answer log and the
//! compact knowledge state per (student, tube).

use std::sync::Arc;

use sqlx::FromRow;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Db, Held, Result, Store, StoreError, TenantTx, Tx, TxInner, now, on_held, on_inner, on_pool,
    on_tx, on_writer,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Assessment {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub organization_id: Option<Uuid>,
    pub participation_id: Option<Uuid>,
    pub package_digest: String,
    pub target_key: String,
    pub state: String,
    pub current_challenge: Option<String>,
    pub answer_count: i32,
    pub checkpoint_seen: i32,
    pub seed: i64,
    pub improving: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When the student started the current challenge, for a timed one.
    pub challenge_started_at: Option<OffsetDateTime>,
    /// Incremented by every write (see `Store::assessment_at`).
    pub revision: i32,
}

impl Assessment {
    pub fn is_completed(&self) -> bool {
        self.state == "COMPLETED"
    }

    /// A campaign's test (the other kind trains one competence of the profile).
    pub fn is_campaign(&self) -> bool {
        self.kind == "CAMPAIGN"
    }
}

#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub user_id: Uuid,
    /// `CAMPAIGN` or `COMPETENCE`.
    pub kind: &'static str,
    pub organization_id: Option<Uuid>,
    pub participation_id: Option<Uuid>,
    pub package_digest: String,
    /// The target profile key, or the competence code for training.
    pub target_key: String,
    pub seed: i64,
    pub improving: bool,
    /// The first challenge, or `None` when nothing is left to ask.
    pub first_challenge: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub challenge_id: String,
    pub seq: i32,
    pub skill_id: Option<String>,
    pub value: String,
    pub result: String,
    pub created_at: OffsetDateTime,
}

/// A student's knowledge as stored: one JSON state per tube they have answered on, and the
/// version of the whole (see migration 0012). The store keeps no copy: the server keeps its
/// parse, with the version (an answer's write checks it).
#[derive(Debug, Clone, Default)]
pub struct StoredKnowledge {
    pub version: i64,
    pub tubes: Vec<(String, String)>,
}

/// The answers of an assessment this server has seen, in order. Only ever extended, in place
/// (copying the list on every answer cost 3 % of the server).
#[derive(Debug, Default)]
pub(crate) struct AnswerLog(std::sync::Mutex<Vec<AnswerRow>>);

impl AnswerLog {
    fn rows(&self) -> std::sync::MutexGuard<'_, Vec<AnswerRow>> {
        // The list stays whole whatever panicked while holding it: pushes are atomic.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn len(&self) -> usize {
        self.rows().len()
    }

    /// Appends the rows that follow the last one known, in order; others (already appended by
    /// a concurrent request) are skipped.
    fn extend(&self, more: impl IntoIterator<Item = AnswerRow>) {
        let mut rows = self.rows();
        for row in more {
            if row.seq as usize == rows.len() + 1 {
                rows.push(row);
            }
        }
    }

    fn first<T>(&self, count: usize, f: impl FnOnce(&[AnswerRow]) -> T) -> T {
        let rows = self.rows();
        f(&rows[..count.min(rows.len())])
    }
}

/// One answer and everything it changes, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    /// The assessment as the answer was computed from it; nothing is written if its revision
    /// moved.
    pub assessment: &'a Assessment,
    /// The version of the knowledge the engine worked from; nothing is written if it moved.
    pub knowledge_version: i64,
    /// The challenge the student answered; must still be the assessment's current one.
    pub challenge_id: &'a str,
    pub skill_id: Option<&'a str>,
    pub value: &'a str,
    pub result: &'a str,
    /// A timed challenge answered after its time (the result is then `ko`).
    pub timed_out: bool,
    /// The new state of the answered skill's tube (JSON), if the answer changed it.
    pub tube: Option<(&'a str, String)>,
    /// The next challenge, or `None`: the assessment is completed.
    pub next: Option<String>,
}

/// A student's participation as "Mes parcours" lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MyParticipation {
    pub organization_id: Uuid,
    pub participation_id: Uuid,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub shared_at: Option<OffsetDateTime>,
    pub code: String,
    pub name: String,
    pub title: Option<String>,
    pub kind: String,
    pub organization_name: String,
    pub assessment_id: Option<Uuid>,
    pub assessment_state: Option<String>,
}

/// The columns of [`Assessment`], as a literal for `concat!`.
macro_rules! assessment_columns {
    () => {
        "id, user_id, kind, organization_id, participation_id, package_digest, target_key, \
         state, current_challenge, answer_count, checkpoint_seen, seed, improving, created_at, \
         updated_at, challenge_started_at, revision"
    };
}

/// The answer write on PostgreSQL, one statement. The knowledge's version moves first, only from
/// the version the answer was computed from (a concurrent writer holds the row and the check
/// sees its new version); the assessment moves only from the revision the answer was computed
/// from, and only after the version did; the inserts read the update's row. So nothing is
/// written when either was stale. (The version may move alone: that only costs a reader of an
/// older copy a second read.)
const ANSWER_PG: &str = "WITH versioned AS ( \
       INSERT INTO knowledge_versions (user_id, version) VALUES ($2, $14 + 1) \
       ON CONFLICT (user_id) DO UPDATE SET version = excluded.version \
       WHERE knowledge_versions.version = $14 \
       RETURNING version), \
     moved AS ( \
       UPDATE assessments SET answer_count = answer_count + 1, current_challenge = $4, \
       state = $5, updated_at = $6, challenge_started_at = NULL, revision = revision + 1 \
       WHERE id = $1 AND user_id = $2 AND state = 'STARTED' AND current_challenge = $3 \
       AND revision = $13 AND EXISTS (SELECT 1 FROM versioned) \
       RETURNING revision, answer_count), \
     logged AS ( \
       INSERT INTO answers (assessment_id, challenge_id, seq, user_id, skill_id, value, \
       result, timed_out, created_at) \
       SELECT $1, $3, answer_count, $2, $7, $8, $9, $10, $6 FROM moved), \
     known AS ( \
       INSERT INTO knowledge_states (user_id, tube_id, state, updated_at) \
       SELECT $2, $11, $12, $6 FROM moved WHERE $11::text IS NOT NULL \
       ON CONFLICT (user_id, tube_id) \
       DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at) \
     SELECT revision FROM moved";

/// The same write on SQLite, which has no data-modifying CTE: four statements of one query in
/// one IMMEDIATE transaction (the only writer), chained by `changes()` (the row count of the
/// previous statement); the transaction is rolled back when the assessment did not move.
const ANSWER_SQLITE: &str = "INSERT INTO knowledge_versions (user_id, version) VALUES ($2, $14 + 1) \
     ON CONFLICT (user_id) DO UPDATE SET version = excluded.version \
     WHERE knowledge_versions.version = $14; \
     UPDATE assessments SET answer_count = answer_count + 1, \
     current_challenge = $4, state = $5, updated_at = $6, challenge_started_at = NULL, \
     revision = revision + 1 \
     WHERE id = $1 AND user_id = $2 AND state = 'STARTED' AND current_challenge = $3 \
     AND revision = $13 AND changes() = 1 \
     RETURNING revision; \
     INSERT INTO answers (assessment_id, challenge_id, seq, user_id, skill_id, value, \
     result, timed_out, created_at) \
     SELECT $1, $3, answer_count, $2, $7, $8, $9, $10, $6 FROM assessments \
     WHERE id = $1 AND changes() = 1; \
     INSERT INTO knowledge_states (user_id, tube_id, state, updated_at) \
     SELECT $2, $11, $12, $6 WHERE $11 IS NOT NULL AND changes() = 1 \
     ON CONFLICT (user_id, tube_id) \
     DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";

/// Binds the fourteen parameters of `ANSWER_PG` / `ANSWER_SQLITE`.
macro_rules! bind_answer {
    ($q:expr, $a:expr, $state:expr, $at:expr) => {
        $q.bind($a.assessment.id)
            .bind($a.assessment.user_id)
            .bind($a.challenge_id)
            .bind(&$a.next)
            .bind($state)
            .bind($at)
            .bind($a.skill_id)
            .bind($a.value)
            .bind($a.result)
            .bind($a.timed_out)
            .bind($a.tube.as_ref().map(|(tube, _)| *tube))
            .bind($a.tube.as_ref().map(|(_, state)| state.as_str()))
            .bind($a.assessment.revision)
            .bind($a.knowledge_version)
    };
}

const ASSESSMENT_COLUMNS: &str = assessment_columns!();

/// The knowledge in rows of `k_version`, `k_tube` and `k_state` (the version repeats; a student
/// with no tube has one row of nulls).
fn knowledge_of_rows<R: sqlx::Row>(rows: &[R]) -> std::result::Result<StoredKnowledge, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut known = StoredKnowledge {
        version: 0,
        tubes: Vec::with_capacity(rows.len()),
    };
    for row in rows {
        let version: Option<i64> = row.try_get("k_version")?;
        let tube: Option<String> = row.try_get("k_tube")?;
        let state: Option<String> = row.try_get("k_state")?;
        known.version = version.unwrap_or(0);
        known.tubes.extend(tube.zip(state));
    }
    Ok(known)
}

async fn insert_assessment(inner: &mut TxInner, new: &NewAssessment) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let at = now();
    let state = if new.first_challenge.is_some() {
        "STARTED"
    } else {
        "COMPLETED"
    };
    on_inner!(inner, |c| sqlx::query(
        "INSERT INTO assessments (id, user_id, kind, organization_id, participation_id, \
         package_digest, target_key, state, current_challenge, answer_count, checkpoint_seen, seed, \
         improving, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, $11, $12, $12)"
    )
    .bind(id)
    .bind(new.user_id)
    .bind(new.kind)
    .bind(new.organization_id)
    .bind(new.participation_id)
    .bind(&new.package_digest)
    .bind(&new.target_key)
    .bind(state)
    .bind(&new.first_challenge)
    .bind(new.seed)
    .bind(new.improving)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_write)?;
    Ok(id)
}

impl TenantTx {
    /// Starts the assessment of a participation in the same transaction.
    pub async fn start_assessment(&mut self, new: &NewAssessment) -> Result<Uuid> {
        insert_assessment(&mut self.inner, new).await
    }
}

impl Tx {
    pub async fn start_assessment(&mut self, new: &NewAssessment) -> Result<Uuid> {
        insert_assessment(&mut self.inner, new).await
    }
}

impl Store {
    /// The user's own assessment; another user's id reads as absent.
    pub async fn assessment(&self, id: Uuid, user_id: Uuid) -> Result<Option<Assessment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE id = $1 AND user_id = $2"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, Assessment>(sql)
            .bind(id)
            .bind(user_id)
            .fetch_optional(p)
            .await)?)
    }

    /// The user's own assessment, as `assessment` reads it; from this server's copy of its last
    /// write when `revision` is that write's, since the address of the page that follows a write
    /// names the revision it produced. Any later write has a higher revision, so the copy is
    /// never older than what the caller has seen; another server's write misses the copy.
    pub async fn assessment_at(
        &self,
        id: Uuid,
        user_id: Uuid,
        revision: Option<i32>,
    ) -> Result<Option<Assessment>> {
        if let Some(revision) = revision
            && let Some(a) = self.cache.assessments.get(&id).await
            && a.revision == revision
        {
            return Ok((a.user_id == user_id).then_some(a));
        }
        self.assessment(id, user_id).await
    }

    async fn keep_written(&self, a: &Assessment) {
        self.cache.assessments.insert(a.id, a.clone()).await;
    }

    /// What answering needs: the user's own assessment and, when read, their knowledge with its
    /// version.
    ///
    /// With `reuse`, this server's copy of the assessment (of its last read or write) when it has
    /// one, and no knowledge: the caller has its own copy of that (else `stored_knowledge`). Both
    /// may be stale (another server or another test of the student wrote since), and the
    /// answer's write checks both the assessment's revision and the knowledge's version, so a
    /// stale copy writes nothing and the caller reads again without `reuse`. Without it, one
    /// query (on SQLite every statement is a round trip to the connection's thread), and the
    /// copy is refreshed. Another user's id reads as absent.
    pub async fn answer_state(
        &self,
        held: &mut Held,
        id: Uuid,
        user_id: Uuid,
        reuse: bool,
    ) -> Result<Option<(Assessment, Option<StoredKnowledge>)>> {
        if reuse
            && let Some(a) = self.cache.assessments.get(&id).await
            && a.user_id == user_id
        {
            return Ok(Some((a, None)));
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT a.*, v.version AS k_version, k.tube_id AS k_tube, k.state AS k_state \
             FROM (SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE id = $1 AND user_id = $2) a \
             LEFT JOIN knowledge_versions v ON v.user_id = a.user_id \
             LEFT JOIN knowledge_states k ON k.user_id = a.user_id"
        ));
        // The assessment's columns repeat on every tube's row: decoded once, from the first.
        let read = on_held!(self, held, read, |p| {
            let rows = sqlx::query(sql).bind(id).bind(user_id).fetch_all(p).await?;
            match rows.first() {
                None => None,
                Some(first) => Some((Assessment::from_row(first)?, knowledge_of_rows(&rows)?)),
            }
        });
        if let Some((a, _)) = &read {
            self.keep_written(a).await;
        }
        Ok(read.map(|(a, k)| (a, Some(k))))
    }

    /// The student's knowledge with its version, in one query (so the two agree).
    pub async fn stored_knowledge(
        &self,
        held: &mut Held,
        user_id: Uuid,
    ) -> Result<StoredKnowledge> {
        let sql = "SELECT v.version AS k_version, k.tube_id AS k_tube, k.state AS k_state \
                   FROM users u \
                   LEFT JOIN knowledge_versions v ON v.user_id = u.id \
                   LEFT JOIN knowledge_states k ON k.user_id = u.id \
                   WHERE u.id = $1";
        Ok(on_held!(self, held, read, |p| {
            let rows = sqlx::query(sql).bind(user_id).fetch_all(p).await?;
            knowledge_of_rows(&rows)?
        }))
    }

    /// The latest assessment of a participation.
    pub async fn participation_assessment(
        &self,
        participation_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<Assessment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE participation_id = $1 \
             AND user_id = $2 ORDER BY created_at DESC LIMIT 1"
        ));
        Ok(on_pool!(self, |p| sqlx::query_as::<_, Assessment>(sql)
            .bind(participation_id)
            .bind(user_id)
            .fetch_optional(p)
            .await)?)
    }

    /// The student's unfinished training of a competence, if any.
    pub async fn open_training(&self, user_id: Uuid, competence: &str) -> Result<Option<Uuid>> {
        Ok(on_pool!(self, |p| {
            sqlx::query_scalar(
            "SELECT id FROM assessments WHERE user_id = $1 AND kind = 'COMPETENCE'              AND target_key = $2 AND state = 'STARTED' ORDER BY created_at DESC LIMIT 1"
        )
        .bind(user_id)
        .bind(competence)
        .fetch_optional(p)
        .await
        })?)
    }

    /// The answers of an assessment, in order, as the database has them (the answer and
    /// checkpoint pages use this server's log instead: `with_answers`).
    pub async fn answers(&self, assessment_id: Uuid) -> Result<Vec<AnswerRow>> {
        Ok(on_pool!(self, |p| sqlx::query_as(
            "SELECT challenge_id, seq, skill_id, value, result, created_at FROM answers \
             WHERE assessment_id = $1 ORDER BY seq"
        )
        .bind(assessment_id)
        .fetch_all(p)
        .await)?)
    }

    /// The challenges of an assessment's first `count` answers, in order, where `count` is the
    /// `answer_count` the caller read with the assessment.
    pub async fn answered_challenges(
        &self,
        assessment_id: Uuid,
        count: i32,
    ) -> Result<Vec<String>> {
        self.with_answers(&mut Held::default(), assessment_id, count, |rows| {
            rows.iter().map(|r| r.challenge_id.clone()).collect()
        })
        .await
    }

    /// A checkpoint's block: the answers after answer number `seen` up to `count`, where both
    /// were read with the assessment (`checkpoint_seen`, `answer_count`).
    pub async fn answers_between(
        &self,
        assessment_id: Uuid,
        seen: i32,
        count: i32,
    ) -> Result<Vec<AnswerRow>> {
        self.with_answers(&mut Held::default(), assessment_id, count, |rows| {
            rows.iter().skip(seen.max(0) as usize).cloned().collect()
        })
        .await
    }

    /// `f` of an assessment's first `count` answers, in order, where `count` is the
    /// `answer_count` the caller read with the assessment.
    ///
    /// The log is append-only and `answer_count` moves in the transaction that inserts answer
    /// number `answer_count`, so those first `count` answers never change once read: each
    /// server keeps the answers it has seen per assessment and only reads those past them. Any
    /// app server sharing the database gets exact results.
    pub async fn with_answers<T>(
        &self,
        held: &mut Held,
        assessment_id: Uuid,
        count: i32,
        f: impl FnOnce(&[AnswerRow]) -> T,
    ) -> Result<T> {
        let count = count.max(0) as usize;
        let log = self
            .cache
            .answered
            .get_with(assessment_id, async { Arc::default() })
            .await;
        let known = log.len();
        if known < count {
            let more: Vec<AnswerRow> = on_held!(self, held, read, |p| {
                sqlx::query_as(
                    "SELECT challenge_id, seq, skill_id, value, result, created_at FROM answers \
                     WHERE assessment_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
                )
                .bind(assessment_id)
                .bind(known as i32)
                .bind(count as i32)
                .fetch_all(p)
                .await
            })?;
            log.extend(more);
        }
        Ok(log.first(count, f))
    }

    /// The campaign title cached for a participation's test header, if any.
    pub async fn cached_campaign_title(&self, participation_id: Uuid) -> Option<Arc<str>> {
        self.cache.campaign_titles.get(&participation_id).await
    }

    /// Caches a participation's campaign title for `cache_ttl`; a title changed through
    /// `TenantTx::update_campaign` drops it at once on this server.
    pub async fn cache_campaign_title(&self, participation_id: Uuid, title: &str) {
        self.cache
            .campaign_titles
            .insert(participation_id, Arc::from(title))
            .await;
    }

    /// The student's knowledge: one JSON state per tube they have answered on.
    pub async fn knowledge_states(&self, user_id: Uuid) -> Result<Vec<(String, String)>> {
        Ok(on_pool!(self, |p| sqlx::query_as(
            "SELECT tube_id, state FROM knowledge_states WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_all(p)
        .await)?)
    }

    /// Starts the clock of the current (timed) challenge once; returns the assessment with the
    /// time it started, or `None` when that challenge is no longer the current one.
    pub async fn start_challenge(
        &self,
        id: Uuid,
        user_id: Uuid,
        challenge: &str,
    ) -> Result<Option<Assessment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE assessments SET challenge_started_at = $4, revision = revision + 1 \
             WHERE id = $1 AND user_id = $2 AND state = 'STARTED' AND current_challenge = $3 \
             AND challenge_started_at IS NULL RETURNING {ASSESSMENT_COLUMNS}"
        ));
        let started = on_writer!(self, |p| sqlx::query_as::<_, Assessment>(sql)
            .bind(id)
            .bind(user_id)
            .bind(challenge)
            .bind(now())
            .fetch_optional(p)
            .await)?;
        let a = match started {
            Some(a) => {
                self.keep_written(&a).await;
                Some(a)
            }
            None => self.assessment(id, user_id).await?,
        };
        Ok(a.filter(|a| a.current_challenge.as_deref() == Some(challenge)))
    }

    /// Resets a competence: forgets what the student knows on its tubes and closes their open
    /// training on it, in one transaction. The answer log keeps the history. Returns the number
    /// of tube states forgotten.
    pub async fn reset_competence(
        &self,
        user_id: Uuid,
        competence: &str,
        tubes: &[String],
    ) -> Result<u64> {
        let at = now();
        let placeholders: Vec<String> = (2..2 + tubes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "DELETE FROM knowledge_states WHERE user_id = $1 AND tube_id IN ({})",
            placeholders.join(", ")
        );
        let mut tx = self.begin().await?;
        // The version first, as an answer takes it first: a racing answer waits here and then
        // finds its version stale, instead of the two waiting on each other's rows.
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO knowledge_versions (user_id, version) VALUES ($1, 1) \
             ON CONFLICT (user_id) DO UPDATE SET version = knowledge_versions.version + 1"
        )
        .bind(user_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        let forgotten = on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(user_id);
            for t in tubes {
                q = q.bind(t);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
        let closed: Vec<Uuid> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "UPDATE assessments SET state = 'COMPLETED', current_challenge = NULL, updated_at = $3, \
             revision = revision + 1 \
             WHERE user_id = $1 AND kind = 'COMPETENCE' AND target_key = $2 AND state = 'STARTED' \
             RETURNING id"
        )
        .bind(user_id)
        .bind(competence)
        .bind(at)
        .fetch_all(c)
        .await
        })?;
        tx.commit().await?;
        for id in closed {
            self.cache.assessments.invalidate(&id).await;
        }
        Ok(forgotten)
    }

    /// Records an answer, the tube's new state and the next challenge, all or nothing. Returns
    /// `None`, writing nothing, when the assessment's revision or the knowledge's version is no
    /// longer the one the answer was computed from: the challenge was already answered (double
    /// submit, another tab, a refresh), or the caller's copy was stale (read again and retry).
    /// The assessment as the answer left it is returned, and kept for `assessment_at`.
    pub async fn record_answer(
        &self,
        held: &mut Held,
        a: &NewAnswer<'_>,
    ) -> Result<Option<Assessment>> {
        let at = now();
        let state = if a.next.is_some() {
            "STARTED"
        } else {
            "COMPLETED"
        };
        let revision = match &self.db {
            // One statement, one round trip, atomic.
            Db::Postgres(_) => on_held!(self, held, write, |c| bind_answer!(
                sqlx::query_scalar::<_, i32>(ANSWER_PG),
                a,
                state,
                at
            )
            .fetch_optional(c)
            .await
            .map_err(StoreError::from_write))?,
            Db::Sqlite(_) => self.record_answer_in_tx(a, state, at).await?,
        };
        let Some(revision) = revision else {
            return Ok(None);
        };
        // The row as the write left it, without reading it back: the write only happened from
        // the revision `a.assessment` holds, and it changed exactly these columns.
        let moved = Assessment {
            state: state.to_owned(),
            current_challenge: a.next.clone(),
            answer_count: a.assessment.answer_count + 1,
            updated_at: at,
            challenge_started_at: None,
            revision,
            ..a.assessment.clone()
        };
        let row = AnswerRow {
            challenge_id: a.challenge_id.to_owned(),
            seq: moved.answer_count,
            skill_id: a.skill_id.map(str::to_owned),
            value: a.value.to_owned(),
            result: a.result.to_owned(),
            created_at: at,
        };
        if let Some(log) = self.cache.answered.get(&moved.id).await {
            log.extend([row]);
        }
        self.keep_written(&moved).await;
        Ok(Some(moved))
    }

    /// SQLite has no data-modifying CTE: the four writes are one multi-statement query inside
    /// an IMMEDIATE transaction (three commands to the connection's thread instead of six).
    /// `changes()` is the row count of the previous statement, so the inserts only happen when
    /// the update found the challenge still current, and the tube only when the answer went in.
    /// Returns the assessment's new revision when it moved.
    async fn record_answer_in_tx(
        &self,
        a: &NewAnswer<'_>,
        state: &str,
        at: OffsetDateTime,
    ) -> Result<Option<i32>> {
        let mut tx = self.begin().await?;
        // `fetch_all`: `fetch_optional` would stop at the UPDATE's row, before the inserts.
        let moved: Vec<i32> = on_tx!(tx, |c| bind_answer!(
            sqlx::query_scalar(ANSWER_SQLITE),
            a,
            state,
            at
        )
        .fetch_all(c)
        .await)
        .map_err(StoreError::from_write)?;
        let Some(revision) = moved.into_iter().next() else {
            return Ok(None);
        };
        tx.commit().await?;
        Ok(Some(revision))
    }

    /// Remembers that the student saw the checkpoint of every answer so far; returns the
    /// assessment as it now is (absent for another user's id), in one statement.
    pub async fn see_checkpoint(&self, id: Uuid, user_id: Uuid) -> Result<Option<Assessment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE assessments SET checkpoint_seen = answer_count, revision = revision + 1 \
             WHERE id = $1 AND user_id = $2 RETURNING {ASSESSMENT_COLUMNS}"
        ));
        let seen = on_writer!(self, |p| sqlx::query_as::<_, Assessment>(sql)
            .bind(id)
            .bind(user_id)
            .fetch_optional(p)
            .await)?;
        if let Some(a) = &seen {
            self.keep_written(a).await;
        }
        Ok(seen)
    }

    /// The student's participations in every establishment, newest first.
    pub async fn my_participations(&self, user_id: Uuid) -> Result<Vec<MyParticipation>> {
        const SQL: &str = "SELECT p.organization_id, p.id AS participation_id, p.status, \
            p.created_at, p.shared_at, c.code, c.name, c.title, c.kind, o.name AS organization_name, \
            (SELECT a.id FROM assessments a WHERE a.participation_id = p.id \
               ORDER BY a.created_at DESC LIMIT 1) AS assessment_id, \
            (SELECT a.state FROM assessments a WHERE a.participation_id = p.id \
               ORDER BY a.created_at DESC LIMIT 1) AS assessment_state \
            FROM campaign_participations p \
            JOIN campaigns c ON c.organization_id = p.organization_id AND c.id = p.campaign_id \
            JOIN organizations o ON o.id = p.organization_id \
            WHERE p.user_id = $1 AND NOT p.is_improved AND p.deleted_at IS NULL \
              AND c.deleted_at IS NULL \
            ORDER BY p.created_at DESC";
        Ok(match &self.db {
            Db::Sqlite(p) => sqlx::query_as(SQL).bind(user_id).fetch_all(&p.read).await?,
            Db::Postgres(p) => {
                // Row-level security lets a user read their own participations (and their
                // campaigns) when the transaction names them.
                let begin = format!("BEGIN; SET LOCAL app.user_id = '{user_id}'");
                let mut t = p.begin_with(sqlx::AssertSqlSafe(begin)).await?;
                let rows = sqlx::query_as(SQL).bind(user_id).fetch_all(&mut *t).await?;
                t.commit().await?;
                rows
            }
        })
    }

    /// A student's report on a challenge ("Signaler un problème"), kept for operators.
    pub async fn report_challenge(
        &self,
        user_id: Uuid,
        assessment_id: Uuid,
        challenge_id: &str,
        comment: &str,
    ) -> Result<()> {
        on_writer!(self, |p| sqlx::query(
            "INSERT INTO challenge_reports (id, user_id, assessment_id, challenge_id, comment, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(Uuid::now_v7())
        .bind(user_id)
        .bind(assessment_id)
        .bind(challenge_id)
        .bind(comment)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The tutorials the student saved, newest first. Cached for `cache_ttl` (every checkpoint
    /// shows which are saved); a change on this server drops the copy at once.
    pub async fn saved_tutorials(&self, user_id: Uuid) -> Result<Arc<Vec<String>>> {
        if let Some(saved) = self.cache.saved_tutorials.get(&user_id).await {
            return Ok(saved);
        }
        let saved: Vec<String> = on_pool!(self, |p| {
            sqlx::query_scalar(
            "SELECT tutorial_id FROM saved_tutorials WHERE user_id = $1 ORDER BY created_at DESC"
        )
        .bind(user_id)
        .fetch_all(p)
        .await
        })?;
        let saved = Arc::new(saved);
        self.cache
            .saved_tutorials
            .insert(user_id, saved.clone())
            .await;
        Ok(saved)
    }

    pub async fn save_tutorial(&self, user_id: Uuid, tutorial_id: &str, saved: bool) -> Result<()> {
        if saved {
            on_writer!(self, |p| {
                sqlx::query(
                "INSERT INTO saved_tutorials (user_id, tutorial_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, tutorial_id) DO NOTHING"
            )
            .bind(user_id)
            .bind(tutorial_id)
            .bind(now())
            .execute(p)
            .await
            .map(|r| r.rows_affected())
            })?;
        } else {
            on_writer!(self, |p| sqlx::query(
                "DELETE FROM saved_tutorials WHERE user_id = $1 AND tutorial_id = $2"
            )
            .bind(user_id)
            .bind(tutorial_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        }
        // After the write, so that no read can keep the older list.
        self.cache.saved_tutorials.invalidate(&user_id).await;
        Ok(())
    }
}
