//! One error type for every handler, rendered as a French HTML page.
//!
//! A 5xx cause is never shown: the response carries it in its extensions and [`log_server_errors`]
//! logs it once, with the request it belongs to.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::i18n::t;
use crate::views;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Signed in but not allowed; carries the French message shown.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// Not signed in: go to the login page and come back.
    #[error("login required")]
    LoginRequired { next: String },
    #[error("redirect to {0}")]
    Redirect(String),
    /// A page of its own for an expected refusal (unknown campaign code, archived campaign…).
    #[error("{title}: {message}")]
    Page {
        status: StatusCode,
        title: String,
        message: String,
    },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<acquis_store::StoreError> for AppError {
    fn from(e: acquis_store::StoreError) -> Self {
        match e {
            acquis_store::StoreError::NotFound => AppError::NotFound,
            acquis_store::StoreError::LastAdmin => AppError::Forbidden(t("team-last-admin")),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<acquis_tenants::NotAdmin> for AppError {
    fn from(_: acquis_tenants::NotAdmin) -> Self {
        AppError::Forbidden(t("error-admin-only"))
    }
}

impl From<tera::Error> for AppError {
    fn from(e: tera::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

/// The cause of a 5xx, for the logging middleware.
#[derive(Clone)]
pub struct ServerErrorCause(pub Arc<anyhow::Error>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::LoginRequired { next } => {
                let target = format!("/connexion?next={}", urlencode(&next));
                return Redirect::to(&target).into_response();
            }
            AppError::Redirect(to) => return Redirect::to(&to).into_response(),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                t("error-not-found-title"),
                t("error-not-found"),
            ),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, t("error-forbidden-title"), m),
            AppError::Page {
                status,
                title,
                message,
            } => (status, title, message),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, t("error-bad-request-title"), m),
            AppError::TooManyRequests(m) => {
                (StatusCode::TOO_MANY_REQUESTS, t("error-too-many-title"), m)
            }
            AppError::Internal(cause) => {
                let mut res = views::error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &t("error-internal-title"),
                    &t("error-internal"),
                );
                res.extensions_mut()
                    .insert(ServerErrorCause(Arc::new(cause)));
                return res;
            }
        };
        views::error_page(status, &title, &message)
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub async fn log_server_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let res = next.run(req).await;
    if let Some(ServerErrorCause(cause)) = res.extensions().get::<ServerErrorCause>() {
        tracing::error!(%method, %uri, error = ?cause, "request failed");
    } else if res.status().is_server_error() {
        tracing::error!(%method, %uri, status = %res.status(), "request failed");
    }
    res
}

/// A redirect after a successful form post (303 so the browser follows with GET).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

pub type AppResult<T> = Result<T, AppError>;
