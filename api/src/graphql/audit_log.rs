//! The audit log, for a member's admins and watchdogs: who changed what, when, before and
//! after. Read-only: there is no mutation that edits it. Watchdogs see personal data redacted.

use async_graphql::{Context, ID, Json, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::privacy::Class;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::account::{self as account_gql, Account};
use super::context::CtxExt;
use super::ids;
use super::member::Member;
use super::pagination::{self, Conn, Page};
use super::policy;
use crate::audit::redact;

pub struct AuditEvent {
    pub model: audit_event::Model,
    /// The member the log was read for.
    pub scope: uuid::Uuid,
}

impl AuditEvent {
    fn personal(&self) -> Vec<String> {
        serde_json::from_value(self.model.personal_fields.clone()).unwrap_or_default()
    }

    /// `value` as the viewer may see it: personal fields redacted unless they may read them.
    fn shown(
        &self,
        ctx: &Context<'_>,
        value: &Option<serde_json::Value>,
    ) -> Option<Json<serde_json::Value>> {
        let owner = self
            .model
            .entity_id
            .filter(|_| self.model.entity_type == "Account");
        let full = ctx
            .viewer()
            .may_read(Class::Personal, Some(self.scope), owner);
        let v = if full {
            value.clone()
        } else {
            redact(value, &self.personal(), entity::privacy::HIDDEN)
        };
        v.map(Json)
    }
}

#[Object]
impl AuditEvent {
    async fn id(&self) -> ID {
        ids::encode("AuditEvent", self.model.id)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.model.occurred_at
    }
    /// The account that acted (null for the public and the system).
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        let Some(id) = self.model.actor_id else {
            return Ok(None);
        };
        Ok(entity::account::Entity::find_by_id(id)
            .one(ctx.db())
            .await?
            .map(|model| Account::in_member(model, self.scope)))
    }
    /// How the actor was named when it acted.
    async fn actor_label(&self) -> &str {
        &self.model.actor_label
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        let Some(m) = self.model.member_id else {
            return Ok(None);
        };
        Ok(ctx.loaders().member.load_one(m).await?.map(Member))
    }
    /// The type of the record changed (`Organisation`, `Account`, …).
    async fn entity_type(&self) -> &str {
        &self.model.entity_type
    }
    /// The global id of the record changed.
    async fn entity_id(&self) -> Option<ID> {
        self.model
            .entity_id
            .map(|id| ids::encode(&self.model.entity_type, id))
    }
    /// `CREATE`, `UPDATE`, `DELETE`, `LOGIN`, `GRANT_ROLE`, `DEACTIVATE`, …
    async fn action(&self) -> &str {
        &self.model.action
    }
    async fn before(&self, ctx: &Context<'_>) -> Option<Json<serde_json::Value>> {
        self.shown(ctx, &self.model.before)
    }
    async fn after(&self, ctx: &Context<'_>) -> Option<Json<serde_json::Value>> {
        self.shown(ctx, &self.model.after)
    }
    /// The request that made the change (matches the server's logs).
    async fn request_id(&self) -> Option<&str> {
        self.model.request_id.as_deref()
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// A member government's audit log, newest first (its admins and watchdogs).
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        entity_type: Option<String>,
        entity_id: Option<ID>,
        action: Option<String>,
        actor_id: Option<ID>,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<AuditEvent>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        policy::authorize(ctx, "auditLog", Some(member))?;
        let page = Page::from_args(ctx, first, after, last, before)?;
        let mut select =
            audit_event::Entity::find().filter(audit_event::Column::MemberId.eq(member));
        if let Some(t) = entity_type {
            select = select.filter(audit_event::Column::EntityType.eq(t));
        }
        if let Some(id) = entity_id {
            let found = ids::decode(&id).map(|(_, u)| u);
            select = select.filter(audit_event::Column::EntityId.eq(found));
        }
        if let Some(a) = action {
            select = select.filter(audit_event::Column::Action.eq(a));
        }
        if let Some(actor) = actor_id {
            select = select
                .filter(audit_event::Column::ActorId.eq(ids::decode_as(&actor, account_gql::KIND)));
        }
        if let Some(since) = since {
            select = select.filter(audit_event::Column::OccurredAt.gte(since));
        }
        if let Some(until) = until {
            select = select.filter(audit_event::Column::OccurredAt.lt(until));
        }
        Ok(
            pagination::page_in_order(ctx.db(), select, page, true, |model| AuditEvent {
                model,
                scope: member,
            })
            .await?,
        )
    }
}
