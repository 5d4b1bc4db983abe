//! Campagnes: list, creation, the campaign page (activity, results, settings).

use crate::form::{Form, Path, Query, RawQuery};
use acquis_store::{CampaignKind, NewCampaign, ParticipantFilter, StoreError, Submission};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::OrgaCtx;
use crate::auth::session::flash;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};
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
            "/orga/{org}/campagnes/{id}/supprimer",
            post(delete_campaign),
        )
        .route(
            "/orga/{org}/campagnes/{id}/participants/{pid}",
            get(participant),
        )
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
    let form = CampaignForm {
        kind: "ASSESSMENT".into(),
        multiple_sendings: "non".into(),
        external_id: "non".into(),
        external_id_type: "TEXT".into(),
        submission: Uuid::new_v4().to_string(),
        ..CampaignForm::default()
    };
    render_form(&state, &ctx, &form, &[]).await
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
    /// The random key the form was rendered with: a second submission of it creates nothing.
    #[serde(default)]
    submission: String,
}

/// A target profile category's French label (`ACQUIS_DISCOVERY` → « Découverte »).
pub fn category_label(category: &str) -> String {
    t(&format!(
        "category-{}",
        category.to_lowercase().replace('_', "-")
    ))
}

async fn render_form(
    state: &AppState,
    ctx: &OrgaCtx,
    form: &CampaignForm,
    errors: &[(&str, String)],
) -> AppResult<Response> {
    let profiles = state
        .store
        .offered_target_profiles(ctx.scope.tenant())
        .await?;
    let mut groups: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for p in profiles {
        let label = category_label(&p.category);
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

/// A form's choice among known values: anything else is refused, never read as a default.
fn choice<T: Copy>(value: &str, known: &[(&str, T)]) -> Option<T> {
    known.iter().find(|(k, _)| *k == value).map(|(_, v)| *v)
}

/// A one-value field normalised by its kind; a refusal goes beside the field.
fn text<K: acquis_input::Kind>(
    errors: &mut Vec<(&'static str, String)>,
    field: &'static str,
    raw: &str,
) -> String {
    match acquis_input::Text::<K>::parse(raw) {
        Ok(t) => t.into_string(),
        Err(p) => {
            errors.push((field, crate::form::problem_message(field, p)));
            String::new()
        }
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Form(form): Form<CampaignForm>,
) -> AppResult<Response> {
    use acquis_input::{FreeText, Title};
    let mut errors: Vec<(&str, String)> = Vec::new();
    let name = text::<Title>(&mut errors, "name", &form.name);
    if name.is_empty() && errors.is_empty() {
        errors.push(("name", t("campaign-error-name")));
    }
    let kind = choice(
        &form.kind,
        &[
            ("ASSESSMENT", CampaignKind::Assessment),
            ("PROFILES_COLLECTION", CampaignKind::ProfilesCollection),
        ],
    );
    if kind.is_none() {
        errors.push(("kind", t("campaign-error-kind")));
    }
    // A radio left unchecked is « Non »; a value the form never offers is refused.
    let yes_no = [("oui", true), ("non", false), ("", false)];
    let multiple_sendings = choice(&form.multiple_sendings, &yes_no);
    if multiple_sendings.is_none() {
        errors.push(("multiple_sendings", t("campaign-error-choice")));
    }
    let with_external_id = choice(&form.external_id, &yes_no);
    if with_external_id.is_none() {
        errors.push(("external_id", t("campaign-error-choice")));
    }
    let mut target_profile_id = None;
    if kind == Some(CampaignKind::Assessment) {
        let offered = state
            .store
            .offered_target_profiles(ctx.scope.tenant())
            .await?;
        match Uuid::parse_str(form.target_profile_id.trim())
            .ok()
            .filter(|id| offered.iter().any(|p| p.id == *id))
        {
            Some(id) => target_profile_id = Some(id),
            None => errors.push(("target_profile_id", t("campaign-error-target-profile"))),
        }
    }
    let (external_id_label, external_id_type) = if with_external_id == Some(true) {
        let label = text::<Title>(&mut errors, "external_id_label", &form.external_id_label);
        if label.is_empty() && !errors.iter().any(|(f, _)| *f == "external_id_label") {
            errors.push(("external_id_label", t("campaign-error-external-id-label")));
        }
        let ty = choice(
            &form.external_id_type,
            &[("TEXT", "TEXT"), ("EMAIL", "EMAIL"), ("", "TEXT")],
        );
        if ty.is_none() {
            errors.push(("external_id_type", t("campaign-error-choice")));
        }
        (Some(label), ty)
    } else {
        (None, None)
    };
    let title = text::<Title>(&mut errors, "title", &form.title);
    if title.chars().count() > 50 {
        errors.push(("title", t("campaign-error-title-too-long")));
    }
    let landing_text = text::<FreeText>(&mut errors, "landing_text", &form.landing_text);
    let submission = match form.submission.trim() {
        "" => None,
        key => Some(Uuid::parse_str(key).map_err(|_| crate::form::malformed())?),
    };
    if !errors.is_empty() {
        return render_form(&state, &ctx, &form, &errors).await;
    }
    let (Some(kind), Some(multiple_sendings)) = (kind, multiple_sendings) else {
        return render_form(&state, &ctx, &form, &errors).await;
    };
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    let new = NewCampaign {
        name,
        kind,
        target_profile_id,
        title: non_empty(title),
        landing_text: non_empty(landing_text),
        external_id_label,
        external_id_type,
        multiple_sendings,
        owner_id: ctx.user.id,
    };
    // A fresh code collides with an existing one about once in 10^10; retry a few times.
    for _ in 0..5 {
        let code = acquis_tenants::campaign_code();
        let mut tx = state.store.tenant_tx(&ctx.scope).await?;
        if let Some(key) = submission
            && let Submission::Again(target) = tx.claim_submission(key).await?
        {
            // The same form sent again (a double click): where the first one went.
            tx.commit().await?;
            let to = target.unwrap_or_else(|| ctx.path("/campagnes"));
            return Ok(see_other(&to));
        }
        match tx.create_campaign(&new, &code).await {
            Ok(c) => {
                let to = ctx.path(&format!("/campagnes/{}/parametres", c.id));
                if let Some(key) = submission {
                    tx.submission_led_to(key, &to).await?;
                }
                tx.audit("campaign.create", Some(&c.id.to_string()), Some(&c.name))
                    .await?;
                tx.commit().await?;
                flash(&ctx.session, t("campaign-created")).await?;
                return Ok(see_other(&to));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free campaign code after 5 attempts"
    )))
}

/// What the Activité and Résultats tabs filter on, from the query string.
struct TabFilter {
    filter: ParticipantFilter,
    /// The query without the page, for pagination links.
    base_query: String,
    filtered: bool,
}

const PAGE_SIZES: [i64; 4] = [10, 25, 50, 100];

fn tab_filter(raw: &str, tab: &str) -> TabFilter {
    let pairs = super::query_pairs(raw);
    let values = |key: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    };
    let first = |key: &str| values(key).into_iter().next().unwrap_or_default();
    let per_page = first("par_page")
        .parse()
        .ok()
        .filter(|n| PAGE_SIZES.contains(n))
        .unwrap_or(PAGE_SIZES[1]);
    let shared = match (tab, first("statut").as_str()) {
        ("resultats", _) => Some(true),
        (_, "envoye") => Some(true),
        (_, "en-cours") => Some(false),
        _ => None,
    };
    let keep: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "page" && !v.trim().is_empty())
        .cloned()
        .collect();
    TabFilter {
        filter: ParticipantFilter {
            search: first("recherche"),
            divisions: values("classe"),
            stages: values("palier")
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect(),
            shared,
            certifiable: match first("certificabilite").as_str() {
                "oui" => Some(true),
                "non" => Some(false),
                _ => None,
            },
            badges: values("badge"),
            latest_first: false,
            page: first("page").parse().unwrap_or(1i64).max(1),
            per_page,
        },
        base_query: super::encode_pairs(&keep),
        filtered: keep.iter().any(|(k, _)| k != "par_page"),
    }
}

/// ★ per stage reached above the zero stage, ☆ for the others.
fn stars(reached: Option<i32>, total: Option<i32>) -> Option<serde_json::Value> {
    let (r, n) = (reached?, total?);
    (n > 0).then(|| {
        serde_json::json!({
            "stars": format!("{}{}", "★".repeat(r.clamp(0, n) as usize), "☆".repeat((n - r.clamp(0, n)) as usize)),
            "label": t_args("campaign-stage-of", &[("reached", &r.to_string()), ("total", &n.to_string())]),
        })
    })
}

async fn campaign_page(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
    tab: &str,
    raw_query: &str,
) -> AppResult<Response> {
    let mut tf = tab_filter(raw_query, tab);
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    let is_profiles = campaign.kind() == CampaignKind::ProfilesCollection;
    // Profiles received: the latest first, as staff read them when they come in.
    tf.filter.latest_first = is_profiles && tab == "resultats";
    let figures = tx.campaign_figures(id, tab == "activite").await?;
    let listed = matches!(tab, "activite" | "resultats");
    let f = &tf.filter;
    // Without filters but the status, the figures already count the list.
    let known_total = (f.search.trim().is_empty()
        && f.divisions.is_empty()
        && f.stages.is_empty()
        && f.badges.is_empty()
        && f.certifiable.is_none())
    .then_some(match f.shared {
        Some(true) => figures.shared,
        Some(false) => figures.participants - figures.shared,
        None => figures.participants,
    });
    let (page, divisions) = if listed {
        (
            Some(tx.participants_page(id, f, known_total).await?),
            tx.participant_divisions(id).await?,
        )
    } else {
        (None, Vec::new())
    };
    // The team is only needed to hand the campaign over (Paramètres).
    let members = if tab == "parametres" {
        tx.members().await?
    } else {
        Vec::new()
    };
    let mut shared_results = Vec::new();
    if tab == "analyse" {
        for (pid, digest) in tx.shared_digests(id).await? {
            // Sent before digests existed: its results are read to compute one.
            let results = match digest {
                None => tx.sent_results(pid).await?,
                Some(_) => None,
            };
            shared_results.push((pid, digest, results));
        }
    }
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
    // The profile's badges (key, title), for the Résultats column and filter.
    let badges: Vec<(String, String)> = match (&profile, tab) {
        (Some(tp), "resultats") => {
            let catalog = state.contents.catalog(&tp.package_digest).await?;
            catalog
                .profile(&tp.profile_key)
                .map(|g| {
                    g.badges
                        .iter()
                        .map(|b| (b.key.clone(), b.title.clone()))
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let rows: Vec<_> = page
        .as_ref()
        .map(|p| p.rows.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let shared = p.status == "SHARED";
            serde_json::json!({
                "id": p.id,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "division": p.division,
                "external_id": p.external_id,
                "status": if shared { t("participation-status-shared") } else { t("participation-status-started") },
                "shared": shared,
                "shared_at": p.shared_at.map(views::date),
                "created_at": views::date(p.created_at),
                "mastery": p.mastery_percent,
                "pix": p.pix_score,
                "stage": stars(p.stage_reached, p.stage_total),
                "certifiable": p.certifiable,
                "certifiable_competences": p.certifiable_competences,
                "badges": p.badges.as_deref().map(|keys| {
                    badges
                        .iter()
                        .filter(|(k, _)| keys.contains(&format!(",{k},")))
                        .map(|(_, title)| title.as_str())
                        .collect::<Vec<_>>()
                }),
            })
        })
        .collect();
    let (listed_total, pages) = match &page {
        Some(p) => (
            p.total,
            ((p.total + tf.filter.per_page - 1) / tf.filter.per_page).max(1),
        ),
        None => (0, 1),
    };
    // "Répartition des participants par résultat": ten buckets (0–10 %, 11–20 %, … 91–100 %).
    let most = figures.buckets.iter().copied().max().unwrap_or(0).max(1);
    let distribution: Vec<_> = figures
        .buckets
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            serde_json::json!({
                "label": if i == 0 { "0–10\u{a0}%".to_owned() } else { format!("{}–{}\u{a0}%", i * 10 + 1, (i + 1) * 10) },
                "count": n,
                "width": n * 100 / most,
            })
        })
        .collect();
    let stage_total = figures.stage_total.unwrap_or(0).max(0) as u64;
    let stage_bars = if stage_total > 0 {
        let mut reached = Vec::new();
        for &(stage, n) in &figures.stages {
            reached.extend(std::iter::repeat_n(stage.max(0) as u64, n as usize));
        }
        super::charts::by_stage(&reached, stage_total)
    } else {
        Vec::new()
    };
    let average_stage = figures.average_stage.filter(|_| stage_total > 0).map(|a| {
        // French decimal comma: « 1,5 sur 3 ».
        let reached = format!("{:.1}", (a * 10.0).round() / 10.0).replace('.', ",");
        serde_json::json!({"reached": reached.trim_end_matches(",0"), "total": stage_total})
    });
    let activity = if tab == "activite" {
        let started: Vec<_> = figures.days.iter().map(|d| views::paris_day(d.0)).collect();
        let shared_on: Vec<_> = figures
            .days
            .iter()
            .filter_map(|d| d.1.map(views::paris_day))
            .collect();
        super::charts::cumulative_by_day(
            &started,
            &shared_on,
            views::paris_day(time::OffsetDateTime::now_utc()),
        )
    } else {
        None
    };
    let analysis_json = match (tab, &profile) {
        ("analyse", Some(tp)) if !is_profiles => {
            let catalog = state.contents.catalog(&tp.package_digest).await?;
            let shared: Vec<_> = shared_results
                .into_iter()
                .map(|(id, digest, results)| super::analysis::Shared {
                    id,
                    digest,
                    results,
                })
                .collect();
            match catalog.profile(&tp.profile_key) {
                Some(goal) => {
                    let (json, computed) = super::analysis::analysis(&catalog, goal, &shared);
                    // Results sent before digests existed: computed once, kept for next time.
                    if !computed.is_empty() {
                        let mut tx = state.store.tenant_tx(&ctx.scope).await?;
                        tx.keep_digests(&computed).await?;
                        tx.commit().await?;
                    }
                    Some(json)
                }
                None => None,
            }
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
                "can_edit": may_manage(ctx, &campaign),
            }),
        )
        .with("participants", rows)
        .with("listed_total", listed_total)
        .with("page", tf.filter.page.min(pages))
        .with("pages", pages)
        .with("per_page", tf.filter.per_page)
        .with("page_sizes", PAGE_SIZES)
        .with("base_query", tf.base_query)
        .with("filtered", tf.filtered)
        .with(
            "q",
            serde_json::json!({
                "recherche": tf.filter.search,
                "classes": tf.filter.divisions,
                "paliers": tf.filter.stages,
                "badges": tf.filter.badges,
                "certificabilite": match tf.filter.certifiable {
                    Some(true) => "oui",
                    Some(false) => "non",
                    None => "",
                },
                "statut": match (tab, tf.filter.shared) {
                    ("activite", Some(true)) => "envoye",
                    ("activite", Some(false)) => "en-cours",
                    _ => "",
                },
            }),
        )
        .with("divisions", divisions)
        .with("stage_choices", (0..=stage_total).collect::<Vec<_>>())
        .with(
            "badge_choices",
            badges
                .iter()
                .map(|(key, title)| serde_json::json!({"key": key, "title": title}))
                .collect::<Vec<_>>(),
        )
        .with("members", members)
        .with(
            "direct_link",
            format!(
                "{}/campagnes/{}",
                state.config.base_url.trim_end_matches('/'),
                campaign.code
            ),
        )
        .with("participant_count", figures.participants)
        .with("shared_count", figures.shared)
        .with("average", figures.average_mastery.map(|a| a.round() as i64))
        .with("distribution", distribution)
        .with("average_stage", average_stage)
        .with("stage_bars", stage_bars)
        .with("activity", activity)
        .with("tab", tab)
        .with("analysis", analysis_json)
        .render()
}

async fn show(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    campaign_page(
        &state,
        &ctx,
        id,
        "activite",
        raw.as_deref().unwrap_or_default(),
    )
    .await
}

async fn show_results(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    campaign_page(
        &state,
        &ctx,
        id,
        "resultats",
        raw.as_deref().unwrap_or_default(),
    )
    .await
}

async fn show_analysis(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    campaign_page(
        &state,
        &ctx,
        id,
        "analyse",
        raw.as_deref().unwrap_or_default(),
    )
    .await
}

async fn show_settings(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    campaign_page(
        &state,
        &ctx,
        id,
        "parametres",
        raw.as_deref().unwrap_or_default(),
    )
    .await
}

async fn set_archived(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
    archived: bool,
) -> AppResult<Response> {
    let (mut tx, campaign) = managed_campaign(state, ctx, id, "campaign-error-not-owner").await?;
    tx.set_campaign_archived(id, archived).await?;
    tx.audit(
        if archived {
            "campaign.archive"
        } else {
            "campaign.unarchive"
        },
        Some(&id.to_string()),
        Some(&campaign.name),
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
    let (mut tx, _) =
        managed_campaign(&state, &ctx, id, "participation-delete-not-allowed").await?;
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

/// The campaign's owner and the establishment's administrators manage it.
fn may_manage(ctx: &OrgaCtx, campaign: &acquis_store::Campaign) -> bool {
    ctx.is_admin() || campaign.owner_id == ctx.user.id
}

/// A write transaction on a campaign the user manages; `refusal` names the French message.
async fn managed_campaign(
    state: &AppState,
    ctx: &OrgaCtx,
    id: Uuid,
    refusal: &str,
) -> AppResult<(acquis_store::TenantTx, acquis_store::Campaign)> {
    let mut tx = state.store.tenant_tx(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    if !may_manage(ctx, &campaign) {
        return Err(AppError::Forbidden(t(refusal)));
    }
    Ok((tx, campaign))
}

#[derive(Deserialize, Default)]
struct ParticipantQuery {
    /// `analyse` for the participant's own analysis.
    #[serde(default)]
    onglet: String,
}

/// One participant's page: when they started and sent, their results per competence (or their
/// profile), and the analysis of what they sent.
async fn participant(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id, pid)): Path<(Uuid, Uuid, Uuid)>,
    Query(q): Query<ParticipantQuery>,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    let (p, first_name, last_name, division) =
        tx.participant(id, pid).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let is_profiles = campaign.kind() == CampaignKind::ProfilesCollection;
    let results: Option<serde_json::Value> = p
        .results
        .as_deref()
        .filter(|_| p.is_shared())
        .and_then(|r| serde_json::from_str(r).ok());
    let tab = if q.onglet == "analyse" && !is_profiles {
        "analyse"
    } else {
        "resultats"
    };
    let analysis_json = match (tab, &results, campaign.target_profile_id) {
        ("analyse", Some(_), Some(tp)) => match state.store.target_profile(tp).await? {
            Some(tp) => {
                let catalog = state.contents.catalog(&tp.package_digest).await?;
                let sent = [super::analysis::Shared {
                    id: p.id,
                    digest: p.analysis.clone(),
                    results: p.results.clone(),
                }];
                catalog
                    .profile(&tp.profile_key)
                    .map(|goal| super::analysis::analysis(&catalog, goal, &sent).0)
            }
            None => None,
        },
        _ => None,
    };
    ctx.page("orga/participant.html", "campagnes")
        .await
        .with(
            "campaign",
            serde_json::json!({"id": campaign.id, "name": campaign.name, "is_profiles": is_profiles}),
        )
        .with(
            "participant",
            serde_json::json!({
                "id": p.id,
                "name": format!("{first_name} {last_name}"),
                "division": division,
                "external_id": p.external_id,
                "started": views::date(p.created_at),
                "shared": p.shared_at.map(views::date),
                "status": if p.is_shared() { t("participation-status-shared") } else { t("participation-status-started") },
                "mastery": p.mastery_percent,
                "pix": p.pix_score,
            }),
        )
        .with("results", results)
        .with("tab", tab)
        .with("analysis", analysis_json)
        .render()
}

/// « Supprimer la campagne » (owner or administrator, after the confirmation).
async fn delete_campaign(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let (mut tx, campaign) = managed_campaign(&state, &ctx, id, "campaign-error-not-owner").await?;
    if !tx.delete_campaign(id, ctx.user.id).await? {
        return Err(AppError::NotFound);
    }
    tx.audit(
        "campaign.delete",
        Some(&id.to_string()),
        Some(&campaign.name),
    )
    .await?;
    tx.commit().await?;
    flash(
        &ctx.session,
        t_args("campaign-deleted", &[("name", &campaign.name)]),
    )
    .await?;
    Ok(see_other(&ctx.path("/campagnes")))
}

#[derive(Deserialize, Default)]
struct UpdateForm {
    #[serde(default)]
    name: acquis_input::Text<acquis_input::Title>,
    #[serde(default)]
    title: acquis_input::Text<acquis_input::Title>,
    #[serde(default)]
    landing_text: acquis_input::Text<acquis_input::FreeText>,
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
    let (mut tx, campaign) = managed_campaign(&state, &ctx, id, "campaign-error-not-owner").await?;
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
