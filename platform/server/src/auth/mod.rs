//! Accounts: log in and out, sign up, forgotten and changed passwords.

pub mod password;
pub mod session;
pub mod sso;

use std::collections::BTreeMap;

use crate::form::{Form, Query};
use acquis_store::{NewUser, User};
use acquis_tenants::{is_valid_email, normalize_email};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use time::Duration;
use tower_sessions::Session;

use crate::error::{AppResult, see_other};
use crate::i18n::t;
use crate::mail::Mail;
use crate::throttle::{self, Client, Counter};
use crate::{AppState, page};
use session::{CurrentUser, MaybeUser, flash, safe_next, sign_in, sign_out};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connexion", get(login_form).post(login))
        .route("/deconnexion", post(logout))
        .route("/inscription", get(signup_form).post(signup))
        .route("/mot-de-passe-oublie", get(forgot_form).post(forgot))
        .route("/reinitialiser-mot-de-passe", get(reset_form).post(reset))
        .route("/mon-compte", get(account))
        .route("/mon-compte/mot-de-passe", get(change_form).post(change))
}

/// Field → French message, shown next to each field.
pub type FieldErrors = BTreeMap<&'static str, String>;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub login: acquis_input::Text<acquis_input::Line>,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

/// Where a user goes after logging in when no page asked for it.
pub async fn landing(state: &AppState, user: &User) -> AppResult<String> {
    if user.must_change_password {
        return Ok("/mon-compte/mot-de-passe".into());
    }
    if user.is_operator() {
        return Ok("/admin".into());
    }
    if user.is_designer() {
        return Ok("/studio".into());
    }
    if !state.store.memberships_of_user(user.id).await?.is_empty() {
        return Ok("/orga".into());
    }
    Ok("/mon-compte".into())
}

async fn login_form(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    page("auth/login.html", user.as_ref(), &session)
        .await
        .with("next", safe_next(q.next.as_deref()))
        .with("providers", sso::buttons(&state).await?)
        .render()
}

pub enum LoginOutcome {
    Ok(User),
    /// The French message to show, and the status to answer with.
    Refused(String, StatusCode),
}

/// Checks credentials under the login limits: per account, and per client (one client trying
/// one password on many accounts).
pub async fn check_credentials(
    state: &AppState,
    client: &Client,
    login: &str,
    password: &str,
) -> AppResult<LoginOutcome> {
    let key = login.trim().to_lowercase();
    if !throttle::allow(state, Counter::LoginPerClient, &client.0).await?
        || !throttle::allow(state, Counter::LoginPerAccount, &key).await?
    {
        tracing::warn!(client = %client.0, "login attempts over the limit");
        return Ok(LoginOutcome::Refused(
            t("login-rate-limited"),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let user = state.store.find_user_by_login(&key).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = state.hasher.verify(password.to_owned(), hash).await?;
    match user {
        Some(u) if ok => Ok(LoginOutcome::Ok(u)),
        _ => Ok(LoginOutcome::Refused(
            t("login-invalid"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

async fn login(
    State(state): State<AppState>,
    session: Session,
    client: Client,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    match check_credentials(&state, &client, &form.login, &form.password).await? {
        LoginOutcome::Ok(user) => {
            sign_in(&session, user.id).await?;
            let to = match (user.must_change_password, safe_next(form.next.as_deref())) {
                (false, Some(next)) => next,
                _ => landing(&state, &user).await?,
            };
            Ok(see_other(&to))
        }
        LoginOutcome::Refused(message, status) => page("auth/login.html", None, &session)
            .await
            .with("providers", sso::buttons(&state).await?)
            .with("error", message)
            .with("login", form.login.trim())
            .with("next", safe_next(form.next.as_deref()))
            .status(status)
            .render(),
    }
}

async fn logout(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    let through: Option<sso::SsoLogin> = session.get(sso::SSO_LOGIN_KEY).await.ok().flatten();
    sign_out(&session).await?;
    match sso::logout_target(&state, through).await {
        // The CSP's form-action 'self' forbids a form's redirect to another site: the provider's
        // end-session page is reached from this page instead (an immediate refresh and a link).
        Some(provider) => page("auth/logout_sso.html", None, &session)
            .await
            .with("end_session", provider)
            .render(),
        None => Ok(see_other("/connexion")),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct SignupForm {
    #[serde(default)]
    pub last_name: acquis_input::Text<acquis_input::Name>,
    #[serde(default)]
    pub first_name: acquis_input::Text<acquis_input::Name>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub cgu: Option<String>,
    /// Where to go once signed up (a campaign the student was joining).
    #[serde(default)]
    pub next: Option<String>,
}

impl SignupForm {
    /// Every problem at once, by field.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if self.last_name.trim().is_empty() {
            errors.insert("last_name", t("signup-last-name-missing"));
        }
        if self.first_name.trim().is_empty() {
            errors.insert("first_name", t("signup-first-name-missing"));
        }
        if !is_valid_email(&normalize_email(&self.email)) {
            errors.insert("email", t("signup-email-invalid"));
        }
        if !password::meets_policy(&self.password) {
            errors.insert("password", t("password-policy"));
        }
        if self.cgu.is_none() {
            errors.insert("cgu", t("signup-cgu-missing"));
        }
        errors
    }

    pub async fn into_new_user(self, state: &AppState) -> AppResult<NewUser> {
        Ok(NewUser {
            email: Some(normalize_email(&self.email)),
            username: None,
            first_name: self.first_name.trim().to_owned(),
            last_name: self.last_name.trim().to_owned(),
            password_hash: Some(state.hasher.hash(self.password).await?),
            must_change_password: false,
            platform_role: None,
            accepted_terms: true,
        })
    }

    /// The values shown back in the form (never the password).
    pub fn echo(&self) -> serde_json::Value {
        serde_json::json!({
            "last_name": self.last_name.trim(),
            "first_name": self.first_name.trim(),
            "email": self.email.trim(),
        })
    }
}

async fn signup_form(
    MaybeUser { user, session }: MaybeUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    page("auth/signup.html", user.as_ref(), &session)
        .await
        .with("next", safe_next(q.next.as_deref()))
        .render()
}

async fn signup(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let mut errors = form.validate();
    let next = safe_next(form.next.as_deref());
    if errors.is_empty() {
        let echo = form.echo();
        let new = form.clone().into_new_user(&state).await?;
        match state.store.create_user(&new).await {
            Ok(user) => {
                sign_in(&session, user.id).await?;
                flash(&session, t("signup-done")).await?;
                return Ok(see_other(next.as_deref().unwrap_or("/mon-compte")));
            }
            Err(acquis_store::StoreError::Conflict(_)) => {
                errors.insert("email", t("signup-email-taken"));
                return page("auth/signup.html", None, &session)
                    .await
                    .with("errors", &errors)
                    .with("form", echo)
                    .with("next", &next)
                    .status(StatusCode::UNPROCESSABLE_ENTITY)
                    .render();
            }
            Err(e) => return Err(e.into()),
        }
    }
    page("auth/signup.html", None, &session)
        .await
        .with("errors", &errors)
        .with("form", form.echo())
        .with("next", &next)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render()
}

#[derive(Deserialize)]
struct ForgotForm {
    email: String,
}

async fn forgot_form(MaybeUser { user, session }: MaybeUser) -> AppResult<Response> {
    page("auth/forgot.html", user.as_ref(), &session)
        .await
        .render()
}

const RESET_VALIDITY: Duration = Duration::hours(1);

async fn forgot(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let email = normalize_email(&form.email);
    if !is_valid_email(&email) {
        return page("auth/forgot.html", None, &session)
            .await
            .with("error", t("signup-email-invalid"))
            .with("email", form.email.trim())
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render();
    }
    // The same limiter as logins: a reset request is as good as a guess for flooding a mailbox.
    if !throttle::allow(&state, Counter::LoginPerAccount, &format!("reset:{email}")).await? {
        return page("auth/forgot.html", None, &session)
            .await
            .with("error", t("login-rate-limited"))
            .status(StatusCode::TOO_MANY_REQUESTS)
            .render();
    }
    if let Some(user) = state.store.find_user_by_login(&email).await?
        && user.email.as_deref() == Some(email.as_str())
    {
        let (token, hash) = password::new_token();
        state
            .store
            .insert_password_reset(
                &hash,
                user.id,
                time::OffsetDateTime::now_utc() + RESET_VALIDITY,
            )
            .await?;
        let link = format!(
            "{}/reinitialiser-mot-de-passe?token={token}",
            state.config.base_url
        );
        let mut ctx = tera::Context::new();
        ctx.insert("first_name", &user.first_name);
        ctx.insert("link", &link);
        let text = crate::views::render_string("mail/password_reset.txt", &ctx)?;
        state
            .send_mail(Mail {
                to: &email,
                subject: t("mail-reset-subject"),
                text,
                html: None,
                link: &link,
            })
            .await?;
    }
    // Same answer whether or not the account exists: the form must not reveal who has one.
    page("auth/forgot.html", None, &session)
        .await
        .with("sent", true)
        .render()
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn valid_reset(state: &AppState, token: &str) -> AppResult<Option<(String, uuid::Uuid)>> {
    let hash = password::token_hash(token);
    let Some(rec) = state.store.find_password_reset(&hash).await? else {
        return Ok(None);
    };
    if rec.used_at.is_some() || rec.expires_at <= time::OffsetDateTime::now_utc() {
        return Ok(None);
    }
    Ok(Some((hash, rec.user_id)))
}

async fn reset_form(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let valid = valid_reset(&state, &q.token).await?.is_some();
    let p = page("auth/reset.html", None, &session)
        .await
        .with("token", &q.token);
    if valid {
        p.render()
    } else {
        p.with("invalid", t("reset-link-invalid"))
            .status(StatusCode::GONE)
            .render()
    }
}

#[derive(Deserialize)]
struct ResetForm {
    token: String,
    password: String,
    confirmation: String,
}

async fn reset(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let Some((hash, user_id)) = valid_reset(&state, &form.token).await? else {
        return page("auth/reset.html", None, &session)
            .await
            .with("invalid", t("reset-link-invalid"))
            .status(StatusCode::GONE)
            .render();
    };
    if let Some(error) = new_password_error(&form.password, &form.confirmation) {
        return page("auth/reset.html", None, &session)
            .await
            .with("token", &form.token)
            .with("error", error)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render();
    }
    let new_hash = state.hasher.hash(form.password).await?;
    if !state
        .store
        .reset_password_with_token(&hash, user_id, &new_hash)
        .await?
    {
        return page("auth/reset.html", None, &session)
            .await
            .with("invalid", t("reset-link-invalid"))
            .status(StatusCode::GONE)
            .render();
    }
    // Whoever knew the old password, or stole a session, is signed out everywhere.
    state.sessions.revoke_user_sessions(user_id, None).await?;
    flash(&session, t("reset-done")).await?;
    Ok(see_other("/connexion"))
}

fn new_password_error(password: &str, confirmation: &str) -> Option<String> {
    if !password::meets_policy(password) {
        Some(t("password-policy"))
    } else if password != confirmation {
        Some(t("password-confirmation-mismatch"))
    } else {
        None
    }
}

async fn account(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    let memberships = state.store.memberships_of_user(user.id).await?;
    let establishments: Vec<_> = memberships
        .iter()
        .filter(|m| !m.archived)
        .map(|m| serde_json::json!({"id": m.membership.tenant.0, "name": m.organization_name}))
        .collect();
    page("auth/account.html", Some(&user), &session)
        .await
        .with("establishments", establishments)
        .with("username", &user.username)
        .with("email", &user.email)
        .render()
}

async fn change_form(CurrentUser { user, session }: CurrentUser) -> AppResult<Response> {
    page("auth/change_password.html", Some(&user), &session)
        .await
        .with("expired", user.must_change_password)
        .render()
}

#[derive(Deserialize)]
struct ChangeForm {
    current: String,
    password: String,
    confirmation: String,
}

async fn change(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let render_error = |error: String, status: StatusCode| {
        let session = session.clone();
        let user = user.clone();
        async move {
            page("auth/change_password.html", Some(&user), &session)
                .await
                .with("expired", user.must_change_password)
                .with("error", error)
                .status(status)
                .render()
        }
    };
    if !throttle::allow(
        &state,
        Counter::LoginPerAccount,
        &format!("change:{}", user.id),
    )
    .await?
    {
        return render_error(t("login-rate-limited"), StatusCode::TOO_MANY_REQUESTS).await;
    }
    if !state
        .hasher
        .verify(form.current.clone(), user.password_hash.clone())
        .await?
    {
        return render_error(
            t("password-current-wrong"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if let Some(error) = new_password_error(&form.password, &form.confirmation) {
        return render_error(error, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if form.password == form.current {
        return render_error(
            t("password-same-as-current"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = state.hasher.hash(form.password).await?;
    state.store.set_password(user.id, &hash, false).await?;
    // The account's other sessions close; this one goes on.
    state
        .sessions
        .revoke_user_sessions(user.id, session.id())
        .await?;
    flash(&session, t("password-changed")).await?;
    let fresh = User {
        must_change_password: false,
        ..user
    };
    Ok(see_other(&landing(&state, &fresh).await?))
}
