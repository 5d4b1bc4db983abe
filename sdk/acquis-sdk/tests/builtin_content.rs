//! Every challenge of the built-in content validates, and every sample answer gets the verdict
//! its author declared, under the SDK's rules (the same code the Wasm plugins run).

use std::path::PathBuf;

use acquis_sdk::{Definition, Kind, Verdict, score, validate};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    tubes: Vec<Tube>,
}
#[derive(Deserialize)]
struct Tube {
    skills: Vec<Skill>,
}
#[derive(Deserialize)]
struct Skill {
    challenges: Vec<Challenge>,
}
#[derive(Deserialize)]
struct Challenge {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    def: Definition,
    examples: Vec<Example>,
}
#[derive(Deserialize)]
struct Example {
    answer: String,
    verdict: Verdict,
}

#[test]
fn every_builtin_challenge_validates_and_scores_its_examples_as_declared() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../content-plugins/packages/crcn/data/competences");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 16, "one file per competence");
    let mut problems = Vec::new();
    let (mut challenges, mut examples) = (0, 0);
    for path in files {
        let file: File = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for c in file
            .tubes
            .iter()
            .flat_map(|t| &t.skills)
            .flat_map(|s| &s.challenges)
        {
            challenges += 1;
            let Some(kind) = Kind::parse(&c.kind) else {
                problems.push(format!("{}: unknown type {}", c.id, c.kind));
                continue;
            };
            for e in validate(kind, &c.def) {
                problems.push(format!("{}: {e}", c.id));
            }
            assert!(
                c.examples.iter().any(|e| e.verdict == Verdict::Ok),
                "{}: no ok example",
                c.id
            );
            for ex in &c.examples {
                examples += 1;
                let got = score(kind, &c.def, &ex.answer).verdict;
                if got != ex.verdict {
                    problems.push(format!(
                        "{}: {:?} scored {:?}, declared {:?}",
                        c.id, ex.answer, got, ex.verdict
                    ));
                }
            }
        }
    }
    assert!(challenges >= 400, "{challenges} challenges");
    assert!(
        problems.is_empty(),
        "{} problems in {challenges} challenges / {examples} examples:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[derive(Deserialize)]
struct Profile {
    id: String,
    category: String,
    capped_tubes: Vec<Capped>,
    stages: Vec<serde_json::Value>,
    badges: Vec<serde_json::Value>,
    selector: Option<serde_json::Value>,
}
#[derive(Deserialize)]
struct Capped {
    tube: String,
    level: u8,
}

#[test]
fn target_profiles_reference_existing_content() {
    let data =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content-plugins/packages/crcn/data");
    let mut tubes = std::collections::HashSet::new();
    let mut challenges = std::collections::HashSet::new();
    for entry in std::fs::read_dir(data.join("competences")).unwrap() {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        for t in v["tubes"].as_array().unwrap() {
            tubes.insert(t["id"].as_str().unwrap().to_owned());
            for s in t["skills"].as_array().unwrap() {
                for c in s["challenges"].as_array().unwrap() {
                    challenges.insert(c["id"].as_str().unwrap().to_owned());
                }
            }
        }
    }
    let mut by_category = std::collections::HashMap::<String, usize>::new();
    let (mut with_badges, mut with_selector) = (0, 0);
    for entry in std::fs::read_dir(data.join("target-profiles")).unwrap() {
        let path = entry.unwrap().path();
        let p: Profile = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        *by_category.entry(p.category.clone()).or_default() += 1;
        assert!(!p.capped_tubes.is_empty(), "{}", p.id);
        for c in &p.capped_tubes {
            assert!(tubes.contains(&c.tube), "{}: unknown tube {}", p.id, c.tube);
            assert!((1..=8).contains(&c.level), "{}", p.id);
        }
        let thresholds: Vec<u64> = p
            .stages
            .iter()
            .filter_map(|s| s["threshold"].as_u64())
            .collect();
        assert!(
            thresholds.windows(2).all(|w| w[0] < w[1]),
            "{}: stages not ascending",
            p.id
        );
        if p.category == "BACK_TO_SCHOOL" {
            assert_eq!(thresholds, vec![0, 21, 51, 81], "{}", p.id);
        }
        with_badges += usize::from(!p.badges.is_empty());
        if let Some(sel) = &p.selector {
            with_selector += 1;
            for item in sel["items"].as_array().unwrap() {
                assert!(
                    challenges.contains(item.as_str().unwrap()),
                    "{}: unknown item {item}",
                    p.id
                );
            }
        }
    }
    assert_eq!(by_category.get("COMPETENCES"), Some(&16));
    assert_eq!(by_category.get("DISCOVERY"), Some(&2));
    assert_eq!(by_category.get("BACK_TO_SCHOOL"), Some(&7));
    assert!(with_badges >= 2);
    assert!(with_selector >= 1);
}
