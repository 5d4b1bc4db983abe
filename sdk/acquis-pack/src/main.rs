//! `acquis-pack`: create, test and pack content for Acquis, with the platform's own sandbox.

use std::path::{Path, PathBuf};

use acquis_plugin_host::package::{self, Caps, PackageMeta};
use acquis_plugin_host::{ChallengeType, Host, Limits, builtin, verdict_name};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "acquis-pack",
    version,
    about = "Créer, tester et empaqueter du contenu Acquis"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Crée un squelette : `challenge-type <nom>` ou `package <nom>`.
    New { what: String, name: String },
    /// Vérifie un paquet (dossier ou .zip) comme à la publication et rejoue chaque réponse
    /// d'exemple : verdict, instructions et mémoire ; échoue au-delà de 80 % d'un budget.
    Test { path: PathBuf },
    /// Construit le .zip d'un dossier, manifeste et empreintes compris.
    Pack {
        dir: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        version: String,
        #[arg(long, default_value = "content")]
        kind: String,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Publie un paquet (.zip construit par `pack`) sur une plateforme, avec un jeton de
    /// concepteur créé dans le studio (Jetons d'API).
    Publish {
        archive: PathBuf,
        /// Adresse de la plateforme, par exemple https://acquis.example.fr
        #[arg(long, env = "ACQUIS_URL")]
        url: String,
        #[arg(long, env = "ACQUIS_TOKEN", hide_env_values = true)]
        token: String,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::New { what, name } => new(&what, &name),
        Command::Test { path } => test(&path),
        Command::Publish {
            archive,
            url,
            token,
        } => publish(&archive, &url, &token),
        Command::Pack {
            dir,
            id,
            version,
            kind,
            output,
        } => {
            let bytes = package::pack(
                &dir,
                PackageMeta {
                    id: id.clone(),
                    version: version.clone(),
                    kind,
                    api: "0.1".into(),
                },
                None,
            )
            .with_context(|| format!("lecture de {}", dir.display()))?;
            let out = output.unwrap_or_else(|| PathBuf::from(format!("{id}-{version}.zip")));
            std::fs::write(&out, &bytes)?;
            println!("{} ({} octets)", out.display(), bytes.len());
            Ok(())
        }
    }
}

fn publish(archive: &Path, url: &str, token: &str) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(archive).with_context(|| format!("lecture de {}", archive.display()))?;
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(acquis_pack::publish(url, token, bytes))?;
    match outcome {
        acquis_pack::Outcome::Published {
            id,
            version,
            digest,
        } => {
            println!("Publié : {id} {version} (empreinte {digest}).");
            println!(
                "Les nouveaux profils cibles sont proposés aux établissements choisis par un opérateur."
            );
            Ok(())
        }
        acquis_pack::Outcome::AlreadyPublished { id, version, .. } => {
            println!("{id} {version} était déjà publié avec exactement ce contenu : rien à faire.");
            Ok(())
        }
        acquis_pack::Outcome::Refused(problems) => {
            eprintln!("Paquet refusé, rien n'a été enregistré :");
            for (file, message) in &problems {
                eprintln!("  {file} : {message}");
            }
            bail!("{} problème(s) à corriger", problems.len())
        }
    }
}

fn new(what: &str, name: &str) -> anyhow::Result<()> {
    let dir = PathBuf::from(name);
    if dir.exists() {
        bail!("{} existe déjà", dir.display());
    }
    match what {
        "challenge-type" => {
            std::fs::create_dir_all(dir.join("src"))?;
            std::fs::write(
                dir.join("Cargo.toml"),
                format!(
                    "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n\
                     [dependencies]\nwit-bindgen = {{ version = \"0.63\", default-features = false, features = [\"macros\", \"realloc\"] }}\n\
                     serde_json = \"1\"\n"
                ),
            )?;
            std::fs::write(
                dir.join("src/lib.rs"),
                CHALLENGE_TYPE_TEMPLATE.replace("{name}", name),
            )?;
            println!(
                "Type d'épreuve créé dans {} : lisez docs/plugin-authors.md.",
                dir.display()
            );
        }
        "package" => {
            acquis_pack::package_skeleton(&dir)?;
            println!(
                "Paquet de contenu créé dans {} : il se vérifie et se publie tel quel ; \
                 remplacez son contenu (voir docs/plugin-authors.md).",
                dir.display()
            );
        }
        other => bail!("« {other} » : choisissez challenge-type ou package"),
    }
    Ok(())
}

const CHALLENGE_TYPE_TEMPLATE: &str = r#"//! Le type d'épreuve « {name} ». Copiez `sdk/wit` à côté de ce crate (ou ajustez le chemin).

wit_bindgen::generate!({ path: "wit", world: "challenge-plugin" });

use acquis::challenge::types::{PluginInfo, ScoreResult, Verdict};
use exports::acquis::challenge::challenge_type::Guest;

struct Plugin;

impl Guest for Plugin {
    fn info() -> PluginInfo {
        PluginInfo { type_id: "{name}".into(), version: env!("CARGO_PKG_VERSION").into(), api_version: "0.1.0".into() }
    }

    fn validate(definition: String) -> Result<(), Vec<String>> {
        serde_json::from_str::<serde_json::Value>(&definition).map(|_| ()).map_err(|e| vec![format!("définition illisible : {e}")])
    }

    fn render(definition: String, _locale: String, _seed: u64) -> Result<String, String> {
        let d: serde_json::Value = serde_json::from_str(&definition).map_err(|e| e.to_string())?;
        Ok(serde_json::json!({ "proposals": d["proposals"] }).to_string())
    }

    fn score(definition: String, answer: String) -> Result<ScoreResult, String> {
        let d: serde_json::Value = serde_json::from_str(&definition).map_err(|e| e.to_string())?;
        let ok = d["solution"].as_str() == Some(answer.trim());
        Ok(ScoreResult { verdict: if ok { Verdict::Ok } else { Verdict::Ko }, details: vec![], feedback: None, solution_to_display: None })
    }
}

export!(Plugin);
"#;

fn test(path: &Path) -> anyhow::Result<()> {
    let bytes = if path.is_dir() {
        package::pack(
            path,
            PackageMeta {
                id: "local".into(),
                version: "0.0.0".into(),
                kind: "content".into(),
                api: "0.1".into(),
            },
            None,
        )?
    } else {
        std::fs::read(path).with_context(|| format!("lecture de {}", path.display()))?
    };
    let limits = Limits::default();
    let host = Host::new(limits, None)?;
    let types: Vec<(String, ChallengeType)> = builtin::CHALLENGE_TYPES
        .iter()
        .map(|(id, b)| Ok((id.to_string(), host.load_challenge_type(b)?)))
        .collect::<Result<_, acquis_plugin_host::PluginError>>()?;
    let verified = match package::verify(&host, &bytes, &Caps::default(), &types) {
        Ok(v) => v,
        Err(problems) => {
            for p in &problems {
                eprintln!("✗ {p}");
            }
            bail!(
                "{} problème(s) : le paquet serait refusé à la publication",
                problems.len()
            );
        }
    };
    let (mut worst_fuel, mut worst_memory, mut over) = (0u64, 0usize, 0usize);
    for (file, b) in verified
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("data/competences/") && p.ends_with(".json"))
    {
        let data: package::CompetenceFile = serde_json::from_slice(b)?;
        for c in data.challenges() {
            let plugin = &verified
                .types
                .iter()
                .find(|(t, _)| Some(t.as_str()) == c["type"].as_str())
                .context("type inconnu")?
                .1;
            for ex in c["examples"].as_array().into_iter().flatten() {
                let answer = ex["answer"].as_str().unwrap_or_default();
                let (r, usage) = host.score_with_usage(plugin, &c.to_string(), answer)?;
                let verdict = verdict_name(r.verdict);
                let heavy = usage.fuel * 10 > limits.fuel * 8
                    || usage.memory_peak * 10 > limits.memory_bytes * 8;
                over += usize::from(heavy);
                worst_fuel = worst_fuel.max(usage.fuel);
                worst_memory = worst_memory.max(usage.memory_peak);
                println!(
                    "{} {file} {} {answer:?} → {verdict} ({} instructions, {} Kio){}",
                    if heavy { "✗" } else { "✓" },
                    c["id"].as_str().unwrap_or("?"),
                    usage.fuel,
                    usage.memory_peak / 1024,
                    if heavy {
                        " : au-delà de 80 % d'un budget"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    println!(
        "{} épreuves, {} réponses d'exemple ; pire cas : {} instructions ({:.2} % du budget), {} Kio de mémoire ({:.1} %)",
        verified.challenges,
        verified.examples,
        worst_fuel,
        100.0 * worst_fuel as f64 / limits.fuel as f64,
        worst_memory / 1024,
        100.0 * worst_memory as f64 / limits.memory_bytes as f64
    );
    if over > 0 {
        bail!("{over} appel(s) au-delà de 80 % d'un budget");
    }
    Ok(())
}
