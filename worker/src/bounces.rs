//! Bounces the mail server delivers into a maildir folder (`TERBUKA_BOUNCE_MAILDIR`): every
//! message in its `new/` is taken (moved to `cur/` first, so of several workers reading the one
//! folder only one reads each message), recorded by the domain (`entity::notify::bounce`), and
//! left in `cur/` marked seen (`:2,S`), or flagged (`:2,F`) when it is not a delivery-status
//! notification. Nothing is deleted; a message that could not be recorded (the database was
//! away) goes back to `new/` for the next look.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::WorkerState;

/// How often the folder is read.
const EVERY: Duration = Duration::from_secs(5);

/// What one reading of the folder did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Notifications read and recorded.
    pub read: usize,
    /// Bounces they counted (a notification can name several recipients).
    pub bounces: usize,
    /// Messages that are not notifications (flagged, left in `cur/`).
    pub refused: usize,
}

/// Reads `dir` once.
pub async fn scan(state: &WorkerState, dir: &Path) -> anyhow::Result<Scan> {
    let (new, cur) = (dir.join("new"), dir.join("cur"));
    tokio::fs::create_dir_all(&cur).await?;
    let mut scan = Scan::default();
    let mut entries = match tokio::fs::read_dir(&new).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(scan),
        Err(e) => return Err(e.into()),
    };
    let mut names = vec![];
    while let Some(entry) = entries.next_entry().await? {
        if entry.file_type().await?.is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    for name in names {
        // Taken: another reader that lists the same name finds it gone.
        let taken = cur.join(format!("{name}:2,"));
        if tokio::fs::rename(new.join(&name), &taken).await.is_err() {
            continue;
        }
        let raw = tokio::fs::read(&taken).await?;
        let flag = match entity::notify::bounce::from_dsn(
            &state.db,
            &raw,
            state.config.bounce_limit,
            entity::clock::real_now(),
        )
        .await
        {
            Ok(Ok(n)) => {
                scan.read += 1;
                scan.bounces += n.bounces.iter().filter(|b| b.counted).count();
                "S"
            }
            Ok(Err(why)) => {
                tracing::warn!(file = %name, %why, "not a delivery-status notification; flagged in cur/");
                scan.refused += 1;
                "F"
            }
            Err(e) => {
                tracing::warn!(file = %name, error = %e, "cannot record a bounce; it stays for the next look");
                tokio::fs::rename(&taken, new.join(&name)).await?;
                continue;
            }
        };
        tokio::fs::rename(&taken, cur.join(format!("{name}:2,{flag}"))).await?;
    }
    Ok(scan)
}

/// Reads the folder every few seconds until `stop`.
pub async fn maildir_loop(state: Arc<WorkerState>, dir: PathBuf, mut stop: watch::Receiver<bool>) {
    loop {
        match scan(&state, &dir).await {
            Ok(s) if s != Scan::default() => {
                tracing::info!(
                    read = s.read,
                    bounces = s.bounces,
                    refused = s.refused,
                    "bounces read from the maildir"
                )
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot read the bounce maildir")
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
