//! The blob store: files named by the SHA-256 of their content under `TERBUKA_BLOB_DIR`
//! (`ab/cd/abcd…`), shared by every api and worker process. A file is written to a temporary
//! name, flushed to disk and renamed, so a reader never sees half a file; writing the same
//! content twice keeps one file.

pub mod structure;

/// The name a file is kept under: its base name only (no folders, whichever separator the
/// client used), without control characters, leading dots or surrounding blanks, at most 255
/// characters; `berkas` when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .trim()
        .chars()
        .take(255)
        .collect();
    if cleaned.is_empty() {
        "berkas".to_owned()
    } else {
        cleaned
    }
}

/// The kinds of file the evidence repository takes, told by their first bytes (the name and
/// the type the client declares are not trusted).
pub fn detect(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if starts(b"PK\x03\x04") {
        office_zip(bytes)
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        // Word 97–2003 and Excel 97–2003 share this container.
        Some("application/x-ole-storage")
    } else if is_text(bytes) {
        Some("text/plain")
    } else {
        None
    }
}

/// An Office Open XML or OpenDocument file (a zip with a telling first entry or content).
fn office_zip(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"mimetypeapplication/vnd.oasis.opendocument.text") {
        Some("application/vnd.oasis.opendocument.text")
    } else if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet") {
        Some("application/vnd.oasis.opendocument.spreadsheet")
    } else if has(b"word/") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if has(b"xl/") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if has(b"ppt/") {
        Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
    } else if has(b"[Content_Types].xml") {
        Some("application/vnd.openxmlformats-officedocument")
    } else {
        None
    }
}

/// UTF-8 text without control characters other than tabs and line breaks (CSV, notes). A
/// script (`#!`) is not taken.
fn is_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.is_empty() || sample.starts_with(b"#!") {
        return false;
    }
    let text = match std::str::from_utf8(sample) {
        Ok(t) => t,
        // A cut in the middle of a character at the sample's end is fine.
        Err(e) if e.error_len().is_none() && bytes.len() > sample.len() => {
            match std::str::from_utf8(&sample[..e.valid_up_to()]) {
                Ok(t) => t,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

/// Whether a declared type agrees with the detected one (the client may say less precisely,
/// e.g. `application/octet-stream`, but not something else).
pub fn agrees(declared: Option<&str>, detected: &str) -> bool {
    let Some(declared) = declared.map(|d| d.split(';').next().unwrap_or("").trim().to_lowercase())
    else {
        return true;
    };
    if declared.is_empty() || declared == "application/octet-stream" || declared == detected {
        return true;
    }
    match detected {
        "text/plain" => declared.starts_with("text/") || declared == "application/csv",
        "application/x-ole-storage" => matches!(
            declared.as_str(),
            "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint"
        ),
        d if d.starts_with("application/vnd.openxmlformats-officedocument") => {
            declared.starts_with("application/vnd.openxmlformats-officedocument")
        }
        _ => false,
    }
}

pub use worker::blobs::{path_of, sha256_hex, store};

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    #[test]
    fn files_are_told_by_their_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(
            detect(b"No;Nama;Instansi\n1;Nuty;Dinkominfo\n"),
            Some("text/plain")
        );
        // Executables and scripts are not evidence.
        assert_eq!(detect(b"MZ\x90\x00\x03\x00\x00\x00"), None);
        assert_eq!(detect(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(detect(b"#!/bin/sh\nrm -rf /\n"), None);
        assert!(!agrees(Some("application/pdf"), "image/png"));
        assert!(agrees(
            Some("application/pdf; charset=binary"),
            "application/pdf"
        ));
        assert!(agrees(Some("text/csv"), "text/plain"));
        assert!(agrees(None, "image/jpeg"));
    }

    #[test]
    fn file_names_keep_their_base_name_only() {
        assert_eq!(clean_file_name("../../../../etc/passwd.pdf"), "passwd.pdf");
        assert_eq!(
            clean_file_name("C:\\Users\\nuty\\notulen.pdf"),
            "notulen.pdf"
        );
        assert_eq!(clean_file_name("..\u{0}.."), "berkas");
        assert_eq!(clean_file_name(" .htaccess "), "htaccess");
        assert_eq!(
            clean_file_name("Notulen 28 Juni 2018.pdf"),
            "Notulen 28 Juni 2018.pdf"
        );
        assert_eq!(clean_file_name(&"a".repeat(300)).len(), 255);
    }

    #[test]
    fn the_same_content_is_stored_once() {
        let dir = std::env::temp_dir().join(format!("terbuka-blobs-{}", uuid::Uuid::now_v7()));
        let a = store(&dir, b"%PDF-1.4 notulen").unwrap();
        let b = store(&dir, b"%PDF-1.4 notulen").unwrap();
        assert_eq!(a, b);
        let files: Vec<_> = walk(&dir);
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(path_of(&dir, "../../etc/passwd").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn walk(p: &Path) -> Vec<PathBuf> {
        let mut out = vec![];
        for e in std::fs::read_dir(p).unwrap().flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }
}
