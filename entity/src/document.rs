//! Evidence (*bukti dokumentasi*): invitations, minutes, attendance lists, photos, decrees,
//! plans, reports, budget documents, video links and press releases, attached to an event, a
//! plan, a commitment, a milestone or a decree. The 28 June 2018 meeting found that the
//! 2016–2017 process left none; this is where it goes now. Files are stored once per content
//! (`blob`), however many documents share them.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum DocumentKind {
        Invitation => "INVITATION",
        Minutes => "MINUTES",
        AttendanceList => "ATTENDANCE_LIST",
        Photo => "PHOTO",
        Decree => "DECREE",
        DraftPlan => "DRAFT_PLAN",
        FinalPlan => "FINAL_PLAN",
        Report => "REPORT",
        IrmReport => "IRM_REPORT",
        BudgetDocument => "BUDGET_DOCUMENT",
        VideoLink => "VIDEO_LINK",
        PressRelease => "PRESS_RELEASE",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    /// What it documents: exactly one of these.
    pub event_id: Option<Uuid>,
    pub plan_id: Option<Uuid>,
    pub commitment_id: Option<Uuid>,
    pub milestone_id: Option<Uuid>,
    pub decree_id: Option<Uuid>,
    /// The stored file (SHA-256 of its content), or none for a link.
    pub blob_sha256: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<i64>,
    /// A video or a page elsewhere.
    pub url: Option<String>,
    pub is_public: bool,
    pub document_date: Option<Date>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The global-ID type of a document.
pub const KIND: &str = "Document";

/// Whether the record a document is attached to is public (an event marked public, a plan from
/// public review on, a published decree; a commitment or milestone as its plan). A document is
/// public when it is marked so and this holds.
pub async fn subject_is_public<C: ConnectionTrait>(db: &C, d: &Model) -> Result<bool, DbErr> {
    use crate::{action_plan, commitment, decree, event, milestone};
    async fn plan_public<C: ConnectionTrait>(db: &C, plan: Uuid) -> Result<bool, DbErr> {
        Ok(action_plan::Entity::find_by_id(plan)
            .one(db)
            .await?
            .is_some_and(|p| p.status.is_public()))
    }
    async fn commitment_public<C: ConnectionTrait>(db: &C, c: Uuid) -> Result<bool, DbErr> {
        match commitment::Entity::find_by_id(c).one(db).await? {
            Some(c) => plan_public(db, c.plan_id).await,
            None => Ok(false),
        }
    }
    use crate::evidence::Subject;
    Ok(match Subject::of(d) {
        Some(Subject::Event(u)) => event::Entity::find_by_id(u)
            .one(db)
            .await?
            .is_some_and(|e| e.is_public),
        Some(Subject::Plan(u)) => plan_public(db, u).await?,
        Some(Subject::Commitment(u)) => commitment_public(db, u).await?,
        Some(Subject::Milestone(u)) => match milestone::Entity::find_by_id(u).one(db).await? {
            Some(m) => commitment_public(db, m.commitment_id).await?,
            None => false,
        },
        Some(Subject::Decree(u)) => decree::Entity::find_by_id(u)
            .one(db)
            .await?
            .is_some_and(|x| x.status.is_public()),
        None => false,
    })
}
