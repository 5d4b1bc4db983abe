//! Students' school SSO ("Se connecter avec l'ENT"): OpenID Connect authorization code flow with
//! PKCE, `state` and `nonce`, the ID token checked by `openidconnect` (signature with the
//! provider's keys, issuer, audience, expiry, nonce).
//!
//! A returning student (provider subject linked) is signed in. A new one gives a campaign code
//! and a birth date; the names come from the provider and are reconciled with the imported
//! students of the campaign's establishment, which must use this provider; the account (no
//! password, no e-mail), its identity and its student are written in one transaction. A student
//! who already has an account signs in with it and links the identity ("J'ai déjà un compte").
//! A session opened through the provider never opens the establishment space.

use std::sync::Arc;
use std::time::Duration;

use crate::form::{Form, Path, Query};
use crate::throttle::{self, Client, Counter};
use acquis_store::{IdentityProvider, NewIdentity, NewUser, StoreError, User};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use time::Date;
use tower_sessions::Session;
use uuid::Uuid;

use super::FieldErrors;
use super::session::{CurrentUser, MaybeUser, flash, safe_next, sign_in};
use crate::app::campaign::{Found, find};
use crate::app::reconcile::{BirthDateFields, matched_learner, not_allowed};
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};
use crate::{AppState, page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sso/{provider}/connexion", get(start))
        .route("/sso/retour", get(callback))
        .route("/sso/nouveau", get(new_form).post(new_student))
        .route("/sso/associer", get(link_form).post(link))
}

/// The relying party: an HTTP client that never follows redirects (SSRF) and the providers'
/// discovery documents (with their keys), kept a few minutes.
#[derive(Clone)]
pub struct Oidc {
    http: openidconnect::reqwest::Client,
    metadata: moka::future::Cache<String, Arc<ProviderMetadataWithLogout>>,
}

impl Oidc {
    pub fn new() -> anyhow::Result<Oidc> {
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Oidc {
            http,
            metadata: moka::future::Cache::builder()
                .max_capacity(100)
                .time_to_live(Duration::from_secs(600))
                .build(),
        })
    }

    async fn metadata(&self, issuer: &str) -> Result<Arc<ProviderMetadataWithLogout>, Failure> {
        if let Some(m) = self.metadata.get(issuer).await {
            return Ok(m);
        }
        let url = IssuerUrl::new(issuer.to_owned()).map_err(|_| Failure::Unreachable)?;
        let m = ProviderMetadataWithLogout::discover_async(url, &self.http)
            .await
            .map_err(|e| {
                tracing::warn!(issuer, error = %e, "OpenID Connect discovery failed");
                Failure::Unreachable
            })?;
        let m = Arc::new(m);
        self.metadata.insert(issuer.to_owned(), m.clone()).await;
        Ok(m)
    }
}

/// Why a sign-in through the provider failed; each has its French explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Unreachable,
    Disabled,
    State,
    Refused,
    Code,
    Audience,
    Expired,
    Nonce,
    Signature,
    Token,
    Claim(&'static str),
}

impl Failure {
    fn error(self, provider: &str) -> AppError {
        let (status, reason) = match self {
            Failure::Unreachable => (StatusCode::BAD_GATEWAY, t("sso-reason-unreachable")),
            Failure::Disabled => (StatusCode::NOT_FOUND, t("sso-reason-disabled")),
            Failure::State => (StatusCode::BAD_REQUEST, t("sso-reason-state")),
            Failure::Refused => (StatusCode::UNAUTHORIZED, t("sso-reason-refused")),
            Failure::Code => (StatusCode::UNAUTHORIZED, t("sso-reason-code")),
            Failure::Audience => (StatusCode::UNAUTHORIZED, t("sso-reason-audience")),
            Failure::Expired => (StatusCode::UNAUTHORIZED, t("sso-reason-expired")),
            Failure::Nonce => (StatusCode::UNAUTHORIZED, t("sso-reason-nonce")),
            Failure::Signature => (StatusCode::UNAUTHORIZED, t("sso-reason-signature")),
            Failure::Token => (StatusCode::UNAUTHORIZED, t("sso-reason-token")),
            Failure::Claim(claim) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                t_args("sso-reason-claim", &[("claim", claim)]),
            ),
        };
        AppError::Page {
            status,
            title: t("sso-failed-title"),
            message: t_args("sso-failed", &[("provider", provider), ("reason", &reason)]),
        }
    }
}

const PENDING_KEY: &str = "sso_pending";
const EXTERNAL_KEY: &str = "sso_external";
/// Set while the session was opened through a provider: the provider and the ID token (the
/// hint its end-session endpoint asks for).
pub const SSO_LOGIN_KEY: &str = "sso_login";
/// Seconds a student has to finish signing in, then to give a code and birth date.
const PENDING_SECONDS: i64 = 600;
const EXTERNAL_SECONDS: i64 = 3600;

#[derive(Serialize, Deserialize)]
struct Pending {
    provider: Uuid,
    state: String,
    nonce: String,
    verifier: String,
    code: Option<String>,
    next: Option<String>,
    at: i64,
}

/// Who the provider says the student is, until they are linked to an account.
#[derive(Serialize, Deserialize, Clone)]
struct External {
    provider: Uuid,
    provider_name: String,
    subject: String,
    first_name: String,
    last_name: String,
    birthdate: Option<Date>,
    uai: Option<String>,
    code: Option<String>,
    id_token: String,
    at: i64,
}

#[derive(Serialize, Deserialize)]
pub struct SsoLogin {
    pub provider: Uuid,
    pub id_token: String,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn internal(e: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(e.into())
}

/// Whether this session was opened through a students' provider.
pub async fn signed_in_through_provider(session: &Session) -> bool {
    session
        .get::<SsoLogin>(SSO_LOGIN_KEY)
        .await
        .ok()
        .flatten()
        .is_some()
}

/// Staff spaces (establishment, operators) are opened with a password only: a session opened
/// through the students' provider is turned away.
pub async fn refuse_staff_space(session: &Session) -> AppResult<()> {
    if signed_in_through_provider(session).await {
        return Err(AppError::Page {
            status: StatusCode::FORBIDDEN,
            title: t("sso-staff-title"),
            message: t("sso-staff-refused"),
        });
    }
    Ok(())
}

/// Enabled providers, for the buttons of the login and home pages.
pub async fn buttons(state: &AppState) -> AppResult<Vec<serde_json::Value>> {
    Ok(state
        .store
        .identity_providers()
        .await?
        .into_iter()
        .filter(|p| p.enabled)
        .map(|p| serde_json::json!({"id": p.id, "name": p.name}))
        .collect())
}

/// The button of a campaign's landing page, when its establishment's students use a provider.
pub async fn campaign_button(
    state: &AppState,
    found: &Found,
) -> AppResult<Option<serde_json::Value>> {
    let Some(id) = found.identity_provider else {
        return Ok(None);
    };
    Ok(state
        .store
        .identity_provider(id)
        .await?
        .filter(|p| p.enabled)
        .map(|p| serde_json::json!({"id": p.id, "name": p.name})))
}

async fn enabled_provider(state: &AppState, id: Uuid) -> AppResult<IdentityProvider> {
    match state.store.identity_provider(id).await? {
        Some(p) if p.enabled => Ok(p),
        _ => Err(AppError::NotFound),
    }
}

fn client(
    state: &AppState,
    provider: &IdentityProvider,
    metadata: &ProviderMetadataWithLogout,
) -> AppResult<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
> {
    let secret = state.sealer.open(&provider.client_secret_sealed)?;
    let redirect =
        RedirectUrl::new(format!("{}/sso/retour", state.config.base_url)).map_err(internal)?;
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect))
}

#[derive(Deserialize, Default)]
struct StartQuery {
    /// The campaign the student was joining.
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    session: Session,
    Path(provider): Path<Uuid>,
    Query(q): Query<StartQuery>,
) -> AppResult<Response> {
    let provider = enabled_provider(&state, provider).await?;
    let metadata = state
        .oidc
        .metadata(&provider.issuer)
        .await
        .map_err(|f| f.error(&provider.name))?;
    let client = client(&state, &provider, &metadata)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in provider
        .scopes
        .split_whitespace()
        .filter(|s| *s != "openid")
    {
        request = request.add_scope(Scope::new(scope.to_owned()));
    }
    let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = Pending {
        provider: provider.id,
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        code: q
            .code
            .map(|c| acquis_tenants::normalize_campaign_code(&c))
            .filter(|c| !c.is_empty()),
        next: safe_next(q.next.as_deref()),
        at: now(),
    };
    session
        .insert(PENDING_KEY, pending)
        .await
        .map_err(internal)?;
    Ok(see_other(url.as_str()))
}

#[derive(Deserialize, Default)]
struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// What the provider says about the student, read through the operator's claim mapping.
struct Identity {
    subject: String,
    first_name: String,
    last_name: String,
    birthdate: Option<Date>,
    uai: Option<String>,
}

fn claim_text(claims: &serde_json::Value, name: &str) -> Option<String> {
    match claims.get(name)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The payload of an ID token whose signature and claims were verified just before: the
/// operator's mapping may name claims the typed claims do not carry.
fn payload(id_token: &CoreIdToken) -> Option<serde_json::Value> {
    let jwt = id_token.to_string();
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

async fn userinfo(
    state: &AppState,
    metadata: &ProviderMetadataWithLogout,
    access_token: &str,
    subject: &str,
) -> Option<serde_json::Value> {
    let url = metadata.userinfo_endpoint()?;
    let res = state
        .oidc
        .http
        .get(url.as_str())
        .bearer_auth(access_token)
        .header("accept", "application/json")
        .send()
        .await
        .ok()?;
    if !res.status().is_success() {
        tracing::warn!(status = %res.status(), "userinfo refused");
        return None;
    }
    let body = res.bytes().await.ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&body).ok()?;
    // A userinfo answer about someone else is ignored (OpenID Connect Core §5.3.2).
    (claims.get("sub").and_then(|s| s.as_str()) == Some(subject)).then_some(claims)
}

async fn authenticate(
    state: &AppState,
    provider: &IdentityProvider,
    pending: &Pending,
    code: String,
) -> Result<(Identity, String), Failure> {
    let metadata = state.oidc.metadata(&provider.issuer).await?;
    let client = client(state, provider, &metadata).map_err(|e| {
        tracing::error!(error = %e, "provider client");
        Failure::Token
    })?;
    let request = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| Failure::Unreachable)?;
    let token = request
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(&state.oidc.http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "authorization code exchange failed");
            match e {
                RequestTokenError::ServerResponse(_) => Failure::Code,
                _ => Failure::Unreachable,
            }
        })?;
    let id_token = token.id_token().ok_or(Failure::Token)?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce.clone()))
        .map_err(|e| {
            tracing::warn!(error = %e, "ID token refused");
            match e {
                ClaimsVerificationError::InvalidAudience(_) => Failure::Audience,
                ClaimsVerificationError::Expired(_) => Failure::Expired,
                ClaimsVerificationError::InvalidNonce(_) => Failure::Nonce,
                ClaimsVerificationError::SignatureVerification(_) => Failure::Signature,
                _ => Failure::Token,
            }
        })?;
    let sub = claims.subject().as_str().to_owned();
    let mut values = payload(id_token).ok_or(Failure::Token)?;
    let wanted = [
        Some(provider.claim_subject.as_str()),
        Some(provider.claim_first_name.as_str()),
        Some(provider.claim_last_name.as_str()),
        provider.claim_birthdate.as_deref(),
        provider.claim_uai.as_deref(),
    ];
    if wanted
        .iter()
        .flatten()
        .any(|c| claim_text(&values, c).is_none())
        && let Some(extra) = userinfo(state, &metadata, token.access_token().secret(), &sub).await
        && let (Some(into), Some(from)) = (values.as_object_mut(), extra.as_object())
    {
        for (k, v) in from {
            into.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let required =
        |name: &'static str, claim: &str| claim_text(&values, claim).ok_or(Failure::Claim(name));
    let identity = Identity {
        subject: required("sub", &provider.claim_subject)?,
        first_name: required("given_name", &provider.claim_first_name)?,
        last_name: required("family_name", &provider.claim_last_name)?,
        birthdate: provider
            .claim_birthdate
            .as_deref()
            .and_then(|c| claim_text(&values, c))
            .and_then(|d| {
                Date::parse(
                    &d,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .ok()
            }),
        uai: provider
            .claim_uai
            .as_deref()
            .and_then(|c| claim_text(&values, c))
            .map(|u| u.to_uppercase()),
    };
    Ok((identity, id_token.to_string()))
}

async fn callback(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Query(q): Query<CallbackQuery>,
) -> AppResult<Response> {
    // The pending sign-in is used once: a replayed or forged answer finds nothing to finish.
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.ok().flatten();
    let provider = match &pending {
        Some(p) => state.store.identity_provider(p.provider).await?,
        None => None,
    };
    let provider_name = provider
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| t("sso-default-name"));
    let Some(pending) = pending.filter(|p| {
        q.state.as_deref() == Some(p.state.as_str()) && now() - p.at <= PENDING_SECONDS
    }) else {
        return Err(Failure::State.error(&provider_name));
    };
    let Some(provider) = provider.filter(|p| p.enabled) else {
        return Err(Failure::Disabled.error(&provider_name));
    };
    if q.error.is_some() {
        return Err(Failure::Refused.error(&provider.name));
    }
    let Some(code) = q.code.clone() else {
        return Err(Failure::State.error(&provider.name));
    };
    let (identity, id_token) = authenticate(&state, &provider, &pending, code)
        .await
        .map_err(|f| f.error(&provider.name))?;

    if let Some(linked) = state
        .store
        .user_by_identity(provider.id, &identity.subject)
        .await?
    {
        if user.as_ref().is_some_and(|u| u.id != linked.id) {
            return Err(conflict(t("sso-identity-linked-elsewhere")));
        }
        state
            .store
            .identity_signed_in(
                provider.id,
                &identity.subject,
                &identity.first_name,
                &identity.last_name,
            )
            .await?;
        sign_in_through(&session, &linked, provider.id, id_token).await?;
        let to = match (&pending.next, &pending.code) {
            (Some(next), _) => next.clone(),
            (None, Some(code)) => format!("/campagnes/{code}/eleve"),
            // Staff spaces are closed to these sessions, and a one-time password staff gave for
            // the username is changed when the username is used, not here.
            (None, None) => "/mon-compte".to_owned(),
        };
        return Ok(see_other(&to));
    }

    let external = External {
        provider: provider.id,
        provider_name: provider.name.clone(),
        subject: identity.subject,
        first_name: identity.first_name,
        last_name: identity.last_name,
        birthdate: identity.birthdate,
        uai: identity.uai,
        code: pending.code.clone(),
        id_token,
        at: now(),
    };
    session
        .insert(EXTERNAL_KEY, external)
        .await
        .map_err(internal)?;
    Ok(see_other(if user.is_some() {
        "/sso/associer"
    } else {
        "/sso/nouveau"
    }))
}

fn conflict(message: String) -> AppError {
    AppError::Page {
        status: StatusCode::CONFLICT,
        title: t("sso-conflict-title"),
        message,
    }
}

async fn sign_in_through(
    session: &Session,
    user: &User,
    provider: Uuid,
    id_token: String,
) -> AppResult<()> {
    sign_in(session, user.id).await?;
    session
        .insert(SSO_LOGIN_KEY, SsoLogin { provider, id_token })
        .await
        .map_err(internal)
}

async fn external(session: &Session) -> AppResult<External> {
    let e: Option<External> = session.get(EXTERNAL_KEY).await.ok().flatten();
    match e.filter(|e| now() - e.at <= EXTERNAL_SECONDS) {
        Some(e) => Ok(e),
        None => {
            flash(session, t("sso-expired")).await?;
            Err(AppError::Redirect("/connexion".into()))
        }
    }
}

#[derive(Deserialize, Default)]
struct NewStudentForm {
    #[serde(default)]
    code: acquis_input::Text<acquis_input::Line>,
    #[serde(flatten)]
    birth: BirthDateFields,
    #[serde(default)]
    cgu: Option<String>,
}

async fn new_page(
    session: &Session,
    ext: &External,
    form: &NewStudentForm,
    error: Option<String>,
    errors: Option<FieldErrors>,
    status: StatusCode,
) -> AppResult<Response> {
    let mut p = page("auth/sso_new.html", None, session)
        .await
        .with("provider", &ext.provider_name)
        .with("name", format!("{} {}", ext.first_name, ext.last_name))
        .with("ask_birthdate", ext.birthdate.is_none())
        .with(
            "code",
            if form.code.trim().is_empty() {
                ext.code.clone().unwrap_or_default()
            } else {
                form.code.trim().to_owned()
            },
        )
        .with("form", form.birth.echo());
    if let Some(e) = error {
        p.insert("error", e);
    }
    if let Some(e) = errors {
        p.insert("errors", e);
    }
    p.status(status).render()
}

async fn new_form(MaybeUser { user, session }: MaybeUser) -> AppResult<Response> {
    let ext = external(&session).await?;
    if user.is_some() {
        return Ok(see_other("/sso/associer"));
    }
    new_page(
        &session,
        &ext,
        &NewStudentForm::default(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

async fn new_student(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    client: Client,
    Form(form): Form<NewStudentForm>,
) -> AppResult<Response> {
    let ext = external(&session).await?;
    if user.is_some() {
        return Ok(see_other("/sso/associer"));
    }
    let refuse =
        |message: String, status| new_page(&session, &ext, &form, Some(message), None, status);

    let mut errors = FieldErrors::new();
    let code = if form.code.trim().is_empty() {
        ext.code.clone().unwrap_or_default()
    } else {
        form.code.to_string()
    };
    if code.trim().is_empty() {
        errors.insert("code", t("sso-code-missing"));
    }
    let birthdate = ext.birthdate.or_else(|| form.birth.date());
    if birthdate.is_none() {
        errors.insert("birthdate", t("reconcile-birthdate-invalid"));
    }
    if form.cgu.is_none() {
        errors.insert("cgu", t("signup-cgu-missing"));
    }
    let Some(birthdate) = birthdate.filter(|_| errors.is_empty()) else {
        return new_page(
            &session,
            &ext,
            &form,
            Some(t("form-errors-title")),
            Some(errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if throttle::exhausted(&state, Counter::CodePerClient, &client.0).await? {
        return refuse(t("campaign-code-throttled"), StatusCode::TOO_MANY_REQUESTS).await;
    }
    let found = match find(&state, &code, None).await {
        Ok(f) => f,
        Err(AppError::Page { message, .. }) => {
            throttle::failed(&state, Counter::CodePerClient, &client.0).await?;
            return refuse(message, StatusCode::NOT_FOUND).await;
        }
        Err(e) => return Err(e),
    };
    if found.campaign.archived_at.is_some() {
        return refuse(t("campaign-archived-student"), StatusCode::GONE).await;
    }
    // The provider vouches only for the establishments that chose it.
    let uai_differs = ext.uai.as_deref().is_some_and(|u| u != found.org_uai);
    if found.identity_provider != Some(ext.provider) || uai_differs {
        return refuse(
            t_args(
                "sso-other-establishment",
                &[("provider", &ext.provider_name)],
            ),
            StatusCode::FORBIDDEN,
        )
        .await;
    }

    let mut learner = None;
    if found.manages_students {
        // As « Qui êtes-vous ? »: the birth date is the one thing tried here.
        let name = format!("{}\0{}", ext.provider, ext.subject);
        if !throttle::identify_allowed(&state, &client, &found, &name).await? {
            return refuse(t("reconcile-throttled"), StatusCode::TOO_MANY_REQUESTS).await;
        }
        let mut tx = state.store.tenant_read(&found.scope).await?;
        let candidates = tx.learners_born_on(birthdate).await?;
        tx.commit().await?;
        let Some(l) = matched_learner(&ext.first_name, &ext.last_name, &candidates) else {
            return refuse(t("sso-not-found"), StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        if l.disabled {
            return Err(not_allowed());
        }
        if let Some(owner) = l.user_id {
            let hint = crate::app::reconcile::login_hint(&state, owner).await?;
            return refuse(
                t_args("sso-student-has-account", &[("login", &hint)]),
                StatusCode::CONFLICT,
            )
            .await;
        }
        learner = Some(l.clone());
    }

    let new = NewUser {
        email: None,
        username: None,
        first_name: ext.first_name.clone(),
        last_name: ext.last_name.clone(),
        password_hash: None,
        must_change_password: false,
        platform_role: None,
        accepted_terms: true,
    };
    // Account, identity and student link: all three or nothing.
    let mut tx = state.store.tenant_tx(&found.scope).await?;
    let created = tx.create_user(&new).await?;
    match tx
        .link_identity(&NewIdentity {
            provider: ext.provider,
            subject: &ext.subject,
            user: created.id,
            first_name: &ext.first_name,
            last_name: &ext.last_name,
        })
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            return refuse(t("sso-identity-linked-elsewhere"), StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(l) = &learner {
        if !tx.link_learner(l.id, created.id).await? {
            drop(tx);
            return refuse(t("reconcile-changed"), StatusCode::CONFLICT).await;
        }
        tx.audit("learner.linked", Some(&l.id.to_string()), Some("sso"))
            .await?;
    }
    tx.commit().await?;
    let _ = session.remove::<External>(EXTERNAL_KEY).await;
    sign_in_through(&session, &created, ext.provider, ext.id_token.clone()).await?;
    Ok(see_other(&format!(
        "/campagnes/{}/parcours",
        found.campaign.code
    )))
}

async fn link_form(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    let ext = external(&session).await?;
    page("auth/sso_link.html", Some(&user), &session)
        .await
        .with("provider", &ext.provider_name)
        .with("name", format!("{} {}", ext.first_name, ext.last_name))
        .with(
            "account",
            user.username
                .clone()
                .or(user.email.clone())
                .unwrap_or_default(),
        )
        .with(
            "linked",
            state.store.identities_of_user(user.id).await?.len(),
        )
        .render()
}

async fn link(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    let ext = external(&session).await?;
    if let Some(owner) = state
        .store
        .user_by_identity(ext.provider, &ext.subject)
        .await?
    {
        let _ = session.remove::<External>(EXTERNAL_KEY).await;
        if owner.id == user.id {
            return Ok(see_other("/mon-compte"));
        }
        return Err(conflict(t("sso-identity-linked-elsewhere")));
    }
    let linked = state
        .store
        .link_identity(&NewIdentity {
            provider: ext.provider,
            subject: &ext.subject,
            user: user.id,
            first_name: &ext.first_name,
            last_name: &ext.last_name,
        })
        .await;
    match linked {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let mine = state
                .store
                .identities_of_user(user.id)
                .await?
                .iter()
                .any(|i| i.provider_id == ext.provider);
            return Err(conflict(if mine {
                t_args(
                    "sso-account-has-identity",
                    &[("provider", &ext.provider_name)],
                )
            } else {
                t("sso-identity-linked-elsewhere")
            }));
        }
        Err(e) => return Err(e.into()),
    }
    let _ = session.remove::<External>(EXTERNAL_KEY).await;
    flash(
        &session,
        t_args("sso-linked", &[("provider", &ext.provider_name)]),
    )
    .await?;
    Ok(see_other(&match &ext.code {
        Some(code) => format!("/campagnes/{code}/eleve"),
        None => "/mon-compte".into(),
    }))
}

/// The provider's end-session address when the session was opened through a provider that
/// advertises one.
pub async fn logout_target(state: &AppState, login: Option<SsoLogin>) -> Option<String> {
    let fallback = None;
    let Some(login) = login.filter(|l| !l.id_token.is_empty()) else {
        return fallback;
    };
    let Ok(Some(provider)) = state.store.identity_provider(login.provider).await else {
        return fallback;
    };
    let Ok(metadata) = state.oidc.metadata(&provider.issuer).await else {
        return fallback;
    };
    let Some(end) = metadata.additional_metadata().end_session_endpoint.clone() else {
        return fallback;
    };
    let Ok(id_token) = login.id_token.parse::<CoreIdToken>() else {
        return fallback;
    };
    let Ok(back) = PostLogoutRedirectUrl::new(format!("{}/connexion", state.config.base_url))
    else {
        return fallback;
    };
    Some(
        LogoutRequest::from(end)
            .set_id_token_hint(&id_token)
            .set_client_id(ClientId::new(provider.client_id))
            .set_post_logout_redirect_uri(back)
            .http_get_url()
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_read_as_trimmed_text() {
        let v = serde_json::json!({"a": " Léa ", "b": "", "c": 42, "d": null});
        assert_eq!(claim_text(&v, "a").as_deref(), Some("Léa"));
        assert_eq!(claim_text(&v, "b"), None);
        assert_eq!(claim_text(&v, "c").as_deref(), Some("42"));
        assert_eq!(claim_text(&v, "d"), None);
        assert_eq!(claim_text(&v, "missing"), None);
    }
}
