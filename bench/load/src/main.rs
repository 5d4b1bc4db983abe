//! `acquis-load BASE CODE STUDENTS SECONDS`: STUDENTS virtual students sign up (not timed), join
//! the campaign CODE, then answer ("Je passe" or the first proposal) as fast as the server lets
//! them, restarting the campaign with a new account when their test ends and sending their
//! results. Timed: "submit answer + get next challenge" (the POST and the page it redirects to).
//! Before that, /health is measured with the same client and concurrency, for the ratio.
//! Prints one Markdown table row.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const PASSWORD: &str = "Motdepasse1";

fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(4)
        .build()
        .context("building the HTTP client")
}

/// The value of the hidden `challenge` field of a test page.
fn challenge_of(body: &str) -> Option<&str> {
    let i = body.find("name=\"challenge\" value=\"")? + 24;
    body[i..].split('"').next()
}

/// The first proposal number or field of the page, as a plausible answer.
fn answer_fields(body: &str) -> Vec<(String, String)> {
    if let Some(i) = body.find("name=\"answer\" value=\"") {
        let v = body[i + 21..].split('"').next().unwrap_or("1");
        return vec![("answer".into(), v.into())];
    }
    body.match_indices("name=\"f_")
        .filter_map(|(i, _)| body[i + 6..].split('"').next())
        .map(|k| (k.to_owned(), "reponse".to_owned()))
        .collect()
}

struct Student {
    http: reqwest::Client,
    base: String,
    path: String,
}

async fn new_student(base: &str, code: &str, n: usize) -> anyhow::Result<Student> {
    let http = client()?;
    let email = format!("eleve{n}.{}@bench.test", std::process::id());
    let r = http
        .post(format!("{base}/inscription"))
        .header("Origin", base)
        .form(&[
            ("last_name", "Bench"),
            ("first_name", "Élève"),
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("cgu", "on"),
        ])
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("sign-up failed: {}", r.status());
    }
    let r = http
        .post(format!("{base}/campagnes/{code}/parcours"))
        .header("Origin", base)
        .form(&[("external_id", "")])
        .send()
        .await?;
    let url = r.url().path().to_owned();
    if !url.starts_with("/parcours/") {
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        let title = body
            .split("<h1")
            .nth(1)
            .and_then(|h| h.split('>').nth(1))
            .and_then(|h| h.split('<').next())
            .unwrap_or_default()
            .to_owned();
        bail!("joining failed: {status} on {url} ({title})");
    }
    Ok(Student {
        http,
        base: base.to_owned(),
        path: url,
    })
}

/// One step: returns the latency of the answer round trip, or `None` when the test ended (the
/// results are then sent).
async fn step(s: &Student) -> anyhow::Result<Option<Duration>> {
    let page = s.http.get(format!("{}{}", s.base, s.path)).send().await?;
    let url = page.url().path().to_owned();
    let body = page.text().await?;
    if url.ends_with("/point-etape") {
        s.http
            .post(format!("{}{}/point-etape", s.base, s.path))
            .header("Origin", &s.base)
            .send()
            .await?;
        return Ok(Some(Duration::ZERO));
    }
    if url.ends_with("/resultats") {
        s.http
            .post(format!("{}{}/envoyer", s.base, s.path))
            .header("Origin", &s.base)
            .send()
            .await?;
        return Ok(None);
    }
    let challenge = challenge_of(&body).context("no challenge on the page")?;
    // A timed challenge's warning: start its clock (not a timed step).
    if body.contains("/chrono\"") {
        s.http
            .post(format!("{}{}/chrono", s.base, s.path))
            .header("Origin", &s.base)
            .form(&[("challenge", challenge)])
            .send()
            .await?;
        return Ok(Some(Duration::ZERO));
    }
    let mut form = vec![("challenge".to_owned(), challenge.to_owned())];
    if challenge.len() % 2 == 0 {
        form.push(("action".into(), "passer".into()));
    } else {
        form.push(("action".into(), "valider".into()));
        form.extend(answer_fields(&body));
    }
    let started = Instant::now();
    let r = s
        .http
        .post(format!("{}{}/reponse", s.base, s.path))
        .header("Origin", &s.base)
        .form(&form)
        .send()
        .await?;
    let status = r.status();
    r.bytes().await?;
    if !status.is_success() {
        bail!("answer refused: {status}");
    }
    Ok(Some(started.elapsed()))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn health(base: &str, concurrency: usize, secs: u64) -> anyhow::Result<(f64, f64, f64)> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let http = client()?;
        let url = format!("{base}/health");
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if let Ok(r) = http.get(&url).send().await {
                    let _ = r.bytes().await;
                }
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.context("a /health task failed")?);
    }
    all.sort();
    Ok((
        all.len() as f64 / secs as f64,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        bail!("usage: acquis-load BASE_URL CAMPAIGN_CODE STUDENTS SECONDS");
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let code = args[2].clone();
    let students: usize = args[3].parse()?;
    let secs: u64 = args[4].parse()?;

    let (h_rps, h50, h99) = health(&base, students, secs.min(5)).await?;

    let counter = Arc::new(AtomicUsize::new(0));
    let mut ready = Vec::new();
    let mut set = tokio::task::JoinSet::new();
    for n in 0..students {
        let (base, code) = (base.clone(), code.clone());
        set.spawn(async move { new_student(&base, &code, n).await });
        if set.len() >= 8
            && let Some(joined) = set.join_next().await
        {
            ready.push(joined??);
        }
    }
    while let Some(s) = set.join_next().await {
        ready.push(s??);
    }
    let next_id = Arc::new(AtomicUsize::new(students));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut s in ready {
        let (stop, counter, next_id) = (stop.clone(), counter.clone(), next_id.clone());
        let (base, code) = (base.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut finished = 0usize;
            while !stop.load(Ordering::Relaxed) {
                match step(&s).await {
                    Ok(Some(d)) if d > Duration::ZERO => {
                        lat.push(d);
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        finished += 1;
                        let n = next_id.fetch_add(1, Ordering::Relaxed);
                        match new_student(&base, &code, n).await {
                            Ok(fresh) => s = fresh,
                            Err(e) => return Err(e),
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok((lat, finished))
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    let mut finished = 0;
    for t in tasks {
        let (lat, f) = t.await??;
        all.extend(lat);
        finished += f;
    }
    all.sort();
    let answers = counter.load(Ordering::Relaxed) as f64;
    let p50 = percentile(&all, 0.5);
    let p99 = percentile(&all, 0.99);
    println!(
        "| {students} | {:.0} | {p50:.1} | {p99:.1} | {finished} | {h_rps:.0} | {h50:.1} | {h99:.1} | {:.2} |",
        answers / elapsed,
        p50 / h50.max(0.001),
    );
    Ok(())
}
