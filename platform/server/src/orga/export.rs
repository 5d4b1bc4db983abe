//! "Exporter les résultats (.csv)": every current participation of a campaign, streamed page
//! by page (memory stays flat whatever the campaign's size), in the columns of the reference
//! and the CSV dialect of `acquis_interop::csv_out`.

use crate::form::Path;
use acquis_interop::csv_out::{self, BOM};
use acquis_store::{Campaign, CampaignKind, ExportRow};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;

use super::OrgaCtx;
use crate::AppState;
use crate::content::Catalog;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, t_args};

pub fn router() -> Router<AppState> {
    Router::new().route("/orga/{org}/campagnes/{id}/export", get(export))
}

const PAGE: i64 = 500;

fn date(t: time::OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The competences (and their areas) a profile assesses, in framework order.
struct Columns {
    /// (competence code, name, area index in `areas`)
    competences: Vec<(String, String, usize)>,
    areas: Vec<String>,
    stages: Option<usize>,
    badges: Vec<(String, String)>,
}

fn assessment_columns(catalog: &Catalog, key: &str) -> Option<Columns> {
    let goal = catalog.profile(key)?;
    let bank = &catalog.bank;
    let mut seen = vec![false; catalog.competences.len()];
    for &s in &goal.target.skills {
        seen[bank.tube_of(s).competence as usize] = true;
    }
    let mut areas: Vec<String> = Vec::new();
    let mut competences = Vec::new();
    for (i, c) in catalog.competences.iter().enumerate() {
        if !seen[i] {
            continue;
        }
        let area = &catalog.areas[c.area].name;
        let a = match areas.iter().position(|x| x == area) {
            Some(a) => a,
            None => {
                areas.push(area.clone());
                areas.len() - 1
            }
        };
        competences.push((c.code.clone(), c.name.clone(), a));
    }
    Some(Columns {
        competences,
        areas,
        stages: (!goal.stages.is_empty()).then(|| goal.stages.len().saturating_sub(1)),
        badges: goal
            .badges
            .iter()
            .map(|b| (b.key.clone(), b.title.clone()))
            .collect(),
    })
}

fn header_cells(
    campaign: &Campaign,
    columns: Option<&Columns>,
    profile_competences: &[(String, String)],
    with_class: bool,
) -> Vec<String> {
    let mut h: Vec<String> = vec![
        t("csv-organization"),
        t("csv-campaign-id"),
        t("csv-code"),
        t("csv-campaign-name"),
    ];
    if campaign.kind() == CampaignKind::Assessment {
        h.push(t("csv-target-profile"));
    }
    h.push(t("csv-last-name"));
    h.push(t("csv-first-name"));
    if with_class {
        h.push(t("csv-class"));
    }
    if let Some(label) = &campaign.external_id_label {
        h.push(label.clone());
    }
    match (campaign.kind(), columns) {
        (CampaignKind::Assessment, Some(c)) => {
            h.extend([
                t("csv-progress"),
                t("csv-started"),
                t("csv-shared"),
                t("csv-shared-at"),
            ]);
            if let Some(n) = c.stages {
                h.push(t_args("csv-stage", &[("total", &n.to_string())]));
            }
            for (_, title) in &c.badges {
                h.push(t_args("csv-badge", &[("badge", title)]));
            }
            h.push(t("csv-mastery"));
            for (_, name, _) in &c.competences {
                h.push(t_args("csv-competence-mastery", &[("name", name)]));
                h.push(t_args("csv-competence-skills", &[("name", name)]));
                h.push(t_args("csv-competence-validated", &[("name", name)]));
            }
            for area in &c.areas {
                h.push(t_args("csv-area-mastery", &[("area", area)]));
                h.push(t_args("csv-area-skills", &[("area", area)]));
                h.push(t_args("csv-area-validated", &[("area", area)]));
            }
        }
        _ => {
            h.extend([
                t("csv-sent"),
                t("csv-sent-at"),
                t("csv-pix"),
                t("csv-certifiable"),
                t("csv-certifiable-competences"),
            ]);
            for (_, name) in profile_competences {
                h.push(t_args("csv-competence-level", &[("name", name)]));
                h.push(t_args("csv-competence-pix", &[("name", name)]));
            }
        }
    }
    h
}

struct Context {
    org_name: String,
    campaign: Campaign,
    profile_name: String,
    columns: Option<Columns>,
    profile_competences: Vec<(String, String)>,
    with_class: bool,
}

fn ratio(part: f64, whole: f64) -> String {
    if whole <= 0.0 {
        return "NA".into();
    }
    csv_out::decimal(part / whole, 2)
}

fn line(ctx: &Context, r: &ExportRow) -> Vec<u8> {
    let c = &ctx.campaign;
    let mut cells: Vec<String> = vec![
        ctx.org_name.clone(),
        c.id.to_string(),
        c.code.clone(),
        c.name.clone(),
    ];
    if c.kind() == CampaignKind::Assessment {
        cells.push(ctx.profile_name.clone());
    }
    cells.push(r.last_name.clone());
    cells.push(r.first_name.clone());
    if ctx.with_class {
        cells.push(r.division.clone().unwrap_or_default());
    }
    if c.external_id_label.is_some() {
        cells.push(r.external_id.clone().unwrap_or_default());
    }
    let shared = r.status == "SHARED";
    let results: Option<serde_json::Value> = r
        .results
        .as_deref()
        .filter(|_| shared)
        .and_then(|s| serde_json::from_str(s).ok());
    let na = || "NA".to_owned();
    match (c.kind(), &ctx.columns) {
        (CampaignKind::Assessment, Some(cols)) => {
            cells.push(if shared { "1".into() } else { na() });
            cells.push(date(r.created_at));
            cells.push(csv_out::yes_no(Some(shared)).into());
            cells.push(r.shared_at.map(date).unwrap_or_else(na));
            if cols.stages.is_some() {
                cells.push(
                    results
                        .as_ref()
                        .and_then(|v| v["stage_reached"].as_u64())
                        .map(|n| n.to_string())
                        .unwrap_or_else(na),
                );
            }
            for (key, _) in &cols.badges {
                cells.push(match &results {
                    Some(v) => csv_out::yes_no(Some(
                        v["badges"]
                            .as_array()
                            .is_some_and(|b| b.iter().any(|b| b["key"].as_str() == Some(key))),
                    ))
                    .into(),
                    None => na(),
                });
            }
            cells.push(match (shared, r.mastery_percent) {
                (true, Some(m)) => csv_out::decimal(f64::from(m) / 100.0, 2),
                _ => na(),
            });
            let per: Vec<Option<(f64, f64)>> = cols
                .competences
                .iter()
                .map(|(code, _, _)| {
                    let v = results.as_ref()?;
                    let c = v["competences"]
                        .as_array()?
                        .iter()
                        .find(|c| c["code"].as_str() == Some(code))?;
                    Some((c["skills"].as_f64()?, c["validated"].as_f64()?))
                })
                .collect();
            for p in &per {
                match p {
                    Some((skills, validated)) => {
                        cells.push(ratio(*validated, *skills));
                        cells.push(format!("{skills}"));
                        cells.push(format!("{validated}"));
                    }
                    None => cells.extend([na(), na(), na()]),
                }
            }
            for a in 0..cols.areas.len() {
                let mut sum = Some((0.0, 0.0));
                for ((_, _, area), p) in cols.competences.iter().zip(&per) {
                    if *area == a {
                        sum = match (sum, p) {
                            (Some((s, v)), Some((ps, pv))) => Some((s + ps, v + pv)),
                            _ => None,
                        };
                    }
                }
                match sum {
                    Some((skills, validated)) => {
                        cells.push(ratio(validated, skills));
                        cells.push(format!("{skills}"));
                        cells.push(format!("{validated}"));
                    }
                    None => cells.extend([na(), na(), na()]),
                }
            }
        }
        _ => {
            cells.push(csv_out::yes_no(Some(shared)).into());
            cells.push(r.shared_at.map(date).unwrap_or_else(na));
            cells.push(
                r.pix_score
                    .filter(|_| shared)
                    .map(|p| p.to_string())
                    .unwrap_or_else(na),
            );
            cells.push(match &results {
                Some(v) => csv_out::yes_no(v["certifiable"].as_bool()).into(),
                None => na(),
            });
            cells.push(
                results
                    .as_ref()
                    .and_then(|v| v["certifiable_competences"].as_u64())
                    .map(|n| n.to_string())
                    .unwrap_or_else(na),
            );
            for (code, _) in &ctx.profile_competences {
                let found = results.as_ref().and_then(|v| {
                    v["areas"].as_array()?.iter().find_map(|a| {
                        a["competences"]
                            .as_array()?
                            .iter()
                            .find(|c| c["code"].as_str() == Some(code))
                            .cloned()
                    })
                });
                match found {
                    Some(c) => {
                        cells.push(
                            c["level"]
                                .as_u64()
                                .map(|n| n.to_string())
                                .unwrap_or_else(na),
                        );
                        cells.push(c["pix"].as_u64().map(|n| n.to_string()).unwrap_or_else(na));
                    }
                    None => cells.extend([na(), na()]),
                }
            }
        }
    }
    csv_out::record(cells)
}

fn file_name(campaign: &Campaign) -> String {
    let name: String = campaign
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "Resultats-{name}-{}-{}.csv",
        campaign.id,
        date(time::OffsetDateTime::now_utc())
    )
}

async fn export(
    State(state): State<AppState>,
    ctx: OrgaCtx,
    Path((_, id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut tx = state.store.tenant_read(&ctx.scope).await?;
    let campaign = tx.campaign(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let org = state
        .store
        .find_organization(ctx.scope.tenant())
        .await?
        .ok_or(AppError::NotFound)?;
    let (profile_name, columns) = match campaign.target_profile_id {
        Some(tp) => {
            let tp = state.store.target_profile(tp).await?.ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("target profile {tp} is gone"))
            })?;
            let catalog = state.contents.catalog(&tp.package_digest).await?;
            (
                tp.name.clone(),
                assessment_columns(&catalog, &tp.profile_key),
            )
        }
        None => (String::new(), None),
    };
    let builtin = state.contents.builtin().await?;
    let profile_competences = builtin
        .competences
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();
    let context = Context {
        org_name: org.name.clone(),
        profile_name,
        columns,
        profile_competences,
        with_class: org.manages_students,
        campaign,
    };
    let filename = file_name(&context.campaign);
    let (tx_out, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let scope = ctx.scope;
    tokio::spawn(async move {
        let mut first = BOM.as_bytes().to_vec();
        first.extend(csv_out::record(header_cells(
            &context.campaign,
            context.columns.as_ref(),
            &context.profile_competences,
            context.with_class,
        )));
        if tx_out.send(Ok(first)).await.is_err() {
            return;
        }
        let mut after = None;
        loop {
            let page = async {
                let mut tx = state.store.tenant_read(&scope).await?;
                let rows = tx.export_rows(context.campaign.id, after, PAGE).await?;
                tx.commit().await?;
                Ok::<_, acquis_store::StoreError>(rows)
            }
            .await;
            let rows = match page {
                Ok(rows) => rows,
                Err(e) => {
                    // The download ends in error rather than looking complete.
                    tracing::error!("export of campaign {} failed: {e}", context.campaign.id);
                    let _ = tx_out.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            let Some(last) = rows.last() else {
                return;
            };
            after = Some(last.id);
            let mut chunk = Vec::with_capacity(rows.len() * 256);
            for r in &rows {
                chunk.extend(line(&context, r));
            }
            if tx_out.send(Ok(chunk)).await.is_err() {
                return;
            }
            if (rows.len() as i64) < PAGE {
                return;
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}
