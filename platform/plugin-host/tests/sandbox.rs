//! The real host running the real components built from `content-plugins/`.

use std::path::PathBuf;

use acquis_plugin_host::package::CompetenceFile;
use acquis_plugin_host::{Host, Limits, PluginError, Verdict, builtin};

fn host() -> Host {
    Host::new(Limits::default(), None).unwrap()
}

fn qcu_definition() -> String {
    serde_json::json!({
        "proposals": "- Un moteur de recherche\n- Un navigateur\n- Un tableur",
        "solution": "2",
        "solution_to_display": "Un navigateur affiche les pages web.",
        "shuffled": true,
    })
    .to_string()
}

#[test]
fn builtin_types_score_render_and_validate_through_the_sandbox() {
    let host = host();
    let qcu = host.load_challenge_type(builtin::QCU).unwrap();
    let info = host.info(&qcu).unwrap();
    assert_eq!(info.type_id, "qcu");
    let def = qcu_definition();
    let ok = host.score(&qcu, &def, "2").unwrap();
    assert_eq!(ok.verdict, Verdict::Ok);
    assert_eq!(
        ok.solution_to_display.as_deref(),
        Some("Un navigateur affiche les pages web.")
    );
    assert_eq!(host.score(&qcu, &def, "1").unwrap().verdict, Verdict::Ko);
    let view = host.render(&qcu, &def, "fr", 7).unwrap();
    assert!(view.contains("navigateur"));
    assert!(
        !view.contains("solution") && !view.contains("affiche les pages"),
        "the view model leaks the solution: {view}"
    );
    assert_eq!(
        view,
        host.render(&qcu, &def, "fr", 7).unwrap(),
        "same seed, same order"
    );
    let errors = host
        .validate(
            &qcu,
            &serde_json::json!({"proposals": "- seule", "solution": "4"}).to_string(),
        )
        .unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(host.validate(&qcu, &def).unwrap().is_empty());
    // A definition the plugin cannot read is the plugin's error, not a sandbox failure.
    assert!(matches!(
        host.score(&qcu, "pas du json", "1"),
        Err(PluginError::Plugin(_))
    ));
}

#[test]
fn every_builtin_example_gets_its_declared_verdict_through_the_plugins() {
    let host = host();
    let plugins: Vec<(&str, _)> = builtin::CHALLENGE_TYPES
        .iter()
        .map(|(id, bytes)| (*id, host.load_challenge_type(bytes).unwrap()))
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../content-plugins/packages/crcn/data/competences");
    let (mut examples, mut max_fuel, mut max_memory) = (0, 0, 0);
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let file: CompetenceFile =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        for c in file.challenges() {
            let kind = c["type"].as_str().unwrap();
            let plugin = &plugins.iter().find(|(id, _)| *id == kind).unwrap().1;
            let def = c.to_string();
            let errors = host.validate(plugin, &def).unwrap();
            if !errors.is_empty() {
                problems.push(format!("{}: {errors:?}", c["id"]));
            }
            for ex in c["examples"].as_array().unwrap() {
                examples += 1;
                let (scored, usage) = host
                    .score_with_usage(plugin, &def, ex["answer"].as_str().unwrap())
                    .unwrap();
                max_fuel = max_fuel.max(usage.fuel);
                max_memory = max_memory.max(usage.memory_peak);
                let want = if ex["verdict"] == "ok" {
                    Verdict::Ok
                } else {
                    Verdict::Ko
                };
                if scored.verdict != want {
                    problems.push(format!(
                        "{}: {} → {:?}",
                        c["id"], ex["answer"], scored.verdict
                    ));
                }
            }
        }
    }
    assert!(examples > 1000, "{examples} examples");
    assert!(problems.is_empty(), "{problems:#?}");
    // Far below the budget: the default budget leaves room for much heavier plugins.
    assert!(
        max_fuel < Limits::default().fuel / 10,
        "max fuel {max_fuel}"
    );
}

#[test]
fn a_hostile_plugin_is_neutralised_and_healthy_plugins_keep_working() {
    let host = host();
    let hostile = host.load_challenge_type(builtin::HOSTILE).unwrap();
    let qcu = host.load_challenge_type(builtin::QCU).unwrap();
    let def = qcu_definition();
    for attack in ["loop", "alloc", "leak", "recurse", "panic", "trap"] {
        match host.score(&hostile, "{}", attack) {
            Err(PluginError::Neutralised(cause)) => {
                let message = PluginError::Neutralised(cause.clone()).to_string();
                assert!(
                    message.starts_with("question neutralisée, problème technique"),
                    "{message}"
                );
                if attack == "loop" {
                    assert!(cause.contains("budget d'instructions"), "{cause}");
                }
                // A panic's own message, logged by the plugin's panic hook, not a bare trap.
                if attack == "panic" {
                    assert!(
                        cause.starts_with(
                            "le plugin a paniqué : le plugin a paniqué (test-plugins/hostile/src/lib.rs:"
                        ),
                        "{cause}"
                    );
                }
                if attack == "trap" {
                    assert!(cause.contains("instruction « unreachable »"), "{cause}");
                    assert!(!cause.contains("wasm `unreachable`"), "in French: {cause}");
                }
            }
            other => panic!("{attack}: expected a neutralised call, got {other:?}"),
        }
        assert_eq!(
            host.score(&qcu, &def, "2").unwrap().verdict,
            Verdict::Ok,
            "after {attack}"
        );
    }
    assert_eq!(
        host.score(&hostile, "{}", "gentil").unwrap().verdict,
        Verdict::Ok
    );
}

#[test]
fn the_epoch_backstop_stops_a_loop_when_fuel_would_not() {
    let host = Host::new(
        Limits {
            fuel: u64::MAX / 2,
            ..Limits::default()
        },
        None,
    )
    .unwrap();
    let hostile = host.load_challenge_type(builtin::HOSTILE).unwrap();
    match host.score(&hostile, "{}", "loop") {
        Err(PluginError::Neutralised(cause)) => {
            assert!(cause.contains("temps d'exécution"), "{cause}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn components_with_foreign_imports_or_broken_bytes_are_refused() {
    let host = host();
    let sneaky = wat::parse_str(
        r#"(component
             (import "wasi:filesystem/preopens@0.2.0" (instance))
             (import "acquis:challenge/host@0.1.0" (instance)))"#,
    )
    .unwrap();
    match host.load_challenge_type(&sneaky) {
        Err(PluginError::Refused(m)) => assert!(
            m.contains("wasi:filesystem/preopens@0.2.0") && m.contains("non autorisés"),
            "{m}"
        ),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a component importing the filesystem was accepted"),
    }
    match host.load_challenge_type(b"\0asm garbage") {
        Err(PluginError::Refused(m)) => assert!(m.contains("composant Wasm invalide"), "{m}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("garbage accepted"),
    }
    // A valid component that does not implement the contract.
    let empty = wat::parse_str("(component)").unwrap();
    assert!(matches!(
        host.load_challenge_type(&empty),
        Err(PluginError::Refused(_))
    ));
}

#[test]
fn the_fixed_order_selector_serves_a_course() {
    let host = host();
    let selector = host.load_item_selector(builtin::FIXED_ORDER).unwrap();
    let state = |answered: &[&str]| {
        serde_json::json!({"candidates": ["a", "b", "c"], "answered": answered}).to_string()
    };
    assert_eq!(
        host.select(&selector, &state(&[])).unwrap().as_deref(),
        Some("a")
    );
    assert_eq!(
        host.select(&selector, &state(&["a"])).unwrap().as_deref(),
        Some("b")
    );
    assert_eq!(
        host.select(&selector, &state(&["a", "b", "c"])).unwrap(),
        None
    );
    assert!(matches!(
        host.select(&selector, "?"),
        Err(PluginError::Plugin(_))
    ));
}

#[test]
fn compiled_components_are_cached_on_disk_and_reused() {
    let dir = std::env::temp_dir().join(format!("acquis-plugin-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = Host::new(Limits::default(), Some(dir.clone())).unwrap();
    let qcu = first.load_challenge_type(builtin::QCU).unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].to_string_lossy().starts_with(&qcu.digest));
    let second = Host::new(Limits::default(), Some(dir.clone())).unwrap();
    let again = second.load_challenge_type(builtin::QCU).unwrap();
    assert_eq!(
        second
            .score(&again, &qcu_definition(), "2")
            .unwrap()
            .verdict,
        Verdict::Ok
    );
    let _ = std::fs::remove_dir_all(&dir);
}
