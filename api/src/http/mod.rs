//! HTTP: the public pages, feeds, downloads and links from mail, `/healthz`, `/readyz`,
//! `/metrics`; request ids, logs and metrics on every request, the GraphQL endpoint's included
//! (its routes are given to [`router`]). Handlers call the domain (`entity`), never the
//! GraphQL layer.

pub mod bounces;
pub mod calendar;
pub mod conn;
pub mod explorer;
pub mod feeds;
pub mod files;
pub mod metrics;
pub mod news;
pub mod pages;
pub mod registrations;
pub mod reports;
pub mod sheets;
pub mod subscriptions;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sea_orm_migration::MigratorTrait;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::Instrument;

use crate::errors::{code, error_response, internal_message};
use crate::state::AppState;
use metrics::Metrics;

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct HttpState {
    pub app: AppState,
    pub metrics: Arc<Metrics>,
    /// Turns true when the process is shutting down (long-lived connections end).
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// Open WebSocket connections: the server's graceful shutdown does not see upgraded
    /// connections, so the process waits for these to say goodbye before it exits.
    pub sockets: tokio_util::task::TaskTracker,
    /// The in-process worker's health (`None` when this process runs no worker).
    pub worker_health: Option<Arc<worker::Health>>,
}

/// The request id (from `X-Request-Id` when the client or a proxy sent a sane one).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Every route: the pages here and `graphql` (the GraphQL endpoint's own routes), under one
/// set of layers.
pub fn router(state: HttpState, graphql: Router<HttpState>) -> Router {
    let cors = cors(&state.app.config.cors_origins);
    let mut router = Router::new()
        .merge(graphql)
        .route("/graphql/assets/{file}", get(explorer::asset))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/feeds/{member}/news.rss", get(feeds::rss))
        .route("/feeds/{member}/news.atom", get(feeds::atom))
        .route("/news/{member}", get(feeds::index))
        .route("/news/{member}/{slug}", get(news::page))
        .route("/news/{member}/{slug}/vote", post(news::vote))
        .route("/events/{file}", get(calendar::one))
        .route("/calendar/{file}", get(calendar::feed))
        .route("/files/{id}", get(files::download))
        .route("/reports/{id}", get(reports::download))
        .route("/sheets/{kind}/{file}", get(sheets::download))
        .route("/mail/bounces", post(bounces::receive))
        .route(
            "/registrations/cancel",
            get(registrations::confirm).post(registrations::cancel),
        )
        .route(
            "/subscriptions/confirm",
            get(subscriptions::confirm_page).post(subscriptions::confirm),
        )
        .route(
            "/unsubscribe",
            get(subscriptions::unsubscribe_page).post(subscriptions::unsubscribe),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(CatchPanicLayer::custom(panic_response));
    if let Some(cors) = cors {
        router = router.layer(cors);
    }
    router.with_state(state)
}

/// Browsers may call the API from the configured origins only (none: same origin only).
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::ACCEPT_LANGUAGE,
                X_REQUEST_ID.clone(),
            ])
            .expose_headers([X_REQUEST_ID.clone()])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// A panic anywhere answers like any internal fault: a code, no details.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        code::INTERNAL,
        internal_message(entity::Lang::Id),
    )
}

/// Headers every response carries: no sniffing, no framing, no referrer, a strict content
/// policy (GraphiQL sets its own), and HSTS when served over https.
fn secure(headers: &mut axum::http::HeaderMap, https: bool) {
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        let name = HeaderName::from_static(k);
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(v));
        }
    };
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    );
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(headers, "cache-control", "no-store");
    if https {
        set(
            headers,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The client a request comes from, for per-client limits: the peer, or — when the peer is a
/// trusted reverse proxy — the nearest address in `X-Forwarded-For` that is not a trusted
/// proxy (addresses further left can be forged by the client).
pub fn client_of(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

fn request_id(req: &Request) -> String {
    req.headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Request id, structured log line and metrics for every request.
async fn observe(State(state): State<HttpState>, mut req: Request, next: Next) -> Response {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().clone();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let start = Instant::now();
    let mut response = coded(next.run(req).instrument(span.clone()).await).await;
    let took = start.elapsed();
    let status = response.status();
    state
        .metrics
        .record_request(method.as_str(), &route, status.as_u16(), took);
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            ms = took.as_secs_f64() * 1000.0,
            "served"
        );
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    secure(
        response.headers_mut(),
        state.app.config.worker.public_url.starts_with("https://"),
    );
    response
}

/// An error answer without a body (a handler's bare status) or with axum's plain-text
/// rejection becomes the JSON error every other answer carries, with a code for its status;
/// its other header fields (`Allow`, `Retry-After`) stay.
async fn coded(response: Response) -> Response {
    use axum::body::HttpBody;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bare = content_type.is_empty() && response.body().size_hint().exact() == Some(0);
    if !bare && !content_type.starts_with("text/plain") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let said = if bare {
        String::new()
    } else {
        axum::body::to_bytes(body, 4096)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .unwrap_or_default()
    };
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => (code::BAD_REQUEST, "Permintaan tidak valid."),
        StatusCode::UNAUTHORIZED => (code::UNAUTHENTICATED, "Silakan masuk terlebih dahulu."),
        StatusCode::FORBIDDEN => (code::FORBIDDEN, "Tidak diizinkan."),
        StatusCode::NOT_FOUND => (code::NOT_FOUND, "Tidak ditemukan."),
        StatusCode::METHOD_NOT_ALLOWED => (
            code::BAD_REQUEST,
            "Metode HTTP ini tidak diterima di alamat ini.",
        ),
        StatusCode::CONFLICT => (
            code::CONFLICT,
            "Belum dapat dilayani dalam keadaan sekarang.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (code::PAYLOAD_TOO_LARGE, "Permintaan terlalu besar."),
        StatusCode::URI_TOO_LONG => (
            code::URI_TOO_LONG,
            "Alamat (URL) permintaan terlalu panjang.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (code::BAD_REQUEST, "Jenis isi permintaan tidak diterima.")
        }
        StatusCode::TOO_MANY_REQUESTS => (
            code::RATE_LIMITED,
            "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            (code::HEADERS_TOO_LARGE, "Kepala permintaan terlalu besar.")
        }
        s if s.is_server_error() => (code::INTERNAL, internal_message(entity::Lang::Id)),
        _ => (code::BAD_REQUEST, "Permintaan tidak dapat dilayani."),
    };
    let message = if said.is_empty() || status.is_server_error() {
        message.to_owned()
    } else {
        format!("{message} ({said})")
    };
    let coded = error_response(status, code, message);
    parts.headers.remove(header::CONTENT_LENGTH);
    let (coded_parts, body) = coded.into_parts();
    parts.headers.extend(coded_parts.headers);
    Response::from_parts(parts, body)
}

/// The process is up.
async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// The process can serve: the database answers, every migration is applied, a write lands
/// (a full disk or a read-only database says no here, not at the next user's save), and the
/// in-process worker, when there is one, is running (`worker`: `running`, `not running`, or
/// `elsewhere` for an API process that runs none).
async fn readyz(State(state): State<HttpState>) -> Response {
    let db = &state.app.db;
    let database = db.ping().await.is_ok();
    let migrations = database
        && migration::Migrator::get_pending_migrations(db)
            .await
            .map(|p| p.is_empty())
            .unwrap_or(false);
    // A heartbeat-sized write (liveness rows are not data; real time, not the domain clock).
    let writable = database
        && entity::worker_beat::beat(
            db,
            &format!("probe:{}", state.app.config.worker.worker_id),
            entity::clock::real_now(),
        )
        .await
        .is_ok();
    let worker = match &state.worker_health {
        Some(h) if h.running() => "running",
        Some(_) => "not running",
        None => "elsewhere",
    };
    let ready = database && migrations && writable && worker != "not running";
    let body = Json(json!({
        "status": if ready { "ready" } else { "not ready" },
        "database": database,
        "migrations": migrations,
        "writable": writable,
        "worker": worker,
    }));
    if ready {
        (StatusCode::OK, body).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

async fn metrics_text(State(state): State<HttpState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

async fn not_found() -> impl IntoResponse {
    error_response(
        StatusCode::NOT_FOUND,
        code::NOT_FOUND,
        "Tidak ditemukan. / Not found.",
    )
}

#[cfg(test)]
mod client_tests {
    use super::client_of;
    use axum::http::HeaderMap;

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let proxy = "10.0.0.1".parse().unwrap();
        let citizen = "36.72.1.2".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "1.1.1.1, 36.72.1.2".parse().unwrap());
        // Not behind a trusted proxy: the header is the client's word only.
        assert_eq!(client_of(citizen, &h, &[]), citizen);
        assert_eq!(client_of(proxy, &h, &[]), proxy);
        // Behind one: the nearest untrusted hop (the forged 1.1.1.1 on the left is ignored).
        assert_eq!(client_of(proxy, &h, &[proxy]), citizen);
        // Two proxies in a row.
        h.insert("x-forwarded-for", "36.72.1.2, 10.0.0.2".parse().unwrap());
        let inner = "10.0.0.2".parse().unwrap();
        assert_eq!(client_of(proxy, &h, &[proxy, inner]), citizen);
        // No header, or garbage: the proxy itself.
        assert_eq!(client_of(proxy, &HeaderMap::new(), &[proxy]), proxy);
        h.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
        assert_eq!(client_of(proxy, &h, &[proxy]), proxy);
    }
}
