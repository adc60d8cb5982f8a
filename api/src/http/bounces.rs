//! `POST /mail/bounces`: where the mail server posts the delivery-status notifications
//! (RFC 3464) that come back for Terbuka's mail, the message as it arrived in the body, with
//! the shared secret `TERBUKA_BOUNCE_SECRET` as `Authorization: Bearer …`. The domain reads
//! and records it (`entity::notify::bounce::from_dsn`); a message that is not a notification
//! is refused with why (422) and nothing is written. The answer lists what was counted, so a
//! mail server's log shows it; posting the same notification again counts nothing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::HttpState;
use crate::errors::{code, error_response};

pub async fn receive(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = state.app.config.bounce_secret.as_deref() else {
        return error_response(
            StatusCode::NOT_FOUND,
            code::NOT_FOUND,
            "bounce intake is off: set TERBUKA_BOUNCE_SECRET to let the mail server post here",
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    // Compared as digests: the time taken says nothing about how much of it matched.
    if given.is_none_or(|g| Sha256::digest(g) != Sha256::digest(secret)) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            code::UNAUTHENTICATED,
            "the bounce secret is missing or wrong (Authorization: Bearer …)",
        );
    }
    let db = &state.app.db;
    let limit = state.app.config.worker.bounce_limit;
    // Real time: when the notification arrived.
    match entity::notify::bounce::from_dsn(db, &body, limit, entity::clock::real_now()).await {
        Ok(Ok(n)) => {
            let bounces: Vec<_> = n
                .bounces
                .iter()
                .map(|b| {
                    json!({
                        "address": b.address,
                        "kind": b.kind,
                        "counted": b.counted,
                        "held": b.held,
                        "memberKnown": b.member.is_some(),
                    })
                })
                .collect();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                json!({
                    "delivery": n.delivery.map(|d| d.to_string()),
                    "bounces": bounces,
                })
                .to_string(),
            )
                .into_response()
        }
        Ok(Err(why)) => error_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "NOT_A_DSN",
            why.to_string(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "cannot record a bounce");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                code::INTERNAL,
                "the bounce could not be recorded; post it again later",
            )
        }
    }
}
