//! Names as students type them versus names as the school exported them.

use acquis_sdk::text::{LEVENSHTEIN_MAX_RATIO, levenshtein, pre_treat, t1, t2};
use rand::Rng;
use time::Date;

/// Lower-case ASCII letters and digits only: accents, spaces, hyphens and apostrophes go.
pub fn normalize(s: &str) -> String {
    t2(&t1(&pre_treat(s))).replace(' ', "")
}

/// The given names and family names of one imported student, as the school exported them.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub first_names: [Option<&'a str>; 3],
    pub last_names: [Option<&'a str>; 2],
}

fn close(typed: &str, known: &str, fuzzy: bool) -> bool {
    if known.is_empty() {
        return false;
    }
    if !fuzzy {
        return typed == known;
    }
    let len = typed.chars().count().max(1);
    levenshtein(typed, known) as f64 / len as f64 <= LEVENSHTEIN_MAX_RATIO
}

fn matches(first: &str, last: &str, who: &Identity<'_>, fuzzy: bool) -> bool {
    let any = |typed: &str, names: &mut dyn Iterator<Item = &Option<&str>>| {
        names.flatten().any(|n| close(typed, &normalize(n), fuzzy))
    };
    any(first, &mut who.first_names.iter()) && any(last, &mut who.last_names.iter())
}

/// Which candidate (all born on the typed date) the typed names designate: an exact pass, then
/// a tolerant one (edit distance ≤ 25 % of the typed length). A pass decides only when exactly one
/// candidate matches; `None` when nobody, or several, do.
pub fn reconcile(first_name: &str, last_name: &str, candidates: &[Identity<'_>]) -> Option<usize> {
    let first = normalize(first_name);
    let last = normalize(last_name);
    if first.is_empty() || last.is_empty() {
        return None;
    }
    for fuzzy in [false, true] {
        let found: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| matches(&first, &last, c, fuzzy))
            .map(|(i, _)| i)
            .collect();
        match found.len() {
            1 => return Some(found[0]),
            0 => continue,
            _ => return None,
        }
    }
    None
}

/// `prenom.nomJJMM`: normalised names, then the day and the month of birth.
pub fn username(first_name: &str, last_name: &str, birthdate: Date) -> String {
    format!(
        "{}.{}{:02}{:02}",
        normalize(first_name),
        normalize(last_name),
        birthdate.day(),
        u8::from(birthdate.month())
    )
}

/// The same with four random digits, for when `prenom.nomJJMM` is taken.
pub fn username_variant(first_name: &str, last_name: &str, rng: &mut impl Rng) -> String {
    format!(
        "{}.{}{:04}",
        normalize(first_name),
        normalize(last_name),
        rng.gen_range(0..10_000)
    )
}

/// The letters of one-time passwords: lower case without i, l, o, which read like digits.
const SAFE_LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyz";

/// A one-time password: six safe letters then two digits (e.g. `kpwdra07`).
pub fn one_time_password(rng: &mut impl Rng) -> String {
    let mut s: String = (0..6)
        .map(|_| SAFE_LETTERS[rng.gen_range(0..SAFE_LETTERS.len())] as char)
        .collect();
    s.push_str(&format!("{:02}", rng.gen_range(0..100)));
    s
}

/// Hides most of a login so a student can recognise it without others reading it:
/// `lea.dupont0107` → `l***.d***0107`, `lea@exemple.fr` → `l***@e***.fr`.
pub fn obfuscate_login(login: &str) -> String {
    fn part(s: &str) -> String {
        match s.chars().next() {
            Some(c) => format!("{c}***"),
            None => String::new(),
        }
    }
    if let Some((local, domain)) = login.split_once('@') {
        let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
        return format!("{}@{}.{}", part(local), part(host), tld);
    }
    let digits: String = login.chars().filter(|c| c.is_ascii_digit()).collect();
    let letters = login.trim_end_matches(|c: char| c.is_ascii_digit());
    let (first, last) = letters.split_once('.').unwrap_or((letters, ""));
    format!("{}.{}{}", part(first), part(last), digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn who<'a>(
        first: &'a str,
        middle: Option<&'a str>,
        last: &'a str,
        usage: Option<&'a str>,
    ) -> Identity<'a> {
        Identity {
            first_names: [Some(first), middle, None],
            last_names: [Some(last), usage],
        }
    }

    #[test]
    fn normalisation_drops_accents_case_spaces_and_punctuation() {
        assert_eq!(normalize("  Éloïse-Marie D'Arc "), "eloisemariedarc");
        assert_eq!(normalize("ÇA"), "ca");
    }

    #[test]
    fn exact_names_then_tolerant_ones() {
        let c = [
            who("Léa", None, "Dupont", None),
            who("Lena", None, "Dupond", None),
        ];
        // Exact on the first pass even though both are close.
        assert_eq!(reconcile("lea", "DUPONT", &c), Some(0));
        assert_eq!(reconcile("Lena", "Dupond", &c), Some(1));
        // "Léo Dupont" is close to both on the tolerant pass: refused.
        assert_eq!(reconcile("Lila", "Dupons", &c), None);
        let one = [who("Mathilde", None, "Bernard", None)];
        assert_eq!(reconcile("Matilde", "Bernard", &one), Some(0));
        assert_eq!(reconcile("Marie", "Bernard", &one), None);
    }

    #[test]
    fn any_given_name_and_the_usage_name_count() {
        let c = [who("Jean", Some("Pierre"), "Martin", Some("Durand"))];
        assert_eq!(reconcile("Pierre", "Durand", &c), Some(0));
        assert_eq!(reconcile("Jean", "Martin", &c), Some(0));
        assert_eq!(reconcile("Paul", "Martin", &c), None);
        assert_eq!(reconcile("", "Martin", &c), None);
    }

    #[test]
    fn usernames_and_one_time_passwords() {
        assert_eq!(
            username("Léa", "Du Pont", date!(2010 - 07 - 01)),
            "lea.dupont0107"
        );
        let mut rng = rand::thread_rng();
        let v = username_variant("Léa", "Dupont", &mut rng);
        assert!(v.starts_with("lea.dupont") && v.len() == "lea.dupont".len() + 4);
        for _ in 0..200 {
            let p = one_time_password(&mut rng);
            assert_eq!(p.len(), 8);
            assert!(p[..6].bytes().all(|b| SAFE_LETTERS.contains(&b)));
            assert!(p[6..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn obfuscated_logins() {
        assert_eq!(obfuscate_login("lea.dupont0107"), "l***.d***0107");
        assert_eq!(obfuscate_login("lea@exemple.fr"), "l***@e***.fr");
    }
}
