//! SSO round trip against the local OpenID Connect provider compared with a password login, in
//! the same run, on the same server (SQLite, production Argon2 cost).
//!
//! `cargo bench -p acquis-tests --bench sso [-- ROUNDS]` (default 40 of each, interleaved).
//! Each round is a new browser: password login is GET /connexion + POST /connexion → account
//! page; the SSO round trip is « Se connecter avec l'ENT » → provider login page → its form →
//! provider → /sso/retour (code exchange, ID token check, userinfo) → account page.

#[allow(dead_code)]
#[path = "../it/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../it/oidc_peer.rs"]
mod oidc_peer;

use std::time::{Duration, Instant};

use acquis_server::config::PasswordHashConfig;
use acquis_store::NewIdentity;
use harness::{PASSWORD, TestApp};
use oidc_peer::{provider, through_provider, who};

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[v.len() * 9 / 10]))
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(40);
    let app = TestApp::spawn_with(|c| c.password_hash = PasswordHashConfig::default()).await;
    let student = app.user("eleve@bench.test", "Léa", "Martin").await;
    let p = provider(&app, "ENT").await;
    app.store
        .link_identity(&NewIdentity {
            provider: p.id,
            subject: "bench-eleve",
            user: student.id,
            first_name: "Léa",
            last_name: "Martin",
        })
        .await
        .expect("link the identity");
    let start = format!("/sso/{}/connexion", p.id);

    let mut password = Vec::new();
    let mut sso = Vec::new();
    // Two warm-up rounds (discovery and keys cached, connections, templates).
    for round in 0..rounds + 2 {
        let c = app.client();
        let t = Instant::now();
        c.get("/connexion").await;
        let page = c.login("eleve@bench.test", PASSWORD).await;
        let elapsed = t.elapsed();
        assert_eq!(page.path(), "/mon-compte", "password login");
        if round >= 2 {
            password.push(elapsed);
        }

        let c = app.client();
        let t = Instant::now();
        let page = through_provider(&c, &start, who("bench-eleve", "Léa", "Martin")).await;
        let elapsed = t.elapsed();
        assert_eq!(page.path(), "/mon-compte", "SSO round trip");
        if round >= 2 {
            sso.push(elapsed);
        }
    }
    let (pw_med, pw_p90) = stats(password);
    let (sso_med, sso_p90) = stats(sso);
    println!("rounds: {rounds} of each, interleaved, a new browser each");
    println!("password login (GET + POST /connexion): median {pw_med:.1} ms, p90 {pw_p90:.1} ms");
    println!(
        "SSO round trip (button → provider login → callback): median {sso_med:.1} ms, p90 {sso_p90:.1} ms"
    );
    println!("ratio SSO / password (medians): {:.2}", sso_med / pw_med);
}
