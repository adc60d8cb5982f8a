//! Follow-up actions (*tindak lanjut*) agreed at an event or for a commitment: noted (OPEN),
//! changed, moved (OPEN → IN_PROGRESS / DONE / DROPPED; IN_PROGRESS → OPEN / DONE / DROPPED;
//! a closed one reopens), given their owners, removed.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::people;
use crate::follow_up::{self, FollowUpStatus};
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::{Problem, Problems, follow_up_person, validate};

/// A follow-up's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct FollowUpFields {
    pub event: Option<Option<Uuid>>,
    /// Required on creation.
    pub description: Option<String>,
    pub owner_organisation: Option<Option<Uuid>>,
    pub due_on: Option<Option<NaiveDate>>,
    pub commitment: Option<Option<Uuid>>,
    /// Its place in the list (default: after the others).
    pub ordinal: Option<i32>,
}

fn description(p: &mut Problems, f: &FollowUpFields) -> Option<String> {
    f.description
        .as_deref()
        .and_then(|d| p.check(validate::required_text(&["input", "description"], d, 5_000)))
}

async fn check_refs(
    tx: &DatabaseTransaction,
    p: &mut Problems,
    member: Uuid,
    f: &FollowUpFields,
) -> Result<(), DbErr> {
    check_ref::<crate::event::Entity, _>(tx, p, "eventId", f.event.flatten(), member, |x| {
        x.member_id
    })
    .await?;
    check_ref::<crate::organisation::Entity, _>(
        tx,
        p,
        "ownerOrganisationId",
        f.owner_organisation.flatten(),
        member,
        |x| x.member_id,
    )
    .await?;
    check_ref::<crate::commitment::Entity, _>(
        tx,
        p,
        "commitmentId",
        f.commitment.flatten(),
        member,
        |x| x.member_id,
    )
    .await
}

/// Notes a follow-up of `member` (OPEN).
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: FollowUpFields,
) -> Result<follow_up::Model, Outcome> {
    act.permit("createFollowUp", Some(member))?;
    let p = &mut spec.problems;
    if f.description.is_none() {
        p.push(&["input", "description"], Problem::Required);
    }
    let text = description(p, &f);
    crud::create::<follow_up::Entity, _>(
        act,
        spec,
        async |tx, p| check_refs(tx, p, member, &f).await,
        |id, now| follow_up::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            event_id: Set(f.event.flatten()),
            description: Set(text.clone().unwrap_or_default()),
            owner_organisation_id: Set(f.owner_organisation.flatten()),
            due_on: Set(f.due_on.flatten()),
            status: Set(FollowUpStatus::Open),
            commitment_id: Set(f.commitment.flatten()),
            // Default: after the others (ids grow with time, so equal ordinals keep order).
            ordinal: Set(f.ordinal.unwrap_or(i32::MAX / 2)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a follow-up if it is still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &follow_up::Model,
    version: i32,
    mut problems: Problems,
    f: FollowUpFields,
) -> Result<follow_up::Model, Outcome> {
    let owners = owner_ids(&act.db.exec(), current.id).await?;
    act.permit_responsible("updateFollowUp", current.member_id, &owners)?;
    let text = description(&mut problems, &f);
    let member = current.member_id;
    crud::update::<follow_up::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| check_refs(tx, p, member, &f).await,
        |_| follow_up::ActiveModel {
            event_id: set(f.event),
            description: set(text.clone()),
            owner_organisation_id: set(f.owner_organisation),
            due_on: set(f.due_on),
            commitment_id: set(f.commitment),
            ordinal: set(f.ordinal),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Moves a follow-up to `to` when that step is allowed.
pub async fn transition(
    act: &Act<'_>,
    current: &follow_up::Model,
    version: i32,
    to: FollowUpStatus,
) -> Result<follow_up::Model, Outcome> {
    let owners = owner_ids(&act.db.exec(), current.id).await?;
    act.permit_responsible("transitionFollowUp", current.member_id, &owners)?;
    crud::transition::<follow_up::Entity, _>(
        act,
        current,
        version,
        to,
        |f| f.status,
        async |_, _, _| Ok(()),
        |_, to| follow_up::ActiveModel {
            status: Set(to),
            updated_at: Set(act.now),
            ..Default::default()
        },
    )
    .await
}

/// Names the people who own a follow-up (replacing the list); each a person of its member.
pub async fn set_owners(
    act: &Act<'_>,
    current: &follow_up::Model,
    version: i32,
    problems: Problems,
    who: Vec<Uuid>,
) -> Result<follow_up::Model, Outcome> {
    act.permit("setFollowUpOwners", Some(current.member_id))?;
    let member = current.member_id;
    crud::update::<follow_up::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| people::check(tx, p, member, &who).await,
        |_| follow_up::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, f| {
            follow_up_person::Entity::delete_many()
                .filter(follow_up_person::Column::FollowUpId.eq(f.id))
                .exec(tx)
                .await?;
            for person in &who {
                follow_up_person::Entity::insert(follow_up_person::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(member),
                    follow_up_id: Set(f.id),
                    person_id: Set(*person),
                })
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
    )
    .await
}

/// Removes a follow-up (if still at `version`).
pub async fn delete(
    act: &Act<'_>,
    current: &follow_up::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deleteFollowUp", Some(current.member_id))?;
    crud::delete::<follow_up::Entity>(act, current, version).await
}

/// The person ids who own a follow-up.
pub async fn owner_ids<C: sea_orm::ConnectionTrait>(
    db: &C,
    follow_up: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    Ok(follow_up_person::Entity::find()
        .filter(follow_up_person::Column::FollowUpId.eq(follow_up))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.person_id)
        .collect())
}
