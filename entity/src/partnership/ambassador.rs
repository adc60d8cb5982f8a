//! Youth ambassadors (*Duta OGP*): young people of a cohort who carry the programme to schools
//! and villages.

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use serde::Serialize;
use uuid::Uuid;

use crate::ambassador;
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::validate::{self, check_range, text_change};
use crate::{Problem, Problems};

/// An ambassador's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct AmbassadorFields {
    /// Required on creation (who it is cannot change afterwards).
    pub person: Option<Uuid>,
    /// Required on creation.
    pub cohort: Option<String>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
    pub activities: Option<Option<String>>,
}

fn cohort(p: &mut Problems, f: &AmbassadorFields) -> Option<String> {
    f.cohort
        .as_deref()
        .and_then(|c| p.check(validate::required_text(&["input", "cohort"], c, 60)))
}

/// Adds an ambassador of `member`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: AmbassadorFields,
) -> Result<ambassador::Model, Outcome> {
    act.permit("createAmbassador", Some(member))?;
    let p = &mut spec.problems;
    if f.cohort.is_none() {
        p.push(&["input", "cohort"], Problem::Required);
    }
    let cohort = cohort(p, &f);
    let activities = text_change(p, "activities", f.activities.clone(), 10_000, true).flatten();
    let (start, end) = (f.starts_on.flatten(), f.ends_on.flatten());
    check_range(p, "endsOn", start, end);
    let person = f.person;
    crud::create::<ambassador::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::person::Entity, _>(tx, p, "personId", person, member, |x| {
                x.member_id
            })
            .await
        },
        |id, now| ambassador::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            person_id: Set(person.unwrap_or_default()),
            cohort: Set(cohort.clone().unwrap_or_default()),
            starts_on: Set(start),
            ends_on: Set(end),
            activities: Set(activities.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes an ambassador's cohort, period or activities if still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &ambassador::Model,
    version: i32,
    mut problems: Problems,
    f: AmbassadorFields,
) -> Result<ambassador::Model, Outcome> {
    act.permit("updateAmbassador", Some(current.member_id))?;
    let cohort = cohort(&mut problems, &f);
    let activities = text_change(
        &mut problems,
        "activities",
        f.activities.clone(),
        10_000,
        true,
    );
    crud::update::<ambassador::Entity>(
        act,
        current,
        version,
        problems,
        async |_, before, p| {
            check_range(
                p,
                "endsOn",
                f.starts_on.unwrap_or(before.starts_on),
                f.ends_on.unwrap_or(before.ends_on),
            );
            Ok(())
        },
        |_| ambassador::ActiveModel {
            cohort: set(cohort.clone()),
            activities: set(activities.clone()),
            starts_on: set(f.starts_on),
            ends_on: set(f.ends_on),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes an ambassador entered by mistake, if still at `version`.
pub async fn delete(
    act: &Act<'_>,
    current: &ambassador::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deleteAmbassador", Some(current.member_id))?;
    crud::delete::<ambassador::Entity>(act, current, version).await
}
