//! Campagnes: list, creation, the campaign page (activity, results, settings).

use acquis_store::{CampaignKind, NewCampaign, StoreError};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::OrgaCtx;
use crate::auth::session::flash;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::t;
use crate::{AppState, views};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orga/{org}/campagnes", get(list).post(create))
        .route("/orga/{org}/campagnes/nouvelle", get(new_form))
        .route("/orga/{org}/campagnes/{id}", get(show))
        .route("/orga/{org}/campagnes/{id}/resultats", get(show_results))
        .route("/orga/{org}/campagnes/{id}/parametres", get(show_settings))
        .route("/orga/{org}/campagnes/{id}/analyse", get(show_analysis))
        .route("/orga/{org}/campagnes/{id}/archiver", post(archive))
        .route("/orga/{org}/campagnes/{id}/desarchiver", post(unarchive))
        .route("/orga/{org}/campagnes/{id}/modifier", post(update))
        .route(
            "/orga/{org}/campagnes/{id}/participations/{pid}/supprimer",
            post(delete_participation),
        )
}

#[derive(Deserialize, Default)]
struct ListQuery {
    /// `mes` (default) or `toutes`.
    onglet: Option<String>,
    /// `archivees` to see archived campaigns.
    statut: Option<String>,
    #[serde(default)]
    recherche: String,
}

async fn list(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mine = q.onglet.as_deref() != Some("toutes");
    let archived = q.statut.as_deref() == Some("archivees");
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let rows = tx
        .campaigns(archived, mine.then_some(ctx.user.id), q.recherche.trim())
        .await?;
    tx.commit().await?;
    let campaigns: Vec<_> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.campaign.id,
                "name": r.campaign.name,
                "code": r.campaign.code,
                "owner": format!("{} {}", r.owner_first_name, r.owner_last_name),
                "created_at": views::date(r.campaign.created_at),
                "participants": r.participants,
                "shared": r.shared,
            })
        })
        .collect();
    ctx.page("orga/campaigns.html", "campagnes")
        .await
        .with("campaigns", campaigns)
        .with("tab", if mine { "mes" } else { "toutes" })
        .with("archived", archived)
        .with("search", q.recherche.trim())
        .render()
}

async fn new_form(State(state): State<AppState>, ctx: OrgaCtx) -> AppResult<Response> {
    render_form(&state, &ctx, &CampaignForm::default(), &[]).await
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
struct CampaignForm {
    #[serde(default)]
    name: String,
    /// `ASSESSMENT` or `PROFILES_COLLECTION`.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target_profile_id: String,
    #[serde(default)]
    multiple_sendings: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    external_id_label: String,
    #[serde(default)]
    external_id_type: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    landing_text: String,
}

async fn render_form(
    state: &AppState,
    ctx: &OrgaCtx,
    form: &CampaignForm,
    errors: &[(&str, String)],
) -> AppResult<Response> {
    let profiles = state.store.offered_target_profiles().await?;
    let mut groups: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for p in profiles {
        let label = t(&format!(
            "category-{}",
            p.category.to_lowercase().replace('_', "-")
        ));
        let item = serde_json::json!({"id": p.id, "name": p.name, "description": p.description});
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, items)) => items.push(item),
            None => groups.push((label, vec![item])),
        }
    }
    let errors: serde_json::Map<String, serde_json::Value> = errors
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
        .collect();
    ctx.page("orga/campaign_new.html", "campagnes")
        .await
        .with(
            "groups",
            groups
                .into_iter()
                .map(|(label, items)| serde_json::json!({"label": label, "profiles": items}))
                .collect::<Vec<_>>(),
        )
        .with("form", form)
        .status(if errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        })
        .with("errors", errors)
        .render()
}

async fn create(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Form(form): Form<CampaignForm>,
) -> AppResult<Response> {
    let mut errors: Vec<(&str, String)> = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(("name", t("campaign-error-name")));
    } else if name.chars().count() > 255 {
        errors.push(("name", t("campaign-error-too-long")));
    }
    let kind = match form.kind.as_str() {
        "ASSESSMENT" => Some(CampaignKind::Assessment),
        "PROFILES_COLLECTION" => Some(CampaignKind::ProfilesCollection),
        _ => {
            errors.push(("kind", t("campaign-error-kind")));
            None
        }
    };
    let mut target_profile_id = None;
    if kind == Some(CampaignKind::Assessment) {
        let offered = state.store.offered_target_profiles().await?;
        match Uuid::parse_str(form.target_profile_id.trim())
            .ok()
            .filter(|id| offered.iter().any(|p| p.id == *id))
        {
            Some(id) => target_profile_id = Some(id),
            None => errors.push(("target_profile_id", t("campaign-error-target-profile"))),
        }
    }
    let (external_id_label, external_id_type) = if form.external_id == "oui" {
        let label = form.external_id_label.trim();
        if label.is_empty() {
            errors.push(("external_id_label", t("campaign-error-external-id-label")));
        } else if label.chars().count() > 255 {
            errors.push(("external_id_label", t("campaign-error-too-long")));
        }
        let ty = if form.external_id_type == "EMAIL" {
            "EMAIL"
        } else {
            "TEXT"
        };
        (Some(label.to_owned()), Some(ty))
    } else {
        (None, None)
    };
    if form.title.chars().count() > 50 {
        errors.push(("title", t("campaign-error-title-too-long")));
    }
    if form.landing_text.chars().count() > 5000 {
        errors.push(("landing_text", t("campaign-error-too-long")));
    }
    if !errors.is_empty() {
        return render_form(&state, &ctx, &form, &errors).await;
    }
    let kind = kind.unwrap_or(CampaignKind::Assessment);
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let new = NewCampaign {
        name: name.to_owned(),
        kind,
        target_profile_id,
        title: non_empty(&form.title),
        landing_text: non_empty(&form.landing_text),
        external_id_label,
        external_id_type,
        multiple_sendings: form.multiple_sendings == "oui",
        owner_id: ctx.user.id,
    };
    // A fresh code collides with an existing one about once in 10^10; retry a few times.
    for _ in 0..5 {
        let code = acquis_tenants::campaign_code();
        let mut tx = state.store.tenant_tx(&ctx.scope).await?;
        match tx.create_campaign(&new, &code).await {
            Ok(c) => {
                tx.audit("campaign.create", Some(&c.id.to_string()), Some(&c.name))
                    .await?;
                tx.commit().await?;
                flash(&ctx.session, t("campaign-created")).await?;
                return Ok(see_other(
                    &ctx.path(&format!("/campagnes/{}/parametres", c.id)),
                ));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free campaign code after 5 attempts"
    )))
}

async fn campaign_page(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
    tab: &str,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    let participants = tx.participants(id).await?;
    // The team is only needed to hand the campaign over (Paramètres).
    let members = if tab == "parametres" {
        tx.members().await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let members: Vec<_> = members
        .iter()
        .map(|m| {
            serde_json::json!({
                "id": m.user_id,
                "name": format!("{} {}", m.first_name, m.last_name),
                "owner": m.user_id == campaign.owner_id,
            })
        })
        .collect();
    let profile = match campaign.target_profile_id {
        Some(tp) => state.store.target_profile(tp).await?,
        None => None,
    };
    let shared = participants
        .iter()
        .filter(|p| p.participation.is_shared())
        .count();
    let rows: Vec<_> = participants
        .iter()
        .map(|p| {
            let pa = &p.participation;
            serde_json::json!({
                "id": pa.id,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "external_id": pa.external_id,
                "status": if pa.is_shared() { t("participation-status-shared") } else { t("participation-status-started") },
                "shared": pa.is_shared(),
                "shared_at": pa.shared_at.map(views::date),
                "created_at": views::date(pa.created_at),
                "mastery": pa.mastery_percent,
                "pix": pa.pix_score,
                "stage": pa.results.as_deref()
                    .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
                    .and_then(|r| r.get("stage_title").cloned()),
            })
        })
        .collect();
    let average = {
        let m: Vec<i32> = participants
            .iter()
            .filter_map(|p| p.participation.mastery_percent)
            .collect();
        (!m.is_empty()).then(|| (m.iter().sum::<i32>() as f64 / m.len() as f64).round() as i32)
    };
    // "Répartition des participants par résultat": ten buckets (0–10 %, 11–20 %, … 91–100 %).
    let mut buckets = [0usize; 10];
    let mut stages: Vec<(u64, u64)> = Vec::new();
    let charted = if tab == "resultats" {
        participants.as_slice()
    } else {
        &[]
    };
    for p in charted
        .iter()
        .map(|p| &p.participation)
        .filter(|p| p.is_shared())
    {
        if let Some(m) = p.mastery_percent {
            let i = if m <= 10 {
                0
            } else {
                ((m - 1) / 10).clamp(0, 9) as usize
            };
            buckets[i] += 1;
        }
        if let Some(r) = p
            .results
            .as_deref()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
            && let (Some(reached), Some(total)) =
                (r["stage_reached"].as_u64(), r["stage_total"].as_u64())
            && total > 0
        {
            stages.push((reached, total));
        }
    }
    let most = buckets.iter().copied().max().unwrap_or(0).max(1);
    let distribution: Vec<_> = buckets
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            serde_json::json!({
                "label": if i == 0 { "0–10 %".to_owned() } else { format!("{}–{} %", i * 10 + 1, (i + 1) * 10) },
                "count": n,
                "width": n * 100 / most,
            })
        })
        .collect();
    let average_stage = (!stages.is_empty()).then(|| {
        let reached: u64 = stages.iter().map(|s| s.0).sum();
        serde_json::json!({
            "reached": (reached as f64 / stages.len() as f64 * 10.0).round() / 10.0,
            "total": stages[0].1,
        })
    });
    let is_profiles = campaign.kind() == CampaignKind::ProfilesCollection;
    let analysis_json = match (tab, &profile) {
        ("analyse", Some(tp)) if !is_profiles => {
            let catalog = state.contents.catalog(&tp.package_digest).await?;
            let shared: Vec<&acquis_store::Participation> = participants
                .iter()
                .map(|p| &p.participation)
                .filter(|p| p.is_shared())
                .collect();
            catalog
                .profile(&tp.profile_key)
                .map(|goal| analysis(&catalog, goal, &shared))
        }
        _ => None,
    };
    ctx.page("orga/campaign.html", "campagnes")
        .await
        .with(
            "campaign",
            serde_json::json!({
                "id": campaign.id,
                "name": campaign.name,
                "code": campaign.code,
                "title": campaign.title,
                "landing_text": campaign.landing_text,
                "is_profiles": is_profiles,
                "multiple_sendings": campaign.multiple_sendings,
                "external_id_label": campaign.external_id_label,
                "archived": campaign.archived_at.is_some(),
                "created_at": views::date(campaign.created_at),
                "target_profile": profile.map(|p| p.name),
                "can_edit": ctx.is_admin() || campaign.owner_id == ctx.user.id,
            }),
        )
        .with("participants", rows)
        .with("members", members)
        .with(
            "direct_link",
            format!(
                "{}/campagnes/{}",
                state.config.base_url.trim_end_matches('/'),
                campaign.code
            ),
        )
        .with("participant_count", participants.len())
        .with("shared_count", shared)
        .with("average", average)
        .with("distribution", distribution)
        .with("average_stage", average_stage)
        .with("tab", tab)
        .with("analysis", analysis_json)
        .render()
}

async fn show(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    campaign_page(&state, &ctx, id, "activite").await
}

async fn show_results(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    campaign_page(&state, &ctx, id, "resultats").await
}

async fn show_analysis(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    campaign_page(&state, &ctx, id, "analyse").await
}

/// "Recommandation de sujets à travailler": every tube of the profile with its average
/// relevance over the participants who sent their results (the knowledge they sent), lowest
/// (most to work on) first; and the average mastery per competence.
fn analysis(
    catalog: &crate::content::Catalog,
    goal: &crate::content::Goal,
    shared: &[&acquis_store::Participation],
) -> serde_json::Value {
    use acquis_engine::scoring;
    let bank = &catalog.bank;
    let results: Vec<serde_json::Value> = shared
        .iter()
        .filter_map(|p| p.results.as_deref())
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    let knowledges: Vec<acquis_engine::knowledge::Knowledge> = results
        .iter()
        .map(|r| {
            let rows: Vec<(String, String)> =
                serde_json::from_value(r["knowledge"].clone()).unwrap_or_default();
            catalog.knowledge(&rows)
        })
        .collect();
    let mut tubes: Vec<_> = goal
        .target
        .skills
        .iter()
        .map(|&s| bank.skill(s).tube)
        .collect();
    tubes.sort_unstable();
    tubes.dedup();
    let mut rows: Vec<(f64, serde_json::Value)> = tubes
        .into_iter()
        .map(|ti| {
            let score = scoring::average_relevance(bank, &goal.target, ti, &knowledges);
            let dots = scoring::recommendation_dots(score);
            let tube = &bank.tubes[ti as usize];
            let competence = &catalog.competences[tube.competence as usize];
            let mut tutorials: Vec<&str> = tube
                .skills
                .iter()
                .filter(|&&s| goal.target.contains(s))
                .flat_map(|&s| catalog.skill_tutorials[s as usize].iter())
                .map(|&i| catalog.tutorials[i].title.as_str())
                .collect();
            tutorials.dedup();
            let info = &catalog.tubes[ti as usize];
            (
                score,
                serde_json::json!({
                    "title": info.title,
                    "description": info.description,
                    "competence": format!("{} {}", competence.code, competence.name),
                    "area": catalog.areas[competence.area].name,
                    "dots": dots,
                    "label": t(&format!("relevance-{dots}")),
                    "tutorials": tutorials,
                }),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut per_competence: Vec<(String, String, u32, u32)> = Vec::new();
    for r in &results {
        for c in r["competences"].as_array().into_iter().flatten() {
            let code = c["code"].as_str().unwrap_or_default().to_owned();
            let mastery = c["mastery"].as_u64().unwrap_or(0) as u32;
            match per_competence.iter_mut().find(|x| x.0 == code) {
                Some(x) => {
                    x.2 += mastery;
                    x.3 += 1;
                }
                None => per_competence.push((
                    code,
                    c["name"].as_str().unwrap_or_default().to_owned(),
                    mastery,
                    1,
                )),
            }
        }
    }
    serde_json::json!({
        "participants": results.len(),
        "tubes": rows.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "competences": per_competence.iter().map(|(code, name, sum, n)| serde_json::json!({
            "name": format!("{code} {name}"),
            "mastery": (f64::from(*sum) / f64::from(*n)).round(),
        })).collect::<Vec<_>>(),
    })
}

async fn show_settings(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    campaign_page(&state, &ctx, id, "parametres").await
}

async fn set_archived(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
    archived: bool,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    if !(ctx.is_admin() || campaign.owner_id == ctx.user.id) {
        return Err(AppError::Forbidden(t("campaign-error-not-owner")));
    }
    tx.set_campaign_archived(id, archived).await?;
    tx.audit(
        if archived {
            "campaign.archive"
        } else {
            "campaign.unarchive"
        },
        Some(&id.to_string()),
        None,
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        t(if archived {
            "campaign-archived"
        } else {
            "campaign-unarchived"
        }),
    )
    .await?;
    Ok(see_other(&ctx.path(&format!("/campagnes/{id}/parametres"))))
}

async fn archive(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    set_archived(&state, &ctx, id, true).await
}

async fn unarchive(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    set_archived(&state, &ctx, id, false).await
}

/// "Supprimer cette participation ?" (campaign owner or administrator).
async fn delete_participation(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id, pid)): Path<(Uuid, Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    if !(ctx.is_admin() || campaign.owner_id == ctx.user.id) {
        return Err(AppError::Forbidden(t("participation-delete-not-allowed")));
    }
    if tx.delete_participation(id, pid, ctx.user.id).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.audit(
        "participation.deleted",
        Some(&pid.to_string()),
        Some(&id.to_string()),
    )
    .await?;
    tx.commit().await?;
    flash(&ctx.session, t("participation-deleted-done")).await?;
    Ok(see_other(&ctx.path(&format!("/campagnes/{id}"))))
}

#[derive(Deserialize, Default)]
struct UpdateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    landing_text: String,
    #[serde(default)]
    owner_id: String,
}

/// "Modifier" (owner or administrator): name, title, landing text and owner.
async fn update(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
    Form(form): Form<UpdateForm>,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    if !(ctx.is_admin() || campaign.owner_id == ctx.user.id) {
        return Err(AppError::Forbidden(t("campaign-error-not-owner")));
    }
    let members = tx.members().await?;
    let name = form.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(t("campaign-error-name"));
    } else if name.chars().count() > 255 {
        errors.push(t("campaign-error-too-long"));
    }
    if form.title.trim().chars().count() > 50 {
        errors.push(t("campaign-error-title-too-long"));
    }
    if form.landing_text.chars().count() > 5000 {
        errors.push(t("campaign-error-too-long"));
    }
    let owner = match Uuid::parse_str(form.owner_id.trim()) {
        Ok(o) if members.iter().any(|m| m.user_id == o) => o,
        Err(_) if form.owner_id.trim().is_empty() => campaign.owner_id,
        _ => {
            errors.push(t("campaign-error-owner"));
            campaign.owner_id
        }
    };
    if !errors.is_empty() {
        drop(tx);
        return Err(AppError::Page {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            title: t("form-errors-title"),
            message: errors.join(" "),
        });
    }
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    tx.update_campaign(
        id,
        name,
        non_empty(&form.title).as_deref(),
        non_empty(&form.landing_text).as_deref(),
        owner,
    )
    .await?;
    tx.audit("campaign.update", Some(&id.to_string()), Some(name))
        .await?;
    tx.commit().await?;
    flash(&ctx.session, t("campaign-updated")).await?;
    Ok(see_other(&ctx.path(&format!("/campagnes/{id}/parametres"))))
}
