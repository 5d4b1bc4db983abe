//! What `acquis-pack` does that others call too: a content package skeleton that publishes as
//! it is, a challenge type of one's own (the guide's worked example) with a package using it,
//! and publishing a package to a platform through the studio's API (the integration tests drive
//! them against a real server).

use std::path::Path;

use acquis_plugin_host::{builtin, package};
use anyhow::Context;
use serde::Deserialize;
use serde_json::json;

fn builtin_json(path: &str) -> anyhow::Result<serde_json::Value> {
    let (_, bytes) = builtin::CRCN_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .with_context(|| format!("{path} absent du contenu intégré"))?;
    Ok(serde_json::from_slice(bytes)?)
}

/// Writes a content package that verifies and publishes as it is: the CRCN framework, one
/// competence file with one tube of two skills (one challenge and its examples each, taken from
/// the built-in content, to edit), and a target profile on that tube with two stages.
pub fn package_skeleton(dir: &Path) -> anyhow::Result<()> {
    for sub in ["data/competences", "data/target-profiles", "assets"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let framework = builtin_json("data/framework.json")?;
    let mut competence = builtin_json("data/competences/1.1.json")?;
    let tube = competence["tubes"][0].clone();
    let mut skills = Vec::new();
    let mut tutorials = Vec::new();
    for skill in tube["skills"].as_array().into_iter().flatten().take(2) {
        let mut skill = skill.clone();
        skill["challenges"] = json!([skill["challenges"][0].clone()]);
        for id in skill["tutorials"].as_array().into_iter().flatten() {
            // Two skills may share a tutorial: listed once (ids are unique in a package).
            if let Some(t) = competence["tutorials"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["id"] == *id)
                .filter(|t| !tutorials.contains(*t))
            {
                tutorials.push(t.clone());
            }
        }
        skills.push(skill);
    }
    let mut tube = tube;
    tube["skills"] = json!(skills);
    let tube_id = tube["id"].clone();
    competence["tubes"] = json!([tube]);
    competence["tutorials"] = json!(tutorials);
    let profile = json!({
        "id": "mon-profil",
        "name": "Mon profil cible",
        "category": "CUSTOM",
        "description": "Décrivez ici ce que ce profil cible évalue.",
        "capped_tubes": [{"tube": tube_id, "level": 8}],
        "stages": [
            {"threshold": 0, "title": "Premiers pas", "message": "Continuez à vous entraîner."},
            {"threshold": 50, "title": "Bien engagé", "message": "La moitié des acquis est maîtrisée."}
        ]
    });
    let write = |path: &str, v: &serde_json::Value| -> anyhow::Result<()> {
        std::fs::write(dir.join(path), serde_json::to_string_pretty(v)? + "\n")
            .with_context(|| format!("écriture de {path}"))
    };
    write("data/framework.json", &framework)?;
    write("data/competences/1.1.json", &competence)?;
    write("data/target-profiles/mon-profil.json", &profile)?;
    std::fs::write(
        dir.join("README.md"),
        "Paquet de contenu Acquis. Format des fichiers : content-plugins/packages/crcn/SCHEMA.md ;\n\
         guide : docs/plugin-authors.md. Vérifier : acquis-pack test <dossier> ; empaqueter :\n\
         acquis-pack pack <dossier> --id <id> --version 1.0.0 ; publier : acquis-pack publish.\n",
    )?;
    Ok(())
}

/// The plugin contract, written next to a new challenge type so that it builds on its own.
const WIT: &str = include_str!("../../wit/acquis-challenge.wit");

/// The crate of a challenge type: the guide's worked example (`content-plugins/challenge-types/
/// ordre`, which the platform's build compiles and a test publishes) under the type id `name`.
pub fn challenge_type_source(name: &str) -> String {
    builtin::ORDRE_SOURCE.replace(
        "const TYPE_ID: &str = \"ordre\";",
        &format!("const TYPE_ID: &str = \"{name}\";"),
    )
}

/// Writes a challenge type of one's own (`acquis-pack new challenge-type <name>`): its crate
/// (the guide's worked example, « remettre dans l'ordre », with the contract in `wit/`) and, in
/// `paquet/`, a content package with a challenge of that type and its examples. Build the crate
/// and copy the component to `paquet/components/<name>.wasm` (README.md says how): the package
/// then verifies and publishes as it is.
pub fn challenge_type_skeleton(dir: &Path, name: &str) -> anyhow::Result<()> {
    if !package::valid_id(name) {
        anyhow::bail!(
            "« {name} » n'est pas un identifiant de type valide : lettres minuscules sans accent, \
             chiffres et tirets"
        );
    }
    if builtin::is_reserved(name) {
        anyhow::bail!("« {name} » est un type intégré de la plateforme : choisissez un autre nom");
    }
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::create_dir_all(dir.join("wit"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n\
             [dependencies]\n\
             wit-bindgen = {{ version = \"0.63\", default-features = false, features = [\"macros\", \"realloc\"] }}\n\
             serde_json = \"1\"\n\n\
             # Petit, et une panique arrête l'appel (son message passe par le crochet de panique).\n\
             [profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\nstrip = true\npanic = \"abort\"\n\n\
             # Un crate autonome, hors de tout espace de travail.\n[workspace]\n"
        ),
    )?;
    std::fs::write(dir.join("src/lib.rs"), challenge_type_source(name))?;
    std::fs::write(dir.join("wit/acquis-challenge.wit"), WIT)?;
    let crate_file = name.replace('-', "_");
    std::fs::write(
        dir.join("README.md"),
        format!(
            "# Type d'épreuve « {name} »\n\n\
             `src/lib.rs` est l'exemple complet du guide (docs/plugin-authors.md) : adaptez-le.\n\
             `paquet/` est un paquet de contenu dont une épreuve est de ce type.\n\n\
             ```sh\n\
             rustup target add wasm32-unknown-unknown\n\
             CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=\"$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/host: //p')/bin/wasm-component-ld\" \\\n\
             \x20 cargo build --release --target wasm32-unknown-unknown\n\
             mkdir -p paquet/components\n\
             cp target/wasm32-unknown-unknown/release/{crate_file}.wasm paquet/components/{name}.wasm\n\
             acquis-pack test paquet\n\
             acquis-pack pack paquet --id mon-paquet --version 1.0.0\n\
             ```\n"
        ),
    )?;
    let pkg = dir.join("paquet");
    package_skeleton(&pkg)?;
    std::fs::create_dir_all(pkg.join("components"))?;
    let path = pkg.join("data/competences/1.1.json");
    let mut competence: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let steps = [
        "Choisir ses mots-clés",
        "Lancer la recherche",
        "Comparer les résultats",
        "Vérifier la source retenue",
    ];
    let answer = |order: [usize; 4]| {
        order
            .iter()
            .enumerate()
            .map(|(i, &s)| format!("p{}: {}", i + 1, steps[s]))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let challenge = json!({
        "id": format!("{name}-exemple"),
        "type": name,
        "instruction": "Remettez dans l'ordre les étapes d'une recherche d'information sur le web.",
        "items": steps,
        "solution_to_display": "On choisit ses mots-clés, on lance la recherche, on compare les \
            résultats, puis on vérifie la source retenue.",
        "examples": [
            {"answer": answer([0, 1, 2, 3]), "verdict": "ok"},
            {"answer": answer([1, 0, 2, 3]), "verdict": "ko"},
        ],
    });
    competence["tubes"][0]["skills"][0]["challenges"]
        .as_array_mut()
        .context("le squelette de paquet n'a pas d'épreuve")?
        .push(challenge);
    std::fs::write(&path, serde_json::to_string_pretty(&competence)? + "\n")?;
    Ok(())
}

/// The platform's answer to a publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Published {
        id: String,
        version: String,
        digest: String,
    },
    AlreadyPublished {
        id: String,
        version: String,
        digest: String,
    },
    /// Every problem found, `(file, message)`: nothing was stored.
    Refused(Vec<(String, String)>),
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    status: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    digest: String,
    #[serde(default)]
    problems: Vec<ProblemAnswer>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct ProblemAnswer {
    file: String,
    message: String,
}

/// Sends `archive` to `base_url`'s studio API with a designer token.
pub async fn publish(base_url: &str, token: &str, archive: Vec<u8>) -> anyhow::Result<Outcome> {
    let url = format!("{}/api/studio/paquets", base_url.trim_end_matches('/'));
    let res = reqwest::Client::new()
        .post(&url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/zip")
        .body(archive)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url} injoignable : {e}"))?;
    let status = res.status();
    let text = res.text().await?;
    let answer: Answer = serde_json::from_str(&text).map_err(|_| {
        anyhow::anyhow!(
            "réponse inattendue de {url} (HTTP {status}) : {}",
            text.chars().take(200).collect::<String>()
        )
    })?;
    if let Some(error) = answer.error {
        anyhow::bail!("{error} (HTTP {status})");
    }
    Ok(match answer.status.as_str() {
        "published" => Outcome::Published {
            id: answer.id,
            version: answer.version,
            digest: answer.digest,
        },
        "already-published" => Outcome::AlreadyPublished {
            id: answer.id,
            version: answer.version,
            digest: answer.digest,
        },
        "refused" => Outcome::Refused(
            answer
                .problems
                .into_iter()
                .map(|p| (p.file, p.message))
                .collect(),
        ),
        other => anyhow::bail!("réponse inattendue de {url} : statut « {other} » (HTTP {status})"),
    })
}
