//! An address whose mail from a member bounces: how often (hard and soft, since it was last
//! cleared), what the server said last, and since when its mail is held. While held, the
//! member's digests to it are skipped, its subscription is SUSPENDED, and alerts meant for it
//! go to the secretariat with a note; an admin clears it once the address works again.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "bouncing_address")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    /// PERSONAL; lower case, unique per member.
    pub address: String,
    pub hard_bounces: i32,
    pub soft_bounces: i32,
    pub first_bounce_at: DateTimeUtc,
    pub last_bounce_at: DateTimeUtc,
    pub last_status: Option<String>,
    /// PERSONAL: what the server said last.
    pub last_diagnostic: Option<String>,
    /// Since when the member's mail to it is held; none while it is only watched.
    pub suspended_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
