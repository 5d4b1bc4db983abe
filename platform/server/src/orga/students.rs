//! Élèves: the list of the establishment's students, a student's page, and the SIECLE import.
//!
//! An import reads the file off the request thread, then writes it in one transaction: a file
//! with any blocking problem writes nothing, and a crash mid-way leaves the previous list. Large
//! files finish in the background while the progress page refreshes itself (no JavaScript).

use std::sync::{Arc, Mutex};

use crate::form::{Multipart, Path, RawQuery};
use acquis_interop::siecle::{self, Problem, StudentProblem};
use acquis_store::{
    Certificability, Connection, ImportCounts, LearnerFilter, LearnerListRow, LearnerSort,
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
        .route("/orga/{org}/eleves/{id}", get(show))
        .route("/orga/{org}/eleves/{id}/mot-de-passe", post(reset_password))
        .route("/orga/{org}/eleves/{id}/identifiant", post(add_username))
        .route("/orga/{org}/eleves/{id}/dissocier", post(dissociate))
        .route("/orga/{org}/eleves/mots-de-passe", post(reset_passwords))
}

/// Where an import is; the progress page reads it.
#[derive(Debug, Clone)]
pub enum ImportJob {
    Reading {
        org: Uuid,
    },
    Writing {
        org: Uuid,
        done: usize,
        total: usize,
    },
    Done {
        org: Uuid,
        counts: ImportCounts,
    },
    Failed {
        org: Uuid,
        errors: Vec<String>,
        status: u16,
    },
}

impl ImportJob {
    fn org(&self) -> Uuid {
        match self {
            ImportJob::Reading { org }
            | ImportJob::Writing { org, .. }
            | ImportJob::Done { org, .. }
            | ImportJob::Failed { org, .. } => *org,
        }
    }
}

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
        Problem::UaiMissing => t("import-error-uai-missing"),
        Problem::UaiMismatch { found } => {
            t_args("import-error-uai", &[("found", found), ("uai", uai)])
        }
        Problem::Student {
            line,
            ine,
            name,
            problem,
        } => {
            let reason = match problem {
                StudentProblem::IneDuplicate { first_line } => t_args(
                    "import-reason-ine-duplicate",
                    &[("first", &first_line.to_string())],
                ),
                StudentProblem::SexRequired => t("import-reason-sex"),
                StudentProblem::BirthdateRequired => t("import-reason-birthdate"),
                StudentProblem::BirthdateFormat { value } => {
                    t_args("import-reason-birthdate-format", &[("value", value)])
                }
                StudentProblem::BirthCityCodeRequired => t("import-reason-birth-city"),
                StudentProblem::LastNameRequired => t("import-reason-last-name"),
                StudentProblem::FirstNameRequired => t("import-reason-first-name"),
                StudentProblem::InvalidChar { field } => {
                    t_args("import-reason-invalid-char", &[("field", field)])
                }
            };
            t_args(
                "import-error-student",
                &[
                    ("line", &line.to_string()),
                    ("ine", if ine.is_empty() { "—" } else { ine }),
                    ("name", if name.is_empty() { "—" } else { name }),
                    ("reason", &reason),
                ],
            )
        }
    }
}

async fn import_page(
    state: &AppState,
    ctx: &OrgaCtx,
    errors: Option<Vec<String>>,
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
        .with("errors", errors)
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
    let too_large = || t_args("import-error-too-large", &[("max", &max_mib.to_string())]);
    let upload = match read_upload(&mut multipart).await {
        Ok(u) => u,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return import_page(&state, &ctx, Some(vec![too_large()]), e.status()).await;
        }
        Err(_) => {
            return import_page(
                &state,
                &ctx,
                Some(vec![t("import-error-upload")]),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let Some((filename, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return import_page(
            &state,
            &ctx,
            Some(vec![t("import-error-no-file")]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if bytes.len() > max_bytes {
        return import_page(
            &state,
            &ctx,
            Some(vec![too_large()]),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }

    let job_id = Uuid::now_v7();
    let job = Arc::new(Mutex::new(ImportJob::Reading { org: ctx.org_id }));
    state.imports.insert(job_id, job.clone()).await;
    let task = tokio::spawn(run_import(
        state.clone(),
        ctx.scope,
        ctx.user.id,
        org.uai.clone(),
        filename,
        bytes,
        job.clone(),
    ));
    // Most files are done well within this; larger ones continue while the page refreshes.
    let finished = tokio::time::timeout(std::time::Duration::from_secs(3), task)
        .await
        .is_ok();
    if finished {
        let outcome = job.lock().map(|j| j.clone()).ok();
        if let Some(ImportJob::Failed { errors, status, .. }) = outcome {
            return import_page(
                &state,
                &ctx,
                Some(errors),
                StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await;
        }
        if let Some(ImportJob::Done { counts, .. }) = outcome {
            flash(&ctx.session, done_message(counts)).await?;
            return Ok(see_other(&ctx.path("/eleves")));
        }
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

fn set(job: &Mutex<ImportJob>, value: ImportJob) {
    if let Ok(mut j) = job.lock() {
        *j = value;
    }
}

async fn run_import(
    state: AppState,
    scope: acquis_tenants::TenantScope,
    user: Uuid,
    uai: String,
    filename: String,
    bytes: axum::body::Bytes,
    job: Arc<Mutex<ImportJob>>,
) {
    let org = scope.tenant().0;
    let max_mib = state.config.import_max_mib;
    let uai_for_read = uai.clone();
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
                413
            } else {
                422
            };
            let errors = problems
                .iter()
                .map(|p| problem_message(p, &uai, max_mib))
                .collect();
            set(
                &job,
                ImportJob::Failed {
                    org,
                    errors,
                    status,
                },
            );
            return;
        }
        Err(e) => {
            tracing::error!("SIECLE reader failed: {e}");
            set(
                &job,
                ImportJob::Failed {
                    org,
                    errors: vec![t("import-error-internal")],
                    status: 500,
                },
            );
            return;
        }
    };
    if students.is_empty() {
        set(
            &job,
            ImportJob::Failed {
                org,
                errors: vec![t("import-error-empty")],
                status: 422,
            },
        );
        return;
    }
    let total = students.len();
    set(
        &job,
        ImportJob::Writing {
            org,
            done: 0,
            total,
        },
    );
    let progress_job = job.clone();
    let progress = move |done: usize| {
        set(&progress_job, ImportJob::Writing { org, done, total });
    };
    let written = async {
        let mut tx = state.store.tenant_tx(&scope).await?;
        let counts = tx
            .import_learners(user, &filename, &students, &progress)
            .await?;
        tx.commit().await?;
        Ok::<_, acquis_store::StoreError>(counts)
    }
    .await;
    match written {
        Ok(counts) => set(&job, ImportJob::Done { org, counts }),
        Err(e) => {
            tracing::error!("SIECLE import not written: {e}");
            set(
                &job,
                ImportJob::Failed {
                    org,
                    errors: vec![t("import-error-internal")],
                    status: 500,
                },
            );
        }
    }
}

async fn import_status(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, job_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    importing_admin(&state, &ctx).await?;
    let job = state
        .imports
        .get(&job_id)
        .await
        .and_then(|j| j.lock().ok().map(|j| j.clone()))
        .filter(|j| j.org() == ctx.org_id)
        .ok_or(AppError::NotFound)?;
    match job {
        ImportJob::Done { counts, .. } => {
            flash(&ctx.session, done_message(counts)).await?;
            Ok(see_other(&ctx.path("/eleves")))
        }
        ImportJob::Failed { errors, status, .. } => {
            import_page(
                &state,
                &ctx,
                Some(errors),
                StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
        ImportJob::Reading { .. } => ctx
            .page("orga/students_import_progress.html", "eleves")
            .await
            .with("step", t("students-import-reading"))
            .with("percent", 0)
            .render(),
        ImportJob::Writing { done, total, .. } => ctx
            .page("orga/students_import_progress.html", "eleves")
            .await
            .with(
                "step",
                t_args(
                    "students-import-writing",
                    &[("done", &done.to_string()), ("total", &total.to_string())],
                ),
            )
            .with("percent", done * 100 / total.max(1))
            .render(),
    }
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
