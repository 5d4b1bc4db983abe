//! `acquis-load BASE CODE STUDENTS SECONDS`: STUDENTS virtual students sign up (not timed), join
//! the campaign CODE, then answer ("Je passe" or the first proposal) as fast as the server lets
//! them; a student whose test ends sends the results and joins again with another account
//! (signed up before the window while spares last). Timed: "submit answer + get next challenge" (the POST and the page it redirects to).
//! Like a browser, a student reads the page a redirect led to rather than loading it again.
//! Before that, /health is measured with the same client and concurrency, for the ratio.
//! Prints one Markdown table row, ending with the CPU milliseconds per answer of the server
//! (processes named `acquis`), of the database (`postgres`) and of this load generator over the
//! timed window: on one machine the generator's share is taken from the server's cores.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;

const PASSWORD: &str = "Motdepasse1";

/// ACQUIS_LOAD_SLOW=MS: where the answers slower than MS milliseconds led, on stderr (read once:
/// the generator's own CPU per answer is part of what it reports).
static SLOW: std::sync::LazyLock<Option<Duration>> = std::sync::LazyLock::new(|| {
    std::env::var("ACQUIS_LOAD_SLOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
});

/// A browser's share of HTTP for one student: one kept-alive connection, the cookies the server
/// set, redirects followed.
struct Http {
    addr: String,
    origin: String,
    cookies: Vec<(String, String)>,
    conn: Option<SendRequest<Full<Bytes>>>,
}

/// A response after its redirects: the path it ended on, its status and body.
struct Page {
    path: String,
    status: StatusCode,
    body: String,
}

impl Http {
    fn new(base: &str) -> Self {
        Http {
            addr: base.trim_start_matches("http://").to_owned(),
            origin: base.to_owned(),
            cookies: Vec::new(),
            conn: None,
        }
    }

    async fn connection(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.conn.as_ref().is_none_or(|c| c.is_closed()) {
            let tcp = tokio::net::TcpStream::connect(&self.addr).await?;
            tcp.set_nodelay(true)?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
            tokio::spawn(conn);
            self.conn = Some(sender);
        }
        let conn = self.conn.as_mut().context("no connection")?;
        conn.ready().await?;
        Ok(conn)
    }

    async fn get(&mut self, path: &str) -> anyhow::Result<Page> {
        self.send(Method::GET, path.to_owned(), None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> anyhow::Result<Page> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(Method::POST, path.to_owned(), Some(body)).await
    }

    async fn send(
        &mut self,
        mut method: Method,
        mut path: String,
        mut form: Option<String>,
    ) -> anyhow::Result<Page> {
        for _ in 0..5 {
            let mut req = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header(header::HOST, &self.addr);
            if !self.cookies.is_empty() {
                let cookie = self
                    .cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                req = req.header(header::COOKIE, cookie);
            }
            if method == Method::POST {
                req = req
                    .header(header::ORIGIN, &self.origin)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            }
            let body = Full::new(Bytes::from(form.take().unwrap_or_default()));
            let response = self
                .connection()
                .await?
                .send_request(req.body(body)?)
                .await?;
            for set in response.headers().get_all(header::SET_COOKIE) {
                let pair = set.to_str()?.split(';').next().unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    self.cookies.retain(|(k, _)| k != name);
                    self.cookies
                        .push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(|l| l.trim_start_matches(&self.origin).to_owned());
            let body = response.into_body().collect().await?.to_bytes();
            match location {
                Some(next) if status.is_redirection() => {
                    path = next;
                    method = Method::GET;
                }
                _ => {
                    let body = String::from_utf8(body.to_vec())?;
                    return Ok(Page { path, status, body });
                }
            }
        }
        bail!("too many redirects from {path}")
    }
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
    http: Http,
    path: String,
    /// The page the last request ended on (after its redirects), as a browser shows it: the
    /// next step reads it instead of loading the test page again.
    shown: Option<Page>,
}

/// A new account, signed in.
async fn sign_up(base: &str, n: usize) -> anyhow::Result<Http> {
    let mut http = Http::new(base);
    let email = format!("eleve{n}.{}@bench.test", std::process::id());
    let r = http
        .post(
            "/inscription",
            &[
                ("last_name", "Bench"),
                ("first_name", "Élève"),
                ("email", email.as_str()),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await?;
    if !r.status.is_success() {
        bail!("sign-up failed: {}", r.status);
    }
    Ok(http)
}

/// A signed-in student joins the campaign: the test's first page.
async fn join(mut http: Http, code: &str) -> anyhow::Result<Student> {
    let r = http
        .post(
            &format!("/campagnes/{code}/parcours"),
            &[("external_id", "")],
        )
        .await?;
    if !r.path.starts_with("/parcours/") {
        let title = r
            .body
            .split("<h1")
            .nth(1)
            .and_then(|h| h.split('>').nth(1))
            .and_then(|h| h.split('<').next())
            .unwrap_or_default()
            .to_owned();
        bail!("joining failed: {} on {} ({title})", r.status, r.path);
    }
    Ok(Student {
        http,
        path: r.path.clone(),
        shown: Some(r),
    })
}

/// One step: returns the latency of the answer round trip, or `None` when the test ended (the
/// results are then sent).
///
/// With `slot`, the answer is sent at that instant (or at once when late) and its latency counts
/// from the slot, so a slow server cannot hide its delay by slowing the senders down.
async fn step(s: &mut Student, slot: Option<Instant>) -> anyhow::Result<Option<Duration>> {
    let page = match s.shown.take() {
        Some(page) => page,
        None => s.http.get(&s.path).await?,
    };
    if page.path.contains("/point-etape") {
        let r = s.http.post(&format!("{}/point-etape", s.path), &[]).await?;
        s.shown = Some(r);
        return Ok(Some(Duration::ZERO));
    }
    if page.path.ends_with("/resultats") {
        s.http.post(&format!("{}/envoyer", s.path), &[]).await?;
        return Ok(None);
    }
    let body = &page.body;
    let challenge = challenge_of(body).context("no challenge on the page")?;
    // A timed challenge's warning: start its clock (not a timed step).
    if body.contains("/chrono\"") {
        let r = s
            .http
            .post(&format!("{}/chrono", s.path), &[("challenge", challenge)])
            .await?;
        s.shown = Some(r);
        return Ok(Some(Duration::ZERO));
    }
    let mut form = vec![("challenge".to_owned(), challenge.to_owned())];
    if challenge.len() % 2 == 0 {
        form.push(("action".into(), "passer".into()));
    } else {
        form.push(("action".into(), "valider".into()));
        form.extend(answer_fields(body));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let started = match slot {
        Some(at) => {
            tokio::time::sleep_until(at.into()).await;
            at
        }
        None => Instant::now(),
    };
    let sent_late = started.elapsed();
    let r = s.http.post(&format!("{}/reponse", s.path), &form).await?;
    let elapsed = started.elapsed();
    if let Some(slow) = *SLOW
        && elapsed > slow
    {
        eprintln!(
            "slow {} ms -> {} (sent {} ms after its slot)",
            elapsed.as_millis(),
            r.path,
            sent_late.as_millis()
        );
    }
    if !r.status.is_success() {
        bail!("answer refused: {}", r.status);
    }
    s.shown = Some(r);
    Ok(Some(elapsed))
}

/// Runs the set-up steps eight at a time, in any order.
async fn eight_at_a_time<T: Send + 'static>(
    steps: impl Iterator<Item = impl Future<Output = anyhow::Result<T>> + Send + 'static>,
) -> anyhow::Result<Vec<T>> {
    let mut done = Vec::new();
    let mut set = tokio::task::JoinSet::new();
    for step in steps {
        set.spawn(step);
        if set.len() >= 8
            && let Some(one) = set.join_next().await
        {
            done.push(one??);
        }
    }
    while let Some(one) = set.join_next().await {
        done.push(one??);
    }
    Ok(done)
}

/// CPU seconds used so far by every process named `name` (Linux `/proc`, in USER_HZ, which is
/// 100 on every Linux architecture we run on). Machines shared with other guests make throughput
/// noisy; CPU time per answer is the steadier measure of the work the server does.
fn cpu_seconds(name: &str) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut ticks = 0u64;
    for e in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces, so split after its closing paren.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if &stat[open + 1..close] != name {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the comm.
        let t = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        ticks += t(11) + t(12);
    }
    ticks as f64 / 100.0
}

/// A student's think time: the mean interval times a factor drawn uniformly in [0.5, 1.5)
/// (xorshift64, seeded per student). With the same time for everyone, the students answer in
/// lockstep and reach their checkpoints in the same fifth of the time, a wave no class makes.
struct Think(u64);

impl Think {
    fn next(&mut self, mean: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        mean.mul_f64(0.5 + (self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }
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
        let mut http = Http::new(base);
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let _ = http.get("/health").await;
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
    if args.len() != 5 && args.len() != 6 {
        bail!("usage: acquis-load BASE_URL CAMPAIGN_CODE STUDENTS SECONDS [ANSWERS_PER_SECOND]");
    }
    let base = args[1].trim_end_matches('/').to_owned();
    let code = args[2].clone();
    let students: usize = args[3].parse()?;
    let secs: u64 = args[4].parse()?;
    // Paced: the students together offer this many answers per second, each thinking between
    // answers for a time drawn around the mean, instead of answering as fast as they can.
    let rate: Option<f64> = args.get(5).map(|r| r.parse()).transpose()?;
    let interval = rate.map(|r| Duration::from_secs_f64(students as f64 / r));

    let (h_rps, h50, h99) = health(&base, students, secs.min(5)).await?;

    let counter = Arc::new(AtomicUsize::new(0));
    // Accounts are created before the window, as a class signs up once and then takes tests:
    // one per student, joined at once, and as many spares, which the students who finish join
    // the campaign with inside the window (a student beyond the spares signs up there). Without
    // the spares, a cohort that started together finishes together and the window measures a
    // wave of password hashes (argon2id, ~25 ms of CPU each) instead of answers.
    let mut accounts = eight_at_a_time((0..2 * students).map(|n| {
        let base = base.clone();
        async move { sign_up(&base, n).await }
    }))
    .await?;
    let spares = Arc::new(std::sync::Mutex::new(accounts.split_off(students)));
    let ready = eight_at_a_time(accounts.into_iter().map(|http| {
        let code = code.clone();
        async move { join(http, &code).await }
    }))
    .await?;
    let next_id = Arc::new(AtomicUsize::new(2 * students));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    // On stderr, for a profiler to attach to the timed window only.
    eprintln!("acquis-load: timed window of {secs} s starts");
    let cpu_before = (
        cpu_seconds("acquis"),
        cpu_seconds("postgres"),
        cpu_seconds("acquis-load"),
    );
    let mut tasks = Vec::new();
    for (i, mut s) in ready.into_iter().enumerate() {
        let (stop, counter, next_id) = (stop.clone(), counter.clone(), next_id.clone());
        let spares = spares.clone();
        let (base, code) = (base.clone(), code.clone());
        // Paced students start spread over one interval.
        let mut slot = interval.map(|d| started + d.mul_f64(i as f64 / students as f64));
        let mut think = Think(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut finished = 0usize;
            while !stop.load(Ordering::Relaxed) {
                match step(&mut s, slot).await {
                    Ok(Some(d)) if d > Duration::ZERO => {
                        lat.push(d);
                        counter.fetch_add(1, Ordering::Relaxed);
                        slot = slot.zip(interval).map(|(at, d)| at + think.next(d));
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        finished += 1;
                        let spare = spares.lock().expect("spares").pop();
                        let http = match spare {
                            Some(http) => http,
                            None => sign_up(&base, next_id.fetch_add(1, Ordering::Relaxed)).await?,
                        };
                        s = join(http, &code).await?;
                        // A new student's first answer comes one interval after joining.
                        slot = interval.map(|d| Instant::now() + think.next(d));
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
    let cpu_after = (
        cpu_seconds("acquis"),
        cpu_seconds("postgres"),
        cpu_seconds("acquis-load"),
    );
    let mut all = Vec::new();
    let mut finished = 0;
    for t in tasks {
        let (lat, f) = t.await??;
        all.extend(lat);
        finished += f;
    }
    all.sort();
    let answers = counter.load(Ordering::Relaxed) as f64;
    eprintln!(
        "acquis-load: latency p90 {:.1} ms, p95 {:.1}, p99 {:.1}, p99.9 {:.1}, max {:.1}",
        percentile(&all, 0.9),
        percentile(&all, 0.95),
        percentile(&all, 0.99),
        percentile(&all, 0.999),
        percentile(&all, 1.0)
    );
    let p50 = percentile(&all, 0.5);
    let p99 = percentile(&all, 0.99);
    let offered = rate.map(|r| format!(" {r:.0} |")).unwrap_or_default();
    let per_answer = |before: f64, after: f64| (after - before) * 1000.0 / answers.max(1.0);
    println!(
        "| {students} |{offered} {:.0} | {p50:.1} | {p99:.1} | {finished} | {h_rps:.0} | {h50:.1} | {h99:.1} | {:.2} | {:.2} | {:.2} | {:.2} |",
        answers / elapsed,
        p50 / h50.max(0.001),
        per_answer(cpu_before.0, cpu_after.0),
        per_answer(cpu_before.1, cpu_after.1),
        per_answer(cpu_before.2, cpu_after.2),
    );
    Ok(())
}
