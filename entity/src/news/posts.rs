//! Writing news posts (*berita*): drafted, changed, moved along DRAFT → PUBLISHED (public from
//! then on, or from its earlier publication time) → WITHDRAWN → PUBLISHED / DRAFT, and deleted
//! only if never published.

use sea_orm::ActiveValue::{NotSet, Set};
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::publication::{self, PublicationStatus};
use crate::validate::text_change;
use crate::{Problem, Problems, Refusal, validate};

/// A post's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct PostFields {
    /// Required on creation.
    pub title: Option<String>,
    /// Required on creation.
    pub body: Option<String>,
    /// Default: made from the title.
    pub slug: Option<String>,
    pub title_en: Option<Option<String>>,
    pub body_en: Option<Option<String>>,
    pub author_credit: Option<Option<String>>,
    pub posted_by: Option<Option<String>>,
    pub event: Option<Option<Uuid>>,
    pub poll_question: Option<Option<String>>,
}

struct Checked {
    title: Option<String>,
    body: Option<String>,
    slug: Option<String>,
    title_en: Option<Option<String>>,
    body_en: Option<Option<String>>,
    author_credit: Option<Option<String>>,
    posted_by: Option<Option<String>>,
    poll_question: Option<Option<String>>,
}

fn check(p: &mut Problems, f: &PostFields) -> Checked {
    Checked {
        title: f
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500))),
        body: f.body.as_deref().and_then(|b| {
            p.check(validate::long_text(&["input", "body"], Some(b), 200_000))
                .flatten()
                .or_else(|| {
                    p.push(&["input", "body"], Problem::Required);
                    None
                })
        }),
        slug: f
            .slug
            .as_deref()
            .and_then(|s| p.check(validate::slug(&["input", "slug"], s))),
        title_en: text_change(p, "titleEn", f.title_en.clone(), 500, false),
        body_en: text_change(p, "bodyEn", f.body_en.clone(), 200_000, true),
        author_credit: text_change(p, "authorCredit", f.author_credit.clone(), 200, false),
        posted_by: text_change(p, "postedBy", f.posted_by.clone(), 200, false),
        poll_question: text_change(p, "pollQuestion", f.poll_question.clone(), 300, false),
    }
}

/// Writes a post of `member` (DRAFT).
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: PostFields,
) -> Result<publication::Model, Outcome> {
    act.permit("createPublication", Some(member))?;
    let p = &mut spec.problems;
    if f.title.is_none() {
        p.push(&["input", "title"], Problem::Required);
    }
    if f.body.is_none() {
        p.push(&["input", "body"], Problem::Required);
    }
    let c = check(p, &f);
    let slug = c
        .slug
        .clone()
        .or_else(|| c.title.as_deref().map(validate::slugify))
        .unwrap_or_default();
    let event = f.event.flatten();
    crud::create::<publication::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::event::Entity, _>(tx, p, "eventId", event, member, |x| x.member_id)
                .await
        },
        |id, now| publication::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            slug: Set(slug.clone()),
            title: Set(c.title.clone().unwrap_or_default()),
            body: Set(c.body.clone().unwrap_or_default()),
            title_en: Set(c.title_en.clone().flatten()),
            body_en: Set(c.body_en.clone().flatten()),
            author_credit: Set(c.author_credit.clone().flatten()),
            posted_by: Set(c.posted_by.clone().flatten()),
            event_id: Set(event),
            status: Set(PublicationStatus::Draft),
            published_at: Set(None),
            views: Set(0),
            poll_question: Set(c.poll_question.clone().flatten()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a post if it is still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &publication::Model,
    version: i32,
    mut problems: Problems,
    f: PostFields,
) -> Result<publication::Model, Outcome> {
    act.permit("updatePublication", Some(current.member_id))?;
    let c = check(&mut problems, &f);
    let member = current.member_id;
    crud::update::<publication::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            check_ref::<crate::event::Entity, _>(tx, p, "eventId", f.event.flatten(), member, |x| {
                x.member_id
            })
            .await
        },
        |_| publication::ActiveModel {
            slug: set(c.slug.clone()),
            title: set(c.title.clone()),
            body: set(c.body.clone()),
            title_en: set(c.title_en.clone()),
            body_en: set(c.body_en.clone()),
            author_credit: set(c.author_credit.clone()),
            posted_by: set(c.posted_by.clone()),
            event_id: set(f.event),
            poll_question: set(c.poll_question.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Moves a post to `to` when that step is allowed; its first publication time is kept.
pub async fn transition(
    act: &Act<'_>,
    current: &publication::Model,
    version: i32,
    to: PublicationStatus,
) -> Result<publication::Model, Outcome> {
    act.permit("transitionPublication", Some(current.member_id))?;
    let now = act.now;
    crud::transition::<publication::Entity, _>(
        act,
        current,
        version,
        to,
        |p| p.status,
        async |_, _, _| Ok(()),
        |before, to| publication::ActiveModel {
            status: Set(to),
            published_at: if to == PublicationStatus::Published && before.published_at.is_none() {
                Set(Some(now))
            } else {
                NotSet
            },
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await
}

/// Deletes a post that was never published (a published one is kept, withdrawn if need be).
pub async fn delete(
    act: &Act<'_>,
    current: &publication::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deletePublication", Some(current.member_id))?;
    if current.published_at.is_some() {
        return Err(Problems::one(
            &["input", "id"],
            Problem::Refused(Refusal::PublishedPostKept),
        )
        .into());
    }
    crud::delete::<publication::Entity>(act, current, version).await
}
