//! The API's configuration: the worker's (database, mail, clock, secret) plus HTTP, GraphQL
//! and start-up settings. Every variable is documented in `.env.example`.

use std::net::SocketAddr;

use worker::WorkerConfig;
use worker::config::Mode;
use worker::env::{ConfigError, Env};

#[derive(Clone, Debug)]
pub struct Config {
    pub worker: WorkerConfig,
    pub bind: SocketAddr,
    /// Run the worker inside this process (the all-in-one mode).
    pub run_worker: bool,
    /// Load the Bojonegoro demo data on first start.
    pub demo: bool,
    pub graphiql: bool,
    pub limits: SchemaLimits,
    /// Largest JSON request body.
    pub max_json_bytes: usize,
    pub log_json: bool,
    pub log_filter: String,
    /// Browser origins allowed to call the API (the admin SPA, the public site).
    pub cors_origins: Vec<String>,
    /// The first operator, created on a first start when none exists.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Largest multipart (upload) request, and most files in one.
    pub max_upload_bytes: usize,
    pub max_upload_files: usize,
    /// The largest file the evidence repository takes (TERBUKA_MAX_FILE_BYTES, 10 MiB).
    pub max_file_bytes: usize,
    /// How many days before a public event its invitation must be out (MR 3; TERBUKA_INVITATION_LEAD_DAYS, 14).
    pub invitation_lead_days: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (per-client rate limits).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Keep computed plan dashboards while the member's data revision is unchanged.
    pub dashboard_cache: bool,
    /// Read `plan(id)` with its commitments, milestones and their organisations in one
    /// statement (TERBUKA_COMPILED_READS, on); off, every level is read by its loader.
    pub compiled_reads: bool,
    /// The shared secret a mail server presents to post bounces to `/mail/bounces`
    /// (`Authorization: Bearer …`); none turns the endpoint off.
    pub bounce_secret: Option<String>,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let worker = WorkerConfig::from_env(env)?;
        let production = worker.mode == Mode::Production;
        let bind = env
            .string("TERBUKA_BIND", "127.0.0.1:8080")
            .parse::<SocketAddr>()
            .map_err(|_| {
                ConfigError::new("TERBUKA_BIND", "expected an address such as 127.0.0.1:8080")
            })?;
        let demo = env.flag("TERBUKA_DEMO", !production)?;
        if production && demo {
            return Err(ConfigError::new(
                "TERBUKA_DEMO",
                "demo data (with its documented demo logins) is refused in production",
            ));
        }
        let log_json = match env.string("TERBUKA_LOG_FORMAT", "text").as_str() {
            "text" => false,
            "json" => true,
            other => {
                return Err(ConfigError::new(
                    "TERBUKA_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ));
            }
        };
        let cors_origins = env
            .get("TERBUKA_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for origin in &cors_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(ConfigError::new(
                    "TERBUKA_CORS_ORIGINS",
                    format!("{origin:?} is not an origin such as https://admin.example.go.id"),
                ));
            }
        }
        let mut trusted_proxies = vec![];
        for ip in env
            .get("TERBUKA_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            trusted_proxies.push(ip.parse().map_err(|_| {
                ConfigError::new(
                    "TERBUKA_TRUSTED_PROXIES",
                    format!("{ip:?} is not an IP address such as 127.0.0.1"),
                )
            })?);
        }
        let bounce_secret = env
            .get("TERBUKA_BOUNCE_SECRET")
            .filter(|s| !s.trim().is_empty());
        if bounce_secret.as_ref().is_some_and(|s| s.len() < 16) {
            return Err(ConfigError::new(
                "TERBUKA_BOUNCE_SECRET",
                "must be at least 16 characters (the mail server presents it to post bounces)",
            ));
        }
        Ok(Self {
            bind,
            trusted_proxies,
            bounce_secret,
            dashboard_cache: env.flag("TERBUKA_DASHBOARD_CACHE", true)?,
            compiled_reads: env.flag("TERBUKA_COMPILED_READS", true)?,
            run_worker: env.flag("TERBUKA_RUN_WORKER", true)?,
            demo,
            graphiql: env.flag("TERBUKA_GRAPHIQL", true)?,
            limits: SchemaLimits {
                depth: env.number("TERBUKA_GRAPHQL_MAX_DEPTH", 15, 3, 100)? as usize,
                complexity: env.number("TERBUKA_GRAPHQL_MAX_COMPLEXITY", 5000, 100, 1_000_000)?
                    as usize,
                complexity_signed_in: env.number(
                    "TERBUKA_GRAPHQL_MAX_COMPLEXITY_SIGNED_IN",
                    50_000,
                    100,
                    10_000_000,
                )? as usize,
                aliases: env.number("TERBUKA_GRAPHQL_MAX_ALIASES", 10, 0, 1000)? as usize,
                introspection: env.flag("TERBUKA_INTROSPECTION", true)?,
            },
            max_json_bytes: env.number("TERBUKA_MAX_JSON_BYTES", 1 << 20, 1024, 64 << 20)? as usize,
            log_json,
            log_filter: env.string("TERBUKA_LOG", "info,sqlx=warn,apalis=warn,sea_orm=warn"),
            cors_origins,
            admin_email: env.get("TERBUKA_ADMIN_EMAIL"),
            admin_password: env.get("TERBUKA_ADMIN_PASSWORD"),
            max_upload_bytes: env.number("TERBUKA_MAX_UPLOAD_BYTES", 25 << 20, 1024, 1 << 30)?
                as usize,
            max_upload_files: env.number("TERBUKA_MAX_UPLOAD_FILES", 5, 1, 100)? as usize,
            max_file_bytes: env.number("TERBUKA_MAX_FILE_BYTES", 10 << 20, 1024, 1 << 30)? as usize,
            invitation_lead_days: worker.invitation_lead_days,
            worker,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_name_the_variable() {
        let env = Env::from_pairs([("TERBUKA_BIND", "everywhere")]);
        assert_eq!(Config::from_env(&env).unwrap_err().var, "TERBUKA_BIND");
        let env = Env::from_pairs([
            ("TERBUKA_MODE", "production"),
            ("TERBUKA_SECRET", "0123456789abcdef0123456789abcdef"),
            ("TERBUKA_PUBLIC_URL", "https://terbuka.example.go.id"),
            ("TERBUKA_DEMO", "true"),
        ]);
        assert_eq!(Config::from_env(&env).unwrap_err().var, "TERBUKA_DEMO");
    }

    /// Every `TERBUKA_*` variable the code reads is documented in `.env.example`.
    #[test]
    fn every_variable_is_documented() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let example = std::fs::read_to_string(format!("{root}/.env.example")).unwrap();
        let mut missing = Vec::new();
        for file in [
            "api/src/config.rs",
            "worker/src/config.rs",
            "api/src/cli.rs",
        ] {
            let source = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
            for (i, _) in source.match_indices("\"TERBUKA_") {
                let name: String = source[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                    .collect();
                if name.ends_with('_') {
                    continue;
                }
                if !example.contains(&format!("{name}=")) && !missing.contains(&name) {
                    missing.push(name);
                }
            }
        }
        assert!(missing.is_empty(), "not in .env.example: {missing:?}");
    }

    #[test]
    fn defaults_run_everything_in_one_process_with_the_demo() {
        let config = Config::from_env(&Env::default()).unwrap();
        assert!(config.run_worker && config.demo);
        assert_eq!(config.worker.database_url, "sqlite://terbuka.db?mode=rwc");
        assert_eq!(config.bind.port(), 8080);
    }
}

/// Limits of the GraphQL schema that come from configuration.
#[derive(Clone, Copy, Debug)]
pub struct SchemaLimits {
    pub depth: usize,
    /// For anonymous requests (the public website, anyone).
    pub complexity: usize,
    /// For signed-in requests (the partnership's people): a plan of 50 commitments with 50
    /// milestones each fits; three nested connections of 50 (125,000 rows) do not.
    pub complexity_signed_in: usize,
    pub aliases: usize,
    pub introspection: bool,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        Self {
            depth: 15,
            complexity: 5000,
            complexity_signed_in: 50_000,
            aliases: 10,
            introspection: true,
        }
    }
}
