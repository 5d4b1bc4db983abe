//! What `acquis-pack` does that others call too: publishing a package to a platform through
//! the studio's API (the integration tests drive it against a real server).

use serde::Deserialize;

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
