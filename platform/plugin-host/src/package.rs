//! Content packages: a zip with `manifest.toml` (id, semver version, kind, API version, limits,
//! the sha256 of every file), data, assets and components.
//!
//! [`verify`] checks everything before anything is stored and reports every problem, each naming
//! its file: size and entry caps, compression ratio (zip bombs), unsafe paths, hashes, API major,
//! components (import allow-list), every challenge through its type plugin, every sample answer.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ChallengeType, Host, PluginError};

pub const MANIFEST: &str = "manifest.toml";
/// The plugin API major this host speaks.
pub const API_MAJOR: u64 = 0;

#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub max_archive_bytes: u64,
    pub max_entries: usize,
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
    /// Uncompressed / compressed size above which an entry is treated as a zip bomb.
    pub max_ratio: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            max_archive_bytes: 20 << 20,
            max_entries: 4096,
            max_entry_bytes: 16 << 20,
            max_total_bytes: 64 << 20,
            max_ratio: 100,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub package: PackageMeta,
    #[serde(default)]
    pub limits: Option<LimitsMeta>,
    /// Path → sha256 (hex) of every other file of the archive.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageMeta {
    pub id: String,
    pub version: String,
    /// `content`, `challenge-type` or `item-selector`.
    pub kind: String,
    /// The plugin API version, e.g. `0.1`.
    pub api: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitsMeta {
    pub fuel_per_call: Option<u64>,
    pub memory_mib: Option<u64>,
}

/// One problem, naming the file it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} : {}", self.file, self.message)
    }
}

fn problem(file: &str, message: impl Into<String>) -> Problem {
    Problem {
        file: file.to_owned(),
        message: message.into(),
    }
}

/// A package that passed every check.
#[derive(Debug, Clone)]
pub struct Verified {
    pub manifest: Manifest,
    /// sha256 of the archive: packages are immutable and content-addressed.
    pub digest: String,
    pub files: BTreeMap<String, Vec<u8>>,
    pub challenges: usize,
    pub examples: usize,
    /// The challenge types the package may use: the platform's and its own components.
    pub types: Vec<(String, ChallengeType)>,
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A path is safe when it is relative, uses `/`, and never climbs out.
fn safe_path(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && name.split('/').all(|part| part != ".." && part != ".")
}

/// Builds a package from a directory: every file, hashed into the manifest (`acquis-pack pack`).
pub fn pack(dir: &Path, meta: PackageMeta, limits: Option<LimitsMeta>) -> std::io::Result<Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != MANIFEST {
                    out.push((rel, std::fs::read(&path)?));
                }
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    pack_files(files, meta, limits)
}

/// Builds a package from files already in memory (the built-in package embedded in the server).
pub fn pack_files(
    files: Vec<(String, Vec<u8>)>,
    meta: PackageMeta,
    limits: Option<LimitsMeta>,
) -> std::io::Result<Vec<u8>> {
    let manifest = Manifest {
        package: meta,
        limits,
        files: files.iter().map(|(p, b)| (p.clone(), sha256(b))).collect(),
    };
    let text = toml::to_string(&manifest).map_err(std::io::Error::other)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(MANIFEST, options)
        .map_err(std::io::Error::other)?;
    zip.write_all(text.as_bytes())?;
    for (path, bytes) in &files {
        zip.start_file(path.as_str(), options)
            .map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// Reads the archive within the caps; returns the files and every problem met.
fn unpack(bytes: &[u8], caps: &Caps, problems: &mut Vec<Problem>) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if bytes.len() as u64 > caps.max_archive_bytes {
        problems.push(problem(
            "(archive)",
            format!(
                "le paquet pèse {} octets, au-delà de la limite de {} octets",
                bytes.len(),
                caps.max_archive_bytes
            ),
        ));
        return files;
    }
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => {
            problems.push(problem(
                "(archive)",
                format!("ce n'est pas une archive zip lisible ({e})"),
            ));
            return files;
        }
    };
    if archive.len() > caps.max_entries {
        problems.push(problem(
            "(archive)",
            format!(
                "{} fichiers, au-delà de la limite de {}",
                archive.len(),
                caps.max_entries
            ),
        ));
        return files;
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                problems.push(problem("(archive)", format!("entrée {i} illisible ({e})")));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                problems.push(problem(
                    "(archive)",
                    format!("nom de l'entrée {i} illisible ({e})"),
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        if !safe_path(&name) || entry.enclosed_name().is_none() {
            problems.push(problem(
                &name,
                "chemin refusé (absolu ou sortant du paquet avec « .. »)",
            ));
            continue;
        }
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        if declared > caps.max_entry_bytes {
            problems.push(problem(
                &name,
                format!(
                    "{declared} octets une fois décompressé, au-delà de la limite de {}",
                    caps.max_entry_bytes
                ),
            ));
            continue;
        }
        if declared / compressed > caps.max_ratio && declared > 1 << 20 {
            problems.push(problem(
                &name,
                format!(
                    "taux de compression suspect ({}:1) : archive piégée refusée",
                    declared / compressed
                ),
            ));
            continue;
        }
        // The declared size may lie: never read more than the cap.
        let mut data = Vec::new();
        let read = (&mut entry)
            .take(caps.max_entry_bytes + 1)
            .read_to_end(&mut data);
        match read {
            Err(e) => problems.push(problem(&name, format!("contenu illisible ({e})"))),
            Ok(n) if n as u64 > caps.max_entry_bytes => problems.push(problem(
                &name,
                "contenu plus gros qu'annoncé : archive piégée refusée",
            )),
            Ok(n) => {
                total += n as u64;
                if total > caps.max_total_bytes {
                    problems.push(problem(
                        "(archive)",
                        format!(
                            "plus de {} octets une fois décompressé",
                            caps.max_total_bytes
                        ),
                    ));
                    return files;
                }
                files.insert(name, data);
            }
        }
    }
    files
}

/// A `data/competences/*.json` file, read only as deep as its challenges, which stay JSON: each
/// is handed as is to its type plugin.
#[derive(Deserialize)]
pub struct CompetenceFile {
    tubes: Vec<TubeData>,
}
#[derive(Deserialize)]
struct TubeData {
    skills: Vec<SkillData>,
}
#[derive(Deserialize)]
struct SkillData {
    challenges: Vec<serde_json::Value>,
}

impl CompetenceFile {
    pub fn challenges(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.tubes
            .iter()
            .flat_map(|t| &t.skills)
            .flat_map(|s| &s.challenges)
    }
}

/// Verifies a package. `builtin` are the challenge types the platform already has.
pub fn verify(
    host: &Host,
    bytes: &[u8],
    caps: &Caps,
    builtin: &[(String, ChallengeType)],
) -> Result<Verified, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut files = unpack(bytes, caps, &mut problems);
    let Some(manifest_bytes) = files.remove(MANIFEST) else {
        if problems.is_empty() {
            problems.push(problem(
                MANIFEST,
                "absent : un paquet commence par son manifeste",
            ));
        }
        return Err(problems);
    };
    let manifest: Manifest = match std::str::from_utf8(&manifest_bytes)
        .map_err(|e| e.to_string())
        .and_then(|s| toml::from_str(s).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(e) => {
            problems.push(problem(MANIFEST, format!("illisible : {e}")));
            return Err(problems);
        }
    };
    if semver::Version::parse(&manifest.package.version).is_err() {
        problems.push(problem(
            MANIFEST,
            format!(
                "la version « {} » n'est pas une version sémantique (ex. 1.2.0)",
                manifest.package.version
            ),
        ));
    }
    let api_major = manifest
        .package
        .api
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    if api_major != Some(API_MAJOR) {
        problems.push(problem(
            MANIFEST,
            format!(
                "version d'API « {} » inconnue : cette plateforme parle {API_MAJOR}.x",
                manifest.package.api
            ),
        ));
    }
    if !["content", "challenge-type", "item-selector"].contains(&manifest.package.kind.as_str()) {
        problems.push(problem(
            MANIFEST,
            format!("type de paquet « {} » inconnu", manifest.package.kind),
        ));
    }
    for (path, hash) in &manifest.files {
        match files.get(path) {
            None => problems.push(problem(
                path,
                "listé dans le manifeste mais absent de l'archive",
            )),
            Some(b) if sha256(b) != hash.to_lowercase() => problems.push(problem(
                path,
                "empreinte sha256 différente de celle du manifeste",
            )),
            Some(_) => {}
        }
    }
    for path in files.keys() {
        if !manifest.files.contains_key(path) {
            problems.push(problem(path, "absent du manifeste"));
        }
    }

    // Components shipped in the package, by type id (file stem).
    let mut types: Vec<(String, ChallengeType)> = builtin.to_vec();
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.starts_with("components/") && p.ends_with(".wasm"))
    {
        let stem = path
            .trim_start_matches("components/")
            .trim_end_matches(".wasm")
            .to_owned();
        let loaded = if manifest.package.kind == "item-selector" {
            host.load_item_selector(bytes).map(|_| None)
        } else {
            host.load_challenge_type(bytes).map(Some)
        };
        match loaded {
            Ok(Some(t)) => types.push((stem, t)),
            Ok(None) => {}
            Err(e) => problems.push(problem(path, e.to_string())),
        }
    }

    let (mut challenges, mut examples) = (0, 0);
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.starts_with("data/competences/") && p.ends_with(".json"))
    {
        let data: CompetenceFile = match serde_json::from_slice(bytes) {
            Ok(d) => d,
            Err(e) => {
                problems.push(problem(path, format!("JSON illisible : {e}")));
                continue;
            }
        };
        for c in data.challenges() {
            challenges += 1;
            let id = c["id"].as_str().unwrap_or("?");
            let kind = c["type"].as_str().unwrap_or("");
            let Some((_, plugin)) = types.iter().find(|(t, _)| t == kind) else {
                problems.push(problem(
                    path,
                    format!("épreuve {id} : type « {kind} » inconnu"),
                ));
                continue;
            };
            for a in c["attachments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str())
            {
                if !files.contains_key(&format!("assets/{a}")) {
                    problems.push(problem(
                        path,
                        format!("épreuve {id} : pièce jointe assets/{a} absente"),
                    ));
                }
            }
            let definition = c.to_string();
            match host.validate(plugin, &definition) {
                Ok(errors) => problems.extend(
                    errors
                        .into_iter()
                        .map(|e| problem(path, format!("épreuve {id} : {e}"))),
                ),
                Err(e) => problems.push(problem(path, format!("épreuve {id} : {e}"))),
            }
            for ex in c["examples"].as_array().into_iter().flatten() {
                examples += 1;
                let answer = ex["answer"].as_str().unwrap_or_default();
                let want = ex["verdict"].as_str().unwrap_or_default();
                match host.score(plugin, &definition, answer) {
                    Ok(r) => {
                        let got = crate::verdict_name(r.verdict);
                        if got != want {
                            problems.push(problem(path, format!("épreuve {id} : la réponse « {answer} » obtient « {got} » au lieu de « {want} »")));
                        }
                    }
                    Err(e) => problems.push(problem(
                        path,
                        format!("épreuve {id} : réponse « {answer} » : {e}"),
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(Verified {
            manifest,
            digest: sha256(bytes),
            files,
            challenges,
            examples,
            types,
        })
    } else {
        Err(problems)
    }
}

impl From<PluginError> for Problem {
    fn from(e: PluginError) -> Problem {
        problem("(composant)", e.to_string())
    }
}
