//! The content designers' studio (`/studio`) and its API (`/api/studio/paquets`): upload a
//! package, read its verification report, publish it; browse published versions; preview any
//! challenge through its plugin and try answers; API tokens for `acquis-pack publish`.
//!
//! Publishing is two steps in the browser (report, then « Publier ») and one through the API.
//! A verified upload waits in memory for its author (one hour): nothing is stored before
//! « Publier », and a package that does not verify is never kept.

use std::sync::Arc;

use crate::form::{Form, Multipart, Path, Query};
use acquis_plugin_host::package::{MANIFEST, Problem, Verified};
use acquis_plugin_host::{PluginError, Verdict, verdict_name};
use acquis_store::{NewPackage, PackageSummary, PublishRefusal, Published, User};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use uuid::Uuid;

use crate::app::assessment::{attachment_response, encode_answer, fields_of};
use crate::auth::session::{CurrentUser, flash};
use crate::content::Catalog;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};
use crate::views::{Page, date_time};
use crate::{AppState, page, views};

/// The largest package accepted (the verifier's own archive cap).
pub const MAX_PACKAGE_BYTES: usize = 20 << 20;

/// A verified upload waiting for « Publier ».
pub struct Pending {
    pub verified: Verified,
    pub archive: Vec<u8>,
    pub catalog: Arc<Catalog>,
}

pub type PendingUploads = moka::future::Cache<(Uuid, String), Arc<Pending>>;

pub fn pending_uploads() -> PendingUploads {
    moka::future::Cache::builder()
        // Each upload weighs its archive and its unpacked files.
        .weigher(|_, p: &Arc<Pending>| u32::try_from(p.archive.len() * 2).unwrap_or(u32::MAX))
        .max_capacity(512 << 20)
        .time_to_live(std::time::Duration::from_secs(3600))
        .build()
}

pub fn router() -> Router<AppState> {
    let limit = DefaultBodyLimit::max(MAX_PACKAGE_BYTES + (64 << 10));
    Router::new()
        .route("/studio", get(home))
        .route("/studio/paquets", post(upload).layer(limit))
        .route("/studio/paquets/{digest}", get(package_page))
        .route("/studio/paquets/{digest}/publier", post(publish))
        .route(
            "/studio/paquets/{digest}/epreuves/{challenge}",
            get(preview).post(try_answer),
        )
        .route(
            "/studio/paquets/{digest}/pieces-jointes/{*path}",
            get(asset),
        )
        .route("/studio/jetons", get(tokens).post(create_token))
        .route("/studio/jetons/{id}/revoquer", post(revoke_token))
        .route("/api/studio/paquets", post(api_publish).layer(limit))
}

/// A signed-in content designer. Anyone else is told the page does not exist.
pub struct Designer {
    pub user: User,
    pub session: Session,
}

impl FromRequestParts<AppState> for Designer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser { user, session } = CurrentUser::from_request_parts(parts, state).await?;
        if !user.is_designer() {
            return Err(AppError::NotFound);
        }
        crate::auth::sso::refuse_staff_space(&session).await?;
        Ok(Designer { user, session })
    }
}

impl Designer {
    async fn page(&self, name: &'static str) -> Page {
        page(name, Some(&self.user), &self.session).await
    }
}

/// What checking an upload found.
enum Checked {
    Refused(Vec<Problem>),
    Ready(Verified, Arc<Catalog>),
    AlreadyPublished(Verified),
}

/// Checks an upload by `by`: the shared verifier, then what the database decides (who owns the
/// package and type ids, which versions exist), writing nothing.
async fn check(state: &AppState, archive: &[u8], by: Uuid) -> AppResult<Checked> {
    let (verified, catalog) = match state.contents.check(archive.to_vec()).await {
        Ok(v) => v,
        Err(problems) => return Ok(Checked::Refused(problems)),
    };
    let meta = &verified.manifest.package;
    let would = state
        .store
        .check_publication(&NewPackage {
            digest: &verified.digest,
            package_id: &meta.id,
            version: &meta.version,
            kind: &meta.kind,
            archive: &[],
            published_by: Some(by),
            profiles: Vec::new(),
            offer_new_profiles_to_all: false,
            types: verified.own_types.clone(),
        })
        .await?;
    Ok(match would {
        Published::New => Checked::Ready(verified, catalog),
        Published::AlreadyThere => Checked::AlreadyPublished(verified),
        Published::Refused(why) => Checked::Refused(vec![refusal(&verified, &why)]),
    })
}

/// Why the database refuses a publication, in French, naming the file concerned.
fn refusal(v: &Verified, why: &PublishRefusal) -> Problem {
    let meta = &v.manifest.package;
    match why {
        PublishRefusal::NotOwner { kind, name, owner } => {
            let (file, id) = match (*kind, owner.is_some()) {
                ("type", false) => (format!("components/{name}.wasm"), "packages-type-reserved"),
                ("type", true) => (format!("components/{name}.wasm"), "packages-type-not-owner"),
                (_, false) => (MANIFEST.to_owned(), "packages-reserved"),
                (_, true) => (MANIFEST.to_owned(), "packages-not-owner"),
            };
            Problem {
                file,
                message: t_args(id, &[("name", name)]),
            }
        }
        PublishRefusal::VersionTaken => Problem {
            file: MANIFEST.into(),
            message: t_args(
                "studio-version-taken",
                &[("id", &meta.id), ("version", &meta.version)],
            ),
        },
        PublishRefusal::NotNewer { current } => {
            let next = semver::Version::parse(current)
                .map(|v| semver::Version::new(v.major, v.minor, v.patch + 1).to_string())
                .unwrap_or_default();
            Problem {
                file: MANIFEST.into(),
                message: t_args(
                    "packages-not-newer",
                    &[
                        ("id", &meta.id),
                        ("version", &meta.version),
                        ("current", current),
                        ("next", &next),
                    ],
                ),
            }
        }
    }
}

fn package_json(p: &PackageSummary) -> serde_json::Value {
    serde_json::json!({
        "digest": p.digest,
        "short": p.digest.get(..12).unwrap_or(&p.digest),
        "id": p.package_id,
        "version": p.version,
        "published_at": date_time(p.published_at),
        "published_by": p.published_by.clone().unwrap_or_else(|| t("studio-by-platform")),
        "profiles": p.profiles,
        "size": size_label(p.size.max(0) as u64),
    })
}

fn size_label(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} Mio", bytes as f64 / f64::from(1u32 << 20)).replace('.', ",")
    } else {
        format!("{} Kio", bytes.div_ceil(1024))
    }
}

fn problems_json(problems: &[Problem]) -> Vec<serde_json::Value> {
    problems
        .iter()
        .map(|p| serde_json::json!({"file": p.file, "message": p.message}))
        .collect()
}

fn profile_names(catalog: &Catalog) -> Vec<&str> {
    catalog.profiles.iter().map(|g| g.name.as_str()).collect()
}

fn summary_json(v: &Verified, size: usize, profiles: &[&str]) -> serde_json::Value {
    let m = &v.manifest.package;
    serde_json::json!({
        "id": m.id,
        "version": m.version,
        "kind": m.kind,
        "api": m.api,
        "digest": v.digest,
        "files": v.files.len(),
        "challenges": v.challenges,
        "examples": v.examples,
        "size": size_label(size as u64),
        "profiles": profiles,
    })
}

async fn home_page(
    state: &AppState,
    d: &Designer,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let packages = state.store.packages().await?;
    d.page("studio/home.html")
        .await
        .with(
            "packages",
            packages.iter().map(package_json).collect::<Vec<_>>(),
        )
        .with("max_mib", MAX_PACKAGE_BYTES >> 20)
        .with("error", error)
        .status(status)
        .render()
}

async fn home(State(state): State<AppState>, d: Designer) -> AppResult<Response> {
    home_page(&state, &d, None, StatusCode::OK).await
}

async fn upload(
    State(state): State<AppState>,
    d: Designer,
    Multipart(mut multipart): Multipart,
) -> AppResult<Response> {
    let too_large = || {
        t_args(
            "studio-error-too-large",
            &[("max", &(MAX_PACKAGE_BYTES >> 20).to_string())],
        )
    };
    let mut archive = Vec::new();
    let mut file_name = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return home_page(&state, &d, Some(too_large()), e.status()).await;
            }
            Err(e) => return Err(AppError::BadRequest(e.body_text())),
        };
        if field.name() == Some("paquet") {
            file_name = field.file_name().unwrap_or_default().to_owned();
            archive = match field.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return home_page(&state, &d, Some(too_large()), e.status()).await;
                }
                Err(e) => return Err(AppError::BadRequest(e.body_text())),
            };
        }
    }
    if archive.is_empty() {
        return home_page(
            &state,
            &d,
            Some(t("studio-error-no-file")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let report = d
        .page("studio/report.html")
        .await
        .with("file_name", &file_name);
    match check(&state, &archive, d.user.id).await? {
        Checked::Refused(problems) => report
            .with("status", "refused")
            .with("problems", problems_json(&problems))
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render(),
        Checked::AlreadyPublished(v) => report
            .with("status", "already")
            .with("summary", summary_json(&v, archive.len(), &[]))
            .render(),
        Checked::Ready(verified, catalog) => {
            let summary = summary_json(&verified, archive.len(), &profile_names(&catalog));
            state
                .studio_uploads
                .insert(
                    (d.user.id, verified.digest.clone()),
                    Arc::new(Pending {
                        verified,
                        archive,
                        catalog,
                    }),
                )
                .await;
            report
                .with("status", "ready")
                .with("summary", summary)
                .render()
        }
    }
}

async fn publish(
    State(state): State<AppState>,
    d: Designer,
    Path(digest): Path<String>,
) -> AppResult<Response> {
    let key = (d.user.id, digest.clone());
    let Some(pending) = state.studio_uploads.get(&key).await else {
        flash(&d.session, t("studio-upload-expired")).await?;
        return Ok(see_other("/studio"));
    };
    let meta = &pending.verified.manifest.package;
    // The database decides again, in the publication's own transaction: someone may have
    // published this version, or a higher one, since the report.
    let published = state
        .contents
        .publish_built(
            &pending.verified,
            pending.catalog.clone(),
            &pending.archive,
            Some(d.user.id),
            false,
        )
        .await?;
    state.studio_uploads.invalidate(&key).await;
    let message = match &published {
        Published::New => t_args(
            "studio-published",
            &[("id", &meta.id), ("version", &meta.version)],
        ),
        Published::AlreadyThere => t("studio-already-published"),
        Published::Refused(why) => {
            tracing::info!(designer = %d.user.id, package = %meta.id, version = %meta.version,
                ?why, "publication refused after the report");
            return d
                .page("studio/report.html")
                .await
                .with("status", "refused")
                .with(
                    "problems",
                    problems_json(&[refusal(&pending.verified, why)]),
                )
                .status(StatusCode::CONFLICT)
                .render();
        }
    };
    tracing::info!(designer = %d.user.id, package = %meta.id, version = %meta.version,
        %digest, "package published from the studio");
    flash(&d.session, message).await?;
    Ok(see_other(&format!("/studio/paquets/{digest}")))
}

async fn published_catalog(
    state: &AppState,
    digest: &str,
) -> AppResult<(PackageSummary, Arc<Catalog>)> {
    let p = state
        .store
        .package(digest)
        .await?
        .ok_or(AppError::NotFound)?;
    let catalog = state.contents.catalog(digest).await?;
    Ok((p, catalog))
}

/// The first line of an instruction as plain text, cut for a table cell.
fn excerpt(markdown: &str) -> String {
    let line = markdown
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .replace(['*', '_', '`', '#'], "");
    let mut out: String = line.chars().take(90).collect();
    if line.chars().count() > 90 {
        out.push('…');
    }
    out
}

async fn package_page(
    State(state): State<AppState>,
    d: Designer,
    Path(digest): Path<String>,
) -> AppResult<Response> {
    let (p, catalog) = published_catalog(&state, &digest).await?;
    let challenges: Vec<serde_json::Value> = catalog
        .bank
        .challenges
        .iter()
        .zip(&catalog.challenges)
        .map(|(c, info)| {
            let skill = &catalog.bank.skills[c.skill as usize];
            let tube = &catalog.bank.tubes[skill.tube as usize];
            serde_json::json!({
                "id": c.id,
                "kind": info.kind,
                "skill": skill.id,
                "competence": catalog.competences[tube.competence as usize].code,
                "instruction": excerpt(&info.instruction),
            })
        })
        .collect();
    let profiles: Vec<serde_json::Value> = catalog
        .profiles
        .iter()
        .map(|g| {
            serde_json::json!({
                "name": g.name,
                "category": crate::orga::campaigns::category_label(&g.category),
                "stages": g.stages.len(),
                "badges": g.badges.len(),
                "own_selector": g.selector.is_some(),
            })
        })
        .collect();
    d.page("studio/package.html")
        .await
        .with("package", package_json(&p))
        .with("profiles", profiles)
        .with("challenges", challenges)
        .render()
}

#[derive(Deserialize, Default)]
struct PreviewQuery {
    graine: Option<u64>,
}

struct Tried {
    answer: String,
    result: Result<(acquis_plugin_host::ScoreResult, acquis_plugin_host::Usage), PluginError>,
}

/// A published package and one of its challenges, or 404.
async fn published_challenge(
    state: &AppState,
    digest: &str,
    challenge: &str,
) -> AppResult<(PackageSummary, Arc<Catalog>, usize)> {
    let (p, catalog) = published_catalog(state, digest).await?;
    let idx = catalog
        .challenge_index(challenge)
        .ok_or(AppError::NotFound)?;
    Ok((p, catalog, idx as usize))
}

async fn preview_page(
    state: &AppState,
    d: &Designer,
    (p, catalog, idx): (PackageSummary, Arc<Catalog>, usize),
    challenge: &str,
    seed: u64,
    tried: Option<Tried>,
    error: Option<String>,
) -> AppResult<Response> {
    let info = &catalog.challenges[idx];
    let plugin = catalog.types.get(&info.kind);
    let rendered = plugin
        .ok_or_else(|| PluginError::Plugin(format!("type {} inconnu", info.kind)))
        .and_then(|plugin| {
            state
                .contents
                .host
                .render(plugin, &info.definition, "fr", seed)
        })
        .and_then(|json| {
            serde_json::from_str::<serde_json::Value>(&json)
                .map_err(|e| PluginError::Plugin(e.to_string()))
        });
    let (view, render_error) = match rendered {
        Ok(v) => (v, None),
        Err(e) => (serde_json::Value::Null, Some(e.to_string())),
    };
    let verdict = tried.map(|tried| match tried.result {
        Ok((r, usage)) => serde_json::json!({
            "answer": tried.answer,
            "verdict": verdict_name(r.verdict),
            "label": t(match r.verdict {
                Verdict::Ok => "studio-verdict-ok",
                Verdict::Ko => "studio-verdict-ko",
                Verdict::Partially => "studio-verdict-partially",
            }),
            "feedback": r.feedback,
            "details": r.details.iter().map(|f| serde_json::json!({"key": f.key, "ok": f.ok})).collect::<Vec<_>>(),
            "solution": r.solution_to_display.map(|s| views::markdown(&s)),
            "fuel": usage.fuel.to_string(),
            "memory": size_label(usage.memory_peak as u64),
        }),
        Err(e) => serde_json::json!({"answer": tried.answer, "error": e.to_string()}),
    });
    d.page("studio/challenge.html")
        .await
        .with("package", package_json(&p))
        .with("challenge", challenge)
        .with("kind", &info.kind)
        .with("seed", seed)
        .with("next_seed", seed.wrapping_add(1))
        .with("multiple", info.kind == "qcm")
        .with("instruction", &info.instruction_html)
        .with("choices", view.get("choices").cloned().unwrap_or_default())
        .with("fields", fields_of(&view))
        .with("attachments", &info.attachments)
        .with("render_error", render_error)
        .with("tried", verdict)
        .with("error", &error)
        .with("definition", pretty(&info.definition))
        .status(if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        })
        .render()
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| json.to_owned())
}

async fn preview(
    State(state): State<AppState>,
    d: Designer,
    Path((digest, challenge)): Path<(String, String)>,
    Query(q): Query<PreviewQuery>,
) -> AppResult<Response> {
    let found = published_challenge(&state, &digest, &challenge).await?;
    preview_page(
        &state,
        &d,
        found,
        &challenge,
        q.graine.unwrap_or(1),
        None,
        None,
    )
    .await
}

/// Scores an answer typed in the preview, exactly as a student's would be.
async fn try_answer(
    State(state): State<AppState>,
    d: Designer,
    Path((digest, challenge)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let value = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let seed = value("graine").and_then(|s| s.parse().ok()).unwrap_or(1);
    let found = published_challenge(&state, &digest, &challenge).await?;
    let info = &found.1.challenges[found.2];
    let answer = if value("action") == Some("passer") {
        Some("#ABAND#".to_owned())
    } else {
        encode_answer(&info.kind, &form)
    };
    let Some(answer) = answer else {
        return preview_page(
            &state,
            &d,
            found,
            &challenge,
            seed,
            None,
            Some(t("challenge-answer-missing")),
        )
        .await;
    };
    let result = match found.1.types.get(&info.kind) {
        Some(plugin) => state
            .contents
            .host
            .score_with_usage(plugin, &info.definition, &answer),
        None => Err(PluginError::Plugin(format!("type {} inconnu", info.kind))),
    };
    preview_page(
        &state,
        &d,
        found,
        &challenge,
        seed,
        Some(Tried { answer, result }),
        None,
    )
    .await
}

async fn asset(
    State(state): State<AppState>,
    _d: Designer,
    Path((digest, path)): Path<(String, String)>,
) -> AppResult<Response> {
    let (_, catalog) = published_catalog(&state, &digest).await?;
    let bytes = catalog.assets.get(&path).ok_or(AppError::NotFound)?;
    Ok(attachment_response(&path, bytes.clone()))
}

fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

async fn tokens_page(
    state: &AppState,
    d: &Designer,
    created: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let list = state.store.designer_tokens(d.user.id).await?;
    d.page("studio/tokens.html")
        .await
        .with(
            "tokens",
            list.iter()
                .map(|tk| {
                    serde_json::json!({
                        "id": tk.id,
                        "name": tk.name,
                        "created_at": date_time(tk.created_at),
                        "last_used_at": tk.last_used_at.map(date_time),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .with("created", created)
        .with("base_url", state.config.base_url.trim_end_matches('/'))
        .status(if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        })
        .with("error", error)
        .render()
}

async fn tokens(State(state): State<AppState>, d: Designer) -> AppResult<Response> {
    tokens_page(&state, &d, None, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: acquis_input::Text<acquis_input::Title>,
}

async fn create_token(
    State(state): State<AppState>,
    d: Designer,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return tokens_page(&state, &d, None, Some(t("studio-token-error-name"))).await;
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = format!("acq_{}", hex::encode(secret));
    state
        .store
        .create_designer_token(d.user.id, name, &token_sha256(&token))
        .await?;
    tokens_page(&state, &d, Some(token), None).await
}

async fn revoke_token(
    State(state): State<AppState>,
    d: Designer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    if !state.store.revoke_designer_token(d.user.id, id).await? {
        return Err(AppError::NotFound);
    }
    flash(&d.session, t("studio-token-revoked")).await?;
    Ok(see_other("/studio/jetons"))
}

fn api_error(status: StatusCode, message: String) -> Response {
    let mut res = (status, Json(serde_json::json!({"error": message}))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    res
}

/// `acquis-pack publish`: the archive as the body, a designer token as a bearer. Verifies and
/// publishes in one request; the answer is JSON with every problem when refused.
async fn api_publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let user = match token {
        Some(tk) => state.store.designer_by_token(&token_sha256(tk)).await?,
        None => None,
    };
    let Some(user) = user else {
        return Ok(api_error(
            StatusCode::UNAUTHORIZED,
            t("studio-api-unauthorized"),
        ));
    };
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(api_error(
                e.status(),
                t_args(
                    "studio-error-too-large",
                    &[("max", &(MAX_PACKAGE_BYTES >> 20).to_string())],
                ),
            ));
        }
        Err(e) => return Ok(api_error(e.status(), e.body_text())),
    };
    if body.is_empty() {
        return Ok(api_error(
            StatusCode::BAD_REQUEST,
            t("studio-error-no-file"),
        ));
    }
    let answer = |status: StatusCode, v: serde_json::Value| (status, Json(v)).into_response();
    Ok(match check(&state, &body, user.id).await? {
        Checked::Refused(problems) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({"status": "refused", "problems": problems_json(&problems)}),
        ),
        Checked::AlreadyPublished(v) => answer(
            StatusCode::OK,
            serde_json::json!({
                "status": "already-published",
                "id": v.manifest.package.id,
                "version": v.manifest.package.version,
                "digest": v.digest,
            }),
        ),
        Checked::Ready(v, catalog) => {
            let profiles: Vec<String> = profile_names(&catalog)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let published = state
                .contents
                .publish_built(&v, catalog, &body, Some(user.id), false)
                .await?;
            if let Published::Refused(why) = &published {
                return Ok(answer(
                    StatusCode::CONFLICT,
                    serde_json::json!({"status": "refused", "problems": problems_json(&[refusal(&v, why)])}),
                ));
            }
            tracing::info!(designer = %user.id, package = %v.manifest.package.id,
                version = %v.manifest.package.version, "package published through the API");
            answer(
                StatusCode::CREATED,
                serde_json::json!({
                    "status": "published",
                    "id": v.manifest.package.id,
                    "version": v.manifest.package.version,
                    "digest": v.digest,
                    "challenges": v.challenges,
                    "examples": v.examples,
                    "profiles": profiles,
                    "url": format!("/studio/paquets/{}", v.digest),
                }),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use acquis_plugin_host::{package, view};
    use serde_json::json;

    use crate::app::assessment::{encode_answer, fields_of};

    /// Publication refuses a custom type's view from `acquis_plugin_host::view`'s model of the
    /// pages: that model is what the pages really send (the fields they show, the answer they
    /// encode), so a view it accepts is one a student can answer, and one it refuses is not.
    #[test]
    fn the_view_model_publication_checks_is_what_the_pages_send() {
        let v = json!({"segments": [
            {"Text": "Premier :"},
            {"Field": {"key": "p1", "placeholder": null, "aria_label": null,
                       "kind": {"Select": {"options": ["a b", "c"]}}}},
            {"Text": "\nSecond :"},
            {"Field": {"key": "p2", "placeholder": null, "aria_label": null, "kind": "Input"}}
        ]});
        assert_eq!(view::unanswerable(&v), None);
        // The page's fields, as the template names them, filled in order.
        let shown: Vec<String> = fields_of(&v)
            .iter()
            .filter_map(|f| f["key"].as_str().map(str::to_owned))
            .collect();
        let model: Vec<String> = view::fields(&v).into_iter().map(|f| f.key).collect();
        assert_eq!(shown, model);
        let form: Vec<(String, String)> = vec![
            ("f_p1".into(), "a b".into()),
            ("f_p2".into(), "  texte\nlibre ".into()),
        ];
        let answer = encode_answer("ordre", &form).unwrap();
        assert_eq!(answer, "p1: a b\np2: texte libre");
        assert_eq!(view::sendable(&v, &answer), Ok(()));
        // Choices reach only qcu and qcm: a custom type gets no answer from radio buttons.
        let radios = json!({"choices": [[1, "a"], [2, "b"]]});
        assert!(view::unanswerable(&radios).is_some());
        assert_eq!(
            encode_answer("ordre", &[("answer".into(), "1".into())]),
            None
        );
        assert_eq!(
            encode_answer("qcu", &[("answer".into(), "1".into())]).as_deref(),
            Some("1")
        );
    }

    /// Every category publication accepts has its name on the pages (an unknown one showed
    /// « Unknown localization key » as a heading).
    #[test]
    fn every_category_publication_accepts_has_a_label() {
        for c in package::CATEGORIES {
            let label = crate::orga::campaigns::category_label(c);
            let id = format!("category-{}", c.to_lowercase().replace('_', "-"));
            assert!(crate::i18n::has(&id), "{c}: {label}");
        }
    }
}
