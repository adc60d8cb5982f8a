//! Who is asking: passwords (Argon2id), session tokens, and the viewer a request runs as.

use entity::Refusal;
use std::collections::HashMap;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entity::account::{self, AccountStatus};
use entity::role_grant::{self, Role};
use entity::{Lang, Problem, account_session};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 14;
/// Consecutive wrong passwords before an account is locked.
pub const LOCK_AFTER: i32 = 5;
/// How long a lock lasts.
pub const LOCK_MINUTES: i64 = 15;

pub use entity::kernel::Actor as Viewer;

/// Hashes a password with Argon2id (off the async threads: it is deliberately slow).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash. With no hash (unknown account, invited account)
/// it still spends the same effort, so timing does not tell whether an address has an account.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
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
        ok && hash_is_real(&hash)
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

fn hash_is_real(hash: &&str) -> bool {
    *hash != DECOY.as_str()
}

/// A password someone chose: 10 to 200 characters, not their e-mail address.
pub fn check_new_password(
    field: &[&str],
    password: &str,
    email: &str,
) -> Result<(), entity::FieldProblem> {
    let n = password.chars().count();
    if n < 10 {
        return Err(entity::FieldProblem::new(
            field,
            Problem::Refused(Refusal::PasswordTooShort),
        ));
    }
    if n > 200 {
        return Err(entity::FieldProblem::new(
            field,
            Problem::TooLong { max: 200 },
        ));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(entity::FieldProblem::new(
            field,
            Problem::Refused(Refusal::PasswordIsEmail),
        ));
    }
    Ok(())
}

/// A new random token (to give to the client) and the hash to store.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token (one definition, with the domain's links).
pub use entity::notify::tokens::hash as token_hash;

/// Why a bearer token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenRefused {
    Unknown,
    Expired,
    Revoked,
    AccountInactive,
}

/// The viewer behind a bearer token.
pub async fn viewer_for_token(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Result<Viewer, TokenRefused>, DbErr> {
    if token.len() > 100 {
        return Ok(Err(TokenRefused::Unknown));
    }
    // One statement: the session, its account and the account's role grants (one row per
    // grant, or one with no grant), so a revoked session or a deactivated account is refused on
    // its very next request without three round trips for every request.
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
    use sea_orm::{ConnectionTrait, FromQueryResult, IdenStatic, Iterable};
    let (s, a, g) = (Alias::new("s"), Alias::new("a"), Alias::new("g"));
    let mut q = Query::select();
    for c in account::Column::iter() {
        q.expr_as(Expr::col((a.clone(), c)), Alias::new(c.as_str()));
    }
    q.expr_as(
        Expr::col((s.clone(), account_session::Column::Id)),
        Alias::new("session_id"),
    )
    .expr_as(
        Expr::col((s.clone(), account_session::Column::RevokedAt)),
        Alias::new("session_revoked_at"),
    )
    .expr_as(
        Expr::col((s.clone(), account_session::Column::ExpiresAt)),
        Alias::new("session_expires_at"),
    )
    .expr_as(
        Expr::col((g.clone(), role_grant::Column::MemberId)),
        Alias::new("grant_member_id"),
    )
    .expr_as(
        Expr::col((g.clone(), role_grant::Column::Role)),
        Alias::new("grant_role"),
    )
    .from_as(account_session::Entity, s.clone())
    .join_as(
        JoinType::InnerJoin,
        account::Entity,
        a.clone(),
        Expr::col((a.clone(), account::Column::Id))
            .equals((s.clone(), account_session::Column::AccountId)),
    )
    .join_as(
        JoinType::LeftJoin,
        role_grant::Entity,
        g.clone(),
        Expr::col((g.clone(), role_grant::Column::AccountId))
            .equals((a.clone(), account::Column::Id)),
    )
    .and_where(Expr::col((s.clone(), account_session::Column::TokenHash)).eq(token_hash(token)));
    let rows = db.query_all(&q).await?;
    let Some(first) = rows.first() else {
        return Ok(Err(TokenRefused::Unknown));
    };
    let revoked: Option<DateTime<Utc>> = first.try_get("", "session_revoked_at")?;
    if revoked.is_some() {
        return Ok(Err(TokenRefused::Revoked));
    }
    let expires: DateTime<Utc> = first.try_get("", "session_expires_at")?;
    if expires <= now {
        return Ok(Err(TokenRefused::Expired));
    }
    let account = account::Model::from_query_result(first, "")?;
    if account.status != AccountStatus::Active {
        return Ok(Err(TokenRefused::AccountInactive));
    }
    let session_id: Uuid = first.try_get("", "session_id")?;
    let mut roles = Vec::with_capacity(rows.len());
    for row in &rows {
        let member: Option<Uuid> = row.try_get("", "grant_member_id")?;
        let role: Option<Role> = row.try_get("", "grant_role")?;
        if let (Some(m), Some(r)) = (member, role) {
            roles.push((m, r));
        }
    }
    Ok(Ok(Viewer {
        account: Some(account),
        session_id: Some(session_id),
        roles,
    }))
}

pub async fn roles_of(db: &DatabaseConnection, account: Uuid) -> Result<Vec<(Uuid, Role)>, DbErr> {
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::AccountId.eq(account))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.member_id, g.role))
        .collect())
}

/// The end of a new session started at `now`.
pub fn session_end(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(SESSION_DAYS)
}

/// A fixed-window limit per client (login attempts, reset requests), on the app's clock.
#[derive(Default, Debug)]
pub struct RateLimiter {
    /// (client, what) → (minute, attempts in it).
    windows: Mutex<HashMap<LimitKey, (i64, u32)>>,
}

type LimitKey = (String, &'static str);

impl RateLimiter {
    /// Counts one attempt by `client` at `what`; `false` when over `limit` per minute.
    pub fn allow(&self, client: &str, what: &'static str, limit: u32, now: DateTime<Utc>) -> bool {
        let minute = now.timestamp().div_euclid(60);
        let Ok(mut windows) = self.windows.lock() else {
            return true;
        };
        if windows.len() > 50_000 {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let entry = windows
            .entry((client.to_owned(), what))
            .or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }
}

/// The viewer behind the request's `Authorization: Bearer` token (anonymous without one), or
/// the response refusing a token that is unknown, expired, revoked or of a switched-off account.
pub async fn viewer_of(
    app: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
    lang: Lang,
) -> Result<Viewer, axum::response::Response> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(Viewer::anonymous());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    let refused = || {
        crate::errors::error_response(
            axum::http::StatusCode::UNAUTHORIZED,
            crate::errors::code::UNAUTHENTICATED,
            match lang {
                Lang::Id => "Sesi tidak berlaku lagi. Silakan masuk kembali.",
                Lang::En => "The session is no longer valid. Please sign in again.",
            },
        )
    };
    if token.is_empty() {
        return Err(refused());
    }
    match viewer_for_token(&app.db, token, app.clock.now()).await {
        Ok(Ok(viewer)) => Ok(viewer),
        Ok(Err(_)) => Err(refused()),
        Err(e) => {
            tracing::error!(error = %e, "cannot check a session");
            Err(crate::errors::error_response(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                crate::errors::code::INTERNAL,
                crate::errors::internal_message(lang),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(ha, token_hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
    }

    #[test]
    fn the_rate_limit_resets_every_minute() {
        let limiter = RateLimiter::default();
        let now = chrono::DateTime::UNIX_EPOCH;
        for _ in 0..3 {
            assert!(limiter.allow("1.2.3.4", "login", 3, now));
        }
        assert!(!limiter.allow("1.2.3.4", "login", 3, now));
        assert!(limiter.allow("5.6.7.8", "login", 3, now));
        assert!(limiter.allow("1.2.3.4", "login", 3, now + Duration::seconds(61)));
    }

    #[tokio::test]
    async fn passwords_verify_and_decoys_never_do() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong".into(), Some(hash)).await);
        assert!(!verify_password("terbuka-decoy-password".into(), None).await);
    }
}
