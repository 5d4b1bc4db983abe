//! Smart random: the adaptive choice of the next challenge.
//!
//! First challenge: playable, untested skills, easy tubes first, untimed first, level 2 first.
//! Next ones: estimate the level on the 0.5–7.5 grid from the direct answers (plus two virtual
//! answers), drop skills more than 2 levels above it, and keep the skills whose answer would
//! teach the most about their tube (the reward). The test ends when no candidate is left.
//! The pick among tied candidates is deterministic from the seed.

use crate::content::{Bank, ChallengeIdx, ChallengeStatus, SkillIdx, Target};
use crate::knowledge::{Knowledge, SkillStatus};

pub const DEFAULT_LEVEL_FOR_FIRST_CHALLENGE: u8 = 2;
pub const MAX_DIFF_BETWEEN_USER_LEVEL_AND_SKILL_LEVEL: f64 = 2.0;
pub const MAX_LEVEL_TO_BE_AN_EASY_TUBE: u8 = 3;

/// What the assessment has seen so far.
#[derive(Debug, Clone, Default)]
pub struct Progress<'a> {
    /// Challenges already answered in this assessment (never served twice).
    pub answered: &'a [ChallengeIdx],
    /// The last answer timed out: timed challenges are avoided next.
    pub last_timed_out: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Challenge(ChallengeIdx),
    End,
}

/// Scratch buffers reused across calls, so a selection allocates nothing in steady state.
#[derive(Debug, Default)]
pub struct Scratch {
    answered: Vec<bool>,
    candidates: Vec<SkillIdx>,
    filtered: Vec<SkillIdx>,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The level estimate: the lowest grid level whose expected outcomes best match the direct
/// answers on target skills, with a virtual success at 0 and a virtual failure at 7.
pub fn predicted_level(bank: &Bank, target: &Target, knowledge: &Knowledge) -> f64 {
    let mut answers: Vec<(f64, f64)> = vec![(0.0, 1.0), (7.0, 0.0)];
    for tube in &knowledge.tubes {
        for d in &tube.direct {
            if target.contains(d.skill) {
                let level = bank.skill(d.skill).level as f64;
                answers.push((level, if d.validated { 1.0 } else { 0.0 }));
            }
        }
    }
    let mut best = (f64::NEG_INFINITY, 0.5);
    for step in 1..=15 {
        let level = step as f64 * 0.5;
        let diff: f64 = answers
            .iter()
            .map(|&(d, outcome)| outcome - logistic(level - d))
            .sum();
        let score = -diff.abs();
        if score > best.0 + 1e-12 {
            best = (score, level);
        }
    }
    best.1
}

/// SplitMix64: a fixed, portable mix so the same seed picks the same item everywhere.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Keeps the items of `v` matching `keep`, unless that would leave nothing.
fn prefer(v: &mut Vec<SkillIdx>, tmp: &mut Vec<SkillIdx>, keep: impl Fn(SkillIdx) -> bool) {
    tmp.clear();
    tmp.extend(v.iter().copied().filter(|&s| keep(s)));
    if !tmp.is_empty() {
        std::mem::swap(v, tmp);
    }
}

/// The next challenge of an assessment, or the end.
pub fn next_challenge(
    bank: &Bank,
    target: &Target,
    knowledge: &Knowledge,
    progress: &Progress<'_>,
    seed: u64,
    scratch: &mut Scratch,
) -> Next {
    let Scratch {
        answered,
        candidates,
        filtered,
    } = scratch;
    answered.clear();
    answered.resize(bank.challenges.len(), false);
    for &c in progress.answered {
        answered[c as usize] = true;
    }
    let playable = |s: SkillIdx| {
        bank.skill(s)
            .challenges
            .iter()
            .any(|&c| !answered[c as usize])
    };

    // Playable, untested target skills.
    candidates.clear();
    candidates.extend(
        target
            .skills
            .iter()
            .copied()
            .filter(|&s| knowledge.status(bank, s) == SkillStatus::Untested && playable(s)),
    );
    if candidates.is_empty() {
        return Next::End;
    }
    // Easy tubes first: tubes whose hardest target skill is at most level 3.
    let tube_max = |s: SkillIdx| {
        bank.tube_of(s)
            .skills
            .iter()
            .filter(|&&t| target.contains(t) && !bank.skill(t).challenges.is_empty())
            .map(|&t| bank.skill(t).level)
            .max()
            .unwrap_or(0)
    };
    prefer(candidates, filtered, |s| {
        tube_max(s) <= MAX_LEVEL_TO_BE_AN_EASY_TUBE
    });
    let timed = |s: SkillIdx| {
        bank.skill(s)
            .challenges
            .iter()
            .find(|&&c| !answered[c as usize])
            .is_some_and(|&c| bank.challenges[c as usize].timed)
    };

    if progress.answered.is_empty() {
        prefer(candidates, filtered, |s| !timed(s));
        // Level 2 first, else the easiest level present.
        let key = |s: SkillIdx| match bank.skill(s).level {
            DEFAULT_LEVEL_FOR_FIRST_CHALLENGE => 0,
            l => l as u32 + 1,
        };
        let best = candidates.iter().map(|&s| key(s)).min().unwrap_or(0);
        candidates.retain(|&s| key(s) == best);
    } else {
        if progress.last_timed_out {
            prefer(candidates, filtered, |s| !timed(s));
        }
        let level = predicted_level(bank, target, knowledge);
        candidates.retain(|&s| {
            bank.skill(s).level as f64 - level <= MAX_DIFF_BETWEEN_USER_LEVEL_AND_SKILL_LEVEL
        });
        let reward = |s: SkillIdx| {
            let d = bank.skill(s).level;
            let p = logistic(level - d as f64);
            let (mut easier, mut harder) = (0u32, 0u32);
            for &t in &bank.tube_of(s).skills {
                if !target.contains(t) || knowledge.status(bank, t) != SkillStatus::Untested {
                    continue;
                }
                let l = bank.skill(t).level;
                if l <= d {
                    easier += 1;
                }
                if l >= d {
                    harder += 1;
                }
            }
            p * easier as f64 + (1.0 - p) * harder as f64
        };
        let mut best = 0.0f64;
        filtered.clear();
        for &s in candidates.iter() {
            let r = reward(s);
            if r > best + 1e-12 {
                best = r;
                filtered.clear();
            }
            if r > 0.0 && (r - best).abs() <= 1e-12 {
                filtered.push(s);
            }
        }
        std::mem::swap(candidates, filtered);
    }
    if candidates.is_empty() {
        return Next::End;
    }
    let skill = candidates[(mix(seed) % candidates.len() as u64) as usize];
    let challenges = &bank.skill(skill).challenges;
    let answered = &*answered;
    let unanswered = |status: ChallengeStatus| {
        challenges
            .iter()
            .copied()
            .filter(move |&c| !answered[c as usize] && bank.challenges[c as usize].status == status)
    };
    // Validated challenges first; archived ones only when no validated one is left.
    let pool: Vec<ChallengeIdx> = {
        let v: Vec<_> = unanswered(ChallengeStatus::Validated).collect();
        if v.is_empty() {
            unanswered(ChallengeStatus::Archived).collect()
        } else {
            v
        }
    };
    match pool.len() {
        0 => Next::End,
        n => Next::Challenge(pool[(mix(seed.wrapping_add(1)) % n as u64) as usize]),
    }
}
