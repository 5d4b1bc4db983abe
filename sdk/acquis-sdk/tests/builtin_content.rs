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
