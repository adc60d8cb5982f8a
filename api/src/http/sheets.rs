//! Spreadsheet exports: `GET /sheets/{kind}/{id}.{xlsx|csv}` — the Renaksi or monev matrix of
//! a plan, or the DPA lines or NGO programmes of a member — in the layout
//! `importSpreadsheet` reads back, so an office can export, edit and import the same file.
//! The same sign-in as the API (Bearer token); anyone without a role in the member gets a
//! 404, as for a plan that does not exist.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entity::sheets::files::{self, SheetKind, Target};
use entity::sheets::read::Format;

use super::HttpState;

pub async fn download(
    State(state): State<HttpState>,
    headers: HeaderMap,
    Path((kind, file)): Path<(String, String)>,
) -> Response {
    let viewer = match crate::auth::viewer_of(&state.app, &headers, entity::Lang::Id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(kind) = SheetKind::parse(&kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (id, format) = match file.rsplit_once('.') {
        Some((id, "xlsx")) => (id, Format::Xlsx),
        Some((id, "csv")) => (id, Format::Csv),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let wanted = if kind.of_plan() {
        "ActionPlan"
    } else {
        "Member"
    };
    let Some(uuid) = entity::ids::decode_as(id, wanted) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let target = if kind.of_plan() {
        Target::Plan(uuid)
    } else {
        Target::Member(uuid)
    };
    match files::export(&state.app.db, &viewer, kind, target, format).await {
        Ok(Some(out)) => super::files::attachment_of(
            out.bytes,
            out.content_type,
            &out.file_name,
            "private, no-store",
        ),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "sheet export");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
