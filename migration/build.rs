//! Fingerprints the migration sources, so test templates and caches built from an older schema
//! are never mistaken for the current one.

use std::hash::{Hash, Hasher};

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files: Vec<_> = std::fs::read_dir("src")
        .expect("migration/src exists")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.file_name().hash(&mut hasher);
        std::fs::read(&f).unwrap_or_default().hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=TERBUKA_SCHEMA_FINGERPRINT={:012x}",
        hasher.finish() & 0xffff_ffff_ffff
    );
}
