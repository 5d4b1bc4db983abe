//! Every text a user sends goes through here once, typed by what it is.
//!
//! A [`Text<K>`] is a string that passed its kind's rules: no NUL or other control character
//! (line breaks only where the kind is multi-line), no U+FFFD (what a lossy decoding leaves of
//! bytes that were not UTF-8), Unicode NFC, trimmed, at most the kind's length. PostgreSQL refuses
//! NUL in text, a spreadsheet runs a cell starting with `=`, and a name typed with a decomposed
//! accent must compare equal to the one SIECLE exported: doing it in each handler was a habit that
//! some handlers lacked.
//!
//! Forms deserialize straight into these types; a refusal travels through serde as a
//! [`Problem`] encoded in the error's text ([`Problem::from_serde_message`] reads it back), so
//! that the server can say in French which field is wrong and why.

use std::fmt;
use std::marker::PhantomData;

use unicode_normalization::UnicodeNormalization;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A control character (NUL, ESC, BEL…), a line break in a one-line field, or U+FFFD.
    Control,
    /// Longer than the kind allows, in characters after normalisation.
    TooLong { max: usize },
    /// Not an e-mail address we can write to (see [`email`]).
    Email,
}

const SERDE_PREFIX: &str = "acquis-input:";

impl Problem {
    /// The text a serde error carries for this problem.
    fn to_serde_message(self) -> String {
        match self {
            Problem::Control => format!("{SERDE_PREFIX}control"),
            Problem::TooLong { max } => format!("{SERDE_PREFIX}too-long:{max}"),
            Problem::Email => format!("{SERDE_PREFIX}email"),
        }
    }

    /// The problem a serde error's text names, if it came from one of these types (serde
    /// deserializers may append the position after it).
    pub fn from_serde_message(message: &str) -> Option<Problem> {
        let rest = &message[message.find(SERDE_PREFIX)? + SERDE_PREFIX.len()..];
        let code: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
            .collect();
        match code.split_once(':') {
            Some(("too-long", max)) => max.parse().ok().map(|max| Problem::TooLong { max }),
            _ => match code.as_str() {
                "control" => Some(Problem::Control),
                "email" => Some(Problem::Email),
                _ => None,
            },
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_serde_message())
    }
}

impl std::error::Error for Problem {}

/// What a field is, and so how long it may be and whether it may hold line breaks.
pub trait Kind {
    const MAX_CHARS: usize;
    const MULTILINE: bool;
    /// Further checks and rewriting after the common ones (an address is lower-cased and
    /// validated).
    fn finish(text: String) -> Result<String, Problem> {
        Ok(text)
    }
}

/// A person's first or last name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {}
impl Kind for Name {
    const MAX_CHARS: usize = 100;
    const MULTILINE: bool = false;
}

/// A title: a campaign's name or title, an establishment's name, a token's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Title {}
impl Kind for Title {
    const MAX_CHARS: usize = 255;
    const MULTILINE: bool = false;
}

/// A text of several paragraphs: a campaign's landing text, observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeText {}
impl Kind for FreeText {
    const MAX_CHARS: usize = 5000;
    const MULTILINE: bool = true;
}

/// Any other one-line value: a code, a login, a search, an identifier, an address on the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {}
impl Kind for Line {
    const MAX_CHARS: usize = 500;
    const MULTILINE: bool = false;
}

/// An e-mail address, lower-cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Email {}
impl Kind for Email {
    const MAX_CHARS: usize = 254;
    const MULTILINE: bool = false;
    fn finish(text: String) -> Result<String, Problem> {
        let lower = text.to_lowercase();
        if is_valid_email(&lower) {
            Ok(lower)
        } else {
            Err(Problem::Email)
        }
    }
}

/// A text that passed its kind's rules.
pub struct Text<K>(String, PhantomData<K>);

impl<K: Kind> Text<K> {
    pub fn parse(raw: &str) -> Result<Text<K>, Problem> {
        let text = normalise(raw, K::MAX_CHARS, K::MULTILINE)?;
        Ok(Text(K::finish(text)?, PhantomData))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

// Written by hand: a derive would require `K` itself to be Clone, Default…
impl<K> Clone for Text<K> {
    fn clone(&self) -> Self {
        Text(self.0.clone(), PhantomData)
    }
}

impl<K> Default for Text<K> {
    fn default() -> Self {
        Text(String::new(), PhantomData)
    }
}

impl<K> fmt::Debug for Text<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<K> PartialEq for Text<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K> std::ops::Deref for Text<K> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<K> fmt::Display for Text<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<K> serde::Serialize for Text<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, K: Kind> serde::Deserialize<'de> for Text<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Text::parse(&raw).map_err(|p| serde::de::Error::custom(p.to_serde_message()))
    }
}

/// A character no value accepts: controls (but tab and line breaks, which the kinds decide on)
/// and U+FFFD.
fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFD}'
}

/// Invisible format characters that can disguise a one-line value on a list (zero-width spaces,
/// BOM, bidirectional overrides). Multi-line texts keep them: pasted address lists carry them,
/// and their readers drop them.
fn disguising(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// The common rules: refuse forbidden characters, NFC, tabs and non-breaking spaces as spaces
/// in one-line fields, trimmed, bounded.
pub fn normalise(raw: &str, max_chars: usize, multiline: bool) -> Result<String, Problem> {
    // A bound on the input first: NFC of a megabyte of combining marks is work for nothing.
    if raw.len() > max_chars.saturating_mul(4).saturating_add(64) {
        return Err(Problem::TooLong { max: max_chars });
    }
    let mut out = String::with_capacity(raw.len());
    for c in raw.replace("\r\n", "\n").nfc() {
        match c {
            c if forbidden(c) || (!multiline && disguising(c)) => return Err(Problem::Control),
            '\n' | '\r' if !multiline => return Err(Problem::Control),
            '\r' => out.push('\n'),
            '\t' | '\u{00A0}' if !multiline => out.push(' '),
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.chars().count() > max_chars {
        return Err(Problem::TooLong { max: max_chars });
    }
    Ok(if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    })
}

/// The check every value of every form gets, typed or not: what no field may hold, and a
/// bound far above any field's own.
pub fn check_any(raw: &str) -> Result<(), Problem> {
    const MAX_ANY: usize = 20_000;
    if raw.chars().any(forbidden) {
        return Err(Problem::Control);
    }
    if raw.len() > MAX_ANY * 4 || raw.chars().count() > MAX_ANY {
        return Err(Problem::TooLong { max: MAX_ANY });
    }
    Ok(())
}

/// An address we can write to and show: valid by RFC 5322 without display text, quotes,
/// comments or IP literals (the `email_address` crate's parser), with a dotted domain, in
/// printable characters, and not starting with what a spreadsheet reads as a formula
/// (`=`, `+`, `-`, `@`): the address lists we export are opened in spreadsheets.
pub fn is_valid_email(email: &str) -> bool {
    let options = email_address::Options::default()
        .with_required_tld()
        .without_display_text()
        .without_domain_literal();
    if email.len() > Email::MAX_CHARS
        || email.starts_with(['=', '+', '-', '@'])
        || email.contains('"')
        || email
            .chars()
            .any(|c| c.is_whitespace() || forbidden(c) || disguising(c))
    {
        return false;
    }
    email_address::EmailAddress::parse_with_options(email, options).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nul_escape_bell_and_replacement_are_refused() {
        for raw in [
            "a\0b",
            "Jean\u{1b}[31m",
            "Zoé\u{7}",
            "Mar\u{FFFD}ie",
            "x\u{202E}y",
        ] {
            assert_eq!(
                Text::<Name>::parse(raw).unwrap_err(),
                Problem::Control,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn line_breaks_only_where_the_kind_is_multi_line() {
        assert_eq!(Text::<Title>::parse("a\nb").unwrap_err(), Problem::Control);
        assert_eq!(
            Text::<FreeText>::parse(" un\r\ndeux\n ").unwrap().as_str(),
            "un\ndeux"
        );
    }

    #[test]
    fn names_are_composed_trimmed_and_bounded() {
        let decomposed = "  Zoe\u{301}\u{a0}";
        assert_eq!(Text::<Name>::parse(decomposed).unwrap().as_str(), "Zoé");
        assert!(Text::<Name>::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            Text::<Name>::parse(&"é".repeat(101)).unwrap_err(),
            Problem::TooLong { max: 100 }
        );
        assert_eq!(
            Text::<Name>::parse(&"a".repeat(100_000)).unwrap_err(),
            Problem::TooLong { max: 100 }
        );
    }

    #[test]
    fn addresses_a_spreadsheet_or_a_page_would_misread_are_refused() {
        for bad in [
            "<script>alert(1)</script>@example.org",
            "=cmd|' /C calc'!A0@example.org",
            "+33@example.org",
            "ma\u{FFFD}rie@example.org",
            "marie@localhost",
            "\"marie curie\"@example.org",
            "Marie <marie@example.org>",
            "marie@[127.0.0.1]",
            "marie@@example.org",
            "marie@exa mple.org",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
            assert!(Text::<Email>::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "marie.curie@example.org",
            "o'neil+pix@lycee.ac-nantes.fr",
            "élodie@école.fr",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        assert_eq!(
            Text::<Email>::parse(" Marie.Curie@Example.ORG ")
                .unwrap()
                .as_str(),
            "marie.curie@example.org"
        );
    }

    #[test]
    fn a_problem_survives_serde_s_error_text() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct F {
            name: Text<Name>,
        }
        let long = format!(r#"{{"name": "{}"}}"#, "a".repeat(150));
        let e = serde_json::from_str::<F>(&long).unwrap_err().to_string();
        assert_eq!(
            Problem::from_serde_message(&e),
            Some(Problem::TooLong { max: 100 })
        );
        let e = serde_json::from_str::<F>(r#"{"name": "a\u0000"}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(Problem::from_serde_message(&e), Some(Problem::Control));
        assert_eq!(Problem::from_serde_message("missing field `name`"), None);
    }

    proptest! {
        #[test]
        fn whatever_comes_in_the_result_is_clean(raw in any::<String>()) {
            if let Ok(t) = Text::<FreeText>::parse(&raw) {
                prop_assert!(!t.chars().any(|c| forbidden(c) || c == '\r'));
                prop_assert!(t.chars().count() <= FreeText::MAX_CHARS);
                prop_assert_eq!(t.trim(), t.as_str());
                prop_assert!(unicode_normalization::is_nfc(&t));
            }
            if let Ok(t) = Text::<Name>::parse(&raw) {
                prop_assert!(!t.chars().any(|c| c == '\n' || forbidden(c) || disguising(c)));
            }
            let _ = Text::<Email>::parse(&raw);
            let _ = check_any(&raw);
        }

        #[test]
        fn normalising_twice_changes_nothing(raw in "\\PC{0,200}") {
            if let Ok(once) = normalise(&raw, 300, true) {
                prop_assert_eq!(normalise(&once, 300, true).unwrap(), once);
            }
        }
    }
}
