//! The Acquis platform server: composes the store, the tenant rules and the web areas.
//!
//! Areas, each with its own router: `auth` (accounts), `join` (invitation links), `orga`
//! (establishment space), `admin` (operators).

pub mod admin;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod content;
pub mod demo;
pub mod error;
pub mod form;
pub mod i18n;
pub mod jobs;
pub mod join;
pub mod mail;
pub mod orga;
pub mod secrets;
pub mod studio;
pub mod throttle;
pub mod views;

use std::sync::Arc;

use acquis_store::{ConnectOptions, SessionStoreImpl, Store, User};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::auth::password::Hasher;
use crate::config::Config;
use crate::mail::{Mail, Mailer};
use crate::views::Page;

/// What every handler reaches, behind one `Arc`: axum clones the state for each extractor and
/// each layer of each request, and cloning a dozen pools, caches and `Arc`s (then dropping them)
/// cost a tenth of the server's time per page on two cores, where those reference counts bounce
/// between the cores' caches.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    pub hasher: Hasher,
    pub sessions: SessionStoreImpl,
    pub contents: content::Contents,
    /// The students' SSO relying party.
    pub oidc: auth::sso::Oidc,
    pub sealer: secrets::Sealer,
    /// Designers' verified uploads waiting for « Publier ».
    pub studio_uploads: studio::PendingUploads,
}

impl AppState {
    /// Connects to the database (migrating it) and prepares mail and hashing.
    pub async fn new(config: Config) -> anyhow::Result<AppState> {
        let store = Store::connect(&ConnectOptions {
            url: config.database_url(),
            migrate_url: config.migrate_database_url.clone(),
            max_connections: config.database_max_connections,
            cache_ttl: std::time::Duration::from_secs(config.cache_seconds),
        })
        .await?;
        AppState::with_store(config, store).await
    }

    pub async fn with_store(config: Config, store: Store) -> anyhow::Result<AppState> {
        let contents =
            content::Contents::start(store.clone(), Some(config.data_dir.join("plugin-cache")))
                .await?;
        let mailer = Mailer::from_config(config.smtp_url.as_deref(), config.outbox_dir())?;
        let hasher = Hasher::new(&config.password_hash)?;
        views::init();
        let sessions = SessionStoreImpl::new(
            store.clone(),
            std::time::Duration::from_secs(config.cache_seconds),
        );
        let sealer = secrets::Sealer::from_config(config.secret_key.as_deref(), &config.data_dir)?;
        Ok(AppState(Arc::new(Shared {
            oidc: auth::sso::Oidc::new()?,
            sealer,
            studio_uploads: studio::pending_uploads(),
            contents,
            sessions,
            store,
            config: Arc::new(config),
            mailer,
            hasher,
        })))
    }

    pub async fn send_mail(&self, mail: Mail<'_>) -> anyhow::Result<()> {
        self.mailer.send(&self.config.mail_from, mail).await
    }
}

/// A page with the common context: the signed-in user and the pending flash message.
pub async fn page(name: &'static str, user: Option<&User>, session: &Session) -> Page {
    let mut p = Page::new(name);
    if let Some(u) = user {
        p.insert(
            "me",
            serde_json::json!({
                "first_name": u.first_name,
                "last_name": u.last_name,
                "is_operator": u.is_operator(),
                "is_designer": u.is_designer(),
            }),
        );
    }
    if let Some(f) = auth::session::take_flash(session).await {
        p.insert("flash", f);
    }
    p
}

const CSS: &str = include_str!("../static/acquis.css");
const JS: &str = include_str!("../static/acquis.js");

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn health() -> &'static str {
    "ok"
}

async fn not_found() -> error::AppError {
    error::AppError::NotFound
}

/// The whole application.
pub fn app(state: AppState) -> anyhow::Result<Router> {
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name("acquis_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            state.config.session_hours,
        )));

    let mut csrf = CsrfLayer::new();
    for origin in &state.config.trusted_origins {
        csrf = csrf.add_trusted_origin(origin)?;
    }
    let csrf = csrf.with_rejection_response(|_err| {
        views::error_page(
            StatusCode::FORBIDDEN,
            &i18n::t("error-csrf-title"),
            &i18n::t("error-csrf"),
        )
    });

    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };

    Ok(Router::new()
        .route("/health", get(health))
        .route("/static/acquis.css", get(stylesheet))
        .route("/static/acquis.js", get(script))
        .merge(app::router(&state))
        .merge(auth::router())
        .merge(auth::sso::router())
        .merge(join::router())
        .merge(orga::router(state.config.import_max_mib))
        .merge(admin::router())
        .merge(studio::router())
        .fallback(not_found)
        .with_state(state)
        .layer(sessions)
        .layer(csrf)
        .layer(axum::middleware::from_fn(error::log_server_errors))
        .layer(header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("referrer-policy", "same-origin"))
        // Axum's own limit (not a tower layer) so that the routes taking files (SIECLE import,
        // packages) can raise it for themselves.
        .layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024)))
}

/// Serves until the process is stopped; expired sessions are swept every hour.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    let sweeper = state.sessions.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(e) = sweeper.delete_expired().await {
                tracing::warn!(error = %e, "expired sessions were not swept");
            }
        }
    });
    let store = state.store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            // Windows are an hour at most: older counters count nothing any more.
            let before = time::OffsetDateTime::now_utc().unix_timestamp() - 7200;
            if let Err(e) = store.purge_throttles(before).await {
                tracing::warn!(error = %e, "old attempt counters were not purged");
            }
        }
    });
    let app = app(state)?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// For tests that check the code itself (every message id, every audited action): the text of
/// each Rust source file under `platform/<name>/src`, for each crate `name`.
#[cfg(test)]
pub(crate) fn rust_sources(crates: &[&str]) -> Vec<String> {
    let platform = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs: Vec<_> = crates
        .iter()
        .map(|c| platform.join(c).join("src"))
        .collect();
    let mut sources = Vec::new();
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                sources.push(text);
            }
        }
    }
    sources
}
