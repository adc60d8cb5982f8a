//! The blob store's files: named by the SHA-256 of their content under `TERBUKA_BLOB_DIR`
//! (`ab/cd/abcd…`), shared by every api and worker process. A file is written to a temporary
//! name, flushed to disk and renamed, so a reader never sees half a file; writing the same
//! content twice keeps one file.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the file of `sha256` lives (the name is checked: 64 hex digits, nothing else).
pub fn path_of(dir: &Path, sha256: &str) -> Option<PathBuf> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(dir.join(&sha256[..2]).join(&sha256[2..4]).join(sha256))
}

/// Stores `bytes` (once) and returns their SHA-256.
pub fn store(dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let sha = sha256_hex(bytes);
    let path = path_of(dir, &sha).expect("a SHA-256 in hex");
    if path.exists() {
        return Ok(sha);
    }
    let parent = path.parent().expect("a nested path");
    std::fs::create_dir_all(parent)?;
    let tmp = parent.join(format!(".{sha}.{}.tmp", uuid::Uuid::now_v7()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    if let Ok(d) = std::fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(sha)
}
