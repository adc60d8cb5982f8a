//! Open invitations and the public's registrations: seats up to the capacity, then a waitlist
//! that moves up by itself when someone cancels; a mail at each step (through the mailer, in
//! the same transaction as the change); cancellation by the signed link in those mails.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::event::{self};
use entity::invitation::{self, Audience, InvitationChannel};
use entity::registration::{self, RegistrationStatus};
use entity::{Problem, Problems, validate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::errors;
use super::event::{self as event_gql, Event, EventPayload};
use super::ids;
use super::mutation::{Outcome, Receipt, Refused, UserError, user_errors};
use super::policy;
use entity::participation::registration as domain;

/// Registrations one client may make per minute.
const REGISTRATIONS_PER_MINUTE: u32 = 60;

pub struct Invitation(pub invitation::Model);

/// Seats taken and waiting.
#[derive(SimpleObject)]
pub struct RegistrationCounts {
    registered: i32,
    waitlisted: i32,
    /// Seats still free (none: no limit).
    seats_left: Option<i32>,
}

#[Object]
impl Invitation {
    /// When it was first made public.
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
    async fn channels(&self) -> Vec<InvitationChannel> {
        serde_json::from_value(self.0.channels.clone()).unwrap_or_default()
    }
    async fn audience(&self) -> Audience {
        self.0.audience
    }
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }
    async fn registration_closes_at(&self) -> Option<DateTime<Utc>> {
        self.0.registration_closes_at
    }
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
    /// Whole days from publication to the event, in the member's calendar.
    async fn lead_days(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let Some(e) = ctx.loaders().event.load_one(self.0.event_id).await? else {
            return Ok(None);
        };
        let tz = super::visibility::member_tz(ctx, e.member_id).await;
        let days = e.starts_at.with_timezone(&tz).date_naive()
            - self.0.published_at.with_timezone(&tz).date_naive();
        Ok(Some(days.num_days() as i32))
    }
    async fn counts(&self, ctx: &Context<'_>) -> Result<RegistrationCounts> {
        let (registered, waitlisted) = counts(ctx.db(), self.0.event_id).await?;
        Ok(RegistrationCounts {
            registered,
            waitlisted,
            seats_left: self.0.capacity.map(|c| (c - registered).max(0)),
        })
    }
}

/// A registration as its registrant or the organisers see it.
pub struct Registration(pub registration::Model);

#[Object]
impl Registration {
    async fn id(&self) -> ID {
        ids::encode("Registration", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn organisation_name(&self) -> Option<&str> {
        self.0.organisation_name.as_deref()
    }
    async fn status(&self) -> RegistrationStatus {
        self.0.status
    }
    /// The place on the waitlist (1 = next to move up).
    async fn waitlist_position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        if self.0.status != RegistrationStatus::Waitlisted {
            return Ok(None);
        }
        Ok(Some(position(ctx.db(), &self.0).await?))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject, Serialize)]
pub struct PublishInvitationInput {
    pub client_mutation_id: Option<String>,
    pub event_id: ID,
    #[graphql(default)]
    pub channels: Vec<InvitationChannel>,
    /// Default OPEN.
    pub audience: Option<Audience>,
    /// Seats (1–100,000); none: no limit.
    pub capacity: Option<i32>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub message: Option<String>,
}

#[derive(InputObject, Serialize)]
pub struct RegisterInput {
    /// Makes a retry safe: the same id with the same input answers the registration the first
    /// request made (no second mail); with a changed input it is a `CONFLICT`.
    pub client_mutation_id: Option<String>,
    pub event_id: ID,
    pub name: String,
    pub email: String,
    pub organisation_name: Option<String>,
    /// Agreement to the consent statement shown with the form; required.
    pub consent: bool,
}

#[derive(SimpleObject)]
pub struct RegisterPayload {
    client_mutation_id: Option<String>,
    registration: Option<Registration>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct CancelRegistrationInput {
    /// The token from the cancellation link.
    pub token: String,
}

#[derive(SimpleObject)]
pub struct CancelRegistrationPayload {
    status: Option<RegistrationStatus>,
    user_errors: Vec<UserError>,
}

pub use entity::participation::registration::{Cancelled, counts, locked_invitation, position};

#[derive(Default)]
pub struct RegistrationMutation;

#[Object]
impl RegistrationMutation {
    /// Publishes (or changes) an event's open invitation. The first publication time is kept:
    /// the lead time counts from it.
    async fn publish_invitation(
        &self,
        ctx: &Context<'_>,
        input: PublishInvitationInput,
    ) -> Result<EventPayload> {
        let lang = ctx.lang();
        let (viewer, Some(ev)) =
            crud::authorize_record::<event::Entity>(ctx, "publishInvitation", &input.event_id)
                .await?
        else {
            return Ok(EventPayload::refused(
                Problems::one(&["input", "eventId"], Problem::NotFound),
                lang,
            ));
        };
        let cmd = entity::participation::invitation::Publish {
            channels: input.channels.clone(),
            audience: input.audience,
            capacity: input.capacity,
            registration_closes_at: input.registration_closes_at,
            message: input.message.clone(),
        };
        let spec = Create {
            mutation: "publishInvitation",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: Problems::new(),
        };
        let result = acting(ctx, &viewer, async |act| {
            entity::participation::invitation::publish(act, &ev, spec, cmd).await
        })
        .await;
        EventPayload::of(result, input.client_mutation_id.clone(), lang, Event)
    }

    /// Registers a member of the public for an event with an open invitation: a seat while
    /// there are any, else a place on the waitlist. One registration per address and event.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        input: RegisterInput,
    ) -> Result<RegisterPayload> {
        policy::gate(ctx, "registerForEvent")?;
        let lang = ctx.lang();
        let app = ctx.app();
        if !app.limiter.allow(
            &ctx.meta().client,
            "registerForEvent",
            REGISTRATIONS_PER_MINUTE,
            app.clock.now(),
        ) {
            return Err(errors::rate_limited(lang));
        }
        let refused = |p: Problems| RegisterPayload {
            client_mutation_id: input.client_mutation_id.clone(),
            registration: None,
            user_errors: user_errors(p, lang),
        };
        let mut p = Problems::new();
        let name = p.check(validate::required_text(
            &["input", "name"],
            &input.name,
            300,
        ));
        let email = super::mail::parse_address(&input.email);
        if email.is_none() {
            p.push(&["input", "email"], Problem::InvalidEmail);
        }
        let organisation = p
            .check(validate::optional_text(
                &["input", "organisationName"],
                input.organisation_name.as_deref(),
                300,
            ))
            .flatten();
        if !input.consent {
            p.push(&["input", "consent"], Problem::Required);
        }
        let event_id = ids::decode_as(&input.event_id, event_gql::KIND);
        if event_id.is_none() {
            p.push(&["input", "eventId"], Problem::NotFound);
        }
        let (Some(name), Some(email), Some(event_id), true) = (name, email, event_id, p.is_empty())
        else {
            return Ok(refused(p));
        };
        let scope = super::mutation::person_scope(ctx, &email);
        let receipt = match Receipt::new(
            &scope,
            "registerForEvent",
            input.client_mutation_id.as_deref(),
            &input,
        ) {
            Ok(r) => r,
            Err(Refused(p)) => return Ok(refused(p)),
        };
        let outcome = domain::register(
            ctx.db(),
            &ctx.viewer(),
            &app.links(),
            receipt.as_ref(),
            Some(&ctx.meta().request_id),
            domain::Register {
                event_id,
                name,
                email,
                organisation,
                lang,
            },
            app.clock.now(),
        )
        .await;
        let outcome = match outcome {
            Ok(o) => Ok(o),
            Err(Outcome::Refused(Refused(p))) => Err(p),
            Err(e) => return Err(errors::not_done(e, lang)),
        };
        match outcome {
            Ok((r, mails)) => {
                app.queue_mail(&mails).await;
                Ok(RegisterPayload {
                    client_mutation_id: input.client_mutation_id.clone(),
                    registration: Some(Registration(r)),
                    user_errors: vec![],
                })
            }
            Err(p) => Ok(refused(p)),
        }
    }

    /// Cancels a registration with the token of its link (no account needed); a freed seat
    /// goes to the first on the waitlist.
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        input: CancelRegistrationInput,
    ) -> Result<CancelRegistrationPayload> {
        policy::gate(ctx, "cancelRegistration")?;
        let lang = ctx.lang();
        let app = ctx.app();
        let (cancelled, mails) = domain::cancel_by_token(
            ctx.db(),
            &ctx.viewer(),
            &app.links(),
            &input.token,
            app.clock.now(),
        )
        .await?;
        app.queue_mail(&mails).await;
        Ok(match cancelled {
            Cancelled::Done(_) | Cancelled::AlreadyCancelled => CancelRegistrationPayload {
                status: Some(RegistrationStatus::Cancelled),
                user_errors: vec![],
            },
            Cancelled::NoSuchLink => CancelRegistrationPayload {
                status: None,
                user_errors: user_errors(
                    Problems::one(&["input", "token"], Problem::InvalidToken),
                    lang,
                ),
            },
        })
    }
}

/// The invitation of an event, if it has one.
pub async fn invitation_of(ctx: &Context<'_>, event: Uuid) -> Result<Option<invitation::Model>> {
    Ok(ctx
        .loaders()
        .invitation_of_event
        .load_one(event)
        .await?
        .and_then(|v| v.into_iter().next()))
}

/// The registrations of an event, for its organisers.
pub async fn registrations_of(ctx: &Context<'_>, e: &event::Model) -> Result<Vec<Registration>> {
    policy::authorize(ctx, "registrations", Some(e.member_id))?;
    Ok(registration::Entity::find()
        .filter(registration::Column::EventId.eq(e.id))
        .order_by_asc(registration::Column::Id)
        .all(ctx.db())
        .await?
        .into_iter()
        .map(Registration)
        .collect())
}
