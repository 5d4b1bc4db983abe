//! Package verification: the built-in package passes; each kind of bad input is refused with a
//! message naming the file, and nothing is returned to store.

use std::io::Write;
use std::path::PathBuf;

use acquis_plugin_host::package::{Caps, PackageMeta, Problem, pack, verify};
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
