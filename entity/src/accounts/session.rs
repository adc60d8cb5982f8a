//! Signing in and out, and passwords: login with a temporary lockout, logout, password change,
//! reset by a mailed single-use link, and accepting an invitation. Throttling per client
//! address is the transport's (it knows the client).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::links::{self, AccountLinks, wib};
use super::password::{self, LOCK_AFTER, LOCK_MINUTES};
use crate::account::{self, AccountStatus};
use crate::account_session;
use crate::account_token::TokenPurpose;
use crate::kernel::Actor;
use crate::kernel::audit::{self, Change};
use crate::kernel::crud::Act;
use crate::kernel::edit::Outcome;
use crate::notify::Address;
use crate::notify::tokens::hash as token_hash;
use crate::{Lang, Problem, Problems};

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 14;

/// What a person agrees to when they accept an invitation (UU 27/2022), in Indonesian and
/// English; the statement they saw is kept with their consent.
pub const ACCOUNT_CONSENT: [&str; 2] = [
    "Saya setuju nama dan alamat email saya diproses untuk akun Terbuka dan dicatat dalam log audit kemitraan. Saya dapat meminta penghapusan data pribadi saya kapan saja.",
    "I agree that my name and e-mail address are processed for my Terbuka account and recorded in the partnership's audit log. I can ask for my personal data to be erased at any time.",
];

/// A new random token (to give to the client) and the hash to store.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The end of a new session started at `now`.
pub fn session_end(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(SESSION_DAYS)
}

/// Addresses are kept trimmed and in lower case.
pub fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A session begun: the token for the client (SECRET to everyone else), when it ends, and
/// the account as it is now.
pub struct SignedIn {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: account::Model,
}

/// Starts a session for `account` (in the caller's transaction); returns the token.
async fn start<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), DbErr> {
    let (token, hash) = new_token();
    let expires = session_end(now);
    account_session::Entity::insert(account_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        token_hash: Set(hash),
        created_at: Set(now),
        expires_at: Set(expires),
        revoked_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok((token, expires))
}

/// Ends the sessions of `account` (all, or all but `keep`); returns how many ended.
pub async fn end_all<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut q = account_session::Entity::update_many()
        .col_expr(account_session::Column::RevokedAt, Expr::value(now))
        .filter(account_session::Column::AccountId.eq(account))
        .filter(account_session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        q = q.filter(account_session::Column::Id.ne(keep));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Ends the sessions of the accounts linked to a person.
pub async fn end_all_of_person<C: ConnectionTrait>(
    db: &C,
    person: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for a in account::Entity::find()
        .filter(account::Column::PersonId.eq(person))
        .all(db)
        .await?
    {
        end_all(db, a.id, None, now).await?;
    }
    Ok(())
}

fn audit_change(account: &account::Model, action: &'static str) -> Change {
    Change {
        table: "account",
        entity_type: "Account",
        entity_id: Some(account.id),
        member_id: None,
        action,
        before: None,
        after: None,
    }
}

fn refused(field: &str, p: Problem) -> Outcome {
    Problems::one(&["input", field], p).into()
}

fn hash_failed(e: password::HashFailed) -> Outcome {
    Outcome::Db(DbErr::Custom(e.to_string()))
}

enum Attempt {
    SignedIn(SignedIn),
    Refused(Problem),
}

/// Signs in with an address and a password. Five wrong passwords in a row lock the account for
/// 15 minutes (`LOCKED`, with the time it ends in WIB, in `lang`); a wrong password, an unknown
/// address and an account that is not active all read the same (`INVALID_CREDENTIALS`). A
/// failed attempt is counted even though the answer is a refusal.
pub async fn login(
    act: &Act<'_>,
    email: &str,
    password_given: String,
    lang: Lang,
) -> Result<SignedIn, Outcome> {
    act.permit("login", None)?;
    let email = normalise_email(email);
    let found = if email.len() <= 320 {
        account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .one(&act.db.exec())
            .await?
    } else {
        None
    };
    let password_ok = password::verify(
        password_given,
        found.as_ref().and_then(|a| a.password_hash.clone()),
    )
    .await;
    let Some(found) = found else {
        return Err(refused("password", Problem::InvalidCredentials));
    };
    let now = act.now;
    let attempt = crate::db::write(act.db, async |tx| -> Result<Attempt, Outcome> {
        let Some(account) = account::Entity::find_by_id(found.id).one(tx).await? else {
            return Ok(Attempt::Refused(Problem::InvalidCredentials));
        };
        if let Some(until) = account.locked_until
            && until > now
        {
            return Ok(Attempt::Refused(Problem::Locked {
                until_wib: wib(until, lang),
            }));
        }
        if !password_ok || account.status != AccountStatus::Active {
            let failed = account.failed_logins + 1;
            let mut update =
                account::Entity::update_many().filter(account::Column::Id.eq(account.id));
            if failed >= LOCK_AFTER {
                let until = now + Duration::minutes(LOCK_MINUTES);
                update = update
                    .col_expr(account::Column::FailedLogins, Expr::value(0))
                    .col_expr(account::Column::LockedUntil, Expr::value(until));
                audit::record(
                    tx,
                    &Actor::anonymous(),
                    act.request_id,
                    audit_change(&account, "LOCKED"),
                    now,
                )
                .await?;
            } else {
                update = update.col_expr(account::Column::FailedLogins, Expr::value(failed));
            }
            update.exec(tx).await?;
            return Ok(Attempt::Refused(Problem::InvalidCredentials));
        }
        account::Entity::update_many()
            .col_expr(account::Column::FailedLogins, Expr::value(0))
            .col_expr(
                account::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(account::Column::LastLoginAt, Expr::value(now))
            .filter(account::Column::Id.eq(account.id))
            .exec(tx)
            .await?;
        let (token, expires_at) = start(tx, account.id, now).await?;
        let actor = Actor {
            account: Some(account.clone()),
            ..Default::default()
        };
        audit::record(
            tx,
            &actor,
            act.request_id,
            audit_change(&account, "LOGIN"),
            now,
        )
        .await?;
        Ok(Attempt::SignedIn(SignedIn {
            token,
            expires_at,
            account,
        }))
    })
    .await?;
    match attempt {
        Attempt::SignedIn(s) => Ok(s),
        Attempt::Refused(p) => Err(refused("password", p)),
    }
}

/// Ends the actor's session (or, with `everywhere`, every session of the account); returns how
/// many ended.
pub async fn logout(act: &Act<'_>, everywhere: bool) -> Result<u64, Outcome> {
    act.permit("logout", None)?;
    let Some(me) = act.actor.account.as_ref() else {
        return Ok(0);
    };
    crate::db::write(act.db, async |tx| -> Result<u64, Outcome> {
        let ended = if everywhere {
            end_all(tx, me.id, None, act.now).await?
        } else {
            account_session::Entity::update_many()
                .col_expr(account_session::Column::RevokedAt, Expr::value(act.now))
                .filter(account_session::Column::Id.eq(act.actor.session_id))
                .filter(account_session::Column::AccountId.eq(me.id))
                .filter(account_session::Column::RevokedAt.is_null())
                .exec(tx)
                .await?
                .rows_affected
        };
        let action = if everywhere {
            "LOGOUT_EVERYWHERE"
        } else {
            "LOGOUT"
        };
        audit::record(
            tx,
            act.actor,
            act.request_id,
            audit_change(me, action),
            act.now,
        )
        .await?;
        Ok(ended)
    })
    .await
}

/// Changes the actor's own password (the current one must be right); every other session of
/// the account ends.
pub async fn change_password(
    act: &Act<'_>,
    current: String,
    new: String,
) -> Result<account::Model, Outcome> {
    act.permit("changePassword", None)?;
    let Some(me) = act.actor.account.clone() else {
        return Err(refused("currentPassword", Problem::InvalidCredentials));
    };
    if !password::verify(current, me.password_hash.clone()).await {
        return Err(refused("currentPassword", Problem::InvalidCredentials));
    }
    password::check_new(&["input", "newPassword"], &new, &me.email)
        .map_err(|p| Outcome::from(Problems::from(p)))?;
    let hash = password::hash(new).await.map_err(hash_failed)?;
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<account::Model, Outcome> {
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(hash.clone()))
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .filter(account::Column::Id.eq(me.id))
            .exec(tx)
            .await?;
        end_all(tx, me.id, act.actor.session_id, now).await?;
        audit::record(
            tx,
            act.actor,
            act.request_id,
            audit_change(&me, "PASSWORD_CHANGED"),
            now,
        )
        .await?;
        Ok(me.clone())
    })
    .await
}

/// Sends a single-use reset link to `email` if it has an active account, and returns the mail
/// record to queue (`None` when there is no such account: the caller answers the same either
/// way, so it does not tell who has an account). An address that is not one is `INVALID_EMAIL`.
pub async fn request_password_reset(
    act: &Act<'_>,
    links: &AccountLinks<'_>,
    email: &str,
) -> Result<Option<Uuid>, Outcome> {
    act.permit("requestPasswordReset", None)?;
    let email = normalise_email(email);
    if Address::parse(&email).is_none() {
        return Err(refused("email", Problem::InvalidEmail));
    }
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<Option<Uuid>, Outcome> {
        let Some(account) = account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .filter(account::Column::Status.eq(AccountStatus::Active))
            .one(tx)
            .await?
        else {
            return Ok(None);
        };
        let id = links::issue(
            tx,
            links,
            &account,
            TokenPurpose::PasswordReset,
            serde_json::json!({}),
            now,
        )
        .await?;
        audit::record(
            tx,
            &Actor::anonymous(),
            act.request_id,
            audit_change(&account, "PASSWORD_RESET_REQUESTED"),
            now,
        )
        .await?;
        Ok(Some(id))
    })
    .await
}

/// Sets a new password with the token from a reset link; every session of the account ends
/// and a lock is lifted. A link used, expired or unknown is `INVALID_TOKEN`; of two uses at
/// once, one wins.
pub async fn reset_password(act: &Act<'_>, token: &str, new: String) -> Result<(), Outcome> {
    act.permit("resetPassword", None)?;
    let now = act.now;
    let invalid = || refused("token", Problem::InvalidToken);
    let Some((_, account)) =
        links::valid(&act.db.exec(), token, TokenPurpose::PasswordReset, now).await?
    else {
        return Err(invalid());
    };
    password::check_new(&["input", "newPassword"], &new, &account.email)
        .map_err(|p| Outcome::from(Problems::from(p)))?;
    let hash = password::hash(new).await.map_err(hash_failed)?;
    crate::db::write(act.db, async |tx| -> Result<(), Outcome> {
        // Spend the link inside the transaction: of two concurrent uses, one wins.
        let Some((link, account)) =
            links::valid(tx, token, TokenPurpose::PasswordReset, now).await?
        else {
            return Err(invalid());
        };
        links::spend(tx, &link, now).await?;
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(hash.clone()))
            .col_expr(account::Column::FailedLogins, Expr::value(0))
            .col_expr(
                account::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .filter(account::Column::Id.eq(account.id))
            .exec(tx)
            .await?;
        end_all(tx, account.id, None, now).await?;
        audit::record(
            tx,
            &Actor::anonymous(),
            act.request_id,
            audit_change(&account, "PASSWORD_RESET"),
            now,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Accepts an invitation: the invited person chooses a password, agrees to the account
/// statement ([`ACCOUNT_CONSENT`], recorded as their consent) and is signed in.
pub async fn accept_invitation(
    act: &Act<'_>,
    token: &str,
    password_chosen: String,
    consent: bool,
) -> Result<SignedIn, Outcome> {
    act.permit("acceptInvitation", None)?;
    let now = act.now;
    let invalid = || refused("token", Problem::InvalidToken);
    let Some((_, account)) =
        links::valid(&act.db.exec(), token, TokenPurpose::Invitation, now).await?
    else {
        return Err(invalid());
    };
    password::check_new(&["input", "password"], &password_chosen, &account.email)
        .map_err(|p| Outcome::from(Problems::from(p)))?;
    if !consent {
        return Err(refused("consent", Problem::Required));
    }
    let hash = password::hash(password_chosen).await.map_err(hash_failed)?;
    crate::db::write(act.db, async |tx| -> Result<SignedIn, Outcome> {
        let Some((link, account)) = links::valid(tx, token, TokenPurpose::Invitation, now).await?
        else {
            return Err(invalid());
        };
        if account.status == AccountStatus::Deactivated {
            return Err(invalid());
        }
        links::spend(tx, &link, now).await?;
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(hash.clone()))
            .col_expr(account::Column::Status, Expr::value(AccountStatus::Active))
            .col_expr(account::Column::LastLoginAt, Expr::value(now))
            .col_expr(account::Column::UpdatedAt, Expr::value(now))
            .filter(account::Column::Id.eq(account.id))
            .exec(tx)
            .await?;
        let (token, expires_at) = start(tx, account.id, now).await?;
        let account_lang = Lang::from_tag(&account.lang);
        crate::consent::record(
            tx,
            crate::consent::Given {
                member: None,
                subject_type: "Account",
                subject_id: account.id,
                purpose: crate::consent::ConsentPurpose::Account,
                statement: ACCOUNT_CONSENT[usize::from(account_lang == Lang::En)],
                lang: account_lang,
                at: now,
            },
        )
        .await?;
        let after = account::Entity::find_by_id(account.id)
            .one(tx)
            .await?
            .expect("exists");
        let actor = Actor {
            account: Some(after.clone()),
            ..Default::default()
        };
        audit::record(
            tx,
            &actor,
            act.request_id,
            audit_change(&after, "INVITATION_ACCEPTED"),
            now,
        )
        .await?;
        Ok(SignedIn {
            token,
            expires_at,
            account: after,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(ha, token_hash(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
    }
}
