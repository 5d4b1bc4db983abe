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
    /// The challenge types the package may use: the platform's and its own components (whose
    /// ids never collide with the platform's).
    pub types: Vec<(String, ChallengeType)>,
    /// The type ids of its own components.
    pub own_types: Vec<String>,
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

/// A zip error in French (the crate's messages are English).
fn zip_error(e: &zip::result::ZipError) -> &'static str {
    use zip::result::ZipError;
    match e {
        ZipError::Io(_) => "archive tronquée ou abîmée",
        ZipError::InvalidArchive(_) => "structure d'archive invalide",
        ZipError::UnsupportedArchive(_) => {
            "format d'archive non pris en charge (chiffrement, compression inconnue…)"
        }
        ZipError::FileNotFound => "entrée introuvable",
        _ => "archive illisible",
    }
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
                format!("ce n'est pas une archive zip lisible ({})", zip_error(&e)),
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
                problems.push(problem(
                    "(archive)",
                    format!("entrée {i} illisible ({})", zip_error(&e)),
                ));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                problems.push(problem(
                    "(archive)",
                    format!("nom de l'entrée {i} illisible ({})", zip_error(&e)),
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
            Err(_) => problems.push(problem(&name, "contenu illisible (archive abîmée)")),
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

/// Package kinds the platform knows; the studio publishes `content` packages (a content package
/// carries its own challenge types under `components/`).
pub const KINDS: &[&str] = &["content", "challenge-type", "item-selector"];
/// Target-profile categories the pages can name (each has a `category-…` message).
pub const CATEGORIES: &[&str] = &["COMPETENCES", "DISCOVERY", "BACK_TO_SCHOOL", "CUSTOM"];
/// Tutorial formats, shown as they are under each tutorial.
pub const TUTORIAL_FORMATS: &[&str] = &["page", "vidéo", "pdf", "outil", "son"];
/// The highest skill level (the engine's scale).
pub const MAX_LEVEL: u64 = 8;
/// The longest package or type id.
pub const MAX_ID_CHARS: usize = 64;

/// A package or challenge-type id: lowercase ASCII letters, digits and inner hyphens, so that it
/// reads the same in a file name, a URL and a log line.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// Every problem of a manifest's `[package]` table: what `acquis-pack pack` refuses to write and
/// what publication refuses to read.
pub fn check_meta(meta: &PackageMeta) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !valid_id(&meta.id) {
        problems.push(problem(
            MANIFEST,
            format!(
                "l'identifiant « {} » n'est pas valide : lettres minuscules sans accent, chiffres \
                 et tirets, {MAX_ID_CHARS} caractères au plus (ex. mon-contenu)",
                meta.id
            ),
        ));
    }
    if semver::Version::parse(&meta.version).is_err() {
        problems.push(problem(
            MANIFEST,
            format!(
                "la version « {} » n'est pas une version sémantique (ex. 1.2.0)",
                meta.version
            ),
        ));
    }
    let api_major = meta
        .api
        .split('.')
        .next()
        .and_then(|m| m.parse::<u64>().ok());
    if api_major != Some(API_MAJOR) {
        problems.push(problem(
            MANIFEST,
            format!(
                "version d'API « {} » inconnue : cette plateforme parle {API_MAJOR}.x",
                meta.api
            ),
        ));
    }
    if !KINDS.contains(&meta.kind.as_str()) {
        problems.push(problem(
            MANIFEST,
            format!(
                "type de paquet « {} » inconnu (types connus : {})",
                meta.kind,
                KINDS.join(", ")
            ),
        ));
    }
    problems
}

/// A JSON error in French, with its place (serde's own messages are English).
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    match e.classify() {
        Category::Eof => {
            format!("JSON illisible : le fichier s'arrête avant la fin (ligne {line})")
        }
        Category::Syntax => {
            format!("JSON illisible : erreur de syntaxe ligne {line}, colonne {column}")
        }
        Category::Data => {
            format!("JSON illisible : valeur inattendue ligne {line}, colonne {column}")
        }
        Category::Io => "JSON illisible".into(),
    }
}

/// What reading an archive found, whether or not it verifies.
struct Inspection {
    manifest: Option<Manifest>,
    files: BTreeMap<String, Vec<u8>>,
    types: Vec<(String, ChallengeType)>,
    own_types: Vec<String>,
    challenges: usize,
    examples: usize,
}

/// Verifies a package. `builtin` are the challenge types the platform already has.
///
/// This is the archive's own soundness (what the server checks again when it loads a published
/// package); [`verify_publication`] adds what a designer's content must respect.
pub fn verify(
    host: &Host,
    bytes: &[u8],
    caps: &Caps,
    builtin: &[(String, ChallengeType)],
) -> Result<Verified, Vec<Problem>> {
    let mut problems = Vec::new();
    let found = inspect(host, bytes, caps, builtin, &mut problems);
    finish(found, bytes, problems)
}

/// The one verifier of a designer's package, shared by `acquis-pack test` and the server's
/// publication (studio and API): everything [`verify`] checks, then that it is a content package
/// under an id no built-in content uses, whose framework, competences, tubes, skills, tutorials
/// and target profiles the platform can serve. Every problem is listed, each with its file.
/// Who owns the id and which versions exist are the server's to check (they need the database).
pub fn verify_publication(
    host: &Host,
    bytes: &[u8],
    caps: &Caps,
    builtin: &[(String, ChallengeType)],
) -> Result<Verified, Vec<Problem>> {
    let mut problems = Vec::new();
    let found = inspect(host, bytes, caps, builtin, &mut problems);
    if let Some(m) = &found.manifest {
        if m.package.kind != "content" && KINDS.contains(&m.package.kind.as_str()) {
            problems.push(problem(
                MANIFEST,
                format!(
                    "type de paquet « {} » : on publie des paquets de contenu (kind = \"content\") ; \
                     un type d'épreuve se publie dans le paquet de contenu qui s'en sert (dossier \
                     components/)",
                    m.package.kind
                ),
            ));
        }
        if crate::builtin::is_reserved(&m.package.id) {
            problems.push(problem(
                MANIFEST,
                format!(
                    "l'identifiant « {} » est réservé au contenu intégré de la plateforme : \
                     choisissez-en un autre",
                    m.package.id
                ),
            ));
        }
        if m.package.kind == "content" {
            problems.extend(check_content(&found.files));
        }
    }
    finish(found, bytes, problems)
}

fn finish(
    found: Inspection,
    bytes: &[u8],
    problems: Vec<Problem>,
) -> Result<Verified, Vec<Problem>> {
    match found.manifest {
        Some(manifest) if problems.is_empty() => Ok(Verified {
            manifest,
            digest: sha256(bytes),
            files: found.files,
            challenges: found.challenges,
            examples: found.examples,
            types: found.types,
            own_types: found.own_types,
        }),
        _ => Err(problems),
    }
}

fn inspect(
    host: &Host,
    bytes: &[u8],
    caps: &Caps,
    builtin: &[(String, ChallengeType)],
    problems: &mut Vec<Problem>,
) -> Inspection {
    let mut found = Inspection {
        manifest: None,
        files: unpack(bytes, caps, problems),
        types: builtin.to_vec(),
        own_types: Vec::new(),
        challenges: 0,
        examples: 0,
    };
    let Some(manifest_bytes) = found.files.remove(MANIFEST) else {
        if problems.is_empty() {
            problems.push(problem(
                MANIFEST,
                "absent : un paquet commence par son manifeste",
            ));
        }
        return found;
    };
    let manifest: Manifest = match std::str::from_utf8(&manifest_bytes)
        .map_err(|_| "le fichier n'est pas en UTF-8".to_owned())
        .and_then(|s| {
            toml::from_str(s).map_err(|e| {
                // toml's message is English: keep its place and the offending key, if any.
                let at = e
                    .span()
                    .map(|r| {
                        let line = s.get(..r.start).unwrap_or(s).matches('\n').count() + 1;
                        format!(" ligne {line}")
                    })
                    .unwrap_or_default();
                format!(
                    "TOML illisible{at} : il faut une table [package] (id, version, kind, api) et \
                     une table [files]"
                )
            })
        }) {
        Ok(m) => m,
        Err(e) => {
            problems.push(problem(MANIFEST, format!("illisible : {e}")));
            return found;
        }
    };
    problems.extend(check_meta(&manifest.package));
    let files = &found.files;
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

    // Components shipped in the package, by type id (file stem). A type id is never one of the
    // platform's: the component that passes the examples below is the one that serves them.
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.starts_with("components/") && p.ends_with(".wasm"))
    {
        let stem = path
            .trim_start_matches("components/")
            .trim_end_matches(".wasm")
            .to_owned();
        if !valid_id(&stem) {
            problems.push(problem(
                path,
                format!(
                    "« {stem} » n'est pas un identifiant de type valide : lettres minuscules sans \
                     accent, chiffres et tirets, directement sous components/"
                ),
            ));
            continue;
        }
        if crate::builtin::is_reserved(&stem) {
            problems.push(problem(
                path,
                format!(
                    "« {stem} » est un type intégré de la plateforme : un paquet ne peut pas le \
                     remplacer ; nommez votre type autrement"
                ),
            ));
            continue;
        }
        if manifest.package.kind == "item-selector" {
            if let Err(e) = host.load_item_selector(bytes) {
                problems.push(problem(path, e.to_string()));
            }
            continue;
        }
        let plugin = match host.load_challenge_type(bytes) {
            Ok(t) => t,
            Err(e) => {
                problems.push(problem(path, e.to_string()));
                continue;
            }
        };
        match host.info(&plugin) {
            Ok(info) if info.type_id == stem => {
                found.types.push((stem.clone(), plugin));
                found.own_types.push(stem);
            }
            Ok(info) => problems.push(problem(
                path,
                format!(
                    "le composant se déclare de type « {} » (info) mais son fichier le nomme « {stem} »",
                    info.type_id
                ),
            )),
            Err(e) => problems.push(problem(path, format!("info() : {e}"))),
        }
    }

    let types = &found.types;
    for (path, bytes) in files
        .iter()
        .filter(|(p, _)| p.starts_with("data/competences/") && p.ends_with(".json"))
    {
        let data: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(d) => d,
            Err(e) => {
                problems.push(problem(path, json_error(&e)));
                continue;
            }
        };
        let challenges = data["tubes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["skills"].as_array().into_iter().flatten())
            .flat_map(|s| s["challenges"].as_array().into_iter().flatten());
        for c in challenges {
            found.challenges += 1;
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
            // A package's own type: render the challenge as the pages will and check that a
            // student can answer it at all, and can send each example's answer.
            let own = found.own_types.iter().any(|t| t == kind);
            let view = if own {
                match host.render(plugin, &definition, "fr", 1).and_then(|v| {
                    serde_json::from_str::<serde_json::Value>(&v).map_err(|e| {
                        PluginError::Plugin(format!("vue rendue : {}", json_error(&e)))
                    })
                }) {
                    Ok(v) => match crate::view::unanswerable(&v) {
                        Some(why) => {
                            problems.push(problem(path, format!("épreuve {id} : {why}")));
                            None
                        }
                        None => Some(v),
                    },
                    Err(e) => {
                        problems.push(problem(path, format!("épreuve {id} : render() : {e}")));
                        None
                    }
                }
            } else {
                None
            };
            let mut ok_examples = 0;
            for ex in c["examples"].as_array().into_iter().flatten() {
                found.examples += 1;
                let answer = ex["answer"].as_str().unwrap_or_default();
                let want = ex["verdict"].as_str().unwrap_or_default();
                if let Some(v) = &view
                    && let Err(e) = crate::view::sendable(v, answer)
                {
                    problems.push(problem(path, format!("épreuve {id} : {e}")));
                }
                match host.score(plugin, &definition, answer) {
                    Ok(r) => {
                        let got = crate::verdict_name(r.verdict);
                        ok_examples += usize::from(got == "ok" && want == "ok");
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
            if view.is_some() && ok_examples == 0 {
                problems.push(problem(
                    path,
                    format!(
                        "épreuve {id} : aucune réponse d'exemple « ok » : donnez-en une que les \
                         pages peuvent envoyer, pour prouver que l'épreuve a une bonne réponse"
                    ),
                ));
            }
        }
    }
    found.manifest = Some(manifest);
    found
}

impl From<PluginError> for Problem {
    fn from(e: PluginError) -> Problem {
        problem("(composant)", e.to_string())
    }
}

/// Reads a JSON data file for [`check_content`], or says why not.
fn data_file(
    files: &BTreeMap<String, Vec<u8>>,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<serde_json::Value> {
    let bytes = files.get(path)?;
    match serde_json::from_slice(bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(problem(path, json_error(&e)));
            None
        }
    }
}

/// Records the first file using an id; a second use is a problem naming the first.
fn claim(seen: &mut BTreeMap<String, String>, what: &str, id: &str, path: &str) -> Option<Problem> {
    if let Some(first) = seen.get(id) {
        let place = if first == path {
            "ce fichier".to_owned()
        } else {
            first.clone()
        };
        Some(problem(
            path,
            format!("{what} « {id} » en double (déjà dans {place})"),
        ))
    } else {
        seen.insert(id.to_owned(), path.to_owned());
        None
    }
}

fn text<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|t| t.as_str())
}

/// Whether a capped level or a skill level is on the engine's scale (1 to 8).
fn level_of(v: &serde_json::Value) -> Option<u64> {
    v.get("level")
        .and_then(|l| l.as_u64())
        .filter(|l| (1..=MAX_LEVEL).contains(l))
}

/// The content a package carries, as the platform will serve it: the framework, every
/// competence file (tube, skill, challenge and tutorial ids unique; levels 1 to 8; tutorials
/// known, with a known format) and every target profile (known category and tubes, levels 1 to
/// 8, stages in ascending order starting at 0, badges on known tubes, a known selector). Every
/// problem is listed with its file. Challenges themselves are their type's to check.
pub fn check_content(files: &BTreeMap<String, Vec<u8>>) -> Vec<Problem> {
    let mut problems = Vec::new();
    const FRAMEWORK: &str = "data/framework.json";
    let mut competences: Vec<String> = Vec::new();
    match data_file(files, FRAMEWORK, &mut problems) {
        None if !files.contains_key(FRAMEWORK) => problems.push(problem(
            FRAMEWORK,
            "absent : un paquet de contenu décrit son référentiel (domaines et compétences)",
        )),
        None => {}
        Some(f) => {
            let areas = f["areas"].as_array().map(Vec::as_slice).unwrap_or_default();
            if areas.is_empty() {
                problems.push(problem(FRAMEWORK, "aucun domaine (« areas »)"));
            }
            for (i, a) in areas.iter().enumerate() {
                let area = text(a, "code").unwrap_or_default();
                if area.is_empty() || text(a, "name").unwrap_or_default().is_empty() {
                    problems.push(problem(
                        FRAMEWORK,
                        format!("domaine n° {} : « code » et « name » sont requis", i + 1),
                    ));
                }
                for c in a["competences"].as_array().into_iter().flatten() {
                    let code = text(c, "code").unwrap_or_default();
                    if code.is_empty() || text(c, "name").unwrap_or_default().is_empty() {
                        problems.push(problem(
                            FRAMEWORK,
                            format!(
                                "domaine {area} : une compétence sans « code » ou sans « name »"
                            ),
                        ));
                    } else if competences.iter().any(|k| k == code) {
                        problems.push(problem(
                            FRAMEWORK,
                            format!("la compétence {code} figure deux fois"),
                        ));
                    } else {
                        competences.push(code.to_owned());
                    }
                }
            }
        }
    }

    // Ids across the whole package, with the file that first used each.
    let mut tubes: BTreeMap<String, String> = BTreeMap::new();
    let mut skills: BTreeMap<String, String> = BTreeMap::new();
    let mut challenges: BTreeMap<String, String> = BTreeMap::new();
    let mut tutorials: BTreeMap<String, String> = BTreeMap::new();
    // Skills' tutorial references, checked once every file is read.
    let mut wanted_tutorials: Vec<(String, String, String)> = Vec::new();
    for path in files
        .keys()
        .filter(|p| p.starts_with("data/competences/") && p.ends_with(".json"))
    {
        // A JSON error was already reported by the challenges' pass.
        let Ok(data) = serde_json::from_slice::<serde_json::Value>(&files[path]) else {
            continue;
        };
        let stem = path
            .trim_start_matches("data/competences/")
            .trim_end_matches(".json");
        match text(&data, "competence") {
            Some(code) if code != stem => problems.push(problem(
                path,
                format!(
                    "ce fichier décrit la compétence « {code} » : il doit s'appeler \
                     data/competences/{code}.json"
                ),
            )),
            Some(code) if !competences.is_empty() && !competences.iter().any(|c| c == code) => {
                problems.push(problem(
                    path,
                    format!("la compétence « {code} » n'est pas dans data/framework.json"),
                ))
            }
            Some(_) => {}
            None => problems.push(problem(path, "« competence » (son code) est requis")),
        }
        for t in data["tutorials"].as_array().into_iter().flatten() {
            let id = text(t, "id").unwrap_or_default();
            if id.is_empty() {
                problems.push(problem(path, "un tutoriel sans « id »"));
                continue;
            }
            problems.extend(claim(&mut tutorials, "tutoriel", id, path));
            for key in ["title", "source", "duration", "link"] {
                if text(t, key).unwrap_or_default().is_empty() {
                    problems.push(problem(
                        path,
                        format!("tutoriel {id} : « {key} » est requis"),
                    ));
                }
            }
            match text(t, "format") {
                Some(f) if TUTORIAL_FORMATS.contains(&f) => {}
                other => problems.push(problem(
                    path,
                    format!(
                        "tutoriel {id} : format « {} » inconnu (formats connus : {})",
                        other.unwrap_or_default(),
                        TUTORIAL_FORMATS.join(", ")
                    ),
                )),
            }
        }
        let Some(tube_list) = data["tubes"].as_array() else {
            problems.push(problem(path, "« tubes » (la liste des sujets) est requis"));
            continue;
        };
        for t in tube_list {
            let Some(tube) = text(t, "id").filter(|i| !i.is_empty()) else {
                problems.push(problem(path, "un sujet (tube) sans « id »"));
                continue;
            };
            problems.extend(claim(&mut tubes, "sujet (tube)", tube, path));
            if text(t, "title").unwrap_or_default().is_empty() {
                problems.push(problem(
                    path,
                    format!("sujet {tube} : « title » est requis"),
                ));
            }
            for s in t["skills"].as_array().into_iter().flatten() {
                let Some(skill) = text(s, "id").filter(|i| !i.is_empty()) else {
                    problems.push(problem(
                        path,
                        format!("sujet {tube} : un acquis sans « id »"),
                    ));
                    continue;
                };
                problems.extend(claim(&mut skills, "acquis", skill, path));
                match level_of(s) {
                    Some(_) => {}
                    None => problems.push(problem(
                        path,
                        format!(
                            "acquis {skill} : niveau « {} » hors de l'échelle 1 à {MAX_LEVEL}",
                            s.get("level").map(|l| l.to_string()).unwrap_or_default()
                        ),
                    )),
                }
                for tuto in s["tutorials"].as_array().into_iter().flatten() {
                    wanted_tutorials.push((
                        path.clone(),
                        skill.to_owned(),
                        tuto.as_str().unwrap_or_default().to_owned(),
                    ));
                }
                for c in s["challenges"].as_array().into_iter().flatten() {
                    match text(c, "id").filter(|i| !i.is_empty()) {
                        Some(id) => problems.extend(claim(&mut challenges, "épreuve", id, path)),
                        None => problems.push(problem(
                            path,
                            format!("acquis {skill} : une épreuve sans « id »"),
                        )),
                    }
                }
            }
        }
    }
    for (path, skill, tuto) in wanted_tutorials {
        if !tutorials.contains_key(&tuto) {
            problems.push(problem(
                &path,
                format!("acquis {skill} : tutoriel « {tuto} » inconnu"),
            ));
        }
    }

    let tube_known = |tube: &str| tubes.contains_key(tube);
    let mut profiles: BTreeMap<String, String> = BTreeMap::new();
    for path in files
        .keys()
        .filter(|p| p.starts_with("data/target-profiles/") && p.ends_with(".json"))
    {
        let Some(p) = data_file(files, path, &mut problems) else {
            continue;
        };
        let id = text(&p, "id").unwrap_or_default();
        if id.is_empty() {
            problems.push(problem(path, "« id » (la clé du profil cible) est requis"));
        } else {
            problems.extend(claim(&mut profiles, "profil cible", id, path));
        }
        if text(&p, "name").unwrap_or_default().trim().is_empty() {
            problems.push(problem(
                path,
                "« name » (le nom du profil cible) est requis",
            ));
        }
        match text(&p, "category") {
            Some(c) if CATEGORIES.contains(&c) => {}
            other => problems.push(problem(
                path,
                format!(
                    "catégorie « {} » inconnue (catégories connues : {})",
                    other.unwrap_or_default(),
                    CATEGORIES.join(", ")
                ),
            )),
        }
        let check_capped = |list: &serde_json::Value, what: &str, problems: &mut Vec<Problem>| {
            let list = list.as_array().map(Vec::as_slice).unwrap_or_default();
            if list.is_empty() {
                problems.push(problem(path, format!("{what} : aucun sujet (« tubes »)")));
            }
            for c in list {
                let tube = text(c, "tube").unwrap_or_default();
                if !tube_known(tube) {
                    problems.push(problem(
                        path,
                        format!("{what} : sujet (tube) « {tube} » inconnu dans ce paquet"),
                    ));
                }
                if level_of(c).is_none() {
                    problems.push(problem(
                        path,
                        format!(
                            "{what} : sujet {tube}, niveau « {} » hors de l'échelle 1 à {MAX_LEVEL}",
                            c.get("level").map(|l| l.to_string()).unwrap_or_default()
                        ),
                    ));
                }
            }
        };
        check_capped(&p["capped_tubes"], "capped_tubes", &mut problems);
        check_stages(&p["stages"], path, &mut problems);
        let mut badge_keys: Vec<&str> = Vec::new();
        for b in p["badges"].as_array().into_iter().flatten() {
            let key = text(b, "key").unwrap_or_default();
            if key.is_empty() || text(b, "title").unwrap_or_default().is_empty() {
                problems.push(problem(path, "un badge sans « key » ou sans « title »"));
            } else if badge_keys.contains(&key) {
                problems.push(problem(path, format!("badge « {key} » en double")));
            }
            badge_keys.push(key);
            let criteria = b["criteria"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            if criteria.is_empty() {
                problems.push(problem(path, format!("badge {key} : aucun critère")));
            }
            for c in criteria {
                if c["threshold"].as_u64().is_none_or(|t| t > 100) {
                    problems.push(problem(
                        path,
                        format!("badge {key} : un critère sans seuil entre 0 et 100"),
                    ));
                }
                match text(c, "scope") {
                    Some("campaign") => {}
                    Some("capped_tubes") => {
                        check_capped(&c["tubes"], &format!("badge {key}"), &mut problems)
                    }
                    other => problems.push(problem(
                        path,
                        format!(
                            "badge {key} : portée « {} » inconnue (campaign ou capped_tubes)",
                            other.unwrap_or_default()
                        ),
                    )),
                }
            }
        }
        if let Some(sel) = p.get("selector").filter(|s| !s.is_null()) {
            let plugin = text(sel, "plugin").unwrap_or_default();
            let known = crate::builtin::SELECTORS.iter().any(|(n, _)| *n == plugin)
                || files.contains_key(&format!("components/{plugin}.wasm"));
            if !known {
                problems.push(problem(path, format!("sélecteur « {plugin} » inconnu")));
            }
            for item in sel["items"].as_array().into_iter().flatten() {
                let item = item.as_str().unwrap_or_default();
                if !challenges.contains_key(item) {
                    problems.push(problem(
                        path,
                        format!("sélecteur : épreuve « {item} » inconnue dans ce paquet"),
                    ));
                }
            }
        }
    }
    problems
}

/// Stages (paliers) are read in ascending order, the first reached by everyone: a descending
/// list would show a beginner the top stage.
fn check_stages(stages: &serde_json::Value, path: &str, problems: &mut Vec<Problem>) {
    let mut last_threshold: Option<u64> = None;
    let mut last_level: Option<u64> = None;
    for (i, s) in stages.as_array().into_iter().flatten().enumerate() {
        let n = i + 1;
        if text(s, "title").unwrap_or_default().trim().is_empty() {
            problems.push(problem(
                path,
                format!("palier n° {n} : « title » est requis"),
            ));
        }
        if s["first_skill"].as_bool() == Some(true) {
            continue;
        }
        match (
            s.get("threshold").filter(|t| !t.is_null()),
            s.get("level").filter(|l| !l.is_null()),
        ) {
            (Some(t), None) => match t.as_u64().filter(|t| *t <= 100) {
                Some(t) => {
                    if i == 0 && t != 0 {
                        problems.push(problem(
                            path,
                            format!("palier n° 1 : seuil {t} ; le premier palier a le seuil 0, atteint par tous"),
                        ));
                    }
                    if let Some(prev) = last_threshold
                        && t <= prev
                    {
                        problems.push(problem(
                            path,
                            format!(
                                "palier n° {n} : seuil {t} après le seuil {prev} ; les paliers \
                                 vont dans l'ordre croissant"
                            ),
                        ));
                    }
                    last_threshold = Some(t);
                }
                None => problems.push(problem(
                    path,
                    format!("palier n° {n} : le seuil « {t} » n'est pas un pourcentage de 0 à 100"),
                )),
            },
            (None, Some(l)) => match l.as_u64().filter(|l| *l <= MAX_LEVEL) {
                Some(l) => {
                    if let Some(prev) = last_level
                        && l <= prev
                    {
                        problems.push(problem(
                            path,
                            format!(
                                "palier n° {n} : niveau {l} après le niveau {prev} ; les paliers \
                                 vont dans l'ordre croissant"
                            ),
                        ));
                    }
                    last_level = Some(l);
                }
                None => problems.push(problem(
                    path,
                    format!("palier n° {n} : le niveau « {l} » n'est pas entre 0 et {MAX_LEVEL}"),
                )),
            },
            _ => problems.push(problem(
                path,
                format!("palier n° {n} : il faut soit « threshold », soit « level »"),
            )),
        }
    }
}
