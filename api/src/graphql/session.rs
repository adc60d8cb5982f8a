//! Signing in and out, and passwords: login with throttling and a temporary lockout, logout,
//! password change, reset by an e-mailed single-use link, and accepting an invitation.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use entity::account::{self, AccountStatus};
use entity::account_token::{self, TokenPurpose};
use entity::mail_delivery::MailClass;
use entity::{Lang, Problem, Problems, account_session};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use worker::mail::{self, NewMail};

use super::account::Account;
use super::context::{AppState, CtxExt};
use super::errors;
use super::mutation::{Outcome, Refused, UserError, user_errors};
use super::policy;
use crate::audit::{self, Change};
use crate::auth::{self, LOCK_AFTER, LOCK_MINUTES, Viewer};

/// Login attempts per client address per minute.
const LOGIN_PER_MINUTE: u32 = 20;
/// Reset and invitation-acceptance requests per client address per minute.
const RESET_PER_MINUTE: u32 = 5;

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(SimpleObject)]
pub struct LoginPayload {
    /// SECRET to everyone but this client: send it as `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub viewer: Option<Account>,
    pub user_errors: Vec<UserError>,
}

impl LoginPayload {
    fn refused(p: Problems, lang: Lang) -> Self {
        Self {
            token: None,
            expires_at: None,
            viewer: None,
            user_errors: user_errors(p, lang),
        }
    }
}

#[derive(InputObject)]
pub struct LogoutInput {
    /// End every session of this account, not only this one.
    #[graphql(default)]
    pub everywhere: bool,
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    pub ended_sessions: i32,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    pub viewer: Option<Account>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject, Serialize)]
pub struct RequestPasswordResetInput {
    pub email: String,
}

#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// Always true: whether the address has an account is not told.
    pub accepted: bool,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The token from the e-mailed link.
    pub token: String,
    pub new_password: String,
}

#[derive(SimpleObject)]
pub struct ResetPasswordPayload {
    pub reset: bool,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct AcceptInvitationInput {
    /// The token from the invitation e-mail.
    pub token: String,
    pub password: String,
    /// The person agrees to the account statement ([`ACCOUNT_CONSENT`]); it is recorded.
    pub consent: bool,
}

/// What a person agrees to when they accept an invitation (UU 27/2022).
pub const ACCOUNT_CONSENT: [&str; 2] = [
    "Saya setuju nama dan alamat email saya diproses untuk akun Terbuka dan dicatat dalam log audit kemitraan. Saya dapat meminta penghapusan data pribadi saya kapan saja.",
    "I agree that my name and e-mail address are processed for my Terbuka account and recorded in the partnership's audit log. I can ask for my personal data to be erased at any time.",
];

#[derive(Default)]
pub struct SessionMutation;

fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

fn wib(at: DateTime<Utc>, lang: Lang) -> String {
    entity::i18n::long_datetime(at, chrono_tz::Asia::Jakarta, lang)
}

/// Starts a session for `account` (in the caller's transaction); returns the token.
async fn start_session<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), sea_orm::DbErr> {
    let (token, hash) = auth::new_token();
    let expires = auth::session_end(now);
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

/// Ends the sessions of `account` (all, or all but `keep`).
pub async fn end_sessions<C: ConnectionTrait>(
    db: &C,
    account: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
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
pub async fn end_sessions_of_person<C: ConnectionTrait>(
    db: &C,
    person: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    for a in account::Entity::find()
        .filter(account::Column::PersonId.eq(person))
        .all(db)
        .await?
    {
        end_sessions(db, a.id, None, now).await?;
    }
    Ok(())
}

/// Records a single-use link for `account` and the mail that carries it.
pub async fn issue_link<C: ConnectionTrait>(
    db: &C,
    app: &AppState,
    account: &account::Model,
    purpose: TokenPurpose,
    valid_for: Duration,
    context: serde_json::Value,
) -> Result<Uuid, sea_orm::DbErr> {
    let now = app.clock.now();
    let id = Uuid::now_v7();
    // The token is derived from the record id with the secret: the database keeps its hash,
    // the mail record keeps only the id, and the sender recomputes the token into the link.
    let token = app
        .signer
        .derive(worker::mail::LINK_PURPOSE, &id.to_string());
    let hash = auth::token_hash(&token);
    let expires = now + valid_for;
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(id),
        account_id: Set(account.id),
        purpose: Set(purpose),
        token_hash: Set(hash),
        created_at: Set(now),
        expires_at: Set(expires),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    let lang = Lang::from_tag(&account.lang);
    let (template, path) = match purpose {
        TokenPurpose::Invitation => ("invitation", "undangan"),
        TokenPurpose::PasswordReset => ("password_reset", "atur-ulang-sandi"),
    };
    let mut ctx = context;
    if let serde_json::Value::Object(map) = &mut ctx {
        map.insert("name".into(), json!(account.name));
        map.insert(
            "link".into(),
            json!({
                "base": format!("{}/{path}?token=", app.config.worker.app_url),
                "token_id": id.to_string(),
            }),
        );
        map.insert("expires".into(), json!(wib(expires, lang)));
    }
    let delivery = mail::record(
        db,
        NewMail {
            dedupe_key: format!("{template}:{id}"),
            class: MailClass::Transactional,
            member_id: None,
            recipient: account.email.clone(),
            lang,
            template: template.into(),
            context: ctx,
        },
    )
    .await?;
    Ok(delivery.expect("a fresh key is never a duplicate"))
}

/// Queues recorded mail after the commit; a failure here is picked up by the sweeper.
pub async fn queue_mail(app: &AppState, ids: &[Uuid]) {
    app.queue_mail(ids).await
}

/// A spent-able link: the token row and its account, when valid at `now`.
async fn valid_link<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<(account_token::Model, account::Model)>, sea_orm::DbErr> {
    if token.len() > 100 {
        return Ok(None);
    }
    let Some(link) = account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(auth::token_hash(token.trim())))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if link.used_at.is_some() || link.expires_at <= now {
        return Ok(None);
    }
    let account = account::Entity::find_by_id(link.account_id).one(db).await?;
    Ok(account.map(|a| (link, a)))
}

fn throttle(ctx: &Context<'_>, what: &'static str, limit: u32) -> Result<()> {
    let app = ctx.app();
    if app
        .limiter
        .allow(&ctx.meta().client, what, limit, app.clock.now())
    {
        Ok(())
    } else {
        Err(errors::rate_limited(ctx.lang()))
    }
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

#[Object]
impl SessionMutation {
    /// Signs in with e-mail and password. Five wrong passwords in a row lock the account for
    /// 15 minutes; a client making too many attempts is slowed down (RATE_LIMITED).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
        policy::authorize(ctx, "login", None)?;
        throttle(ctx, "login", LOGIN_PER_MINUTE)?;
        let app = ctx.app();
        let lang = ctx.lang();
        let email = normalise_email(&input.email);
        let found = if email.len() <= 320 {
            account::Entity::find()
                .filter(account::Column::Email.eq(&email))
                .one(&app.db)
                .await?
        } else {
            None
        };
        let password_ok = auth::verify_password(
            input.password,
            found.as_ref().and_then(|a| a.password_hash.clone()),
        )
        .await;
        let Some(found) = found else {
            return Ok(LoginPayload::refused(
                Problems::one(&["input", "password"], Problem::InvalidCredentials),
                lang,
            ));
        };
        let now = app.clock.now();
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(&app.db, async |tx| -> Result<LoginOutcome, Outcome> {
            let Some(account) = account::Entity::find_by_id(found.id).one(tx).await? else {
                return Ok(LoginOutcome::Refused(Problem::InvalidCredentials));
            };
            if let Some(until) = account.locked_until
                && until > now
            {
                return Ok(LoginOutcome::Refused(Problem::Locked {
                    until_wib: wib(until, lang),
                }));
            }
            if !password_ok || account.status != AccountStatus::Active {
                let failed = account.failed_logins + 1;
                let lock = failed >= LOCK_AFTER;
                let mut update =
                    account::Entity::update_many().filter(account::Column::Id.eq(account.id));
                if lock {
                    let until = now + Duration::minutes(LOCK_MINUTES);
                    update = update
                        .col_expr(account::Column::FailedLogins, Expr::value(0))
                        .col_expr(account::Column::LockedUntil, Expr::value(until));
                    audit::record(
                        tx,
                        &Viewer::anonymous(),
                        Some(&request_id),
                        audit_change(&account, "LOCKED"),
                        ctx.app().clock.now(),
                    )
                    .await?;
                } else {
                    update = update.col_expr(account::Column::FailedLogins, Expr::value(failed));
                }
                update.exec(tx).await?;
                return Ok(LoginOutcome::Refused(Problem::InvalidCredentials));
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
            let (token, expires) = start_session(tx, account.id, now).await?;
            let viewer = Viewer {
                account: Some(account.clone()),
                ..Default::default()
            };
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                audit_change(&account, "LOGIN"),
                ctx.app().clock.now(),
            )
            .await?;
            Ok(LoginOutcome::SignedIn(token, expires, account))
        })
        .await;
        Ok(match result {
            Ok(LoginOutcome::SignedIn(token, expires, model)) => LoginPayload {
                token: Some(token),
                expires_at: Some(expires),
                viewer: Some(Account::own(model)),
                user_errors: vec![],
            },
            Ok(LoginOutcome::Refused(p)) => {
                LoginPayload::refused(Problems::one(&["input", "password"], p), lang)
            }
            Err(Outcome::Refused(Refused(p))) => LoginPayload::refused(p, lang),
            Err(Outcome::Raced) => return Err(errors::internal("login race", lang)),
            Err(Outcome::Db(e)) => return Err(errors::internal(e, lang)),
        })
    }

    /// Ends this session (or, with `everywhere`, every session of the account).
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> Result<LogoutPayload> {
        let viewer = policy::authorize(ctx, "logout", None)?;
        let app = ctx.app();
        let account = viewer.account_id().expect("signed in");
        let now = app.clock.now();
        let ended = if input.everywhere {
            end_sessions(&app.db, account, None, now).await?
        } else {
            account_session::Entity::update_many()
                .col_expr(account_session::Column::RevokedAt, Expr::value(now))
                .filter(account_session::Column::Id.eq(viewer.session_id))
                .filter(account_session::Column::RevokedAt.is_null())
                .exec(&app.db)
                .await?
                .rows_affected
        };
        Ok(LogoutPayload {
            ended_sessions: ended as i32,
        })
    }

    /// Changes the viewer's password; every other session of the account ends.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload> {
        let viewer = policy::authorize(ctx, "changePassword", None)?;
        let app = ctx.app();
        let lang = ctx.lang();
        let me = viewer.account.clone().expect("signed in");
        let refused = |p: Problems| ChangePasswordPayload {
            viewer: None,
            user_errors: user_errors(p, lang),
        };
        if !auth::verify_password(input.current_password, me.password_hash.clone()).await {
            return Ok(refused(Problems::one(
                &["input", "currentPassword"],
                Problem::InvalidCredentials,
            )));
        }
        if let Err(p) =
            auth::check_new_password(&["input", "newPassword"], &input.new_password, &me.email)
        {
            return Ok(refused(p.into()));
        }
        let hash = auth::hash_password(input.new_password)
            .await
            .map_err(|e| errors::internal(e, lang))?;
        let now = app.clock.now();
        let request_id = ctx.meta().request_id;
        entity::db::write(&app.db, async |tx| -> Result<(), sea_orm::DbErr> {
            account::Entity::update_many()
                .col_expr(account::Column::PasswordHash, Expr::value(hash.clone()))
                .col_expr(
                    account::Column::UpdatedAt,
                    Expr::value(ctx.app().clock.now()),
                )
                .filter(account::Column::Id.eq(me.id))
                .exec(tx)
                .await?;
            end_sessions(tx, me.id, viewer.session_id, now).await?;
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                audit_change(&me, "PASSWORD_CHANGED"),
                ctx.app().clock.now(),
            )
            .await
        })
        .await
        .map_err(|e| errors::internal(e, lang))?;
        Ok(ChangePasswordPayload {
            viewer: Some(Account::own(me)),
            user_errors: vec![],
        })
    }

    /// Sends a single-use reset link to the address, if it has an active account. The answer
    /// is the same either way, so it does not tell who has an account.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        input: RequestPasswordResetInput,
    ) -> Result<RequestPasswordResetPayload> {
        policy::authorize(ctx, "requestPasswordReset", None)?;
        throttle(ctx, "reset", RESET_PER_MINUTE)?;
        let app = ctx.app();
        let lang = ctx.lang();
        let email = normalise_email(&input.email);
        if super::mail::parse_address(&email).is_none() {
            return Ok(RequestPasswordResetPayload {
                accepted: false,
                user_errors: user_errors(
                    Problems::one(&["input", "email"], Problem::InvalidEmail),
                    lang,
                ),
            });
        }
        let account = account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .filter(account::Column::Status.eq(AccountStatus::Active))
            .one(&app.db)
            .await?;
        if let Some(account) = account {
            let request_id = ctx.meta().request_id;
            let delivery = entity::db::write(&app.db, async |tx| -> Result<Uuid, sea_orm::DbErr> {
                let id = issue_link(
                    tx,
                    app,
                    &account,
                    TokenPurpose::PasswordReset,
                    Duration::hours(1),
                    json!({}),
                )
                .await?;
                audit::record(
                    tx,
                    &Viewer::anonymous(),
                    Some(&request_id),
                    audit_change(&account, "PASSWORD_RESET_REQUESTED"),
                    ctx.app().clock.now(),
                )
                .await?;
                Ok(id)
            })
            .await
            .map_err(|e| errors::internal(e, lang))?;
            queue_mail(app, &[delivery]).await;
        }
        Ok(RequestPasswordResetPayload {
            accepted: true,
            user_errors: vec![],
        })
    }

    /// Sets a new password with the token from a reset link; every session of the account ends.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> Result<ResetPasswordPayload> {
        policy::authorize(ctx, "resetPassword", None)?;
        throttle(ctx, "reset", RESET_PER_MINUTE)?;
        let app = ctx.app();
        let lang = ctx.lang();
        let now = app.clock.now();
        let refused = |p: Problems| ResetPasswordPayload {
            reset: false,
            user_errors: user_errors(p, lang),
        };
        let Some((_, account)) =
            valid_link(&app.db, &input.token, TokenPurpose::PasswordReset, now).await?
        else {
            return Ok(refused(Problems::one(
                &["input", "token"],
                Problem::InvalidToken,
            )));
        };
        if let Err(p) = auth::check_new_password(
            &["input", "newPassword"],
            &input.new_password,
            &account.email,
        ) {
            return Ok(refused(p.into()));
        }
        let hash = auth::hash_password(input.new_password)
            .await
            .map_err(|e| errors::internal(e, lang))?;
        let request_id = ctx.meta().request_id;
        let token = input.token.clone();
        let done = entity::db::write(&app.db, async |tx| -> Result<bool, sea_orm::DbErr> {
            // Spend the link inside the transaction: of two concurrent uses, one wins.
            let Some((link, account)) =
                valid_link(tx, &token, TokenPurpose::PasswordReset, now).await?
            else {
                return Ok(false);
            };
            account_token::Entity::update_many()
                .col_expr(account_token::Column::UsedAt, Expr::value(now))
                .filter(account_token::Column::Id.eq(link.id))
                .exec(tx)
                .await?;
            account::Entity::update_many()
                .col_expr(account::Column::PasswordHash, Expr::value(hash.clone()))
                .col_expr(account::Column::FailedLogins, Expr::value(0))
                .col_expr(
                    account::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    account::Column::UpdatedAt,
                    Expr::value(ctx.app().clock.now()),
                )
                .filter(account::Column::Id.eq(account.id))
                .exec(tx)
                .await?;
            end_sessions(tx, account.id, None, now).await?;
            audit::record(
                tx,
                &Viewer::anonymous(),
                Some(&request_id),
                audit_change(&account, "PASSWORD_RESET"),
                ctx.app().clock.now(),
            )
            .await?;
            Ok(true)
        })
        .await
        .map_err(|e| errors::internal(e, lang))?;
        if !done {
            return Ok(refused(Problems::one(
                &["input", "token"],
                Problem::InvalidToken,
            )));
        }
        Ok(ResetPasswordPayload {
            reset: true,
            user_errors: vec![],
        })
    }

    /// Accepts an invitation: chooses a password and signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> Result<LoginPayload> {
        policy::authorize(ctx, "acceptInvitation", None)?;
        throttle(ctx, "reset", RESET_PER_MINUTE)?;
        let app = ctx.app();
        let lang = ctx.lang();
        let now = app.clock.now();
        let Some((_, account)) =
            valid_link(&app.db, &input.token, TokenPurpose::Invitation, now).await?
        else {
            return Ok(LoginPayload::refused(
                Problems::one(&["input", "token"], Problem::InvalidToken),
                lang,
            ));
        };
        if let Err(p) =
            auth::check_new_password(&["input", "password"], &input.password, &account.email)
        {
            return Ok(LoginPayload::refused(p.into(), lang));
        }
        if !input.consent {
            return Ok(LoginPayload::refused(
                Problems::one(&["input", "consent"], Problem::Required),
                lang,
            ));
        }
        let hash = auth::hash_password(input.password)
            .await
            .map_err(|e| errors::internal(e, lang))?;
        let request_id = ctx.meta().request_id;
        let token = input.token.clone();
        let result = entity::db::write(
            &app.db,
            async |tx| -> Result<Option<(String, DateTime<Utc>, account::Model)>, sea_orm::DbErr> {
                let Some((link, account)) =
                    valid_link(tx, &token, TokenPurpose::Invitation, now).await?
                else {
                    return Ok(None);
                };
                if account.status == AccountStatus::Deactivated {
                    return Ok(None);
                }
                account_token::Entity::update_many()
                    .col_expr(account_token::Column::UsedAt, Expr::value(now))
                    .filter(account_token::Column::Id.eq(link.id))
                    .exec(tx)
                    .await?;
                account::Entity::update_many()
                    .col_expr(account::Column::PasswordHash, Expr::value(hash.clone()))
                    .col_expr(account::Column::Status, Expr::value(AccountStatus::Active))
                    .col_expr(account::Column::LastLoginAt, Expr::value(now))
                    .col_expr(
                        account::Column::UpdatedAt,
                        Expr::value(ctx.app().clock.now()),
                    )
                    .filter(account::Column::Id.eq(account.id))
                    .exec(tx)
                    .await?;
                let (session, expires) = start_session(tx, account.id, now).await?;
                let account_lang = Lang::from_tag(&account.lang);
                entity::consent::record(
                    tx,
                    entity::consent::Given {
                        member: None,
                        subject_type: "Account",
                        subject_id: account.id,
                        purpose: entity::consent::ConsentPurpose::Account,
                        statement: ACCOUNT_CONSENT[usize::from(account_lang == Lang::En)],
                        lang: account_lang,
                        at: ctx.app().clock.now(),
                    },
                )
                .await?;
                let after = account::Entity::find_by_id(account.id)
                    .one(tx)
                    .await?
                    .expect("exists");
                let viewer = Viewer {
                    account: Some(after.clone()),
                    ..Default::default()
                };
                audit::record(
                    tx,
                    &viewer,
                    Some(&request_id),
                    audit_change(&after, "INVITATION_ACCEPTED"),
                    ctx.app().clock.now(),
                )
                .await?;
                Ok(Some((session, expires, after)))
            },
        )
        .await
        .map_err(|e| errors::internal(e, lang))?;
        Ok(match result {
            Some((token, expires, model)) => LoginPayload {
                token: Some(token),
                expires_at: Some(expires),
                viewer: Some(Account::own(model)),
                user_errors: vec![],
            },
            None => LoginPayload::refused(
                Problems::one(&["input", "token"], Problem::InvalidToken),
                lang,
            ),
        })
    }
}

enum LoginOutcome {
    SignedIn(String, DateTime<Utc>, account::Model),
    Refused(Problem),
}
