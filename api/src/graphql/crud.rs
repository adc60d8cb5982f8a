//! What a resolver needs to call a domain operation: the acting context taken from the
//! request ([`acting`]) and the record a mutation names, found and its rule checked early
//! ([`authorize_record`]). The operations themselves are in `entity`.

use async_graphql::{Context, ID};
use entity::kernel::crud::Act;
use sea_orm::{ActiveModelTrait, IntoActiveModel, PrimaryKeyTrait};
use serde::Serialize;
use uuid::Uuid;

pub use entity::kernel::crud::{Create, Record};

use super::context::CtxExt;
use super::ids;
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
        db: ctx.db().into(),
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
