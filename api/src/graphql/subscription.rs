//! Stakeholder subscriptions to digests and alerts.
//!
//! - The public: `subscribe` (no account; consent recorded) sends a confirmation link (double
//!   opt-in); the link's page has a button whose POST (or `confirmSubscription(token)`)
//!   confirms. The answer is the same whether or not the address was known, so the form cannot
//!   be used to learn who subscribes.
//! - The partnership's own people: `updateMySubscription` sets their own (confirmed at once: the
//!   account's address was confirmed when it was created).
//! - Everyone: one-click unsubscribe (RFC 8058) at `/unsubscribe?token=…` — GET shows a page,
//!   POST unsubscribes without a session — or `unsubscribe(token)`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::participation::subscription as domain;
use entity::subscription::{
    self, AlertKind, DigestFrequency, SubscriberKind, SubscriptionStatus, Topic, normalise,
};
use entity::{Problem, Problems, validate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::context::CtxExt;
use super::errors;
use super::ids;
use super::mutation::{Outcome, Receipt, Refused, UserError, user_errors};
use super::policy;

pub const KIND: &str = domain::KIND;
pub use domain::LinkOutcome;

/// Subscription requests one client may make per minute.
const SUBSCRIBES_PER_MINUTE: u32 = 5;

pub struct DigestSubscription(pub subscription::Model);

#[Object]
impl DigestSubscription {
    async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn audience(&self) -> SubscriberKind {
        self.0.audience
    }
    async fn frequency(&self) -> DigestFrequency {
        self.0.frequency
    }
    async fn lang(&self) -> &str {
        &self.0.lang
    }
    async fn topics(&self) -> Vec<Topic> {
        self.0.topics()
    }
    /// Alert kinds switched off.
    async fn alerts_off(&self) -> Vec<AlertKind> {
        self.0.alerts_off()
    }
    async fn status(&self) -> SubscriptionStatus {
        self.0.status
    }
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.confirmed_at
    }
    async fn unsubscribed_at(&self) -> Option<DateTime<Utc>> {
        self.0.unsubscribed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(InputObject, Serialize)]
pub struct SubscribeInput {
    /// Makes a retry safe: the same id with the same input answers as the first request did
    /// (no second mail); with a changed input it is a `CONFLICT`.
    pub client_mutation_id: Option<String>,
    pub member_id: ID,
    pub email: String,
    pub name: Option<String>,
    /// Default: WEEKLY.
    pub frequency: Option<DigestFrequency>,
    /// Default: all.
    pub topics: Option<Vec<Topic>>,
    /// Agreement that the address is used for these mails.
    pub consent: bool,
}

/// What `subscribe` answers: the same whatever the address's history.
#[derive(SimpleObject)]
pub struct SubscribePayload {
    client_mutation_id: Option<String>,
    /// A mail is on its way (to confirm, or saying it already is).
    accepted: bool,
    /// What was asked for, as it will be once the link in the mail is used. It never says
    /// whether the address was subscribed before (that is told only to the mailbox).
    request: Option<SubscriptionRequest>,
    user_errors: Vec<UserError>,
}

/// The public state of a `subscribe` request.
#[derive(SimpleObject)]
pub struct SubscriptionRequest {
    member_id: ID,
    email: String,
    frequency: DigestFrequency,
    topics: Vec<Topic>,
    /// The language of the mails.
    lang: String,
    /// Always true: nothing is sent but the confirmation until its link is used.
    awaiting_confirmation: bool,
}

#[derive(InputObject)]
pub struct SubscriptionTokenInput {
    pub token: String,
}

#[derive(SimpleObject)]
pub struct SubscriptionTokenPayload {
    /// The status after the link was used.
    status: Option<SubscriptionStatus>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct UpdateMySubscriptionInput {
    pub member_id: ID,
    pub frequency: DigestFrequency,
    pub topics: Vec<Topic>,
    #[graphql(default)]
    pub alerts_off: Vec<AlertKind>,
}

#[derive(SimpleObject)]
pub struct MySubscriptionPayload {
    subscription: Option<DigestSubscription>,
    user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct SubscriptionMutation;

#[Object]
impl SubscriptionMutation {
    /// Asks for a member's updates by mail. A confirmation link is mailed (double opt-in);
    /// nothing else is sent until it is used. At most five requests a minute per client.
    async fn subscribe(
        &self,
        ctx: &Context<'_>,
        input: SubscribeInput,
    ) -> Result<SubscribePayload> {
        policy::gate(ctx, "subscribe")?;
        let lang = ctx.lang();
        let app = ctx.app();
        if !app.limiter.allow(
            &ctx.meta().client,
            "subscribe",
            SUBSCRIBES_PER_MINUTE,
            app.clock.now(),
        ) {
            return Err(errors::rate_limited(lang));
        }
        let refused = |p: Problems| SubscribePayload {
            client_mutation_id: input.client_mutation_id.clone(),
            accepted: false,
            request: None,
            user_errors: user_errors(p, lang),
        };
        let mut p = Problems::new();
        let member = ids::decode_as(&input.member_id, super::member::KIND);
        if member.is_none() {
            p.push(&["input", "memberId"], Problem::NotFound);
        }
        let email = entity::notify::Address::parse(&input.email);
        if email.is_none() {
            p.push(&["input", "email"], Problem::InvalidEmail);
        }
        let name = p
            .check(validate::optional_text(
                &["input", "name"],
                input.name.as_deref(),
                300,
            ))
            .flatten();
        if !input.consent {
            p.push(&["input", "consent"], Problem::Required);
        }
        let topics = input.topics.clone().unwrap_or_else(|| Topic::ALL.to_vec());
        if topics.is_empty() {
            p.push(&["input", "topics"], Problem::Required);
        }
        let (Some(member), Some(email), true) = (member, email, p.is_empty()) else {
            return Ok(refused(p));
        };
        let scope = super::mutation::person_scope(ctx, email.as_str());
        let receipt = match Receipt::new(
            &scope,
            "subscribe",
            input.client_mutation_id.as_deref(),
            &input,
        ) {
            Ok(r) => r,
            Err(Refused(p)) => return Ok(refused(p)),
        };
        let frequency = input.frequency.unwrap_or(DigestFrequency::Weekly);
        let mails = match domain::subscribe(
            ctx.db(),
            &ctx.viewer(),
            receipt.as_ref(),
            Some(&ctx.meta().request_id),
            domain::Subscribe {
                member,
                email: email.clone(),
                name,
                frequency,
                topics: topics.clone(),
                lang,
            },
            app.clock.now(),
        )
        .await
        {
            Ok(m) => m,
            Err(Outcome::Refused(Refused(p))) => return Ok(refused(p)),
            Err(Outcome::Raced) => vec![],
            Err(e) => return Err(errors::not_done(e, ctx.lang())),
        };
        app.queue_mail(&mails).await;
        let email = email.into_string();
        Ok(SubscribePayload {
            client_mutation_id: input.client_mutation_id.clone(),
            accepted: true,
            request: Some(SubscriptionRequest {
                member_id: ids::encode(super::member::KIND, member),
                email,
                frequency,
                topics,
                lang: lang.tag().to_owned(),
                awaiting_confirmation: true,
            }),
            user_errors: vec![],
        })
    }

    /// Confirms a subscription with the link's token (what the link's button does).
    async fn confirm_subscription(
        &self,
        ctx: &Context<'_>,
        input: SubscriptionTokenInput,
    ) -> Result<SubscriptionTokenPayload> {
        policy::gate(ctx, "confirmSubscription")?;
        token_payload(
            ctx,
            ctx.app()
                .use_subscription_link(worker::mail::CONFIRM_PURPOSE, &input.token)
                .await?,
        )
    }

    /// Unsubscribes with the token of a mail's unsubscribe link.
    async fn unsubscribe(
        &self,
        ctx: &Context<'_>,
        input: SubscriptionTokenInput,
    ) -> Result<SubscriptionTokenPayload> {
        policy::gate(ctx, "unsubscribe")?;
        token_payload(
            ctx,
            ctx.app()
                .use_subscription_link(worker::mail::UNSUBSCRIBE_PURPOSE, &input.token)
                .await?,
        )
    }

    /// Sets the signed-in person's own digests and alerts for a member they have a role in.
    async fn update_my_subscription(
        &self,
        ctx: &Context<'_>,
        input: UpdateMySubscriptionInput,
    ) -> Result<MySubscriptionPayload> {
        let (viewer, member) = policy::authorize_in(ctx, "updateMySubscription", &input.member_id)?;
        let lang = ctx.lang();
        let saved = domain::update_mine(
            ctx.db(),
            &viewer,
            Some(&ctx.meta().request_id),
            domain::UpdateMine {
                member,
                frequency: input.frequency,
                topics: input.topics,
                alerts_off: input.alerts_off,
                lang,
            },
            ctx.app().clock.now(),
        )
        .await?
        .ok_or_else(|| errors::unauthenticated(lang))?;
        Ok(MySubscriptionPayload {
            subscription: Some(DigestSubscription(saved)),
            user_errors: vec![],
        })
    }
}

fn token_payload(ctx: &Context<'_>, outcome: LinkOutcome) -> Result<SubscriptionTokenPayload> {
    Ok(match outcome {
        LinkOutcome::Done(status) => SubscriptionTokenPayload {
            status: Some(status),
            user_errors: vec![],
        },
        LinkOutcome::NoSuchLink => SubscriptionTokenPayload {
            status: None,
            user_errors: user_errors(
                Problems::one(&["input", "token"], Problem::InvalidToken),
                ctx.lang(),
            ),
        },
    })
}

#[derive(Default)]
pub struct SubscriptionQuery;

#[Object]
impl SubscriptionQuery {
    /// A member's subscribers (addresses are PERSONAL: admins and the secretariat).
    async fn subscriptions(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        status: Option<SubscriptionStatus>,
    ) -> Result<Vec<DigestSubscription>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        policy::authorize(ctx, "subscriptions", Some(member))?;
        let mut select = subscription::Entity::find()
            .filter(subscription::Column::MemberId.eq(member))
            .order_by_asc(subscription::Column::Email);
        if let Some(s) = status {
            select = select.filter(subscription::Column::Status.eq(s));
        }
        use sea_orm::QuerySelect;
        Ok(select
            .limit(10_000)
            .all(ctx.db())
            .await?
            .into_iter()
            .map(DigestSubscription)
            .collect())
    }

    /// The signed-in person's own subscription to a member's mail, if any.
    async fn my_subscription(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
    ) -> Result<Option<DigestSubscription>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        let viewer = policy::gate(ctx, "mySubscription")?;
        let Some(account) = viewer.account else {
            return Err(errors::unauthenticated(ctx.lang()));
        };
        Ok(subscription::Entity::find()
            .filter(subscription::Column::MemberId.eq(member))
            .filter(subscription::Column::Email.eq(normalise(&account.email)))
            .one(ctx.db())
            .await?
            .map(DigestSubscription))
    }
}
