//! The content model in memory: competences, tubes (sujets), skills (acquis), challenges (épreuves).
//!
//! A [`Bank`] is built once per content package version and shared read-only. Everything is
//! addressed by dense indexes so the selection loop touches only vectors.

use serde::{Deserialize, Serialize};

pub type CompetenceIdx = u16;
pub type TubeIdx = u32;
pub type SkillIdx = u32;
pub type ChallengeIdx = u32;

/// Highest skill level of the framework.
pub const MAX_SKILL_LEVEL: u8 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeStatus {
    /// Served (validé).
    Validated,
    /// Still served when no validated one is left (archivé).
    Archived,
}

/// What the engine needs to know of a competence.
#[derive(Debug, Clone)]
pub struct CompetenceInput {
    pub id: String,
}

#[derive(Debug, Clone)]
pub struct TubeInput {
    pub id: String,
    pub competence: String,
}

#[derive(Debug, Clone)]
pub struct SkillInput {
    pub id: String,
    pub tube: String,
    /// 1..=8
    pub level: u8,
}

#[derive(Debug, Clone)]
pub struct ChallengeInput {
    pub id: String,
    pub skill: String,
    pub status: ChallengeStatus,
    /// Timed challenges are avoided first and after a timed-out answer.
    pub timed: bool,
}

#[derive(Debug, Clone)]
pub struct Competence {
    pub id: String,
    pub tubes: Vec<TubeIdx>,
}

#[derive(Debug, Clone)]
pub struct Tube {
    pub id: String,
    pub competence: CompetenceIdx,
    /// Skills of the tube, easiest first.
    pub skills: Vec<SkillIdx>,
}

#[derive(Debug, Clone)]
pub struct Skill {
    pub id: String,
    pub tube: TubeIdx,
    pub level: u8,
    /// `min(4, 8 / skills of the same level in the competence)`.
    pub pix_value: f64,
    pub challenges: Vec<ChallengeIdx>,
}

#[derive(Debug, Clone)]
pub struct Challenge {
    pub id: String,
    pub skill: SkillIdx,
    pub status: ChallengeStatus,
    pub timed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankError {
    UnknownCompetence { tube: String, competence: String },
    UnknownTube { skill: String, tube: String },
    UnknownSkill { challenge: String, skill: String },
    BadLevel { skill: String, level: u8 },
    Duplicate(String),
}

impl std::fmt::Display for BankError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BankError::UnknownCompetence { tube, competence } => {
                write!(f, "tube {tube}: unknown competence {competence}")
            }
            BankError::UnknownTube { skill, tube } => {
                write!(f, "skill {skill}: unknown tube {tube}")
            }
            BankError::UnknownSkill { challenge, skill } => {
                write!(f, "challenge {challenge}: unknown skill {skill}")
            }
            BankError::BadLevel { skill, level } => {
                write!(f, "skill {skill}: level {level} outside 1..=8")
            }
            BankError::Duplicate(id) => write!(f, "duplicate id {id}"),
        }
    }
}

impl std::error::Error for BankError {}

/// The whole item bank of a content package version.
#[derive(Debug, Clone)]
pub struct Bank {
    pub competences: Vec<Competence>,
    pub tubes: Vec<Tube>,
    pub skills: Vec<Skill>,
    pub challenges: Vec<Challenge>,
    /// Index by id: every answer looks up each answered challenge and every stored tube and
    /// skill of the student's knowledge (a scan of a bank of a thousand was 5 % of the server).
    ids: Ids,
}

#[derive(Debug, Clone)]
struct Ids {
    tubes: std::collections::HashMap<String, TubeIdx>,
    skills: std::collections::HashMap<String, SkillIdx>,
    challenges: std::collections::HashMap<String, ChallengeIdx>,
}

impl Bank {
    pub fn build(
        competences: &[CompetenceInput],
        tubes: &[TubeInput],
        skills: &[SkillInput],
        challenges: &[ChallengeInput],
    ) -> Result<Bank, BankError> {
        use std::collections::HashMap;
        fn index<'a>(
            ids: impl Iterator<Item = &'a str>,
        ) -> Result<HashMap<String, u32>, BankError> {
            let mut map = HashMap::new();
            for (i, id) in ids.enumerate() {
                if map.insert(id.to_owned(), i as u32).is_some() {
                    return Err(BankError::Duplicate(id.to_owned()));
                }
            }
            Ok(map)
        }
        let comp_ix = index(competences.iter().map(|c| c.id.as_str()))?;
        let tube_ix = index(tubes.iter().map(|t| t.id.as_str()))?;
        let skill_ix = index(skills.iter().map(|s| s.id.as_str()))?;
        let challenge_ix = index(challenges.iter().map(|c| c.id.as_str()))?;

        let mut out_comps: Vec<Competence> = competences
            .iter()
            .map(|c| Competence {
                id: c.id.clone(),
                tubes: Vec::new(),
            })
            .collect();
        let mut out_tubes = Vec::with_capacity(tubes.len());
        for (i, t) in tubes.iter().enumerate() {
            let c = *comp_ix.get(t.competence.as_str()).ok_or_else(|| {
                BankError::UnknownCompetence {
                    tube: t.id.clone(),
                    competence: t.competence.clone(),
                }
            })?;
            out_comps[c as usize].tubes.push(i as TubeIdx);
            out_tubes.push(Tube {
                id: t.id.clone(),
                competence: c as CompetenceIdx,
                skills: Vec::new(),
            });
        }
        let mut out_skills = Vec::with_capacity(skills.len());
        for (i, s) in skills.iter().enumerate() {
            if !(1..=MAX_SKILL_LEVEL).contains(&s.level) {
                return Err(BankError::BadLevel {
                    skill: s.id.clone(),
                    level: s.level,
                });
            }
            let t = *tube_ix
                .get(s.tube.as_str())
                .ok_or_else(|| BankError::UnknownTube {
                    skill: s.id.clone(),
                    tube: s.tube.clone(),
                })?;
            out_tubes[t as usize].skills.push(i as SkillIdx);
            out_skills.push(Skill {
                id: s.id.clone(),
                tube: t,
                level: s.level,
                pix_value: 0.0,
                challenges: Vec::new(),
            });
        }
        let mut out_challenges = Vec::with_capacity(challenges.len());
        for (i, c) in challenges.iter().enumerate() {
            let s = *skill_ix
                .get(c.skill.as_str())
                .ok_or_else(|| BankError::UnknownSkill {
                    challenge: c.id.clone(),
                    skill: c.skill.clone(),
                })?;
            out_skills[s as usize].challenges.push(i as ChallengeIdx);
            out_challenges.push(Challenge {
                id: c.id.clone(),
                skill: s,
                status: c.status,
                timed: c.timed,
            });
        }
        for t in &mut out_tubes {
            t.skills.sort_by_key(|&s| out_skills[s as usize].level);
        }
        let mut bank = Bank {
            competences: out_comps,
            tubes: out_tubes,
            skills: out_skills,
            challenges: out_challenges,
            ids: Ids {
                tubes: tube_ix,
                skills: skill_ix,
                challenges: challenge_ix,
            },
        };
        bank.compute_pix_values();
        Ok(bank)
    }

    /// Each level of each competence is worth 8 pix, shared by its skills (4 at most per skill).
    /// Only skills with a served challenge count.
    fn compute_pix_values(&mut self) {
        let mut counts = vec![[0u32; MAX_SKILL_LEVEL as usize + 1]; self.competences.len()];
        for s in &self.skills {
            if self.has_validated_challenge(s) {
                let c = self.tubes[s.tube as usize].competence as usize;
                counts[c][s.level as usize] += 1;
            }
        }
        for i in 0..self.skills.len() {
            let s = &self.skills[i];
            let value = if self.has_validated_challenge(s) {
                let c = self.tubes[s.tube as usize].competence as usize;
                (8.0 / counts[c][s.level as usize] as f64).min(4.0)
            } else {
                0.0
            };
            self.skills[i].pix_value = value;
        }
    }

    fn has_validated_challenge(&self, s: &Skill) -> bool {
        s.challenges
            .iter()
            .any(|&c| self.challenges[c as usize].status == ChallengeStatus::Validated)
    }

    pub fn skill(&self, s: SkillIdx) -> &Skill {
        &self.skills[s as usize]
    }

    pub fn tube_of(&self, s: SkillIdx) -> &Tube {
        &self.tubes[self.skills[s as usize].tube as usize]
    }

    pub fn skill_index(&self, id: &str) -> Option<SkillIdx> {
        self.ids.skills.get(id).copied()
    }

    pub fn tube_index(&self, id: &str) -> Option<TubeIdx> {
        self.ids.tubes.get(id).copied()
    }

    pub fn challenge_index(&self, id: &str) -> Option<ChallengeIdx> {
        self.ids.challenges.get(id).copied()
    }
}

/// The skills a campaign assesses: capped tubes of a target profile, snapshotted.
#[derive(Debug, Clone)]
pub struct Target {
    in_target: Vec<bool>,
    pub skills: Vec<SkillIdx>,
}

impl Target {
    /// Skills of each tube up to its cap (`(tube, max level)`), the target-profile rule.
    pub fn from_capped_tubes(bank: &Bank, capped: &[(TubeIdx, u8)]) -> Target {
        let mut in_target = vec![false; bank.skills.len()];
        for &(t, cap) in capped {
            for &s in &bank.tubes[t as usize].skills {
                if bank.skills[s as usize].level <= cap {
                    in_target[s as usize] = true;
                }
            }
        }
        Target::from_flags(in_target)
    }

    /// Every skill of a competence (training a competence on its own, "Mon profil").
    pub fn competence(bank: &Bank, c: CompetenceIdx) -> Target {
        let capped: Vec<(TubeIdx, u8)> = bank.competences[c as usize]
            .tubes
            .iter()
            .map(|&t| (t, MAX_SKILL_LEVEL))
            .collect();
        Target::from_capped_tubes(bank, &capped)
    }

    pub fn all(bank: &Bank) -> Target {
        Target::from_flags(vec![true; bank.skills.len()])
    }

    fn from_flags(in_target: Vec<bool>) -> Target {
        let skills = in_target
            .iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(i, _)| i as SkillIdx)
            .collect();
        Target { in_target, skills }
    }

    pub fn contains(&self, s: SkillIdx) -> bool {
        self.in_target.get(s as usize).copied().unwrap_or(false)
    }

    pub fn len(&self) -> usize {
        self.skills.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }
}

/// A generated bank, for tests and benchmarks: `competences × tubes × levels` skills with
/// `per_skill` challenges each, some timed and some archived (deterministic).
pub fn synthetic_bank(competences: usize, tubes: usize, levels: u8, per_skill: usize) -> Bank {
    let comps: Vec<CompetenceInput> = (0..competences)
        .map(|c| CompetenceInput {
            id: format!("c{c}"),
        })
        .collect();
    let mut ts = Vec::new();
    let mut ss = Vec::new();
    let mut cs = Vec::new();
    for c in 0..competences {
        for t in 0..tubes {
            let tube = format!("t{c}_{t}");
            ts.push(TubeInput {
                id: tube.clone(),
                competence: format!("c{c}"),
            });
            // Some tubes stop early, so easy tubes (max level ≤ 3) exist.
            let top = if t % 3 == 0 { levels.min(3) } else { levels };
            for l in 1..=top {
                let skill = format!("{tube}_{l}");
                ss.push(SkillInput {
                    id: skill.clone(),
                    tube: tube.clone(),
                    level: l,
                });
                for k in 0..per_skill {
                    let n = cs.len();
                    cs.push(ChallengeInput {
                        id: format!("{skill}_{k}"),
                        skill: skill.clone(),
                        status: if n % 11 == 10 {
                            ChallengeStatus::Archived
                        } else {
                            ChallengeStatus::Validated
                        },
                        timed: n % 7 == 3,
                    });
                }
            }
        }
    }
    Bank::build(&comps, &ts, &ss, &cs).expect("a consistent synthetic bank")
}
