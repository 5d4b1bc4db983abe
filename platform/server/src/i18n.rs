//! The one i18n mechanism: Fluent messages under `locales/`, used from Rust with [`t`] / [`t_args`]
//! and from templates with `{{ t(k="message-id") }}` (extra keyword arguments become Fluent
//! variables).

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        // Isolation marks around placeables would end up in e-mails, CSV files and form values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub const FR: LanguageIdentifier = langid!("fr");

pub fn t(id: &str) -> String {
    plain(id).unwrap_or_else(|| LOCALES.lookup(&FR, id))
}

/// The messages without variables already formatted: every page asks for a dozen labels, and
/// formatting them again cost 3 % of the server under load. The messages are compiled in, so
/// an entry never goes stale.
static PLAIN: std::sync::LazyLock<std::sync::RwLock<HashMap<String, String>>> =
    std::sync::LazyLock::new(Default::default);

/// A message without variables, from [`PLAIN`] or formatted once into it; `None` for an
/// unknown id.
fn plain(id: &str) -> Option<String> {
    let read = |m: &HashMap<String, String>| m.get(id).cloned();
    if let Some(s) = PLAIN.read().ok().and_then(|m| read(&m)) {
        return Some(s);
    }
    let s = LOCALES.try_lookup(&FR, id)?;
    if let Ok(mut m) = PLAIN.write() {
        m.insert(id.to_owned(), s.clone());
    }
    Some(s)
}

pub fn t_args(id: &str, args: &[(&str, &str)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(*v)))
        .collect();
    LOCALES.lookup_with_args(&FR, id, &args)
}

/// A message whose plural form depends on `count` (Fluent selects `[one]` / `[other]`).
pub fn t_count(id: &str, count: i64) -> String {
    let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
    args.insert(Cow::Borrowed("count"), FluentValue::from(count));
    LOCALES.lookup_with_args(&FR, id, &args)
}

/// Does the catalog hold this message, one without variables (a message that needs some does
/// not format without them and reads as absent)?
pub fn has(id: &str) -> bool {
    LOCALES.try_lookup(&FR, id).is_some()
}

/// The template function `t(k="id", name=value…)`.
pub fn tera_function(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let id = args
        .get("k")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("t() needs k=\"message-id\""))?;
    if args.len() == 1 {
        return plain(id)
            .map(tera::Value::String)
            .ok_or_else(|| tera::Error::msg(format!("unknown message id {id}")));
    }
    let mut fluent_args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
    for (k, v) in args {
        if k == "k" {
            continue;
        }
        let value = match v {
            tera::Value::Number(n) => FluentValue::from(n.as_f64().unwrap_or_default()),
            tera::Value::String(s) => FluentValue::from(s.clone()),
            other => FluentValue::from(other.to_string()),
        };
        fluent_args.insert(Cow::Owned(k.clone()), value);
    }
    match LOCALES.try_lookup_with_args(&FR, id, &fluent_args) {
        Some(s) => Ok(tera::Value::String(s)),
        None => Err(tera::Error::msg(format!("unknown message id {id}"))),
    }
}

#[cfg(test)]
mod tests {
    /// The message ids written as `t(k="…")` in every template and as `t("…")`, `t_args("…"`
    /// or `t_count("…"` in the server's code: each one exists in the catalog, so no page or
    /// e-mail fails on a typo that only a rarely seen case would render.
    #[test]
    fn every_message_the_code_and_templates_name_exists() {
        fn ids_after<'a>(text: &'a str, opening: &str, out: &mut Vec<&'a str>) {
            for (at, _) in text.match_indices(opening) {
                let rest = &text[at + opening.len()..];
                let Some(end) = rest.find('"') else { continue };
                let id = &rest[..end];
                if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    out.push(id);
                }
            }
        }
        let mut ids = Vec::new();
        for name in crate::views::template_names() {
            let source = crate::views::template_source(name).unwrap();
            ids_after(source, "t(k=\"", &mut ids);
        }
        let from_templates = ids.len();
        let sources = crate::rust_sources(&["server"]);
        for source in &sources {
            for opening in [" t(\"", "(t(\"", "t_args(\"", "t_count(\"", "&t(\""] {
                ids_after(source, opening, &mut ids);
            }
        }
        assert!(
            from_templates > 500,
            "{from_templates} ids in the templates"
        );
        assert!(ids.len() > from_templates + 200, "{} ids in all", ids.len());
        // Read off the catalog's files: `has` formats the message, which needs its variables.
        let locales = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/fr");
        let mut known = std::collections::HashSet::new();
        for entry in std::fs::read_dir(locales).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((id, _)) = line.split_once(" =")
                    && !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    known.insert(id.to_owned());
                }
            }
        }
        let missing: std::collections::BTreeSet<_> =
            ids.into_iter().filter(|id| !known.contains(*id)).collect();
        assert!(missing.is_empty(), "not in locales/fr: {missing:?}");
    }

    /// French typography: a non-breaking space inside « » and before : ; ? ! %, so that a line
    /// never starts with one of them (a phone's narrow lines made it common).
    #[test]
    fn messages_keep_french_punctuation_on_its_line() {
        let locales = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/fr");
        let mut breakable = Vec::new();
        for entry in std::fs::read_dir(locales).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                // The text after the id (ids and Fluent's syntax hold none of these).
                let value = line.split_once(" = ").map_or(line, |(_, v)| v);
                let spaced = [" :", " ;", " ?", " !", " %", " »", "« "]
                    .iter()
                    .any(|p| value.contains(p));
                if spaced {
                    breakable.push(line.to_owned());
                }
            }
        }
        assert!(breakable.is_empty(), "ordinary spaces: {breakable:#?}");
        assert_eq!(super::t("login-forgot"), "Mot de passe oublié\u{a0}?");
    }
}
