//! Published content in memory: a [`Catalog`] per package version (engine bank, target profiles,
//! challenge definitions and their type plugins, tutorials), loaded once from the store and
//! shared. The built-in package is verified and published at start-up.

use std::collections::HashMap;
use std::sync::Arc;

use acquis_engine::content::{
    Bank, ChallengeIdx, ChallengeInput, ChallengeStatus, CompetenceIdx, CompetenceInput, SkillIdx,
    SkillInput, Target, TubeIdx, TubeInput,
};
use acquis_engine::knowledge::{DirectResult, Knowledge, TubeState};
use acquis_engine::scoring::{Criterion, CriterionScope, Stage};
use acquis_engine::select::{self, Next, Progress, Scratch};
use acquis_plugin_host::package::{self, Caps, PackageMeta, Problem, Verified};
use acquis_plugin_host::{ChallengeType, Host, ItemSelector, Limits, PluginError, builtin};
use acquis_store::{NewPackage, NewTargetProfile, Published, Store, StoredKnowledge};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub competences: Vec<CompetenceIdx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompetenceInfo {
    pub code: String,
    pub name: String,
    pub description: String,
    pub area: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TubeInfo {
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tutorial {
    pub id: String,
    pub title: String,
    pub source: String,
    pub format: String,
    pub duration: String,
    pub link: String,
}

#[derive(Debug, Clone)]
pub struct ChallengeInfo {
    /// The definition handed as is to the type plugin (JSON).
    pub definition: String,
    pub kind: String,
    pub instruction: String,
    /// The instruction as HTML, its first words as text, and the solution as HTML: rendered
    /// once when the package is loaded, not on every test page and checkpoint.
    pub instruction_html: String,
    pub summary: String,
    pub solution_html: Option<String>,
    pub solution_to_display: Option<String>,
    pub attachments: Vec<String>,
    /// Seconds to answer a timed challenge.
    pub timer: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Badge {
    pub key: String,
    pub title: String,
    pub message: String,
    pub criteria: Vec<Criterion>,
}

/// A target profile's own selection strategy (Wasm `item-selector`) and its item list.
#[derive(Clone)]
pub struct OwnSelector {
    pub plugin: ItemSelector,
    pub items: Vec<String>,
}

/// What an assessment aims at: a target profile, or one competence (training from the profile).
#[derive(Clone)]
pub struct Goal {
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub target: Target,
    pub stages: Vec<Stage>,
    pub badges: Vec<Badge>,
    pub selector: Option<OwnSelector>,
}

/// One package version, ready to serve.
pub struct Catalog {
    pub digest: String,
    pub package_id: String,
    pub version: String,
    pub bank: Bank,
    pub areas: Vec<Area>,
    /// Aligned with `bank.competences`.
    pub competences: Vec<CompetenceInfo>,
    /// Aligned with `bank.tubes`.
    pub tubes: Vec<TubeInfo>,
    /// Tutorial indexes per skill, aligned with `bank.skills`.
    pub skill_tutorials: Vec<Vec<usize>>,
    /// Aligned with `bank.challenges`.
    pub challenges: Vec<ChallengeInfo>,
    pub tutorials: Vec<Tutorial>,
    tutorial_index: HashMap<String, usize>,
    /// Target profiles by key, in the package's order.
    pub profiles: Vec<Goal>,
    /// One goal per competence, for training.
    pub competence_goals: Vec<Goal>,
    pub types: HashMap<String, ChallengeType>,
    /// Attachments and images, by path under `assets/`.
    pub assets: HashMap<String, Vec<u8>>,
}

#[derive(Deserialize)]
struct FrameworkFile {
    areas: Vec<AreaFile>,
}
#[derive(Deserialize)]
struct AreaFile {
    code: String,
    name: String,
    competences: Vec<CompetenceFileMeta>,
}
#[derive(Deserialize)]
struct CompetenceFileMeta {
    code: String,
    name: String,
    #[serde(default)]
    description: String,
}
#[derive(Deserialize)]
struct CompetenceData {
    competence: String,
    tubes: Vec<TubeData>,
    #[serde(default)]
    tutorials: Vec<Tutorial>,
}
#[derive(Deserialize)]
struct TubeData {
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    skills: Vec<SkillData>,
}
#[derive(Deserialize)]
struct SkillData {
    id: String,
    level: u8,
    #[serde(default)]
    tutorials: Vec<String>,
    challenges: Vec<serde_json::Value>,
}
#[derive(Deserialize)]
struct ProfileFile {
    id: String,
    name: String,
    category: String,
    #[serde(default)]
    description: String,
    capped_tubes: Vec<CappedTube>,
    #[serde(default)]
    stages: Vec<StageFile>,
    #[serde(default)]
    badges: Vec<BadgeFile>,
    #[serde(default)]
    selector: Option<SelectorFile>,
}
#[derive(Deserialize)]
struct CappedTube {
    tube: String,
    level: u8,
}
#[derive(Deserialize)]
struct StageFile {
    #[serde(default)]
    threshold: Option<u32>,
    #[serde(default)]
    level: Option<u8>,
    #[serde(default)]
    first_skill: bool,
    title: String,
    #[serde(default)]
    message: String,
}
#[derive(Deserialize)]
struct BadgeFile {
    key: String,
    title: String,
    #[serde(default)]
    message: String,
    criteria: Vec<CriterionFile>,
}
#[derive(Deserialize)]
struct CriterionFile {
    scope: String,
    threshold: u32,
    #[serde(default)]
    tubes: Vec<CappedTube>,
}
#[derive(Deserialize)]
struct SelectorFile {
    plugin: String,
    #[serde(default)]
    items: Vec<String>,
}

fn json<T: serde::de::DeserializeOwned>(files: &Verified, path: &str) -> anyhow::Result<T> {
    let bytes = files
        .files
        .get(path)
        .with_context(|| format!("{path} : fichier absent"))?;
    serde_json::from_slice(bytes).with_context(|| format!("{path} : JSON illisible"))
}

impl Catalog {
    /// Builds the catalog of a verified package.
    pub fn build(host: &Host, verified: &Verified) -> anyhow::Result<Catalog> {
        let framework: FrameworkFile = json(verified, "data/framework.json")?;
        let mut areas = Vec::new();
        let mut competences = Vec::new();
        let mut comp_inputs = Vec::new();
        for (ai, a) in framework.areas.iter().enumerate() {
            let mut list = Vec::new();
            for c in &a.competences {
                list.push(competences.len() as CompetenceIdx);
                comp_inputs.push(CompetenceInput { id: c.code.clone() });
                competences.push(CompetenceInfo {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                    area: ai,
                });
            }
            areas.push(Area {
                code: a.code.clone(),
                name: a.name.clone(),
                competences: list,
            });
        }
        let mut tube_inputs = Vec::new();
        let mut tubes = Vec::new();
        let mut skill_inputs = Vec::new();
        let mut skill_tutorial_ids: Vec<Vec<String>> = Vec::new();
        let mut challenge_inputs = Vec::new();
        let mut challenges = Vec::new();
        let mut tutorials: Vec<Tutorial> = Vec::new();
        for c in &competences {
            let path = format!("data/competences/{}.json", c.code);
            if !verified.files.contains_key(&path) {
                continue;
            }
            let data: CompetenceData = json(verified, &path)?;
            anyhow::ensure!(
                data.competence == c.code,
                "{path} : ce fichier décrit la compétence {}",
                data.competence
            );
            tutorials.extend(data.tutorials);
            for t in data.tubes {
                tube_inputs.push(TubeInput {
                    id: t.id.clone(),
                    competence: c.code.clone(),
                });
                tubes.push(TubeInfo {
                    title: t.title,
                    description: t.description,
                });
                for s in t.skills {
                    skill_inputs.push(SkillInput {
                        id: s.id.clone(),
                        tube: t.id.clone(),
                        level: s.level,
                    });
                    skill_tutorial_ids.push(s.tutorials);
                    for ch in s.challenges {
                        let id = ch["id"].as_str().unwrap_or_default().to_owned();
                        let str_field = |k: &str| ch[k].as_str().map(str::to_owned);
                        challenge_inputs.push(ChallengeInput {
                            id,
                            skill: s.id.clone(),
                            status: ChallengeStatus::Validated,
                            timed: ch["timer"].as_u64().is_some_and(|t| t > 0),
                        });
                        let instruction = str_field("instruction").unwrap_or_default();
                        let solution_to_display = str_field("solution_to_display");
                        challenges.push(ChallengeInfo {
                            kind: str_field("type").unwrap_or_default(),
                            instruction_html: crate::views::markdown(&instruction),
                            summary: crate::views::summary(&instruction),
                            solution_html: solution_to_display
                                .as_deref()
                                .map(crate::views::markdown),
                            instruction,
                            solution_to_display,
                            timer: ch["timer"].as_u64().filter(|&t| t > 0),
                            attachments: ch["attachments"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|v| v.as_str().map(str::to_owned))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            definition: ch.to_string(),
                        });
                    }
                }
            }
        }
        let bank = Bank::build(&comp_inputs, &tube_inputs, &skill_inputs, &challenge_inputs)
            .map_err(|e| anyhow::anyhow!("banque d'épreuves : {e}"))?;
        let tutorial_index: HashMap<String, usize> = tutorials
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let skill_tutorials = skill_tutorial_ids
            .iter()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| tutorial_index.get(id).copied())
                    .collect()
            })
            .collect();

        let capped = |list: &[CappedTube]| -> anyhow::Result<Vec<(TubeIdx, u8)>> {
            list.iter()
                .map(|c| {
                    bank.tube_index(&c.tube)
                        .map(|t| (t, c.level))
                        .with_context(|| {
                            format!("profil cible : sujet (tube) « {} » inconnu", c.tube)
                        })
                })
                .collect()
        };
        let mut profiles = Vec::new();
        let mut paths: Vec<&String> = verified
            .files
            .keys()
            .filter(|p| p.starts_with("data/target-profiles/") && p.ends_with(".json"))
            .collect();
        paths.sort();
        for path in paths {
            let p: ProfileFile = json(verified, path)?;
            let target = Target::from_capped_tubes(&bank, &capped(&p.capped_tubes)?);
            let stages = p
                .stages
                .into_iter()
                .map(|s| Stage {
                    threshold: s.threshold,
                    level: s.level,
                    is_first_skill: s.first_skill,
                    title: s.title,
                    message: s.message,
                })
                .collect();
            let mut badges = Vec::new();
            for b in p.badges {
                let mut criteria = Vec::new();
                for c in b.criteria {
                    let scope = if c.scope == "campaign" {
                        CriterionScope::Campaign
                    } else {
                        CriterionScope::CappedTubes(capped(&c.tubes)?)
                    };
                    criteria.push(Criterion {
                        scope,
                        threshold: c.threshold,
                    });
                }
                badges.push(Badge {
                    key: b.key,
                    title: b.title,
                    message: b.message,
                    criteria,
                });
            }
            let selector = match p.selector {
                None => None,
                Some(s) => {
                    let bytes = builtin::SELECTORS
                        .iter()
                        .find(|(n, _)| *n == s.plugin)
                        .map(|(_, b)| *b)
                        .or_else(|| {
                            verified
                                .files
                                .get(&format!("components/{}.wasm", s.plugin))
                                .map(Vec::as_slice)
                        })
                        .with_context(|| format!("{path} : sélecteur « {} » inconnu", s.plugin))?;
                    Some(OwnSelector {
                        plugin: host.load_item_selector(bytes)?,
                        items: s.items,
                    })
                }
            };
            profiles.push(Goal {
                key: p.id,
                name: p.name,
                category: p.category,
                description: p.description,
                target,
                stages,
                badges,
                selector,
            });
        }
        let competence_goals = (0..bank.competences.len())
            .map(|c| Goal {
                key: competences[c].code.clone(),
                name: competences[c].name.clone(),
                category: "COMPETENCE".into(),
                description: competences[c].description.clone(),
                target: Target::competence(&bank, c as CompetenceIdx),
                stages: Vec::new(),
                badges: Vec::new(),
                selector: None,
            })
            .collect();
        let assets = verified
            .files
            .iter()
            .filter_map(|(p, b)| p.strip_prefix("assets/").map(|r| (r.to_owned(), b.clone())))
            .collect();
        Ok(Catalog {
            digest: verified.digest.clone(),
            package_id: verified.manifest.package.id.clone(),
            version: verified.manifest.package.version.clone(),
            bank,
            areas,
            competences,
            tubes,
            skill_tutorials,
            challenges,
            tutorials,
            tutorial_index,
            profiles,
            competence_goals,
            types: verified.types.iter().cloned().collect(),
            assets,
        })
    }

    pub fn profile(&self, key: &str) -> Option<&Goal> {
        self.profiles.iter().find(|g| g.key == key)
    }

    /// A campaign's target profile or a competence code.
    pub fn goal(&self, kind: &str, key: &str) -> Option<&Goal> {
        if kind == "COMPETENCE" {
            self.competence_goals.iter().find(|g| g.key == key)
        } else {
            self.profile(key)
        }
    }

    pub fn tutorial(&self, id: &str) -> Option<&Tutorial> {
        self.tutorial_index.get(id).map(|&i| &self.tutorials[i])
    }

    pub fn challenge_index(&self, id: &str) -> Option<ChallengeIdx> {
        self.bank.challenge_index(id)
    }

    pub fn skill_of(&self, c: ChallengeIdx) -> SkillIdx {
        self.bank.challenges[c as usize].skill
    }

    /// The student's knowledge over this bank, from the stored per-tube states (tubes unknown to
    /// this version are ignored; skills are matched by id).
    pub fn knowledge(&self, rows: &[(String, String)]) -> Knowledge {
        let mut k = Knowledge::new(&self.bank);
        for (tube, state) in rows {
            let (Some(t), Ok(s)) = (
                self.bank.tube_index(tube),
                serde_json::from_str::<StoredTube>(state),
            ) else {
                continue;
            };
            k.tubes[t as usize] = TubeState {
                floor: s.floor,
                ceiling: s.ceiling,
                ceiling_at: s.ceiling_at,
                direct: s
                    .direct
                    .iter()
                    .filter_map(|(skill, validated, at)| {
                        self.bank.skill_index(skill).map(|skill| DirectResult {
                            skill,
                            validated: *validated,
                            at: *at,
                        })
                    })
                    .collect(),
            };
        }
        k
    }

    /// One tube's state as stored (skills by id, so it survives new package versions).
    pub fn tube_json(&self, k: &Knowledge, t: TubeIdx) -> String {
        let s = k.tube(t);
        serde_json::to_string(&StoredTube {
            floor: s.floor,
            ceiling: s.ceiling,
            ceiling_at: s.ceiling_at,
            direct: s
                .direct
                .iter()
                .map(|d| (self.bank.skill(d.skill).id.clone(), d.validated, d.at))
                .collect(),
        })
        .unwrap_or_default()
    }

    /// A new assessment's seed and first challenge (`None`: nothing is left to ask).
    pub fn first_challenge(
        &self,
        host: &Host,
        goal: &Goal,
        knowledge: &Knowledge,
    ) -> Result<(i64, Option<String>), PluginError> {
        let seed: i64 = rand::random();
        let first = self.next_challenge(host, goal, knowledge, &[], seed as u64)?;
        Ok((
            seed,
            first.map(|c| self.bank.challenges[c as usize].id.clone()),
        ))
    }

    /// The next challenge of an assessment: the profile's own selector when it has one, else
    /// smart random. `None` ends the test.
    pub fn next_challenge(
        &self,
        host: &Host,
        goal: &Goal,
        knowledge: &Knowledge,
        answered: &[ChallengeIdx],
        seed: u64,
    ) -> Result<Option<ChallengeIdx>, PluginError> {
        if let Some(own) = &goal.selector {
            let answered_ids: Vec<&str> = answered
                .iter()
                .map(|&c| self.bank.challenges[c as usize].id.as_str())
                .collect();
            let state = serde_json::json!({
                "candidates": own.items,
                "answered": answered_ids,
            });
            let pick = host.select(&own.plugin, &state.to_string())?;
            return Ok(pick.and_then(|id| self.bank.challenge_index(&id)));
        }
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
        }
        let next = SCRATCH.with(|s| {
            select::next_challenge(
                &self.bank,
                &goal.target,
                knowledge,
                &Progress {
                    answered,
                    // The reference's rule: after a timed challenge, prefer an untimed one.
                    last_timed_out: answered
                        .last()
                        .is_some_and(|&c| self.bank.challenges[c as usize].timed),
                },
                seed,
                &mut s.borrow_mut(),
            )
        });
        Ok(match next {
            Next::Challenge(c) => Some(c),
            Next::End => None,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct StoredTube {
    floor: u8,
    ceiling: Option<u8>,
    ceiling_at: i64,
    direct: Vec<(String, bool, i64)>,
}

/// Every published package the server has loaded, by digest.
#[derive(Clone)]
pub struct Contents {
    pub host: Arc<Host>,
    store: Store,
    builtin_types: Arc<Vec<(String, ChallengeType)>>,
    catalogs: moka::future::Cache<String, Arc<Catalog>>,
    /// Each student's stored knowledge parsed over a package's bank, for the stored version it
    /// was parsed from: answers start from it instead of parsing every tube's JSON again.
    knowledge: moka::future::Cache<Uuid, Arc<ParsedKnowledge>>,
    /// The built-in package's digest (profile training uses its competences).
    pub builtin_digest: String,
}

/// A student's knowledge over one package's bank, at one stored version.
pub struct ParsedKnowledge {
    pub version: i64,
    digest: String,
    pub knowledge: Knowledge,
}

/// The platform's own plugins and package, prepared once per process (compiling the components
/// and verifying the package take a second; every database served by the process shares them).
struct Builtin {
    host: Arc<Host>,
    types: Arc<Vec<(String, ChallengeType)>>,
    archive: Vec<u8>,
    verified: Verified,
}

static BUILTIN: tokio::sync::OnceCell<Builtin> = tokio::sync::OnceCell::const_new();

async fn builtin_parts(cache_dir: Option<std::path::PathBuf>) -> anyhow::Result<&'static Builtin> {
    BUILTIN
        .get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || -> anyhow::Result<Builtin> {
                let host = Arc::new(Host::new(Limits::default(), cache_dir)?);
                let types: Vec<(String, ChallengeType)> = builtin::CHALLENGE_TYPES
                    .iter()
                    .map(|(id, bytes)| Ok(((*id).to_owned(), host.load_challenge_type(bytes)?)))
                    .collect::<Result<_, PluginError>>()?;
                let archive = package::pack_files(
                    builtin::CRCN_FILES
                        .iter()
                        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
                        .collect(),
                    PackageMeta {
                        id: builtin::CRCN_ID.into(),
                        version: builtin::CRCN_VERSION.into(),
                        kind: "content".into(),
                        api: "0.1.0".into(),
                    },
                    None,
                )?;
                let verified = package::verify(&host, &archive, &Caps::default(), &types).map_err(
                    |problems| {
                        anyhow::anyhow!(
                            "the built-in package does not verify: {}",
                            problems
                                .iter()
                                .map(|p| format!("{}: {}", p.file, p.message))
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    },
                )?;
                Ok(Builtin {
                    host,
                    types: Arc::new(types),
                    archive,
                    verified,
                })
            })
            .await?
        })
        .await
}

impl Contents {
    /// Starts the plugin host, verifies the built-in package and publishes it if this database
    /// does not have it yet.
    pub async fn start(
        store: Store,
        cache_dir: Option<std::path::PathBuf>,
    ) -> anyhow::Result<Contents> {
        let b = builtin_parts(cache_dir).await?;
        let contents = Contents {
            host: b.host.clone(),
            store,
            builtin_types: b.types.clone(),
            catalogs: moka::future::Cache::builder().max_capacity(16).build(),
            // Weighed in bytes, roughly: a tube's state and its direct results.
            knowledge: moka::future::Cache::builder()
                .weigher(|_, p: &Arc<ParsedKnowledge>| {
                    let direct: usize = p.knowledge.tubes.iter().map(|t| t.direct.len()).sum();
                    u32::try_from(p.knowledge.tubes.len() * 48 + direct * 24).unwrap_or(u32::MAX)
                })
                .max_capacity(128 << 20)
                .time_to_idle(std::time::Duration::from_secs(3600))
                .build(),
            builtin_digest: b.verified.digest.clone(),
        };
        if contents
            .store
            .package_archive(&b.verified.digest)
            .await?
            .is_none()
        {
            let published = contents
                .publish(&b.verified, &b.archive, None, true)
                .await
                .and_then(|p| match p {
                    Published::New | Published::AlreadyThere => Ok(()),
                    Published::Refused(why) => Err(anyhow::anyhow!("refused: {why:?}")),
                });
            published.with_context(|| {
                    format!(
                        "publishing the built-in package {} {} (if its content changed, bump \
                         acquis_plugin_host::builtin::CRCN_VERSION: a published version is immutable)",
                        builtin::CRCN_ID,
                        builtin::CRCN_VERSION
                    )
                })?;
            tracing::info!(digest = %b.verified.digest, "built-in content package published");
        }
        Ok(contents)
    }

    /// Verifies a package off the async threads (it runs every example through its plugin).
    pub async fn verify(&self, archive: Vec<u8>) -> Result<Verified, Vec<Problem>> {
        let host = self.host.clone();
        let types = self.builtin_types.clone();
        tokio::task::spawn_blocking(move || {
            package::verify(&host, &archive, &Caps::default(), &types)
        })
        .await
        .unwrap_or_else(|e| {
            Err(vec![Problem {
                file: "(archive)".into(),
                message: format!("vérification interrompue ({e})"),
            }])
        })
    }

    /// Everything publishing a designer's package checks that needs no database: the one
    /// verifier `acquis-pack test` runs too ([`package::verify_publication`]: the archive, its
    /// components and challenges, and its content as the platform serves it), every problem
    /// listed with its file. Returns the package's catalog with it, for publishing without
    /// building it again.
    pub async fn check(&self, archive: Vec<u8>) -> Result<(Verified, Arc<Catalog>), Vec<Problem>> {
        let host = self.host.clone();
        let types = self.builtin_types.clone();
        let interrupted = |e: tokio::task::JoinError| {
            tracing::error!(error = %e, "package verification interrupted");
            vec![Problem {
                file: "(archive)".into(),
                message: crate::i18n::t("packages-check-interrupted"),
            }]
        };
        let verified = tokio::task::spawn_blocking(move || {
            package::verify_publication(&host, &archive, &Caps::default(), &types)
        })
        .await
        .map_err(interrupted)??;
        let host = self.host.clone();
        let v = verified.clone();
        match tokio::task::spawn_blocking(move || Catalog::build(&host, &v)).await {
            Ok(Ok(catalog)) => Ok((verified, Arc::new(catalog))),
            // The verifier checks what building reads: reaching this is a gap between the two,
            // reported (in French, from the builder's own messages) rather than served.
            Ok(Err(e)) => {
                // The builder's messages start with the file they are about, when they know it.
                let text = format!("{e:#}");
                let (file, detail) = match text.split_once(" : ") {
                    Some((f, d)) if f.starts_with("data/") && !f.contains(' ') => {
                        (f.to_owned(), d.to_owned())
                    }
                    _ => ("data/".to_owned(), text.clone()),
                };
                Err(vec![Problem {
                    file,
                    message: crate::i18n::t_args("packages-unusable", &[("error", &detail)]),
                }])
            }
            Err(e) => Err(interrupted(e)),
        }
    }

    /// Stores a verified package with its target profiles. New profile keys are offered to every
    /// establishment when `offer_new_to_all` (built-in content), else to none until an operator
    /// chooses.
    pub async fn publish(
        &self,
        verified: &Verified,
        archive: &[u8],
        by: Option<uuid::Uuid>,
        offer_new_to_all: bool,
    ) -> anyhow::Result<Published> {
        let host = self.host.clone();
        let v = verified.clone();
        let catalog = tokio::task::spawn_blocking(move || Catalog::build(&host, &v)).await??;
        self.publish_built(verified, Arc::new(catalog), archive, by, offer_new_to_all)
            .await
    }

    /// [`Contents::publish`] with the catalog [`Contents::check`] already built.
    pub async fn publish_built(
        &self,
        verified: &Verified,
        catalog: Arc<Catalog>,
        archive: &[u8],
        by: Option<uuid::Uuid>,
        offer_new_to_all: bool,
    ) -> anyhow::Result<Published> {
        let profiles = catalog
            .profiles
            .iter()
            .map(|g| NewTargetProfile {
                key: g.key.clone(),
                name: g.name.clone(),
                category: g.category.clone(),
                description: g.description.clone(),
            })
            .collect();
        let meta = &verified.manifest.package;
        let published = self
            .store
            .publish_package(&NewPackage {
                digest: &verified.digest,
                package_id: &meta.id,
                version: &meta.version,
                kind: &meta.kind,
                archive,
                published_by: by,
                profiles,
                offer_new_profiles_to_all: offer_new_to_all,
                types: verified.own_types.clone(),
            })
            .await?;
        if published == Published::New {
            self.catalogs.insert(verified.digest.clone(), catalog).await;
        }
        Ok(published)
    }

    /// This server's parse of the student's knowledge over the catalog of package `digest`,
    /// when it has one (it may be stale: an answer's write checks its version).
    pub async fn kept_knowledge(&self, user: Uuid, digest: &str) -> Option<Arc<ParsedKnowledge>> {
        self.knowledge
            .get(&user)
            .await
            .filter(|p| p.digest == digest)
    }

    /// Drops this server's parse after a write other than an answer's (which keeps its own).
    pub async fn forget_knowledge(&self, user: Uuid) {
        self.knowledge.invalidate(&user).await;
    }

    /// The student's stored knowledge over `catalog` (of package `digest`): this server's
    /// parse of that very version when it has one, else parsed now.
    pub async fn knowledge_of(
        &self,
        user: Uuid,
        digest: &str,
        catalog: &Catalog,
        stored: &StoredKnowledge,
    ) -> Arc<ParsedKnowledge> {
        if let Some(p) = self.kept_knowledge(user, digest).await
            && p.version == stored.version
        {
            return p;
        }
        let parsed = Arc::new(ParsedKnowledge {
            version: stored.version,
            digest: digest.to_owned(),
            knowledge: catalog.knowledge(&stored.tubes),
        });
        self.knowledge.insert(user, parsed.clone()).await;
        parsed
    }

    /// Keeps the knowledge an answer wrote (`base` with `tube` as `working` has it), at the
    /// version that write produced.
    pub async fn keep_knowledge(
        &self,
        user: Uuid,
        base: &ParsedKnowledge,
        tube: Option<(TubeIdx, &TubeState)>,
    ) {
        let mut knowledge = base.knowledge.clone();
        if let Some((t, state)) = tube {
            knowledge.tubes[t as usize] = state.clone();
        }
        let parsed = ParsedKnowledge {
            version: base.version + 1,
            digest: base.digest.clone(),
            knowledge,
        };
        self.knowledge.insert(user, Arc::new(parsed)).await;
    }

    /// The catalog of a package if it is loaded already (no database involved).
    pub async fn loaded_catalog(&self, digest: &str) -> Option<Arc<Catalog>> {
        self.catalogs.get(digest).await
    }

    /// The catalog of a published package, loaded (and verified again) on first use.
    pub async fn catalog(&self, digest: &str) -> anyhow::Result<Arc<Catalog>> {
        if let Some(c) = self.catalogs.get(digest).await {
            return Ok(c);
        }
        let this = self.clone();
        let digest = digest.to_owned();
        self.catalogs
            .try_get_with(digest.clone(), async move {
                let archive = this
                    .store
                    .package_archive(&digest)
                    .await?
                    .with_context(|| format!("package {digest} is not published"))?;
                let verified = this.verify(archive).await.map_err(|p| {
                    anyhow::anyhow!("package {digest} no longer verifies ({} problems)", p.len())
                })?;
                let host = this.host.clone();
                let catalog =
                    tokio::task::spawn_blocking(move || Catalog::build(&host, &verified)).await??;
                Ok::<_, anyhow::Error>(Arc::new(catalog))
            })
            .await
            .map_err(|e: Arc<anyhow::Error>| anyhow::anyhow!("{e:#}"))
    }

    pub async fn builtin(&self) -> anyhow::Result<Arc<Catalog>> {
        self.catalog(&self.builtin_digest.clone()).await
    }
}
