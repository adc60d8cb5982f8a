//! A real browser for the tests: Debian's headless Chromium, driven over the DevTools protocol
//! (a WebSocket, no driver binary). Chromium is started with every outside name unresolvable
//! (only 127.0.0.1 is reachable) and every request the page makes is recorded, so a test can
//! show that a page works with no outside network and loads nothing from elsewhere.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Where Chromium is: `TERBUKA_CHROMIUM`, else the usual names on `PATH`. On a machine without
/// it (and with Debian's apt as root), it is installed once: `apt-get install chromium`.
fn chromium() -> PathBuf {
    static FOUND: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Ok(p) = std::env::var("TERBUKA_CHROMIUM") {
                return PathBuf::from(p);
            }
            let find = || {
                ["chromium", "chromium-browser", "google-chrome"]
                    .iter()
                    .find_map(|name| {
                        std::env::var_os("PATH").and_then(|paths| {
                            std::env::split_paths(&paths)
                                .map(|d| d.join(name))
                                .find(|p| p.is_file())
                        })
                    })
            };
            if let Some(p) = find() {
                return p;
            }
            eprintln!(
                "Chromium is not installed; installing Debian's chromium for the browser tests"
            );
            let status = Command::new("apt-get")
                .args(["install", "-y", "-q", "--no-install-recommends", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status();
            match (status, find()) {
                (Ok(s), Some(p)) if s.success() => p,
                (s, _) => panic!(
                    "the browser tests need Chromium (Debian: `apt-get install chromium`, or set \
                     TERBUKA_CHROMIUM to its path); installing it failed: {s:?}"
                ),
            }
        })
        .clone()
}

/// One headless Chromium with one page.
pub struct Browser {
    child: Child,
    ws: Ws,
    session: String,
    next_id: u64,
    /// Every event the page sent (network requests, console messages, exceptions).
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium (a fresh profile) with a `width`×`height` page.
    pub async fn launch(width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-port=0",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                &format!("--window-size={width},{height}"),
                &format!("--user-data-dir={}", profile.path().display()),
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Chromium starts");
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…" on stderr.
        let stderr = tokio::process::ChildStderr::from_std(child.stderr.take().unwrap()).unwrap();
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(at) = line.find("ws://") {
                    return line[at..].trim().to_owned();
                }
            }
            panic!("Chromium exited before it listened");
        })
        .await
        .expect("Chromium listens within 30 s");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap();
        let mut b = Browser {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            events: vec![],
            _profile: profile,
        };
        let target = b
            .call("Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = b
            .call(
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        b.session = attached["sessionId"].as_str().unwrap().to_owned();
        for domain in [
            "Page.enable",
            "Network.enable",
            "Runtime.enable",
            "Log.enable",
        ] {
            b.page(domain, json!({})).await;
        }
        b.page(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        )
        .await;
        b
    }

    async fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(left, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within 60 s"));
            let Some(Ok(Message::Text(text))) = next else {
                continue;
            };
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.send(None, method, params).await
    }

    /// A command to the page.
    pub async fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params).await
    }

    /// Opens `url` and waits for its load event.
    pub async fn goto(&mut self, url: &str) {
        let before = self.events.len();
        self.page("Page.navigate", json!({"url": url})).await;
        self.wait_for_event("Page.loadEventFired", before).await;
    }

    async fn wait_for_event(&mut self, method: &str, from: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.events[from..].iter().any(|e| e["method"] == method) {
            assert!(Instant::now() < deadline, "no {method} within 30 s");
            // Any command lets pending events arrive.
            self.page("Runtime.evaluate", json!({"expression": "1"}))
                .await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The value of a JavaScript expression (promises awaited).
    pub async fn eval(&mut self, expression: &str) -> Value {
        let r = self
            .page(
                "Runtime.evaluate",
                json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expression}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy; its value.
    pub async fn wait_until(&mut self, expression: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let v = self.eval(expression).await;
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            if Instant::now() > deadline {
                let text = self
                    .eval("document.body ? document.body.innerText : ''")
                    .await;
                let sockets: Vec<String> = self
                    .events
                    .iter()
                    .filter(|e| {
                        e["method"]
                            .as_str()
                            .is_some_and(|m| m.starts_with("Network.webSocket"))
                    })
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["method"],
                            e["params"]["response"]["payloadData"]
                                .as_str()
                                .or(e["params"]["url"].as_str())
                                .unwrap_or("")
                        )
                    })
                    .collect();
                panic!(
                    "{expression} stayed false for {within:?}; the page shows: {text}\n\
                     requests: {:?}\nweb sockets: {sockets:?}\nerrors: {:?}",
                    self.requested()
                        .iter()
                        .filter(|u| !u.starts_with("data:"))
                        .collect::<Vec<_>>(),
                    self.errors()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every URL the page asked for.
    pub fn requested(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// Console errors, uncaught exceptions and blocked loads (a CSP refusal is one).
    pub fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str() {
                Some("Runtime.exceptionThrown") => {
                    Some(e["params"]["exceptionDetails"].to_string())
                }
                Some("Log.entryAdded") if e["params"]["entry"]["level"] == "error" => {
                    Some(e["params"]["entry"]["text"].to_string())
                }
                Some("Runtime.consoleAPICalled") if e["params"]["type"] == "error" => {
                    Some(e["params"]["args"].to_string())
                }
                Some("Network.loadingFailed") => Some(e["params"].to_string()),
                _ => None,
            })
            .collect()
    }

    /// A PNG of the page as it is shown, saved under the target directory for a person to
    /// look at; its bytes.
    pub async fn screenshot(&mut self, name: &str) -> Vec<u8> {
        use base64::Engine;
        let shot = self
            .page(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true}),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
        png
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
