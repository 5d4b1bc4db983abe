//! The `acquis-pack` binary itself: `pack` never writes a package publication would refuse,
//! `test` lists every problem publication would (each with its file, in French), and `new
//! challenge-type` writes the guide's example, which verifies once its component is in place.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use acquis_plugin_host::builtin;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "acquis-pack-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_acquis-pack"))
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn pack_refuses_a_bad_kind_or_version_and_writes_nothing() {
    let dir = scratch("pack");
    acquis_pack::package_skeleton(&dir.join("paquet")).unwrap();
    let out = run(
        &dir,
        &[
            "pack",
            "paquet",
            "--id",
            "essai",
            "--version",
            "1.0",
            "--kind",
            "contenu",
            "-o",
            "essai.zip",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("la version « 1.0 » n'est pas une version sémantique"),
        "{stderr}"
    );
    assert!(
        stderr.contains("type de paquet « contenu » inconnu"),
        "{stderr}"
    );
    assert!(!dir.join("essai.zip").exists());
    let out = run(
        &dir,
        &[
            "pack",
            "paquet",
            "--id",
            "essai",
            "--version",
            "1.0.0",
            "-o",
            "essai.zip",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("essai.zip").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_lists_every_problem_publication_would_with_its_file() {
    let dir = scratch("test");
    let pkg = dir.join("paquet");
    acquis_pack::package_skeleton(&pkg).unwrap();
    edit_json(&pkg.join("data/competences/1.1.json"), |v| {
        let skills = v["tubes"][0]["skills"].as_array_mut().unwrap();
        skills[1]["level"] = 12.into();
        let twin = skills[0]["challenges"][0]["id"].clone();
        skills[1]["challenges"][0]["id"] = twin;
    });
    edit_json(&pkg.join("data/target-profiles/mon-profil.json"), |v| {
        v["capped_tubes"][0]["tube"] = "inconnu".into();
    });
    let out = run(&dir, &["test", "paquet"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    for needle in [
        "✗ data/competences/1.1.json : acquis motsClesRecherche2 : niveau « 12 » hors de l'échelle 1 à 8",
        "✗ data/competences/1.1.json : épreuve « motsClesRecherche1-a » en double",
        "✗ data/target-profiles/mon-profil.json : capped_tubes : sujet (tube) « inconnu » inconnu dans ce paquet",
        "3 problème(s) : le paquet serait refusé à la publication",
    ] {
        assert!(stderr.contains(needle), "{needle} in {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn new_challenge_type_writes_the_guides_example_which_verifies_once_built() {
    let dir = scratch("new");
    let out = run(&dir, &["new", "challenge-type", "ordre"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = dir.join("ordre");
    assert_eq!(
        std::fs::read_to_string(root.join("src/lib.rs")).unwrap(),
        builtin::ORDRE_SOURCE
    );
    assert!(root.join("wit/acquis-challenge.wit").exists());
    assert!(
        std::fs::read_to_string(root.join("README.md"))
            .unwrap()
            .contains("paquet/components/ordre.wasm")
    );
    // Without its component, the package names the missing type.
    let out = run(&root, &["test", "paquet"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("épreuve ordre-exemple : type « ordre » inconnu")
    );
    // With the component the platform's build compiled from this very source, it passes.
    std::fs::write(root.join("paquet/components/ordre.wasm"), builtin::ORDRE).unwrap();
    let out = run(&root, &["test", "paquet"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ordre-exemple"), "{stdout}");
    // A built-in type's name is refused before anything is written.
    let out = run(&dir, &["new", "challenge-type", "qcu"]);
    assert!(!out.status.success());
    assert!(!dir.join("qcu").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
