//! CSRF, security headers, login rate limiting, session cookie flags.

use acquis_tenants::Role;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn cross_site_posts_are_rejected_and_change_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    let url = format!("{}/orga/{}/equipe/inviter", app.base, org.id);

    let forged = c
        .http
        .post(&url)
        .header("Sec-Fetch-Site", "cross-site")
        .header("Origin", "https://evil.example")
        .form(&[("emails", "pirate@evil.example"), ("role", "ADMIN")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let page = crate::harness::Page {
        status: 403,
        url: url.clone(),
        body: forged.text().await.unwrap(),
    };
    page.assert_contains("provient d'un autre site et a été refusée");

    let forged_origin_only = c
        .http
        .post(&url)
        .header("Origin", "https://evil.example")
        .form(&[("emails", "pirate@evil.example"), ("role", "ADMIN")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged_origin_only.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);

    // The same form from the page itself goes through.
    let same = c
        .http
        .post(&url)
        .header("Sec-Fetch-Site", "same-origin")
        .header("Origin", app.base.clone())
        .form(&[("emails", "prof@lycee.fr"), ("role", "MEMBER")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 1);
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_strict_session_cookie() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let res = reqwest::get(format!("{}/connexion", app.base))
        .await
        .unwrap();
    let h = res.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(format!("{}/connexion", app.base))
        .form(&[("login", "prof@college.fr"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("acquis_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn repeated_login_attempts_are_rate_limited_with_a_clear_message() {
    let app = TestApp::spawn_with(|c| c.login_attempts_per_minute = 3).await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let c = app.client();
    for _ in 0..3 {
        assert_eq!(c.login("prof@college.fr", "Mauvais1").await.status, 422);
    }
    // Even the right password is refused until the window passes.
    let page = c.login("Prof@College.fr", PASSWORD).await;
    assert_eq!(page.status, 429);
    page.assert_contains("Vous avez effectué trop de tentatives");
    assert_eq!(
        c.get("/mon-compte").await.path(),
        "/connexion?next=/mon-compte"
    );
    // Other accounts are not affected.
    app.user("autre@college.fr", "Anne", "Autre").await;
    assert_eq!(
        c.login("autre@college.fr", PASSWORD).await.path(),
        "/mon-compte"
    );
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let c = app.client();
    c.get("/connexion").await;
    c.post("/mot-de-passe-oublie", &[("email", "bad")]).await;
    let before = app.count("SELECT COUNT(*) FROM sessions").await;
    c.login("prof@college.fr", PASSWORD).await;
    c.post("/deconnexion", &[]).await;
    assert_eq!(
        c.get("/mon-compte").await.path(),
        "/connexion?next=/mon-compte"
    );
    assert!(app.count("SELECT COUNT(*) FROM sessions").await <= before + 1);
}
