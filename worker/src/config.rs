//! What the worker (and the mail it sends) needs to know. The API's configuration contains
//! this one, so both processes read the same variables the same way.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use entity::Clock;

use crate::env::{ConfigError, Env};

/// The secret used outside production when none is given. Production refuses it.
pub const DEVELOPMENT_SECRET: &str = "terbuka-development-secret-do-not-use-in-production";

/// Whether this is a production deployment (stricter rules) or development/demo/test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

#[derive(Clone, Debug)]
pub struct WorkerConfig {
    pub mode: Mode,
    pub database_url: String,
    pub db_max_connections: u32,
    /// Base URL people reach the service at; links in mail start with it.
    pub public_url: String,
    /// Base URL of the admin app, where invitation and password-reset links lead.
    pub app_url: String,
    pub secret: Vec<u8>,
    pub clock: Clock,
    /// `smtp://host:port`, `smtps://user:pass@host`, `smtp://host?tls=required`; none writes
    /// `.eml` files to `outbox_dir`.
    pub smtp_url: Option<String>,
    pub outbox_dir: PathBuf,
    pub mail_from: String,
    /// Shared directory for evidence files and reports (content-addressed).
    pub blob_dir: PathBuf,
    /// Unique per process: claims and leases name it.
    pub worker_id: String,
    /// How often an idle worker looks for new jobs.
    pub poll_interval: Duration,
    /// A job whose worker stopped heart-beating this long ago is queued again.
    pub orphan_after: Duration,
    /// How long a claim on a message holds before another sender may take it over.
    pub mail_lease: Duration,
    /// Sending attempts per message before it ends failed.
    pub mail_attempts: u32,
    /// The first retry waits this long; each next one twice as long (capped at 10 minutes).
    pub mail_backoff: Duration,
    pub mail_concurrency: usize,
    /// Run the scheduler (digests and deadline alerts) in this process.
    pub scheduler: bool,
    /// How often the scheduler looks for due ticks.
    pub schedule_every: Duration,
    /// The local hour digests and alerts are prepared at (the member's time zone).
    pub digest_hour: u32,
    /// How far back missed digest periods are caught up after downtime.
    pub catch_up_days: i64,
    /// Days before a deadline that an alert goes out (besides the day itself and overdue).
    pub alert_offsets: Vec<i64>,
    /// How many days before a public event its invitation must be out (MR 3).
    pub invitation_lead_days: i64,
    /// How many days after an event its minutes are due.
    pub minutes_due_days: i64,
    /// How long a claim on a scheduler tick holds before another process may take it over.
    pub tick_lease: Duration,
    /// A report's claim lasts this long past the worker's last sign of life (it is renewed
    /// while the report renders, so a long report is never taken over from a live worker).
    pub report_lease: Duration,
    /// Tries per report before it ends failed.
    pub report_attempts: u32,
    /// Reports rendered at once per process (rendering uses a whole core).
    pub report_concurrency: usize,
    /// Hard bounces after which an address's mail from a member is held.
    pub bounce_limit: u32,
    /// A maildir folder the mail server delivers bounces to; its `new/` messages are read,
    /// recorded and moved to `cur/`.
    pub bounce_maildir: Option<PathBuf>,
}

/// "30,14,7,3,1" → [30, 14, 7, 3, 1] (each 1..=365, largest first).
fn alert_offsets(raw: &str) -> Result<Vec<i64>, ConfigError> {
    let mut offsets = vec![];
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(n) if (1..=365).contains(&n) => offsets.push(n),
            _ => {
                return Err(ConfigError::new(
                    "TERBUKA_ALERT_OFFSETS",
                    format!("{part:?} is not a number of days between 1 and 365"),
                ));
            }
        }
    }
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    offsets.dedup();
    Ok(offsets)
}

impl WorkerConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let mode = match env.string("TERBUKA_MODE", "development").as_str() {
            "development" | "dev" => Mode::Development,
            "production" | "prod" => Mode::Production,
            other => {
                return Err(ConfigError::new(
                    "TERBUKA_MODE",
                    format!("expected development or production, got {other:?}"),
                ));
            }
        };
        let database_url = env.string("TERBUKA_DATABASE_URL", "sqlite://terbuka.db?mode=rwc");
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "TERBUKA_DATABASE_URL",
                "expected a sqlite:// or postgres:// URL",
            ));
        }
        let public_url = env
            .string("TERBUKA_PUBLIC_URL", "http://localhost:8080")
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::new(
                "TERBUKA_PUBLIC_URL",
                "expected an http:// or https:// URL",
            ));
        }
        let app_url = env
            .get("TERBUKA_APP_URL")
            .unwrap_or_else(|| public_url.clone())
            .trim_end_matches('/')
            .to_owned();
        if !(app_url.starts_with("http://") || app_url.starts_with("https://")) {
            return Err(ConfigError::new(
                "TERBUKA_APP_URL",
                "expected an http:// or https:// URL",
            ));
        }
        let secret = env
            .get("TERBUKA_SECRET")
            .unwrap_or_else(|| DEVELOPMENT_SECRET.to_owned());
        let clock = match env.get("TERBUKA_CLOCK") {
            None => Clock::system(),
            Some(raw) => {
                let at = parse_instant(&raw).map_err(|m| ConfigError::new("TERBUKA_CLOCK", m))?;
                if env.flag("TERBUKA_CLOCK_FROZEN", false)? {
                    Clock::fixed(at)
                } else {
                    Clock::starting_at(at)
                }
            }
        };
        let smtp_url = env.get("TERBUKA_SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError::new(
                "TERBUKA_SMTP_URL",
                "expected smtp://host:port or smtps://host",
            ));
        }
        let mail_from = env.string(
            "TERBUKA_MAIL_FROM",
            "Pemerintahan Terbuka <noreply@localhost>",
        );
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::new(
                "TERBUKA_MAIL_FROM",
                format!("{mail_from:?} is not a mail address"),
            ));
        }
        let config = Self {
            mode,
            db_max_connections: env.number("TERBUKA_DB_MAX_CONNECTIONS", 10, 2, 500)? as u32,
            database_url,
            public_url,
            app_url,
            secret: secret.into_bytes(),
            clock,
            smtp_url,
            outbox_dir: PathBuf::from(env.string("TERBUKA_OUTBOX_DIR", "outbox")),
            mail_from,
            blob_dir: PathBuf::from(env.string("TERBUKA_BLOB_DIR", "files")),
            worker_id: env
                .get("TERBUKA_WORKER_ID")
                .unwrap_or_else(default_worker_id),
            poll_interval: Duration::from_millis(env.number(
                "TERBUKA_WORKER_POLL_MS",
                250,
                10,
                60_000,
            )?),
            orphan_after: Duration::from_secs(env.number(
                "TERBUKA_JOB_ORPHAN_SECS",
                120,
                5,
                86_400,
            )?),
            mail_lease: Duration::from_secs(env.number(
                "TERBUKA_MAIL_LEASE_SECS",
                120,
                5,
                3_600,
            )?),
            mail_attempts: env.number("TERBUKA_MAIL_ATTEMPTS", 8, 1, 50)? as u32,
            mail_backoff: Duration::from_millis(env.number(
                "TERBUKA_MAIL_BACKOFF_MS",
                2_000,
                10,
                600_000,
            )?),
            mail_concurrency: env.number("TERBUKA_MAIL_CONCURRENCY", 8, 1, 256)? as usize,
            scheduler: env.flag("TERBUKA_SCHEDULER", true)?,
            schedule_every: Duration::from_millis(env.number(
                "TERBUKA_SCHEDULE_MS",
                60_000,
                100,
                3_600_000,
            )?),
            digest_hour: env.number("TERBUKA_DIGEST_HOUR", 7, 0, 23)? as u32,
            catch_up_days: env.number("TERBUKA_CATCH_UP_DAYS", 7, 0, 60)? as i64,
            alert_offsets: alert_offsets(&env.string("TERBUKA_ALERT_OFFSETS", "30,14,7,3,1"))?,
            invitation_lead_days: env.number("TERBUKA_INVITATION_LEAD_DAYS", 14, 0, 365)? as i64,
            minutes_due_days: env.number("TERBUKA_MINUTES_DUE_DAYS", 7, 0, 365)? as i64,
            tick_lease: Duration::from_secs(env.number(
                "TERBUKA_TICK_LEASE_SECS",
                300,
                1,
                86_400,
            )?),
            report_lease: Duration::from_secs(env.number(
                "TERBUKA_REPORT_LEASE_SECS",
                30,
                2,
                3_600,
            )?),
            report_attempts: env.number("TERBUKA_REPORT_ATTEMPTS", 3, 1, 20)? as u32,
            report_concurrency: env.number("TERBUKA_REPORT_CONCURRENCY", 1, 1, 16)? as usize,
            bounce_limit: env.number(
                "TERBUKA_BOUNCE_LIMIT",
                entity::notify::bounce::DEFAULT_LIMIT as u64,
                1,
                100,
            )? as u32,
            bounce_maildir: env.get("TERBUKA_BOUNCE_MAILDIR").map(PathBuf::from),
        };
        config.check_production()?;
        Ok(config)
    }

    /// Production refuses what is only safe on a developer's machine.
    fn check_production(&self) -> Result<(), ConfigError> {
        if self.mode != Mode::Production {
            return Ok(());
        }
        let secret = String::from_utf8_lossy(&self.secret);
        if secret == DEVELOPMENT_SECRET {
            return Err(ConfigError::new(
                "TERBUKA_SECRET",
                "production needs its own secret (at least 32 random characters)",
            ));
        }
        if self.secret.len() < 32 {
            return Err(ConfigError::new(
                "TERBUKA_SECRET",
                "must be at least 32 characters in production",
            ));
        }
        if !self.clock.is_system() {
            return Err(ConfigError::new(
                "TERBUKA_CLOCK",
                "a set clock is for demos and tests; production runs on the system clock",
            ));
        }
        if !self.public_url.starts_with("https://") {
            return Err(ConfigError::new(
                "TERBUKA_PUBLIC_URL",
                "production links in mail must use https://",
            ));
        }
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// `2018-08-01T09:00+07:00`, `2018-08-01T09:00:00+07:00` or `...Z`.
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    DateTime::<FixedOffset>::parse_from_str(raw, "%Y-%m-%dT%H:%M%:z")
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{raw:?} is not a date-time such as 2018-08-01T09:00+07:00"))
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".to_owned());
    format!(
        "{host}-{}-{:04x}",
        std::process::id(),
        rand::random::<u16>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_unsafe_settings() {
        let mut env = Env::from_pairs([
            ("TERBUKA_MODE", "production"),
            ("TERBUKA_PUBLIC_URL", "https://terbuka.example.go.id"),
        ]);
        assert_eq!(
            WorkerConfig::from_env(&env).unwrap_err().var,
            "TERBUKA_SECRET"
        );
        env.set("TERBUKA_SECRET", "x".repeat(40));
        assert!(WorkerConfig::from_env(&env).is_ok());
        env.set("TERBUKA_CLOCK", "2018-08-01T09:00+07:00");
        assert_eq!(
            WorkerConfig::from_env(&env).unwrap_err().var,
            "TERBUKA_CLOCK"
        );
    }

    #[test]
    fn the_clock_can_be_set_outside_production() {
        let env = Env::from_pairs([
            ("TERBUKA_CLOCK", "2018-08-01T09:00+07:00"),
            ("TERBUKA_CLOCK_FROZEN", "true"),
        ]);
        let config = WorkerConfig::from_env(&env).unwrap();
        assert_eq!(config.clock.now().to_rfc3339(), "2018-08-01T02:00:00+00:00");
        let bad = Env::from_pairs([("TERBUKA_CLOCK", "yesterday")]);
        assert_eq!(
            WorkerConfig::from_env(&bad).unwrap_err().var,
            "TERBUKA_CLOCK"
        );
    }
}
