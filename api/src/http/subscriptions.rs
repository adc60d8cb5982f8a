//! The links in subscription mail, used without an account or a session (the signed token is
//! the proof). A GET only shows a page with a button — mail scanners follow links, and a GET
//! must change nothing — and the POST acts.
//!
//! `/unsubscribe?token=…` is also the RFC 8058 one-click target: mail clients POST
//! `List-Unsubscribe=One-Click` to it, and it answers 200 (no redirect).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::HttpState;
use super::feeds::escape;
use super::registrations::page;
use entity::participation::subscription::LinkOutcome;
use entity::subscription::SubscriptionStatus;

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The token from the query string, or else from a form body (`token=…`; tokens are
/// URL-safe, so they arrive unencoded).
fn token_of(q: &TokenQuery, body: &[u8]) -> String {
    if !q.token.trim().is_empty() {
        return q.token.trim().to_owned();
    }
    std::str::from_utf8(body)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn button(action: &str, token: &str, text: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{action}?token={t}\">\
         <button type=\"submit\">{text}</button></form>",
        t = escape(token)
    )
}

pub async fn confirm_page(Query(q): Query<TokenQuery>) -> Response {
    if q.token.trim().is_empty() {
        return invalid();
    }
    page(
        StatusCode::OK,
        "Konfirmasi langganan",
        &format!(
            "<p>Tekan tombol di bawah untuk mulai menerima kabar Pemerintahan Terbuka di alamat \
             ini.</p>{}",
            button(
                "/subscriptions/confirm",
                q.token.trim(),
                "Ya, saya ingin berlangganan"
            )
        ),
    )
}

pub async fn confirm(
    State(state): State<HttpState>,
    Query(q): Query<TokenQuery>,
    body: Bytes,
) -> Response {
    let token = token_of(&q, &body);
    match state
        .app
        .use_subscription_link(worker::mail::CONFIRM_PURPOSE, &token)
        .await
    {
        Ok(LinkOutcome::Done(SubscriptionStatus::Confirmed)) => page(
            StatusCode::OK,
            "Langganan aktif",
            "<p>Terima kasih. Langganan Anda sudah aktif; setiap email memuat tautan untuk \
             berhenti berlangganan.</p>",
        ),
        Ok(LinkOutcome::Done(_)) => page(
            StatusCode::OK,
            "Tautan sudah tidak berlaku",
            "<p>Tautan ini sudah dipakai atau langganannya sudah dihentikan. Untuk berlangganan \
             lagi, isi formulir langganan sekali lagi.</p>",
        ),
        Ok(LinkOutcome::NoSuchLink) => invalid(),
        Err(e) => failed(e),
    }
}

pub async fn unsubscribe_page(Query(q): Query<TokenQuery>) -> Response {
    if q.token.trim().is_empty() {
        return invalid();
    }
    page(
        StatusCode::OK,
        "Berhenti berlangganan?",
        &format!(
            "<p>Anda tidak akan menerima ringkasan dan pengingat lagi di alamat ini.</p>{}",
            button("/unsubscribe", q.token.trim(), "Ya, berhenti berlangganan")
        ),
    )
}

pub async fn unsubscribe(
    State(state): State<HttpState>,
    Query(q): Query<TokenQuery>,
    body: Bytes,
) -> Response {
    let token = token_of(&q, &body);
    match state
        .app
        .use_subscription_link(worker::mail::UNSUBSCRIBE_PURPOSE, &token)
        .await
    {
        Ok(LinkOutcome::Done(_)) => page(
            StatusCode::OK,
            "Langganan dihentikan",
            "<p>Alamat Anda sudah dikeluarkan dari daftar. Tidak ada ringkasan atau pengingat \
             yang akan dikirim lagi.</p>",
        ),
        Ok(LinkOutcome::NoSuchLink) => invalid(),
        Err(e) => failed(e),
    }
}

fn invalid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Tautan tidak valid",
        "<p>Tautan ini tidak lengkap, sudah kedaluwarsa, atau tidak dikenal.</p>",
    )
}

fn failed(e: sea_orm::DbErr) -> Response {
    tracing::error!(error = %e, "using a subscription link");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Coba lagi sebentar lagi",
        "<p>Permintaan Anda belum bisa diproses. Silakan coba lagi.</p>",
    )
}
