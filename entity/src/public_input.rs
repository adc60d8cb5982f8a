//! Public input (*masukan*) on a draft plan or one of its commitments, given online or at an
//! event, and the partnership's **reasoned response** to it (OGP co-creation standard: every
//! input gets an answer that says what became of it and why). Public writes can be hidden by
//! the secretariat with a reason (moderation); a hidden input is kept, audited, and needs no
//! response.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action_plan::PlanStatus;

crate::text_enum! {
    pub enum InputSource {
        /// Sent by a member of the public through the website.
        Online => "ONLINE",
        /// Said at a meeting, consultation or hearing and noted by the secretariat.
        Event => "EVENT",
        /// A letter, a message or a call, noted by the secretariat.
        Written => "WRITTEN",
    }
}

crate::text_enum! {
    /// What became of an input.
    pub enum InputResponse {
        Accepted => "ACCEPTED",
        Partially => "PARTIALLY",
        Rejected => "REJECTED",
        /// Kept for a later plan or a later stage.
        Deferred => "DEFERRED",
    }
}

impl InputResponse {
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::*;
        match (self, lang) {
            (Self::Accepted, Id) => "Diterima",
            (Self::Partially, Id) => "Diterima sebagian",
            (Self::Rejected, Id) => "Tidak diterima",
            (Self::Deferred, Id) => "Ditunda",
            (Self::Accepted, En) => "Accepted",
            (Self::Partially, En) => "Partially accepted",
            (Self::Rejected, En) => "Not accepted",
            (Self::Deferred, En) => "Deferred",
        }
    }
}

/// The plan stages in which the public can send input online.
pub const OPEN_FOR_INPUT: &[PlanStatus] = &[
    PlanStatus::CoCreation,
    PlanStatus::Drafting,
    PlanStatus::PublicReview,
];

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "public_input")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub plan_id: Uuid,
    pub commitment_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub source: InputSource,
    /// PERSONAL: the name of whoever gave it.
    pub author_name: Option<String>,
    /// PERSONAL: for the answer, never shown publicly.
    pub author_email: Option<String>,
    pub organisation_name: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The language the answer is mailed in ("id" or "en").
    pub lang: String,
    pub received_at: DateTimeUtc,
    pub response: Option<InputResponse>,
    #[sea_orm(column_type = "Text", nullable)]
    pub response_reason: Option<String>,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTimeUtc>,
    pub hidden_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub hidden_reason: Option<String>,
    pub hidden_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

impl Model {
    pub fn is_hidden(&self) -> bool {
        self.hidden_at.is_some()
    }

    /// Answered with a reason (what the co-creation standard asks).
    pub fn is_answered(&self) -> bool {
        self.response.is_some()
            && self
                .response_reason
                .as_deref()
                .is_some_and(|r| !r.trim().is_empty())
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
