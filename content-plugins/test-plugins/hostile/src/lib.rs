//! Misbehaves according to the answer it is asked to score: `loop`, `alloc` (1 GiB at once),
//! `leak` (1 MiB at a time), `recurse`, `panic`, `trap`; any other answer is scored `ok`. Its
//! view is its definition, so that a test can give any view model.

wit_bindgen::generate!({ path: "../../../sdk/wit", world: "challenge-plugin" });

use std::hint::black_box;

use acquis::challenge::types::{PluginInfo, ScoreResult, Verdict};
use exports::acquis::challenge::challenge_type::Guest;


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

#[allow(unconditional_recursion)]
fn recurse(n: u64) -> u64 {
    black_box(recurse(black_box(n + 1)) + 1)
}

impl Guest for Plugin {
    fn info() -> PluginInfo {
        PluginInfo { type_id: "hostile".into(), version: "0.1.0".into(), api_version: "0.1.0".into() }
    }

    fn validate(_definition: String) -> Result<(), Vec<String>> {
        panic_hook();
        Ok(())
    }

    /// Echoes the definition as its view: a test writes the view it wants into the challenge.
    fn render(definition: String, _locale: String, _seed: u64) -> Result<String, String> {
        panic_hook();
        Ok(definition)
    }

    fn score(_definition: String, answer: String) -> Result<ScoreResult, String> {
        panic_hook();
        match answer.as_str() {
            "loop" => {
                let mut x = 0u64;
                loop {
                    x = black_box(x.wrapping_add(1));
                }
            }
            "alloc" => {
                let v = black_box(vec![1u8; 1 << 30]);
                black_box(v.len());
            }
            "leak" => {
                let mut all = Vec::new();
                for _ in 0..1024 {
                    all.push(black_box(vec![1u8; 1 << 20]));
                }
                black_box(all.len());
            }
            "recurse" => {
                black_box(recurse(0));
            }
            "panic" => panic!("le plugin a paniqué"),
            "trap" => core::arch::wasm32::unreachable(),
            _ => {}
        }
        Ok(ScoreResult { verdict: Verdict::Ok, details: Vec::new(), feedback: None, solution_to_display: None })
    }
}

export!(Plugin);
