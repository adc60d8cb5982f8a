//! The action plan (*Renaksi*): its commitments and their milestones, the people responsible,
//! and progress reports (monev). Operations take an [`Act`](crate::kernel::Act) — who acts,
//! in which request, at what time — and do their whole decision in one write transaction.

pub mod alignment;
pub mod assessment;
pub mod commitment;
pub mod follow_up;
pub mod milestone;
pub mod people;
pub mod plan;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use crate::{Problem, Problems, Refusal, validate};

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

/// An end before its start is refused on `input.<field>`.
pub fn check_range(
    problems: &mut Problems,
    field: &str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) {
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        problems.push(&["input", field], Problem::Refused(Refusal::EndBeforeStart));
    }
}

/// A clearable text, checked: `None` unchanged, `Some(None)` cleared.
pub fn text_change(
    problems: &mut Problems,
    field: &str,
    v: Option<Option<String>>,
    max: usize,
    long: bool,
) -> Option<Option<String>> {
    match v {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => {
            let r = if long {
                validate::long_text(&["input", field], Some(&t), max)
            } else {
                validate::optional_text(&["input", field], Some(&t), max)
            };
            problems.check(r)
        }
    }
}
