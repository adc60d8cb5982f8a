//! A real SMTP server in the test process (mailin-embedded, over TCP), keeping what it receives.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_parser::{Message, MessageParser};
use mailin_embedded::response::{INTERNAL_ERROR, NO_MAILBOX, OK};
use mailin_embedded::{Handler, Response, Server};

/// How the server answers a recipient. (Refusing at `RCPT` rather than after the data keeps
/// mailin's state machine in step with the client.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Accept = 0,
    /// 451: try again later.
    Transient = 1,
    /// 550: no such mailbox, for good.
    Permanent = 2,
}

/// One received message.
#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> Message<'_> {
        MessageParser::default()
            .parse(&self.raw)
            .expect("the message parses")
    }
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }
    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }
    /// A header's raw value, trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        let raw = String::from_utf8_lossy(&self.raw);
        let head = raw.split("\r\n\r\n").next().unwrap_or("");
        // Unfold continuation lines, then look the header up.
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// How the server answers particular recipients, whatever the mode.
type Refusals = Arc<Mutex<HashMap<String, Mode>>>;

#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
    refusals: Refusals,
    current: Vec<u8>,
    to: Vec<String>,
}

impl Handler for Collector {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        OK
    }
    fn rcpt(&mut self, to: &str) -> Response {
        let to = to.trim_matches(['<', '>']).to_lowercase();
        match self.refusals.lock().unwrap().get(&to) {
            Some(Mode::Transient) => return INTERNAL_ERROR,
            Some(Mode::Permanent) => return NO_MAILBOX,
            _ => {}
        }
        match self.mode.load(Ordering::SeqCst) {
            1 => INTERNAL_ERROR,
            2 => NO_MAILBOX,
            _ => OK,
        }
    }
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current.clear();
        self.to = to.to_vec();
        OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        self.inbox.lock().unwrap().push(Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.current),
        });
        OK
    }
}

/// The running server.
#[derive(Clone)]
pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
    refusals: Refusals,
}

impl SmtpServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(AtomicU8::new(Mode::Accept as u8));
        let refusals = Refusals::default();
        let handler = Collector {
            inbox: inbox.clone(),
            mode: mode.clone(),
            refusals: refusals.clone(),
            current: Vec::new(),
            to: Vec::new(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(handler);
            // A thread per open connection: every process of a test (the API's own worker and
            // worker processes, each pooling up to its concurrency) must find one, as a real
            // relay serves each (with eight, a restarted worker's connections waited for the
            // greeting behind the API worker's idle ones).
            server
                .with_name("smtp.test")
                .with_num_threads(48)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Self {
            addr,
            inbox,
            mode,
            refusals,
        }
    }

    /// Answers `address` as `mode` says from now on (`Accept` takes a refusal back).
    pub fn refuse(&self, address: &str, mode: Mode) {
        self.refusals
            .lock()
            .unwrap()
            .insert(address.to_lowercase(), mode);
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived (or panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let start = std::time::Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            if start.elapsed() > timeout {
                panic!(
                    "expected {n} messages within {timeout:?}, got {}",
                    got.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
