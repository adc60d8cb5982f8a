//! The cancellation link in registration mails: `GET /registrations/cancel?token=…` only shows
//! a page with a button (mail scanners follow links; a GET must change nothing), and the
//! button's `POST` cancels. No account and no session needed: the token is the proof.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::HttpState;
use super::feeds::escape;
use entity::kernel::Actor;
use entity::participation::registration::{Cancelled, cancel_by_token};

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let body = format!("<h1>{}</h1>{body}", escape(title));
    super::pages::respond(
        status,
        "no-store",
        super::pages::shell(title, "<meta name=\"robots\" content=\"noindex\">", &body),
    )
}

pub async fn confirm(Query(q): Query<TokenForm>) -> Response {
    if q.token.trim().is_empty() || q.token.len() > 100 {
        return page(
            StatusCode::BAD_REQUEST,
            "Tautan tidak valid",
            "<p>Tautan pembatalan ini tidak lengkap.</p>",
        );
    }
    page(
        StatusCode::OK,
        "Batalkan pendaftaran?",
        &format!(
            "<p>Tempat Anda akan diberikan kepada orang berikutnya di daftar tunggu.</p>\
             <form method=\"post\" action=\"/registrations/cancel\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\">Ya, batalkan pendaftaran saya</button></form>",
            escape(q.token.trim())
        ),
    )
}

pub async fn cancel(State(state): State<HttpState>, Form(f): Form<TokenForm>) -> Response {
    let app = &state.app;
    // The link is the proof; the cancellation is audited as the public.
    let done = cancel_by_token(
        &app.db,
        &Actor::anonymous(),
        &app.links(),
        &f.token,
        app.clock.now(),
    )
    .await;
    if let Ok((_, mails)) = &done {
        app.queue_mail(mails).await;
    }
    match done.map(|(c, _)| c) {
        Ok(Cancelled::Done(_)) => page(
            StatusCode::OK,
            "Pendaftaran dibatalkan",
            "<p>Pendaftaran Anda sudah dibatalkan. Terima kasih telah memberi tahu kami.</p>",
        ),
        Ok(Cancelled::AlreadyCancelled) => page(
            StatusCode::OK,
            "Pendaftaran sudah dibatalkan",
            "<p>Pendaftaran ini sudah dibatalkan sebelumnya.</p>",
        ),
        Ok(Cancelled::NoSuchLink) => page(
            StatusCode::NOT_FOUND,
            "Tautan tidak valid",
            "<p>Tautan pembatalan ini tidak dikenal.</p>",
        ),
        Err(e) => {
            tracing::error!(error = %e, "cancelling a registration");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Terjadi kesalahan",
                "<p>Silakan coba lagi sebentar lagi.</p>",
            )
        }
    }
}
