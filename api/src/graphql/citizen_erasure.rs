//! `eraseCitizen`: a member of the public's personal data erased on request (UU 27/2022) —
//! the operation is `entity::participation::citizen::erase`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::participation::citizen;

use super::context::CtxExt;
use super::crud::acting;
use super::errors;
use super::mutation::{Outcome, Refused};
use super::policy;

#[derive(InputObject)]
pub struct EraseCitizenInput {
    pub member_id: ID,
    /// The address the person used (inputs, registrations, subscription).
    pub email: String,
    /// Why (kept in the audit log), e.g. "permintaan tertulis 3 Agustus 2018".
    pub reason: Option<String>,
}

#[derive(async_graphql::SimpleObject)]
pub struct EraseCitizenPayload {
    /// Inputs whose author's name and address were erased (their text stays).
    inputs: i32,
    /// Registrations anonymised (and cancelled).
    registrations: i32,
    /// Subscriptions removed.
    subscriptions: i32,
    user_errors: Vec<super::mutation::UserError>,
}

#[derive(Default)]
pub struct CitizenErasure;

#[Object]
impl CitizenErasure {
    /// Erases what a member of the public left with an address (UU 27/2022): the name and
    /// address on their inputs, their registrations, their subscription and the mail to them.
    async fn erase_citizen(
        &self,
        ctx: &Context<'_>,
        input: EraseCitizenInput,
    ) -> Result<EraseCitizenPayload> {
        let (viewer, member) = policy::authorize_in(ctx, "eraseCitizen", &input.member_id)?;
        let lang = ctx.lang();
        let app = ctx.app();
        let links = app.links();
        let result = acting(ctx, &viewer, async |act| {
            citizen::erase(act, &links, member, &input.email, input.reason.as_deref()).await
        })
        .await;
        match result {
            Ok((done, mails)) => {
                app.queue_mail(&mails).await;
                Ok(EraseCitizenPayload {
                    inputs: done.inputs as i32,
                    registrations: done.registrations as i32,
                    subscriptions: done.subscriptions as i32,
                    user_errors: vec![],
                })
            }
            Err(Outcome::Refused(Refused(p))) => Ok(EraseCitizenPayload {
                inputs: 0,
                registrations: 0,
                subscriptions: 0,
                user_errors: super::mutation::user_errors(p, lang),
            }),
            Err(e) => Err(errors::not_done(e, lang)),
        }
    }
}
