//! The browser harness: Debian's chromium driven through chromedriver (WebDriver) with
//! fantoccini, and axe-core run on every page a journey visits.
//!
//! When chromedriver is missing and the suite runs as root on Debian, the harness installs
//! `chromium` and `chromium-driver` with apt (as `.ci/run` does); otherwise it fails with a
//! one-line explanation.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = include_str!("../assets/axe.min.js");

fn ensure_chromium() {
    if std::path::Path::new(CHROMEDRIVER).exists() {
        return;
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    if is_root && std::path::Path::new("/usr/bin/apt-get").exists() {
        let ok = Command::new("apt-get")
            .args(["install", "-y", "-q", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok && std::path::Path::new(CHROMEDRIVER).exists() {
            return;
        }
    }
    panic!(
        "browser journeys need Debian's chromium and chromedriver: run `apt-get install chromium chromium-driver` (as root)"
    );
}

pub struct Browser {
    pub client: Client,
    driver: Option<Child>,
    pub base: String,
}

impl Browser {
    pub async fn start(base: &str) -> Browser {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(ensure_chromium);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Its own process group, so chromium goes with it even when a test panics.
        let driver = Command::new(CHROMEDRIVER)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile =
            std::env::temp_dir().join(format!("acquis-chromium-{}", uuid::Uuid::new_v4()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let mut last_err = None;
        for _ in 0..50 {
            // chromedriver listens on loopback: plain HTTP, no TLS stack needed.
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        driver: Some(driver),
                        base: base.to_owned(),
                    };
                }
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not start: {last_err:?}");
    }

    /// Another handle on a running session (the driver stays owned by the first).
    pub fn attach(client: Client, base: String) -> Browser {
        Browser {
            client,
            driver: None,
            base,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits (up to 10 s) for a navigation to land on a path satisfying `ok`.
    pub async fn wait_path(&self, what: &str, ok: impl Fn(&str) -> bool) {
        for _ in 0..100 {
            if ok(&self.path().await) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected to land on {what}, still on {}", self.path().await);
    }

    /// The page's visible text; `None` while a navigation replaces the document.
    async fn try_text(&self) -> Option<String> {
        let body = self.client.find(Locator::Css("body")).await.ok()?;
        let text = body.text().await.ok()?;
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Signs in through the login page (the caller waits for where it leads).
    pub async fn log_in(&self, login: &str, password: &str) {
        self.goto("/connexion").await;
        self.fill("#login", login).await;
        self.fill("#password", password).await;
        self.click_text("Je me connecte").await;
    }

    /// Waits (up to 10 s) for the page to show `needle`: a click may still be navigating.
    pub async fn assert_text(&self, needle: &str) {
        let mut last = String::new();
        for _ in 0..100 {
            if let Some(text) = self.try_text().await {
                if text.contains(needle) {
                    return;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} does not show {needle:?}:\n{last}", self.path().await);
    }

    /// Finds an element, waiting (up to 10 s) for a navigation in progress to finish.
    pub async fn find(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        let mut last = None;
        for _ in 0..100 {
            match self.client.find(locator).await {
                Ok(el) => return el,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{locator:?} not found on {}: {last:?}", self.path().await);
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let el = self.find(Locator::Css(css)).await;
        el.clear().await.unwrap();
        el.send_keys(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(Locator::Css(css)).await.click().await.unwrap();
    }

    /// Clicks a button, link or disclosure by its visible text.
    pub async fn click_text(&self, text: &str) {
        let quoted = if text.contains('\'') {
            format!("\"{text}\"")
        } else {
            format!("'{text}'")
        };
        let xpath = format!(
            "//*[(self::button or self::a or self::summary) and normalize-space(.)={quoted}]"
        );
        self.find(Locator::XPath(&xpath))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Runs axe-core on the current page; fails on any serious or critical violation, or when
    /// the page scrolls sideways. `ACQUIS_BROWSER_WIDTH=320` also checks the page at a phone's
    /// width (CI does); `ACQUIS_SCREENSHOTS=<dir>` saves a full-page screenshot of it, at that
    /// width, for looking at it.
    pub async fn assert_accessible(&self) {
        let width = std::env::var("ACQUIS_BROWSER_WIDTH")
            .ok()
            .and_then(|w| w.parse().ok())
            .unwrap_or(1280);
        let screenshots = std::env::var("ACQUIS_SCREENSHOTS").ok();
        let resized = width != 1280 || screenshots.is_some();
        if resized {
            self.client
                .set_window_size(width, 900)
                .await
                .expect("resize the window");
            self.assert_no_sideways_scroll().await;
            if width != 1280 {
                // At a phone's width too, as the page is then laid out.
                self.assert_axe().await;
            }
        }
        if let Some(dir) = screenshots {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = self.path().await.replace(['/', '?', '=', '&'], "_");
            // The whole page, not its first screen: what is below the fold is looked at too.
            let height = self
                .client
                .execute("return document.documentElement.scrollHeight", vec![])
                .await
                .ok()
                .and_then(|h| h.as_u64())
                .unwrap_or(900)
                .clamp(900, 8000) as u32;
            let _ = self.client.set_window_size(width, height + 120).await;
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(format!("{dir}/{n:02}{name}.png"), png);
            }
        }
        if resized {
            self.client
                .set_window_size(1280, 900)
                .await
                .expect("restore the window");
        }
        self.assert_axe().await;
        self.assert_no_sideways_scroll().await;
    }

    /// axe-core on the page as it is laid out now: no serious or critical violation.
    async fn assert_axe(&self) {
        self.client
            .execute(AXE, vec![])
            .await
            .expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(' ')) }))))
                    .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        let violations = result.as_array().cloned().unwrap_or_default();
        let blocking: Vec<_> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious") | Some("critical")))
            .collect();
        assert!(
            blocking.is_empty(),
            "accessibility violations on {}: {}",
            self.path().await,
            serde_json::to_string_pretty(&blocking).unwrap()
        );
    }

    /// Nothing widens the page past the window (a table, a hidden label escaping its box, a long
    /// word): the page never scrolls sideways. The failure names the element that sticks out
    /// furthest, as CI's log is all there is to go on.
    async fn assert_no_sideways_scroll(&self) {
        let measured = self
            .client
            .execute(
                r#"const d = document.documentElement;
                   const over = d.scrollWidth - d.clientWidth;
                   let worst = null, right = d.clientWidth;
                   // What a scrolling box clips does not widen the page.
                   const clipped = (e) => {
                     for (let a = e.parentElement; a; a = a.parentElement)
                       if (getComputedStyle(a).overflowX !== 'visible') return true;
                     return false;
                   };
                   if (over > 0) for (const e of document.body.querySelectorAll('*')) {
                     if (clipped(e)) continue;
                     // Text sticks out of its element without widening the element's box.
                     const b = e.getBoundingClientRect();
                     const scrolls = getComputedStyle(e).overflowX !== 'visible';
                     const r = scrolls ? b.right : Math.max(b.right, b.left + e.scrollWidth);
                     if (r >= right && r > d.clientWidth) { right = r; worst = e; }
                   }
                   const name = worst ? worst.tagName.toLowerCase()
                     + (worst.className && typeof worst.className === 'string' ? '.' + worst.className.trim().split(/\s+/).join('.') : '')
                     + ' « ' + (worst.textContent || '').trim().slice(0, 80) + ' »' : '';
                   return [over, name];"#,
                vec![],
            )
            .await
            .expect("measure the page");
        let over = measured[0].as_i64().unwrap_or(0);
        assert!(
            over <= 0,
            "{} scrolls sideways by {over} px; widest: {}",
            self.path().await,
            measured[1].as_str().unwrap_or("?")
        );
    }

    /// The current page laid out at `width` px does not scroll sideways; the window is restored.
    pub async fn assert_fits(&self, width: u32) {
        self.client
            .set_window_size(width, 900)
            .await
            .expect("resize the window");
        self.assert_no_sideways_scroll().await;
        self.client
            .set_window_size(1280, 900)
            .await
            .expect("restore the window");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.kill_driver();
    }

    fn kill_driver(&mut self) {
        if let Some(mut d) = self.driver.take() {
            let _ = Command::new("kill")
                .args(["-9", "--", &format!("-{}", d.id())])
                .status();
            let _ = d.wait();
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.kill_driver();
    }
}
