//! `spawn_app()`: the real server on a random port with a fresh database, an in-process SMTP
//! server and a set clock; helpers that speak HTTP + GraphQL to it.

use std::net::SocketAddr;
use std::sync::Once;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::Clock;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;
use worker::db::StatementCounter;
use worker::env::Env;

use crate::db;
use crate::smtp::SmtpServer;

/// The demo story's "now": Wednesday 1 August 2018, 09:00 WIB.
pub fn demo_now() -> DateTime<Utc> {
    worker::config::parse_instant("2018-08-01T09:00+07:00").unwrap()
}

/// Options of a spawned app.
pub struct Options {
    pub demo: bool,
    pub run_worker: bool,
    pub clock: DateTime<Utc>,
    /// Extra `TERBUKA_*` variables.
    pub env: Vec<(String, String)>,
    /// The embedded default (SQLite) even when the suite runs on PostgreSQL.
    pub sqlite: bool,
    /// An existing database (its URL and blob directory) instead of a fresh one: nothing is
    /// added to it (no operator account, no session), and it is not dropped.
    pub existing: Option<(String, std::path::PathBuf)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            demo: false,
            run_worker: true,
            clock: demo_now(),
            env: Vec::new(),
            sqlite: false,
            existing: None,
        }
    }
}

pub struct TestApp {
    #[allow(dead_code)] // for tests that open their own connections
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub db: DatabaseConnection,
    pub statements: StatementCounter,
    pub smtp: SmtpServer,
    #[allow(dead_code)] // for tests that start other processes on this database
    pub database_url: String,
    /// The variables this app was configured with (to start another process alike).
    pub env: Vec<(String, String)>,
    pub dir: tempfile::TempDir,
    /// A session token of the deployment's operator (who may do everything).
    pub operator: String,
    pub operator_id: Uuid,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    pg: Option<(String, String)>,
}

fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            worker::telemetry::init(false, "info,sqlx=warn,apalis=warn");
        }
    });
}

/// Whether this run tests PostgreSQL.
pub fn on_postgres() -> bool {
    db::postgres_url().is_some()
}

/// A fresh database URL (and, on PostgreSQL, what to drop afterwards).
pub async fn fresh_database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match db::postgres_url() {
        Some(admin) => {
            let (url, name) = db::create_postgres(&admin).await;
            (url, Some((admin, name)))
        }
        None => (
            format!("sqlite://{}?mode=rwc", dir.join("terbuka.db").display()),
            None,
        ),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start();
    let (database_url, pg) = match &options.existing {
        Some((url, _)) => (url.clone(), None),
        None if options.sqlite => (
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("terbuka.db").display()
            ),
            None,
        ),
        None => fresh_database(dir.path()).await,
    };
    let blob_dir = match &options.existing {
        Some((_, blobs)) => blobs.clone(),
        None => dir.path().join("files"),
    };
    let mut vars: Vec<(String, String)> = vec![
        ("TERBUKA_DATABASE_URL".into(), database_url.clone()),
        ("TERBUKA_SMTP_URL".into(), smtp.url()),
        (
            "TERBUKA_OUTBOX_DIR".into(),
            dir.path().join("outbox").display().to_string(),
        ),
        ("TERBUKA_BLOB_DIR".into(), blob_dir.display().to_string()),
        ("TERBUKA_DEMO".into(), options.demo.to_string()),
        ("TERBUKA_RUN_WORKER".into(), options.run_worker.to_string()),
        ("TERBUKA_CLOCK".into(), options.clock.to_rfc3339()),
        ("TERBUKA_CLOCK_FROZEN".into(), "true".into()),
        ("TERBUKA_WORKER_POLL_MS".into(), "50".into()),
        ("TERBUKA_MAIL_BACKOFF_MS".into(), "100".into()),
        ("TERBUKA_DB_MAX_CONNECTIONS".into(), "8".into()),
        ("TERBUKA_PUBLIC_URL".into(), "http://terbuka.test".into()),
        // Digests and alerts only where a test asks for them (they would add mail to count).
        ("TERBUKA_SCHEDULER".into(), "false".into()),
    ];
    for (k, v) in options.env {
        vars.retain(|(name, _)| *name != k);
        vars.push((k, v));
    }
    let config = api::Config::from_env(&Env::from_pairs(vars.clone())).expect("test config");
    let clock = config.worker.clock.clone();
    let prepared = api::app::prepare(config).await.expect("the app starts");
    let db = prepared.state.db.clone();
    let (operator_id, operator) = if options.existing.is_some() {
        (Uuid::nil(), String::new())
    } else {
        let id = api::operators::create_account(
            &db,
            "operator@terbuka.test",
            "Operator Uji",
            Some(password_hash().await),
            true,
            &[],
            clock.now(),
        )
        .await
        .unwrap();
        (id, session_for(&db, id).await)
    };
    let statements = prepared.statements.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(api::app::serve(prepared, listener, async move {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        base: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap(),
        clock,
        db,
        statements,
        smtp,
        database_url,
        env: vars,
        dir,
        operator,
        operator_id,
        shutdown: Some(tx),
        handle: Some(handle),
        pg,
    }
}

/// The password of every account the tests make.
pub const TEST_PASSWORD: &str = "kata-sandi-uji-2018";

/// The Argon2id hash of [`TEST_PASSWORD`], made once per process.
pub async fn password_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async {
        api::auth::hash_password(TEST_PASSWORD.into())
            .await
            .unwrap()
    })
    .await
    .clone()
}

/// A session for `account`, made directly (the login mutation has its own tests).
pub async fn session_for(db: &DatabaseConnection, account: Uuid) -> String {
    use entity::account_session;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let (token, hash) = api::auth::new_token();
    account_session::Entity::insert(account_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        token_hash: Set(hash),
        created_at: Set(entity::clock::real_now()),
        // Good for the whole test, whichever clock it sets.
        expires_at: Set(entity::clock::real_now() + chrono::Duration::days(36_500)),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    token
}

impl TestApp {
    /// Posts a GraphQL operation as the operator and returns the JSON response.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.operator.clone()), query, variables)
            .await
    }

    /// Posts a GraphQL operation as the holder of `token` (the public with `None`).
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = vec![];
        if let Some(a) = &auth {
            headers.push(("authorization", a));
        }
        self.raw_gql(query, variables, &headers).await
    }

    /// `data` of a response, as the holder of `token`, that must have no errors.
    pub async fn ok_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let res = self.gql_as(token, query, variables).await;
        assert!(res.get("errors").is_none(), "unexpected errors: {res}");
        res["data"].clone()
    }

    /// The payload of `mutation(input: …)` (of GraphQL type `input_type`) selecting
    /// `selection`, as the holder of `token`; the request itself must have no errors.
    pub async fn mutate_as(
        &self,
        token: Option<&str>,
        mutation: &str,
        input_type: &str,
        selection: &str,
        input: Value,
    ) -> Value {
        let q = format!(
            "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {selection} }} }}"
        );
        self.ok_as(token, &q, json!({"input": input})).await[mutation].clone()
    }

    /// Runs `mutation` as the holder of `token`, which must succeed without user errors, and
    /// answers the id and version of the record in the payload's `field`.
    pub async fn record_as(
        &self,
        token: Option<&str>,
        mutation: &str,
        input_type: &str,
        field: &str,
        input: Value,
    ) -> (String, i64) {
        let selection = format!("{field} {{ id version }} userErrors {{ field code message }}");
        let payload = self
            .mutate_as(token, mutation, input_type, &selection, input)
            .await;
        assert_eq!(payload["userErrors"], json!([]), "{mutation}: {payload}");
        let rec = &payload[field];
        (
            rec["id"].as_str().unwrap().to_owned(),
            rec["version"].as_i64().unwrap(),
        )
    }

    /// An account with `roles`, signed in: its id and session token.
    pub async fn account(
        &self,
        email: &str,
        roles: &[(Uuid, entity::role_grant::Role)],
    ) -> (Uuid, String) {
        let id = api::operators::create_account(
            &self.db,
            email,
            email,
            Some(password_hash().await),
            false,
            roles,
            self.clock.now(),
        )
        .await
        .unwrap();
        (id, session_for(&self.db, id).await)
    }

    /// Like [`gql`](Self::gql) (as the operator) with extra headers.
    pub async fn gql_with(&self, query: &str, variables: Value, headers: &[(&str, &str)]) -> Value {
        let auth = format!("Bearer {}", self.operator);
        let mut all = headers.to_vec();
        all.push(("authorization", &auth));
        self.raw_gql(query, variables, &all).await
    }

    /// Posts with exactly these headers.
    pub async fn raw_gql(&self, query: &str, variables: Value, headers: &[(&str, &str)]) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({"query": query, "variables": variables}));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("the server answers");
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(
            !status.is_server_error(),
            "server error {status} for {query}: {body}"
        );
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON ({status}): {body}"))
    }

    /// `data` of a response that must have no errors.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let res = self.gql(query, variables).await;
        assert!(res.get("errors").is_none(), "unexpected errors: {res}");
        res["data"].clone()
    }

    /// Posts a raw body.
    pub async fn post_raw(&self, body: Vec<u8>, content_type: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/graphql", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("the server answers")
    }

    /// Stops the server and drops the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((admin, name)) = self.pg.take() {
            db::drop_postgres(admin, name);
        }
    }
}

/// The first `userErrors` entry of a payload, or panics.
pub fn first_user_error(payload: &Value) -> &Value {
    payload["userErrors"]
        .as_array()
        .and_then(|a| a.first())
        .unwrap_or_else(|| panic!("expected a user error in {payload}"))
}

/// The `extensions.code` of the first top-level error.
pub fn error_code(res: &Value) -> String {
    res["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code in {res}"))
        .to_owned()
}

/// Runs `mutation` as the operator (fixtures): the id and version of the record in the
/// payload's `field`.
pub async fn make(
    app: &TestApp,
    mutation: &str,
    input_type: &str,
    field: &str,
    input: Value,
) -> (String, i64) {
    app.record_as(Some(&app.operator), mutation, input_type, field, input)
        .await
}

/// Runs the `terbuka` command (the test server's binary) with `args` and `env`, waited for
/// without blocking the test's runtime. An app the test serves runs on that runtime: a blocking
/// wait froze it, a write transaction it had open stayed open, and the command waited for
/// SQLite's write lock until it gave up ("database is locked", after five minutes).
pub async fn terbuka_cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_terbuka-test-server"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap()
}
