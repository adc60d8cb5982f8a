//! Who may do what, in one table. Every mutation and every sensitive query names its rule
//! here; a resolver asks [`authorize`] before it reads or writes anything, and the
//! authorization-matrix test checks every mutation in the schema against its own expectations.

use async_graphql::{Context, Result};
use uuid::Uuid;

use super::context::CtxExt;
use super::errors;
use crate::auth::Viewer;

pub use entity::kernel::policy::{Rule, allows, rule, sees_member};

/// The first check of every guarded operation: the anonymous are refused UNAUTHENTICATED
/// before anything about the request is looked at.
pub fn gate(ctx: &Context<'_>, name: &str) -> Result<Viewer> {
    let viewer = ctx.viewer();
    match rule(name) {
        Some(Rule::Public) => Ok(viewer),
        Some(_) if !viewer.is_signed_in() => Err(errors::unauthenticated(ctx.lang())),
        Some(_) => Ok(viewer),
        None => {
            tracing::error!(operation = name, "no permission rule: refused");
            Err(errors::forbidden(ctx.lang()))
        }
    }
}

/// [`gate`], then the member named by `member_id` (NOT_FOUND if it is not a member's id),
/// then the rule in that member (FORBIDDEN).
pub fn authorize_in(
    ctx: &Context<'_>,
    name: &str,
    member_id: &async_graphql::ID,
) -> Result<(Viewer, Uuid)> {
    gate(ctx, name)?;
    let member = super::ids::decode_scope(ctx, member_id)?;
    Ok((authorize(ctx, name, Some(member))?, member))
}

/// Checks `name`'s rule for a record of `member`: UNAUTHENTICATED for the anonymous when the
/// rule needs an account, FORBIDDEN otherwise.
pub fn authorize(ctx: &Context<'_>, name: &str, member: Option<Uuid>) -> Result<Viewer> {
    let viewer = ctx.viewer();
    let lang = ctx.lang();
    let Some(rule) = rule(name) else {
        tracing::error!(operation = name, "no permission rule: refused");
        return Err(errors::forbidden(lang));
    };
    if allows(&viewer, rule, member) {
        return Ok(viewer);
    }
    if viewer.is_signed_in() {
        Err(errors::forbidden(lang))
    } else {
        Err(errors::unauthenticated(lang))
    }
}
