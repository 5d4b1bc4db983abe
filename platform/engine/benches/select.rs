//! Next-challenge selection time on the built-in bank (`content-plugins/packages/crcn`) and on a
//! generated bank of about 5,000 challenges, each against a baseline measured in the same run: one linear pass over the bank's challenges (the least any
//! selection that looks at every item must do).
//!
//! Run: `cargo bench -p acquis-engine --bench select`

use std::hint::black_box;
use std::time::Instant;

use acquis_engine::content::{
    Bank, ChallengeInput, ChallengeStatus, CompetenceInput, SkillInput, Target, TubeInput,
    synthetic_bank,
};
use acquis_engine::knowledge::Knowledge;
use acquis_engine::select::{Next, Progress, Scratch, next_challenge};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The built-in package's bank, read from its JSON sources (the engine itself never reads files).
fn builtin_bank() -> Result<Bank, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../content-plugins/packages/crcn/data/competences");
    let read_err = |e: std::io::Error| format!("{}: {e}", dir.display());
    let (mut comps, mut tubes, mut skills, mut challenges) = (vec![], vec![], vec![], vec![]);
    let mut files = std::fs::read_dir(&dir)
        .map_err(read_err)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err)?;
    files.sort();
    let text = |v: &serde_json::Value, what: &str| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{what} is not a string"))
    };
    let list = |v: &serde_json::Value, what: &str| {
        v.as_array()
            .cloned()
            .ok_or_else(|| format!("{what} is not a list"))
    };
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", f.display()))?;
        let code = text(&v["competence"], "competence")?;
        comps.push(CompetenceInput { id: code.clone() });
        for t in list(&v["tubes"], "tubes")? {
            let tube = text(&t["id"], "tube id")?;
            tubes.push(TubeInput {
                id: tube.clone(),
                competence: code.clone(),
            });
            for s in list(&t["skills"], "skills")? {
                let skill = text(&s["id"], "skill id")?;
                skills.push(SkillInput {
                    id: skill.clone(),
                    tube: tube.clone(),
                    level: s["level"].as_u64().ok_or("skill level is not a number")? as u8,
                });
                for c in list(&s["challenges"], "challenges")? {
                    challenges.push(ChallengeInput {
                        id: text(&c["id"], "challenge id")?,
                        skill: skill.clone(),
                        status: ChallengeStatus::Validated,
                        timed: c["timer"].as_u64().is_some(),
                    });
                }
            }
        }
    }
    Bank::build(&comps, &tubes, &skills, &challenges).map_err(|e| e.to_string())
}

fn main() -> Result<(), String> {
    measure("built-in bank (crcn)", &builtin_bank()?);
    // 16 competences × 10 tubes (6 of them with 8 levels, 4 stopping at level 3), 6 challenges
    // per skill: 960 skills, 5,760 challenges.
    measure("generated bank", &synthetic_bank(16, 10, 8, 6));
    Ok(())
}

fn measure(name: &str, bank: &Bank) {
    let bank = bank.clone();
    let target = Target::all(&bank);
    println!("== {name}");
    println!(
        "bank: {} competences, {} tubes, {} skills, {} challenges",
        bank.competences.len(),
        bank.tubes.len(),
        bank.skills.len(),
        bank.challenges.len()
    );
    let mut select_ns = Vec::new();
    let mut baseline_ns = Vec::new();
    let mut scratch = Scratch::default();
    for student in 0..40u64 {
        let mut knowledge = Knowledge::new(&bank);
        let mut answered = Vec::new();
        let ability = |t: u32| ((t as u64 * 7 + student) % 9) as u8;
        for step in 0..2_000u64 {
            let progress = Progress {
                answered: &answered,
                last_timed_out: false,
            };
            let t0 = Instant::now();
            let next = next_challenge(
                &bank,
                &target,
                &knowledge,
                &progress,
                student * 1000 + step,
                &mut scratch,
            );
            select_ns.push(t0.elapsed().as_nanos() as f64);
            let t1 = Instant::now();
            let playable = bank
                .challenges
                .iter()
                .filter(|c| black_box(c.timed))
                .count();
            black_box(playable);
            baseline_ns.push(t1.elapsed().as_nanos() as f64);
            match next {
                Next::End => break,
                Next::Challenge(c) => {
                    let s = bank.challenges[c as usize].skill;
                    let ok = bank.skill(s).level <= ability(bank.skill(s).tube);
                    knowledge.record(&bank, &target, s, ok, step as i64);
                    answered.push(c);
                }
            }
        }
    }
    select_ns.sort_by(f64::total_cmp);
    baseline_ns.sort_by(f64::total_cmp);
    let (s50, s99) = (percentile(&select_ns, 0.5), percentile(&select_ns, 0.99));
    let (b50, b99) = (
        percentile(&baseline_ns, 0.5),
        percentile(&baseline_ns, 0.99),
    );
    println!("selections measured: {}", select_ns.len());
    println!(
        "next_challenge: p50 {:.1} µs, p99 {:.1} µs",
        s50 / 1000.0,
        s99 / 1000.0
    );
    println!(
        "baseline (one pass over the challenges): p50 {:.1} µs, p99 {:.1} µs",
        b50 / 1000.0,
        b99 / 1000.0
    );
    println!("ratio p50: {:.1}×", s50 / b50);
}
