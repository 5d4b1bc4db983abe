//! Reconciliation: in an establishment that imports its students, a student joining a campaign
//! says who they are (first name, last name, birth date) and is matched with the imported list
//! before taking part; a new student then creates an account with an e-mail or a generated
//! username, linked to that student in the same transaction.

use crate::form::{Form, Path};
use crate::throttle::{self, Client};
use acquis_interop::names;
use acquis_store::{Learner, NewUser, StoreError, User};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use time::Date;
use tower_sessions::Session;
use uuid::Uuid;

use super::campaign::{Found, campaign_json, find};
use crate::auth::FieldErrors;
use crate::auth::password::meets_policy;
use crate::auth::session::{MaybeUser, sign_in};
use crate::error::{AppError, AppResult, see_other, urlencode};
use crate::i18n::{t, t_args};
use crate::{AppState, page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campagnes/{code}/eleve", get(identify_form).post(identify))
        .route(
            "/campagnes/{code}/inscription",
            get(signup_form).post(signup),
        )
}

/// The session remembers who a visitor was matched with, for one hour, on this campaign only.
const RECONCILED_KEY: &str = "reconciled";
const RECONCILED_SECONDS: i64 = 3600;

#[derive(Serialize, Deserialize)]
struct Reconciled {
    learner: Uuid,
    organization: Uuid,
    code: String,
    at: i64,
}

pub fn not_allowed() -> AppError {
    AppError::Page {
        status: StatusCode::FORBIDDEN,
        title: t("reconcile-not-allowed-title"),
        message: t("reconcile-not-allowed"),
    }
}

fn parcours(found: &Found) -> String {
    format!("/campagnes/{}/parcours", found.campaign.code)
}

#[derive(Deserialize, Default)]
struct IdentifyForm {
    #[serde(default)]
    first_name: acquis_input::Text<acquis_input::Name>,
    #[serde(default)]
    last_name: acquis_input::Text<acquis_input::Name>,
    #[serde(flatten)]
    birth: BirthDateFields,
}

/// A birth date typed as day, month and year.
#[derive(Deserialize, Default)]
pub struct BirthDateFields {
    #[serde(default)]
    day: acquis_input::Text<acquis_input::Line>,
    #[serde(default)]
    month: acquis_input::Text<acquis_input::Line>,
    #[serde(default)]
    year: acquis_input::Text<acquis_input::Line>,
}

impl BirthDateFields {
    pub fn date(&self) -> Option<Date> {
        let n = |s: &str| s.trim().parse::<u16>().ok();
        let month = time::Month::try_from(u8::try_from(n(&self.month)?).ok()?).ok()?;
        let year = i32::from(n(&self.year)?);
        if !(1900..=2100).contains(&year) {
            return None;
        }
        Date::from_calendar_date(year, month, u8::try_from(n(&self.day)?).ok()?).ok()
    }

    pub fn echo(&self) -> serde_json::Value {
        serde_json::json!({
            "day": self.day.trim(),
            "month": self.month.trim(),
            "year": self.year.trim(),
        })
    }
}

impl IdentifyForm {
    fn echo(&self) -> serde_json::Value {
        let mut v = self.birth.echo();
        v["first_name"] = self.first_name.trim().into();
        v["last_name"] = self.last_name.trim().into();
        v
    }
}

async fn identify_form(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let found = find(&state, &code, user.as_ref().map(|u| u.id)).await?;
    if !found.manages_students {
        return Ok(see_other(&parcours(&found)));
    }
    if let Some(u) = &user {
        let mut tx = state.store.tenant_read(&found.scope).await?;
        let linked = tx.learner_of_user(u.id).await?;
        tx.commit().await?;
        if linked.is_some() {
            return Ok(see_other(&parcours(&found)));
        }
    }
    identify_page(
        &user,
        &session,
        &found,
        &IdentifyForm::default(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn identify_page(
    user: &Option<User>,
    session: &Session,
    found: &Found,
    form: &IdentifyForm,
    error: Option<(String, Option<FieldErrors>)>,
    status: StatusCode,
) -> AppResult<Response> {
    let mut p = page("app/reconcile.html", user.as_ref(), session)
        .await
        .with("campaign", campaign_json(found))
        .with("form", form.echo())
        .with(
            "login_next",
            urlencode(&format!("/campagnes/{}/parcours", found.campaign.code)),
        );
    if let Some((message, fields)) = error {
        p.insert("error", message);
        if let Some(fields) = fields {
            p.insert("errors", fields);
        }
    }
    p.status(status).render()
}

/// How an account is named to its owner without showing it to others.
pub async fn login_hint(state: &AppState, user_id: Uuid) -> AppResult<String> {
    let user = state.store.find_user(user_id).await?;
    Ok(user
        .and_then(|u| u.username.or(u.email))
        .map(|l| names::obfuscate_login(&l))
        .unwrap_or_default())
}

async fn identify(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    client: Client,
    Path(code): Path<String>,
    Form(form): Form<IdentifyForm>,
) -> AppResult<Response> {
    let found = find(&state, &code, user.as_ref().map(|u| u.id)).await?;
    if !found.manages_students {
        return Ok(see_other(&parcours(&found)));
    }
    if found.campaign.archived_at.is_some() {
        return Err(super::campaign::archived());
    }
    let mut errors = FieldErrors::new();
    if form.first_name.trim().is_empty() {
        errors.insert("first_name", t("signup-first-name-missing"));
    }
    if form.last_name.trim().is_empty() {
        errors.insert("last_name", t("signup-last-name-missing"));
    }
    let birthdate = form.birth.date();
    if birthdate.is_none() {
        errors.insert("birthdate", t("reconcile-birthdate-invalid"));
    }
    let Some(birthdate) = birthdate.filter(|_| errors.is_empty()) else {
        return identify_page(
            &user,
            &session,
            &found,
            &form,
            Some((t("form-errors-title"), Some(errors))),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };

    // Counted before the lookup, so that a refusal says nothing of the date.
    let name = format!(
        "{}\0{}",
        names::normalize(&form.first_name),
        names::normalize(&form.last_name)
    );
    if !throttle::identify_allowed(&state, &client, &found, &name).await? {
        return identify_page(
            &user,
            &session,
            &found,
            &form,
            Some((t("reconcile-throttled"), None)),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let mut tx = state.store.tenant_read(&found.scope).await?;
    let candidates = tx.learners_born_on(birthdate).await?;
    let own = match &user {
        Some(u) => tx.learner_of_user(u.id).await?,
        None => None,
    };
    tx.commit().await?;
    if own.is_some() {
        return Ok(see_other(&parcours(&found)));
    }
    let Some(learner) = matched_learner(&form.first_name, &form.last_name, &candidates) else {
        return identify_page(
            &user,
            &session,
            &found,
            &form,
            Some((t("reconcile-not-found"), None)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if learner.disabled {
        return Err(not_allowed());
    }
    if let Some(owner) = learner.user_id {
        let hint = login_hint(&state, owner).await?;
        let key = if user.is_some() {
            "reconcile-linked-other"
        } else {
            "reconcile-has-account"
        };
        return identify_page(
            &user,
            &session,
            &found,
            &form,
            Some((t_args(key, &[("login", &hint)]), None)),
            StatusCode::CONFLICT,
        )
        .await;
    }
    match &user {
        Some(u) => {
            let mut tx = state.store.tenant_tx(&found.scope).await?;
            let linked = tx.link_learner(learner.id, u.id).await;
            match linked {
                Ok(true) => {
                    tx.audit("learner.linked", Some(&learner.id.to_string()), None)
                        .await?;
                    tx.commit().await?;
                    Ok(see_other(&parcours(&found)))
                }
                // Another account took this student meanwhile, or this account got linked to
                // another student in a second tab: ask again, nothing was written.
                Ok(false) | Err(StoreError::Conflict(_)) => {
                    drop(tx);
                    identify_page(
                        &user,
                        &session,
                        &found,
                        &form,
                        Some((t("reconcile-changed"), None)),
                        StatusCode::CONFLICT,
                    )
                    .await
                }
                Err(e) => Err(e.into()),
            }
        }
        None => {
            let r = Reconciled {
                learner: learner.id,
                organization: found.scope.tenant().0,
                code: found.campaign.code.clone(),
                at: time::OffsetDateTime::now_utc().unix_timestamp(),
            };
            session
                .insert(RECONCILED_KEY, r)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok(see_other(&format!(
                "/campagnes/{}/inscription",
                found.campaign.code
            )))
        }
    }
}

/// The one imported student these names designate among those born that day.
pub fn matched_learner<'a>(
    first_name: &str,
    last_name: &str,
    candidates: &'a [Learner],
) -> Option<&'a Learner> {
    let identities: Vec<names::Identity<'_>> = candidates
        .iter()
        .map(|l| names::Identity {
            first_names: [
                Some(l.first_name.as_str()),
                l.middle_name.as_deref(),
                l.third_name.as_deref(),
            ],
            last_names: [Some(l.last_name.as_str()), l.preferred_last_name.as_deref()],
        })
        .collect();
    names::reconcile(first_name, last_name, &identities).map(|i| &candidates[i])
}

/// The student this visitor was matched with, if the match is recent and for this campaign.
async fn reconciled(state: &AppState, session: &Session, found: &Found) -> AppResult<Learner> {
    let r: Option<Reconciled> = session.get(RECONCILED_KEY).await.ok().flatten();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let Some(r) = r.filter(|r| {
        r.code == found.campaign.code
            && r.organization == found.scope.tenant().0
            && now - r.at <= RECONCILED_SECONDS
    }) else {
        return Err(AppError::Redirect(format!(
            "/campagnes/{}/eleve",
            found.campaign.code
        )));
    };
    let mut tx = state.store.tenant_read(&found.scope).await?;
    let learner = tx.learner(r.learner).await?;
    tx.commit().await?;
    match learner {
        Some(l) if !l.disabled && l.user_id.is_none() => Ok(l),
        Some(l) if l.disabled => Err(not_allowed()),
        _ => Err(AppError::Redirect(format!(
            "/campagnes/{}/eleve",
            found.campaign.code
        ))),
    }
}

/// `prenom.nomJJMM`, or with four random digits while it is taken.
pub async fn free_username(state: &AppState, learner: &Learner) -> AppResult<String> {
    let birthdate = learner.birthdate.unwrap_or(Date::MIN);
    let mut candidate = names::username(&learner.first_name, &learner.last_name, birthdate);
    for _ in 0..20 {
        if state.store.find_user_by_login(&candidate).await?.is_none() {
            return Ok(candidate);
        }
        candidate = names::username_variant(
            &learner.first_name,
            &learner.last_name,
            &mut rand::thread_rng(),
        );
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free username for {}",
        learner.id
    )))
}

async fn signup_form(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let found = find(&state, &code, None).await?;
    if user.is_some() {
        return Ok(see_other(&format!(
            "/campagnes/{}/eleve",
            found.campaign.code
        )));
    }
    let learner = reconciled(&state, &session, &found).await?;
    let username = free_username(&state, &learner).await?;
    signup_page(
        &session,
        &found,
        &learner,
        &username,
        &SignupForm::default(),
        None,
    )
    .await
}

/// How the reconciled student signs in: the radio buttons' values.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
enum SignupWith {
    #[serde(rename = "email")]
    Email,
    #[default]
    #[serde(rename = "username")]
    Username,
}

#[derive(Deserialize, Default)]
struct SignupForm {
    #[serde(default)]
    with: SignupWith,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    cgu: Option<String>,
}

async fn signup_page(
    session: &Session,
    found: &Found,
    learner: &Learner,
    username: &str,
    form: &SignupForm,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page("app/reconcile_signup.html", None, session)
        .await
        .with("campaign", campaign_json(found))
        .with(
            "learner_name",
            format!("{} {}", learner.first_name, learner.last_name),
        )
        .with("username", username)
        .with(
            "with",
            if form.with == SignupWith::Email {
                "email"
            } else {
                "username"
            },
        )
        .with("email", form.email.trim())
        .with("errors", errors)
        .status(status)
        .render()
}

async fn signup(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let found = find(&state, &code, None).await?;
    let learner = reconciled(&state, &session, &found).await?;
    let with_email = form.with == SignupWith::Email;
    let username = free_username(&state, &learner).await?;
    let mut errors = FieldErrors::new();
    let email = acquis_tenants::normalize_email(&form.email);
    if with_email && !acquis_tenants::is_valid_email(&email) {
        errors.insert("email", t("signup-email-invalid"));
    }
    if !meets_policy(&form.password) {
        errors.insert("password", t("password-policy"));
    }
    if form.cgu.is_none() {
        errors.insert("cgu", t("signup-cgu-missing"));
    }
    if !errors.is_empty() {
        return signup_page(&session, &found, &learner, &username, &form, Some(errors)).await;
    }
    let new = NewUser {
        email: with_email.then(|| email.clone()),
        username: (!with_email).then(|| username.clone()),
        first_name: learner.first_name.clone(),
        last_name: learner.last_name.clone(),
        password_hash: Some(state.hasher.hash(form.password.clone()).await?),
        must_change_password: false,
        platform_role: None,
        accepted_terms: true,
    };
    // The account and its link to the student are one write: never an account left unlinked.
    let mut tx = state.store.tenant_tx(&found.scope).await?;
    let created = match tx.create_user(&new).await {
        Ok(u) => u,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            if with_email {
                errors.insert("email", t("signup-email-taken"));
            } else {
                errors.insert("with", t("reconcile-username-taken"));
            }
            return signup_page(&session, &found, &learner, &username, &form, Some(errors)).await;
        }
        Err(e) => return Err(e.into()),
    };
    if !tx.link_learner(learner.id, created.id).await? {
        drop(tx);
        return Err(AppError::Redirect(format!(
            "/campagnes/{}/eleve",
            found.campaign.code
        )));
    }
    tx.audit("learner.linked", Some(&learner.id.to_string()), None)
        .await?;
    tx.commit().await?;
    let _ = session.remove::<Reconciled>(RECONCILED_KEY).await;
    sign_in(&session, created.id).await?;
    Ok(see_other(&parcours(&found)))
}
