//! The partnership's websites and social-media accounts (*kanal daring*): PLANNED, ACTIVE
//! (which needs its address) or RETIRED.

use sea_orm::ActiveValue::Set;
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::online_channel::{self, ChannelKind, ChannelStatus};
use crate::validate::text_change;
use crate::{Problem, Problems, Refusal, validate};

/// A channel's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct ChannelFields {
    /// Required on creation.
    pub kind: Option<ChannelKind>,
    /// Required on creation.
    pub name: Option<String>,
    pub handle: Option<Option<String>>,
    pub url: Option<Option<String>>,
    pub organisation: Option<Option<Uuid>>,
    /// Default PLANNED.
    pub status: Option<ChannelStatus>,
    pub purpose: Option<Option<String>>,
    pub ordinal: Option<i32>,
}

struct Checked {
    name: Option<String>,
    handle: Option<Option<String>>,
    url: Option<Option<String>>,
    purpose: Option<Option<String>>,
}

fn check(p: &mut Problems, f: &ChannelFields) -> Checked {
    Checked {
        name: f
            .name
            .as_deref()
            .and_then(|n| p.check(validate::required_text(&["input", "name"], n, 300))),
        handle: text_change(p, "handle", f.handle.clone(), 200, false),
        url: match &f.url {
            None => None,
            Some(None) => Some(None),
            Some(Some(u)) => p.check(validate::optional_url(&["input", "url"], Some(u))),
        },
        purpose: text_change(p, "purpose", f.purpose.clone(), 2_000, true),
    }
}

/// An active channel needs its address.
fn check_active(p: &mut Problems, status: ChannelStatus, url: Option<&str>) {
    if status == ChannelStatus::Active && url.is_none() {
        p.push(
            &["input", "url"],
            Problem::Refused(Refusal::ChannelNeedsUrl),
        );
    }
}

/// Adds a channel of `member`.
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: ChannelFields,
) -> Result<online_channel::Model, Outcome> {
    act.permit("createOnlineChannel", Some(member))?;
    let p = &mut spec.problems;
    if f.name.is_none() {
        p.push(&["input", "name"], Problem::Required);
    }
    let Some(kind) = f.kind else {
        p.push(&["input", "kind"], Problem::Required);
        return Err(std::mem::take(p).into());
    };
    let c = check(p, &f);
    let status = f.status.unwrap_or(ChannelStatus::Planned);
    check_active(p, status, c.url.clone().flatten().as_deref());
    let org = f.organisation.flatten();
    crud::create::<online_channel::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::organisation::Entity, _>(tx, p, "organisationId", org, member, |o| {
                o.member_id
            })
            .await
        },
        |id, now| online_channel::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            kind: Set(kind),
            name: Set(c.name.clone().unwrap_or_default()),
            handle: Set(c.handle.clone().flatten()),
            url: Set(c.url.clone().flatten()),
            organisation_id: Set(org),
            status: Set(status),
            purpose: Set(c.purpose.clone().flatten()),
            ordinal: Set(f.ordinal.unwrap_or(i32::MAX / 2)),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes a channel (its address, who runs it, its status) if still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &online_channel::Model,
    version: i32,
    mut problems: Problems,
    f: ChannelFields,
) -> Result<online_channel::Model, Outcome> {
    act.permit("updateOnlineChannel", Some(current.member_id))?;
    let c = check(&mut problems, &f);
    let member = current.member_id;
    crud::update::<online_channel::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            let url = c.url.clone().unwrap_or_else(|| before.url.clone());
            check_active(p, f.status.unwrap_or(before.status), url.as_deref());
            check_ref::<crate::organisation::Entity, _>(
                tx,
                p,
                "organisationId",
                f.organisation.flatten(),
                member,
                |o| o.member_id,
            )
            .await
        },
        |_| online_channel::ActiveModel {
            kind: set(f.kind),
            name: set(c.name.clone()),
            handle: set(c.handle.clone()),
            url: set(c.url.clone()),
            organisation_id: set(f.organisation),
            status: set(f.status),
            purpose: set(c.purpose.clone()),
            ordinal: set(f.ordinal),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes a channel (if still at `version`).
pub async fn delete(
    act: &Act<'_>,
    current: &online_channel::Model,
    version: i32,
) -> Result<(), Outcome> {
    act.permit("deleteOnlineChannel", Some(current.member_id))?;
    crud::delete::<online_channel::Entity>(act, current, version).await
}
