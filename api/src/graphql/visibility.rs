//! Which records the public sees. The partnership's own people (any role in the member,
//! watchdogs included) see everything of their member, drafts too; the public sees what has
//! been published.

use chrono::NaiveDate;
use entity::action_plan::{self, PlanStatus};
use entity::decree::{self, DecreeStatus};
use uuid::Uuid;

use crate::auth::Viewer;

/// A plan is public from public review on (see [`PlanStatus::is_public`]).
pub fn plan_is_public(status: PlanStatus) -> bool {
    status.is_public()
}

pub fn sees_plan(viewer: &Viewer, plan: &action_plan::Model) -> bool {
    viewer.belongs_to(plan.member_id) || plan_is_public(plan.status)
}

/// A decree is public once published (see [`DecreeStatus::is_public`]).
pub fn decree_is_public(status: DecreeStatus) -> bool {
    status.is_public()
}

pub fn sees_decree(viewer: &Viewer, decree: &decree::Model) -> bool {
    viewer.belongs_to(decree.member_id) || decree_is_public(decree.status)
}

/// The statuses the public may list.
pub fn public_plan_statuses() -> Vec<PlanStatus> {
    use sea_orm::Iterable;
    PlanStatus::iter().filter(|s| plan_is_public(*s)).collect()
}

pub fn public_decree_statuses() -> Vec<DecreeStatus> {
    use sea_orm::Iterable;
    DecreeStatus::iter()
        .filter(|s| decree_is_public(*s))
        .collect()
}

pub use entity::clock::day_start;

/// Today in the member's time zone.
pub async fn today(ctx: &async_graphql::Context<'_>, member: Uuid) -> NaiveDate {
    use super::context::CtxExt;
    let tz = member_tz(ctx, member).await;
    ctx.app().clock.now().with_timezone(&tz).date_naive()
}

/// The member's time zone (WIB when the member cannot be read).
pub async fn member_tz(ctx: &async_graphql::Context<'_>, member: Uuid) -> chrono_tz::Tz {
    use super::context::CtxExt;
    ctx.loaders()
        .member
        .load_one(member)
        .await
        .ok()
        .flatten()
        .map(|m| m.tz())
        .unwrap_or(chrono_tz::Asia::Jakarta)
}

/// A plan by id, when the viewer may see it.
pub async fn visible_plan(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<action_plan::Model>> {
    use super::context::CtxExt;
    let viewer = ctx.viewer();
    Ok(ctx
        .loaders()
        .plan
        .load_one(id)
        .await?
        .filter(|p| sees_plan(&viewer, p)))
}

/// A commitment by id, when the viewer may see its plan.
pub async fn visible_commitment(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<entity::commitment::Model>> {
    use super::context::CtxExt;
    let Some(c) = ctx.loaders().commitment.load_one(id).await? else {
        return Ok(None);
    };
    Ok(visible_plan(ctx, c.plan_id).await?.map(|_| c))
}

/// A milestone by id, when the viewer may see its plan.
pub async fn visible_milestone(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<entity::milestone::Model>> {
    use super::context::CtxExt;
    use sea_orm::EntityTrait;
    let Some(m) = entity::milestone::Entity::find_by_id(id)
        .one(ctx.db())
        .await?
    else {
        return Ok(None);
    };
    Ok(visible_commitment(ctx, m.commitment_id).await?.map(|_| m))
}

/// An assessment by id, when the viewer may see its plan.
pub async fn visible_assessment(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<entity::assessment::Model>> {
    use super::context::CtxExt;
    use sea_orm::EntityTrait;
    let Some(a) = entity::assessment::Entity::find_by_id(id)
        .one(ctx.db())
        .await?
    else {
        return Ok(None);
    };
    Ok(visible_plan(ctx, a.plan_id).await?.map(|_| a))
}

/// A decree by id, when the viewer may see it.
pub async fn visible_decree(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<decree::Model>> {
    use super::context::CtxExt;
    let viewer = ctx.viewer();
    Ok(ctx
        .loaders()
        .decree
        .load_one(id)
        .await?
        .filter(|d| sees_decree(&viewer, d)))
}
