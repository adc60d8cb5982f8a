//! The record pipeline as resolvers call it: the acting context taken from the request, the
//! work done by [`entity::kernel::crud`] (create with a client mutation id, versioned update,
//! status transition, delete — each in one transaction with its audit record).

use async_graphql::{Context, ID};
use chrono::{DateTime, Utc};
use entity::Problems;
use entity::kernel::crud::{self as domain, Act};
use entity::transitions::Transitions;
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, DbErr, IntoActiveModel, ModelTrait, PrimaryKeyTrait,
};
use serde::Serialize;
use uuid::Uuid;

pub use entity::kernel::crud::{Create, Record};

use super::context::CtxExt;
use super::ids;
use super::mutation::Outcome;
use super::policy;
use crate::auth::Viewer;

/// Runs `work` as `viewer` in this request (its id kept in the audit record), at the clock's
/// time.
pub async fn acting<T>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    work: impl AsyncFnOnce(&Act<'_>) -> T,
) -> T {
    let meta = ctx.meta();
    let act = Act {
        db: ctx.db(),
        actor: viewer,
        request_id: Some(&meta.request_id),
        now: ctx.app().clock.now(),
    };
    work(&act).await
}

/// Loads the record behind a global id and checks `rule` in its member. `Ok(None)`: no such
/// record (the caller answers NOT_FOUND on `input.<field>`).
pub async fn authorize_record<E: Record>(
    ctx: &Context<'_>,
    rule: &str,
    id: &ID,
) -> async_graphql::Result<(Viewer, Option<E::Model>)>
where
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let viewer = policy::gate(ctx, rule)?;
    let Some(uuid) = ids::decode_as(id, E::KIND) else {
        return Ok((viewer, None));
    };
    let Some(record) = E::find_by_id(uuid).one(ctx.db()).await? else {
        return Ok((viewer, None));
    };
    let viewer = policy::authorize(ctx, rule, Some(E::member_of(&record)))?;
    Ok((viewer, Some(record)))
}

/// See [`domain::create`].
pub async fn create<E, I>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    spec: Create<'_, I>,
    check: impl AsyncFnOnce(&DatabaseTransaction, &mut Problems) -> Result<(), DbErr>,
    build: impl FnOnce(Uuid, DateTime<Utc>) -> E::ActiveModel,
    then: impl AsyncFnOnce(&DatabaseTransaction, &E::Model) -> Result<(), Outcome>,
) -> Result<E::Model, Outcome>
where
    E: Record,
    I: Serialize,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    acting(ctx, viewer, async |act| {
        domain::create::<E, I>(act, spec, check, build, then).await
    })
    .await
}

/// See [`domain::update`].
#[allow(clippy::too_many_arguments)]
pub async fn update<E>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    current: &E::Model,
    version: i32,
    problems: Problems,
    check: impl AsyncFnOnce(&DatabaseTransaction, &E::Model, &mut Problems) -> Result<(), DbErr>,
    changes: impl FnOnce(&E::Model) -> E::ActiveModel,
    then: impl AsyncFnOnce(&DatabaseTransaction, &E::Model) -> Result<(), Outcome>,
) -> Result<E::Model, Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    acting(ctx, viewer, async |act| {
        domain::update::<E>(act, current, version, problems, check, changes, then).await
    })
    .await
}

/// See [`domain::transition`].
#[allow(clippy::too_many_arguments)]
pub async fn transition<E, S>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    current: &E::Model,
    version: i32,
    to: S,
    status_of: fn(&E::Model) -> S,
    check: impl AsyncFnOnce(&DatabaseTransaction, &E::Model, &mut Problems) -> Result<(), DbErr>,
    apply: impl FnOnce(&E::Model, S) -> E::ActiveModel,
) -> Result<E::Model, Outcome>
where
    E: Record,
    S: Transitions + Serialize,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    acting(ctx, viewer, async |act| {
        domain::transition::<E, S>(act, current, version, to, status_of, check, apply).await
    })
    .await
}

/// See [`domain::delete`].
pub async fn delete<E>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    current: &E::Model,
    version: i32,
) -> Result<(), Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model:
        Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel> + ModelTrait<Entity = E>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    acting(ctx, viewer, async |act| {
        domain::delete::<E>(act, current, version).await
    })
    .await
}

/// See [`domain::delete_unversioned`].
pub async fn delete_unversioned<E>(
    ctx: &Context<'_>,
    viewer: &Viewer,
    current: &E::Model,
) -> Result<(), Outcome>
where
    E: Record,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    E::Model: Serialize + Clone + Send + Sync + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    acting(ctx, viewer, async |act| {
        domain::delete_unversioned::<E>(act, current).await
    })
    .await
}
