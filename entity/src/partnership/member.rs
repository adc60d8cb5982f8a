//! Member governments: a regency or city (*kabupaten/kota*), a province, or the national
//! government, each with its OGP website and document repository.

use chrono::NaiveDate;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::Outcome;
use crate::member::{self, MemberLevel};
use crate::validate;
use crate::{Problem, Problems};

/// The zone a member is in unless it says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Jakarta";

/// A member's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct MemberFields {
    /// Required on creation.
    pub name: Option<String>,
    /// Made from the name on creation when not given.
    pub slug: Option<String>,
    /// Required on creation.
    pub level: Option<MemberLevel>,
    pub parent: Option<Option<Uuid>>,
    pub time_zone: Option<String>,
    pub ogp_member_since: Option<Option<NaiveDate>>,
    pub website_url: Option<Option<String>>,
    pub repository_url: Option<Option<String>>,
}

struct Checked {
    name: Option<String>,
    slug: Option<String>,
    time_zone: Option<String>,
    website: Option<Option<String>>,
    repository: Option<Option<String>>,
}

fn check(p: &mut Problems, f: &MemberFields) -> Checked {
    Checked {
        name: f
            .name
            .as_deref()
            .and_then(|n| p.check(validate::required_text(&["input", "name"], n, 200))),
        slug: f
            .slug
            .as_deref()
            .and_then(|s| p.check(validate::slug(&["input", "slug"], s))),
        time_zone: f.time_zone.as_deref().and_then(|tz| {
            p.check(validate::time_zone(&["input", "timeZone"], tz))
                .map(|tz| tz.name().to_owned())
        }),
        website: validate::url_change(p, "websiteUrl", &f.website_url),
        repository: validate::url_change(p, "repositoryUrl", &f.repository_url),
    }
}

/// A parent must exist, be of a higher level, and not be this member or one below it.
async fn check_parent<C: ConnectionTrait>(
    db: &C,
    problems: &mut Problems,
    level: MemberLevel,
    parent: Option<Uuid>,
    this: Option<Uuid>,
) -> Result<(), DbErr> {
    let Some(mut pid) = parent else { return Ok(()) };
    let Some(p) = member::Entity::find_by_id(pid).one(db).await? else {
        problems.push(&["input", "parentId"], Problem::NotFound);
        return Ok(());
    };
    if p.level.rank() <= level.rank() {
        problems.push(&["input", "parentId"], Problem::ParentLevel);
    }
    // Walk up: the parent may not be this member or below it.
    for _ in 0..16 {
        if Some(pid) == this {
            problems.push(&["input", "parentId"], Problem::ParentCycle);
            break;
        }
        match member::Entity::find_by_id(pid).one(db).await? {
            Some(m) => match m.parent_id {
                Some(next) => pid = next,
                None => break,
            },
            None => break,
        }
    }
    Ok(())
}

/// Adds a member government; a slug already taken is a `DUPLICATE` on `input.slug`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    mut spec: Create<'_, I>,
    mut f: MemberFields,
) -> Result<member::Model, Outcome> {
    act.permit("createMember", None)?;
    let p = &mut spec.problems;
    if f.name.is_none() {
        p.push(&["input", "name"], Problem::Required);
    }
    f.time_zone
        .get_or_insert_with(|| DEFAULT_TIME_ZONE.to_owned());
    let c = check(p, &f);
    let Some(level) = f.level else {
        p.push(&["input", "level"], Problem::Required);
        return Err(std::mem::take(p).into());
    };
    let parent = f.parent.flatten();
    crud::create::<member::Entity, _>(
        act,
        spec,
        async |tx, p| check_parent(tx, p, level, parent, None).await,
        |id, now| {
            let name = c.name.clone().unwrap_or_default();
            member::ActiveModel {
                id: Set(id),
                slug: Set(c.slug.clone().unwrap_or_else(|| validate::slugify(&name))),
                name: Set(name),
                level: Set(level),
                parent_id: Set(parent),
                time_zone: Set(c.time_zone.clone().unwrap_or_default()),
                ogp_member_since: Set(f.ogp_member_since.flatten()),
                website_url: Set(c.website.clone().flatten()),
                repository_url: Set(c.repository.clone().flatten()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            }
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a member government if still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &member::Model,
    version: i32,
    mut problems: Problems,
    f: MemberFields,
) -> Result<member::Model, Outcome> {
    act.permit("updateMember", Some(current.id))?;
    let c = check(&mut problems, &f);
    crud::update::<member::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            let level = f.level.unwrap_or(before.level);
            let parent = f.parent.unwrap_or(before.parent_id);
            check_parent(tx, p, level, parent, Some(before.id)).await
        },
        |_| member::ActiveModel {
            name: set(c.name.clone()),
            slug: set(c.slug.clone()),
            level: set(f.level),
            parent_id: set(f.parent),
            time_zone: set(c.time_zone.clone()),
            ogp_member_since: set(f.ogp_member_since),
            website_url: set(c.website.clone()),
            repository_url: set(c.repository.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}
