//! People of a member's partnership: officers, NGO staff, forum members. Their name and
//! contact details are PERSONAL (see [`crate::privacy`]); an erased person keeps their place
//! in the record without them.

use sea_orm::ActiveValue::Set;
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::person;
use crate::validate;
use crate::{Problem, Problems, Refusal};

/// A person's fields as given: `None` leaves a field as it is, `Some(None)` clears it (an
/// empty address or phone number clears it too).
#[derive(Default)]
pub struct PersonFields {
    /// Required on creation.
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub organisation: Option<Option<Uuid>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
}

struct Checked {
    name: Option<String>,
    title: Option<Option<String>>,
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
}

fn check(p: &mut Problems, f: &PersonFields) -> Checked {
    let name = f
        .name
        .as_deref()
        .and_then(|n| p.check(validate::required_text(&["input", "name"], n, 200)));
    let title = match &f.title {
        None => None,
        Some(None) => Some(None),
        Some(Some(t)) => p.check(validate::optional_text(&["input", "title"], Some(t), 200)),
    };
    let email = validate::email_change(p, "email", &f.email, true);
    let phone = validate::phone_change(p, "phone", &f.phone, true);
    Checked {
        name,
        title,
        email,
        phone,
    }
}

/// Adds a person to `member`'s partnership.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: PersonFields,
) -> Result<person::Model, Outcome> {
    act.permit("createPerson", Some(member))?;
    let p = &mut spec.problems;
    if f.name.is_none() {
        p.push(&["input", "name"], Problem::Required);
    }
    let c = check(p, &f);
    let org = f.organisation.flatten();
    crud::create::<person::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::organisation::Entity, _>(tx, p, "organisationId", org, member, |o| {
                o.member_id
            })
            .await
        },
        |id, now| person::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            name: Set(c.name.clone().unwrap_or_default()),
            title: Set(c.title.clone().flatten()),
            organisation_id: Set(org),
            email: Set(c.email.clone().flatten()),
            phone: Set(c.phone.clone().flatten()),
            erased_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a person if still at `version`; an erased person cannot be changed
/// (`PERSON_ERASED`).
pub async fn update(
    act: &Act<'_>,
    current: &person::Model,
    version: i32,
    mut problems: Problems,
    f: PersonFields,
) -> Result<person::Model, Outcome> {
    act.permit("updatePerson", Some(current.member_id))?;
    if current.erased_at.is_some() {
        return Err(
            Problems::one(&["input", "id"], Problem::Refused(Refusal::PersonErased)).into(),
        );
    }
    let c = check(&mut problems, &f);
    crud::update::<person::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            if before.erased_at.is_some() {
                *p = Problems::one(&["input", "id"], Problem::Refused(Refusal::PersonErased));
                return Ok(());
            }
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "organisationId",
                f.organisation.flatten(),
                before.member_id,
                |o| o.member_id,
            )
            .await
        },
        |_| person::ActiveModel {
            name: set(c.name.clone()),
            title: set(c.title.clone()),
            organisation_id: set(f.organisation),
            email: set(c.email.clone()),
            phone: set(c.phone.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Erases a person's personal data on their request (UU 27/2022): name and contact details are
/// anonymised everywhere — the person, their account, mail records, the audit log — the
/// account's sessions end, and the events stay without the data. Not oneself
/// (`CANNOT_ERASE_SELF`).
pub async fn erase(
    act: &Act<'_>,
    current: &person::Model,
    reason: Option<&str>,
) -> Result<person::Model, Outcome> {
    act.permit("erasePerson", Some(current.member_id))?;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<person::Model, Outcome> {
        let Some(before) = person::Entity::find_by_id(current.id).one(tx).await? else {
            return Err(Problems::one(&["input", "personId"], Problem::NotFound).into());
        };
        let own = crate::account::Entity::find()
            .filter(crate::account::Column::PersonId.eq(before.id))
            .one(tx)
            .await?;
        if own.is_some_and(|a| Some(a.id) == act.actor.account_id()) {
            return Err(Problems::one(
                &["input", "personId"],
                Problem::Refused(Refusal::CannotEraseSelf),
            )
            .into());
        }
        crate::accounts::erasure::erase_person(tx, &before, now).await?;
        crate::accounts::session::end_all_of_person(tx, before.id, now).await?;
        crate::kernel::audit::record(
            tx,
            act.actor,
            act.request_id,
            crate::kernel::audit::Change {
                table: "person",
                entity_type: "Person",
                entity_id: Some(before.id),
                member_id: Some(before.member_id),
                action: "ERASE_PERSONAL_DATA",
                before: None,
                after: reason.map(
                    |r| serde_json::json!({"reason": r.chars().take(500).collect::<String>()}),
                ),
            },
            now,
        )
        .await?;
        Ok(person::Entity::find_by_id(before.id)
            .one(tx)
            .await?
            .expect("exists"))
    })
    .await
}
