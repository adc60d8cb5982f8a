//! The API explorer: GraphiQL on `GET /graphql`, with every file it loads served from
//! `/graphql/assets/…` by Terbuka itself (vendored under `api/assets/graphiql/`), so it works
//! offline and its Content-Security-Policy names no outside origin.

use std::io::Write;
use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The explorer page's policy: scripts, styles and connections (HTTP and graphql-ws) to this
/// origin only. GraphiQL sets inline styles, and its fonts and icons are `data:` URLs.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("explorer/page.html");

/// One file the page loads.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Versioned (the name changes with the file): cached for a year.
    immutable: bool,
    /// Compressed on first use; handed out without copying.
    gzip: OnceLock<Bytes>,
}

macro_rules! asset {
    ($name:literal, $type:expr, $path:literal, $immutable:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!($path),
            immutable: $immutable,
            gzip: OnceLock::new(),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: [Asset; 6] = [
    asset!(
        "graphiql-3.8.3.min.js",
        JS,
        "../../assets/graphiql/graphiql.min.js",
        true
    ),
    asset!(
        "graphiql-3.8.3.min.css",
        CSS,
        "../../assets/graphiql/graphiql.min.css",
        true
    ),
    asset!(
        "react-18.3.1.min.js",
        JS,
        "../../assets/graphiql/react.production.min.js",
        true
    ),
    asset!(
        "react-dom-18.3.1.min.js",
        JS,
        "../../assets/graphiql/react-dom.production.min.js",
        true
    ),
    asset!("explorer.js", JS, "explorer/explorer.js", false),
    asset!("explorer.css", CSS, "explorer/explorer.css", false),
];

/// The explorer page.
pub fn page() -> Response {
    ([(header::CONTENT_SECURITY_POLICY, PAGE_POLICY)], Html(PAGE)).into_response()
}

/// `GET /graphql/assets/{file}`: gzip-encoded when the client accepts it (compressed once,
/// on first use).
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == file) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "no such file",
        )
            .into_response();
    };
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(accepts_gzip);
    let cache = if a.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = if gzip_ok {
        let body = a.gzip.get_or_init(|| Bytes::from(gzip(a.body))).clone();
        let mut r = body.into_response();
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        a.body.into_response()
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// Whether an `Accept-Encoding` value allows gzip (`gzip`, `gzip;q=0.5`, `*`; not `q=0`).
fn accepts_gzip(value: &str) -> bool {
    value.split(',').any(|part| {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or("").trim();
        let refused = it.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(body).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_used_when_the_client_accepts_it() {
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, deflate"));
        assert!(!accepts_gzip("identity"));
    }

    #[test]
    fn the_page_loads_only_files_that_are_served_here() {
        let mut referenced = 0;
        for part in PAGE.split("/graphql/assets/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is not served"
            );
            referenced += 1;
        }
        assert_eq!(referenced, ASSETS.len());
        assert!(!PAGE.contains("http://") && !PAGE.contains("https://"));
        assert!(!PAGE_POLICY.contains("http"));
    }
}
