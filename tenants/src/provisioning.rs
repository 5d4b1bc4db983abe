//! Rules for provisioning establishments and inviting their staff.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// The French school identifier (UAI, formerly RNE): 7 digits and one letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uai(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UaiError {
    #[error("empty UAI")]
    Empty,
    #[error("malformed UAI")]
    Malformed,
}

impl Uai {
    pub fn parse(raw: &str) -> Result<Uai, UaiError> {
        let s = raw.trim().to_uppercase();
        if s.is_empty() {
            return Err(UaiError::Empty);
        }
        let b = s.as_bytes();
        if b.len() == 8 && b[..7].iter().all(u8::is_ascii_digit) && b[7].is_ascii_uppercase() {
            Ok(Uai(s))
        } else {
            Err(UaiError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of school an establishment is. Collèges and lycées import their students (SIECLE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EstablishmentKind {
    #[serde(rename = "COLLEGE")]
    College,
    #[serde(rename = "LYCEE")]
    Lycee,
    #[serde(rename = "LYCEE_PRO")]
    LyceePro,
    #[serde(rename = "OTHER")]
    Other,
}

impl EstablishmentKind {
    pub const ALL: [EstablishmentKind; 4] = [
        EstablishmentKind::College,
        EstablishmentKind::Lycee,
        EstablishmentKind::LyceePro,
        EstablishmentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EstablishmentKind::College => "COLLEGE",
            EstablishmentKind::Lycee => "LYCEE",
            EstablishmentKind::LyceePro => "LYCEE_PRO",
            EstablishmentKind::Other => "OTHER",
        }
    }

    pub fn parse(s: &str) -> Option<EstablishmentKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Schools whose student list comes from SIECLE; their campaigns are restricted to it.
    pub fn manages_students(self) -> bool {
        !matches!(self, EstablishmentKind::Other)
    }
}

/// Characters that copy-paste from office suites and webmail slip into address lists.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202F}' | '\u{2060}' | '\u{FEFF}'
    ) || c.is_control()
}

/// Lower-cases, trims and drops invisible characters.
pub fn normalize_email(raw: &str) -> String {
    raw.chars()
        .filter(|c| !is_invisible(*c))
        .collect::<String>()
        .trim()
        .to_lowercase()
}

/// The one validator of addresses, [`acquis_input::is_valid_email`]: deliverability is the
/// mail server's call, typos and addresses a page or a spreadsheet would misread are ours.
pub fn is_valid_email(email: &str) -> bool {
    acquis_input::is_valid_email(email)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEmail(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailListError {
    #[error("no address given")]
    Empty,
    #[error("invalid addresses")]
    Invalid(Vec<InvalidEmail>),
}

/// Parses "Adresse(s) e-mail": comma-separated (semicolons and new lines tolerated), normalised,
/// de-duplicated in order of appearance; every invalid address is reported.
pub fn parse_email_list(raw: &str) -> Result<Vec<String>, EmailListError> {
    let mut out: Vec<String> = Vec::new();
    let mut invalid = Vec::new();
    for part in raw.split([',', ';', '\n']) {
        let email = normalize_email(part);
        if email.is_empty() {
            continue;
        }
        if !is_valid_email(&email) {
            invalid.push(InvalidEmail(email));
        } else if !out.contains(&email) {
            out.push(email);
        }
    }
    if !invalid.is_empty() {
        Err(EmailListError::Invalid(invalid))
    } else if out.is_empty() {
        Err(EmailListError::Empty)
    } else {
        Ok(out)
    }
}

/// A single-use invitation code: 10 upper-case alphanumerics.
pub fn invitation_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uai_is_seven_digits_and_a_letter() {
        assert_eq!(Uai::parse(" 0754321x ").unwrap().as_str(), "0754321X");
        assert_eq!(Uai::parse(""), Err(UaiError::Empty));
        for bad in [
            "075432X",
            "07543210X",
            "0754321",
            "A754321X",
            "07543211",
            "0754321É",
        ] {
            assert_eq!(Uai::parse(bad), Err(UaiError::Malformed), "{bad}");
        }
    }

    #[test]
    fn email_list_is_trimmed_lowercased_deduplicated_and_cleaned() {
        let list = parse_email_list(
            " Prof.Un@College.fr ,prof.deux@college.fr,\u{200B}prof.un@college.fr\u{FEFF}, ,",
        )
        .unwrap();
        assert_eq!(list, vec!["prof.un@college.fr", "prof.deux@college.fr"]);
    }

    #[test]
    fn every_invalid_email_is_reported() {
        let err = parse_email_list("ok@college.fr, pas-une-adresse, a@b, x y@z.fr").unwrap_err();
        assert_eq!(
            err,
            EmailListError::Invalid(vec![
                InvalidEmail("pas-une-adresse".into()),
                InvalidEmail("a@b".into()),
                InvalidEmail("x y@z.fr".into()),
            ])
        );
    }

    #[test]
    fn empty_list_is_an_error() {
        assert_eq!(parse_email_list(" , ,"), Err(EmailListError::Empty));
    }

    #[test]
    fn invitation_codes_are_ten_uppercase_alphanumerics() {
        let a = invitation_code();
        assert_eq!(a.len(), 10);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert_ne!(a, invitation_code());
    }
}

/// A campaign code: 6 upper-case letters without I, L, O (read as 1 and 0) and 3 digits 2–9.
pub fn campaign_code() -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rngs::OsRng;
    let mut code: String = (0..6)
        .map(|_| LETTERS[rng.gen_range(0..LETTERS.len())] as char)
        .collect();
    code.extend((0..3).map(|_| DIGITS[rng.gen_range(0..DIGITS.len())] as char));
    code
}

/// A code as typed by a student: case and surrounding spaces do not matter.
pub fn normalize_campaign_code(raw: &str) -> String {
    raw.trim().to_uppercase()
}

#[cfg(test)]
mod campaign_code_tests {
    use super::*;

    #[test]
    fn campaign_codes_follow_the_rule() {
        for _ in 0..500 {
            let c = campaign_code();
            assert_eq!(c.len(), 9);
            assert!(
                c[..6]
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() && !b"ILO".contains(&b))
            );
            assert!(c[6..].bytes().all(|b| (b'2'..=b'9').contains(&b)));
        }
        assert_eq!(normalize_campaign_code(" abcdef234 "), "ABCDEF234");
    }
}
