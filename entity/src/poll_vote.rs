//! One visitor's answer to a post's poll. The visitor is known only by a keyed hash of the
//! anonymous token their browser keeps: one vote per visitor per post, and no way back from
//! the hash to the browser.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::publication::Satisfaction;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "poll_vote")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub publication_id: Uuid,
    pub visitor_hash: String,
    pub choice: Satisfaction,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
