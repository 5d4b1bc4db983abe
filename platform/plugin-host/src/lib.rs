//! The sandbox for content plugins: wasmtime components with no WASI, a fresh store per call,
//! a fuel budget per call with an epoch backstop, a memory cap per store, the pooling allocator,
//! `InstancePre`, and components compiled once and cached by content hash (memory and disk).
//!
//! A plugin that loops, eats memory, traps or panics yields [`PluginError::Neutralised`] for
//! that call; the next call to a healthy plugin is unaffected.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
    StoreLimits, StoreLimitsBuilder,
};

mod challenge {
    wasmtime::component::bindgen!({ path: "../../sdk/wit", world: "challenge-plugin" });
}
mod selector {
    wasmtime::component::bindgen!({ path: "../../sdk/wit", world: "item-selector" });
}

pub use challenge::acquis::challenge::types::{FieldResult, PluginInfo, ScoreResult, Verdict};

pub mod package;
pub mod view;

/// The components built from `content-plugins/` by this crate's build script.
pub mod builtin {
    pub const QCU: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/qcu.wasm"));
    pub const QCM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/qcm.wasm"));
    pub const QROC: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/qroc.wasm"));
    pub const QROCM_IND: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/qrocm-ind.wasm"));
    pub const QROCM_DEP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/qrocm-dep.wasm"));
    /// The fixed-order course selector.
    pub const FIXED_ORDER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fixed-order.wasm"));
    /// A plugin that misbehaves on demand, for the sandbox's own tests.
    pub const HOSTILE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/hostile.wasm"));

    /// The files of the built-in CRCN content package (`content-plugins/packages/crcn`), packed
    /// and published by the server at start-up.
    pub const CRCN_FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/crcn_files.rs"));
    /// The built-in package's identity; bump the version whenever its content changes.
    pub const CRCN_ID: &str = "crcn";
    pub const CRCN_VERSION: &str = "1.1.0";

    /// Item selectors shipped with the platform, by the name target profiles use.
    pub const SELECTORS: &[(&str, &[u8])] = &[("fixed-order", FIXED_ORDER)];

    /// The challenge types shipped with the platform, by type id.
    pub const CHALLENGE_TYPES: &[(&str, &[u8])] = &[
        ("qcu", QCU),
        ("qcm", QCM),
        ("qroc", QROC),
        ("qrocm-ind", QROCM_IND),
        ("qrocm-dep", QROCM_DEP),
    ];

    /// The worked example of a designer's own challenge type (« remettre dans l'ordre »), whose
    /// source `acquis-pack new challenge-type` writes out: built here so that a test publishes
    /// exactly what a designer gets.
    pub const ORDRE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ordre.wasm"));
    /// That example's source, as `acquis-pack new challenge-type` writes it.
    pub const ORDRE_SOURCE: &str =
        include_str!("../../../content-plugins/challenge-types/ordre/src/lib.rs");

    /// Whether a package or type id is the platform's: the built-in package, types and
    /// selectors. No designer publishes under these (a package shipping `components/qcu.wasm`
    /// would otherwise serve its own `qcu` to students).
    pub fn is_reserved(id: &str) -> bool {
        id == CRCN_ID
            || CHALLENGE_TYPES.iter().any(|(t, _)| *t == id)
            || SELECTORS.iter().any(|(s, _)| *s == id)
    }
}

/// The prefix of the log line a plugin writes from its panic hook (see `acquis-sdk` and the
/// guide): the host shows what follows when the call then traps.
pub const PANIC_LOG_PREFIX: &str = "panique : ";

/// Imports a plugin may declare: the contract's own interfaces, nothing else.
const ALLOWED_IMPORTS: &[&str] = &[
    "acquis:challenge/host@0.1.0",
    "acquis:challenge/types@0.1.0",
];

#[derive(Debug, Clone, thiserror::Error)]
pub enum PluginError {
    /// The component cannot be used at all (publication-time refusal).
    #[error("composant refusé : {0}")]
    Refused(String),
    /// This call failed inside the sandbox (trap, budget, memory); the item is neutralised.
    #[error("question neutralisée, problème technique ({0})")]
    Neutralised(String),
    /// The plugin answered with an error of its own (e.g. an unreadable definition).
    #[error("{0}")]
    Plugin(String),
}

/// Per-call budgets.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Instructions (fuel) per call: deterministic, the same on every machine.
    pub fuel: u64,
    /// Linear memory per store.
    pub memory_bytes: usize,
    /// Wall-clock backstop, in epoch ticks of [`EPOCH_TICK`].
    pub epoch_ticks: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 50_000_000,
            memory_bytes: 64 << 20,
            // One second. Fuel bounds a call's work on every machine; the clock only catches what
            // fuel cannot (a host-side hang). At 100 ms, a loaded two-core machine descheduling
            // the thread neutralised a well-behaved question (the built-in package's verification
            // failed this way under the test suite's load).
            epoch_ticks: 100,
        }
    }
}

pub const EPOCH_TICK: Duration = Duration::from_millis(10);
const LOG_BYTES_PER_CALL: usize = 1024;
const LOG_LINES_PER_CALL: usize = 16;

/// The store's limits, recording the largest memory the plugin asked for.
struct Limiter {
    inner: StoreLimits,
    memory_peak: usize,
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.memory_peak = self.memory_peak.max(desired);
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

/// What one call's store holds.
pub struct CallState {
    limits: Limiter,
    log_lines: usize,
    log_bytes: usize,
    /// The plugin's log lines for this call (bounded).
    pub logs: Vec<String>,
}

impl challenge::acquis::challenge::types::Host for CallState {}

fn bounded_log(state: &mut CallState, message: String) {
    if state.log_lines >= LOG_LINES_PER_CALL || state.log_bytes >= LOG_BYTES_PER_CALL {
        return;
    }
    let room = LOG_BYTES_PER_CALL - state.log_bytes;
    let mut m = message;
    if m.len() > room {
        let mut cut = room;
        while !m.is_char_boundary(cut) {
            cut -= 1;
        }
        m.truncate(cut);
    }
    state.log_lines += 1;
    state.log_bytes += m.len();
    tracing::debug!(target: "acquis_plugin", "{m}");
    state.logs.push(m);
}

impl challenge::acquis::challenge::host::Host for CallState {
    fn log(&mut self, _level: challenge::acquis::challenge::host::Level, message: String) {
        bounded_log(self, message);
    }
}

impl selector::acquis::challenge::host::Host for CallState {
    fn log(&mut self, _level: selector::acquis::challenge::host::Level, message: String) {
        bounded_log(self, message);
    }
}

/// The verdict as the content files write it.
pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Ko => "ko",
        Verdict::Partially => "partially",
    }
}

/// A compiled, linked challenge-type component, ready to instantiate.
#[derive(Clone)]
pub struct ChallengeType {
    pre: challenge::ChallengePluginPre<CallState>,
    pub digest: String,
}

impl std::fmt::Debug for ChallengeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChallengeType")
            .field("digest", &self.digest)
            .finish()
    }
}

/// A compiled, linked item-selector component.
#[derive(Clone)]
pub struct ItemSelector {
    pre: selector::ItemSelectorPre<CallState>,
    pub digest: String,
}

/// Fuel and peak memory a call used, for `acquis-pack test`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub fuel: u64,
    pub memory_peak: usize,
}

pub struct Host {
    engine: Engine,
    challenge_linker: Linker<CallState>,
    selector_linker: Linker<CallState>,
    compiled: moka::sync::Cache<String, Component>,
    cache_dir: Option<PathBuf>,
    pub limits: Limits,
    _ticker: Arc<Ticker>,
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct Ticker {
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A failed call in French. A Rust plugin's panic ends in an `unreachable` trap that says
/// nothing: when the plugin logged its panic message first (its panic hook), that message is
/// the cause shown.
fn neutralised(e: wasmtime::Error, logs: &[String]) -> PluginError {
    use wasmtime::Trap;
    let panic = logs
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix(PANIC_LOG_PREFIX));
    let cause = match (e.downcast_ref::<Trap>(), panic) {
        (Some(Trap::OutOfFuel), _) => "budget d'instructions dépassé".to_owned(),
        (Some(Trap::Interrupt), _) => "temps d'exécution dépassé".to_owned(),
        (_, Some(message)) => format!("le plugin a paniqué : {message}"),
        (Some(Trap::UnreachableCodeReached), None) => {
            "arrêt du plugin sur une instruction « unreachable » (une panique sans message : \
             installez le crochet de panique décrit dans le guide des concepteurs)"
                .to_owned()
        }
        (Some(Trap::StackOverflow), None) => "arrêt du plugin : pile d'appels épuisée".to_owned(),
        (Some(Trap::MemoryOutOfBounds), None) => {
            "arrêt du plugin : accès mémoire hors limites".to_owned()
        }
        (Some(Trap::IntegerDivisionByZero), None) => {
            "arrêt du plugin : division entière par zéro".to_owned()
        }
        (Some(Trap::IntegerOverflow), None) => "arrêt du plugin : dépassement d'entier".to_owned(),
        (Some(Trap::AllocationTooLarge), None) => {
            "arrêt du plugin : mémoire demandée au-delà du budget".to_owned()
        }
        (Some(t), None) => format!("arrêt du plugin ({t})"),
        (None, None) => format!("{e:#}")
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    PluginError::Neutralised(cause)
}

/// A component that does not implement its world, in French (wasmtime's reason is logged).
fn contract_error(world: &str, export: &str, e: &wasmtime::Error) -> String {
    tracing::debug!(error = %e, world, "component does not implement its world");
    format!(
        "le composant ne respecte pas le contrat {world} : il doit exporter {export} et \
         n'importer que {} (construisez-le avec le WIT de sdk/wit)",
        ALLOWED_IMPORTS.join(", ")
    )
}

/// Bytes of a linear memory reset in place rather than unmapped between two calls.
///
/// A call dirties a few pages of a slot that the next call reuses. Resetting them with `madvise`
/// unmaps them (a TLB shootdown across the server's threads) and the next call faults them back
/// in. With PAGEMAP_SCAN (Linux 6.7+) Wasmtime finds the pages the call dirtied and copies only
/// those back from the image: a plugin call took half the time (benchmarks.md). Without it the
/// whole kept region would be `memset`, so older kernels keep a small one.
fn keep_resident() -> usize {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut numbers = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let version = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    if version >= (6, 7) { 4 << 20 } else { 64 << 10 }
}

impl Host {
    /// One per process. `cache_dir` keeps compiled components across restarts; it must be
    /// private to the server, since its files are loaded as native code.
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>) -> Result<Host, PluginError> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(128)
            .total_core_instances(256)
            .total_memories(256)
            .total_tables(256)
            .max_memories_per_component(2)
            .max_tables_per_component(4)
            .max_core_instances_per_component(16)
            .max_memory_size(limits.memory_bytes)
            .linear_memory_keep_resident(keep_resident())
            .table_keep_resident(64 << 10)
            .pagemap_scan(Enabled::Auto);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(512 << 10)
            // Explicit bounds checks instead of guard pages: a guest's memory grows on every call
            // (Rust's wasm32 allocator takes its heap from `memory.grow`), and with guard pages
            // each call costs two `mprotect` (open the grown pages, close them at the next
            // instantiation), each a TLB shootdown across the server's threads. Plugin calls are
            // short; the checks cost less than the syscalls.
            .signals_based_traps(false)
            .memory_guard_size(0)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine =
            Engine::new(&config).map_err(|e| PluginError::Refused(format!("moteur Wasm : {e}")))?;
        let mut challenge_linker = Linker::new(&engine);
        challenge::ChallengePlugin::add_to_linker::<_, HasSelf<_>>(&mut challenge_linker, |s| s)
            .map_err(|e| PluginError::Refused(e.to_string()))?;
        let mut selector_linker = Linker::new(&engine);
        selector::ItemSelector::add_to_linker::<_, HasSelf<_>>(&mut selector_linker, |s| s)
            .map_err(|e| PluginError::Refused(e.to_string()))?;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("wasm-epoch".into())
                .spawn(move || {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| PluginError::Refused(e.to_string()))?;
        }
        if let Some(dir) = &cache_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| PluginError::Refused(format!("{}: {e}", dir.display())))?;
        }
        Ok(Host {
            engine,
            challenge_linker,
            selector_linker,
            compiled: moka::sync::Cache::builder().max_capacity(256).build(),
            cache_dir,
            limits,
            _ticker: Arc::new(Ticker { stop }),
        })
    }

    pub fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn cache_path(&self, digest: &str) -> Option<PathBuf> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        self.cache_dir
            .as_ref()
            .map(|d| d.join(format!("{digest}-{:016x}.cwasm", h.finish())))
    }

    /// Checks a component's imports against the allow-list; every offending import is listed.
    fn check_imports(&self, component: &Component) -> Result<(), PluginError> {
        let ty = component.component_type();
        let refused: Vec<String> = ty
            .imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .filter(|name| !ALLOWED_IMPORTS.contains(&name.as_str()))
            .collect();
        if refused.is_empty() {
            Ok(())
        } else {
            Err(PluginError::Refused(format!(
                "imports non autorisés : {} (seuls {} sont permis)",
                refused.join(", "),
                ALLOWED_IMPORTS.join(", ")
            )))
        }
    }

    /// Compiles a component (or loads it from the caches), after checking its imports.
    pub fn compile(&self, bytes: &[u8]) -> Result<(String, Component), PluginError> {
        let digest = Host::digest(bytes);
        if let Some(c) = self.compiled.get(&digest) {
            return Ok((digest, c));
        }
        let path = self.cache_path(&digest);
        let component = match path.as_ref().filter(|p| p.exists()) {
            Some(p) => self.load_artifact(p)?,
            None => {
                // wasmtime's reasons are English: logged for the platform's developers, the
                // designer reads what to do.
                let c = Component::new(&self.engine, bytes).map_err(|e| {
                    tracing::debug!(error = %e, "component refused by wasmtime");
                    PluginError::Refused(
                        "composant Wasm invalide : ce n'est pas un composant WebAssembly lisible \
                         (construisez-le pour wasm32-unknown-unknown avec wasm-component-ld, voir le \
                         guide des concepteurs)"
                            .into(),
                    )
                })?;
                self.check_imports(&c)?;
                if let Some(p) = &path
                    && let Ok(artifact) = c.serialize()
                {
                    // Written then renamed, so a crash never leaves a truncated artifact behind.
                    let tmp = p.with_extension("tmp");
                    if std::fs::write(&tmp, artifact).is_ok() {
                        let _ = std::fs::rename(&tmp, p);
                    }
                }
                c
            }
        };
        self.check_imports(&component)?;
        self.compiled.insert(digest.clone(), component.clone());
        Ok((digest, component))
    }

    #[allow(unsafe_code)]
    fn load_artifact(&self, path: &std::path::Path) -> Result<Component, PluginError> {
        // SAFETY: the cache directory only holds artifacts this host serialised itself from
        // components whose digest names the file, for this engine configuration (the
        // compatibility hash is in the name); wasmtime checks the header and version too.
        unsafe { Component::deserialize_file(&self.engine, path) }
            .map_err(|e| PluginError::Refused(format!("artefact compilé illisible : {e}")))
    }

    pub fn load_challenge_type(&self, bytes: &[u8]) -> Result<ChallengeType, PluginError> {
        let (digest, component) = self.compile(bytes)?;
        let pre = self
            .challenge_linker
            .instantiate_pre(&component)
            .map_err(|e| {
                PluginError::Refused(contract_error(
                    "challenge-plugin",
                    "acquis:challenge/challenge-type@0.1.0",
                    &e,
                ))
            })?;
        let pre = challenge::ChallengePluginPre::new(pre).map_err(|e| {
            PluginError::Refused(contract_error(
                "challenge-plugin",
                "acquis:challenge/challenge-type@0.1.0",
                &e,
            ))
        })?;
        Ok(ChallengeType { pre, digest })
    }

    pub fn load_item_selector(&self, bytes: &[u8]) -> Result<ItemSelector, PluginError> {
        let (digest, component) = self.compile(bytes)?;
        let pre = self
            .selector_linker
            .instantiate_pre(&component)
            .map_err(|e| {
                PluginError::Refused(contract_error(
                    "item-selector",
                    "acquis:challenge/selector@0.1.0",
                    &e,
                ))
            })?;
        let pre = selector::ItemSelectorPre::new(pre).map_err(|e| {
            PluginError::Refused(contract_error(
                "item-selector",
                "acquis:challenge/selector@0.1.0",
                &e,
            ))
        })?;
        Ok(ItemSelector { pre, digest })
    }

    fn store(&self) -> Store<CallState> {
        let mut store = Store::new(
            &self.engine,
            CallState {
                limits: Limiter {
                    inner: StoreLimitsBuilder::new()
                        .memory_size(self.limits.memory_bytes)
                        .instances(16)
                        .tables(8)
                        .memories(4)
                        .trap_on_grow_failure(true)
                        .build(),
                    memory_peak: 0,
                },
                log_lines: 0,
                log_bytes: 0,
                logs: Vec::new(),
            },
        );
        store.limiter(|s| &mut s.limits);
        // Both cannot fail with fuel and epochs enabled in the engine configuration.
        let _ = store.set_fuel(self.limits.fuel);
        store.set_epoch_deadline(self.limits.epoch_ticks);
        store
    }

    fn usage(&self, store: &Store<CallState>) -> Usage {
        Usage {
            fuel: self.limits.fuel - store.get_fuel().unwrap_or(0),
            memory_peak: store.data().limits.memory_peak,
        }
    }

    /// Runs `f` on a fresh instance in a fresh store; the store is dropped afterwards.
    fn with_challenge<R>(
        &self,
        plugin: &ChallengeType,
        f: impl FnOnce(&challenge::ChallengePlugin, &mut Store<CallState>) -> wasmtime::Result<R>,
    ) -> Result<(R, Usage), PluginError> {
        let mut store = self.store();
        let instance = plugin
            .pre
            .instantiate(&mut store)
            .map_err(|e| neutralised(e, &[]))?;
        let out = f(&instance, &mut store).map_err(|e| neutralised(e, &store.data().logs))?;
        Ok((out, self.usage(&store)))
    }

    pub fn info(&self, plugin: &ChallengeType) -> Result<PluginInfo, PluginError> {
        self.with_challenge(plugin, |i, s| {
            i.acquis_challenge_challenge_type().call_info(s)
        })
        .map(|(r, _)| r)
    }

    /// Every problem of a definition (empty: publishable).
    pub fn validate(
        &self,
        plugin: &ChallengeType,
        definition: &str,
    ) -> Result<Vec<String>, PluginError> {
        let (r, _) = self.with_challenge(plugin, |i, s| {
            i.acquis_challenge_challenge_type()
                .call_validate(s, definition)
        })?;
        Ok(r.err().unwrap_or_default())
    }

    pub fn render(
        &self,
        plugin: &ChallengeType,
        definition: &str,
        locale: &str,
        seed: u64,
    ) -> Result<String, PluginError> {
        let (r, _) = self.with_challenge(plugin, |i, s| {
            i.acquis_challenge_challenge_type()
                .call_render(s, definition, locale, seed)
        })?;
        r.map_err(PluginError::Plugin)
    }

    pub fn score(
        &self,
        plugin: &ChallengeType,
        definition: &str,
        answer: &str,
    ) -> Result<ScoreResult, PluginError> {
        self.score_with_usage(plugin, definition, answer)
            .map(|(r, _)| r)
    }

    pub fn score_with_usage(
        &self,
        plugin: &ChallengeType,
        definition: &str,
        answer: &str,
    ) -> Result<(ScoreResult, Usage), PluginError> {
        let (r, usage) = self.with_challenge(plugin, |i, s| {
            i.acquis_challenge_challenge_type()
                .call_score(s, definition, answer)
        })?;
        r.map(|r| (r, usage)).map_err(PluginError::Plugin)
    }

    /// The selector's next item, or `None` to end the test.
    pub fn select(
        &self,
        plugin: &ItemSelector,
        state: &str,
    ) -> Result<Option<String>, PluginError> {
        let mut store = self.store();
        let instance = plugin
            .pre
            .instantiate(&mut store)
            .map_err(|e| neutralised(e, &[]))?;
        let picked = instance
            .acquis_challenge_selector()
            .call_select(&mut store, state);
        picked
            .map_err(|e| neutralised(e, &store.data().logs))?
            .map_err(PluginError::Plugin)
    }
}
