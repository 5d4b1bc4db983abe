//! Answer tolerances ("traitements"): the pre-treatment always applied, T1 (spaces, case,
//! accents), T2 (punctuation) and T3 (edit distance).

use unicode_normalization::UnicodeNormalization;

/// The largest accepted edit distance, relative to the length of the treated answer.
pub const LEVENSHTEIN_MAX_RATIO: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolerances {
    pub t1: bool,
    pub t2: bool,
    pub t3: bool,
}

impl Tolerances {
    pub const ALL: Tolerances = Tolerances {
        t1: true,
        t2: true,
        t3: true,
    };
    pub const NONE: Tolerances = Tolerances {
        t1: false,
        t2: false,
        t3: false,
    };
}

/// Always applied: Unicode NFC and non-breaking spaces as spaces.
pub fn pre_treat(s: &str) -> String {
    s.nfc()
        .map(|c| if c == '\u{00A0}' { ' ' } else { c })
        .collect()
}

/// T1: trimmed, lower-cased, accents stripped, every whitespace removed.
pub fn t1(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c) && !c.is_whitespace())
        .collect()
}

/// T2: only ASCII letters, digits and single spaces remain.
pub fn t2(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || c.is_whitespace())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn treat(s: &str, tol: Tolerances) -> String {
    let mut out = pre_treat(s);
    if tol.t1 {
        out = t1(&out);
    }
    if tol.t2 {
        out = t2(&out);
    }
    out
}

/// Edit distance over Unicode scalar values.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() {
        return b.len();
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Does `answer` match one of `solutions` under the tolerances?
pub fn matches(answer: &str, solutions: &[String], tol: Tolerances) -> bool {
    let answer = treat(answer, tol);
    let mut treated = solutions.iter().map(|s| treat(s, tol));
    if !tol.t3 {
        return treated.any(|s| s == answer);
    }
    let len = answer.chars().count();
    if len == 0 {
        return treated.any(|s| s.is_empty());
    }
    treated.any(|s| levenshtein(&answer, &s) as f64 / len as f64 <= LEVENSHTEIN_MAX_RATIO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sols(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn t1_ignores_spaces_case_and_accents() {
        assert_eq!(t1("  Moteur de Récherche "), "moteurderecherche");
        assert_eq!(t1("ÉLÈVE\u{00A0}x"), "elevex");
    }

    #[test]
    fn t2_drops_punctuation() {
        assert_eq!(t2("a.b, c!  d"), "ab c d");
        assert_eq!(
            treat(
                "B2:B10",
                Tolerances {
                    t1: true,
                    t2: true,
                    t3: false
                }
            ),
            "b2b10"
        );
    }

    #[test]
    fn t3_accepts_a_quarter_of_typos() {
        assert!(matches(
            "moteurs de recherches",
            &sols(&["moteurs de recherche"]),
            Tolerances::ALL
        ));
        assert!(!matches(
            "navigateur",
            &sols(&["moteur de recherche"]),
            Tolerances::ALL
        ));
        // 1 edit over 4 characters is exactly 0.25: accepted.
        assert!(matches("http", &sols(&["https"]), Tolerances::ALL));
        assert!(!matches(
            "http",
            &sols(&["https"]),
            Tolerances {
                t1: true,
                t2: true,
                t3: false
            }
        ));
        assert!(matches("", &sols(&["", "x"]), Tolerances::ALL));
        assert!(!matches("", &sols(&["x"]), Tolerances::ALL));
    }

    #[test]
    fn without_tolerances_only_the_exact_text_matches() {
        assert!(matches("Paris", &sols(&["Paris"]), Tolerances::NONE));
        assert!(!matches("paris", &sols(&["Paris"]), Tolerances::NONE));
        // The pre-treatment still applies: a non-breaking space is a space.
        assert!(matches("a\u{00A0}b", &sols(&["a b"]), Tolerances::NONE));
    }

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("chat", "chats"), 1);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("é", "e"), 1);
    }
}
