//! The public HTML pages' common parts: one shell (Indonesian, a viewport for phones, one
//! inline style and no outside assets), escaping, the "not found" page and the pages' content
//! policy, which allows exactly that style (by its hash), forms to this site, and nothing else.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Escapes text for XML and HTML (element content and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// Text on white at 12.6:1 and links at 8.6:1 (WCAG AA asks 4.5:1); focus is visible; the
/// poll's bars are `<progress>` elements with their figures written beside them.
const STYLE: &str = "body{margin:0;font:17px/1.6 system-ui,sans-serif;color:#1a1a1a;background:#fff}\
main{max-width:42rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;line-height:1.3}\
h2{font-size:1.2rem;margin-top:2rem}a{color:#0b4f8a}small{color:#4a4a4a}li{margin:.6rem 0}\
a:focus,button:focus,input:focus{outline:3px solid #0b4f8a;outline-offset:2px}\
.poll{list-style:none;padding:0}.poll li{display:grid;grid-template-columns:8.5rem 1fr 5.5rem;\
gap:.5rem;align-items:center}.poll progress{width:100%;height:1rem}\
fieldset{border:1px solid #767676;border-radius:6px;margin:1rem 0}legend{font-weight:600}\
label{display:block;padding:.35rem 0}input[type=radio]{width:1.2rem;height:1.2rem;vertical-align:middle}\
button{font:inherit;padding:.55rem 1.2rem;border:0;border-radius:6px;background:#0b4f8a;color:#fff;\
margin-top:.5rem}.note{background:#eef5fb;border-left:4px solid #0b4f8a;padding:.5rem .8rem}";

/// The content policy of every public page.
pub fn policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
    })
}

/// A public page's HTML: `head` goes into `<head>` as it is, `body` into `<main>`.
pub fn shell(title: &str, head: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{title}</title>{head}<style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>\n",
        title = escape(title),
    )
}

/// A public page as a response, with its content policy and `cache` as `Cache-Control`.
pub fn respond(status: StatusCode, cache: &'static str, html: String) -> Response {
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(policy()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

/// An HTML page's "not found", for the pages people open in a browser.
pub fn not_found(what: &str) -> Response {
    let body = format!(
        "<h1>Halaman tidak ditemukan</h1><p>{}</p><p lang=\"en\"><small>Page not found.</small></p>",
        escape(what)
    );
    respond(
        StatusCode::NOT_FOUND,
        "no-store",
        shell("Tidak ditemukan", "", &body),
    )
}
