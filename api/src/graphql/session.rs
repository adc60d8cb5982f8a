//! Signing in and out, and passwords: login with throttling and a temporary lockout, logout,
//! password change, reset by an e-mailed single-use link, and accepting an invitation.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::accounts::session::{self, SignedIn};
use entity::{Lang, Problems};
use serde::Serialize;

use super::account::Account;
use super::context::CtxExt;
use super::crud::acting;
use super::errors;
use super::mutation::{Outcome, Refused, UserError, user_errors};
use super::policy;

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

pub use entity::accounts::session::ACCOUNT_CONSENT;

#[derive(Default)]
pub struct SessionMutation;

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

/// A session begun, or why not.
fn signed_in(result: Result<SignedIn, Outcome>, lang: Lang) -> Result<LoginPayload> {
    match result {
        Ok(s) => Ok(LoginPayload {
            token: Some(s.token),
            expires_at: Some(s.expires_at),
            viewer: Some(Account::own(s.account)),
            user_errors: vec![],
        }),
        Err(Outcome::Refused(Refused(p))) => Ok(LoginPayload::refused(p, lang)),
        Err(e) => Err(errors::not_done(e, lang)),
    }
}

/// The problems of a refusal; a fault is an internal error.
fn problems_of(e: Outcome, lang: Lang) -> Result<Problems> {
    match e {
        Outcome::Refused(Refused(p)) => Ok(p),
        e => Err(errors::not_done(e, lang)),
    }
}

#[Object]
impl SessionMutation {
    /// Signs in with e-mail and password. Five wrong passwords in a row lock the account for
    /// 15 minutes; a client making too many attempts is slowed down (RATE_LIMITED).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
        let viewer = policy::authorize(ctx, "login", None)?;
        throttle(ctx, "login", LOGIN_PER_MINUTE)?;
        let lang = ctx.lang();
        let result = acting(ctx, &viewer, async |act| {
            session::login(act, &input.email, input.password, lang).await
        })
        .await;
        signed_in(result, lang)
    }

    /// Ends this session (or, with `everywhere`, every session of the account).
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> Result<LogoutPayload> {
        let viewer = policy::authorize(ctx, "logout", None)?;
        let ended = acting(ctx, &viewer, async |act| {
            session::logout(act, input.everywhere).await
        })
        .await
        .map_err(|e| errors::not_done(e, ctx.lang()))?;
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
        let lang = ctx.lang();
        let result = acting(ctx, &viewer, async |act| {
            session::change_password(act, input.current_password, input.new_password).await
        })
        .await;
        Ok(match result {
            Ok(me) => ChangePasswordPayload {
                viewer: Some(Account::own(me)),
                user_errors: vec![],
            },
            Err(e) => ChangePasswordPayload {
                viewer: None,
                user_errors: user_errors(problems_of(e, lang)?, lang),
            },
        })
    }

    /// Sends a single-use reset link to the address, if it has an active account. The answer
    /// is the same either way, so it does not tell who has an account.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        input: RequestPasswordResetInput,
    ) -> Result<RequestPasswordResetPayload> {
        let viewer = policy::authorize(ctx, "requestPasswordReset", None)?;
        throttle(ctx, "reset", RESET_PER_MINUTE)?;
        let app = ctx.app();
        let lang = ctx.lang();
        let links = app.account_links();
        let result = acting(ctx, &viewer, async |act| {
            session::request_password_reset(act, &links, &input.email).await
        })
        .await;
        match result {
            Ok(delivery) => {
                app.queue_mail(delivery.as_slice()).await;
                Ok(RequestPasswordResetPayload {
                    accepted: true,
                    user_errors: vec![],
                })
            }
            Err(e) => Ok(RequestPasswordResetPayload {
                accepted: false,
                user_errors: user_errors(problems_of(e, lang)?, lang),
            }),
        }
    }

    /// Sets a new password with the token from a reset link; every session of the account ends.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> Result<ResetPasswordPayload> {
        let viewer = policy::authorize(ctx, "resetPassword", None)?;
        throttle(ctx, "reset", RESET_PER_MINUTE)?;
        let lang = ctx.lang();
        let result = acting(ctx, &viewer, async |act| {
            session::reset_password(act, &input.token, input.new_password).await
        })
        .await;
        Ok(match result {
            Ok(()) => ResetPasswordPayload {
                reset: true,
                user_errors: vec![],
            },
            Err(e) => ResetPasswordPayload {
                reset: false,
                user_errors: user_errors(problems_of(e, lang)?, lang),
            },
        })
    }

    /// Accepts an invitation: chooses a password and signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> Result<LoginPayload> {
        let viewer = policy::authorize(ctx, "acceptInvitation", None)?;
        throttle(ctx, "reset", RESET_PER_MINUTE)?;
        let result = acting(ctx, &viewer, async |act| {
            session::accept_invitation(act, &input.token, input.password, input.consent).await
        })
        .await;
        signed_in(result, ctx.lang())
    }
}
