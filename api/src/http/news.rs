//! A news post as a public page (`GET /news/{member}/{slug}`, what the feed items link to):
//! the post, its view count (this reading counted), and its satisfaction poll "Bagaimana
//! Tanggapan Anda?" with the figures and a form that votes without JavaScript
//! (`POST /news/{member}/{slug}/vote`, then back to the page).
//!
//! A visitor is known by a random cookie the page sets (`terbuka_pengunjung`, only on this
//! site's `/news`, never sent cross-site); only a keyed hash of it is stored with a vote.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::news::{self, PollFigures, VoteRefused};
use entity::publication::{self, Satisfaction};
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::HttpState;
use super::feeds::{base, member_by_slug};
use super::pages::{escape, not_found, respond, shell};

const COOKIE: &str = "terbuka_pengunjung";

#[derive(Deserialize)]
pub struct PageQuery {
    /// Set by the vote's redirect: what became of it.
    suara: Option<String>,
}

#[derive(Deserialize)]
pub struct VoteForm {
    choice: Option<String>,
}

fn visitor_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| (16..=200).contains(&v.len()))
}

async fn post_of(
    state: &HttpState,
    member: &str,
    slug: &str,
) -> Result<(entity::member::Model, publication::Model), Response> {
    let member = match member_by_slug(state, member).await {
        Ok(m) => m,
        Err(r) if r.status() == StatusCode::NOT_FOUND => {
            return Err(not_found("Pemerintah daerah ini tidak dikenal."));
        }
        Err(r) => return Err(r),
    };
    let post = publication::Entity::find()
        .filter(publication::Column::MemberId.eq(member.id))
        .filter(publication::Column::Slug.eq(slug))
        .one(&state.app.db)
        .await
        .ok()
        .flatten()
        .filter(|p| news::is_public(p, state.app.clock.now()));
    match post {
        Some(p) => Ok((member, p)),
        None => Err(not_found("Berita ini tidak ada atau belum terbit.")),
    }
}

fn poll_section(action: &str, poll: &PollFigures, said: Option<&str>) -> String {
    let note = match said {
        Some("terima-kasih") => {
            "<p class=\"note\" role=\"status\">Terima kasih, tanggapan Anda tercatat.</p>"
        }
        Some("sudah") => {
            "<p class=\"note\" role=\"status\">Anda sudah memberi tanggapan untuk berita ini.</p>"
        }
        Some("pilih") => {
            "<p class=\"note\" role=\"alert\">Pilih salah satu tanggapan, lalu kirim.</p>"
        }
        Some("cookie") => {
            "<p class=\"note\" role=\"alert\">Tanggapan belum tercatat: izinkan cookie untuk \
             halaman ini, muat ulang, lalu kirim lagi.</p>"
        }
        Some("tunggu") => {
            "<p class=\"note\" role=\"alert\">Terlalu banyak tanggapan dari jaringan Anda; coba lagi sebentar lagi.</p>"
        }
        _ => "",
    };
    let bars: String = poll
        .answers
        .iter()
        .map(|a| {
            let label = a.choice.label(entity::Lang::Id);
            let pct = a.percent.unwrap_or(0);
            format!(
                "<li><span id=\"p-{code}\">{label}</span>\
                 <progress max=\"100\" value=\"{pct}\" aria-labelledby=\"p-{code}\">{pct}%</progress>\
                 <span><strong>{pct}%</strong> ({count})</span></li>",
                code = a.choice.to_value(),
                count = a.count,
            )
        })
        .collect();
    let radios: String = poll
        .answers
        .iter()
        .map(|a| {
            format!(
                "<label><input type=\"radio\" name=\"choice\" value=\"{v}\" required> {l}</label>",
                v = a.choice.to_value(),
                l = a.choice.label(entity::Lang::Id),
            )
        })
        .collect();
    format!(
        "<section aria-labelledby=\"jajak\"><h2 id=\"jajak\">{q}</h2>{note}\
         <p>{total} tanggapan</p><ul class=\"poll\">{bars}</ul>\
         <form method=\"post\" action=\"{action}\"><fieldset><legend>Tanggapan Anda</legend>\
         {radios}<button type=\"submit\">Kirim tanggapan</button></fieldset></form></section>",
        q = escape(&poll.question),
        total = poll.total,
        action = escape(action),
    )
}

/// `GET /news/{member}/{slug}`.
pub async fn page(
    State(state): State<HttpState>,
    Path((member, slug)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let (member, mut p) = match post_of(&state, &member, &slug).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let db = &state.app.db;
    // A reading is counted; coming back from one's own vote is not another.
    if q.suara.is_none() {
        match news::record_view(db, p.id, state.app.clock.now()).await {
            Ok(Some(v)) => p.views = v,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "counting a view"),
        }
    }
    let poll = match news::poll(db, &p).await {
        Ok(poll) => poll,
        Err(e) => {
            tracing::error!(error = %e, "reading a poll");
            None
        }
    };
    let tz = member.tz();
    let site = base(&state);
    let home = format!("{site}/news/{}", member.slug);
    let when = p
        .published_at
        .map(|t| entity::i18n::long_datetime(t, tz, entity::Lang::Id))
        .unwrap_or_default();
    let paragraphs: String = p
        .body
        .split("\n\n")
        .map(|para| format!("<p>{}</p>\n", escape(para.trim())))
        .collect();
    let head = format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{site}/feeds/{m}/news.atom\">",
        site = escape(&site),
        m = escape(&member.slug),
    );
    let action = format!("/news/{}/{}/vote", member.slug, p.slug);
    let body = format!(
        "<nav><a href=\"{home}\">← Semua berita {name}</a></nav><article><h1>{title}</h1>\
         <p><small>{credit}{when} · {views} kali dibaca</small></p>\n{paragraphs}</article>{poll}",
        home = escape(&home),
        name = escape(&member.name),
        title = escape(&p.title),
        credit = p
            .author_credit
            .as_deref()
            .map(|c| format!("{} · ", escape(c)))
            .unwrap_or_default(),
        views = p.views,
        poll = poll
            .map(|f| poll_section(&action, &f, q.suara.as_deref()))
            .unwrap_or_default(),
    );
    let mut res = respond(StatusCode::OK, "no-store", shell(&p.title, &head, &body));
    if visitor_of(&headers).is_none() {
        let token = state
            .app
            .signer
            .derive("visitor-cookie", &Uuid::now_v7().to_string());
        let cookie = format!(
            "{COOKIE}={token}; Path=/news; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
            if site.starts_with("https://") {
                "; Secure"
            } else {
                ""
            }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    res
}

/// `POST /news/{member}/{slug}/vote` (a form: `choice=PUAS`): counts the vote and sends the
/// browser back to the post's poll with what became of it.
pub async fn vote(
    State(state): State<HttpState>,
    Path((member, slug)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<VoteForm>,
) -> Response {
    let (member, post) = match post_of(&state, &member, &slug).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let back = |said: &str| {
        (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/news/{}/{}?suara={said}#jajak", member.slug, post.slug),
            )],
        )
            .into_response()
    };
    let client = super::client_of(peer.ip(), &headers, &state.app.config.trusted_proxies);
    let app = &state.app;
    if !app.limiter.allow(
        &client.to_string(),
        "votePoll",
        news::VOTES_PER_MINUTE,
        app.clock.now(),
    ) {
        return back("tunggu");
    }
    let Some(choice) = form
        .choice
        .as_deref()
        .and_then(|c| Satisfaction::try_from_value(&c.to_owned()).ok())
    else {
        return back("pilih");
    };
    let Some(visitor) = visitor_of(&headers) else {
        return back("cookie");
    };
    let hash = news::visitor_hash(&app.signer.derive(news::VISITOR_PURPOSE, &visitor));
    match news::vote(&app.db, &post, &hash, choice, app.clock.now()).await {
        Ok(Ok(())) => back("terima-kasih"),
        Ok(Err(VoteRefused::AlreadyVoted)) => back("sudah"),
        Ok(Err(VoteRefused::NoSuchPost | VoteRefused::NoPoll)) => {
            not_found("Berita ini tidak memiliki jajak pendapat.")
        }
        Err(e) => {
            tracing::error!(error = %e, "counting a vote");
            respond(
                StatusCode::SERVICE_UNAVAILABLE,
                "no-store",
                shell(
                    "Belum dapat dicatat",
                    "",
                    "<h1>Tanggapan belum dapat dicatat</h1><p>Coba lagi sebentar lagi.</p>",
                ),
            )
        }
    }
}
