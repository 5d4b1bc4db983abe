//! Typed configuration: defaults, then an optional TOML file, then `ACQUIS_*` variables.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address the server listens on.
    pub bind: String,
    /// Public address used in e-mailed links.
    pub base_url: String,
    /// Where SQLite, the outbox and other local files live.
    pub data_dir: PathBuf,
    /// `sqlite://…` (default: under `data_dir`) or `postgres://…` for the application role.
    pub database_url: Option<String>,
    /// PostgreSQL: a schema-owner role used only to run migrations at start.
    pub migrate_database_url: Option<String>,
    pub database_max_connections: u32,
    /// Seeds the demo establishment into an empty database.
    pub demo: bool,
    /// `smtp://user:pass@host:port` or `smtps://…`; without it, mail goes to `data_dir/outbox`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Sets the `Secure` flag on the session cookie; turn on behind TLS.
    pub secure_cookies: bool,
    /// Extra origins allowed to post forms (e.g. the public URL behind a proxy rewriting Host).
    pub trusted_origins: Vec<String>,
    /// Failed-or-not login attempts allowed per login identifier and minute.
    pub login_attempts_per_minute: u32,
    /// Attempts allowed per client address and minute, counted apart for logins, campaign codes
    /// and « Qui êtes-vous ? » (a school's pupils share one address behind its proxy: generous).
    pub client_attempts_per_minute: u32,
    /// « Qui êtes-vous ? » attempts allowed per campaign and typed name, per hour, whoever tries:
    /// a birth date is found by trying dates otherwise.
    pub identify_attempts_per_hour: u32,
    /// Behind a reverse proxy, the header carrying the client's address (for example
    /// `x-forwarded-for`: its last address, the one the proxy saw). Without it, the peer's address.
    pub client_address_header: Option<String>,
    pub session_hours: i64,
    /// Seconds an app server may keep a session, an account or its memberships in memory; a
    /// change made through another app server shows after at most this delay (0: no cache).
    pub cache_seconds: u64,
    pub password_hash: PasswordHashConfig,
    /// Largest SIECLE upload accepted, in MiB.
    pub import_max_mib: u64,
    /// base64 of 32 bytes sealing secrets at rest (identity providers' client secrets); the same
    /// on every app server. Without it, `data_dir/secret.key` is created and used.
    pub secret_key: Option<String>,
}

/// Argon2id cost; defaults follow OWASP's recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordHashConfig {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordHashConfig {
    fn default() -> Self {
        PasswordHashConfig {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:3000".into(),
            base_url: "http://127.0.0.1:3000".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            migrate_database_url: None,
            database_max_connections: 16,
            demo: true,
            smtp_url: None,
            mail_from: "Acquis <ne-pas-repondre@acquis.localhost>".into(),
            secure_cookies: false,
            trusted_origins: Vec::new(),
            login_attempts_per_minute: 10,
            client_attempts_per_minute: 60,
            identify_attempts_per_hour: 10,
            client_address_header: None,
            session_hours: 12,
            cache_seconds: 10,
            password_hash: PasswordHashConfig::default(),
            import_max_mib: 20,
            secret_key: None,
        }
    }
}

impl Config {
    /// Defaults ← `acquis.toml` (or the file in `ACQUIS_CONFIG`) ← `ACQUIS_*` variables
    /// (`ACQUIS_PASSWORD_HASH__MEMORY_KIB` reaches nested keys).
    pub fn load() -> anyhow::Result<Config> {
        let file = std::env::var("ACQUIS_CONFIG").unwrap_or_else(|_| "acquis.toml".into());
        let config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("ACQUIS_").split("__").ignore(&["config"]))
            .extract()?;
        Ok(config)
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("acquis.db").display()))
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}
