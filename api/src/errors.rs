//! The error codes and messages every entry point shares (GraphQL's `extensions.code`, the
//! HTTP endpoints' coded error bodies), and the body an HTTP error answers with: the GraphQL
//! response shape, so a client reads one kind of error everywhere.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::Lang;

/// Codes a client can switch on.
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const PAGE_SIZE_EXCEEDED: &str = "PAGE_SIZE_EXCEEDED";
    pub const DEPTH_LIMIT_EXCEEDED: &str = "DEPTH_LIMIT_EXCEEDED";
    pub const COMPLEXITY_LIMIT_EXCEEDED: &str = "COMPLEXITY_LIMIT_EXCEEDED";
    pub const ALIAS_LIMIT_EXCEEDED: &str = "ALIAS_LIMIT_EXCEEDED";
    pub const FIELD_LIMIT_EXCEEDED: &str = "FIELD_LIMIT_EXCEEDED";
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const INTERNAL: &str = "INTERNAL";
    pub const CONFLICT: &str = "CONFLICT";
    pub const URI_TOO_LONG: &str = "URI_TOO_LONG";
    pub const HEADERS_TOO_LARGE: &str = "HEADERS_TOO_LARGE";
    pub const STORAGE_UNAVAILABLE: &str = "STORAGE_UNAVAILABLE";
}

/// The message an internal fault shows; its cause goes to the log.
pub fn internal_message(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "Terjadi kesalahan pada server. Silakan coba lagi.",
        Lang::En => "Something went wrong on the server. Please try again.",
    }
}

pub fn storage_message(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => {
            "Penyimpanan server penuh atau tidak dapat ditulis. Perubahan ini belum tersimpan; silakan coba lagi nanti."
        }
        Lang::En => {
            "The server's storage is full or cannot be written. This change was not saved; please try again later."
        }
    }
}

/// A response that carries one error with a code, shaped as a GraphQL response
/// (`{"data":null,"errors":[{"message":…,"extensions":{"code":…}}]}`).
pub fn error_response(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
) -> Response {
    let body = serde_json::json!({
        "data": null,
        "errors": [{"message": message.into(), "extensions": {"code": code}}],
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn an_http_error_reads_as_a_graphql_error() {
        let r = super::error_response(
            axum::http::StatusCode::NOT_FOUND,
            super::code::NOT_FOUND,
            "Tidak ditemukan.",
        );
        assert_eq!(r.status(), 404);
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"data": null, "errors": [{"message": "Tidak ditemukan.",
                "extensions": {"code": "NOT_FOUND"}}]})
        );
        let as_graphql: async_graphql::Response = serde_json::from_value(v).unwrap();
        assert_eq!(as_graphql.errors.len(), 1);
    }
}
