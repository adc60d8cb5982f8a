//! A head of region's term (*masa jabatan* of the Bupati, Wali Kota or Gubernur): OGP Local asks
//! that a member's plan fall within it.

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use serde::Serialize;
use uuid::Uuid;

use crate::head_of_region_term as term;
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::Outcome;
use crate::validate::{self, check_range, text_change};
use crate::{Problem, Problems};

/// A term's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct TermFields {
    /// Required on creation.
    pub name: Option<String>,
    pub deputy_name: Option<Option<String>>,
    pub office_title: Option<Option<String>>,
    pub elected_on: Option<Option<NaiveDate>>,
    pub declared_on: Option<Option<NaiveDate>>,
    pub inaugurated_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
}

struct Checked {
    name: Option<String>,
    deputy: Option<Option<String>>,
    office: Option<Option<String>>,
}

fn check(p: &mut Problems, f: &TermFields) -> Checked {
    Checked {
        name: f
            .name
            .as_deref()
            .and_then(|n| p.check(validate::required_text(&["input", "name"], n, 200))),
        deputy: text_change(p, "deputyName", f.deputy_name.clone(), 200, false),
        office: text_change(p, "officeTitle", f.office_title.clone(), 100, false),
    }
}

/// Records a term of `member`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: TermFields,
) -> Result<term::Model, Outcome> {
    act.permit("createHeadOfRegionTerm", Some(member))?;
    let p = &mut spec.problems;
    if f.name.is_none() {
        p.push(&["input", "name"], Problem::Required);
    }
    let c = check(p, &f);
    let inaugurated = f.inaugurated_on.flatten();
    let ends = f.ends_on.flatten();
    check_range(p, "endsOn", inaugurated, ends);
    crud::create::<term::Entity, _>(
        act,
        spec,
        async |_, _| Ok(()),
        |id, now| term::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            name: Set(c.name.clone().unwrap_or_default()),
            deputy_name: Set(c.deputy.clone().flatten()),
            office_title: Set(c.office.clone().flatten()),
            elected_on: Set(f.elected_on.flatten()),
            declared_on: Set(f.declared_on.flatten()),
            inaugurated_on: Set(inaugurated),
            ends_on: Set(ends),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a term if still at `version`; its end may not come before its inauguration.
pub async fn update(
    act: &Act<'_>,
    current: &term::Model,
    version: i32,
    mut problems: Problems,
    f: TermFields,
) -> Result<term::Model, Outcome> {
    act.permit("updateHeadOfRegionTerm", Some(current.member_id))?;
    let c = check(&mut problems, &f);
    crud::update::<term::Entity>(
        act,
        current,
        version,
        problems,
        async |_, before, p| {
            check_range(
                p,
                "endsOn",
                f.inaugurated_on.unwrap_or(before.inaugurated_on),
                f.ends_on.unwrap_or(before.ends_on),
            );
            Ok(())
        },
        |_| term::ActiveModel {
            name: set(c.name.clone()),
            deputy_name: set(c.deputy.clone()),
            office_title: set(c.office.clone()),
            elected_on: set(f.elected_on),
            declared_on: set(f.declared_on),
            inaugurated_on: set(f.inaugurated_on),
            ends_on: set(f.ends_on),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes a term entered by mistake, if still at `version`.
pub async fn delete(act: &Act<'_>, current: &term::Model, version: i32) -> Result<(), Outcome> {
    act.permit("deleteHeadOfRegionTerm", Some(current.member_id))?;
    crud::delete::<term::Entity>(act, current, version).await
}
