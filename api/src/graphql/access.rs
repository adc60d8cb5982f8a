//! Managing people's access: invite by e-mail, grant and revoke roles per member government,
//! deactivate an account when staff rotate (*mutasi*), and erase a person's personal data on
//! request (UU 27/2022).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{Duration, Utc};
use entity::Refusal;
use entity::account::{self, AccountStatus};
use entity::account_token::TokenPurpose;
use entity::role_grant::{self, Role};
use entity::{Lang, Problem, Problems, validate};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::account::{self as account_gql, Account};
use super::context::CtxExt;
use super::errors;
use super::ids;
use super::member;
use super::mutation::{Outcome, Receipt, Refused, UserError, user_errors, winner_of_race};
use super::policy;
use super::session::{end_sessions, issue_link, queue_mail};
use crate::audit::{self, Change};

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
        Err(Outcome::Raced) => Err(errors::internal("unexpected race", lang)),
        Err(Outcome::Db(e)) => Err(errors::internal(e, lang)),
    }
}

/// The account behind `id`, when it holds a role in `member` (otherwise not found: an admin
/// of one member cannot reach another member's people).
async fn account_in<C: ConnectionTrait>(
    db: &C,
    id: &ID,
    member: Uuid,
) -> Result<account::Model, Outcome> {
    let not_found = || Outcome::from(Problems::one(&["input", "accountId"], Problem::NotFound));
    let uuid = ids::decode_as(id, account_gql::KIND).ok_or_else(not_found)?;
    let holds = role_grant::Entity::find()
        .filter(role_grant::Column::AccountId.eq(uuid))
        .filter(role_grant::Column::MemberId.eq(member))
        .count(db)
        .await?;
    if holds == 0 {
        return Err(not_found());
    }
    account::Entity::find_by_id(uuid)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

async fn admins_left<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    without: Uuid,
) -> Result<u64, sea_orm::DbErr> {
    role_grant::Entity::find()
        .filter(role_grant::Column::MemberId.eq(member))
        .filter(role_grant::Column::Role.eq(Role::Admin))
        .filter(role_grant::Column::AccountId.ne(without))
        .count(db)
        .await
}

fn account_change(
    action: &'static str,
    member: Uuid,
    before: Option<&account::Model>,
    after: Option<&account::Model>,
    id: Uuid,
) -> Change {
    Change::of(
        "account",
        "Account",
        action,
        id,
        Some(member),
        before,
        after,
    )
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
        let member = member::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "inviteAccount", Some(member))?;
        let lang = ctx.lang();
        let app = ctx.app();
        let db = &app.db;
        let scope = super::scope(ctx);
        let receipt = match Receipt::new(
            &scope,
            "inviteAccount",
            input.client_mutation_id.as_deref(),
            &input,
        ) {
            Ok(r) => r,
            Err(Refused(p)) => return payload(Err(Outcome::Refused(Refused(p))), member, lang),
        };
        if let Some(r) = &receipt
            && let Ok(Some(id)) = r.earlier(db).await
            && let Some(m) = account::Entity::find_by_id(id).one(db).await?
        {
            return payload(Ok(m), member, lang);
        }
        let mut problems = Problems::new();
        let email = super::mail::parse_address(&input.email);
        if email.is_none() {
            problems.push(&["input", "email"], Problem::InvalidEmail);
        }
        let name = problems.check(validate::required_text(
            &["input", "name"],
            &input.name,
            200,
        ));
        if !problems.is_empty() {
            return payload(Err(problems.into()), member, lang);
        }
        let (email, name) = (email.expect("checked"), name.expect("checked"));
        let member_name = ctx
            .loaders()
            .member
            .load_one(member)
            .await?
            .map(|m| m.name)
            .unwrap_or_default();
        let request_id = ctx.meta().request_id;
        let new_id = Uuid::now_v7();
        let result = entity::db::write(db, async |tx| -> Result<(Uuid, Option<Uuid>), Outcome> {
            let existing = account::Entity::find()
                .filter(account::Column::Email.eq(&email))
                .one(tx)
                .await?;
            let (account, created) = match existing {
                Some(a) if a.erased_at.is_some() => {
                    return Err(Problems::one(&["input", "email"], Problem::Duplicate).into());
                }
                Some(a) => (a, false),
                None => {
                    let now = ctx.app().clock.now();
                    let row = account::ActiveModel {
                        id: Set(new_id),
                        email: Set(email.clone()),
                        name: Set(name.clone()),
                        password_hash: Set(None),
                        status: Set(AccountStatus::Invited),
                        is_operator: Set(false),
                        person_id: Set(None),
                        lang: Set(input.lang.unwrap_or(lang).tag().to_owned()),
                        failed_logins: Set(0),
                        locked_until: Set(None),
                        last_login_at: Set(None),
                        deactivated_at: Set(None),
                        erased_at: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                        version: Set(1),
                    };
                    account::Entity::insert(row)
                        .exec_without_returning(tx)
                        .await?;
                    let a = account::Entity::find_by_id(new_id)
                        .one(tx)
                        .await?
                        .expect("inserted");
                    audit::record(
                        tx,
                        &viewer,
                        Some(&request_id),
                        account_change("CREATE", member, None, Some(&a), a.id),
                        ctx.app().clock.now(),
                    )
                    .await?;
                    (a, true)
                }
            };
            if let Some(r) = &receipt {
                r.save(tx, account.id).await?;
            }
            let grant = role_grant::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(account.id),
                member_id: Set(member),
                role: Set(input.role),
                granted_by: Set(viewer.account_id()),
                granted_at: Set(ctx.app().clock.now()),
            };
            match role_grant::Entity::insert(grant)
                .exec_without_returning(tx)
                .await
            {
                Ok(_) => {}
                Err(e) if entity::db::is_unique_violation(&e) && !created => {
                    return Err(Problems::one(&["input", "role"], Problem::Duplicate).into());
                }
                Err(e) => return Err(e.into()),
            }
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change {
                    table: "role_grant",
                    entity_type: "RoleGrant",
                    entity_id: Some(account.id),
                    member_id: Some(member),
                    action: "GRANT_ROLE",
                    before: None,
                    after: Some(json!({"account": account.id, "role": input.role})),
                },
                ctx.app().clock.now(),
            )
            .await?;
            let delivery = if account.status == AccountStatus::Invited {
                Some(
                    issue_link(
                        tx,
                        app,
                        &account,
                        TokenPurpose::Invitation,
                        Duration::days(7),
                        json!({
                            "member": member_name,
                            "role": role_label(input.role, Lang::from_tag(&account.lang)),
                            "invited_by": viewer.label(),
                        }),
                    )
                    .await?,
                )
            } else {
                None
            };
            Ok((account.id, delivery))
        })
        .await;
        let result = match result {
            Ok((id, delivery)) => {
                if let Some(d) = delivery {
                    queue_mail(app, &[d]).await;
                }
                Ok(id)
            }
            Err(e) => Err(e),
        };
        let result = match winner_of_race(result, receipt.as_ref(), db, |id| id).await {
            Ok(id) => account::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(Outcome::Raced),
            Err(e) => Err(e),
        };
        payload(result, member, lang)
    }

    /// Grants a role in a member government to an account that already holds one there.
    async fn grant_role(&self, ctx: &Context<'_>, input: RoleInput) -> Result<AccountPayload> {
        let member = member::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "grantRole", Some(member))?;
        let lang = ctx.lang();
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(ctx.db(), async |tx| -> Result<account::Model, Outcome> {
            let account = account_in(tx, &input.account_id, member).await?;
            if account.erased_at.is_some() || account.status == AccountStatus::Deactivated {
                return Err(Problems::one(
                    &["input", "accountId"],
                    Problem::Refused(Refusal::AccountNotActive),
                )
                .into());
            }
            let grant = role_grant::ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(account.id),
                member_id: Set(member),
                role: Set(input.role),
                granted_by: Set(viewer.account_id()),
                granted_at: Set(ctx.app().clock.now()),
            };
            role_grant::Entity::insert(grant)
                .exec_without_returning(tx)
                .await
                .map_err(|e| super::mutation::duplicate_or(e, "role"))?;
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change {
                    table: "role_grant",
                    entity_type: "RoleGrant",
                    entity_id: Some(account.id),
                    member_id: Some(member),
                    action: "GRANT_ROLE",
                    before: None,
                    after: Some(json!({"account": account.id, "role": input.role})),
                },
                ctx.app().clock.now(),
            )
            .await?;
            Ok(account)
        })
        .await;
        payload(result, member, lang)
    }

    /// Takes a role away. A member keeps at least one admin.
    async fn revoke_role(&self, ctx: &Context<'_>, input: RoleInput) -> Result<AccountPayload> {
        let member = member::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "revokeRole", Some(member))?;
        let lang = ctx.lang();
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(ctx.db(), async |tx| -> Result<account::Model, Outcome> {
            let account = account_in(tx, &input.account_id, member).await?;
            if input.role == Role::Admin && admins_left(tx, member, account.id).await? == 0 {
                return Err(Problems::one(&["input", "role"], last_admin()).into());
            }
            let deleted = role_grant::Entity::delete_many()
                .filter(role_grant::Column::AccountId.eq(account.id))
                .filter(role_grant::Column::MemberId.eq(member))
                .filter(role_grant::Column::Role.eq(input.role))
                .exec(tx)
                .await?;
            if deleted.rows_affected == 0 {
                return Err(Problems::one(&["input", "role"], Problem::NotFound).into());
            }
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change {
                    table: "role_grant",
                    entity_type: "RoleGrant",
                    entity_id: Some(account.id),
                    member_id: Some(member),
                    action: "REVOKE_ROLE",
                    before: Some(json!({"account": account.id, "role": input.role})),
                    after: None,
                },
                ctx.app().clock.now(),
            )
            .await?;
            Ok(account)
        })
        .await;
        payload(result, member, lang)
    }

    /// Switches an account off (staff rotation): its sessions end at once; its history stays.
    async fn deactivate_account(
        &self,
        ctx: &Context<'_>,
        input: AccountActionInput,
    ) -> Result<AccountPayload> {
        let member = member::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "deactivateAccount", Some(member))?;
        let lang = ctx.lang();
        let request_id = ctx.meta().request_id;
        let now = ctx.app().clock.now();
        let result = entity::db::write(ctx.db(), async |tx| -> Result<account::Model, Outcome> {
            let before = account_in(tx, &input.account_id, member).await?;
            if Some(before.id) == viewer.account_id() {
                return Err(Problems::one(
                    &["input", "accountId"],
                    Problem::Refused(Refusal::CannotDeactivateSelf),
                )
                .into());
            }
            if before.status == AccountStatus::Deactivated {
                return Ok(before);
            }
            account::Entity::update_many()
                .col_expr(
                    account::Column::Status,
                    Expr::value(AccountStatus::Deactivated),
                )
                .col_expr(account::Column::DeactivatedAt, Expr::value(now))
                .col_expr(
                    account::Column::UpdatedAt,
                    Expr::value(ctx.app().clock.now()),
                )
                .col_expr(account::Column::Version, Expr::value(before.version + 1))
                .filter(account::Column::Id.eq(before.id))
                .exec(tx)
                .await?;
            end_sessions(tx, before.id, None, now).await?;
            let after = account::Entity::find_by_id(before.id)
                .one(tx)
                .await?
                .expect("exists");
            let mut change =
                account_change("DEACTIVATE", member, Some(&before), Some(&after), before.id);
            if let Some(reason) = &input.reason
                && let Some(serde_json::Value::Object(map)) = &mut change.after
            {
                map.insert(
                    "reason".into(),
                    json!(reason.chars().take(500).collect::<String>()),
                );
            }
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                change,
                ctx.app().clock.now(),
            )
            .await?;
            Ok(after)
        })
        .await;
        payload(result, member, lang)
    }

    /// Switches a deactivated account back on (it signs in with its old password, or accepts
    /// its invitation if it never did).
    async fn reactivate_account(
        &self,
        ctx: &Context<'_>,
        input: AccountActionInput,
    ) -> Result<AccountPayload> {
        let member = member::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "reactivateAccount", Some(member))?;
        let lang = ctx.lang();
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(ctx.db(), async |tx| -> Result<account::Model, Outcome> {
            let before = account_in(tx, &input.account_id, member).await?;
            if before.erased_at.is_some() {
                return Err(Problems::one(
                    &["input", "accountId"],
                    Problem::Refused(Refusal::AccountErased),
                )
                .into());
            }
            let status = if before.password_hash.is_some() {
                AccountStatus::Active
            } else {
                AccountStatus::Invited
            };
            account::Entity::update_many()
                .col_expr(account::Column::Status, Expr::value(status))
                .col_expr(
                    account::Column::DeactivatedAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .col_expr(
                    account::Column::UpdatedAt,
                    Expr::value(ctx.app().clock.now()),
                )
                .col_expr(account::Column::Version, Expr::value(before.version + 1))
                .filter(account::Column::Id.eq(before.id))
                .exec(tx)
                .await?;
            let after = account::Entity::find_by_id(before.id)
                .one(tx)
                .await?
                .expect("exists");
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                account_change("REACTIVATE", member, Some(&before), Some(&after), before.id),
                ctx.app().clock.now(),
            )
            .await?;
            Ok(after)
        })
        .await;
        payload(result, member, lang)
    }

    /// Erases a person's personal data on their request (UU 27/2022): name and address are
    /// anonymised everywhere — the account, mail records, the audit log — and the account is
    /// switched off. What happened stays in the audit log, without the data.
    async fn erase_account(
        &self,
        ctx: &Context<'_>,
        input: AccountActionInput,
    ) -> Result<AccountPayload> {
        let member = member::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "eraseAccount", Some(member))?;
        let lang = ctx.lang();
        let request_id = ctx.meta().request_id;
        let now = ctx.app().clock.now();
        let result = entity::db::write(ctx.db(), async |tx| -> Result<account::Model, Outcome> {
            let before = account_in(tx, &input.account_id, member).await?;
            if Some(before.id) == viewer.account_id() {
                return Err(Problems::one(
                    &["input", "accountId"],
                    Problem::Refused(Refusal::CannotEraseSelf),
                )
                .into());
            }
            if admins_left(tx, member, before.id).await? == 0 {
                return Err(Problems::one(&["input", "accountId"], last_admin()).into());
            }
            crate::erasure::erase_account(tx, &before, now).await?;
            end_sessions(tx, before.id, None, now).await?;
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change {
                    table: "account",
                    entity_type: "Account",
                    entity_id: Some(before.id),
                    member_id: Some(member),
                    action: "ERASE_PERSONAL_DATA",
                    before: None,
                    after: input
                        .reason
                        .as_ref()
                        .map(|r| json!({"reason": r.chars().take(500).collect::<String>()})),
                },
                ctx.app().clock.now(),
            )
            .await?;
            Ok(account::Entity::find_by_id(before.id)
                .one(tx)
                .await?
                .expect("exists"))
        })
        .await;
        payload(result, member, lang)
    }
}

fn last_admin() -> Problem {
    Problem::Refused(Refusal::LastAdmin)
}

/// How a role is named in mail.
pub fn role_label(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::Admin, _) => "Admin",
        (Role::Secretariat, Lang::Id) => "Sekretariat",
        (Role::Secretariat, Lang::En) => "Secretariat",
        (Role::TeamMember, Lang::Id) => "Anggota Tim",
        (Role::TeamMember, Lang::En) => "Team member",
        (Role::Watchdog, Lang::Id) => "Pemantau (watchdog)",
        (Role::Watchdog, Lang::En) => "Watchdog",
    }
}
