//! `eraseCitizen`: a member of the public's personal data erased on request (UU 27/2022) —
//! the steps are in `crate::erasure::erase_citizen`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::{Problem, Problems};
use sea_orm::EntityTrait;
use serde_json::json;

use super::context::CtxExt;
use super::policy;
use crate::audit::{self, Change};

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
        let Some(email) = super::mail::parse_address(&input.email) else {
            return Ok(EraseCitizenPayload {
                inputs: 0,
                registrations: 0,
                subscriptions: 0,
                user_errors: super::mutation::user_errors(
                    Problems::one(&["input", "email"], Problem::InvalidEmail),
                    lang,
                ),
            });
        };
        let request_id = ctx.meta().request_id;
        let app = ctx.app();
        let now = app.clock.now();
        let mut mails = vec![];
        let done = entity::db::write(ctx.db(), async |tx| {
            let done = crate::erasure::erase_citizen(tx, member, &email, now).await?;
            // A seat they held goes to the first on the waitlist, as a cancellation would.
            for event_id in &done.freed_seats {
                let invitation = super::registration::locked_invitation(tx, *event_id).await?;
                if let Some(e) = entity::event::Entity::find_by_id(*event_id).one(tx).await?
                    && let Some(mail) = entity::participation::registration::promote_next(
                        tx,
                        &ctx.viewer(),
                        &app.links(),
                        &e,
                        invitation.as_ref(),
                        now,
                    )
                    .await?
                {
                    mails.push(mail);
                }
            }
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change {
                    table: "member",
                    entity_type: "Member",
                    entity_id: Some(member),
                    member_id: Some(member),
                    action: "ERASE_CITIZEN_DATA",
                    before: None,
                    after: Some(json!({
                        "inputs": done.inputs,
                        "registrations": done.registrations,
                        "subscriptions": done.subscriptions,
                        "reason": input.reason.as_ref().map(|r| r.chars().take(500).collect::<String>()),
                    })),
                },
                ctx.app().clock.now(),
            )
            .await?;
            Ok::<_, sea_orm::DbErr>(done)
        })
        .await?;
        if !mails.is_empty() {
            super::session::queue_mail(app, &mails).await;
        }
        Ok(EraseCitizenPayload {
            inputs: done.inputs as i32,
            registrations: done.registrations as i32,
            subscriptions: done.subscriptions as i32,
            user_errors: vec![],
        })
    }
}
