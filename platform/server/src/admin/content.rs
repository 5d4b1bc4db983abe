//! Operators decide who sees published content: which establishments are offered each target
//! profile (all of them, or a list), which accounts are content designers, and which designer
//! owns a package or challenge-type id (transfers).

use crate::form::{Form, Path};
use acquis_store::{NewUser, OfferedProfile, StoreError, User};
use acquis_tenants::{Uai, is_valid_email, normalize_email};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::Operator;
use crate::AppState;
use crate::auth::FieldErrors;
use crate::auth::password::generate_password;
use crate::auth::session::flash;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};
use crate::views::date_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/profils-cibles", get(profiles))
        .route(
            "/admin/profils-cibles/{id}",
            get(profile_form).post(save_offers),
        )
        .route("/admin/concepteurs", get(designers).post(add_designer))
        .route("/admin/concepteurs/{id}/retirer", post(remove_designer))
        .route("/admin/paquets", get(owners).post(transfer))
}

async fn owners_page(
    state: &AppState,
    op: &Operator,
    error: Option<String>,
) -> AppResult<Response> {
    let list = state.store.package_owners().await?;
    op.page("admin/package_owners.html")
        .await
        .with(
            "owners",
            list.iter()
                .map(|o| {
                    serde_json::json!({
                        "kind": o.kind,
                        "name": o.name,
                        "platform": o.owner_id.is_none(),
                        "owner": o.owner_name,
                        "email": o.owner_email,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .status(if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        })
        .with("error", error)
        .render()
}

async fn owners(State(state): State<AppState>, op: Operator) -> AppResult<Response> {
    owners_page(&state, &op, None).await
}

#[derive(Deserialize)]
struct TransferForm {
    kind: String,
    name: String,
    #[serde(default)]
    email: String,
}

/// Gives a package or type id to another designer: from then on only they publish under it.
/// The platform's ids are no one's to give.
async fn transfer(
    State(state): State<AppState>,
    op: Operator,
    Form(form): Form<TransferForm>,
) -> AppResult<Response> {
    let current = state
        .store
        .package_owners()
        .await?
        .into_iter()
        .find(|o| o.kind == form.kind && o.name == form.name && o.owner_id.is_some())
        .ok_or(AppError::NotFound)?;
    let email = normalize_email(&form.email);
    let Some(to) = state
        .store
        .find_user_by_login(&email)
        .await?
        .filter(User::is_designer)
    else {
        let shown = form.email.trim();
        return owners_page(
            &state,
            &op,
            Some(t_args("owners-error-not-designer", &[("email", shown)])),
        )
        .await;
    };
    if current.owner_id == Some(to.id) {
        return owners_page(
            &state,
            &op,
            Some(t_args("owners-error-same", &[("name", &form.name)])),
        )
        .await;
    }
    if !state
        .store
        .transfer_package_name(&form.kind, &form.name, to.id, op.user.id)
        .await?
    {
        return Err(AppError::NotFound);
    }
    tracing::info!(operator = %op.user.id, kind = %form.kind, name = %form.name,
        from = ?current.owner_id, to = %to.id, "package id transferred");
    flash(
        &op.session,
        t_args(
            "owners-transferred",
            &[("name", &form.name), ("owner", &to.full_name())],
        ),
    )
    .await?;
    Ok(see_other("/admin/paquets"))
}

fn profile_json(p: &OfferedProfile) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "package_id": p.package_id,
        "version": p.version,
        "name": p.name,
        "category": crate::orga::campaigns::category_label(&p.category),
        "offered_to_all": p.offered_to_all,
        "establishments": p.establishments,
    })
}

async fn profiles(State(state): State<AppState>, op: Operator) -> AppResult<Response> {
    let list = state.store.latest_target_profiles().await?;
    op.page("admin/profiles.html")
        .await
        .with(
            "profiles",
            list.iter().map(profile_json).collect::<Vec<_>>(),
        )
        .render()
}

async fn find_profile(state: &AppState, id: Uuid) -> AppResult<OfferedProfile> {
    state
        .store
        .latest_target_profile(id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
struct OfferForm {
    #[serde(default)]
    offre: String,
    #[serde(default)]
    uai: String,
}

async fn render_offers(
    state: &AppState,
    op: &Operator,
    p: &OfferedProfile,
    form: &OfferForm,
    errors: &[String],
) -> AppResult<Response> {
    let offered = state
        .store
        .target_profile_offers(&p.package_id, &p.profile_key)
        .await?;
    op.page("admin/profile_offers.html")
        .await
        .with("profile", profile_json(p))
        .with(
            "establishments",
            offered
                .iter()
                .map(|o| serde_json::json!({"id": o.id, "name": o.name, "uai": o.uai}))
                .collect::<Vec<_>>(),
        )
        .with(
            "form",
            serde_json::json!({"offre": form.offre, "uai": form.uai}),
        )
        .with("errors", errors)
        .status(if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        })
        .render()
}

async fn profile_form(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = find_profile(&state, id).await?;
    let offered = state
        .store
        .target_profile_offers(&p.package_id, &p.profile_key)
        .await?;
    let form = OfferForm {
        offre: if p.offered_to_all { "tous" } else { "liste" }.into(),
        uai: offered
            .iter()
            .map(|o| o.uai.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    render_offers(&state, &op, &p, &form, &[]).await
}

/// Saves who is offered a profile. The list is every UAI given (one per line, or separated by
/// commas or spaces); any unknown or malformed one is reported and nothing changes.
async fn save_offers(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
    Form(form): Form<OfferForm>,
) -> AppResult<Response> {
    let p = find_profile(&state, id).await?;
    let to_all = match form.offre.as_str() {
        "tous" => true,
        "liste" => false,
        _ => return render_offers(&state, &op, &p, &form, &[t("offer-error-choice")]).await,
    };
    let mut errors = Vec::new();
    let mut uais = Vec::new();
    for raw in form
        .uai
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
    {
        match Uai::parse(raw) {
            Ok(u) if !uais.contains(&u.as_str().to_owned()) => uais.push(u.as_str().to_owned()),
            Ok(_) => {}
            Err(_) => errors.push(t_args("org-uai-invalid", &[("uai", raw)])),
        }
    }
    let known = state.store.organizations_by_uai(&uais).await?;
    for u in &uais {
        if !known.iter().any(|o| &o.uai == u) {
            errors.push(t_args("offer-error-unknown-uai", &[("uai", u)]));
        }
    }
    if !to_all && uais.is_empty() && errors.is_empty() {
        errors.push(t("offer-error-empty"));
    }
    if !errors.is_empty() {
        return render_offers(&state, &op, &p, &form, &errors).await;
    }
    let ids: Vec<Uuid> = if to_all {
        Vec::new()
    } else {
        known.iter().map(|o| o.id).collect()
    };
    state
        .store
        .set_target_profile_offers(&p.package_id, &p.profile_key, to_all, &ids, op.user.id)
        .await?;
    tracing::info!(operator = %op.user.id, package = %p.package_id, profile = %p.profile_key,
        to_all, establishments = ids.len(), "target profile offers changed");
    flash(
        &op.session,
        if to_all {
            t_args("offer-saved-all", &[("name", &p.name)])
        } else {
            t_args(
                "offer-saved-list",
                &[("name", &p.name), ("count", &ids.len().to_string())],
            )
        },
    )
    .await?;
    Ok(see_other("/admin/profils-cibles"))
}

fn designer_json(u: &User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id,
        "name": u.full_name(),
        "email": u.email,
        "since": date_time(u.created_at),
    })
}

#[derive(Deserialize, Default)]
struct DesignerForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: acquis_input::Text<acquis_input::Name>,
    #[serde(default)]
    last_name: acquis_input::Text<acquis_input::Name>,
}

async fn render_designers(
    state: &AppState,
    op: &Operator,
    form: &DesignerForm,
    errors: &FieldErrors,
    created: Option<(String, String)>,
) -> AppResult<Response> {
    let list = state.store.users_with_role("DESIGNER").await?;
    op.page("admin/designers.html")
        .await
        .with(
            "designers",
            list.iter().map(designer_json).collect::<Vec<_>>(),
        )
        .with(
            "form",
            serde_json::json!({"email": form.email, "first_name": form.first_name, "last_name": form.last_name}),
        )
        .with("errors", errors)
        .with(
            "created",
            created.map(|(login, password)| serde_json::json!({"login": login, "password": password})),
        )
        .status(if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        })
        .render()
}

async fn designers(State(state): State<AppState>, op: Operator) -> AppResult<Response> {
    render_designers(
        &state,
        &op,
        &DesignerForm::default(),
        &FieldErrors::new(),
        None,
    )
    .await
}

/// Makes an existing account a designer, or creates one with a one-time password shown once.
async fn add_designer(
    State(state): State<AppState>,
    op: Operator,
    Form(form): Form<DesignerForm>,
) -> AppResult<Response> {
    let email = normalize_email(&form.email);
    let mut errors = FieldErrors::new();
    if !is_valid_email(&email) {
        errors.insert(
            "email",
            t_args("designer-error-email", &[("email", &email)]),
        );
        return render_designers(&state, &op, &form, &errors, None).await;
    }
    if let Some(existing) = state.store.find_user_by_login(&email).await? {
        if existing.is_operator() {
            errors.insert("email", t("designer-error-operator"));
            return render_designers(&state, &op, &form, &errors, None).await;
        }
        state
            .store
            .set_platform_role(existing.id, Some("DESIGNER"))
            .await?;
        flash(
            &op.session,
            t_args("designer-added", &[("name", &existing.full_name())]),
        )
        .await?;
        return Ok(see_other("/admin/concepteurs"));
    }
    if form.first_name.trim().is_empty() {
        errors.insert("first_name", t("designer-error-first-name"));
    }
    if form.last_name.trim().is_empty() {
        errors.insert("last_name", t("designer-error-last-name"));
    }
    if !errors.is_empty() {
        return render_designers(&state, &op, &form, &errors, None).await;
    }
    let password = generate_password();
    let created = state
        .store
        .create_user(&NewUser {
            email: Some(email.clone()),
            username: None,
            first_name: form.first_name.trim().to_owned(),
            last_name: form.last_name.trim().to_owned(),
            password_hash: Some(state.hasher.hash(password.clone()).await?),
            must_change_password: true,
            platform_role: Some("DESIGNER".into()),
            accepted_terms: false,
        })
        .await;
    match created {
        Ok(_) => {
            render_designers(
                &state,
                &op,
                &DesignerForm::default(),
                &FieldErrors::new(),
                Some((email, password)),
            )
            .await
        }
        // Created by someone else between the lookup and the write.
        Err(StoreError::Conflict(_)) => {
            errors.insert("email", t("designer-error-taken"));
            render_designers(&state, &op, &form, &errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_designer(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let user = state
        .store
        .find_user(id)
        .await?
        .filter(User::is_designer)
        .ok_or(AppError::NotFound)?;
    state.store.set_platform_role(user.id, None).await?;
    flash(
        &op.session,
        t_args("designer-removed", &[("name", &user.full_name())]),
    )
    .await?;
    Ok(see_other("/admin/concepteurs"))
}
