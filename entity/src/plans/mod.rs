//! The action plan (*Renaksi*): its commitments and their milestones, the people responsible,
//! and progress reports (monev). Operations take an [`Act`](crate::kernel::Act) — who acts,
//! in which request, at what time — and do their whole decision in one write transaction.

pub mod alignment;
pub mod assessment;
pub mod commitment;
pub mod follow_up;
pub mod milestone;
pub mod national;
pub mod people;
pub mod plan;
pub mod tree;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

/// Today in the member's time zone (WIB when the member cannot be read).
pub async fn today<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    now: DateTime<Utc>,
) -> Result<NaiveDate, DbErr> {
    let tz = crate::member::Entity::find_by_id(member)
        .one(db)
        .await?
        .map(|m| m.tz())
        .unwrap_or(chrono_tz::Asia::Jakarta);
    Ok(now.with_timezone(&tz).date_naive())
}
