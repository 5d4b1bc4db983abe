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
    /// Crée un squelette : `challenge-type <nom>` (un type d'épreuve à soi, l'exemple complet
    /// du guide, et un paquet qui s'en sert) ou `package <nom>` (un paquet de contenu).
    New { what: String, name: String },
    /// Vérifie un paquet (dossier ou .zip) avec le vérificateur de la publication (tous les
    /// problèmes, chacun avec son fichier) et rejoue chaque réponse d'exemple : verdict,
    /// instructions et mémoire ; échoue au-delà de 80 % d'un budget.
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
            let meta = PackageMeta {
                id: id.clone(),
                version: version.clone(),
                kind,
                api: "0.1".into(),
            };
            // The same rules as publication's: a package it would refuse is never written.
            let problems = package::check_meta(&meta);
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("✗ {}", p.message);
                }
                bail!("{} problème(s) : aucun paquet écrit", problems.len());
            }
            let bytes = package::pack(&dir, meta, None)
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
            acquis_pack::challenge_type_skeleton(&dir, name)?;
            println!(
                "Type d'épreuve « {name} » créé dans {} (l'exemple complet du guide, \
                 docs/plugin-authors.md), avec un paquet de contenu qui s'en sert dans {}/paquet : \
                 construisez-le comme l'indique {}/README.md.",
                dir.display(),
                dir.display(),
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
    // The very verifier publication runs: what passes here passes there (but for who owns the
    // id and which versions exist, which only the platform knows).
    let verified = match package::verify_publication(&host, &bytes, &Caps::default(), &types) {
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
