//! Operators (`/admin`): create establishments one by one or from a CSV, list, search, archive,
//! and send each establishment its administrator invitation.

mod content;
mod import;
mod sso;

use crate::form::{Form, Multipart, Path, Query};
use acquis_store::{NewOrganization, Organization, StoreError, User};
use acquis_tenants::{
    EstablishmentKind, OperatorGrant, Role, TenantId, TenantScope, Uai, invitation_code,
    is_valid_email, normalize_email,
};
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::FieldErrors;
use crate::auth::session::{CurrentUser, flash};
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args, t_count};
use crate::orga::team::{role_label, send_invitation};
use crate::views::Page;
use crate::views::date_time as format_date_time;
use crate::{AppState, page};

pub use import::{ImportError, parse_establishments_csv};

const PER_PAGE: i64 = 25;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(list))
        .route("/admin/etablissements/nouveau", get(new_form))
        .route("/admin/etablissements", post(create))
        .route("/admin/etablissements/import", post(import_csv))
        .route("/admin/etablissements/{id}", get(show))
        .route("/admin/etablissements/{id}/archiver", post(archive))
        .route("/admin/etablissements/{id}/invitation", post(invite_admin))
        .merge(sso::router())
        .merge(content::router())
}

/// A signed-in operator. Anyone else is told the page does not exist.
pub struct Operator {
    pub user: User,
    pub session: Session,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser { user, session } = CurrentUser::from_request_parts(parts, state).await?;
        if !user.is_operator() {
            return Err(AppError::NotFound);
        }
        crate::auth::sso::refuse_staff_space(&session).await?;
        Ok(Operator { user, session })
    }
}

impl Operator {
    async fn page(&self, name: &'static str) -> Page {
        page(name, Some(&self.user), &self.session).await
    }

    fn grant(&self, org: &Organization) -> TenantScope {
        TenantScope::for_operator(OperatorGrant {
            operator_id: self.user.id,
            tenant: org.tenant(),
        })
    }
}

fn kinds() -> Vec<serde_json::Value> {
    EstablishmentKind::ALL
        .iter()
        .map(|k| serde_json::json!({"value": k.as_str(), "label": kind_label(*k)}))
        .collect()
}

pub fn kind_label(kind: EstablishmentKind) -> String {
    t(match kind {
        EstablishmentKind::College => "kind-college",
        EstablishmentKind::Lycee => "kind-lycee",
        EstablishmentKind::LyceePro => "kind-lycee-pro",
        EstablishmentKind::Other => "kind-other",
    })
}

fn org_json(o: &Organization) -> serde_json::Value {
    serde_json::json!({
        "id": o.id,
        "name": o.name,
        "uai": o.uai,
        "kind": kind_label(o.kind()),
        "contact_email": o.contact_email,
        "archived": o.archived_at.is_some(),
        "archived_at": o.archived_at.map(format_date_time),
        "created_at": format_date_time(o.created_at),
    })
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    archived: Option<String>,
    #[serde(default)]
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let include_archived = q.archived.is_some();
    let page_no = q.page.unwrap_or(1).max(1);
    let found = state
        .store
        .list_organizations(&q.q, include_archived, page_no, PER_PAGE)
        .await?;
    let pages = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    op.page("admin/list.html")
        .await
        .with(
            "organizations",
            found.items.iter().map(org_json).collect::<Vec<_>>(),
        )
        .with("total", found.total)
        .with("q", q.q.trim())
        .with("archived", include_archived)
        .with("page", page_no)
        .with("pages", pages)
        .render()
}

async fn new_form(op: Operator) -> AppResult<Response> {
    op.page("admin/new.html")
        .await
        .with("kinds", kinds())
        .with("form", serde_json::json!({"kind": "COLLEGE"}))
        .render()
}

#[derive(Deserialize, Default)]
struct NewForm {
    #[serde(default)]
    name: acquis_input::Text<acquis_input::Title>,
    #[serde(default)]
    uai: acquis_input::Text<acquis_input::Line>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    manages_students: Option<String>,
}

/// Validates one establishment; shared by the form and the CSV import.
pub fn validate_establishment(
    name: &str,
    uai: &str,
    kind: Option<EstablishmentKind>,
    email: &str,
    manages_students: bool,
) -> Result<NewOrganization, FieldErrors> {
    let mut errors = FieldErrors::new();
    // The form's field is already a `Text<Title>`; the CSV's cells come through here only.
    let name = match acquis_input::Text::<acquis_input::Title>::parse(name) {
        Ok(n) => n.into_string(),
        Err(p) => {
            errors.insert("name", crate::form::problem_message("name", p));
            String::new()
        }
    };
    if name.is_empty() && !errors.contains_key("name") {
        errors.insert("name", t("org-name-missing"));
    }
    let uai = match Uai::parse(uai) {
        Ok(u) => Some(u),
        Err(_) => {
            errors.insert("uai", t_args("org-uai-invalid", &[("uai", uai.trim())]));
            None
        }
    };
    if kind.is_none() {
        errors.insert("kind", t("org-kind-missing"));
    }
    let email = normalize_email(email);
    if !is_valid_email(&email) {
        errors.insert(
            "contact_email",
            t_args("org-email-invalid", &[("email", &email)]),
        );
    }
    match (uai, kind) {
        (Some(uai), Some(kind)) if errors.is_empty() => Ok(NewOrganization {
            name,
            uai,
            kind,
            contact_email: email,
            manages_students,
        }),
        _ => Err(errors),
    }
}

async fn create(
    State(state): State<AppState>,
    op: Operator,
    Form(form): Form<NewForm>,
) -> AppResult<Response> {
    let kind = EstablishmentKind::parse(&form.kind);
    let echo = serde_json::json!({
        "name": form.name.trim(), "uai": form.uai.trim(), "kind": form.kind, "contact_email": form.contact_email.trim(), "manages_students": form.manages_students.is_some(),
    });
    let errors = match validate_establishment(
        &form.name,
        &form.uai,
        kind,
        &form.contact_email,
        form.manages_students.is_some(),
    ) {
        Ok(new) => match state
            .store
            .create_organizations(Some(op.user.id), std::slice::from_ref(&new))
            .await
        {
            Ok(created) => {
                flash(
                    &op.session,
                    t_args("org-created", &[("name", &created[0].name)]),
                )
                .await?;
                return Ok(see_other(&format!(
                    "/admin/etablissements/{}",
                    created[0].id
                )));
            }
            Err(StoreError::Conflict(_)) => {
                let mut e = FieldErrors::new();
                e.insert("uai", t_args("org-uai-taken", &[("uai", new.uai.as_str())]));
                e
            }
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    op.page("admin/new.html")
        .await
        .with("kinds", kinds())
        .with("form", echo)
        .with("errors", &errors)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render()
}

async fn import_csv(
    State(state): State<AppState>,
    op: Operator,
    Multipart(mut multipart): Multipart,
) -> AppResult<Response> {
    let mut bytes = Vec::new();
    let mut kind = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("file") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.body_text()))?
                    .to_vec()
            }
            Some("kind") => {
                kind = EstablishmentKind::parse(
                    &field
                        .text()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?,
                )
            }
            _ => {}
        }
    }
    let refuse = |errors: Vec<String>| async {
        op.page("admin/new.html")
            .await
            .with("kinds", kinds())
            .with("form", serde_json::json!({"kind": "COLLEGE"}))
            .with("import_errors", errors)
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render()
    };
    let Some(kind) = kind else {
        return refuse(vec![t("org-kind-missing")]).await;
    };
    let news = match parse_establishments_csv(&bytes, kind) {
        Ok(news) => news,
        Err(errors) => return refuse(errors.iter().map(ImportError::message).collect()).await,
    };
    let uais: Vec<String> = news
        .iter()
        .map(|(_, n)| n.uai.as_str().to_owned())
        .collect();
    let taken = state.store.existing_uais(&uais).await?;
    if !taken.is_empty() {
        let errors = news
            .iter()
            .filter(|(_, n)| taken.iter().any(|u| u == n.uai.as_str()))
            .map(|(line, n)| ImportError::UaiTaken(*line, n.uai.as_str().to_owned()).message())
            .collect();
        return refuse(errors).await;
    }
    let news: Vec<NewOrganization> = news.into_iter().map(|(_, n)| n).collect();
    match state
        .store
        .create_organizations(Some(op.user.id), &news)
        .await
    {
        Ok(created) => {
            flash(&op.session, t_count("org-imported", created.len() as i64)).await?;
            Ok(see_other("/admin"))
        }
        // Taken between the check and the write by a concurrent import: nothing was stored.
        Err(StoreError::Conflict(_)) => refuse(vec![t("org-import-conflict")]).await,
        Err(e) => Err(e.into()),
    }
}

async fn find_org(state: &AppState, id: Uuid) -> AppResult<Organization> {
    state
        .store
        .find_organization(TenantId(id))
        .await?
        .ok_or(AppError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let org = find_org(&state, id).await?;
    let mut tx = state.store.tenant_read(&op.grant(&org)).await?;
    let members = tx.members().await?;
    let invitations = tx.pending_invitations().await?;
    let audit = tx.audit_entries(20).await?;
    tx.commit().await?;
    let providers = sso::establishment_choice(&state, org.identity_provider_id).await?;
    op.page("admin/show.html")
        .await
        .with("org", org_json(&org))
        .with("providers", providers)
        .with(
            "members",
            members
                .iter()
                .map(|m| serde_json::json!({"name": format!("{} {}", m.first_name, m.last_name), "email": m.email, "role_label": role_label(Some(m.role()))}))
                .collect::<Vec<_>>(),
        )
        .with(
            "invitations",
            invitations
                .iter()
                .map(|i| serde_json::json!({"email": i.email, "role_label": role_label(i.role()), "last_sent": format_date_time(i.updated_at)}))
                .collect::<Vec<_>>(),
        )
        .with(
            "audit",
            audit
                .iter()
                .map(|a| serde_json::json!({"at": format_date_time(a.created_at), "action": audit_label(&a.action), "target": audit_target(&a.action, a.target.as_deref(), a.details.as_deref())}))
                .collect::<Vec<_>>(),
        )
        .render()
}

/// An audit entry's action in French (`organization.created` → `audit-organization-created`);
/// the code itself only for an action the catalog does not know, so that nothing is hidden.
fn audit_label(action: &str) -> String {
    let key = format!("audit-{}", action.replace(['.', '_'], "-"));
    if crate::i18n::has(&key) {
        t(&key)
    } else {
        action.to_owned()
    }
}

/// What an audit entry is about, for a reader: the name of the campaign or student when the
/// entry keeps it in its details (an id means nothing to an operator), a count of students,
/// else its target.
fn audit_target(action: &str, target: Option<&str>, details: Option<&str>) -> Option<String> {
    const NAMED_IN_DETAILS: [&str; 6] = [
        "campaign.create",
        "campaign.update",
        "campaign.delete",
        "campaign.archive",
        "campaign.unarchive",
        "campaign.back_to_school",
    ];
    match (action, details) {
        (a, Some(name)) if NAMED_IN_DETAILS.contains(&a) || a == "learner.linked_by_ine" => {
            Some(name.to_owned())
        }
        ("learner.passwords_reset", Some(n)) => {
            n.parse().ok().map(|n: i64| t_count("audit-students", n))
        }
        _ => target.map(str::to_owned),
    }
}

async fn archive(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let org = find_org(&state, id).await?;
    if org.archived_at.is_some() {
        flash(&op.session, t("org-already-archived")).await?;
    } else {
        state.store.archive_organization(&op.grant(&org)).await?;
        flash(&op.session, t_args("org-archived", &[("name", &org.name)])).await?;
    }
    Ok(see_other(&format!("/admin/etablissements/{id}")))
}

/// The establishment's administrator invitation, sent to its contact e-mail (renewed if pending).
async fn invite_admin(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let org = find_org(&state, id).await?;
    if org.archived_at.is_some() {
        flash(&op.session, t("org-archived-no-invitation")).await?;
        return Ok(see_other(&format!("/admin/etablissements/{id}")));
    }
    let mut tx = state.store.tenant_tx(&op.grant(&org)).await?;
    let (inv, _) = tx
        .invite(&org.contact_email, Some(Role::Admin), &invitation_code())
        .await?;
    tx.audit("invitation.sent", Some(&org.contact_email), Some("ADMIN"))
        .await?;
    tx.commit().await?;
    let message = match send_invitation(&state, &org.name, &inv).await {
        Ok(()) => t_args("org-invitation-sent", &[("email", &org.contact_email)]),
        Err(e) => {
            tracing::warn!(error = ?e, "administrator invitation not sent");
            t_args("invite-mail-failed", &[("emails", &org.contact_email)])
        }
    };
    flash(&op.session, message).await?;
    Ok(see_other(&format!("/admin/etablissements/{id}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_audit_entry_names_its_object_rather_than_its_id() {
        let id = "01a2477a-0896-7505-9aed-5263a506909e";
        let target = |a, t, d| super::audit_target(a, t, d);
        let named = target("campaign.create", Some(id), Some("Sécurité 4e"));
        assert_eq!(named.as_deref(), Some("Sécurité 4e"));
        let sso = target("learner.linked", Some(id), Some("sso"));
        assert_eq!(sso.as_deref(), Some(id), "details that are not a name");
        let count = target("learner.passwords_reset", None, Some("3"));
        assert_eq!(count.as_deref(), Some("3 élèves"));
        let email = target("invitation.sent", Some("a@b.fr"), Some("ADMIN"));
        assert_eq!(email.as_deref(), Some("a@b.fr"));
    }

    /// Every action the code writes to the audit log has its French label: the literals named
    /// in the few lines after each call of `audit(` or `audit_in(`, in the server and the store.
    #[test]
    fn every_audited_action_has_a_french_label() {
        let mut actions = std::collections::BTreeSet::new();
        for text in crate::rust_sources(&["server", "store"]) {
            for call in ["audit(", "audit_in("] {
                for (at, _) in text.match_indices(call) {
                    // By characters: a byte count could cut an accented letter in two.
                    let after: String = text[at..].chars().take(400).collect();
                    for literal in after.split('"').skip(1).step_by(2) {
                        let is_action = literal.split('.').count() == 2
                            && literal.split('.').all(|part| {
                                !part.is_empty()
                                    && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                            });
                        if is_action {
                            actions.insert(literal.to_owned());
                        }
                    }
                }
            }
        }
        assert!(actions.contains("organization.created"), "{actions:?}");
        assert!(actions.len() >= 20, "{actions:?}");
        for action in &actions {
            assert_ne!(&super::audit_label(action), action, "no label for {action}");
        }
    }
}
