//! Downloads of evidence: `GET /files/{document-id}`. The member's own people (signed in with a
//! Bearer token) get any of their member's files; everyone else only public documents of
//! public records. Sent as an attachment with the type detected at upload and `nosniff`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::document;
use sea_orm::EntityTrait;

use super::HttpState;

fn status(s: StatusCode) -> Response {
    s.into_response()
}

pub async fn download(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let viewer = match crate::auth::viewer_of(&state.app, &headers, entity::Lang::Id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let uuid = uuid::Uuid::parse_str(&id)
        .ok()
        .or_else(|| entity::ids::decode_as(&id, document::KIND));
    let Some(uuid) = uuid else {
        return status(StatusCode::NOT_FOUND);
    };
    let db = &state.app.db;
    let d = match document::Entity::find_by_id(uuid).one(db).await {
        Ok(Some(d)) => d,
        Ok(None) => return status(StatusCode::NOT_FOUND),
        Err(e) => {
            tracing::error!(error = %e, "download");
            return status(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let allowed = viewer.belongs_to(d.member_id)
        || (d.is_public && document::subject_is_public(db, &d).await.unwrap_or(false));
    // Someone who may not see it learns nothing, not even that it exists.
    if !allowed {
        return status(StatusCode::NOT_FOUND);
    }
    let Some(path) = d
        .blob_sha256
        .as_deref()
        .and_then(|sha| crate::blobs::path_of(&state.app.config.worker.blob_dir, sha))
    else {
        return status(StatusCode::NOT_FOUND);
    };
    attachment(
        &path,
        d.content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
        d.file_name.as_deref().unwrap_or("dokumen"),
        if d.is_public {
            "public, max-age=300"
        } else {
            "private, no-store"
        },
    )
    .await
}

/// A stored file sent as an attachment: its type, a plain file name, `nosniff`, and the given
/// caching. A file the blob store has lost is a 500 (and a log line), never an empty body.
pub async fn attachment(
    path: &std::path::Path,
    content_type: &str,
    file_name: &str,
    cache: &'static str,
) -> Response {
    let bytes = match tokio::fs::read(path).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, file = %path.display(), "a stored file is missing");
            return status(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    attachment_of(bytes, content_type, file_name, cache)
}

/// `bytes` as a download named `file_name`.
pub fn attachment_of(
    bytes: Vec<u8>,
    content_type: &str,
    file_name: &str,
    cache: &'static str,
) -> Response {
    let name: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}
