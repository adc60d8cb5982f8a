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

/// The bearer token a request carries: `None` without an `Authorization` header, an empty
/// text for a header that is not a bearer token (refused as an unknown session).
pub fn token_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .unwrap_or(""),
    )
}

/// Why a request's session check did not give a viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The token is unknown, expired, revoked or of a switched-off account.
    Session,
    /// The database could not be asked.
    Unavailable,
}

impl Refusal {
    /// The response a refused request gets instead of an answer.
    pub fn response(self, lang: Lang) -> axum::response::Response {
        match self {
            Refusal::Session => crate::errors::error_response(
                axum::http::StatusCode::UNAUTHORIZED,
                crate::errors::code::UNAUTHENTICATED,
                match lang {
                    Lang::Id => "Sesi tidak berlaku lagi. Silakan masuk kembali.",
                    Lang::En => "The session is no longer valid. Please sign in again.",
                },
            ),
            Refusal::Unavailable => crate::errors::error_response(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                crate::errors::code::INTERNAL,
                crate::errors::internal_message(lang),
            ),
        }
    }
}

/// Checks `token`'s session at `now`.
pub async fn check(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Viewer, Refusal> {
    if token.is_empty() {
        return Err(Refusal::Session);
    }
    match viewer_for_token(db, token, now).await {
        Ok(Ok(viewer)) => Ok(viewer),
        Ok(Err(_)) => Err(Refusal::Session),
        Err(e) => {
            tracing::error!(error = %e, "cannot check a session");
            Err(Refusal::Unavailable)
        }
    }
}

/// A session check started beside a request's reads: a query (which changes nothing) need not
/// wait for it before its first statement, only before it decides what the viewer may see. The
/// request is answered only once the check is over, and a refused check answers the refusal in
/// place of whatever was read, so a revoked session or a switched-off account is still refused
/// on its very next request.
#[derive(Clone)]
pub struct SessionCheck(
    futures::future::Shared<futures::future::BoxFuture<'static, Result<Viewer, Refusal>>>,
);

impl SessionCheck {
    /// Starts checking `token` at `now` on its own task.
    pub fn start(db: DatabaseConnection, token: String, now: DateTime<Utc>) -> Self {
        use futures::FutureExt;
        let task = tokio::spawn(async move { check(&db, &token, now).await });
        Self(
            async move { task.await.unwrap_or(Err(Refusal::Unavailable)) }
                .boxed()
                .shared(),
        )
    }

    /// The check's outcome, once it is over.
    pub async fn outcome(&self) -> Result<Viewer, Refusal> {
        self.0.clone().await
    }

    /// The viewer: anonymous while refused (the request's answer is then the refusal).
    pub async fn viewer(&self) -> Viewer {
        self.outcome().await.unwrap_or_default()
    }

    /// The viewer if the check is over; `None` while it runs.
    pub fn viewer_now(&self) -> Option<Viewer> {
        use futures::FutureExt;
        self.0
            .clone()
            .now_or_never()
            .map(|outcome| outcome.unwrap_or_default())
    }
}

/// The viewer behind the request's `Authorization: Bearer` token (anonymous without one), or
/// the response refusing a token that is unknown, expired, revoked or of a switched-off account.
pub async fn viewer_of(
    app: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
    lang: Lang,
) -> Result<Viewer, axum::response::Response> {
    let Some(token) = token_of(headers) else {
        return Ok(Viewer::anonymous());
    };
    check(&app.db, token, app.clock.now())
        .await
        .map_err(|r| r.response(lang))
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
