//! Open invitations (*undangan terbuka*) to an event: published once (the lead time counts
//! from the first publication), changed after, never for an event that is over.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;

use crate::event::{self, EventStatus};
use crate::invitation::{self, Audience, InvitationChannel};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::Outcome;
use crate::{Problem, Refusal, validate};

/// An invitation as asked for.
pub struct Publish {
    pub channels: Vec<InvitationChannel>,
    /// Default OPEN.
    pub audience: Option<Audience>,
    /// Seats (1–100,000); none means no limit.
    pub capacity: Option<i32>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub message: Option<String>,
}

/// Publishes (or changes) `ev`'s invitation; returns the event as it is after.
pub async fn publish<I: Serialize>(
    act: &Act<'_>,
    ev: &event::Model,
    mut spec: Create<'_, I>,
    cmd: Publish,
) -> Result<event::Model, Outcome> {
    act.permit("publishInvitation", Some(ev.member_id))?;
    let p = &mut spec.problems;
    if let Some(c) = cmd.capacity
        && !(1..=100_000).contains(&c)
    {
        p.push(
            &["input", "capacity"],
            Problem::OutOfRange {
                min: "1".into(),
                max: "100000".into(),
            },
        );
    }
    let message = p
        .check(validate::long_text(
            &["input", "message"],
            cmd.message.as_deref(),
            20_000,
        ))
        .flatten();
    if matches!(ev.status, EventStatus::Cancelled | EventStatus::Closed) {
        p.push(&["input", "eventId"], Problem::Refused(Refusal::EventOver));
    }
    let mut channels = cmd.channels.clone();
    channels.sort();
    channels.dedup();
    let existing = invitation::Entity::find()
        .filter(invitation::Column::EventId.eq(ev.id))
        .one(&act.db.exec())
        .await?;
    let fields = |a: &mut invitation::ActiveModel| {
        a.channels = Set(json!(channels));
        a.audience = Set(cmd.audience.unwrap_or(Audience::Open));
        a.capacity = Set(cmd.capacity);
        a.registration_closes_at = Set(cmd.registration_closes_at);
        a.message = Set(message.clone());
    };
    match existing {
        None => {
            crud::create::<invitation::Entity, _>(
                act,
                spec,
                async |_, _| Ok(()),
                |id, created| {
                    let mut a = invitation::ActiveModel {
                        id: Set(id),
                        member_id: Set(ev.member_id),
                        event_id: Set(ev.id),
                        published_at: Set(act.now),
                        created_at: Set(created),
                        updated_at: Set(created),
                        version: Set(1),
                        ..Default::default()
                    };
                    fields(&mut a);
                    a
                },
                async |_, _| Ok(()),
            )
            .await?;
        }
        Some(current) => {
            crud::update::<invitation::Entity>(
                act,
                &current,
                current.version,
                spec.problems,
                async |_, _, _| Ok(()),
                |_| {
                    let mut a = invitation::ActiveModel {
                        updated_at: Set(act.now),
                        published_at: NotSet,
                        ..Default::default()
                    };
                    fields(&mut a);
                    a
                },
                async |_, _| Ok(()),
            )
            .await?;
        }
    }
    Ok(event::Entity::find_by_id(ev.id)
        .one(&act.db.exec())
        .await?
        .unwrap_or_else(|| ev.clone()))
}
