//! What a student knows, per tube: the compact knowledge state (floor, ceiling) plus the direct
//! answers it came from. Updated after each answer with direct and inferred results.

use serde::{Deserialize, Serialize};

use crate::content::{Bank, SkillIdx, Target, TubeIdx};

/// Seconds since the Unix epoch; the engine takes time as data, it never reads a clock.
pub type Timestamp = i64;

pub const DAY: Timestamp = 86_400;

/// Invalidated results older than this (at the start of an assessment) may be asked again.
pub const DAYS_BEFORE_RETRYING: Timestamp = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkillStatus {
    Validated,
    Invalidated,
    Untested,
}

/// A skill asked directly, and its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectResult {
    pub skill: SkillIdx,
    pub validated: bool,
    pub at: Timestamp,
}

/// One tube's state: skills at or below `floor` are validated, at or above `ceiling` invalidated,
/// the others untested.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TubeState {
    pub floor: u8,
    pub ceiling: Option<u8>,
    /// When the ceiling was last lowered.
    pub ceiling_at: Timestamp,
    pub direct: Vec<DirectResult>,
}

impl TubeState {
    pub fn status(&self, level: u8) -> SkillStatus {
        if level <= self.floor {
            SkillStatus::Validated
        } else if self.ceiling.is_some_and(|c| level >= c) {
            SkillStatus::Invalidated
        } else {
            SkillStatus::Untested
        }
    }
}

/// A student's knowledge over a whole bank, one state per tube.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Knowledge {
    pub tubes: Vec<TubeState>,
}

impl Knowledge {
    pub fn new(bank: &Bank) -> Knowledge {
        Knowledge {
            tubes: vec![TubeState::default(); bank.tubes.len()],
        }
    }

    pub fn status(&self, bank: &Bank, s: SkillIdx) -> SkillStatus {
        let skill = bank.skill(s);
        self.tubes[skill.tube as usize].status(skill.level)
    }

    pub fn tube(&self, t: TubeIdx) -> &TubeState {
        &self.tubes[t as usize]
    }

    /// The view an assessment starting at `start` works with when the student is improving:
    /// failures older than [`DAYS_BEFORE_RETRYING`] days are forgotten, so those skills may be
    /// asked again; successes are always kept.
    pub fn for_improvement(&self, start: Timestamp) -> Knowledge {
        let horizon = start - DAYS_BEFORE_RETRYING * DAY;
        self.forgetting_failures(|at| at <= horizon)
    }

    /// The view where the failures `forget` selects (by time) are forgotten: their skills may be
    /// asked again ("Je retente" forgets the failures of the participation being retried).
    pub fn forgetting_failures(&self, forget: impl Fn(Timestamp) -> bool) -> Knowledge {
        let tubes = self
            .tubes
            .iter()
            .map(|t| {
                let mut t = t.clone();
                if t.ceiling.is_some() && forget(t.ceiling_at) {
                    t.ceiling = None;
                }
                t.direct.retain(|d| d.validated || !forget(d.at));
                t
            })
            .collect();
        Knowledge { tubes }
    }

    /// Records an answer on `skill`: a success validates it and every easier skill of its tube,
    /// a failure invalidates it and every harder one. Skills outside the target are left alone.
    pub fn record(
        &mut self,
        bank: &Bank,
        target: &Target,
        skill: SkillIdx,
        validated: bool,
        at: Timestamp,
    ) {
        if !target.contains(skill) {
            return;
        }
        let level = bank.skill(skill).level;
        let tube = &mut self.tubes[bank.skill(skill).tube as usize];
        tube.direct.push(DirectResult {
            skill,
            validated,
            at,
        });
        if validated {
            tube.floor = tube.floor.max(level);
            // A fresh success overrides an older failure at or below it.
            if tube.ceiling.is_some_and(|c| c <= tube.floor) {
                tube.ceiling = None;
            }
        } else {
            let ceiling = tube.ceiling.map_or(level, |c| c.min(level));
            tube.ceiling = Some(ceiling);
            tube.ceiling_at = at;
            if tube.floor >= ceiling {
                tube.floor = ceiling - 1;
            }
        }
    }

    /// Validated skills among `skills`.
    pub fn validated_count(&self, bank: &Bank, skills: &[SkillIdx]) -> usize {
        skills
            .iter()
            .filter(|&&s| self.status(bank, s) == SkillStatus::Validated)
            .count()
    }

    /// Forgets a competence (reset, allowed 7 days after its last answer).
    pub fn reset_competence(&mut self, bank: &Bank, competence: crate::content::CompetenceIdx) {
        for &t in &bank.competences[competence as usize].tubes {
            self.tubes[t as usize] = TubeState::default();
        }
    }

    /// The last time anything was answered in a competence.
    pub fn last_answer_in(
        &self,
        bank: &Bank,
        competence: crate::content::CompetenceIdx,
    ) -> Option<Timestamp> {
        bank.competences[competence as usize]
            .tubes
            .iter()
            .flat_map(|&t| self.tubes[t as usize].direct.iter().map(|d| d.at))
            .max()
    }
}
