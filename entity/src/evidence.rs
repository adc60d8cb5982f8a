//! Evidence (*bukti dokumentasi*) attached to an event, a plan, a commitment, a milestone or a
//! decree: a file (stored once per content) or a link, with the kind of document it is. The
//! bytes are checked and stored by the caller before the record; the record and the content's
//! row are written in one transaction with the audit record.

use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::document::{self, DocumentKind};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::Outcome;
use crate::{blob, validate};

/// What a document is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Event(Uuid),
    Plan(Uuid),
    Commitment(Uuid),
    Milestone(Uuid),
    Decree(Uuid),
}

impl Subject {
    /// What `d` is attached to.
    pub fn of(d: &document::Model) -> Option<Subject> {
        d.event_id
            .map(Subject::Event)
            .or(d.plan_id.map(Subject::Plan))
            .or(d.commitment_id.map(Subject::Commitment))
            .or(d.milestone_id.map(Subject::Milestone))
            .or(d.decree_id.map(Subject::Decree))
    }

    /// The column of `document` that names this subject, and its id.
    pub fn column(self) -> (document::Column, Uuid) {
        match self {
            Subject::Event(u) => (document::Column::EventId, u),
            Subject::Plan(u) => (document::Column::PlanId, u),
            Subject::Commitment(u) => (document::Column::CommitmentId, u),
            Subject::Milestone(u) => (document::Column::MilestoneId, u),
            Subject::Decree(u) => (document::Column::DecreeId, u),
        }
    }

    /// The subject's member, whoever asks (for permission checks); `None`: no such record.
    pub async fn member<C: ConnectionTrait>(self, db: &C) -> Result<Option<Uuid>, DbErr> {
        Ok(match self {
            Subject::Event(u) => crate::event::Entity::find_by_id(u)
                .one(db)
                .await?
                .map(|e| e.member_id),
            Subject::Plan(u) => crate::action_plan::Entity::find_by_id(u)
                .one(db)
                .await?
                .map(|p| p.member_id),
            Subject::Commitment(u) => crate::commitment::Entity::find_by_id(u)
                .one(db)
                .await?
                .map(|c| c.member_id),
            Subject::Milestone(u) => crate::milestone::Entity::find_by_id(u)
                .one(db)
                .await?
                .map(|m| m.member_id),
            Subject::Decree(u) => crate::decree::Entity::find_by_id(u)
                .one(db)
                .await?
                .map(|d| d.member_id),
        })
    }
}

/// A file already checked and in the store.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub sha256: String,
    pub name: String,
    /// As detected from its bytes.
    pub content_type: String,
    pub size: i64,
}

/// A document to attach: a stored file or a link, never both (checked by the caller, with the
/// file).
pub struct Attach {
    pub subject: Subject,
    pub kind: DocumentKind,
    /// Checked here.
    pub title: String,
    pub file: Option<StoredFile>,
    pub url: Option<String>,
    pub is_public: bool,
    pub document_date: Option<NaiveDate>,
}

/// Attaches `a` to its subject of `member`, uploaded by the acting account.
pub async fn attach<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    a: Attach,
) -> Result<document::Model, Outcome> {
    act.permit("attachDocument", Some(member))?;
    let title = spec
        .problems
        .check(validate::required_text(&["input", "title"], &a.title, 500));
    let uploader = act.actor.account_id();
    let file = a.file.clone();
    crud::create::<document::Entity, _>(
        act,
        spec,
        async |tx, _| {
            if let Some(f) = &file {
                blob::Entity::insert(blob::ActiveModel {
                    sha256: Set(f.sha256.clone()),
                    size: Set(f.size),
                    content_type: Set(f.content_type.clone()),
                    created_at: Set(act.now),
                })
                .on_conflict(
                    OnConflict::column(blob::Column::Sha256)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
        |id, now| {
            let mut d = document::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                kind: Set(a.kind),
                title: Set(title.clone().unwrap_or_default()),
                event_id: Set(None),
                plan_id: Set(None),
                commitment_id: Set(None),
                milestone_id: Set(None),
                decree_id: Set(None),
                blob_sha256: Set(file.as_ref().map(|f| f.sha256.clone())),
                file_name: Set(file.as_ref().map(|f| f.name.chars().take(255).collect())),
                content_type: Set(file.as_ref().map(|f| f.content_type.clone())),
                size: Set(file.as_ref().map(|f| f.size)),
                url: Set(a.url.clone()),
                is_public: Set(a.is_public),
                document_date: Set(a.document_date),
                uploaded_by: Set(uploader),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            };
            match a.subject {
                Subject::Event(u) => d.event_id = Set(Some(u)),
                Subject::Plan(u) => d.plan_id = Set(Some(u)),
                Subject::Commitment(u) => d.commitment_id = Set(Some(u)),
                Subject::Milestone(u) => d.milestone_id = Set(Some(u)),
                Subject::Decree(u) => d.decree_id = Set(Some(u)),
            }
            d
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes a document (its file stays while another document holds the same content).
pub async fn delete(act: &Act<'_>, current: &document::Model, version: i32) -> Result<(), Outcome> {
    act.permit("deleteDocument", Some(current.member_id))?;
    crud::delete::<document::Entity>(act, current, version).await
}
