//! Who is asking: passwords (Argon2id), session tokens, and the viewer a request runs as.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::account::{self, AccountStatus};
use entity::role_grant::{self, Role};
use entity::{Lang, account_session};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use entity::kernel::Actor as Viewer;

pub use entity::accounts::password::{
    LOCK_AFTER, LOCK_MINUTES, check_new as check_new_password, hash as hash_password,
    verify as verify_password,
};
pub use entity::accounts::session::{SESSION_DAYS, new_token, session_end};

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
    fn the_rate_limit_resets_every_minute() {
        let limiter = RateLimiter::default();
        let now = chrono::DateTime::UNIX_EPOCH;
        for _ in 0..3 {
            assert!(limiter.allow("1.2.3.4", "login", 3, now));
        }
        assert!(!limiter.allow("1.2.3.4", "login", 3, now));
        assert!(limiter.allow("5.6.7.8", "login", 3, now));
        assert!(limiter.allow("1.2.3.4", "login", 3, now + chrono::Duration::seconds(61)));
    }
}
