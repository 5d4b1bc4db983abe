//! Élèves: the list of the establishment's students, a student's page, and the SIECLE import.
//!
//! An import reads the file off the request thread, then writes it in one transaction: a file
//! with any blocking problem writes nothing, and a crash mid-way leaves the previous list. Large
//! files finish in the background while the progress page refreshes itself (no JavaScript).
//!
//! Each import is a row of `learner_import_jobs`, not an entry in this server's memory: the
//! progress page, the outcome and a refused file's error report are read from the database, so
//! any app server answers them, and a refused file with 100,000 errors costs the server nothing
//! once refused (the page shows the first errors; the report holds them all). The running row
//! is unique per establishment in the database: one import at a time, across servers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::form::{Multipart, Path, RawQuery};
use acquis_interop::siecle::{self, Problem, StudentProblem};
use acquis_store::{
    Certificability, Connection, ImportCounts, ImportRefusal, LearnerFilter, LearnerListRow,
    LearnerSort, StoreError,
};
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::OrgaCtx;
use crate::auth::session::flash;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};
use crate::{AppState, views};

pub fn router(import_max_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/orga/{org}/eleves", get(list))
        .route(
            "/orga/{org}/eleves/import",
            get(import_form)
                .post(import)
                // Room for the multipart framing around the largest accepted file.
                .layer(DefaultBodyLimit::max(import_max_bytes + (64 << 10))),
        )
        .route("/orga/{org}/eleves/import/{job}", get(import_status))
        .route(
            "/orga/{org}/eleves/import/{job}/erreurs",
            get(import_report),
        )
        .route("/orga/{org}/eleves/{id}", get(show))
        .route("/orga/{org}/eleves/{id}/mot-de-passe", post(reset_password))
        .route("/orga/{org}/eleves/{id}/identifiant", post(add_username))
        .route("/orga/{org}/eleves/{id}/dissocier", post(dissociate))
        .route("/orga/{org}/eleves/mots-de-passe", post(reset_passwords))
}

/// Errors a refused import's page lists; the downloadable report has every one.
pub const ERRORS_SHOWN: usize = 50;

/// How often a running import tells the database it is alive, and how long without a sign of
/// life before its row is thought to belong to a dead server and another import may start.
const HEARTBEAT: Duration = Duration::from_secs(2);
const STALE_AFTER: Duration = Duration::from_secs(60);

/// The establishment must import its students, and the caller be one of its administrators.
async fn importing_admin(state: &AppState, ctx: &OrgaCtx) -> AppResult<acquis_store::Organization> {
    let org = state
        .store
        .find_organization(ctx.scope.tenant())
        .await?
        .ok_or(AppError::NotFound)?;
    if !org.manages_students {
        return Err(AppError::Page {
            status: StatusCode::FORBIDDEN,
            title: t("students-import-title"),
            message: t("students-import-not-managing"),
        });
    }
    if !ctx.is_admin() {
        return Err(AppError::Page {
            status: StatusCode::FORBIDDEN,
            title: t("students-import-title"),
            message: t("students-import-admins-only"),
        });
    }
    Ok(org)
}

/// The French name of a SIECLE name field.
fn field_label(field: &str) -> String {
    t(&format!("import-field-{field}"))
}

/// Why one student blocks the import (without the line, INE and name that frame it).
fn student_reason(problem: &StudentProblem) -> String {
    match problem {
        StudentProblem::IneDuplicate { first_line } => t_args(
            "import-reason-ine-duplicate",
            &[("first", &first_line.to_string())],
        ),
        StudentProblem::SexRequired => t("import-reason-sex"),
        StudentProblem::BirthdateRequired => t("import-reason-birthdate"),
        StudentProblem::BirthdateFormat { value } => {
            t_args("import-reason-birthdate-format", &[("value", value)])
        }
        StudentProblem::BirthdateImpossible { value } => {
            t_args("import-reason-birthdate-impossible", &[("value", value)])
        }
        StudentProblem::BirthCityCodeRequired => t("import-reason-birth-city"),
        StudentProblem::LastNameRequired => t("import-reason-last-name"),
        StudentProblem::FirstNameRequired => t("import-reason-first-name"),
        StudentProblem::InvalidChar { field } => {
            t_args("import-reason-invalid-char", &[("field", field)])
        }
        StudentProblem::DigitInName { field, value } => t_args(
            "import-reason-digit",
            &[("field", &field_label(field)), ("value", value)],
        ),
        StudentProblem::UnexpectedChar {
            field,
            value,
            found,
        } => t_args(
            "import-reason-unexpected-char",
            &[
                ("field", &field_label(field)),
                ("value", value),
                ("char", &found.to_string()),
            ],
        ),
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "—" } else { s }
}

fn problem_message(p: &Problem, uai: &str, max_mib: u64) -> String {
    match p {
        Problem::InvalidFile { detail } => {
            t_args("import-error-invalid-file", &[("detail", detail)])
        }
        Problem::EncodingNotSupported { label } => {
            t_args("import-error-encoding", &[("label", label)])
        }
        Problem::Undecodable { encoding, line } => t_args(
            "import-error-undecodable",
            &[("encoding", encoding), ("line", &line.to_string())],
        ),
        Problem::ZipWithoutXml => t("import-error-zip-none"),
        Problem::ZipWithSeveralXml { count } => {
            t_args("import-error-zip-several", &[("count", &count.to_string())])
        }
        Problem::TooLarge { .. } => {
            t_args("import-error-too-large", &[("max", &max_mib.to_string())])
        }
        Problem::ArchiveContentTooLarge {
            limit,
            archive_bytes,
        } => t_args(
            "import-error-archive-too-large",
            &[
                ("max", &(limit >> 20).to_string()),
                ("size", &human_size(*archive_bytes)),
            ],
        ),
        Problem::UaiMissing => t("import-error-uai-missing"),
        Problem::UaiMismatch { found } => {
            t_args("import-error-uai", &[("found", found), ("uai", uai)])
        }
        Problem::Student {
            line,
            ine,
            name,
            problem,
        } => t_args(
            "import-error-student",
            &[
                ("line", &line.to_string()),
                ("ine", or_dash(ine)),
                ("name", or_dash(name)),
                ("reason", &student_reason(problem)),
            ],
        ),
    }
}

/// `12 Ko`, `3,4 Mo`: an archive's size as the school sees it in its file manager.
fn human_size(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{}\u{a0}Ko", bytes.div_ceil(1 << 10))
    } else {
        format!("{:.1}\u{a0}Mo", bytes as f64 / f64::from(1 << 20)).replace('.', ",")
    }
}

/// The CSV of every problem: one row each, the student's line, INE and name in their own
/// columns (file-level problems leave them empty), cells neutralised against formulas.
fn error_report(problems: &[Problem], uai: &str, max_mib: u64) -> Vec<u8> {
    use acquis_interop::csv_out::{BOM, record};
    let mut out = BOM.as_bytes().to_vec();
    out.extend(record([
        t("import-report-line"),
        t("import-report-ine"),
        t("import-report-name"),
        t("import-report-error"),
    ]));
    for p in problems {
        match p {
            Problem::Student {
                line,
                ine,
                name,
                problem,
            } => out.extend(record([
                line.to_string(),
                ine.clone(),
                name.clone(),
                student_reason(problem),
            ])),
            other => out.extend(record([
                String::new(),
                String::new(),
                String::new(),
                problem_message(other, uai, max_mib),
            ])),
        }
    }
    out
}

/// What a refused upload's page shows.
#[derive(serde::Serialize)]
struct Refusal {
    /// The first errors.
    errors: Vec<String>,
    /// How many of them (the page says « the first N » when there are more).
    shown: usize,
    /// How many there are in all.
    total: usize,
    /// The job whose report has every error, when one was kept.
    report: Option<Uuid>,
    /// Refused because another import runs, not because of the file.
    busy: bool,
}

impl Refusal {
    fn one(message: String) -> Refusal {
        Refusal {
            errors: vec![message],
            shown: 1,
            total: 1,
            report: None,
            busy: false,
        }
    }
}

async fn import_page(
    state: &AppState,
    ctx: &OrgaCtx,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let history = tx.learner_imports(20).await?;
    tx.commit().await?;
    let history: Vec<_> = history
        .iter()
        .map(|h| {
            serde_json::json!({
                "at": views::date_time(h.created_at),
                "by": format!("{} {}", h.first_name, h.last_name),
                "filename": h.filename,
                "added": h.added,
                "updated": h.updated,
                "disabled": h.disabled,
            })
        })
        .collect();
    ctx.page("orga/students_import.html", "eleves")
        .await
        .with("history", history)
        .with("refusal", refusal)
        .with("max_mib", state.config.import_max_mib)
        .status(status)
        .render()
}

async fn import_form(State(state): State<AppState>, ctx: OrgaCtx) -> AppResult<Response> {
    importing_admin(&state, &ctx).await?;
    import_page(&state, &ctx, None, StatusCode::OK).await
}

async fn import(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Multipart(mut multipart): Multipart,
) -> AppResult<Response> {
    let org = importing_admin(&state, &ctx).await?;
    let max_mib = state.config.import_max_mib;
    let max_bytes = (max_mib as usize) << 20;
    let too_large = || {
        Refusal::one(t_args(
            "import-error-too-large",
            &[("max", &max_mib.to_string())],
        ))
    };
    let upload = match read_upload(&mut multipart).await {
        Ok(u) => u,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return import_page(&state, &ctx, Some(too_large()), e.status()).await;
        }
        Err(_) => {
            return import_page(
                &state,
                &ctx,
                Some(Refusal::one(t("import-error-upload"))),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let Some((filename, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return import_page(
            &state,
            &ctx,
            Some(Refusal::one(t("import-error-no-file"))),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if bytes.len() > max_bytes {
        return import_page(
            &state,
            &ctx,
            Some(too_large()),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }

    let job_id = Uuid::now_v7();
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    match tx
        .start_import_job(job_id, ctx.user.id, &filename, STALE_AFTER)
        .await
    {
        Ok(()) => tx.commit().await?,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            return import_page(
                &state,
                &ctx,
                Some(Refusal {
                    busy: true,
                    ..Refusal::one(t("import-error-running"))
                }),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    let task = tokio::spawn(run_import(
        state.clone(),
        ctx.scope,
        ctx.user.id,
        org.uai.clone(),
        filename,
        bytes,
        job_id,
    ));
    // Most files are done well within this; larger ones continue while the page refreshes.
    if tokio::time::timeout(Duration::from_secs(3), task)
        .await
        .is_ok()
    {
        return job_page(&state, &ctx, job_id).await;
    }
    Ok(see_other(&ctx.path(&format!("/eleves/import/{job_id}"))))
}

/// The `file` field of the upload form, with its name.
async fn read_upload(
    multipart: &mut axum::extract::Multipart,
) -> Result<Option<(String, axum::body::Bytes)>, axum::extract::multipart::MultipartError> {
    while let Some(field) = multipart.next_field().await? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            return Ok(Some((name, field.bytes().await?)));
        }
    }
    Ok(None)
}

fn done_message(c: ImportCounts) -> String {
    t_args(
        "students-import-done",
        &[
            ("added", &c.added.to_string()),
            ("updated", &c.updated.to_string()),
            ("disabled", &c.disabled.to_string()),
        ],
    )
}

/// What the running import has written, for its heartbeat (0 of 0 while the file is read).
#[derive(Default)]
struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

/// Refreshes the job's row until aborted. A beat that cannot be written (SQLite's writer is
/// busy with the import itself) is skipped: the next one catches up.
async fn heartbeat(
    state: AppState,
    scope: acquis_tenants::TenantScope,
    job_id: Uuid,
    progress: Arc<Progress>,
) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let beat = async {
            let mut tx = state.store.tenant_tx(&scope).await?;
            tx.import_job_heartbeat(
                job_id,
                progress.done.load(Ordering::Relaxed),
                progress.total.load(Ordering::Relaxed),
            )
            .await?;
            tx.commit().await
        };
        if let Err(e) = beat.await {
            tracing::debug!("import heartbeat skipped: {e}");
        }
    }
}

async fn run_import(
    state: AppState,
    scope: acquis_tenants::TenantScope,
    user: Uuid,
    uai: String,
    filename: String,
    bytes: axum::body::Bytes,
    job_id: Uuid,
) {
    let progress = Arc::new(Progress::default());
    let beating = tokio::spawn(heartbeat(state.clone(), scope, job_id, progress.clone()));
    let outcome = import_file(
        &state, &scope, user, &uai, &filename, bytes, job_id, &progress,
    )
    .await;
    beating.abort();
    let refused = match outcome {
        Ok(()) => return,
        Err(refused) => refused,
    };
    let recorded = async {
        let mut tx = state.store.tenant_tx(&scope).await?;
        let still_ours = tx.fail_import_job(job_id, &refused.as_store()).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(still_ours)
    }
    .await;
    match recorded {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!("import {job_id} was taken over before its refusal was recorded")
        }
        Err(e) => tracing::error!("import {job_id}: refusal not recorded: {e}"),
    }
}

/// A refusal on its way to the job's row.
struct Refused {
    status: StatusCode,
    count: usize,
    preview: Vec<String>,
    report: Option<Vec<u8>>,
}

impl Refused {
    fn one(status: StatusCode, message: String) -> Refused {
        Refused {
            status,
            count: 1,
            preview: vec![message],
            report: None,
        }
    }

    fn as_store(&self) -> ImportRefusal<'_> {
        ImportRefusal {
            http_status: self.status.as_u16(),
            error_count: self.count,
            preview: &self.preview,
            report: self.report.as_deref(),
        }
    }
}

/// Reads, checks and writes one file; the import's own transaction also ends its job.
#[allow(clippy::too_many_arguments)]
async fn import_file(
    state: &AppState,
    scope: &acquis_tenants::TenantScope,
    user: Uuid,
    uai: &str,
    filename: &str,
    bytes: axum::body::Bytes,
    job_id: Uuid,
    progress: &Arc<Progress>,
) -> Result<(), Refused> {
    let max_mib = state.config.import_max_mib;
    let uai_for_read = uai.to_owned();
    // A zipped export is about ten times smaller than its XML: sixteen times the upload cap
    // leaves room for any real file and stops a zip bomb early.
    let limits = siecle::Limits {
        max_xml_bytes: max_mib.saturating_mul(16) << 20,
    };
    let read =
        tokio::task::spawn_blocking(move || siecle::read(&bytes, &uai_for_read, limits)).await;
    let students = match read {
        Ok(Ok(s)) => s,
        Ok(Err(problems)) => {
            let status = if problems
                .iter()
                .any(|p| matches!(p, Problem::TooLarge { .. }))
            {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let preview = problems
                .iter()
                .take(ERRORS_SHOWN)
                .map(|p| problem_message(p, uai, max_mib))
                .collect();
            // A single problem is whole on the page; a report only helps with more.
            let report = (problems.len() > 1).then(|| error_report(&problems, uai, max_mib));
            return Err(Refused {
                status,
                count: problems.len(),
                preview,
                report,
            });
        }
        Err(e) => {
            tracing::error!("SIECLE reader failed: {e}");
            return Err(Refused::one(
                StatusCode::INTERNAL_SERVER_ERROR,
                t("import-error-internal"),
            ));
        }
    };
    if students.is_empty() {
        return Err(Refused::one(
            StatusCode::UNPROCESSABLE_ENTITY,
            t("import-error-empty"),
        ));
    }
    let total = students.len();
    progress.total.store(total, Ordering::Relaxed);
    // The total now, before SQLite's writer is taken by the import and the heartbeat waits.
    let mark = async {
        let mut tx = state.store.tenant_tx(scope).await?;
        tx.import_job_heartbeat(job_id, 0, total).await?;
        tx.commit().await
    };
    if let Err(e) = mark.await {
        tracing::debug!("import progress not recorded: {e}");
    }
    let counter = progress.clone();
    let on_progress = move |done: usize| counter.done.store(done, Ordering::Relaxed);
    let written = async {
        let mut tx = state.store.tenant_tx(scope).await?;
        let counts = tx
            .import_learners(user, filename, &students, &on_progress)
            .await?;
        if !tx.finish_import_job(job_id, counts).await? {
            // Another import took this one for dead: its students win, these are dropped.
            return Ok(false);
        }
        tx.commit().await?;
        Ok::<_, StoreError>(true)
    }
    .await;
    match written {
        Ok(true) => Ok(()),
        Ok(false) => {
            tracing::warn!("import {job_id} was taken over: nothing written");
            Ok(())
        }
        Err(e) => {
            tracing::error!("SIECLE import not written: {e}");
            Err(Refused::one(
                StatusCode::INTERNAL_SERVER_ERROR,
                t("import-error-internal"),
            ))
        }
    }
}

/// A job of this establishment as its page shows it: progress, the list with the counts, or
/// the refusal. Another establishment's job, or an unknown one, is not found.
async fn job_page(state: &AppState, ctx: &OrgaCtx, job_id: Uuid) -> AppResult<Response> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let job = tx.import_job(job_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    match job.state.as_str() {
        "DONE" => {
            flash(&ctx.session, done_message(job.counts())).await?;
            Ok(see_other(&ctx.path("/eleves")))
        }
        "FAILED" => {
            let mut errors = job.preview();
            if errors.is_empty() {
                // Marked failed by the next import: its server stopped mid-way.
                errors.push(t("import-error-interrupted"));
            }
            let refusal = Refusal {
                total: usize::try_from(job.error_count)
                    .unwrap_or(0)
                    .max(errors.len()),
                shown: errors.len(),
                errors,
                report: job.has_report.then_some(job_id),
                busy: false,
            };
            let status = job
                .http_status
                .and_then(|s| u16::try_from(s).ok())
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            import_page(state, ctx, Some(refusal), status).await
        }
        _ if job.total == 0 => ctx
            .page("orga/students_import_progress.html", "eleves")
            .await
            .with("step", t("students-import-reading"))
            .with("percent", 0)
            .render(),
        _ => {
            let (done, total) = (job.done.max(0), job.total.max(1));
            ctx.page("orga/students_import_progress.html", "eleves")
                .await
                .with(
                    "step",
                    t_args(
                        "students-import-writing",
                        &[("done", &done.to_string()), ("total", &total.to_string())],
                    ),
                )
                .with("percent", i64::from(done) * 100 / i64::from(total))
                .render()
        }
    }
}

async fn import_status(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, job_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    importing_admin(&state, &ctx).await?;
    job_page(&state, &ctx, job_id).await
}

/// Every error of a refused import, as CSV for a spreadsheet.
async fn import_report(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, job_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    importing_admin(&state, &ctx).await?;
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let report = tx
        .import_job_report(job_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(axum::response::IntoResponse::into_response((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"erreurs-import-{job_id}.csv\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        report,
    )))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    prenom: String,
    #[serde(default)]
    connexion: String,
    #[serde(default)]
    certificabilite: String,
    #[serde(default)]
    tri: String,
    #[serde(default)]
    ordre: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    par_page: Option<i64>,
}

const PAGE_SIZES: [i64; 4] = [10, 25, 50, 100];

fn connection_label(row: &LearnerListRow) -> String {
    let mut methods = Vec::new();
    if row.email.is_some() {
        methods.push(t("connection-email"));
    }
    if row.username.is_some() {
        methods.push(t("connection-username"));
    }
    if row.mediacentre {
        methods.push(t("connection-mediacentre"));
    }
    if methods.is_empty() {
        return if row.user_id.is_some() {
            t("connection-other")
        } else {
            t("connection-none")
        };
    }
    methods.join(", ")
}

fn certificability_json(
    certifiable: Option<bool>,
    at: Option<time::OffsetDateTime>,
) -> serde_json::Value {
    let (key, class) = match certifiable {
        Some(true) => ("certifiable-yes", "tag--success"),
        Some(false) => ("certifiable-no", "tag--error"),
        None => ("certifiable-unknown", "tag--neutral"),
    };
    serde_json::json!({"label": t(key), "class": class, "at": at.map(views::date)})
}

async fn list(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let raw = raw.unwrap_or_default();
    // Several "classe" values: serde_urlencoded keeps only one, so they are read by hand.
    let divisions: Vec<String> = super::query_pairs(&raw)
        .into_iter()
        .filter(|(k, v)| k == "classe" && !v.is_empty())
        .map(|(_, v)| v)
        .collect();
    let q: ListQuery = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let per_page = q
        .par_page
        .filter(|n| PAGE_SIZES.contains(n))
        .unwrap_or(PAGE_SIZES[1]);
    let sort = match q.tri.as_str() {
        "prenom" => LearnerSort::FirstName,
        "classe" => LearnerSort::Division,
        "participations" => LearnerSort::Participations,
        _ => LearnerSort::LastName,
    };
    let filter = LearnerFilter {
        last_name: q.nom.clone(),
        first_name: q.prenom.clone(),
        divisions: divisions.clone(),
        connection: Connection::parse(&q.connexion),
        certificability: match q.certificabilite.as_str() {
            "oui" => Some(Certificability::Yes),
            "non" => Some(Certificability::No),
            "inconnu" => Some(Certificability::Unknown),
            _ => None,
        },
        sort,
        descending: q.ordre == "desc",
        page: q.page.unwrap_or(1).max(1),
        per_page,
    };
    let org = state
        .store
        .find_organization(ctx.scope.tenant())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let page = tx.learners_page(&filter).await?;
    let all_divisions = tx.divisions().await?;
    tx.commit().await?;
    let pages = ((page.total + per_page - 1) / per_page).max(1);
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "last_name": r.last_name,
                "first_name": r.first_name,
                "birthdate": r.birthdate.map(views::day),
                "division": r.division,
                "connection": connection_label(r),
                "participations": r.participations,
                "last": r.last_campaign.as_ref().map(|c| serde_json::json!({
                    "campaign": c,
                    "status": match r.last_status.as_deref() {
                        Some("SHARED") => t("participation-status-shared"),
                        _ => t("participation-status-started"),
                    },
                    "at": r.last_at.map(views::date),
                })),
                "certificability": certificability_json(r.certifiable, r.certifiable_at),
            })
        })
        .collect();
    // The query string of this view without the page, for pagination and sorting links.
    let keep: Vec<(String, String)> = super::query_pairs(&raw)
        .into_iter()
        .filter(|(k, v)| k != "page" && !v.is_empty())
        .collect();
    let base_query = super::encode_pairs(&keep);
    let without_sort = super::encode_pairs(
        &keep
            .iter()
            .filter(|(k, _)| k != "tri" && k != "ordre")
            .cloned()
            .collect::<Vec<_>>(),
    );
    ctx.page("orga/students.html", "eleves")
        .await
        .with("manages_students", org.manages_students)
        .with("rows", rows)
        .with("total", page.total)
        .with("page", filter.page.min(pages))
        .with("pages", pages)
        .with("per_page", per_page)
        .with("page_sizes", PAGE_SIZES)
        .with("divisions", all_divisions)
        .with("selected_divisions", divisions)
        .with(
            "q",
            serde_json::json!({
                "nom": q.nom, "prenom": q.prenom, "connexion": q.connexion,
                "certificabilite": q.certificabilite, "tri": q.tri, "ordre": q.ordre,
            }),
        )
        .with("base_query", base_query)
        .with("sort_query", without_sort)
        .with(
            "filtered",
            !keep
                .iter()
                .all(|(k, _)| k == "tri" || k == "ordre" || k == "par_page"),
        )
        .render()
}

async fn show(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    student_page(&state, &ctx, id, None).await
}

/// What staff just did on a student's account, shown once on their page.
#[derive(serde::Serialize)]
struct Done {
    message: String,
    password: Option<String>,
    username: Option<String>,
}

async fn student_page(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
    done: Option<Done>,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let learner = tx.learner(id).await?.ok_or(AppError::NotFound)?;
    let participations = tx.learner_participations(id).await?;
    tx.commit().await?;
    let account = match learner.user_id {
        Some(u) => state.store.find_user(u).await?,
        None => None,
    };
    let mediacentre = match &account {
        Some(a) => !state.store.identities_of_user(a.id).await?.is_empty(),
        None => false,
    };
    let participations: Vec<_> = participations
        .iter()
        .map(|p| {
            serde_json::json!({
                "campaign_id": p.campaign_id,
                "campaign": p.campaign_name,
                "is_profiles": p.campaign_kind == "PROFILES_COLLECTION",
                "status": if p.status == "SHARED" { t("participation-status-shared") } else { t("participation-status-started") },
                "started": views::date(p.created_at),
                "shared": p.shared_at.map(views::date),
                "mastery": p.mastery_percent,
                "pix": p.pix_score,
            })
        })
        .collect();
    ctx.page("orga/student.html", "eleves")
        .await
        .with(
            "learner",
            serde_json::json!({
                "id": learner.id,
                "first_name": learner.first_name,
                "last_name": learner.last_name,
                "birthdate": learner.birthdate.map(views::day),
                "division": learner.division,
                "ine": learner.ine,
                "disabled": learner.disabled,
                "certificability": certificability_json(learner.certifiable, learner.certifiable_at),
            }),
        )
        .with(
            "account",
            account.map(|a| {
                serde_json::json!({
                    "email": a.email,
                    "username": a.username,
                    "has_password": a.password_hash.is_some(),
                    "mediacentre": mediacentre,
                })
            }),
        )
        .with("participations", participations)
        .with("done", done)
        .render()
}

/// A student of this establishment and their account, or a clear refusal.
async fn learner_account(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
) -> AppResult<(acquis_store::Learner, acquis_store::User)> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let learner = tx.learner(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let account = match learner.user_id {
        Some(u) => state.store.find_user(u).await?,
        None => None,
    };
    let Some(account) = account else {
        return Err(AppError::Page {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: t("student-account"),
            message: t("student-no-account"),
        });
    };
    Ok((learner, account))
}

fn one_time_password() -> String {
    acquis_interop::names::one_time_password(&mut rand::thread_rng())
}

/// "Réinitialiser le mot de passe": a one-time password, shown once, to change at next login.
async fn reset_password(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (learner, account) = learner_account(&state, &ctx, id).await?;
    let password = one_time_password();
    let hash = state.hasher.hash(password.clone()).await?;
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    tx.set_account_password(account.id, &hash, true).await?;
    tx.audit(
        "learner.password_reset",
        Some(&learner.id.to_string()),
        None,
    )
    .await?;
    tx.commit().await?;
    // Whoever knew the old password is signed out everywhere.
    state
        .sessions
        .revoke_user_sessions(account.id, None)
        .await?;
    student_page(
        &state,
        &ctx,
        id,
        Some(Done {
            message: t("student-password-reset"),
            password: Some(password),
            username: None,
        }),
    )
    .await
}

/// "Ajouter l'identifiant": a username for an account signing in by e-mail or through the
/// school's provider; an account without any password also gets a one-time password.
async fn add_username(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (learner, account) = learner_account(&state, &ctx, id).await?;
    if account.username.is_some() {
        return Err(AppError::Page {
            status: StatusCode::CONFLICT,
            title: t("student-account"),
            message: t("student-has-username"),
        });
    }
    let username = crate::app::reconcile::free_username(&state, &learner).await?;
    let password = account.password_hash.is_none().then(one_time_password);
    let hash = match &password {
        Some(p) => Some(state.hasher.hash(p.clone()).await?),
        None => None,
    };
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    tx.set_account_username(account.id, &username).await?;
    if let Some(hash) = &hash {
        tx.set_account_password(account.id, hash, true).await?;
    }
    tx.audit(
        "learner.username_added",
        Some(&learner.id.to_string()),
        None,
    )
    .await?;
    tx.commit().await?;
    student_page(
        &state,
        &ctx,
        id,
        Some(Done {
            message: t("student-username-added"),
            password,
            username: Some(username),
        }),
    )
    .await
}

/// Detaches an account wrongly linked to a student (administrators; recorded in the audit log).
async fn dissociate(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    if !ctx.is_admin() {
        return Err(AppError::Page {
            status: StatusCode::FORBIDDEN,
            title: t("student-dissociate"),
            message: t("student-dissociate-admins-only"),
        });
    }
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let Some(user) = tx.unlink_learner(id).await? else {
        drop(tx);
        return Err(AppError::NotFound);
    };
    tx.audit(
        "learner.dissociated",
        Some(&id.to_string()),
        Some(&user.to_string()),
    )
    .await?;
    tx.commit().await?;
    flash(&ctx.session, t("student-dissociated")).await?;
    Ok(see_other(&ctx.path(&format!("/eleves/{id}"))))
}

/// Several students at once: every one must have a username, otherwise nothing changes; the
/// answer is the CSV to hand out (`Classe;Nom;Prénom;Identifiant;Mot de passe`).
async fn reset_passwords(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    crate::form::Form(pairs): crate::form::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids: Vec<Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "eleve")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .collect();
    if ids.is_empty() {
        return Err(AppError::Page {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: t("students-reset-title"),
            message: t("students-reset-none"),
        });
    }
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let mut found = Vec::with_capacity(ids.len());
    for id in &ids {
        found.push(tx.learner(*id).await?);
    }
    tx.commit().await?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for learner in found {
        let Some(learner) = learner else {
            problems.push(t("students-reset-unknown"));
            continue;
        };
        let name = format!("{} {}", learner.last_name, learner.first_name);
        let account = match learner.user_id {
            Some(u) => state.store.find_user(u).await?,
            None => None,
        };
        match account.and_then(|a| a.username.clone().map(|u| (a, u))) {
            Some((account, username)) => rows.push((learner, account.id, username)),
            None => problems.push(t_args("students-reset-no-username", &[("name", &name)])),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Page {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: t("students-reset-title"),
            message: format!("{} {}", t("students-reset-refused"), problems.join(" ")),
        });
    }
    rows.sort_by(|a, b| {
        (
            a.0.division.as_deref(),
            a.0.last_name.to_lowercase(),
            a.0.first_name.to_lowercase(),
        )
            .cmp(&(
                b.0.division.as_deref(),
                b.0.last_name.to_lowercase(),
                b.0.first_name.to_lowercase(),
            ))
    });
    // Hashed before the write transaction, which holds SQLite's write lock.
    let mut hashed = Vec::with_capacity(rows.len());
    for _ in &rows {
        let p = one_time_password();
        let h = state.hasher.hash(p.clone()).await?;
        hashed.push((p, h));
    }
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    for ((_, user, _), (_, hash)) in rows.iter().zip(&hashed) {
        tx.set_account_password(*user, hash, true).await?;
    }
    tx.audit(
        "learner.passwords_reset",
        None,
        Some(&rows.len().to_string()),
    )
    .await?;
    tx.commit().await?;
    for (_, user, _) in &rows {
        state.sessions.revoke_user_sessions(*user, None).await?;
    }
    let mut body = acquis_interop::csv_out::BOM.as_bytes().to_vec();
    body.extend(acquis_interop::csv_out::record([
        t("csv-class"),
        t("csv-sheet-last-name"),
        t("csv-sheet-first-name"),
        t("csv-sheet-username"),
        t("csv-sheet-password"),
    ]));
    for ((learner, _, username), (password, _)) in rows.iter().zip(&hashed) {
        body.extend(acquis_interop::csv_out::record([
            learner.division.as_deref().unwrap_or(""),
            &learner.last_name,
            &learner.first_name,
            username,
            password,
        ]));
    }
    let filename = format!(
        "mots-de-passe-{}.csv",
        time::OffsetDateTime::now_utc().date()
    );
    Ok(axum::response::IntoResponse::into_response((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )))
}
