//! Open invitations and the public's registrations: seats up to the capacity, then a waitlist
//! that moves up by itself when someone cancels; a mail at each step (through the mailer, in
//! the same transaction as the change); cancellation by the signed link in those mails.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::Refusal;
use entity::event::{self, EventStatus};
use entity::invitation::{self, Audience, InvitationChannel};
use entity::mail_delivery::MailClass;
use entity::registration::{self, RegistrationStatus};
use entity::{Lang, Problem, Problems, consent::ConsentPurpose, validate};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use worker::mail::{self, NewMail};

use super::context::{AppState, CtxExt};
use super::crud::{self, Create};
use super::errors;
use super::event::{self as event_gql, Event, EventPayload};
use super::ids;
use super::mutation::{Outcome, Receipt, Refused, UserError, user_errors};
use super::policy;
use crate::audit::{self, Change};

crate::record!(entity::invitation, "invitation", "Invitation");

/// Registrations one client may make per minute.
const REGISTRATIONS_PER_MINUTE: u32 = 60;

/// The statement a registrant agrees to.
const CONSENT_ID: &str = "Saya setuju nama, email dan organisasi saya disimpan oleh penyelenggara \
    untuk keperluan pendaftaran dan daftar hadir kegiatan ini.";
const CONSENT_EN: &str = "I agree that the organisers keep my name, e-mail address and \
    organisation for this event's registration and attendance list.";

pub struct Invitation(pub invitation::Model);

/// Seats taken and waiting.
#[derive(SimpleObject)]
pub struct RegistrationCounts {
    registered: i32,
    waitlisted: i32,
    /// Seats still free (none: no limit).
    seats_left: Option<i32>,
}

async fn counts<C: ConnectionTrait>(db: &C, event: Uuid) -> Result<(i32, i32), DbErr> {
    let rows: Vec<(RegistrationStatus, i64)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::Status)
        .column_as(registration::Column::Id.count(), "n")
        .filter(registration::Column::EventId.eq(event))
        .group_by(registration::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let of = |s: RegistrationStatus| {
        rows.iter()
            .find(|(k, _)| *k == s)
            .map(|(_, n)| *n as i32)
            .unwrap_or(0)
    };
    Ok((
        of(RegistrationStatus::Registered),
        of(RegistrationStatus::Waitlisted),
    ))
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

async fn position<C: ConnectionTrait>(db: &C, r: &registration::Model) -> Result<i32, DbErr> {
    let ahead = registration::Entity::find()
        .filter(registration::Column::EventId.eq(r.event_id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
        .filter(registration::Column::Id.lt(r.id))
        .count(db)
        .await?;
    Ok(ahead as i32 + 1)
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

/// The event's invitation (locked for the rest of the transaction on PostgreSQL, so that
/// registrations for one event are counted one at a time; SQLite's write transactions are
/// already one at a time).
pub async fn locked_invitation(
    tx: &DatabaseTransaction,
    event: Uuid,
) -> Result<Option<invitation::Model>, DbErr> {
    entity::db::locked(
        invitation::Entity::find().filter(invitation::Column::EventId.eq(event)),
        tx,
    )
    .one(tx)
    .await
}

fn venue(e: &event::Model) -> String {
    [
        e.venue_room.as_deref(),
        e.venue_name.as_deref(),
        e.venue_address.as_deref(),
        e.online_url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// Records the mail for `r` entering `state` (inside the transaction); its id for the queue.
async fn record_mail(
    tx: &DatabaseTransaction,
    app: &AppState,
    r: &registration::Model,
    e: &event::Model,
    state: &str,
    position: Option<i32>,
) -> Result<Option<Uuid>, DbErr> {
    let lang = Lang::from_tag(&r.lang);
    // The event's time as people of its member read it (WIB in Bojonegoro, WIT in Papua).
    let zone = entity::member::Entity::find_by_id(e.member_id)
        .one(tx)
        .await?
        .map(|m| m.tz())
        .unwrap_or(chrono_tz::Asia::Jakarta);
    let mut context = json!({
        "name": r.name,
        "event": e.title,
        "when": entity::i18n::long_datetime(e.starts_at, zone, lang),
        "venue": venue(e),
        "state": state,
        "position": position,
    });
    if state != "CANCELLED" {
        context["link"] = json!({
            "base": format!("{}/registrations/cancel?token=", app.config.worker.public_url),
            "token_id": r.id.to_string(),
        });
    }
    mail::record(
        tx,
        NewMail {
            dedupe_key: format!("registration:{}:{state}", r.id),
            class: MailClass::Transactional,
            member_id: Some(r.member_id),
            recipient: r.email.clone(),
            lang,
            template: "registration".into(),
            context,
        },
    )
    .await
}

/// What cancelling by a link did.
pub enum Cancelled {
    Done(RegistrationStatus),
    AlreadyCancelled,
    NoSuchLink,
}

/// Gives a freed seat of `e` to the first on its waitlist (if the event has room now) and
/// records their mail. The caller holds the invitation's lock (`invitation` is what it read).
pub async fn promote_next(
    tx: &DatabaseTransaction,
    app: &AppState,
    e: &event::Model,
    invitation: Option<&invitation::Model>,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    if let Some(cap) = invitation.and_then(|i| i.capacity) {
        let registered = registration::Entity::find()
            .filter(registration::Column::EventId.eq(e.id))
            .filter(registration::Column::Status.eq(RegistrationStatus::Registered))
            .count(tx)
            .await?;
        if registered >= cap.max(0) as u64 {
            return Ok(None);
        }
    }
    let Some(next) = registration::Entity::find()
        .filter(registration::Column::EventId.eq(e.id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
        .order_by_asc(registration::Column::Id)
        .one(tx)
        .await?
    else {
        return Ok(None);
    };
    registration::Entity::update(registration::ActiveModel {
        id: Set(next.id),
        status: Set(RegistrationStatus::Registered),
        promoted_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    record_mail(tx, app, &next, e, "PROMOTED", None).await
}

/// Cancels the registration behind a link's token and moves the first on the waitlist up
/// when a seat frees; the mails are recorded in the same transaction and queued after it.
pub async fn cancel_by_token(app: &AppState, token: &str) -> Result<Cancelled, DbErr> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Ok(Cancelled::NoSuchLink);
    }
    let hash = crate::auth::token_hash(token);
    let now = app.clock.now();
    let outcome = entity::db::write(
        &app.db,
        async |tx| -> Result<(Cancelled, Vec<Uuid>), DbErr> {
            let Some(r) = registration::Entity::find()
                .filter(registration::Column::CancelTokenHash.eq(hash.clone()))
                .one(tx)
                .await?
            else {
                return Ok((Cancelled::NoSuchLink, vec![]));
            };
            let invitation = locked_invitation(tx, r.event_id).await?;
            // Read again under the lock: a concurrent cancellation may have won.
            let Some(r) = registration::Entity::find_by_id(r.id).one(tx).await? else {
                return Ok((Cancelled::NoSuchLink, vec![]));
            };
            if r.status == RegistrationStatus::Cancelled {
                return Ok((Cancelled::AlreadyCancelled, vec![]));
            }
            let Some(e) = event::Entity::find_by_id(r.event_id).one(tx).await? else {
                return Ok((Cancelled::NoSuchLink, vec![]));
            };
            let was = r.status;
            registration::Entity::update(registration::ActiveModel {
                id: Set(r.id),
                status: Set(RegistrationStatus::Cancelled),
                cancelled_at: Set(Some(now)),
                ..Default::default()
            })
            .exec(tx)
            .await?;
            let mut mails = vec![];
            mails.extend(record_mail(tx, app, &r, &e, "CANCELLED", None).await?);
            if was == RegistrationStatus::Registered {
                mails.extend(promote_next(tx, app, &e, invitation.as_ref(), now).await?);
            }
            Ok((Cancelled::Done(was), mails))
        },
    )
    .await?;
    let (result, mails) = outcome;
    if !mails.is_empty() {
        super::session::queue_mail(app, &mails).await;
    }
    Ok(result)
}

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
        let mut p = Problems::new();
        if let Some(c) = input.capacity
            && !(1..=100_000).contains(&c)
        {
            p.push(
                &["input", "capacity"],
                Problem::OutOfRange {
                    min: "1".into(),
                    max: "100000".into(),
                },
            );
        }
        let message = p
            .check(validate::long_text(
                &["input", "message"],
                input.message.as_deref(),
                20_000,
            ))
            .flatten();
        if matches!(ev.status, EventStatus::Cancelled | EventStatus::Closed) {
            p.push(&["input", "eventId"], Problem::Refused(Refusal::EventOver));
        }
        let mut channels = input.channels.clone();
        channels.sort();
        channels.dedup();
        let now = ctx.app().clock.now();
        let existing = invitation::Entity::find()
            .filter(invitation::Column::EventId.eq(ev.id))
            .one(ctx.db())
            .await?;
        let fields = |a: &mut invitation::ActiveModel| {
            a.channels = Set(json!(channels));
            a.audience = Set(input.audience.unwrap_or(Audience::Open));
            a.capacity = Set(input.capacity);
            a.registration_closes_at = Set(input.registration_closes_at);
            a.message = Set(message.clone());
        };
        let result = match existing {
            None => {
                crud::create::<invitation::Entity, _>(
                    ctx,
                    &viewer,
                    Create {
                        mutation: "publishInvitation",
                        client_mutation_id: input.client_mutation_id.as_deref(),
                        input: &input,
                        problems: p,
                    },
                    async |_, _| Ok(()),
                    |id, created| {
                        let mut a = invitation::ActiveModel {
                            id: Set(id),
                            member_id: Set(ev.member_id),
                            event_id: Set(ev.id),
                            published_at: Set(now),
                            created_at: Set(created),
                            updated_at: Set(created),
                            version: Set(1),
                            ..Default::default()
                        };
                        fields(&mut a);
                        a
                    },
                    async |_, _| Ok(()),
                )
                .await
            }
            Some(current) => {
                crud::update::<invitation::Entity>(
                    ctx,
                    &viewer,
                    &current,
                    current.version,
                    p,
                    async |_, _, _| Ok(()),
                    |_| {
                        let mut a = invitation::ActiveModel {
                            updated_at: Set(ctx.app().clock.now()),
                            published_at: NotSet,
                            ..Default::default()
                        };
                        fields(&mut a);
                        a
                    },
                    async |_, _| Ok(()),
                )
                .await
            }
        };
        let result = match result {
            Ok(_) => Ok(event::Entity::find_by_id(ev.id)
                .one(ctx.db())
                .await?
                .unwrap_or(ev)),
            Err(e) => Err(e),
        };
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
        let now = app.clock.now();
        let request_id = ctx.meta().request_id;
        let viewer = ctx.viewer();
        let outcome = entity::db::write(
            ctx.db(),
            async |tx| -> Result<Result<(registration::Model, Vec<Uuid>), Problems>, Outcome> {
                if let Some(rc) = &receipt
                    && let Some(id) = rc.earlier(tx).await?
                    && let Some(earlier) = registration::Entity::find_by_id(id).one(tx).await?
                {
                    return Ok(Ok((earlier, vec![])));
                }
                let Some(e) = event::Entity::find_by_id(event_id).one(tx).await? else {
                    return Ok(Err(Problems::one(&["input", "eventId"], Problem::NotFound)));
                };
                let closed = |refusal: Refusal| {
                    Ok(Err(Problems::one(
                        &["input", "eventId"],
                        Problem::Refused(refusal),
                    )))
                };
                let invitation = locked_invitation(tx, e.id).await?;
                let Some(inv) = invitation.filter(|i| i.audience == Audience::Open && e.is_public)
                else {
                    return closed(Refusal::RegistrationNotOpen);
                };
                if e.status != EventStatus::Planned
                    || e.starts_at <= now
                    || inv.registration_closes_at.is_some_and(|c| c <= now)
                {
                    return closed(Refusal::RegistrationClosed);
                }
                let duplicate = registration::Entity::find()
                    .filter(registration::Column::EventId.eq(e.id))
                    .filter(registration::Column::Email.eq(email.clone()))
                    .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
                    .one(tx)
                    .await?;
                if duplicate.is_some() {
                    return Ok(Err(Problems::one(&["input", "email"], Problem::Duplicate)));
                }
                let (registered, _) = counts(tx, e.id).await?;
                // The id is made under the lock: ids order the waitlist.
                let id = Uuid::now_v7();
                let token = app
                    .signer
                    .derive(worker::mail::LINK_PURPOSE, &id.to_string());
                let token_hash = crate::auth::token_hash(&token);
                let status = match inv.capacity {
                    Some(c) if registered >= c => RegistrationStatus::Waitlisted,
                    _ => RegistrationStatus::Registered,
                };
                let r = registration::Model {
                    id,
                    member_id: e.member_id,
                    event_id: e.id,
                    name: name.clone(),
                    email: email.clone(),
                    organisation_name: organisation.clone(),
                    status,
                    cancel_token_hash: token_hash,
                    lang: lang.tag().to_owned(),
                    created_at: now,
                    promoted_at: None,
                    cancelled_at: None,
                };
                if let Some(rc) = &receipt {
                    rc.save(tx, id).await?;
                }
                registration::Entity::insert(registration::ActiveModel::from(r.clone()))
                    .exec_without_returning(tx)
                    .await?;
                audit::record(
                    tx,
                    &viewer,
                    Some(&request_id),
                    Change::of(
                        "registration",
                        "Registration",
                        "CREATE",
                        id,
                        Some(e.member_id),
                        None,
                        Some(&r),
                    ),
                    ctx.app().clock.now(),
                )
                .await?;
                entity::consent::record(
                    tx,
                    entity::consent::Given {
                        member: Some(e.member_id),
                        subject_type: "Registration",
                        subject_id: id,
                        purpose: ConsentPurpose::EventRegistration,
                        statement: match lang {
                            Lang::Id => CONSENT_ID,
                            Lang::En => CONSENT_EN,
                        },
                        lang,
                        at: ctx.app().clock.now(),
                    },
                )
                .await?;
                let (state, pos) = match status {
                    RegistrationStatus::Waitlisted => ("WAITLISTED", Some(position(tx, &r).await?)),
                    _ => ("REGISTERED", None),
                };
                let mails = record_mail(tx, app, &r, &e, state, pos)
                    .await?
                    .into_iter()
                    .collect();
                Ok(Ok((r, mails)))
            },
        )
        .await;
        // A concurrent retry with the same id that committed first: its registration.
        let outcome = match (outcome, &receipt) {
            (Err(Outcome::Raced), Some(rc)) => match rc.earlier(ctx.db()).await {
                Ok(Some(id)) => registration::Entity::find_by_id(id)
                    .one(ctx.db())
                    .await?
                    .map(|r| Ok((r, vec![])))
                    .ok_or(Outcome::Raced),
                Ok(None) => Err(Outcome::Raced),
                Err(e) => Err(e),
            },
            (other, _) => other,
        };
        let outcome = match outcome {
            Ok(o) => o,
            Err(Outcome::Refused(Refused(p))) => Err(p),
            Err(Outcome::Raced) => return Err(errors::internal("unexpected race", lang)),
            Err(Outcome::Db(e)) => return Err(e.into()),
        };
        match outcome {
            Ok((r, mails)) => {
                super::session::queue_mail(app, &mails).await;
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
        Ok(match cancel_by_token(ctx.app(), &input.token).await? {
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
