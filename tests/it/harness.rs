//! The test harness: a fresh database per test (SQLite file, or a PostgreSQL database when
//! `ACQUIS_TEST_DATABASE_URL` is set), the real server on a loopback port, a real SMTP server,
//! and an HTTP client that keeps cookies like a browser.

use std::sync::{Arc, Mutex, OnceLock};

use acquis_server::AppState;
use acquis_server::config::{Config, PasswordHashConfig};
use acquis_store::{ConnectOptions, NewOrganization, NewUser, Organization, Store, User};
use acquis_tenants::{EstablishmentKind, Role, TenantScope, Uai};
use sqlx::Connection;
use uuid::Uuid;

pub const PASSWORD: &str = "Motdepasse1";

// ---------------------------------------------------------------------------------------------
// SMTP: one real server for the whole test binary; each app sends from its own address so a test
// only reads its own mail.

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub raw: String,
}

impl ReceivedMail {
    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.raw.as_bytes())
            .expect("a well-formed message")
    }

    /// The plain-text body, transfer encoding undone.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn html(&self) -> Option<String> {
        self.parsed().body_html(0).map(|t| t.into_owned())
    }

    /// The first link to the platform found in the text body.
    pub fn link(&self, base: &str) -> String {
        let text = self.text();
        let start = text
            .find(base)
            .unwrap_or_else(|| panic!("no link to {base} in {text}"));
        text[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .next()
            .unwrap()
            .to_owned()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }
}

#[derive(Clone, Default)]
struct Recorder {
    all: Arc<Mutex<Vec<ReceivedMail>>>,
    from: String,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl mailin_embedded::Handler for Recorder {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.buf.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        self.all.lock().unwrap().push(ReceivedMail {
            from: self.from.clone(),
            to: self.to.clone(),
            raw: String::from_utf8_lossy(&self.buf).into_owned(),
        });
        mailin_embedded::response::OK
    }
}

struct Smtp {
    port: u16,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
}

fn smtp() -> &'static Smtp {
    static SMTP: OnceLock<Smtp> = OnceLock::new();
    SMTP.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        let port = listener.local_addr().unwrap().port();
        let recorder = Recorder::default();
        let mails = recorder.all.clone();
        std::thread::spawn(move || {
            let mut server = mailin_embedded::Server::new(recorder);
            server
                .with_name("acquis-tests")
                .with_num_threads(4)
                .with_tcp_listener(listener);
            server.serve().expect("SMTP server");
        });
        Smtp { port, mails }
    })
}

// ---------------------------------------------------------------------------------------------
// Databases

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("ACQUIS_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Replaces the database (and optionally the user) of a PostgreSQL URL.
fn pg_url(admin: &str, user: Option<&str>, db: &str) -> String {
    let (scheme, rest) = admin.split_once("://").expect("postgres URL");
    let rest = rest.split(['/', '?']).next().unwrap();
    let hostpart = match (user, rest.split_once('@')) {
        (Some(u), Some((_, host))) => format!("{u}@{host}"),
        (Some(u), None) => format!("{u}@{rest}"),
        (None, _) => rest.to_owned(),
    };
    format!("{scheme}://{hostpart}/{db}")
}

pub struct TestDb {
    pub app_url: String,
    /// A connection URL that owns the schema (bypasses RLS), for fixtures and catalog checks.
    pub owner_url: String,
    pub postgres: bool,
}

async fn prepare_postgres_once(admin: &str) {
    static READY: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    READY
        .get_or_init(|| async {
            let mut c = sqlx::PgConnection::connect(admin).await.unwrap_or_else(|e| {
                panic!("ACQUIS_TEST_DATABASE_URL is set but PostgreSQL cannot be reached ({admin}): {e}")
            });
            // Roles are cluster-wide; concurrent test binaries may race to create it.
            sqlx::raw_sql(
                "DO $$ BEGIN CREATE ROLE acquis_app LOGIN; \
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$; \
                 ALTER ROLE acquis_app LOGIN NOSUPERUSER NOBYPASSRLS;",
            )
            .execute(&mut c)
            .await
            .expect("create the acquis_app role");
            // Databases of earlier runs older than two hours are dropped.
            let cutoff = time::OffsetDateTime::now_utc().unix_timestamp() - 7200;
            let old: Vec<String> = sqlx::query_scalar(
                "SELECT datname::text FROM pg_database WHERE datname LIKE 'acquis_t\\_%'",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            for name in old {
                let ts = name.split('_').nth(2).and_then(|s| s.parse::<i64>().ok());
                if ts.is_some_and(|ts| ts < cutoff) {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
                        .execute(&mut c)
                        .await;
                }
            }
        })
        .await;
}

impl TestDb {
    pub async fn fresh(dir: &std::path::Path) -> TestDb {
        match postgres_admin_url() {
            Some(admin) => {
                prepare_postgres_once(&admin).await;
                let name = format!(
                    "acquis_t_{}_{}",
                    time::OffsetDateTime::now_utc().unix_timestamp(),
                    Uuid::new_v4().simple()
                );
                let mut c = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect PostgreSQL");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut c)
                    .await
                    .expect("create test database");
                let owner_url = pg_url(&admin, None, &name);
                Store::migrate_postgres(&owner_url).await.expect("migrate");
                TestDb {
                    app_url: pg_url(&admin, Some("acquis_app"), &name),
                    owner_url,
                    postgres: true,
                }
            }
            None => {
                let url = format!("sqlite://{}", dir.join("acquis.db").display());
                TestDb {
                    app_url: url.clone(),
                    owner_url: url,
                    postgres: false,
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The application under test

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub store: Store,
    pub db: TestDb,
    mail_from: String,
    dir: std::path::PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Connects a store of its own to the database and serves the app on `listener`.
async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    app_url: &str,
) -> (AppState, Store) {
    serve_with_pool(listener, config, app_url, 5).await
}

async fn serve_with_pool(
    listener: tokio::net::TcpListener,
    config: Config,
    app_url: &str,
    max_connections: u32,
) -> (AppState, Store) {
    let store = Store::connect(&ConnectOptions {
        url: app_url.to_owned(),
        migrate_url: None,
        max_connections,
        cache_ttl: std::time::Duration::from_secs(10),
    })
    .await
    .expect("connect store");
    let state = AppState::with_store(config, store.clone())
        .await
        .expect("state");
    let served = state.clone();
    tokio::spawn(async move {
        let app = acquis_server::app(served).unwrap();
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (state, store)
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = std::env::temp_dir()
            .join("acquis-tests")
            .join(Uuid::new_v4().to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let db = TestDb::fresh(&dir).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let tag = Uuid::new_v4().simple().to_string();
        let mail_from = format!("noreply+{tag}@acquis.test");
        let mut config = Config {
            base_url: base.clone(),
            data_dir: dir.clone(),
            database_url: Some(db.app_url.clone()),
            database_max_connections: 5,
            demo: false,
            smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp().port)),
            mail_from: format!("Acquis <{mail_from}>"),
            login_attempts_per_minute: 100,
            // Every test client is 127.0.0.1: one client for the limits.
            client_attempts_per_minute: 100_000,
            // Tests hash many passwords; production cost is measured in docs/benchmarks.md.
            password_hash: PasswordHashConfig {
                memory_kib: 256,
                iterations: 1,
                parallelism: 1,
            },
            ..Config::default()
        };
        tweak(&mut config);
        let (state, store) = serve(listener, config, &db.app_url).await;
        TestApp {
            base,
            state,
            store,
            db,
            mail_from,
            dir,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A second app server on the same database, with its own caches (as behind a load
    /// balancer); returns its base URL and its store.
    pub async fn another_server(&self) -> (String, Store) {
        self.another_server_with_pool(5).await
    }

    /// [`TestApp::another_server`] with `max_connections` in its database pool.
    pub async fn another_server_with_pool(&self, max_connections: u32) -> (String, Store) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = (*self.state.config).clone();
        config.base_url = base.clone();
        let (_, store) = serve_with_pool(listener, config, &self.db.app_url, max_connections).await;
        (base, store)
    }

    /// Messages this app sent to `to`, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<ReceivedMail> {
        smtp()
            .mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.from == self.mail_from && m.to.iter().any(|t| t == to))
            .cloned()
            .collect()
    }

    pub fn last_mail_to(&self, to: &str) -> ReceivedMail {
        self.mails_to(to)
            .pop()
            .unwrap_or_else(|| panic!("no mail received by {to}"))
    }

    pub async fn user(&self, email: &str, first: &str, last: &str) -> User {
        self.store
            .create_user(&NewUser {
                email: Some(email.into()),
                username: None,
                first_name: first.into(),
                last_name: last.into(),
                password_hash: Some(self.state.hasher.hash(PASSWORD.into()).await.unwrap()),
                must_change_password: false,
                platform_role: None,
                accepted_terms: true,
            })
            .await
            .unwrap()
    }

    pub async fn operator(&self, email: &str) -> User {
        self.store
            .create_user(&NewUser {
                email: Some(email.into()),
                username: None,
                first_name: "Olga".into(),
                last_name: "Opératrice".into(),
                password_hash: Some(self.state.hasher.hash(PASSWORD.into()).await.unwrap()),
                must_change_password: false,
                platform_role: Some("OPERATOR".into()),
                accepted_terms: true,
            })
            .await
            .unwrap()
    }

    pub async fn org(&self, name: &str, uai: &str) -> Organization {
        self.store
            .create_organizations(
                None,
                &[NewOrganization {
                    name: name.into(),
                    uai: Uai::parse(uai).unwrap(),
                    kind: EstablishmentKind::College,
                    contact_email: format!("ce.{}@ac-test.fr", uai.to_lowercase()),
                    manages_students: false,
                }],
            )
            .await
            .unwrap()
            .remove(0)
    }

    pub async fn add_member(&self, org: &Organization, user: &User, role: Role) -> Uuid {
        let mut tx = self
            .store
            .tenant_tx(&TenantScope::system(org.tenant()))
            .await
            .unwrap();
        let m = tx.add_member(user.id, role).await.unwrap();
        tx.commit().await.unwrap();
        m.id
    }

    /// A member who has already accepted the establishment-space terms.
    pub async fn member(
        &self,
        org: &Organization,
        email: &str,
        first: &str,
        last: &str,
        role: Role,
    ) -> (User, Uuid) {
        let user = self.user(email, first, last).await;
        self.store.accept_orga_terms(user.id).await.unwrap();
        let mid = self.add_member(org, &user, role).await;
        (user, mid)
    }

    /// Runs SQL as the schema owner (fixtures that simulate time passing, catalog checks).
    pub async fn owner_exec(&self, sql: &str, bind_time: Option<time::OffsetDateTime>) {
        let q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        let q_pg = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        if self.db.postgres {
            let mut c = sqlx::PgConnection::connect(&self.db.owner_url)
                .await
                .unwrap();
            match bind_time {
                Some(t) => q_pg.bind(t).execute(&mut c).await.unwrap(),
                None => q_pg.execute(&mut c).await.unwrap(),
            };
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.db.owner_url)
                .await
                .unwrap();
            match bind_time {
                Some(t) => q.bind(t).execute(&mut c).await.unwrap(),
                None => q.execute(&mut c).await.unwrap(),
            };
        }
    }

    /// Counts rows as the schema owner, bypassing tenant filters.
    pub async fn count(&self, sql: &str) -> i64 {
        if self.db.postgres {
            let mut c = sqlx::PgConnection::connect(&self.db.owner_url)
                .await
                .unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&mut c)
                .await
                .unwrap()
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.db.owner_url)
                .await
                .unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP client

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub url: String,
    pub body: String,
}

impl Page {
    pub fn path(&self) -> String {
        let after = self
            .url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(&self.url);
        after
            .find('/')
            .map(|i| after[i..].to_owned())
            .unwrap_or_else(|| "/".into())
    }

    /// The text of the page without tags, whitespace collapsed, entities decoded.
    pub fn text(&self) -> String {
        let doc = scraper::Html::parse_document(&self.body);
        doc.root_element()
            .text()
            .collect::<Vec<_>>()
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.text().contains(needle),
            "page {} ({}) does not contain {needle:?}:\n{}",
            self.url,
            self.status,
            self.text()
        );
    }
}

impl Client {
    /// The same browser on another app server (cookies are per host, not per port), as behind
    /// a load balancer.
    pub fn on(&self, base: String) -> Client {
        Client {
            http: self.http.clone(),
            base,
        }
    }

    pub fn new(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: base.to_owned(),
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        Page {
            status: res.status().as_u16(),
            url: res.url().to_string(),
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Client::page(
            self.http
                .get(format!("{}{}", self.base, path))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Client::page(
            self.http
                .post(format!("{}{}", self.base, path))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Posts one file as a multipart form field.
    pub async fn upload(&self, path: &str, field: &str, filename: &str, bytes: Vec<u8>) -> Page {
        let form = reqwest::multipart::Form::new().part(
            field.to_owned(),
            reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
        );
        Client::page(
            self.http
                .post(format!("{}{}", self.base, path))
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn login(&self, login: &str, password: &str) -> Page {
        self.post("/connexion", &[("login", login), ("password", password)])
            .await
    }
}
