//! A member of the public registered for an event through its open invitation, without an
//! account: a seat, or a place on the waitlist that moves up when someone cancels.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum RegistrationStatus {
        Registered => "REGISTERED",
        Waitlisted => "WAITLISTED",
        Cancelled => "CANCELLED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "registration")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub event_id: Uuid,
    /// PERSONAL.
    pub name: String,
    /// Normalised (lower case); PERSONAL.
    pub email: String,
    pub organisation_name: Option<String>,
    pub status: RegistrationStatus,
    /// SHA-256 of the cancellation link's token (the token itself is derived from the id with
    /// the deployment's secret when the mail is sent).
    pub cancel_token_hash: String,
    pub lang: String,
    pub created_at: DateTimeUtc,
    pub promoted_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
