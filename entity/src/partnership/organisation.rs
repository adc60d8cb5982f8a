//! Organisations of a member's partnership: government offices (*OPD*, organisasi perangkat
//! daerah), NGOs and the rest, with office contacts that only the partnership sees unless the
//! organisation makes them public.

use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::Outcome;
use crate::organisation::{self, OrganisationKind, PartnershipRole};
use crate::validate;
use crate::{Problem, Problems};

/// An organisation's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct OrganisationFields {
    /// Required on creation.
    pub name: Option<String>,
    pub acronym: Option<Option<String>>,
    /// Required on creation.
    pub kind: Option<OrganisationKind>,
    pub parent: Option<Option<Uuid>>,
    pub partnership_role: Option<Option<PartnershipRole>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub website_url: Option<Option<String>>,
    pub contact_public: Option<bool>,
}

struct Checked {
    name: Option<String>,
    acronym: Option<Option<String>>,
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
    address: Option<Option<String>>,
    website: Option<Option<String>>,
}

fn check(p: &mut Problems, f: &OrganisationFields) -> Checked {
    let name = f
        .name
        .as_deref()
        .and_then(|n| p.check(validate::required_text(&["input", "name"], n, 200)));
    let acronym = match &f.acronym {
        None => None,
        Some(None) => Some(None),
        Some(Some(a)) => p.check(validate::optional_text(&["input", "acronym"], Some(a), 40)),
    };
    let email = validate::email_change(p, "contactEmail", &f.contact_email, false);
    let phone = validate::phone_change(p, "contactPhone", &f.contact_phone, false);
    let address = match &f.address {
        None => None,
        Some(None) => Some(None),
        Some(Some(a)) => p.check(validate::optional_text(&["input", "address"], Some(a), 500)),
    };
    let website = validate::url_change(p, "websiteUrl", &f.website_url);
    Checked {
        name,
        acronym,
        email,
        phone,
        address,
        website,
    }
}

/// The parent must be an organisation of the same member, and not the organisation itself or
/// one below it (a chain is followed at most 16 levels up).
async fn check_parent<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    member_id: Uuid,
    parent: Option<Uuid>,
    this: Option<Uuid>,
) -> Result<(), DbErr> {
    let mut next = parent;
    let mut depth = 0;
    while let Some(pid) = next {
        if Some(pid) == this {
            problems.push(&["input", "parentId"], Problem::ParentCycle);
            return Ok(());
        }
        match organisation::Entity::find_by_id(pid).one(db).await? {
            Some(p) if p.member_id == member_id => next = p.parent_id,
            _ if depth == 0 => {
                problems.push(&["input", "parentId"], Problem::NotFound);
                return Ok(());
            }
            _ => return Ok(()),
        }
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    Ok(())
}

/// Adds an organisation to `member`'s partnership; a second one of the same name (as
/// [`validate::name_key`] compares names) is a `DUPLICATE` on `input.name`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: OrganisationFields,
) -> Result<organisation::Model, Outcome> {
    act.permit("createOrganisation", Some(member))?;
    let p = &mut spec.problems;
    if f.name.is_none() {
        p.push(&["input", "name"], Problem::Required);
    }
    let c = check(p, &f);
    let Some(kind) = f.kind else {
        p.push(&["input", "kind"], Problem::Required);
        return Err(std::mem::take(p).into());
    };
    let parent = f.parent.flatten();
    crud::create::<organisation::Entity, _>(
        act,
        spec,
        async |tx, p| {
            if crate::member::Entity::find_by_id(member)
                .one(tx)
                .await?
                .is_none()
            {
                p.push(&["input", "memberId"], Problem::NotFound);
                return Ok(());
            }
            check_parent(tx, p, member, parent, None).await
        },
        |id, now| {
            let name = c.name.clone().unwrap_or_default();
            organisation::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                name_key: Set(validate::name_key(&name)),
                name: Set(name),
                acronym: Set(c.acronym.clone().flatten()),
                kind: Set(kind),
                parent_id: Set(parent),
                partnership_role: Set(f.partnership_role.flatten()),
                contact_email: Set(c.email.clone().flatten()),
                contact_phone: Set(c.phone.clone().flatten()),
                address: Set(c.address.clone().flatten()),
                website_url: Set(c.website.clone().flatten()),
                contact_public: Set(f.contact_public.unwrap_or(false)),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            }
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes an organisation if still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &organisation::Model,
    version: i32,
    mut problems: Problems,
    f: OrganisationFields,
) -> Result<organisation::Model, Outcome> {
    act.permit("updateOrganisation", Some(current.member_id))?;
    let c = check(&mut problems, &f);
    crud::update::<organisation::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| match f.parent {
            Some(parent) => check_parent(tx, p, before.member_id, parent, Some(before.id)).await,
            None => Ok(()),
        },
        |_| organisation::ActiveModel {
            name_key: set(c.name.as_deref().map(validate::name_key)),
            name: set(c.name.clone()),
            acronym: set(c.acronym.clone()),
            kind: set(f.kind),
            parent_id: set(f.parent),
            partnership_role: set(f.partnership_role),
            contact_email: set(c.email.clone()),
            contact_phone: set(c.phone.clone()),
            address: set(c.address.clone()),
            website_url: set(c.website.clone()),
            contact_public: set(f.contact_public),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes an organisation nothing refers to (one entered by mistake), if still at `version`;
/// one still referred to is refused with `ORGANISATION_IN_USE`.
pub async fn delete(
    act: &Act<'_>,
    current: &organisation::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deleteOrganisation", Some(current.member_id))?;
    crud::delete::<organisation::Entity>(act, current, version).await
}
