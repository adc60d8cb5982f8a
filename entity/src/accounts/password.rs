//! Passwords: Argon2id hashes, checked with the same effort whether or not an account exists,
//! and the rule for a password someone chooses.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::{FieldProblem, Problem, Refusal};

/// Consecutive wrong passwords before an account is locked.
pub const LOCK_AFTER: i32 = 5;
/// How long a lock lasts.
pub const LOCK_MINUTES: i64 = 15;

/// Hashing could not be done (the blocking pool is gone, or Argon2 refused its input).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashFailed(String);

/// Hashes a password with Argon2id (off the async threads: it is deliberately slow).
pub async fn hash(password: String) -> Result<String, HashFailed> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| HashFailed(e.to_string()))
    })
    .await
    .map_err(|e| HashFailed(e.to_string()))?
}

/// Checks a password against a stored hash. With no hash (unknown account, invited account)
/// it still spends the same effort, so timing does not tell whether an address has an account.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let decoy;
        let hash = match &hash {
            Some(h) => h.as_str(),
            None => {
                decoy = DECOY.as_str();
                decoy
            }
        };
        let ok = PasswordHash::new(hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && hash != DECOY.as_str()
    })
    .await
    .unwrap_or(false)
}

static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"terbuka-decoy-password")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// A password someone chose: 10 to 200 characters, not their e-mail address.
pub fn check_new(field: &[&str], password: &str, email: &str) -> Result<(), FieldProblem> {
    let n = password.chars().count();
    if n < 10 {
        return Err(FieldProblem::new(
            field,
            Problem::Refused(Refusal::PasswordTooShort),
        ));
    }
    if n > 200 {
        return Err(FieldProblem::new(field, Problem::TooLong { max: 200 }));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(FieldProblem::new(
            field,
            Problem::Refused(Refusal::PasswordIsEmail),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_the_decoy_never() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong".into(), Some(h)).await);
        assert!(!verify("terbuka-decoy-password".into(), None).await);
    }

    #[test]
    fn a_new_password_is_long_enough_and_not_the_address() {
        assert!(check_new(&["p"], "short", "a@b.id").is_err());
        assert!(check_new(&["p"], "ani@bojonegorokab.go.id", "Ani@bojonegorokab.go.id").is_err());
        assert!(check_new(&["p"], &"x".repeat(201), "a@b.id").is_err());
        assert!(check_new(&["p"], "sepuluh-huruf", "a@b.id").is_ok());
    }
}
