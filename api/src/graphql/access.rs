//! Managing people's access: invite by e-mail, grant and revoke roles per member government,
//! deactivate an account when staff rotate (*mutasi*), and erase a person's personal data on
//! request (UU 27/2022).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::Lang;
use entity::account;
use entity::accounts::access::{self, Invite};
use entity::role_grant::Role;
use serde::Serialize;
use uuid::Uuid;

use super::account::{self as account_gql, Account};
use super::context::CtxExt;
use super::crud::acting;
use super::errors;
use super::ids;
use super::mutation::{Outcome, Refused, UserError, user_errors};
use super::policy;

#[derive(InputObject, Serialize)]
pub struct InviteAccountInput {
    pub client_mutation_id: Option<String>,
    pub member_id: ID,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The language of the invitation and of later mail (Indonesian by default).
    pub lang: Option<Lang>,
}

#[derive(SimpleObject)]
pub struct AccountPayload {
    pub account: Option<Account>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct RoleInput {
    pub account_id: ID,
    pub member_id: ID,
    pub role: Role,
}

#[derive(InputObject)]
pub struct AccountActionInput {
    pub account_id: ID,
    /// The member government in whose name the admin acts (the account holds a role there).
    pub member_id: ID,
    /// Why (kept in the audit log), e.g. "mutasi ke Dinas PU".
    pub reason: Option<String>,
}

#[derive(Default)]
pub struct AccessMutation;

fn payload(
    result: Result<account::Model, Outcome>,
    scope: Uuid,
    lang: Lang,
) -> Result<AccountPayload> {
    match result {
        Ok(model) => Ok(AccountPayload {
            account: Some(Account::in_member(model, scope)),
            user_errors: vec![],
        }),
        Err(Outcome::Refused(Refused(p))) => Ok(AccountPayload {
            account: None,
            user_errors: user_errors(p, lang),
        }),
        Err(e) => Err(errors::not_done(e, lang)),
    }
}

fn account_id(id: &ID) -> Option<Uuid> {
    ids::decode_as(id, account_gql::KIND)
}

#[Object]
impl AccessMutation {
    /// Invites a person by e-mail to a role in a member government. An address that already
    /// has an account gets the role (and, if it never accepted, a fresh invitation).
    async fn invite_account(
        &self,
        ctx: &Context<'_>,
        input: InviteAccountInput,
    ) -> Result<AccountPayload> {
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "inviteAccount", Some(member))?;
        let lang = ctx.lang();
        let app = ctx.app();
        let links = app.account_links();
        let invite = Invite {
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            email: &input.email,
            name: &input.name,
            role: input.role,
            lang: input.lang.unwrap_or(lang),
        };
        let result = acting(ctx, &viewer, async |act| {
            access::invite(act, &links, member, invite).await
        })
        .await;
        let result = match result {
            Ok((account, delivery)) => {
                app.queue_mail(delivery.as_slice()).await;
                Ok(account)
            }
            Err(e) => Err(e),
        };
        payload(result, member, lang)
    }

    /// Grants a role in a member government to an account that already holds one there.
    async fn grant_role(&self, ctx: &Context<'_>, input: RoleInput) -> Result<AccountPayload> {
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "grantRole", Some(member))?;
        let result = acting(ctx, &viewer, async |act| {
            access::grant_role(act, member, account_id(&input.account_id), input.role).await
        })
        .await;
        payload(result, member, ctx.lang())
    }

    /// Takes a role away. A member keeps at least one admin.
    async fn revoke_role(&self, ctx: &Context<'_>, input: RoleInput) -> Result<AccountPayload> {
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "revokeRole", Some(member))?;
        let result = acting(ctx, &viewer, async |act| {
            access::revoke_role(act, member, account_id(&input.account_id), input.role).await
        })
        .await;
        payload(result, member, ctx.lang())
    }

    /// Switches an account off (staff rotation): its sessions end at once; its history stays.
    async fn deactivate_account(
        &self,
        ctx: &Context<'_>,
        input: AccountActionInput,
    ) -> Result<AccountPayload> {
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "deactivateAccount", Some(member))?;
        let result = acting(ctx, &viewer, async |act| {
            let account = account_id(&input.account_id);
            access::deactivate(act, member, account, input.reason.as_deref()).await
        })
        .await;
        payload(result, member, ctx.lang())
    }

    /// Switches a deactivated account back on (it signs in with its old password, or accepts
    /// its invitation if it never did).
    async fn reactivate_account(
        &self,
        ctx: &Context<'_>,
        input: AccountActionInput,
    ) -> Result<AccountPayload> {
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "reactivateAccount", Some(member))?;
        let result = acting(ctx, &viewer, async |act| {
            access::reactivate(act, member, account_id(&input.account_id)).await
        })
        .await;
        payload(result, member, ctx.lang())
    }

    /// Erases a person's personal data on their request (UU 27/2022): name and address are
    /// anonymised everywhere — the account, mail records, the audit log — and the account is
    /// switched off. What happened stays in the audit log, without the data.
    async fn erase_account(
        &self,
        ctx: &Context<'_>,
        input: AccountActionInput,
    ) -> Result<AccountPayload> {
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "eraseAccount", Some(member))?;
        let result = acting(ctx, &viewer, async |act| {
            let account = account_id(&input.account_id);
            access::erase(act, member, account, input.reason.as_deref()).await
        })
        .await;
        payload(result, member, ctx.lang())
    }
}

pub use entity::accounts::access::role_label;
