//! Équipe: members and invitations. Administrators act; members read.

use crate::form::{Form, Path};
use acquis_store::{Invitation, Member, StoreError};
use acquis_tenants::{EmailListError, Role, invitation_code, parse_email_list};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::OrgaCtx;
use crate::AppState;
use crate::auth::session::flash;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args, t_count};
use crate::mail::Mail;

/// "Renvoyer l'invitation" is accepted at most once per 5 seconds per invitation.
const RESEND_INTERVAL: Duration = Duration::seconds(5);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orga/{org}/equipe", get(members))
        .route("/orga/{org}/equipe/invitations", get(invitations))
        .route("/orga/{org}/equipe/inviter", get(invite_form).post(invite))
        .route("/orga/{org}/equipe/invitations/{id}/renvoyer", post(resend))
        .route("/orga/{org}/equipe/invitations/{id}/annuler", post(cancel))
        .route("/orga/{org}/equipe/membres/{id}/role", post(change_role))
        .route("/orga/{org}/equipe/membres/{id}/retirer", post(remove))
        .route("/orga/{org}/equipe/quitter", post(leave))
}

pub fn role_label(role: Option<Role>) -> String {
    match role {
        Some(Role::Admin) => t("role-admin"),
        Some(Role::Member) => t("role-member"),
        None => t("role-auto"),
    }
}

struct TeamData {
    members: Vec<Member>,
    invitations: Vec<Invitation>,
}

async fn load(state: &AppState, ctx: &OrgaCtx) -> AppResult<TeamData> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let members = tx.members().await?;
    let invitations = tx.pending_invitations().await?;
    tx.commit().await?;
    Ok(TeamData {
        members,
        invitations,
    })
}

async fn team_page(state: &AppState, ctx: &OrgaCtx, tab: &str) -> AppResult<crate::views::Page> {
    let data = load(state, ctx).await?;
    let my_membership = ctx
        .memberships
        .iter()
        .find(|m| m.membership.tenant.0 == ctx.org_id)
        .map(|m| m.membership.id);
    let members: Vec<_> = data
        .members
        .iter()
        .map(|m| {
            serde_json::json!({
                "id": m.membership_id,
                "last_name": m.last_name,
                "first_name": m.first_name,
                "email": m.email,
                "role": m.role().as_str(),
                "role_label": role_label(Some(m.role())),
                "is_me": Some(m.membership_id) == my_membership,
            })
        })
        .collect();
    let invitations: Vec<_> = data
        .invitations
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id,
                "email": i.email,
                "role_label": role_label(i.role()),
                "last_sent": crate::views::date_time(i.updated_at),
            })
        })
        .collect();
    Ok(ctx
        .page("orga/team.html", "equipe")
        .await
        .with("tab", tab)
        .with("members", members)
        .with("invitations", invitations))
}

async fn members(State(state): State<AppState>, ctx: OrgaCtx) -> AppResult<Response> {
    team_page(&state, &ctx, "membres").await?.render()
}

async fn invitations(State(state): State<AppState>, ctx: OrgaCtx) -> AppResult<Response> {
    team_page(&state, &ctx, "invitations").await?.render()
}

async fn invite_form(ctx: OrgaCtx) -> AppResult<Response> {
    ctx.scope.require_admin()?;
    ctx.page("orga/invite.html", "equipe").await.render()
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    emails: acquis_input::Text<acquis_input::FreeText>,
    #[serde(default)]
    role: String,
}

/// Sends an invitation e-mail; the invitation itself is already committed.
pub async fn send_invitation(
    state: &AppState,
    organization_name: &str,
    inv: &Invitation,
) -> anyhow::Result<()> {
    let link = format!(
        "{}/rejoindre?invitationId={}&code={}",
        state.config.base_url, inv.id, inv.code
    );
    let mut ctx = tera::Context::new();
    ctx.insert("organization_name", organization_name);
    ctx.insert("link", &link);
    let text = crate::views::render_string("mail/invitation.txt", &ctx)?;
    let html = crate::views::render_string("mail/invitation.html", &ctx)?;
    state
        .send_mail(Mail {
            to: &inv.email,
            subject: t_args(
                "mail-invitation-subject",
                &[("organization", organization_name)],
            ),
            text,
            html: Some(html),
            link: &link,
        })
        .await
}

async fn invite(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    ctx.scope.require_admin()?;
    let Some(role) = Role::parse(&form.role) else {
        return ctx
            .page("orga/invite.html", "equipe")
            .await
            .with("error", t("role-unknown"))
            .with("emails", form.emails.trim())
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render();
    };
    let emails = match parse_email_list(&form.emails) {
        Ok(list) => list,
        Err(e) => {
            let error = match e {
                EmailListError::Empty => t("invite-empty"),
                EmailListError::Invalid(bad) => t_args(
                    "invite-invalid",
                    &[(
                        "emails",
                        &bad.iter()
                            .map(|b| b.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )],
                ),
            };
            return ctx
                .page("orga/invite.html", "equipe")
                .await
                .with("error", error)
                .with("emails", form.emails.trim())
                .with("role", role.as_str())
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render();
        }
    };
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let mut sent = Vec::with_capacity(emails.len());
    for email in &emails {
        let (inv, _new) = tx.invite(email, Some(role), &invitation_code()).await?;
        tx.audit("invitation.sent", Some(email), Some(role.as_str()))
            .await?;
        sent.push(inv);
    }
    tx.commit().await?;
    let mut failed = Vec::new();
    for inv in &sent {
        if let Err(e) = send_invitation(&state, &ctx.org_name, inv).await {
            tracing::warn!(error = ?e, to = %inv.email, "invitation e-mail not sent");
            failed.push(inv.email.clone());
        }
    }
    let message = if failed.is_empty() {
        t_count("invite-sent", sent.len() as i64)
    } else {
        t_args("invite-mail-failed", &[("emails", &failed.join(", "))])
    };
    flash(&ctx.session, message).await?;
    Ok(see_other(&ctx.path("/equipe/invitations")))
}

async fn resend(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    ctx.scope.require_admin()?;
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let inv = tx.invitation(id).await?.ok_or(AppError::NotFound)?;
    if inv.status() != acquis_store::InvitationStatus::Pending {
        return Err(AppError::NotFound);
    }
    if OffsetDateTime::now_utc() - inv.updated_at < RESEND_INTERVAL {
        drop(tx);
        flash(&ctx.session, t("invite-resend-too-soon")).await?;
        return Ok(see_other(&ctx.path("/equipe/invitations")));
    }
    let inv = tx.touch_invitation(id).await?;
    tx.audit("invitation.resent", Some(&inv.email), None)
        .await?;
    tx.commit().await?;
    let message = match send_invitation(&state, &ctx.org_name, &inv).await {
        Ok(()) => t_args("invite-resent", &[("email", &inv.email)]),
        Err(e) => {
            tracing::warn!(error = ?e, to = %inv.email, "invitation e-mail not sent");
            t_args("invite-mail-failed", &[("emails", &inv.email)])
        }
    };
    flash(&ctx.session, message).await?;
    Ok(see_other(&ctx.path("/equipe/invitations")))
}

async fn cancel(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    ctx.scope.require_admin()?;
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let inv = tx.invitation(id).await?.ok_or(AppError::NotFound)?;
    tx.cancel_invitation(id).await?;
    tx.audit("invitation.cancelled", Some(&inv.email), None)
        .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        t_args("invite-cancelled", &[("email", &inv.email)]),
    )
    .await?;
    Ok(see_other(&ctx.path("/equipe/invitations")))
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    ctx.scope.require_admin()?;
    let role = Role::parse(&form.role).ok_or_else(|| AppError::BadRequest(t("role-unknown")))?;
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let member = tx.member(id).await?.ok_or(AppError::NotFound)?;
    match tx.set_role(id, role).await {
        Ok(()) => {}
        Err(StoreError::LastAdmin) => {
            drop(tx);
            flash(&ctx.session, t("team-last-admin-demote")).await?;
            return Ok(see_other(&ctx.path("/equipe")));
        }
        Err(e) => return Err(e.into()),
    }
    tx.audit(
        "membership.role_changed",
        member.email.as_deref(),
        Some(&format!("{} -> {}", member.role().as_str(), role.as_str())),
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        t_args(
            "team-role-changed",
            &[
                (
                    "name",
                    &format!("{} {}", member.first_name, member.last_name),
                ),
                ("role", &role_label(Some(role))),
            ],
        ),
    )
    .await?;
    Ok(see_other(&ctx.path("/equipe")))
}

async fn remove(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    ctx.scope.require_admin()?;
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let member = tx.member(id).await?.ok_or(AppError::NotFound)?;
    match tx.disable_membership(id).await {
        Ok(()) => {}
        Err(StoreError::LastAdmin) => {
            drop(tx);
            flash(&ctx.session, t("team-last-admin-remove")).await?;
            return Ok(see_other(&ctx.path("/equipe")));
        }
        Err(e) => return Err(e.into()),
    }
    tx.audit("membership.removed", member.email.as_deref(), None)
        .await?;
    tx.commit().await?;
    let name = format!("{} {}", member.first_name, member.last_name);
    flash(
        &ctx.session,
        t_args("team-member-removed", &[("name", &name)]),
    )
    .await?;
    if member.user_id == ctx.user.id {
        return Ok(see_other("/orga"));
    }
    Ok(see_other(&ctx.path("/equipe")))
}

async fn leave(State(state): State<AppState>, ctx: OrgaCtx) -> AppResult<Response> {
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let me = tx
        .membership_of_user(ctx.user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    match tx.disable_membership(me.id).await {
        Ok(()) => {}
        Err(StoreError::LastAdmin) => {
            drop(tx);
            flash(&ctx.session, t("team-last-admin-leave")).await?;
            return Ok(see_other(&ctx.path("/equipe")));
        }
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    tx.audit("membership.left", ctx.user.email.as_deref(), None)
        .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        t_args("team-left", &[("organization", &ctx.org_name)]),
    )
    .await?;
    Ok(see_other("/mon-compte"))
}
