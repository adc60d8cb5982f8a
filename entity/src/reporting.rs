//! Asking for a report: recorded at once (QUEUED) for a worker to make (see the worker's
//! `report` module); the record the report is about decides whose it is.

use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::Outcome;
use crate::report::{self, ReportFormat, ReportKind, ReportStatus};
use crate::{Lang, Problem, Refusal, assessment};

/// A report asked for.
pub struct Request {
    pub kind: ReportKind,
    pub format: ReportFormat,
    /// The plan it is about (every kind but the minutes).
    pub plan: Option<Uuid>,
    /// The event whose minutes it is.
    pub event: Option<Uuid>,
    /// For the IRM at-a-glance: the assessment, of the same plan (`Some(None)`: an id that
    /// did not decode; `None`: not given).
    pub assessment: Option<Option<Uuid>>,
    /// `id` or `en`; empty: `default_lang`.
    pub language: Option<String>,
    pub default_lang: Lang,
}

/// Records the request for `member` (QUEUED, with a short claim the job's push renews; the
/// sweeper finds it should that push be lost). The caller queues it.
pub async fn request<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    r: Request,
) -> Result<report::Model, Outcome> {
    act.permit("requestReport", Some(member))?;
    let p = &mut spec.problems;
    let mut assessment_id = None;
    if r.kind == ReportKind::IrmAtAGlance {
        match r.assessment {
            None => p.push(&["input", "assessmentId"], Problem::Required),
            Some(id) => {
                let found = match id {
                    Some(uuid) => {
                        assessment::Entity::find_by_id(uuid)
                            .one(&act.db.exec())
                            .await?
                    }
                    None => None,
                };
                match found {
                    Some(a) if Some(a.plan_id) == r.plan => assessment_id = Some(a.id),
                    _ => p.push(&["input", "assessmentId"], Problem::NotFound),
                }
            }
        }
    }
    let lang = match r.language.as_deref().map(str::trim) {
        None | Some("") => r.default_lang,
        Some("id") => Lang::Id,
        Some("en") => Lang::En,
        Some(_) => {
            p.push(
                &["input", "language"],
                Problem::Refused(Refusal::ReportLanguageUnknown),
            );
            r.default_lang
        }
    };
    let by = act.actor.account_id();
    crud::create::<report::Entity, _>(
        act,
        spec,
        async |_, _| Ok(()),
        |id, at| report::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            kind: Set(r.kind),
            format: Set(r.format),
            plan_id: Set(r.plan),
            event_id: Set(r.event),
            assessment_id: Set(assessment_id),
            lang: Set(lang.tag().to_owned()),
            status: Set(ReportStatus::Queued),
            progress: Set(0),
            requested_by: Set(by),
            requested_at: Set(act.now),
            started_at: Set(None),
            finished_at: Set(None),
            attempts: Set(0),
            claimed_by: Set(None),
            // Pushed by the caller; the sweeper pushes again if that push is lost.
            claimed_until: Set(Some(at + chrono::Duration::seconds(30))),
            error: Set(None),
            blob_sha256: Set(None),
            file_name: Set(None),
            size_bytes: Set(None),
            pages: Set(None),
            created_at: Set(act.now),
            updated_at: Set(act.now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}
