//! The real binary as an operator runs it: SIGTERM in the middle of a request lets the request
//! finish and the process exit 0 within 5 seconds.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// Starts `terbuka` (built in this package) on a fresh database; returns it and its address.
pub async fn start_server(
    extra: &[(&str, &str)],
) -> (
    std::process::Child,
    String,
    tempfile::TempDir,
    Option<(String, String)>,
) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(dir.path()).await;
    let mut env: Vec<(String, String)> = vec![
        ("TERBUKA_DATABASE_URL".into(), url),
        ("TERBUKA_DEMO".into(), "true".into()),
        (
            "TERBUKA_OUTBOX_DIR".into(),
            dir.path().join("outbox").display().to_string(),
        ),
        (
            "TERBUKA_BLOB_DIR".into(),
            dir.path().join("files").display().to_string(),
        ),
        ("TERBUKA_LOG".into(), "warn".into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let (child, addr) = serve(&env).await;
    (child, addr, dir, pg)
}

/// Starts `terbuka serve` with exactly `env` (and a port of its own); returns it and its
/// address once it listens.
pub async fn serve(env: &[(String, String)]) -> (std::process::Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_terbuka-test-server"));
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.env("TERBUKA_BIND", "127.0.0.1:0");
    let mut child = cmd.spawn().expect("the server binary starts");
    let stdout = child.stdout.take().unwrap();
    let addr = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let found = lines.by_ref().map_while(Result::ok).find_map(|l| {
            l.trim()
                .strip_prefix("GraphiQL: http://")
                .map(|a| a.trim_end_matches("/graphql").to_owned())
        });
        // Keep draining so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        found
    })
    .await
    .unwrap()
    .expect("the server prints where GraphiQL is");
    (child, addr)
}

#[tokio::test]
async fn sigterm_during_a_request_completes_it_and_exits_zero_within_five_seconds() {
    let (mut child, addr, _dir, pg) = start_server(&[]).await;
    let body = br#"{"query":"{ members { totalCount nodes { name } } }"}"#;
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // Half the body is on the wire when the signal comes.
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(rest).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut response))
        .await
        .expect("the response comes")
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Kabupaten Bojonegoro"), "{response}");

    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
    if let Some((admin, name)) = pg {
        crate::db::drop_postgres(admin, name);
    }
}
