//! Guest-side SDK for Acquis challenge-type plugins.
//!
//! The rules of the built-in types (QCU, QCM, QROC, QROCM-ind, QROCM-dep) live here as plain Rust,
//! unit-tested natively; the Wasm plugins of `content-plugins/challenge-types/` wrap them.

pub mod parse;
pub mod text;

use serde::{Deserialize, Serialize};

use parse::{BlockKind, Segment};
use text::{Tolerances, matches};

/// The answer sent by "Je passe".
pub const SKIP: &str = "#ABAND#";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Qcu,
    Qcm,
    Qroc,
    QrocmInd,
    QrocmDep,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "qcu" => Kind::Qcu,
            "qcm" => Kind::Qcm,
            "qroc" => Kind::Qroc,
            "qrocm-ind" => Kind::QrocmInd,
            "qrocm-dep" => Kind::QrocmDep,
            _ => return None,
        })
    }
}

/// The part of a challenge a type plugin reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub proposals: String,
    pub solution: String,
    #[serde(default = "all_tolerances")]
    pub tolerances: TolerancesDef,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub shuffled: bool,
    /// Shown after answering ("Réponses et tutos"); never in the view model.
    #[serde(default)]
    pub solution_to_display: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TolerancesDef {
    pub t1: bool,
    pub t2: bool,
    pub t3: bool,
}

fn all_tolerances() -> TolerancesDef {
    TolerancesDef {
        t1: true,
        t2: true,
        t3: true,
    }
}

impl From<TolerancesDef> for Tolerances {
    fn from(t: TolerancesDef) -> Tolerances {
        Tolerances {
            t1: t.t1,
            t2: t.t2,
            t3: t.t3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Ko,
    Aband,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    pub verdict: Verdict,
    /// Per answer field, for QROCM: was it right?
    pub details: Vec<(String, bool)>,
}

impl Scored {
    fn of(ok: bool) -> Scored {
        Scored {
            verdict: if ok { Verdict::Ok } else { Verdict::Ko },
            details: Vec::new(),
        }
    }
}

/// Scores an answer. A malformed answer is simply wrong.
pub fn score(kind: Kind, def: &Definition, answer: &str) -> Scored {
    if answer.trim() == SKIP {
        return Scored {
            verdict: Verdict::Aband,
            details: Vec::new(),
        };
    }
    match kind {
        Kind::Qcu => Scored::of(answer.trim() == def.solution.trim()),
        Kind::Qcm => Scored::of(
            !def.solution.trim().is_empty() && index_set(answer) == index_set(&def.solution),
        ),
        Kind::Qroc => Scored::of(score_qroc(def, answer)),
        Kind::QrocmInd => score_qrocm_ind(def, answer),
        Kind::QrocmDep => score_qrocm_dep(def, answer),
    }
}

fn index_set(s: &str) -> std::collections::BTreeSet<String> {
    s.split(',')
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn solution_lines(solution: &str) -> Vec<String> {
    solution
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// "3,5" and "3.5" are the same number: one space removed, the decimal comma made a point.
fn as_number(s: &str) -> Option<f64> {
    let s = s.trim().replacen(' ', "", 1).replacen(',', ".", 1);
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn score_qroc(def: &Definition, answer: &str) -> bool {
    let solutions = solution_lines(&def.solution);
    if solutions.is_empty() {
        return false;
    }
    let is_select = parse::blocks(&def.proposals)
        .ok()
        .and_then(|b| b.into_iter().next())
        .is_some_and(|b| matches!(b.kind, BlockKind::Select { .. }));
    if is_select {
        return matches(answer, &solutions, Tolerances::NONE);
    }
    if def.format.as_deref() == Some("nombre")
        && let Some(a) = as_number(answer)
    {
        let numbers: Option<Vec<f64>> = solutions.iter().map(|s| as_number(s)).collect();
        if let Some(numbers) = numbers {
            return numbers.iter().any(|n| (n - a).abs() < 1e-9);
        }
    }
    matches(answer, &solutions, def.tolerances.into())
}

/// The answer fields of a QROCM answer (`key: value` lines).
fn answer_map(answer: &str) -> Option<Vec<(String, String)>> {
    let parsed = parse::yaml_map(answer).ok()?;
    Some(
        parsed
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().next().unwrap_or_default()))
            .collect(),
    )
}

fn select_keys(def: &Definition) -> Vec<String> {
    parse::blocks(&def.proposals)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| matches!(b.kind, BlockKind::Select { .. }))
        .map(|b| b.key)
        .collect()
}

fn score_qrocm_ind(def: &Definition, answer: &str) -> Scored {
    let (Some(answers), Ok(solutions)) = (answer_map(answer), parse::yaml_map(&def.solution))
    else {
        return Scored::of(false);
    };
    // An answer key the solution does not know makes the whole answer unreadable.
    if answers
        .iter()
        .any(|(k, _)| !solutions.iter().any(|(s, _)| s == k))
    {
        return Scored::of(false);
    }
    let selects = select_keys(def);
    let details: Vec<(String, bool)> = solutions
        .iter()
        .map(|(key, variants)| {
            let given = answers
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str());
            let tol = if selects.contains(key) {
                Tolerances::NONE
            } else {
                def.tolerances.into()
            };
            (
                key.clone(),
                given.is_some_and(|g| matches(g, variants, tol)),
            )
        })
        .collect();
    let ok = !details.is_empty() && details.iter().all(|(_, ok)| *ok);
    Scored {
        verdict: if ok { Verdict::Ok } else { Verdict::Ko },
        details,
    }
}

fn score_qrocm_dep(def: &Definition, answer: &str) -> Scored {
    let (Some(answers), Ok(groups)) = (answer_map(answer), parse::yaml_map(&def.solution)) else {
        return Scored::of(false);
    };
    let mut remaining: Vec<&Vec<String>> = groups.iter().map(|(_, v)| v).collect();
    let mut details = Vec::with_capacity(answers.len());
    for (key, value) in &answers {
        // Each answer uses up the first remaining group it fits: the same answer twice counts once.
        let found = remaining.iter().position(|variants| {
            !value.trim().is_empty() && matches(value, variants, def.tolerances.into())
        });
        if let Some(i) = found {
            remaining.remove(i);
        }
        details.push((key.clone(), found.is_some()));
    }
    let ok = !answers.is_empty() && details.iter().all(|(_, ok)| *ok);
    Scored {
        verdict: if ok { Verdict::Ok } else { Verdict::Ko },
        details,
    }
}

/// The answer formats of QROC/QROCM fields (`nombre` compares numbers; the others size the field).
pub const FORMATS: &[&str] = &["petit", "mots", "phrase", "paragraphe", "nombre"];

/// Every problem of a challenge definition, in French, for the publication report.
pub fn validate(kind: Kind, def: &Definition) -> Vec<String> {
    let mut errors = Vec::new();
    // An unknown format was read as text: « nombres » for « nombre » silently lost `3,5 = 3.5`.
    if let Some(f) = &def.format
        && !FORMATS.contains(&f.as_str())
    {
        errors.push(format!(
            "format « {f} » inconnu (formats connus : {})",
            FORMATS.join(", ")
        ));
    }
    match kind {
        Kind::Qcu | Kind::Qcm => {
            let n = parse::proposal_list(&def.proposals).len();
            if n < 2 {
                errors.push(format!(
                    "il faut au moins 2 propositions (« - … » par ligne), {n} trouvée(s)"
                ));
            }
            let indexes: Vec<&str> = def.solution.split(',').map(str::trim).collect();
            if kind == Kind::Qcu && indexes.len() != 1 {
                errors.push("la solution d'un QCU est un seul numéro de proposition".into());
            }
            for i in &indexes {
                match i.parse::<usize>() {
                    Ok(i) if (1..=n).contains(&i) => {}
                    _ => errors.push(format!(
                        "la solution « {i} » n'est pas un numéro de proposition entre 1 et {n}"
                    )),
                }
            }
            if kind == Kind::Qcm && index_set(&def.solution).len() != indexes.len() {
                errors.push("la solution contient un numéro en double".into());
            }
        }
        Kind::Qroc => match parse::blocks(&def.proposals) {
            Err(e) => errors.push(e),
            Ok(blocks) if blocks.len() != 1 => errors.push(format!(
                "un QROC a exactement un champ « ${{…}} », {} trouvé(s)",
                blocks.len()
            )),
            Ok(blocks) => {
                let solutions = solution_lines(&def.solution);
                if solutions.is_empty() {
                    errors.push("la solution est vide".into());
                }
                if let BlockKind::Select { options } = &blocks[0].kind {
                    for s in &solutions {
                        if !options.contains(s) {
                            errors.push(format!(
                                "la solution « {s} » ne figure pas dans les options du menu"
                            ));
                        }
                    }
                }
            }
        },
        Kind::QrocmInd | Kind::QrocmDep => match (
            parse::blocks(&def.proposals),
            parse::yaml_map(&def.solution),
        ) {
            (Err(e), _) => errors.push(e),
            (_, Err(e)) => errors.push(format!("solution illisible : {e}")),
            (Ok(blocks), Ok(solution)) => {
                if blocks.len() < 2 {
                    errors.push(format!(
                        "un QROCM a au moins deux champs « ${{…}} », {} trouvé(s)",
                        blocks.len()
                    ));
                }
                for (key, variants) in &solution {
                    if variants.is_empty() {
                        errors.push(format!(
                            "la clé « {key} » de la solution n'a aucune réponse acceptée"
                        ));
                    }
                }
                if kind == Kind::QrocmInd {
                    for b in &blocks {
                        if !solution.iter().any(|(k, _)| *k == b.key) {
                            errors.push(format!("le champ « {} » n'a pas de solution", b.key));
                        }
                    }
                    for (k, _) in &solution {
                        if !blocks.iter().any(|b| b.key == *k) {
                            errors.push(format!("la solution « {k} » ne correspond à aucun champ"));
                        }
                    }
                } else if solution.len() < blocks.len() {
                    errors.push(format!(
                        "{} champs mais seulement {} groupes de réponses acceptées",
                        blocks.len(),
                        solution.len()
                    ));
                }
            }
        },
    }
    errors
}

/// What the student sees: no solution, proposals possibly shuffled from the seed (the answer
/// still encodes the original numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// QCU/QCM: (original number, text) in display order.
    pub choices: Vec<(usize, String)>,
    /// QROC/QROCM: text and fields in order.
    pub segments: Vec<Segment>,
}

pub fn render(kind: Kind, def: &Definition, seed: u64) -> Result<View, String> {
    match kind {
        Kind::Qcu | Kind::Qcm => {
            let mut choices: Vec<(usize, String)> = parse::proposal_list(&def.proposals)
                .into_iter()
                .enumerate()
                .map(|(i, p)| (i + 1, p))
                .collect();
            if def.shuffled {
                shuffle(&mut choices, seed);
            }
            Ok(View {
                choices,
                segments: Vec::new(),
            })
        }
        _ => Ok(View {
            choices: Vec::new(),
            segments: parse::segments(&def.proposals)?,
        }),
    }
}

fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..v.len()).rev() {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        v.swap(i, (z % (i as u64 + 1)) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(proposals: &str, solution: &str) -> Definition {
        Definition {
            proposals: proposals.into(),
            solution: solution.into(),
            tolerances: all_tolerances(),
            format: None,
            shuffled: false,
            solution_to_display: None,
        }
    }

    #[test]
    fn an_unknown_format_is_refused() {
        let mut d = def("Réponse : ${r}", "3.5");
        d.format = Some("nombres".into());
        let errors = validate(Kind::Qroc, &d);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("format « nombres » inconnu")),
            "{errors:?}"
        );
        d.format = Some("nombre".into());
        assert!(validate(Kind::Qroc, &d).is_empty());
    }

    #[test]
    fn qcu_qcm_and_skip() {
        let d = def("- a\n- b\n- c", "2");
        assert_eq!(score(Kind::Qcu, &d, "2").verdict, Verdict::Ok);
        assert_eq!(score(Kind::Qcu, &d, "3").verdict, Verdict::Ko);
        assert_eq!(score(Kind::Qcu, &d, SKIP).verdict, Verdict::Aband);
        let d = def("- a\n- b\n- c", "1,3");
        assert_eq!(score(Kind::Qcm, &d, "3, 1").verdict, Verdict::Ok);
        assert_eq!(score(Kind::Qcm, &d, "1").verdict, Verdict::Ko);
        assert_eq!(score(Kind::Qcm, &d, "1,2,3").verdict, Verdict::Ko);
    }

    #[test]
    fn qroc_numbers_selects_and_tolerances() {
        let mut d = def("Réponse : ${r}", "3.5");
        d.format = Some("nombre".into());
        assert_eq!(score(Kind::Qroc, &d, "3,5").verdict, Verdict::Ok);
        assert_eq!(score(Kind::Qroc, &d, "3,6").verdict, Verdict::Ko);
        let s = def("${r options=[\"Paris\",\"Lyon\"]}", "Paris");
        assert_eq!(score(Kind::Qroc, &s, "Paris").verdict, Verdict::Ok);
        assert_eq!(
            score(Kind::Qroc, &s, "paris").verdict,
            Verdict::Ko,
            "no tolerance on selects"
        );
        let t = def("${r}", "Moteur de recherche");
        assert_eq!(
            score(Kind::Qroc, &t, " moteur  de RECHERCHE ").verdict,
            Verdict::Ok
        );
    }

    #[test]
    fn qrocm_ind_checks_each_field() {
        let d = def("${a} ${b}", "a:\n- un\nb:\n- deux\n- 2");
        let s = score(Kind::QrocmInd, &d, "a: Un\nb: 2");
        assert_eq!(s.verdict, Verdict::Ok);
        let s = score(Kind::QrocmInd, &d, "a: un\nb: trois");
        assert_eq!(s.verdict, Verdict::Ko);
        assert_eq!(s.details, vec![("a".into(), true), ("b".into(), false)]);
        assert_eq!(
            score(Kind::QrocmInd, &d, "a: un\nb: deux\nz: x").verdict,
            Verdict::Ko
        );
    }

    #[test]
    fn qrocm_dep_answers_are_interchangeable_but_not_repeatable() {
        let d = def("${a} ${b}", "a:\n- tigre\nb:\n- lion");
        assert_eq!(
            score(Kind::QrocmDep, &d, "a: lion\nb: tigre").verdict,
            Verdict::Ok
        );
        assert_eq!(
            score(Kind::QrocmDep, &d, "a: tigre\nb: tigre").verdict,
            Verdict::Ko
        );
    }

    #[test]
    fn validation_lists_every_problem() {
        assert!(validate(Kind::Qcu, &def("- a\n- b", "2")).is_empty());
        let e = validate(Kind::Qcm, &def("- a", "1,1,4"));
        assert_eq!(e.len(), 3, "{e:?}");
        let e = validate(Kind::QrocmInd, &def("${a} ${b}", "a:\n- x\nc:\n- y"));
        assert_eq!(e.len(), 2, "{e:?}");
    }

    #[test]
    fn shuffling_is_deterministic_and_keeps_numbers() {
        let mut d = def("- a\n- b\n- c\n- d\n- e", "1");
        d.shuffled = true;
        let v1 = render(Kind::Qcu, &d, 42).unwrap();
        assert_eq!(v1, render(Kind::Qcu, &d, 42).unwrap());
        let mut numbers: Vec<usize> = v1.choices.iter().map(|c| c.0).collect();
        numbers.sort();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
        assert!(
            (0..20).any(|s| render(Kind::Qcu, &d, s).unwrap() != v1),
            "some seed reorders"
        );
    }
}
