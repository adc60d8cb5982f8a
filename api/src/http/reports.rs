//! Downloads of reports: `GET /reports/{report-id}` with the same sign-in as the API (Bearer
//! token). Anyone with a role in the report's member gets it; everyone else a 404, so nobody
//! learns that a report exists. A report not finished yet answers 409 with its status.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entity::report::{self, ReportStatus};
use sea_orm::EntityTrait;

use super::HttpState;

pub async fn download(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let viewer = match crate::auth::viewer_of(&state.app, &headers, entity::Lang::Id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(uuid) =
        entity::ids::decode_as(&id, report::KIND).or_else(|| uuid::Uuid::parse_str(&id).ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let r = match report::Entity::find_by_id(uuid).one(&state.app.db).await {
        Ok(Some(r)) => r,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "report download");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if !viewer.belongs_to(r.member_id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (ReportStatus::Done, Some(path)) = (
        r.status,
        r.blob_sha256
            .as_deref()
            .and_then(|sha| crate::blobs::path_of(&state.app.config.worker.blob_dir, sha)),
    ) else {
        let status = serde_json::to_value(r.status).unwrap_or_default();
        return (
            StatusCode::CONFLICT,
            axum::Json(serde_json::json!({ "status": status, "progress": r.progress })),
        )
            .into_response();
    };
    let name = r
        .file_name
        .clone()
        .unwrap_or_else(|| format!("laporan.{}", r.format.extension()));
    super::files::attachment(&path, r.format.content_type(), &name, "private, no-store").await
}
