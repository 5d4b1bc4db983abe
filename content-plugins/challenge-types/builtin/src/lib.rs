//! A built-in challenge type as a component. The rules live in `acquis-sdk` (tested natively);
//! this crate only adapts them to the WIT contract. Built once per type feature.

wit_bindgen::generate!({ path: "../../../sdk/wit", world: "challenge-plugin" });

use acquis_sdk::{Definition, Kind, Verdict};
use exports::acquis::challenge::challenge_type::Guest;
use acquis::challenge::types::{FieldResult, PluginInfo, ScoreResult, Verdict as WitVerdict};

#[cfg(feature = "qcu")]
const KIND: (Kind, &str) = (Kind::Qcu, "qcu");
#[cfg(feature = "qcm")]
const KIND: (Kind, &str) = (Kind::Qcm, "qcm");
#[cfg(feature = "qroc")]
const KIND: (Kind, &str) = (Kind::Qroc, "qroc");
#[cfg(feature = "qrocm-ind")]
const KIND: (Kind, &str) = (Kind::QrocmInd, "qrocm-ind");
#[cfg(feature = "qrocm-dep")]
const KIND: (Kind, &str) = (Kind::QrocmDep, "qrocm-dep");

fn read(definition: &str) -> Result<Definition, String> {
    serde_json::from_str(definition).map_err(|e| format!("définition illisible : {e}"))
}


/// A panic reaches the host as a bare `unreachable` trap: log its message first, with the prefix
/// the host looks for (`acquis_plugin_host::PANIC_LOG_PREFIX`). Each call has its own instance,
/// so every entry point installs it.
fn panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
        acquis::challenge::host::log(
            acquis::challenge::host::Level::Warn,
            &format!("panique : {message}{place}"),
        );
    }));
}

struct Plugin;

impl Guest for Plugin {
    fn info() -> PluginInfo {
        PluginInfo {
            type_id: KIND.1.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            api_version: "0.1.0".into(),
        }
    }

    fn validate(definition: String) -> Result<(), Vec<String>> {
        panic_hook();
        let full = read(&definition).map_err(|e| vec![e])?;
        let errors = acquis_sdk::validate(KIND.0, &full);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    fn render(definition: String, _locale: String, seed: u64) -> Result<String, String> {
        panic_hook();
        let full = read(&definition)?;
        let view = acquis_sdk::render(KIND.0, &full, seed)?;
        serde_json::to_string(&view).map_err(|e| e.to_string())
    }

    fn score(definition: String, answer: String) -> Result<ScoreResult, String> {
        panic_hook();
        let full = read(&definition)?;
        let scored = acquis_sdk::score(KIND.0, &full, &answer);
        Ok(ScoreResult {
            verdict: match scored.verdict {
                Verdict::Ok => WitVerdict::Ok,
                // A skipped question is wrong for the engine; the host records the skip itself.
                Verdict::Ko | Verdict::Aband => WitVerdict::Ko,
            },
            details: scored.details.into_iter().map(|(key, ok)| FieldResult { key, ok }).collect(),
            feedback: None,
            solution_to_display: full.solution_to_display,
        })
    }
}

export!(Plugin);
