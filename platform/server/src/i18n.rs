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

/// Does the catalog hold this message? Used by the test that every template key exists.
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
