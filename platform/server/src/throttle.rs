//! Attempt limits shared by every app server (the counters live in the database): logins per
//! account and per client, campaign codes per client, « Qui êtes-vous ? » per client and per
//! campaign and name. A client is its address, from the peer or a trusted proxy's header.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use acquis_store::Hits;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::t;

/// What is counted, with its window; the limit comes from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    LoginPerAccount,
    LoginPerClient,
    CodePerClient,
    IdentifyPerClient,
    IdentifyPerName,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Counter::LoginPerAccount => "login-account",
            Counter::LoginPerClient => "login-client",
            Counter::CodePerClient => "code-client",
            Counter::IdentifyPerClient => "identify-client",
            Counter::IdentifyPerName => "identify-name",
        }
    }

    fn window_secs(self) -> i64 {
        match self {
            Counter::IdentifyPerName => 3600,
            _ => 60,
        }
    }

    fn limit(self, state: &AppState) -> i64 {
        let c = &state.config;
        i64::from(match self {
            Counter::LoginPerAccount => c.login_attempts_per_minute,
            Counter::IdentifyPerName => c.identify_attempts_per_hour,
            _ => c.client_attempts_per_minute,
        })
    }
}

/// The counter's key: a digest, so that names and addresses stay out of the table.
fn key(counter: Counter, subject: &str) -> String {
    let mut h = Sha256::new();
    h.update(counter.name().as_bytes());
    h.update([0]);
    h.update(subject.as_bytes());
    hex::encode(h.finalize())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The attempts in the sliding window ending now: this window's, and the previous one's
/// weighed by the part of it the sliding window still covers.
fn sliding(hits: Hits, window_secs: i64, now: i64) -> i64 {
    let elapsed = now.rem_euclid(window_secs);
    hits.current + hits.previous * (window_secs - elapsed) / window_secs
}

/// Counts an attempt; `false` when it is over the limit (the attempt must then be refused).
pub async fn allow(state: &AppState, counter: Counter, subject: &str) -> AppResult<bool> {
    let (window, now) = (counter.window_secs(), now());
    let hits = state
        .store
        .throttle_hit(&key(counter, subject), window, now)
        .await?;
    Ok(sliding(hits, window, now) <= counter.limit(state).max(1))
}

/// Whether the limit is already reached, without counting an attempt: for counters that count
/// only failures, checked before the attempt so that a success cannot be told from a failure
/// once over the limit.
pub async fn exhausted(state: &AppState, counter: Counter, subject: &str) -> AppResult<bool> {
    let (window, now) = (counter.window_secs(), now());
    let hits = state
        .store
        .throttle_hits(&key(counter, subject), window, now)
        .await?;
    Ok(sliding(hits, window, now) >= counter.limit(state).max(1))
}

/// « Qui êtes-vous ? » and the SSO birth-date step: a birth date is found by trying dates, so
/// attempts are counted per client and per campaign and `name` (whoever tries); a refusal is
/// written in the campaign's establishment's log.
pub async fn identify_allowed(
    state: &AppState,
    client: &Client,
    found: &crate::app::campaign::Found,
    name: &str,
) -> AppResult<bool> {
    let name = format!("{}\0{name}", found.campaign.id);
    if allow(state, Counter::IdentifyPerClient, &client.0).await?
        && allow(state, Counter::IdentifyPerName, &name).await?
    {
        return Ok(true);
    }
    let mut tx = state.store.tenant_tx(&found.scope).await?;
    tx.audit(
        "reconciliation.throttled",
        Some(&found.campaign.code),
        Some(&client.0),
    )
    .await?;
    tx.commit().await?;
    Ok(false)
}

/// Counts a failed attempt.
pub async fn failed(state: &AppState, counter: Counter, subject: &str) -> AppResult<()> {
    state
        .store
        .throttle_hit(&key(counter, subject), counter.window_secs(), now())
        .await?;
    Ok(())
}

/// Campaign codes are guessed by trying them: on every page named by a code, a client whose
/// unknown codes reached the limit is refused, and each page not found counts one more.
pub async fn campaign_codes(
    State(state): State<AppState>,
    client: Client,
    req: Request,
    next: Next,
) -> Response {
    match exhausted(&state, Counter::CodePerClient, &client.0).await {
        Ok(false) => {}
        Ok(true) => {
            tracing::warn!(client = %client.0, "campaign codes tried over the limit");
            return AppError::TooManyRequests(t("campaign-code-throttled")).into_response();
        }
        Err(e) => return e.into_response(),
    }
    let res = next.run(req).await;
    if res.status() == StatusCode::NOT_FOUND
        && let Err(e) = failed(&state, Counter::CodePerClient, &client.0).await
    {
        return e.into_response();
    }
    res
}

/// The client's address, as far as it can be known.
pub struct Client(pub String);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(name) = &state.config.client_address_header
            && let Some(last) = parts
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            return Ok(Client(last.to_owned()));
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(Client(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_window_weighs_less_as_the_current_one_goes_on() {
        let hits = Hits {
            current: 1,
            previous: 10,
        };
        assert_eq!(sliding(hits, 60, 600), 11);
        assert_eq!(sliding(hits, 60, 630), 6);
        assert_eq!(sliding(hits, 60, 659), 1);
    }
}
