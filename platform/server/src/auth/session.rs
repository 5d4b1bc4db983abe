//! Who is asking: the signed-in user from the server-side session, and one-shot flash messages.

use acquis_store::User;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;
use uuid::Uuid;

use crate::AppState;
use crate::error::AppError;

const USER_KEY: &str = acquis_store::SESSION_USER_KEY;
const FLASH_KEY: &str = "flash";
const SAVED_KEY: &str = "saved_at";

/// Paths a user who must change their password may still reach.
const ALLOWED_WHILE_PASSWORD_EXPIRED: &[&str] = &["/mon-compte/mot-de-passe", "/deconnexion"];

/// The signed-in user; anonymous requests are sent to the login page.
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
}

/// The signed-in user if any.
pub struct MaybeUser {
    pub user: Option<User>,
    pub session: Session,
}

async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Session, AppError> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, msg)| AppError::Internal(anyhow::anyhow!("session layer missing: {msg}")))
}

async fn user_of(session: &Session, state: &AppState) -> Result<Option<User>, AppError> {
    let id: Option<Uuid> = session
        .get(USER_KEY)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let Some(id) = id else { return Ok(None) };
    let user = state.store.find_user(id).await?;
    if user.is_none() {
        // The account is gone: drop the stale session rather than failing every request.
        session
            .flush()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(user)
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session_of(parts, state).await?;
        let user = user_of(&session, state).await?;
        Ok(MaybeUser { user, session })
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session_of(parts, state).await?;
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let Some(user) = user_of(&session, state).await? else {
            return Err(AppError::LoginRequired { next });
        };
        keep_alive(&session, state).await;
        if user.must_change_password
            && !ALLOWED_WHILE_PASSWORD_EXPIRED.contains(&parts.uri.path())
            && !super::sso::signed_in_through_provider(&session).await
        {
            return Err(AppError::Redirect("/mon-compte/mot-de-passe".into()));
        }
        Ok(CurrentUser { user, session })
    }
}

/// Sessions expire after `session_hours` of inactivity. Saving on every request would cost a
/// write per page, so the session (and with it its expiry) is saved again only once half of the
/// window has passed since it was last saved.
async fn keep_alive(session: &Session, state: &AppState) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let half_window = state.config.session_hours * 1800;
    let saved: i64 = session.get(SAVED_KEY).await.ok().flatten().unwrap_or(0);
    if now - saved > half_window {
        let _ = session.insert(SAVED_KEY, now).await;
    }
}

/// Starts an authenticated session; the id is rotated so a session fixed before login is useless.
pub async fn sign_in(session: &Session, user_id: Uuid) -> Result<(), AppError> {
    session
        .cycle_id()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    session
        .insert(SAVED_KEY, time::OffsetDateTime::now_utc().unix_timestamp())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    // A session reopened with a password is no longer one opened through a students' provider.
    let _ = session
        .remove::<serde_json::Value>(super::sso::SSO_LOGIN_KEY)
        .await;
    session
        .insert(USER_KEY, user_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session
        .flush()
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

pub async fn flash(session: &Session, message: impl Into<String>) -> Result<(), AppError> {
    session
        .insert(FLASH_KEY, message.into())
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

pub async fn take_flash(session: &Session) -> Option<String> {
    // Removing marks the session modified (a database write), so only remove what is there.
    let flash = session.get::<String>(FLASH_KEY).await.ok().flatten()?;
    let _ = session.remove::<String>(FLASH_KEY).await;
    Some(flash)
}

/// Only same-site relative paths are followed after login (no open redirect).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?;
    (n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\")).then(|| n.to_owned())
}
