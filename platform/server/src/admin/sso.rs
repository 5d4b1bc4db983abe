//! Operators configure the students' identity providers (OpenID Connect) and choose which
//! establishments' students use which one.

use crate::form::{Form, Path};
use acquis_store::{IdentityProvider, NewIdentityProvider};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{Operator, find_org};
use crate::AppState;
use crate::auth::FieldErrors;
use crate::auth::session::flash;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sso", get(list).post(create))
        .route("/admin/sso/nouveau", get(new_form))
        .route("/admin/sso/{id}", get(edit_form).post(update))
        .route(
            "/admin/etablissements/{id}/sso",
            post(choose_for_establishment),
        )
}

#[derive(Deserialize, Default)]
struct ProviderForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    scopes: String,
    #[serde(default)]
    claim_subject: String,
    #[serde(default)]
    claim_first_name: String,
    #[serde(default)]
    claim_last_name: String,
    #[serde(default)]
    claim_birthdate: String,
    #[serde(default)]
    claim_uai: String,
    #[serde(default)]
    enabled: Option<String>,
}

impl ProviderForm {
    fn defaults() -> ProviderForm {
        ProviderForm {
            scopes: "openid profile".into(),
            claim_subject: "sub".into(),
            claim_first_name: "given_name".into(),
            claim_last_name: "family_name".into(),
            enabled: Some("on".into()),
            ..ProviderForm::default()
        }
    }

    fn of(p: &IdentityProvider) -> ProviderForm {
        ProviderForm {
            name: p.name.clone(),
            issuer: p.issuer.clone(),
            client_id: p.client_id.clone(),
            client_secret: String::new(),
            scopes: p.scopes.clone(),
            claim_subject: p.claim_subject.clone(),
            claim_first_name: p.claim_first_name.clone(),
            claim_last_name: p.claim_last_name.clone(),
            claim_birthdate: p.claim_birthdate.clone().unwrap_or_default(),
            claim_uai: p.claim_uai.clone().unwrap_or_default(),
            enabled: p.enabled.then(|| "on".into()),
        }
    }

    /// The values shown back (never the secret).
    fn echo(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name.trim(),
            "issuer": self.issuer.trim(),
            "client_id": self.client_id.trim(),
            "scopes": self.scopes.trim(),
            "claim_subject": self.claim_subject.trim(),
            "claim_first_name": self.claim_first_name.trim(),
            "claim_last_name": self.claim_last_name.trim(),
            "claim_birthdate": self.claim_birthdate.trim(),
            "claim_uai": self.claim_uai.trim(),
            "enabled": self.enabled.is_some(),
        })
    }

    /// Every problem at once; `creating` requires the secret.
    fn validate(&self, creating: bool) -> FieldErrors {
        let mut errors = FieldErrors::new();
        // Bounded like every one-line field (the extractor already refused control characters).
        for (field, value) in [
            ("name", &self.name),
            ("issuer", &self.issuer),
            ("client_id", &self.client_id),
            ("scopes", &self.scopes),
            ("claim_subject", &self.claim_subject),
            ("claim_first_name", &self.claim_first_name),
            ("claim_last_name", &self.claim_last_name),
            ("claim_birthdate", &self.claim_birthdate),
            ("claim_uai", &self.claim_uai),
        ] {
            if let Err(p) = acquis_input::Text::<acquis_input::Line>::parse(value) {
                errors.insert(field, crate::form::problem_message(field, p));
            }
        }
        if !errors.is_empty() {
            return errors;
        }
        if self.name.trim().is_empty() {
            errors.insert("name", t("sso-admin-name-missing"));
        }
        if !issuer_ok(self.issuer.trim()) {
            errors.insert("issuer", t("sso-admin-issuer-invalid"));
        }
        if self.client_id.trim().is_empty() {
            errors.insert("client_id", t("sso-admin-client-id-missing"));
        }
        if creating && self.client_secret.trim().is_empty() {
            errors.insert("client_secret", t("sso-admin-secret-missing"));
        }
        if !self.scopes.split_whitespace().any(|s| s == "openid") {
            errors.insert("scopes", t("sso-admin-scopes-invalid"));
        }
        let claim_ok = |c: &str| !c.is_empty() && !c.contains(char::is_whitespace);
        for (field, value, required) in [
            ("claim_subject", &self.claim_subject, true),
            ("claim_first_name", &self.claim_first_name, true),
            ("claim_last_name", &self.claim_last_name, true),
            ("claim_birthdate", &self.claim_birthdate, false),
            ("claim_uai", &self.claim_uai, false),
        ] {
            let v = value.trim();
            if (required || !v.is_empty()) && !claim_ok(v) {
                errors.insert(field, t("sso-admin-claim-invalid"));
            }
        }
        errors
    }

    fn into_new(self, sealed: Option<String>) -> NewIdentityProvider {
        let optional = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        NewIdentityProvider {
            name: self.name.trim().to_owned(),
            issuer: self.issuer.trim().trim_end_matches('/').to_owned(),
            client_id: self.client_id.trim().to_owned(),
            client_secret_sealed: sealed,
            scopes: self.scopes.split_whitespace().collect::<Vec<_>>().join(" "),
            claim_subject: self.claim_subject.trim().to_owned(),
            claim_first_name: self.claim_first_name.trim().to_owned(),
            claim_last_name: self.claim_last_name.trim().to_owned(),
            claim_birthdate: optional(self.claim_birthdate),
            claim_uai: optional(self.claim_uai),
            enabled: self.enabled.is_some(),
        }
    }
}

/// HTTPS, or plain HTTP on the loopback (a provider on the same machine, tests).
fn issuer_ok(issuer: &str) -> bool {
    let Some(rest) = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://127.0.0.1"))
        .or_else(|| issuer.strip_prefix("http://localhost"))
    else {
        return false;
    };
    !issuer.contains(char::is_whitespace) && (issuer.starts_with("http://") || !rest.is_empty())
}

fn provider_json(p: &IdentityProvider) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "name": p.name,
        "issuer": p.issuer,
        "client_id": p.client_id,
        "enabled": p.enabled,
    })
}

async fn list(State(state): State<AppState>, op: Operator) -> AppResult<Response> {
    let providers = state.store.identity_providers().await?;
    let mut rows = Vec::new();
    for p in &providers {
        let mut row = provider_json(p);
        row["establishments"] = state
            .store
            .organizations_of_provider(p.id)
            .await?
            .len()
            .into();
        rows.push(row);
    }
    with_uris(op.page("admin/sso_list.html").await, &state)
        .with("providers", rows)
        .render()
}

/// The addresses the operator declares at the provider.
fn with_uris(page: crate::views::Page, state: &AppState) -> crate::views::Page {
    page.with(
        "redirect_uri",
        format!("{}/sso/retour", state.config.base_url),
    )
    .with("logout_uri", format!("{}/connexion", state.config.base_url))
}

async fn form_page(
    state: &AppState,
    op: &Operator,
    provider: Option<&IdentityProvider>,
    form: &ProviderForm,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut p = with_uris(op.page("admin/sso_form.html").await, state)
        .with("form", form.echo())
        .with("errors", errors);
    if let Some(provider) = provider {
        p.insert("provider", provider_json(provider));
        let orgs = state.store.organizations_of_provider(provider.id).await?;
        p.insert(
            "establishments",
            orgs.iter()
                .map(|(id, name, uai)| serde_json::json!({"id": id, "name": name, "uai": uai}))
                .collect::<Vec<_>>(),
        );
    }
    p.status(status).render()
}

async fn new_form(State(state): State<AppState>, op: Operator) -> AppResult<Response> {
    form_page(&state, &op, None, &ProviderForm::defaults(), None).await
}

async fn create(
    State(state): State<AppState>,
    op: Operator,
    Form(form): Form<ProviderForm>,
) -> AppResult<Response> {
    let errors = form.validate(true);
    if !errors.is_empty() {
        return form_page(&state, &op, None, &form, Some(errors)).await;
    }
    let sealed = state.sealer.seal(form.client_secret.trim())?;
    let created = state
        .store
        .create_identity_provider(&form.into_new(Some(sealed)))
        .await?;
    flash(
        &op.session,
        t_args("sso-admin-created", &[("name", &created.name)]),
    )
    .await?;
    Ok(see_other(&format!("/admin/sso/{}", created.id)))
}

async fn find_provider(state: &AppState, id: Uuid) -> AppResult<IdentityProvider> {
    state
        .store
        .identity_provider(id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn edit_form(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let provider = find_provider(&state, id).await?;
    form_page(
        &state,
        &op,
        Some(&provider),
        &ProviderForm::of(&provider),
        None,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
    Form(form): Form<ProviderForm>,
) -> AppResult<Response> {
    let provider = find_provider(&state, id).await?;
    let errors = form.validate(false);
    if !errors.is_empty() {
        return form_page(&state, &op, Some(&provider), &form, Some(errors)).await;
    }
    // An empty secret field keeps the stored secret: it is never shown again.
    let sealed = match form.client_secret.trim() {
        "" => None,
        secret => Some(state.sealer.seal(secret)?),
    };
    state
        .store
        .update_identity_provider(id, &form.into_new(sealed))
        .await?;
    flash(&op.session, t("sso-admin-saved")).await?;
    Ok(see_other(&format!("/admin/sso/{id}")))
}

#[derive(Deserialize)]
struct ChooseForm {
    #[serde(default)]
    provider: String,
}

async fn choose_for_establishment(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
    Form(form): Form<ChooseForm>,
) -> AppResult<Response> {
    let org = find_org(&state, id).await?;
    let provider = match form.provider.trim() {
        "" => None,
        p => {
            let pid = Uuid::parse_str(p)
                .map_err(|_| AppError::BadRequest(t("sso-admin-unknown-provider")))?;
            Some(
                state
                    .store
                    .identity_provider(pid)
                    .await?
                    .ok_or_else(|| AppError::BadRequest(t("sso-admin-unknown-provider")))?,
            )
        }
    };
    state
        .store
        .set_students_provider(org.id, provider.as_ref().map(|p| p.id))
        .await?;
    let mut tx = state.store.tenant_tx(&op.grant(&org)).await?;
    tx.audit(
        "organization.students_provider",
        provider.as_ref().map(|p| p.name.as_str()),
        None,
    )
    .await?;
    tx.commit().await?;
    flash(
        &op.session,
        match &provider {
            Some(p) => t_args("sso-admin-establishment-set", &[("name", &p.name)]),
            None => t("sso-admin-establishment-none"),
        },
    )
    .await?;
    Ok(see_other(&format!("/admin/etablissements/{id}")))
}

/// The choice on an establishment's page.
pub async fn establishment_choice(
    state: &AppState,
    current: Option<Uuid>,
) -> AppResult<Vec<serde_json::Value>> {
    Ok(state
        .store
        .identity_providers()
        .await?
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id,
                "name": p.name,
                "enabled": p.enabled,
                "selected": Some(p.id) == current,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_https_or_loopback() {
        assert!(issuer_ok("https://ent.example.fr"));
        assert!(issuer_ok("http://127.0.0.1:4000"));
        assert!(issuer_ok("http://localhost:4000/oidc"));
        assert!(!issuer_ok("http://ent.example.fr"));
        assert!(!issuer_ok("https://"));
        assert!(!issuer_ok("ent.example.fr"));
        assert!(!issuer_ok("https://ent example.fr"));
    }

    #[test]
    fn every_problem_is_listed_and_the_secret_is_needed_only_at_creation() {
        let empty = ProviderForm::default();
        let errors = empty.validate(true);
        for field in [
            "name",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "claim_subject",
        ] {
            assert!(errors.contains_key(field), "{field}");
        }
        let mut ok = ProviderForm::defaults();
        ok.name = "ENT".into();
        ok.issuer = "https://ent.example.fr".into();
        ok.client_id = "acquis".into();
        assert!(ok.validate(false).is_empty());
        assert!(ok.validate(true).contains_key("client_secret"));
        ok.claim_uai = "code uai".into();
        assert!(ok.validate(false).contains_key("claim_uai"));
    }
}
