//! Nothing a student did is lost, and nothing is doubled, when the server is killed (SIGKILL)
//! between two answers and started again.

use std::process::{Child, Command, Stdio};

use crate::harness::{Client, PASSWORD, TestApp};
use crate::student;

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(app: &TestApp, port: u16, dir: &std::path::Path) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_acquis-under-test"))
        .env("ACQUIS_DATABASE_URL", &app.db.app_url)
        .env("ACQUIS_BIND", format!("127.0.0.1:{port}"))
        .env("ACQUIS_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("ACQUIS_DATA_DIR", dir)
        .env("ACQUIS_DEMO", "false")
        .env("ACQUIS_CACHE_SECONDS", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server process");
    // Dropping the `Server` kills and reaps the process on every path, panics included.
    let server = Server { child };
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server process did not start");
}

#[tokio::test]
async fn killing_the_server_between_two_answers_loses_nothing_and_doubles_nothing() {
    let app = TestApp::spawn().await;
    let s = student::campaign(&app, "0000021A", "rentree-tle", false).await;
    app.user("kim@test.fr", "Kim", "Lee").await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = std::env::temp_dir().join(format!("acquis-crash-{port}"));
    let mut server = start(&app, port, &dir).await;

    let c = Client::new(&format!("http://127.0.0.1:{port}"));
    c.login("kim@test.fr", PASSWORD).await;
    let test = c
        .post(&format!("/campagnes/{}/parcours", s.code), &[])
        .await;
    let path = test.path();
    assert!(path.starts_with("/parcours/"), "{path}");
    let mut last = String::new();
    for _ in 0..7 {
        let page = student::current_step(&c, &path).await;
        if page.path().contains("/point-etape") {
            c.post(&format!("{path}/point-etape"), &[]).await;
            continue;
        }
        last = student::challenge_id(&page).expect("a challenge");
        let mut form = vec![
            ("challenge".to_owned(), last.clone()),
            ("action".to_owned(), "valider".to_owned()),
        ];
        form.extend(student::right_answer(&last));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        c.post(&format!("{path}/reponse"), &form).await;
    }
    let before = app.count("SELECT COUNT(*) FROM answers").await;
    assert!(before >= 6, "{before} answers");

    // SIGKILL: no graceful shutdown, nothing flushed by the server.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    let _server = start(&app, port, &dir).await;

    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, before);
    // The session survived; the test resumes where it was.
    let page = c.get(&path).await;
    assert_eq!(page.status, 200);
    let current = student::challenge_id(&page).expect("the test goes on with a challenge");
    assert_ne!(current, last, "the answered challenge is not asked again");
    // Re-sending the last answer (the browser retrying after the crash) records nothing more.
    c.post(
        &format!("{path}/reponse"),
        &[("challenge", last.as_str()), ("action", "passer")],
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, before);

    let (more, _, results) = student::answer_until_results(&c, &path, false).await;
    results.assert_contains("Vous maîtrisez");
    let total = app.count("SELECT COUNT(*) FROM answers").await;
    assert_eq!(total, before + more as i64);
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT challenge_id) FROM answers")
            .await,
        total
    );
    let _ = std::fs::remove_dir_all(&dir);
}
