//! The real OpenID Connect provider the SSO tests and benchmark talk to: panva's oidc-provider
//! under `tests/peers/oidc`, one process per test binary (installed with `npm ci` when missing),
//! one client registered per test server through dynamic client registration.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;

use acquis_store::{IdentityProvider, NewIdentityProvider};

use crate::harness::{Client, Page, TestApp};

pub struct Peer {
    issuer: String,
    /// The process and its pipes: the provider exits when its stdin closes, i.e. when the test
    /// binary ends.
    _process: std::sync::Mutex<(Child, ChildStdin, BufReader<std::process::ChildStdout>)>,
}

pub fn peer() -> &'static str {
    static PEER: OnceLock<Peer> = OnceLock::new();
    let p = PEER.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/oidc");
        if !dir.join("node_modules/oidc-provider").exists() {
            let ok = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(
                ok,
                "the SSO tests need Node.js and npm to install tests/peers/oidc (npm ci there)"
            );
        }
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the OpenID Connect provider (node)");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let port: u16 = line.trim().parse().expect("the provider prints its port");
        let stdin = child.stdin.take().unwrap();
        Peer {
            issuer: format!("http://127.0.0.1:{port}"),
            _process: std::sync::Mutex::new((child, stdin, stdout)),
        }
    });
    &p.issuer
}

/// Registers this test's server with the provider (dynamic client registration) and saves the
/// provider in Acquis as an operator would.
pub async fn provider(app: &TestApp, name: &str) -> IdentityProvider {
    provider_at(app, name, peer(), true).await
}

pub async fn provider_at(
    app: &TestApp,
    name: &str,
    issuer: &str,
    register: bool,
) -> IdentityProvider {
    let (client_id, secret) = if register {
        let body = serde_json::json!({
            "redirect_uris": [format!("{}/sso/retour", app.base)],
            "post_logout_redirect_uris": [format!("{}/connexion", app.base)],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        });
        let res = reqwest::Client::new()
            .post(format!("{issuer}/reg"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let reg: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
        (
            reg["client_id"].as_str().unwrap().to_owned(),
            reg["client_secret"].as_str().unwrap().to_owned(),
        )
    } else {
        ("absent".into(), "absent".into())
    };
    app.store
        .create_identity_provider(&NewIdentityProvider {
            name: name.into(),
            issuer: issuer.into(),
            client_id,
            client_secret_sealed: Some(app.state.sealer.seal(&secret).unwrap()),
            scopes: "openid profile".into(),
            claim_subject: "sub".into(),
            claim_first_name: "given_name".into(),
            claim_last_name: "family_name".into(),
            claim_birthdate: None,
            claim_uai: None,
            enabled: true,
        })
        .await
        .unwrap()
}

/// Who the student is at the provider, and how it should misbehave.
#[derive(Clone, Copy)]
pub struct Who<'a> {
    pub sub: &'a str,
    pub first: &'a str,
    pub last: &'a str,
    pub trap: &'a str,
}

pub fn who<'a>(sub: &'a str, first: &'a str, last: &'a str) -> Who<'a> {
    Who {
        sub,
        first,
        last,
        trap: "",
    }
}

pub async fn submit_login(c: &Client, login_page: &Page, w: Who<'_>) -> reqwest::Response {
    assert!(
        login_page.body.contains("ENT de test"),
        "expected the provider's login page, got {} ({}): {}",
        login_page.url,
        login_page.status,
        login_page.text()
    );
    c.http
        .post(&login_page.url)
        .form(&[
            ("sub", w.sub),
            ("given_name", w.first),
            ("family_name", w.last),
            ("trap", w.trap),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn as_page(res: reqwest::Response) -> Page {
    Page {
        status: res.status().as_u16(),
        url: res.url().to_string(),
        body: res.text().await.unwrap(),
    }
}

/// Clicks "Se connecter avec l'ENT" at `start` and signs in at the provider.
pub async fn through_provider(c: &Client, start: &str, w: Who<'_>) -> Page {
    let login = c.get(start).await;
    as_page(submit_login(c, &login, w).await).await
}
