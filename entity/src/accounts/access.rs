//! Who may work in a member government's records: invitations by mail, roles granted and
//! revoked per member, accounts switched off when staff rotate (*mutasi*) and on again, an
//! account linked to the person it belongs to, and erasure on request (UU 27/2022).
//!
//! An admin of one member reaches only accounts that hold a role in that member: any other
//! reads as not found.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::erasure;
use super::links::{self, AccountLinks};
use super::session::end_all;
use crate::account::{self, AccountStatus};
use crate::account_token::TokenPurpose;
use crate::kernel::audit::{self, Change};
use crate::kernel::crud::Act;
use crate::kernel::edit::{Outcome, Receipt, duplicate_or, winner_of_race};
use crate::notify::Address;
use crate::role_grant::{self, Role};
use crate::{Lang, Problem, Problems, Refusal, person, validate};

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

fn refused(field: &str, p: Problem) -> Outcome {
    Problems::one(&["input", field], p).into()
}

/// A reason kept in the audit log, at most 500 characters.
fn reason_of(reason: Option<&str>) -> Option<String> {
    reason.map(|r| r.chars().take(500).collect())
}

/// The account `id`, when it holds a role in `member` (otherwise `NOT_FOUND` on
/// `input.accountId`).
async fn account_in<C: ConnectionTrait>(
    db: &C,
    id: Option<Uuid>,
    member: Uuid,
) -> Result<account::Model, Outcome> {
    let not_found = || refused("accountId", Problem::NotFound);
    let id = id.ok_or_else(not_found)?;
    let holds = role_grant::Entity::find()
        .filter(role_grant::Column::AccountId.eq(id))
        .filter(role_grant::Column::MemberId.eq(member))
        .count(db)
        .await?;
    if holds == 0 {
        return Err(not_found());
    }
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

async fn admins_left<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    without: Uuid,
) -> Result<u64, DbErr> {
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

fn grant_change(action: &'static str, member: Uuid, account: Uuid, role: Role) -> Change {
    let grant = json!({"account": account, "role": role});
    let (before, after) = match action {
        "REVOKE_ROLE" => (Some(grant), None),
        _ => (None, Some(grant)),
    };
    Change {
        table: "role_grant",
        entity_type: "RoleGrant",
        entity_id: Some(account),
        member_id: Some(member),
        action,
        before,
        after,
    }
}

async fn insert_grant<C: ConnectionTrait>(
    db: &C,
    act: &Act<'_>,
    member: Uuid,
    account: Uuid,
    role: Role,
) -> Result<(), DbErr> {
    role_grant::Entity::insert(role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        member_id: Set(member),
        role: Set(role),
        granted_by: Set(act.actor.account_id()),
        granted_at: Set(act.now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An invitation as asked for.
pub struct Invite<'a, I: Serialize> {
    pub client_mutation_id: Option<&'a str>,
    /// What the request carried (a retry with the same client mutation id must carry it too).
    pub input: &'a I,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    /// The language of the invitation and of later mail.
    pub lang: Lang,
}

/// Invites a person by mail to `role` in `member`. An address that already has an account gets
/// the role (and, if it never accepted, a fresh invitation); one erased, or one that already
/// holds the role, is a `DUPLICATE`. Returns the account and the mail to queue after the commit.
pub async fn invite<I: Serialize>(
    act: &Act<'_>,
    links: &AccountLinks<'_>,
    member: Uuid,
    invite: Invite<'_, I>,
) -> Result<(account::Model, Option<Uuid>), Outcome> {
    act.permit("inviteAccount", Some(member))?;
    let db = act.db;
    let scope = act.scope();
    let receipt = Receipt::new(
        &scope,
        "inviteAccount",
        invite.client_mutation_id,
        invite.input,
    )?;
    if let Some(r) = &receipt
        && let Ok(Some(id)) = r.earlier(&db.exec()).await
        && let Some(m) = account::Entity::find_by_id(id).one(&db.exec()).await?
    {
        return Ok((m, None));
    }
    let mut problems = Problems::new();
    let email = Address::parse(invite.email);
    if email.is_none() {
        problems.push(&["input", "email"], Problem::InvalidEmail);
    }
    let name = problems.check(validate::required_text(
        &["input", "name"],
        invite.name,
        200,
    ));
    let (Some(email), Some(name)) = (email, name) else {
        return Err(problems.into());
    };
    let email = email.into_string();
    let new_id = Uuid::now_v7();
    let now = act.now;
    let role = invite.role;
    let result = crate::db::write(db, async |tx| -> Result<(Uuid, Option<Uuid>), Outcome> {
        let existing = account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .one(tx)
            .await?;
        let (account, created) = match existing {
            Some(a) if a.erased_at.is_some() => return Err(refused("email", Problem::Duplicate)),
            Some(a) => (a, false),
            None => {
                account::Entity::insert(account::ActiveModel {
                    id: Set(new_id),
                    email: Set(email.clone()),
                    name: Set(name.clone()),
                    password_hash: Set(None),
                    status: Set(AccountStatus::Invited),
                    is_operator: Set(false),
                    person_id: Set(None),
                    lang: Set(invite.lang.tag().to_owned()),
                    failed_logins: Set(0),
                    locked_until: Set(None),
                    last_login_at: Set(None),
                    deactivated_at: Set(None),
                    erased_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                })
                .exec_without_returning(tx)
                .await?;
                let a = account::Entity::find_by_id(new_id)
                    .one(tx)
                    .await?
                    .expect("inserted");
                audit::record(
                    tx,
                    act.actor,
                    act.request_id,
                    account_change("CREATE", member, None, Some(&a), a.id),
                    now,
                )
                .await?;
                (a, true)
            }
        };
        if let Some(r) = &receipt {
            r.save(tx, account.id).await?;
        }
        match insert_grant(tx, act, member, account.id, role).await {
            Ok(()) => {}
            Err(e) if crate::db::is_unique_violation(&e) && !created => {
                return Err(refused("role", Problem::Duplicate));
            }
            Err(e) => return Err(e.into()),
        }
        audit::record(
            tx,
            act.actor,
            act.request_id,
            grant_change("GRANT_ROLE", member, account.id, role),
            now,
        )
        .await?;
        let delivery = if account.status == AccountStatus::Invited {
            let member_name = crate::member::Entity::find_by_id(member)
                .one(tx)
                .await?
                .map(|m| m.name)
                .unwrap_or_default();
            Some(
                links::issue(
                    tx,
                    links,
                    &account,
                    TokenPurpose::Invitation,
                    json!({
                        "member": member_name,
                        "role": role_label(role, Lang::from_tag(&account.lang)),
                        "invited_by": act.actor.label(),
                    }),
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        Ok((account.id, delivery))
    })
    .await;
    let mut delivery = None;
    let result = result.map(|(id, d)| {
        delivery = d;
        id
    });
    let id = winner_of_race(result, receipt.as_ref(), &db.exec(), |id| id).await?;
    let account = account::Entity::find_by_id(id)
        .one(&db.exec())
        .await?
        .ok_or(Outcome::Raced)?;
    Ok((account, delivery))
}

/// Grants `role` in `member` to an account that already holds one there and is active; one it
/// already holds is a `DUPLICATE`.
pub async fn grant_role(
    act: &Act<'_>,
    member: Uuid,
    account: Option<Uuid>,
    role: Role,
) -> Result<account::Model, Outcome> {
    act.permit("grantRole", Some(member))?;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        let account = account_in(tx, account, member).await?;
        if account.erased_at.is_some() || account.status == AccountStatus::Deactivated {
            return Err(refused(
                "accountId",
                Problem::Refused(Refusal::AccountNotActive),
            ));
        }
        insert_grant(tx, act, member, account.id, role)
            .await
            .map_err(|e| duplicate_or(e, "role"))?;
        audit::record(
            tx,
            act.actor,
            act.request_id,
            grant_change("GRANT_ROLE", member, account.id, role),
            act.now,
        )
        .await?;
        Ok(account)
    })
    .await
}

/// Takes `role` in `member` away. A member keeps at least one admin (`LAST_ADMIN`).
pub async fn revoke_role(
    act: &Act<'_>,
    member: Uuid,
    account: Option<Uuid>,
    role: Role,
) -> Result<account::Model, Outcome> {
    act.permit("revokeRole", Some(member))?;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        let account = account_in(tx, account, member).await?;
        if role == Role::Admin && admins_left(tx, member, account.id).await? == 0 {
            return Err(refused("role", Problem::Refused(Refusal::LastAdmin)));
        }
        let deleted = role_grant::Entity::delete_many()
            .filter(role_grant::Column::AccountId.eq(account.id))
            .filter(role_grant::Column::MemberId.eq(member))
            .filter(role_grant::Column::Role.eq(role))
            .exec(tx)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(refused("role", Problem::NotFound));
        }
        audit::record(
            tx,
            act.actor,
            act.request_id,
            grant_change("REVOKE_ROLE", member, account.id, role),
            act.now,
        )
        .await?;
        Ok(account)
    })
    .await
}

/// Switches an account off (staff rotation): its sessions end at once; its history stays. Not
/// one's own (`CANNOT_DEACTIVATE_SELF`); an account already off stays as it is.
pub async fn deactivate(
    act: &Act<'_>,
    member: Uuid,
    account: Option<Uuid>,
    reason: Option<&str>,
) -> Result<account::Model, Outcome> {
    act.permit("deactivateAccount", Some(member))?;
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        let before = account_in(tx, account, member).await?;
        if Some(before.id) == act.actor.account_id() {
            return Err(refused(
                "accountId",
                Problem::Refused(Refusal::CannotDeactivateSelf),
            ));
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
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .col_expr(account::Column::Version, Expr::value(before.version + 1))
            .filter(account::Column::Id.eq(before.id))
            .exec(tx)
            .await?;
        end_all(tx, before.id, None, now).await?;
        let after = account::Entity::find_by_id(before.id)
            .one(tx)
            .await?
            .expect("exists");
        let mut change =
            account_change("DEACTIVATE", member, Some(&before), Some(&after), before.id);
        if let Some(reason) = reason_of(reason)
            && let Some(serde_json::Value::Object(map)) = &mut change.after
        {
            map.insert("reason".into(), json!(reason));
        }
        audit::record(tx, act.actor, act.request_id, change, now).await?;
        Ok(after)
    })
    .await
}

/// Switches a deactivated account back on: it signs in with its old password, or accepts its
/// invitation if it never did. An erased account stays off (`ACCOUNT_ERASED`).
pub async fn reactivate(
    act: &Act<'_>,
    member: Uuid,
    account: Option<Uuid>,
) -> Result<account::Model, Outcome> {
    act.permit("reactivateAccount", Some(member))?;
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        let before = account_in(tx, account, member).await?;
        if before.erased_at.is_some() {
            return Err(refused(
                "accountId",
                Problem::Refused(Refusal::AccountErased),
            ));
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
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
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
            act.actor,
            act.request_id,
            account_change("REACTIVATE", member, Some(&before), Some(&after), before.id),
            now,
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Erases an account's personal data on its holder's request (UU 27/2022): name and address
/// anonymised everywhere — the account, mail records, the audit log — and the account switched
/// off; what happened stays in the audit log without the data. Not one's own
/// (`CANNOT_ERASE_SELF`), and not the member's last admin (`LAST_ADMIN`).
pub async fn erase(
    act: &Act<'_>,
    member: Uuid,
    account: Option<Uuid>,
    reason: Option<&str>,
) -> Result<account::Model, Outcome> {
    act.permit("eraseAccount", Some(member))?;
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        let before = account_in(tx, account, member).await?;
        if Some(before.id) == act.actor.account_id() {
            return Err(refused(
                "accountId",
                Problem::Refused(Refusal::CannotEraseSelf),
            ));
        }
        if admins_left(tx, member, before.id).await? == 0 {
            return Err(refused("accountId", Problem::Refused(Refusal::LastAdmin)));
        }
        erasure::erase_account(tx, &before, now).await?;
        end_all(tx, before.id, None, now).await?;
        audit::record(
            tx,
            act.actor,
            act.request_id,
            Change {
                table: "account",
                entity_type: "Account",
                entity_id: Some(before.id),
                member_id: Some(member),
                action: "ERASE_PERSONAL_DATA",
                before: None,
                after: reason_of(reason).map(|r| json!({ "reason": r })),
            },
            now,
        )
        .await?;
        Ok(account::Entity::find_by_id(before.id)
            .one(tx)
            .await?
            .expect("exists"))
    })
    .await
}

/// Links an account of `member` to the person it belongs to (or, with `None`, unlinks it), so
/// that alerts about what the person is responsible for reach the account. A person of another
/// member, or one erased, is not found; a person already linked to another account is a
/// `DUPLICATE`.
pub async fn link_person(
    act: &Act<'_>,
    member: Uuid,
    account: Option<Uuid>,
    person_id: Option<Uuid>,
) -> Result<account::Model, Outcome> {
    act.permit("linkAccountToPerson", Some(member))?;
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        let before = account_in(tx, account, member).await?;
        if let Some(pid) = person_id {
            let p = person::Entity::find_by_id(pid).one(tx).await?;
            if p.is_none_or(|p| p.member_id != member || p.erased_at.is_some()) {
                return Err(refused("personId", Problem::NotFound));
            }
        }
        account::Entity::update_many()
            .col_expr(account::Column::PersonId, Expr::value(person_id))
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                account::Column::Version,
                Expr::col(account::Column::Version).add(1),
            )
            .filter(account::Column::Id.eq(before.id))
            .exec(tx)
            .await
            .map_err(|e| duplicate_or(e, "personId"))?;
        let after = account::Entity::find_by_id(before.id)
            .one(tx)
            .await?
            .expect("exists");
        audit::record(
            tx,
            act.actor,
            act.request_id,
            account_change(
                "LINK_PERSON",
                member,
                Some(&before),
                Some(&after),
                before.id,
            ),
            now,
        )
        .await?;
        Ok(after)
    })
    .await
}
