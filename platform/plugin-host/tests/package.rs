//! Package verification: the built-in package passes; each kind of bad input is refused with a
//! message naming the file, and nothing is returned to store.

use std::io::Write;
use std::path::PathBuf;

use acquis_plugin_host::package::{Caps, PackageMeta, Problem, pack, verify, verify_publication};
use acquis_plugin_host::{ChallengeType, Host, Limits, builtin};
use sha2::{Digest, Sha256};

fn host_and_types() -> (Host, Vec<(String, ChallengeType)>) {
    let host = Host::new(Limits::default(), None).unwrap();
    let types = builtin::CHALLENGE_TYPES
        .iter()
        .map(|(id, b)| (id.to_string(), host.load_challenge_type(b).unwrap()))
        .collect();
    (host, types)
}

/// A zip of `files`, with a manifest hashing them unless `manifest` is given.
fn zip_of(files: &[(&str, Vec<u8>)], manifest: Option<String>, api: &str) -> Vec<u8> {
    let manifest = manifest.unwrap_or_else(|| {
        let mut m = format!("[package]\nid = \"test\"\nversion = \"1.0.0\"\nkind = \"content\"\napi = \"{api}\"\n\n[files]\n");
        for (p, b) in files {
            m.push_str(&format!("\"{p}\" = \"{}\"\n", hex::encode(Sha256::digest(b))));
        }
        m
    });
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("manifest.toml", o).unwrap();
    z.write_all(manifest.as_bytes()).unwrap();
    for (p, b) in files {
        z.start_file(*p, o).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn competence(challenges: serde_json::Value) -> Vec<u8> {
    serde_json::json!({"competence": "9.9", "tubes": [{"id": "t", "title": "T", "skills": [{"id": "t1", "level": 1, "challenges": challenges}]}], "tutorials": []})
        .to_string()
        .into_bytes()
}

fn qcu(id: &str, solution: &str, examples: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"id": id, "type": "qcu", "proposals": "- a\n- b", "solution": solution, "examples": examples})
}

fn refused(result: Result<acquis_plugin_host::package::Verified, Vec<Problem>>) -> Vec<String> {
    match result {
        Ok(_) => panic!("a bad package was accepted"),
        Err(p) => p.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn the_builtin_package_passes_every_check() {
    let (host, types) = host_and_types();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content-plugins/packages/crcn");
    let bytes = pack(
        &dir,
        PackageMeta {
            id: "crcn".into(),
            version: "1.0.0".into(),
            kind: "content".into(),
            api: "0.1".into(),
        },
        None,
    )
    .unwrap();
    let verified =
        verify(&host, &bytes, &Caps::default(), &types).unwrap_or_else(|p| panic!("{p:#?}"));
    assert!(verified.challenges >= 400);
    assert!(verified.examples > 1000);
    assert_eq!(verified.digest.len(), 64);
    assert!(verified.files.keys().any(|f| f.starts_with("assets/")));
}

#[test]
fn malformed_archives_bombs_traversal_and_oversize_are_refused() {
    let (host, types) = host_and_types();
    let m = refused(verify(
        &host,
        b"ceci n'est pas un zip",
        &Caps::default(),
        &types,
    ));
    assert!(
        m[0].contains("(archive)") && m[0].contains("zip lisible"),
        "{m:?}"
    );

    let bomb = zip_of(&[("assets/zeros.bin", vec![0u8; 8 << 20])], None, "0.1");
    let m = refused(verify(&host, &bomb, &Caps::default(), &types));
    assert!(m.iter().any(|p| p.starts_with("assets/zeros.bin") && p.contains("taux de compression suspect")), "{m:?}");

    let traversal = zip_of(
        &[
            ("../evil.txt", b"x".to_vec()),
            ("/etc/passwd", b"x".to_vec()),
        ],
        None,
        "0.1",
    );
    let m = refused(verify(&host, &traversal, &Caps::default(), &types));
    assert!(
        m.iter()
            .any(|p| p.starts_with("../evil.txt") && p.contains("chemin refusé")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|p| p.starts_with("/etc/passwd") && p.contains("chemin refusé")),
        "{m:?}"
    );

    let ok = zip_of(
        &[(
            "data/competences/9.9.json",
            competence(serde_json::json!([])),
        )],
        None,
        "0.1",
    );
    let small = Caps {
        max_archive_bytes: 100,
        ..Caps::default()
    };
    let m = refused(verify(&host, &ok, &small, &types));
    assert!(m[0].contains("au-delà de la limite"), "{m:?}");
}

#[test]
fn hashes_manifest_and_api_are_checked() {
    let (host, types) = host_and_types();
    let data = competence(serde_json::json!([]));
    let wrong = "[package]\nid = \"test\"\nversion = \"un\"\nkind = \"content\"\napi = \"1.0\"\n\n[files]\n\"data/competences/9.9.json\" = \"00\"\n\"data/absent.json\" = \"00\"\n".to_owned();
    let bytes = zip_of(
        &[
            ("data/competences/9.9.json", data.clone()),
            ("data/extra.json", b"{}".to_vec()),
        ],
        Some(wrong),
        "0.1",
    );
    let m = refused(verify(&host, &bytes, &Caps::default(), &types));
    for needle in [
        "data/competences/9.9.json : empreinte sha256 différente",
        "data/absent.json : listé dans le manifeste mais absent",
        "data/extra.json : absent du manifeste",
        "manifest.toml : la version « un »",
        "manifest.toml : version d'API « 1.0 » inconnue",
    ] {
        assert!(
            m.iter().any(|p| p.contains(needle)),
            "missing {needle:?} in {m:?}"
        );
    }
    let no_manifest = {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file("data/x.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"{}").unwrap();
        z.finish().unwrap().into_inner()
    };
    let m = refused(verify(&host, &no_manifest, &Caps::default(), &types));
    assert!(m[0].starts_with("manifest.toml : absent"), "{m:?}");
}

#[test]
fn components_and_challenges_are_checked_through_the_plugins() {
    let (host, types) = host_and_types();
    let sneaky =
        wat::parse_str(r#"(component (import "wasi:sockets/tcp@0.2.0" (instance)))"#).unwrap();
    let challenges = serde_json::json!([
        {"id": "d1", "type": "dessin", "proposals": "", "solution": "", "examples": []},
        qcu("q1", "9", serde_json::json!([{"answer": "1", "verdict": "ko"}])),
        qcu("q2", "2", serde_json::json!([{"answer": "2", "verdict": "ko"}])),
        {"id": "q3", "type": "qcu", "proposals": "- a\n- b", "solution": "1", "attachments": ["9.9/absent.csv"], "examples": [{"answer": "1", "verdict": "ok"}]},
    ]);
    let bytes = zip_of(
        &[
            (
                "components/casse.wasm",
                b"\0asm\x0d\0\x01\0 broken".to_vec(),
            ),
            ("components/espion.wasm", sneaky),
            ("data/competences/9.9.json", competence(challenges)),
        ],
        None,
        "0.1",
    );
    let m = refused(verify(&host, &bytes, &Caps::default(), &types));
    for needle in [
        "components/casse.wasm : composant refusé : composant Wasm invalide",
        "components/espion.wasm : composant refusé : imports non autorisés : wasi:sockets/tcp@0.2.0",
        "data/competences/9.9.json : épreuve d1 : type « dessin » inconnu",
        "data/competences/9.9.json : épreuve q1 : la solution « 9 » n'est pas un numéro de proposition",
        "data/competences/9.9.json : épreuve q2 : la réponse « 2 » obtient « ok » au lieu de « ko »",
        "data/competences/9.9.json : épreuve q3 : pièce jointe assets/9.9/absent.csv absente",
    ] {
        assert!(
            m.iter().any(|p| p.contains(needle)),
            "missing {needle:?} in {m:#?}"
        );
    }
}

/// The built-in files of competence 1.1 and one of its profiles, edited: a content package the
/// publication verifier reads as a designer's.
fn content_package(
    edit: impl FnOnce(&mut Vec<(String, Vec<u8>)>),
    meta: Option<PackageMeta>,
) -> Vec<u8> {
    let mut files: Vec<(String, Vec<u8>)> = builtin::CRCN_FILES
        .iter()
        .filter(|(p, _)| {
            [
                "data/framework.json",
                "data/competences/1.1.json",
                "data/target-profiles/competence-1-1.json",
            ]
            .contains(p)
        })
        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
        .collect();
    edit(&mut files);
    acquis_plugin_host::package::pack_files(
        files,
        meta.unwrap_or(PackageMeta {
            id: "essai".into(),
            version: "1.0.0".into(),
            kind: "content".into(),
            api: "0.1.0".into(),
        }),
        None,
    )
    .unwrap()
}

fn edit_json(
    files: &mut [(String, Vec<u8>)],
    path: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) {
    let (_, bytes) = files.iter_mut().find(|(p, _)| p == path).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    edit(&mut v);
    *bytes = serde_json::to_vec(&v).unwrap();
}

#[test]
fn the_builtin_content_passes_the_content_checks() {
    let files = builtin::CRCN_FILES
        .iter()
        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
        .collect();
    let problems = acquis_plugin_host::package::check_content(&files);
    assert!(problems.is_empty(), "{problems:#?}");
    let (host, types) = host_and_types();
    // As a designer's package under its own id, it passes the whole publication verifier.
    let bytes = content_package(|_| {}, None);
    verify_publication(&host, &bytes, &Caps::default(), &types)
        .unwrap_or_else(|p| panic!("{p:#?}"));
}

#[test]
fn publication_reports_every_content_problem_with_its_file_in_french() {
    let (host, types) = host_and_types();
    const COMP: &str = "data/competences/1.1.json";
    const PROFILE: &str = "data/target-profiles/competence-1-1.json";
    let bytes = content_package(
        |files| {
            edit_json(files, COMP, |v| {
                let skills = v["tubes"][0]["skills"].as_array_mut().unwrap();
                skills[1]["level"] = 12.into();
                let twin = skills[0]["challenges"][0]["id"].clone();
                skills[1]["challenges"][0]["id"] = twin;
                // A qroc whose format is mistyped (numbers would be compared as text).
                skills[0]["challenges"][1]["format"] = "nombres".into();
                v["tutorials"][0]["format"] = "film".into();
            });
            edit_json(files, PROFILE, |v| {
                v["category"] = "SECRET".into();
                v["capped_tubes"][0]["tube"] = "tubeInconnu".into();
                let stages = v["stages"].as_array_mut().unwrap();
                stages.reverse();
            });
        },
        None,
    );
    let problems = refused(verify_publication(&host, &bytes, &Caps::default(), &types));
    for needle in [
        "data/competences/1.1.json : acquis motsClesRecherche2 : niveau « 12 » hors de l'échelle 1 à 8",
        "data/competences/1.1.json : épreuve « motsClesRecherche1-a » en double (déjà dans ce fichier)",
        "data/competences/1.1.json : épreuve motsClesRecherche1-b : format « nombres » inconnu",
        "format « film » inconnu",
        "data/target-profiles/competence-1-1.json : catégorie « SECRET » inconnue",
        "data/target-profiles/competence-1-1.json : capped_tubes : sujet (tube) « tubeInconnu » inconnu dans ce paquet",
        "data/target-profiles/competence-1-1.json : palier n° 1 : seuil 75 ; le premier palier a le seuil 0",
        "data/target-profiles/competence-1-1.json : palier n° 2 : seuil 50 après le seuil 75 ; les paliers vont dans l'ordre croissant",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "missing {needle:?} in {problems:#?}"
        );
    }
    // The archive-level verifier alone (what reloading a published package runs) does not read
    // profiles: publication's verifier is the one that catches them.
    assert!(verify(&host, &bytes, &Caps::default(), &types).is_err());
}

#[test]
fn a_package_cannot_take_a_builtin_type_or_misname_its_own() {
    let (host, types) = host_and_types();
    let bytes = content_package(
        |files| {
            files.push(("components/qcu.wasm".into(), builtin::HOSTILE.to_vec()));
            files.push(("components/autre.wasm".into(), builtin::ORDRE.to_vec()));
        },
        None,
    );
    let problems = refused(verify(&host, &bytes, &Caps::default(), &types));
    for needle in [
        "components/qcu.wasm : « qcu » est un type intégré de la plateforme",
        "components/autre.wasm : le composant se déclare de type « ordre » (info) mais son fichier le nomme « autre »",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "missing {needle:?} in {problems:#?}"
        );
    }
    // The examples of qcu challenges were checked against the one qcu that serves them.
    let bytes = content_package(|_| {}, None);
    let verified = verify(&host, &bytes, &Caps::default(), &types).unwrap();
    assert_eq!(verified.types.iter().filter(|(t, _)| t == "qcu").count(), 1);
    assert!(verified.own_types.is_empty());
}

/// A challenge of the `hostile` test type, whose view is its definition.
fn hostile_challenge(
    id: &str,
    view: serde_json::Value,
    examples: serde_json::Value,
) -> serde_json::Value {
    let mut c = view;
    c["id"] = id.into();
    c["type"] = "hostile".into();
    c["examples"] = examples;
    c
}

#[test]
fn a_custom_type_whose_view_no_student_can_answer_is_refused() {
    let (host, types) = host_and_types();
    const COMP: &str = "data/competences/1.1.json";
    let bytes = content_package(
        |files| {
            files.push(("components/hostile.wasm".into(), builtin::HOSTILE.to_vec()));
            edit_json(files, COMP, |v| {
                let list = v["tubes"][0]["skills"][0]["challenges"]
                    .as_array_mut()
                    .unwrap();
                let ok = serde_json::json!([{"answer": "1", "verdict": "ok"}]);
                list.push(hostile_challenge(
                    "radios",
                    serde_json::json!({"choices": [[1, "a"], [2, "b"]]}),
                    ok.clone(),
                ));
                list.push(hostile_challenge(
                    "vide",
                    serde_json::json!({"segments": [{"Text": "rien"}]}),
                    ok,
                ));
                let field = serde_json::json!({"segments": [{"Field": {"key": "r", "kind": {"Select": {"options": ["x", "y"]}}}}]});
                list.push(hostile_challenge(
                    "hors-menu",
                    field.clone(),
                    serde_json::json!([{"answer": "r: z", "verdict": "ok"}]),
                ));
                list.push(hostile_challenge(
                    "sans-ok",
                    field.clone(),
                    serde_json::json!([{"answer": "r: x", "verdict": "ko"}]),
                ));
                list.push(hostile_challenge(
                    "panique",
                    field,
                    serde_json::json!([{"answer": "panic", "verdict": "ok"}]),
                ));
            });
        },
        None,
    );
    let problems = refused(verify_publication(&host, &bytes, &Caps::default(), &types));
    for needle in [
        "épreuve radios : la vue rendue propose des choix (« choices ») : les pages n'envoient de choix qu'aux types qcu et qcm",
        "épreuve vide : la vue rendue n'a aucun champ de réponse",
        "épreuve hors-menu : la réponse « r: z » : « z » n'est pas une option du menu « r »",
        "épreuve sans-ok : aucune réponse d'exemple « ok »",
        "épreuve panique : réponse « panic » : question neutralisée, problème technique (le plugin a paniqué : le plugin a paniqué",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "missing {needle:?} in {problems:#?}"
        );
    }
    assert!(
        problems.iter().all(|p| p.starts_with(COMP)),
        "{problems:#?}"
    );
}

#[test]
fn manifests_are_checked_alike_by_pack_and_publication() {
    let bad = PackageMeta {
        id: "Mon Paquet".into(),
        version: "1.0".into(),
        kind: "contenu".into(),
        api: "0.1".into(),
    };
    let problems: Vec<String> = acquis_plugin_host::package::check_meta(&bad)
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("l'identifiant « Mon Paquet » n'est pas valide"));
    assert!(problems[1].contains("la version « 1.0 » n'est pas une version sémantique"));
    assert!(problems[2].contains("type de paquet « contenu » inconnu"));
    let (host, types) = host_and_types();
    let bytes = content_package(|_| {}, Some(bad));
    let listed = refused(verify_publication(&host, &bytes, &Caps::default(), &types));
    for p in &problems {
        assert!(listed.contains(p), "{p} in {listed:#?}");
    }
    // Built-in ids are reserved to the platform.
    let crcn = content_package(
        |_| {},
        Some(PackageMeta {
            id: "crcn".into(),
            version: "9.0.0".into(),
            kind: "content".into(),
            api: "0.1.0".into(),
        }),
    );
    let listed = refused(verify_publication(&host, &crcn, &Caps::default(), &types));
    assert!(
        listed
            .iter()
            .any(|p| p.contains("l'identifiant « crcn » est réservé au contenu intégré")),
        "{listed:#?}"
    );
}

mod arbitrary_input {
    use super::*;
    use proptest::prelude::*;

    fn shared() -> &'static (Host, Vec<(String, ChallengeType)>) {
        static SHARED: std::sync::OnceLock<(Host, Vec<(String, ChallengeType)>)> =
            std::sync::OnceLock::new();
        SHARED.get_or_init(host_and_types)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any bytes: refused with problems, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let (host, types) = shared();
            prop_assert!(verify_publication(host, &bytes, &Caps::default(), types).is_err());
        }

        /// A well-formed archive whose data files are arbitrary text or JSON values: the content
        /// checks read every shape without panicking.
        #[test]
        fn arbitrary_data_files_never_panic(
            framework in json_value(),
            competence in json_value(),
            profile in json_value(),
            raw in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let (host, types) = shared();
            let files = [
                ("data/framework.json", framework.to_string().into_bytes()),
                ("data/competences/1.1.json", competence.to_string().into_bytes()),
                ("data/target-profiles/p.json", profile.to_string().into_bytes()),
                ("data/target-profiles/brut.json", raw),
            ];
            let bytes = zip_of(&files, None, "0.1");
            let _ = verify_publication(host, &bytes, &Caps::default(), types);
        }
    }

    /// JSON values shaped like content files often enough to reach deep checks.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u8>().prop_map(serde_json::Value::from),
            "[a-z0-9 .é«»]{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            let keys = prop_oneof![
                Just("areas"),
                Just("competences"),
                Just("code"),
                Just("name"),
                Just("competence"),
                Just("tubes"),
                Just("id"),
                Just("title"),
                Just("skills"),
                Just("level"),
                Just("challenges"),
                Just("type"),
                Just("tutorials"),
                Just("format"),
                Just("category"),
                Just("capped_tubes"),
                Just("tube"),
                Just("stages"),
                Just("threshold"),
                Just("badges"),
                Just("criteria"),
                Just("scope"),
                Just("selector"),
                Just("items"),
                Just("plugin"),
                Just("examples"),
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(keys, inner, 0..6).prop_map(|m| {
                    serde_json::Value::Object(
                        m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                    )
                }),
            ]
        })
    }
}
