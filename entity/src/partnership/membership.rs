//! A person's place in an organisation or a body of the partnership (the team, the forum, the
//! secretariat), office contacts among them.

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::membership::{self, Body};
use crate::validate::{check_range, text_change};
use crate::{Problem, Problems};

/// A membership's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct MembershipFields {
    /// Required on creation (who it is cannot change afterwards).
    pub person: Option<Uuid>,
    /// Required on creation.
    pub body: Option<Body>,
    pub organisation: Option<Option<Uuid>>,
    pub position: Option<Option<String>>,
    pub is_contact: Option<bool>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
}

/// Records a membership in `member`'s partnership.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: MembershipFields,
) -> Result<membership::Model, Outcome> {
    act.permit("createMembership", Some(member))?;
    let p = &mut spec.problems;
    if f.body.is_none() {
        p.push(&["input", "body"], Problem::Required);
    }
    let position = text_change(p, "position", f.position.clone(), 200, false).flatten();
    let (start, end) = (f.starts_on.flatten(), f.ends_on.flatten());
    check_range(p, "endsOn", start, end);
    let (person, org) = (f.person, f.organisation.flatten());
    crud::create::<membership::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::person::Entity, _>(tx, p, "personId", person, member, |x| {
                x.member_id
            })
            .await?;
            check_ref::<crate::organisation::Entity, _>(tx, p, "organisationId", org, member, |x| {
                x.member_id
            })
            .await
        },
        |id, now| membership::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            person_id: Set(person.unwrap_or_default()),
            body: Set(f.body.unwrap_or(Body::Organisation)),
            organisation_id: Set(org),
            position: Set(position.clone()),
            is_contact: Set(f.is_contact.unwrap_or(false)),
            starts_on: Set(start),
            ends_on: Set(end),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a membership if still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &membership::Model,
    version: i32,
    mut problems: Problems,
    f: MembershipFields,
) -> Result<membership::Model, Outcome> {
    act.permit("updateMembership", Some(current.member_id))?;
    let position = text_change(&mut problems, "position", f.position.clone(), 200, false);
    let member = current.member_id;
    crud::update::<membership::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            check_range(
                p,
                "endsOn",
                f.starts_on.unwrap_or(before.starts_on),
                f.ends_on.unwrap_or(before.ends_on),
            );
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "organisationId",
                f.organisation.flatten(),
                member,
                |x| x.member_id,
            )
            .await
        },
        |_| membership::ActiveModel {
            body: set(f.body),
            organisation_id: set(f.organisation),
            position: set(position.clone()),
            is_contact: set(f.is_contact),
            starts_on: set(f.starts_on),
            ends_on: set(f.ends_on),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes a membership that ended or was entered by mistake, if still at `version`.
pub async fn delete(
    act: &Act<'_>,
    current: &membership::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deleteMembership", Some(current.member_id))?;
    crud::delete::<membership::Entity>(act, current, version).await
}
