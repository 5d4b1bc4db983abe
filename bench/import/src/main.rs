//! `acquis-import-bench [--pg ADMIN_URL] [COUNTS…]`: for each student count, generates a SIECLE
//! export (ISO-8859-15, zipped as schools download it), then in a child process per measure:
//! the baseline (quick-xml reads every event of the XML inside the zip, nothing else) and the
//! import end to end (read + validate + one transaction writing every student) on SQLite and,
//! with `--pg`, PostgreSQL. Prints a Markdown table with wall times, the ratio to the baseline
//! and the peak memory each child added.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

use acquis_interop::siecle::{self, sample};
use acquis_store::{ConnectOptions, NewOrganization, NewUser, Store};
use acquis_tenants::{EstablishmentKind, TenantScope, Uai};
use anyhow::{Context, bail};

const UAI: &str = "0330001A";

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn xml_reader(zip_path: &Path) -> anyhow::Result<Vec<u8>> {
    Ok(std::fs::read(zip_path)?)
}

/// Reads every event of the XML in the zip, decoding ISO-8859-15: the floor of any import.
fn baseline(zip_path: &Path) -> anyhow::Result<usize> {
    let bytes = xml_reader(zip_path)?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let entry = archive.by_index(0)?;
    let mut decoding =
        quick_xml::encoding::DecodingReader::new(BufReader::with_capacity(64 << 10, entry));
    decoding.set_encoding(encoding_rs::ISO_8859_15);
    let mut reader = quick_xml::Reader::from_reader(decoding);
    let mut buf = Vec::new();
    let mut events = 0;
    loop {
        match reader.read_event_into(&mut buf)? {
            quick_xml::events::Event::Eof => break,
            _ => events += 1,
        }
        buf.clear();
    }
    Ok(events)
}

async fn import(zip_path: &Path, url: &str, migrate_url: Option<String>) -> anyhow::Result<usize> {
    let store = Store::connect(&ConnectOptions {
        url: url.to_owned(),
        migrate_url,
        max_connections: 2,
        cache_ttl: std::time::Duration::ZERO,
    })
    .await?;
    let user = store
        .create_user(&NewUser {
            email: Some("admin@bench.test".into()),
            username: None,
            first_name: "Ada".into(),
            last_name: "Admin".into(),
            password_hash: None,
            must_change_password: false,
            platform_role: None,
            accepted_terms: true,
        })
        .await?;
    let org = store
        .create_organizations(
            None,
            &[NewOrganization {
                name: "Collège du banc d'essai".into(),
                uai: Uai::parse(UAI)?,
                kind: EstablishmentKind::College,
                contact_email: "ce@bench.test".into(),
                manages_students: true,
            }],
        )
        .await?
        .remove(0);
    let scope = TenantScope::system(org.tenant());
    // Timed from here: what the server does once the upload is in memory.
    let start = Instant::now();
    let bytes = xml_reader(zip_path)?;
    let students = siecle::read(&bytes, UAI, siecle::Limits::default())
        .map_err(|p| anyhow::anyhow!("refused: {:?}", &p[..p.len().min(3)]))?;
    let read = start.elapsed();
    let mut tx = store.tenant_tx(&scope).await?;
    let counts = tx
        .import_learners(user.id, "bench.zip", &students, &|_| {})
        .await?;
    let written = start.elapsed();
    tx.commit().await?;
    let elapsed = start.elapsed();
    eprintln!(
        "{} added in {elapsed:?} (read and validated {read:?}, written {:?}, committed {:?})",
        counts.added,
        written - read,
        elapsed - written
    );
    println!("{}", elapsed.as_secs_f64());
    Ok(students.len())
}

/// One measure in this process: prints seconds, then the peak memory added (KiB).
async fn child(args: &[String]) -> anyhow::Result<()> {
    let (what, zip_path) = (args[0].as_str(), PathBuf::from(&args[1]));
    let before = rss_kib("VmRSS:");
    match what {
        "baseline" => {
            let start = Instant::now();
            let events = baseline(&zip_path)?;
            eprintln!("{events} events");
            println!("{}", start.elapsed().as_secs_f64());
        }
        "sqlite" => {
            let dir =
                std::env::temp_dir().join(format!("acquis-import-bench-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("bench.db").display());
            import(&zip_path, &url, None).await?;
            let _ = std::fs::remove_dir_all(&dir);
        }
        "postgres" => {
            let admin = &args[2];
            let db = format!("acquis_import_bench_{}", uuid::Uuid::now_v7().simple());
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b)
                .context("admin URL")?;
            let status = std::process::Command::new("psql")
                .args([admin.as_str(), "-qc", &format!("CREATE DATABASE {db}")])
                .status()?;
            if !status.success() {
                bail!("cannot create {db}");
            }
            let _ = std::process::Command::new("psql")
                .args([admin.as_str(), "-qc", "DO $$ BEGIN CREATE ROLE acquis_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"])
                .status();
            let app = base.replacen("//", "//acquis_app@", 1);
            let app = match app.split_once('@') {
                Some((head, rest)) if rest.contains('@') => format!(
                    "{head}@{}",
                    rest.split_once('@').map(|(_, h)| h).unwrap_or(rest)
                ),
                _ => app,
            };
            let r = import(
                &zip_path,
                &format!("{app}/{db}"),
                Some(format!("{base}/{db}")),
            )
            .await;
            let _ = std::process::Command::new("psql")
                .args([
                    admin.as_str(),
                    "-qc",
                    &format!("DROP DATABASE {db} WITH (FORCE)"),
                ])
                .status();
            r?;
        }
        other => bail!("unknown measure {other}"),
    }
    println!("{}", rss_kib("VmHWM:").saturating_sub(before));
    Ok(())
}

fn run_child(what: &str, zip_path: &Path, pg: Option<&str>) -> anyhow::Result<(f64, u64)> {
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.args(["--child", what, &zip_path.display().to_string()]);
    if let Some(pg) = pg {
        cmd.arg(pg);
    }
    let out = cmd.stderr(std::process::Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("{what} failed");
    }
    let text = String::from_utf8(out.stdout)?;
    let mut lines = text.lines();
    let secs: f64 = lines.next().context("seconds")?.parse()?;
    let kib: u64 = lines.next().context("memory")?.parse()?;
    Ok((secs, kib))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return tokio::runtime::Runtime::new()?.block_on(child(&args[1..]));
    }
    let mut pg = None;
    let mut counts = Vec::new();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--pg" {
            pg = it.next();
        } else {
            counts.push(a.parse::<usize>().context("student count")?);
        }
    }
    if counts.is_empty() {
        counts = vec![3_000, 100_000];
    }
    let dir = std::env::temp_dir().join(format!("acquis-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "| students | file (xml / zip) | measure | wall (s) | × baseline | peak memory added (MiB) |"
    );
    println!("|---|---|---|---|---|---|");
    for n in counts {
        let xml = sample::xml(UAI, &sample::students(n));
        let zip = sample::zip(&[("ElevesSansAdresses.xml", &xml)]);
        let path = dir.join(format!("{n}.zip"));
        std::fs::write(&path, &zip)?;
        let size = format!(
            "{:.1} / {:.1} MiB",
            xml.len() as f64 / 1048576.0,
            zip.len() as f64 / 1048576.0
        );
        drop(xml);
        let (base, base_kib) = run_child("baseline", &path, None)?;
        println!(
            "| {n} | {size} | quick-xml parse only (baseline) | {base:.3} | 1.0 | {:.1} |",
            base_kib as f64 / 1024.0
        );
        let mut backends = vec![("sqlite", None)];
        if let Some(pg) = pg.as_deref() {
            backends.push(("postgres", Some(pg)));
        }
        for (backend, url) in backends {
            let (secs, kib) = run_child(backend, &path, url)?;
            println!(
                "| {n} | {size} | import end to end, {backend} | {secs:.3} | {:.1} | {:.1} |",
                secs / base,
                kib as f64 / 1024.0
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
