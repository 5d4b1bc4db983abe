//! Work the platform does on its own schedule, not in answer to a request.

use acquis_store::{CampaignKind, NewCampaign};
use acquis_tenants::{EstablishmentKind, TenantScope};
use time::{Date, Month};

use crate::AppState;

/// A school year starts in September: 2026-2027 is year 2026.
pub fn school_year(today: Date) -> i32 {
    if today.month() as u8 >= Month::September as u8 {
        today.year()
    } else {
        today.year() - 1
    }
}

const COLLEGE: &[&str] = &["rentree-6e", "rentree-5e", "rentree-4e", "rentree-3e"];
const LYCEE: &[&str] = &["rentree-2nde", "rentree-1re", "rentree-tle"];

/// Creates this school year's back-to-school campaigns (« Campagne de rentrée 6e » … « Tle »)
/// in every school establishment that does not have them yet, owned by « Équipe Acquis ».
/// Idempotent: each establishment's year is claimed in the same transaction as its campaigns.
/// Returns the number of campaigns created.
pub async fn back_to_school(state: &AppState, today: Date) -> anyhow::Result<usize> {
    let year = school_year(today);
    let schools = state.store.school_establishments().await?;
    if schools.is_empty() {
        return Ok(0);
    }
    let owner = state.store.platform_account().await?;
    let mut created = 0;
    for org in schools {
        let profiles = state.store.offered_target_profiles(org.tenant()).await?;
        let keys = match org.kind() {
            EstablishmentKind::College => COLLEGE,
            _ => LYCEE,
        };
        let mut tx = state
            .store
            .tenant_tx(&TenantScope::system(org.tenant()))
            .await?;
        if !tx.claim_back_to_school(year).await? {
            continue;
        }
        for key in keys {
            let Some(tp) = profiles.iter().find(|p| p.profile_key == *key) else {
                continue;
            };
            let new = NewCampaign {
                name: format!("{} ({}-{})", tp.name, year, year + 1),
                kind: CampaignKind::Assessment,
                target_profile_id: Some(tp.id),
                title: Some(tp.name.clone()),
                landing_text: None,
                external_id_label: None,
                external_id_type: None,
                multiple_sendings: false,
                owner_id: owner.id,
            };
            // A code collision (about 1 in 10^10) fails this establishment's transaction; the
            // next run retries it.
            let c = tx
                .create_campaign(&new, &acquis_tenants::campaign_code())
                .await?;
            tx.audit(
                "campaign.back_to_school",
                Some(&c.id.to_string()),
                Some(&c.name),
            )
            .await?;
            created += 1;
        }
        tx.commit().await?;
    }
    Ok(created)
}

/// « Certifiable » / « Non certifiable » for every student of the school establishments who has
/// an account, from their profile as it is now (5 competences at level 1 or more). Returns the
/// number of students updated.
pub async fn certificability(state: &AppState) -> anyhow::Result<usize> {
    let catalog = state.contents.builtin().await?;
    let mut updated = 0;
    for org in state.store.school_establishments().await? {
        let scope = TenantScope::system(org.tenant());
        let mut tx = state.store.tenant_read(&scope).await?;
        let linked = tx.linked_learners().await?;
        tx.commit().await?;
        if linked.is_empty() {
            continue;
        }
        let mut results = Vec::with_capacity(linked.len());
        for (learner, user) in linked {
            let knowledge = catalog.knowledge(&state.store.knowledge_states(user).await?);
            let profile = acquis_engine::scoring::profile(
                &catalog.bank,
                &knowledge,
                acquis_engine::scoring::DEFAULT_MAX_LEVEL,
            );
            results.push((learner, profile.certifiable));
        }
        let mut tx = state.store.tenant_tx(&scope).await?;
        for (learner, certifiable) in &results {
            tx.set_certifiable(*learner, *certifiable).await?;
        }
        tx.commit().await?;
        updated += results.len();
    }
    Ok(updated)
}

/// Runs the yearly jobs now, then every six hours; certificability once a day.
pub fn spawn(state: AppState) {
    let yearly = state.clone();
    tokio::spawn(async move {
        loop {
            let today = time::OffsetDateTime::now_utc().date();
            match back_to_school(&yearly, today).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} back-to-school campaigns created"),
                Err(e) => tracing::error!("back-to-school campaigns: {e:#}"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(6 * 3600)).await;
        }
    });
    tokio::spawn(async move {
        loop {
            match certificability(&state).await {
                Ok(n) => tracing::info!("certificability of {n} students computed"),
                Err(e) => tracing::error!("certificability: {e:#}"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
}
