//! « Recommandation de sujets à travailler » and results per competence, for a campaign or one
//! participant.
//!
//! A campaign's analysis averages, over the participants who sent their results, each tube's
//! relevance (reference: 40/30/20/10) and each competence's mastery. Recomputing those from the
//! knowledge every participant sent means reading and parsing about 10 KB per participant, far
//! too slow for large campaigns; so when a student sends, their share of the analysis is computed
//! once and kept beside the results (a digest of numbers in the profile's order), and the page
//! only averages digests. Results sent before digests existed are still read from their knowledge.

use acquis_engine::knowledge::Knowledge;
use acquis_engine::scoring;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::content::{Catalog, Goal};
use crate::i18n::t;

/// One participant's share of the analysis: relevance per tube of the profile (sorted tube
/// order) and mastery per competence (`mastery_by_competence` order).
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Digest {
    pub tubes: Vec<f32>,
    pub competences: Vec<u8>,
}

fn profile_tubes(catalog: &Catalog, goal: &Goal) -> Vec<acquis_engine::content::TubeIdx> {
    let bank = &catalog.bank;
    let mut tubes: Vec<_> = goal
        .target
        .skills
        .iter()
        .map(|&s| bank.skill(s).tube)
        .collect();
    tubes.sort_unstable();
    tubes.dedup();
    tubes
}

/// Computed when a student sends their results.
pub fn digest(catalog: &Catalog, goal: &Goal, k: &Knowledge) -> Digest {
    let bank = &catalog.bank;
    Digest {
        tubes: profile_tubes(catalog, goal)
            .into_iter()
            .map(|t| scoring::tube_relevance(bank, &goal.target, k, t) as f32)
            .collect(),
        competences: scoring::mastery_by_competence(bank, k, &goal.target)
            .into_iter()
            .map(|(_, m)| m.min(100) as u8)
            .collect(),
    }
}

/// The digest of a participation: kept, or computed from the knowledge it sent (`true`: it was
/// computed now and may be kept).
fn digest_of(
    catalog: &Catalog,
    goal: &Goal,
    kept: Option<&str>,
    results: Option<&str>,
) -> Option<(Digest, bool)> {
    if let Some(d) = kept.and_then(|d| serde_json::from_str(d).ok()) {
        return Some((d, false));
    }
    #[derive(Deserialize)]
    struct Sent {
        #[serde(default)]
        knowledge: Vec<(String, String)>,
    }
    let sent: Sent = serde_json::from_str(results?).ok()?;
    Some((
        digest(catalog, goal, &catalog.knowledge(&sent.knowledge)),
        true,
    ))
}

/// A participation that sent its results: its kept digest, or its results when it has none.
pub struct Shared {
    pub id: Uuid,
    pub digest: Option<String>,
    pub results: Option<String>,
}

/// The analysis of `shared`, and the digests it had to compute (to keep them).
pub fn analysis(
    catalog: &Catalog,
    goal: &Goal,
    shared: &[Shared],
) -> (serde_json::Value, Vec<(Uuid, String)>) {
    let bank = &catalog.bank;
    let tubes = profile_tubes(catalog, goal);
    let competences: Vec<_> =
        scoring::mastery_by_competence(bank, &Knowledge::new(bank), &goal.target)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    let mut tube_sums = vec![0f64; tubes.len()];
    let mut competence_sums = vec![0u64; competences.len()];
    let mut n = 0usize;
    let mut computed = Vec::new();
    for p in shared {
        let Some((d, new)) = digest_of(catalog, goal, p.digest.as_deref(), p.results.as_deref())
        else {
            continue;
        };
        if new && let Ok(json) = serde_json::to_string(&d) {
            computed.push((p.id, json));
        }
        // A digest of another shape (another profile version) would skew the averages.
        if d.tubes.len() != tubes.len() || d.competences.len() != competences.len() {
            continue;
        }
        n += 1;
        for (sum, v) in tube_sums.iter_mut().zip(&d.tubes) {
            *sum += f64::from(*v);
        }
        for (sum, v) in competence_sums.iter_mut().zip(&d.competences) {
            *sum += u64::from(*v);
        }
    }
    let mut rows: Vec<(f64, serde_json::Value)> = tubes
        .iter()
        .zip(&tube_sums)
        .map(|(&ti, sum)| {
            let score = if n == 0 { 0.0 } else { sum / n as f64 };
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
    let json = serde_json::json!({
        "participants": n,
        "tubes": rows.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "competences": competences.iter().zip(&competence_sums).map(|(&c, sum)| {
            let info = &catalog.competences[c as usize];
            serde_json::json!({
                "name": format!("{} {}", info.code, info.name),
                "mastery": if n == 0 { 0.0 } else { (*sum as f64 / n as f64).round() },
            })
        }).collect::<Vec<_>>(),
    });
    (json, computed)
}
