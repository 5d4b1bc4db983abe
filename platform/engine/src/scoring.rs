//! Pix, levels, mastery, stages (paliers), badges, certificability and the analysis relevance.

use serde::{Deserialize, Serialize};

use crate::content::{Bank, CompetenceIdx, SkillIdx, Target, TubeIdx};
use crate::knowledge::{Knowledge, SkillStatus};

pub const PIX_PER_LEVEL: u32 = 8;
/// Levels a student can reach by default (configurable per platform).
pub const DEFAULT_MAX_LEVEL: u32 = 7;
/// Certifiable with at least this many competences at level 1 or more.
pub const CERTIFIABLE_COMPETENCES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompetenceScore {
    pub competence: CompetenceIdx,
    pub pix: u32,
    pub level: u32,
    /// Pix earned towards the next level.
    pub pix_ahead: u32,
}

/// A competence's pix and level from the validated skills of all its tubes.
pub fn competence_score(
    bank: &Bank,
    knowledge: &Knowledge,
    c: CompetenceIdx,
    max_level: u32,
) -> CompetenceScore {
    let real: f64 = bank.competences[c as usize]
        .tubes
        .iter()
        .flat_map(|&t| bank.tubes[t as usize].skills.iter())
        .filter(|&&s| knowledge.status(bank, s) == SkillStatus::Validated)
        .map(|&s| bank.skill(s).pix_value)
        .sum();
    // A hair of tolerance: 8 × (8/3) must count as 8, not 7.999….
    let real = real + 1e-9;
    let pix = (real.floor() as u32).min(max_level * PIX_PER_LEVEL);
    let level = ((real / PIX_PER_LEVEL as f64).floor() as u32).min(max_level);
    CompetenceScore {
        competence: c,
        pix,
        level,
        pix_ahead: pix % PIX_PER_LEVEL,
    }
}

/// The lifelong profile: every competence, the total, certificability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub competences: Vec<CompetenceScore>,
    pub total_pix: u32,
    pub certifiable: bool,
}

pub fn profile(bank: &Bank, knowledge: &Knowledge, max_level: u32) -> Profile {
    let competences: Vec<CompetenceScore> = (0..bank.competences.len())
        .map(|c| competence_score(bank, knowledge, c as CompetenceIdx, max_level))
        .collect();
    let total_pix = competences.iter().map(|c| c.pix).sum();
    let certifiable =
        competences.iter().filter(|c| c.level >= 1).count() >= CERTIFIABLE_COMPETENCES;
    Profile {
        competences,
        total_pix,
        certifiable,
    }
}

/// Validated / targeted skills, in 0..=1.
pub fn mastery_rate(bank: &Bank, knowledge: &Knowledge, target: &Target) -> f64 {
    if target.is_empty() {
        return 0.0;
    }
    knowledge.validated_count(bank, &target.skills) as f64 / target.len() as f64
}

/// `round(100 × validated / targeted)` over a set of skills.
pub fn mastery_percentage(bank: &Bank, knowledge: &Knowledge, skills: &[SkillIdx]) -> u32 {
    if skills.is_empty() {
        return 0;
    }
    (100.0 * knowledge.validated_count(bank, skills) as f64 / skills.len() as f64).round() as u32
}

/// Mastery per competence over the target's skills, for the results pages.
pub fn mastery_by_competence(
    bank: &Bank,
    knowledge: &Knowledge,
    target: &Target,
) -> Vec<(CompetenceIdx, u32)> {
    let mut per: Vec<Vec<SkillIdx>> = vec![Vec::new(); bank.competences.len()];
    for &s in &target.skills {
        per[bank.tube_of(s).competence as usize].push(s);
    }
    per.iter()
        .enumerate()
        .filter(|(_, skills)| !skills.is_empty())
        .map(|(c, skills)| {
            (
                c as CompetenceIdx,
                mastery_percentage(bank, knowledge, skills),
            )
        })
        .collect()
}

/// A stage (palier): reached by threshold (mastery %) or by level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub threshold: Option<u32>,
    pub level: Option<u8>,
    pub is_first_skill: bool,
    pub title: String,
    pub message: String,
}

impl Stage {
    /// A level stage reads as the share of target skills at or below that level.
    fn effective_threshold(&self, bank: &Bank, target: &Target) -> Option<u32> {
        if self.is_first_skill {
            return None;
        }
        match (self.threshold, self.level) {
            (Some(t), _) => Some(t),
            (None, Some(0)) => Some(0),
            (None, Some(l)) if !target.is_empty() => {
                let below = target
                    .skills
                    .iter()
                    .filter(|&&s| bank.skill(s).level <= l)
                    .count();
                Some((100.0 * below as f64 / target.len() as f64).round() as u32)
            }
            _ => Some(0),
        }
    }
}

/// How many stages are reached (the zero stage always is); stages are given in ascending order.
pub fn reached_stages(
    bank: &Bank,
    target: &Target,
    stages: &[Stage],
    knowledge: &Knowledge,
) -> usize {
    let mastery = mastery_percentage(bank, knowledge, &target.skills);
    let any_validated = knowledge.validated_count(bank, &target.skills) > 0;
    stages
        .iter()
        .filter(|s| {
            if s.is_first_skill {
                any_validated
            } else {
                s.effective_threshold(bank, target)
                    .is_none_or(|t| t == 0 || t <= mastery)
            }
        })
        .count()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CriterionScope {
    /// Over all the campaign's skills.
    Campaign,
    /// Over the skills of these tubes up to their caps.
    CappedTubes(Vec<(TubeIdx, u8)>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub scope: CriterionScope,
    pub threshold: u32,
}

/// A badge's acquisition: per criterion `min(100, round(mastery / threshold × 100))`; obtained
/// when every criterion reaches 100. Returns (obtained, progress %).
pub fn badge(
    bank: &Bank,
    target: &Target,
    criteria: &[Criterion],
    knowledge: &Knowledge,
) -> (bool, u32) {
    if criteria.is_empty() {
        return (false, 0);
    }
    let acquisitions: Vec<u32> = criteria
        .iter()
        .map(|c| {
            let skills: Vec<SkillIdx> = match &c.scope {
                CriterionScope::Campaign => target.skills.clone(),
                CriterionScope::CappedTubes(tubes) => Target::from_capped_tubes(bank, tubes).skills,
            };
            let mastery = mastery_percentage(bank, knowledge, &skills) as f64;
            if c.threshold == 0 {
                100
            } else {
                ((mastery / c.threshold as f64 * 100.0).round() as u32).min(100)
            }
        })
        .collect();
    let obtained = acquisitions.iter().all(|&a| a == 100);
    let progress =
        (acquisitions.iter().sum::<u32>() as f64 / acquisitions.len() as f64).round() as u32;
    (obtained, progress)
}

/// "Sujets à travailler": a tube's relevance score (0..100) for one participant; the lower, the
/// more the tube needs work.
pub fn tube_relevance(bank: &Bank, target: &Target, knowledge: &Knowledge, tube: TubeIdx) -> f64 {
    let skills: Vec<SkillIdx> = bank.tubes[tube as usize]
        .skills
        .iter()
        .copied()
        .filter(|&s| target.contains(s))
        .collect();
    if skills.is_empty() {
        return 0.0;
    }
    let max_tube = skills
        .iter()
        .map(|&s| bank.skill(s).level)
        .max()
        .unwrap_or(1) as f64;
    let max_profile = target
        .skills
        .iter()
        .map(|&s| bank.skill(s).level)
        .max()
        .unwrap_or(1) as f64;
    let validated: Vec<SkillIdx> = skills
        .iter()
        .copied()
        .filter(|&s| knowledge.status(bank, s) == SkillStatus::Validated)
        .collect();
    let reached = validated
        .iter()
        .map(|&s| bank.skill(s).level)
        .max()
        .unwrap_or(0) as f64;
    let mut score = 40.0 / max_tube * reached
        + 30.0 / max_profile * max_tube
        + 20.0 / skills.len() as f64 * validated.len() as f64;
    if !validated.is_empty() {
        let next = skills
            .iter()
            .filter(|&&s| knowledge.status(bank, s) != SkillStatus::Validated)
            .map(|&s| bank.skill(s).level)
            .min()
            .map_or(max_tube, |l| l as f64);
        score += 10.0 / next * reached;
    }
    score
}

/// The average relevance over all participants (those without answers count too).
pub fn average_relevance(
    bank: &Bank,
    target: &Target,
    tube: TubeIdx,
    participants: &[Knowledge],
) -> f64 {
    if participants.is_empty() {
        return 0.0;
    }
    participants
        .iter()
        .map(|k| tube_relevance(bank, target, k, tube))
        .sum::<f64>()
        / participants.len() as f64
}

/// Recommendation dots: ≤ 25 → 4 (très recommandé), ≤ 50 → 3, ≤ 75 → 2, else 1.
pub fn recommendation_dots(score: f64) -> u8 {
    match score {
        s if s <= 25.0 => 4,
        s if s <= 50.0 => 3,
        s if s <= 75.0 => 2,
        _ => 1,
    }
}
