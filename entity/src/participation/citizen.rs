//! A member of the public's personal data erased on request (UU 27/2022): what they left with
//! an address in one member — inputs, registrations, a subscription, consents, mail. The steps
//! are [`crate::accounts::erasure::erase_citizen`]; this is the operation around them.

use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

use super::registration::{self, Links};
use crate::accounts::erasure::{self, CitizenErased};
use crate::kernel::audit::{self, Change};
use crate::kernel::crud::Act;
use crate::kernel::edit::Outcome;
use crate::notify::Address;
use crate::{Problem, Problems};

/// Erases what a member of the public left with `email` in `member`; a seat they held goes to
/// the first on the waitlist, as a cancellation would. Returns what was erased and the mail to
/// queue after the commit (to those promoted). An address that is not one is `INVALID_EMAIL`.
pub async fn erase(
    act: &Act<'_>,
    links: &Links<'_>,
    member: Uuid,
    email: &str,
    reason: Option<&str>,
) -> Result<(CitizenErased, Vec<Uuid>), Outcome> {
    act.permit("eraseCitizen", Some(member))?;
    let Some(email) = Address::parse(email) else {
        return Err(Problems::one(&["input", "email"], Problem::InvalidEmail).into());
    };
    let now = act.now;
    crate::db::write(act.db, async |tx| -> Result<_, Outcome> {
        let done = erasure::erase_citizen(tx, member, email.as_str(), now).await?;
        let mut mails = vec![];
        for event_id in &done.freed_seats {
            let invitation = registration::locked_invitation(tx, *event_id).await?;
            if let Some(e) = crate::event::Entity::find_by_id(*event_id).one(tx).await?
                && let Some(mail) =
                    registration::promote_next(tx, act.actor, links, &e, invitation.as_ref(), now)
                        .await?
            {
                mails.push(mail);
            }
        }
        audit::record(
            tx,
            act.actor,
            act.request_id,
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
                    "reason": reason.map(|r| r.chars().take(500).collect::<String>()),
                })),
            },
            now,
        )
        .await?;
        Ok((done, mails))
    })
    .await
}
