//! A report asked for by someone in the partnership and produced by a worker: the Renaksi
//! document in the OGP template, the monev (*monitoring dan evaluasi*) progress report, the
//! IRM-style at-a-glance table, the co-creation compliance checklist, or the minutes
//! (*notulen*) of a meeting — as PDF, XLSX, CSV or JSON.
//!
//! The row is the request and its outbox at once: it is written in the requesting mutation's
//! transaction, so a request made while no worker runs is produced when one starts. A worker
//! claims it with a lease it keeps extending while it renders (a long report is never taken
//! over while its worker lives; a dead worker's claim lapses and another takes it), reports
//! progress here, and stores the file in the blob store.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum ReportKind {
        /// The action plan document in the OGP template layout.
        ActionPlan => "ACTION_PLAN",
        /// Progress of every commitment and milestone (monev).
        Monev => "MONEV",
        /// The IRM "At a Glance" table of an assessment, per commitment and summed.
        IrmAtAGlance => "IRM_AT_A_GLANCE",
        /// The OGP co-creation standards checked, with the evidence.
        CoCreationChecklist => "CO_CREATION_CHECKLIST",
        /// The minutes (notulen) of a meeting.
        Minutes => "MINUTES",
    }
}

crate::text_enum! {
    pub enum ReportFormat {
        Pdf => "PDF",
        Xlsx => "XLSX",
        Csv => "CSV",
        Json => "JSON",
    }
}

crate::text_enum! {
    pub enum ReportStatus {
        /// Waiting for a worker.
        Queued => "QUEUED",
        Running => "RUNNING",
        Done => "DONE",
        /// Failed for good (the error says why); it can be asked for again.
        Failed => "FAILED",
    }
}

impl ReportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
            ReportFormat::Json => "json",
        }
    }
}

impl ReportStatus {
    pub fn is_final(self) -> bool {
        matches!(self, ReportStatus::Done | ReportStatus::Failed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: ReportKind,
    pub format: ReportFormat,
    /// The plan (every kind but the minutes).
    pub plan_id: Option<Uuid>,
    /// The meeting (minutes).
    pub event_id: Option<Uuid>,
    /// The assessment (at-a-glance).
    pub assessment_id: Option<Uuid>,
    /// `id` or `en`.
    pub lang: String,
    pub status: ReportStatus,
    /// 0–100.
    pub progress: i32,
    pub requested_by: Option<Uuid>,
    pub requested_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub attempts: i32,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub blob_sha256: Option<String>,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub pages: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The global-ID type of a report.
pub const KIND: &str = "Report";
