//! What `acquis-pack` does that others call too: a content package skeleton that publishes as
//! it is, and publishing a package to a platform through the studio's API (the integration tests
//! drive both against a real server).

use std::path::Path;

use acquis_plugin_host::builtin;
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
            if let Some(t) = competence["tutorials"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["id"] == *id)
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
