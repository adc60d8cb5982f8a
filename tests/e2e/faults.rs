//! A disk that fills up: the database (SQLite, the embedded default) and the file store on a
//! small filesystem of the test's own (a tmpfs mount, which needs root: the test says so and
//! stops where it cannot make one). Writes fail cleanly with a code, `/readyz` says the
//! database cannot take writes, and once space is freed writes succeed again and the worker
//! sends what was queued, without a restart; nothing acknowledged is lost.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::foundation::{CREATE_ORG, create_member};
use crate::helpers::*;
use crate::smtp::Mode;

/// A tmpfs of `mib` MiB mounted at `at`, unmounted on drop.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, mib: u32) -> Result<Self, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        Ok(Self(at.to_owned()))
    }

    /// Fills what is left with a file (kept until `free`).
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.0.join("filler")).unwrap();
        let block = vec![0u8; 64 << 10];
        while f.write_all(&block).is_ok() {}
        let _ = f.flush();
    }

    fn free(&self) {
        let _ = std::fs::remove_file(self.0.join("filler"));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    let res = app.get("/readyz").await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_full_disk_fails_writes_cleanly_and_recovers_without_a_restart() {
    let outer = tempfile::tempdir().unwrap();
    let disk = match SmallDisk::mount(&outer.path().join("disk"), 24) {
        Ok(d) => d,
        Err(why) => {
            println!(
                "SKIPPED: cannot mount a small filesystem here ({why}); run as root to test a full disk"
            );
            return;
        }
    };
    if on_postgres() {
        println!(
            "on PostgreSQL the database server's disk is not the test's to fill: this test runs on SQLite (the embedded default) in both runs"
        );
    }
    let app = spawn_app_with(Options {
        env: vec![
            (
                "TERBUKA_DATABASE_URL".into(),
                format!("sqlite://{}?mode=rwc", disk.0.join("terbuka.db").display()),
            ),
            (
                "TERBUKA_BLOB_DIR".into(),
                disk.0.join("files").display().to_string(),
            ),
        ],
        ..Options::default()
    })
    .await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    // Acknowledged writes before the disk fills.
    let mut acknowledged = Vec::new();
    for i in 0..10 {
        let res = app
            .ok(
                CREATE_ORG,
                json!({"input": {"memberId": member, "name": format!("Organisasi {i}"), "kind": "NGO"}}),
            )
            .await;
        acknowledged.push(
            res["createOrganisation"]["organisation"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // A message waiting for the SMTP server when the disk fills.
    app.smtp.set_mode(Mode::Transient);
    let sent = app
        .ok(
            "mutation { sendTestEmail(input: {to: \"nuty@bojonegorokab.go.id\"}) { deliveryId userErrors { code } } }",
            json!({}),
        )
        .await;
    assert!(sent["sendTestEmail"]["deliveryId"].is_string(), "{sent}");
    tokio::time::sleep(Duration::from_millis(500)).await;

    disk.fill();
    let mut refused = Vec::new();
    for i in 0..5 {
        let res = app
            .gql(
                CREATE_ORG,
                json!({"input": {"memberId": member, "name": format!("Saat penuh {i}"), "kind": "NGO"}}),
            )
            .await;
        println!("write on a full disk: {res}");
        refused.push(res);
    }
    for res in &refused {
        let code = res["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("");
        let accepted = res["data"]["createOrganisation"]["organisation"]["id"].is_string();
        assert!(
            accepted || code == "STORAGE_UNAVAILABLE",
            "a write on a full disk answered {res}"
        );
    }
    // The worker's heartbeat and queue polls fail too: it says so.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, body) = readyz(&app).await;
    println!("readyz on a full disk: {status} {body}");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["writable"], false, "{body}");
    assert_eq!(body["worker"], "not running", "{body}");

    disk.free();
    app.smtp.set_mode(Mode::Accept);
    let freed = Instant::now();
    let mut recovered = None;
    while freed.elapsed() < Duration::from_secs(30) {
        let res = app
            .gql(
                CREATE_ORG,
                json!({"input": {"memberId": member, "name": "Setelah ruang kembali", "kind": "NGO"}}),
            )
            .await;
        if res["data"]["createOrganisation"]["organisation"]["id"].is_string() {
            recovered = Some(freed.elapsed());
            break;
        }
        println!("after freeing: {res}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let recovered = recovered.expect("writes never succeeded again after space was freed");
    println!("writes succeed again {recovered:?} after space was freed");
    assert!(recovered < Duration::from_secs(10), "{recovered:?}");
    let mut ready = None;
    while freed.elapsed() < Duration::from_secs(30) {
        let (status, body) = readyz(&app).await;
        if status == 200 {
            ready = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let ready = ready.expect("/readyz never said ready again");
    assert_eq!(ready["worker"], "running", "{ready}");
    // The worker sends what was queued.
    let mut delivered = false;
    while freed.elapsed() < Duration::from_secs(40) {
        if app
            .smtp
            .received()
            .iter()
            .any(|m| m.to == ["nuty@bojonegorokab.go.id"])
        {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        delivered,
        "the message queued before the disk filled was never sent"
    );
    let went_out = freed.elapsed();
    println!("the queued message went out {went_out:?} after space was freed");
    // Within seconds: the worker that apalis stopped on the storage error puts the messages
    // its jobs held back in the queue as soon as it can write, not when the sweeper finds
    // them overdue half a minute later.
    assert!(went_out < Duration::from_secs(15), "{went_out:?}");
    // What was refused is not there, half or whole.
    let names: Vec<String> = entity::organisation::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("Saat penuh")),
        "a refused write landed: {names:?}"
    );
    // Nothing acknowledged is lost.
    for id in &acknowledged {
        let res = app
            .ok(
                "query($id: ID!) { organisation(id: $id) { name } }",
                json!({"id": id}),
            )
            .await;
        assert!(res["organisation"]["name"].is_string(), "{id} lost: {res}");
    }
    app.stop().await;
    drop(disk);
}
