//! Accounts as the API shows them: the viewer, an admin's list of a member's accounts, and the
//! roles they hold. Personal fields follow `entity::privacy`.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use entity::account::{self, AccountStatus};
use entity::privacy::{self, Class};
use entity::role_grant::{self, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::context::CtxExt;
use super::ids;
use super::member::Member;
use super::pagination::{self, Conn, Page};
use super::policy;

pub const KIND: &str = "Account";

/// An account, as reached through `scope` (the member it was listed for; `None` for the
/// viewer's own account).
pub struct Account {
    pub model: account::Model,
    pub scope: Option<Uuid>,
    /// Shown to its owner in the answer that signs them in (the request itself is anonymous).
    pub to_owner: bool,
}

impl Account {
    /// The account as a member government's people see it.
    pub fn in_member(model: account::Model, member: Uuid) -> Self {
        Self {
            model,
            scope: Some(member),
            to_owner: false,
        }
    }

    /// The account as its owner sees it.
    pub fn own(model: account::Model) -> Self {
        Self {
            model,
            scope: None,
            to_owner: true,
        }
    }

    /// The account with no member in scope (only its owner and operators see more than its id).
    pub fn unscoped(model: account::Model) -> Self {
        Self {
            model,
            scope: None,
            to_owner: false,
        }
    }

    fn reveal<T>(&self, ctx: &Context<'_>, field: &str, value: T) -> Option<T> {
        let class = privacy::class_of(KIND, field).unwrap_or(Class::Secret);
        if self.to_owner && class != Class::Secret {
            return Some(value);
        }
        ctx.viewer()
            .may_read(class, self.scope, Some(self.model.id))
            .then_some(value)
    }
}

/// The account behind `id` for `node(id:)`, when the viewer may know it exists: its owner,
/// an operator, or someone who belongs to a member government the account holds a role in.
/// For anyone else a hidden account is not there at all (`NOT_FOUND`, as every hidden record).
pub async fn visible_account(ctx: &Context<'_>, id: Uuid) -> Result<Option<Account>> {
    let viewer = ctx.viewer();
    if !viewer.is_signed_in() {
        return Ok(None);
    }
    let Some(model) = account::Entity::find_by_id(id).one(ctx.db()).await? else {
        return Ok(None);
    };
    if viewer.account_id() == Some(id) {
        return Ok(Some(Account::own(model)));
    }
    if viewer.is_operator() {
        return Ok(Some(Account::unscoped(model)));
    }
    let shared = role_grant::Entity::find()
        .select_only()
        .column(role_grant::Column::MemberId)
        .filter(role_grant::Column::AccountId.eq(id))
        .into_tuple::<Uuid>()
        .all(ctx.db())
        .await?
        .into_iter()
        .find(|m| viewer.belongs_to(*m));
    Ok(shared.map(|member| Account::in_member(model, member)))
}

#[Object]
impl Account {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.model.id)
    }
    /// The person's name (PERSONAL outside the partnership: hidden from the public).
    async fn name(&self, ctx: &Context<'_>) -> Option<String> {
        self.reveal(ctx, "name", self.model.name.clone())
    }
    /// PERSONAL: the account's e-mail address (its owner, and admins and the secretariat of
    /// the member it is listed for).
    async fn email(&self, ctx: &Context<'_>) -> Option<String> {
        self.reveal(ctx, "email", self.model.email.clone())
    }
    async fn status(&self, ctx: &Context<'_>) -> Option<AccountStatus> {
        self.reveal(ctx, "status", self.model.status)
    }
    /// Runs the deployment: may add member governments and act in every member.
    async fn is_operator(&self, ctx: &Context<'_>) -> Option<bool> {
        self.reveal(ctx, "isOperator", self.model.is_operator)
    }
    /// The language mail to this account is written in.
    async fn lang(&self, ctx: &Context<'_>) -> Option<entity::Lang> {
        self.reveal(ctx, "lang", entity::Lang::from_tag(&self.model.lang))
    }
    /// The roles held, per member government (those the viewer may see).
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<RoleGrant>> {
        let viewer = ctx.viewer();
        if !self.to_owner && !viewer.may_read(Class::Internal, self.scope, Some(self.model.id)) {
            return Ok(vec![]);
        }
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::AccountId.eq(self.model.id))
            .all(ctx.db())
            .await?;
        Ok(grants
            .into_iter()
            .filter(|g| {
                self.to_owner
                    || Some(self.model.id) == viewer.account_id()
                    || viewer.belongs_to(g.member_id)
            })
            .map(RoleGrant)
            .collect())
    }
    async fn last_login_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "lastLoginAt", self.model.last_login_at)
            .flatten()
    }
    async fn deactivated_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "deactivatedAt", self.model.deactivated_at)
            .flatten()
    }
    /// When the person's personal data was erased on request.
    async fn erased_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "erasedAt", self.model.erased_at).flatten()
    }
    async fn created_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "createdAt", self.model.created_at)
    }
    async fn updated_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.reveal(ctx, "updatedAt", self.model.updated_at)
    }
    async fn version(&self, ctx: &Context<'_>) -> Option<i32> {
        self.reveal(ctx, "version", self.model.version)
    }
}

/// A role held in one member government.
pub struct RoleGrant(pub role_grant::Model);

#[Object]
impl RoleGrant {
    async fn id(&self) -> ID {
        ids::encode("RoleGrant", self.0.id)
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(ctx
            .loaders()
            .member
            .load_one(self.0.member_id)
            .await?
            .map(Member))
    }
    async fn role(&self) -> Role {
        self.0.role
    }
    async fn granted_at(&self) -> DateTime<Utc> {
        self.0.granted_at
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in account, or null for the public.
    async fn viewer(&self, ctx: &Context<'_>) -> Option<Account> {
        ctx.viewer().account.map(Account::own)
    }

    /// The accounts that hold a role in a member government (its admins only).
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        status: Option<AccountStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<Account>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        policy::authorize(ctx, "accounts", Some(member))?;
        let page = Page::from_args(ctx, first, after, last, before)?;
        let holders: Vec<Uuid> = role_grant::Entity::find()
            .select_only()
            .column(role_grant::Column::AccountId)
            .filter(role_grant::Column::MemberId.eq(member))
            .distinct()
            .into_tuple()
            .all(ctx.db())
            .await?;
        let mut select = account::Entity::find().filter(account::Column::Id.is_in(holders));
        if let Some(status) = status {
            select = select.filter(account::Column::Status.eq(status));
        }
        Ok(pagination::page(ctx.db(), select, page, |model| {
            Account::in_member(model, member)
        })
        .await?)
    }
}
