//! Where mail goes: an SMTP server, or `.eml` files in the outbox folder when none is set.

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The outcome of a failed hand-over.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (connection refused, 4xx, timeout).
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help (5xx: no such mailbox, refused sender).
    #[error("{0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::Outbox(_, dir) => write!(f, "Transport::Outbox({})", dir.display()),
        }
    }
}

impl Transport {
    /// SMTP when a URL is given, the outbox folder otherwise. At most `connections` SMTP
    /// connections are kept (one per concurrent sender: a relay that serves few connections at
    /// a time is never left waiting on idle ones), and an idle one is closed after 10 s.
    pub fn new(
        smtp_url: Option<&str>,
        outbox: &std::path::Path,
        connections: u32,
    ) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("TERBUKA_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .pool_config(
                        PoolConfig::new()
                            .max_size(connections.max(1))
                            .idle_timeout(Duration::from_secs(10)),
                    )
                    .build();
                Ok(Transport::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(outbox).map_err(|e| {
                    anyhow::anyhow!(
                        "TERBUKA_OUTBOX_DIR: cannot create {}: {e}",
                        outbox.display()
                    )
                })?;
                Ok(Transport::Outbox(
                    AsyncFileTransport::new(outbox),
                    outbox.to_path_buf(),
                ))
            }
        }
    }

    /// Hands the message over; `Ok` means the server accepted it (or the file is written).
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Transport::Outbox(file, _) => file
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Transient(e.to_string())),
        }
    }
}

#[cfg(test)]
mod address_tests {
    /// Every address the domain takes, the transport takes: a form never accepts an address
    /// whose mail would then fail to build.
    #[test]
    fn the_domain_takes_an_address_only_when_the_transport_does() {
        for raw in [
            "sekretariat@bojonegorokab.go.id",
            "a.b+c@example.org",
            "user@[127.0.0.1]",
            "warga@bücher.de",
            "o'brien@example.id",
            "a@b..id",
            "a@-b.id",
            "ab@c.id.",
            "\"quoted\"@example.id",
            "x@y.z",
            "üser@example.id",
        ] {
            if let Some(a) = entity::notify::Address::parse(raw) {
                assert!(
                    a.as_str().parse::<lettre::Address>().is_ok(),
                    "{raw:?} passes the domain but not the transport"
                );
            }
        }
        // And the ordinary ones pass both (the check above is not vacuous).
        for good in [
            "sekretariat@bojonegorokab.go.id",
            "a.b+c@example.org",
            "warga@bücher.de",
        ] {
            let a = entity::notify::Address::parse(good).expect(good);
            assert!(a.as_str().parse::<lettre::Address>().is_ok(), "{good}");
        }
    }
}
