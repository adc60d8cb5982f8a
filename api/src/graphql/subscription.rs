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
use entity::consent::ConsentPurpose;
use entity::mail_delivery::MailClass;
use entity::subscription::{
    self, AlertKind, DigestFrequency, SubscriberKind, SubscriptionStatus, Topic, normalise,
};
use entity::{Lang, Problem, Problems, membership, person, role_grant, validate};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::context::{AppState, CtxExt};
use super::errors;
use super::ids;
use super::mutation::{Outcome, Receipt, Refused, UserError, user_errors};
use super::policy;
use crate::audit::{self, Change};
use crate::auth::Viewer;

pub const KIND: &str = "Subscription";

/// Subscription requests one client may make per minute.
const SUBSCRIBES_PER_MINUTE: u32 = 5;

const CONSENT_ID: &str = "Saya setuju alamat email saya dipakai untuk mengirimkan kabar \
    Pemerintahan Terbuka yang saya pilih, sampai saya berhenti berlangganan.";
const CONSENT_EN: &str = "I agree that my email address is used to send me the Open Government \
    updates I chose, until I unsubscribe.";

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

fn frequency_label(f: DigestFrequency, lang: Lang) -> &'static str {
    match (f, lang) {
        (DigestFrequency::Daily, Lang::Id) => "ringkasan harian",
        (DigestFrequency::Weekly, Lang::Id) => "ringkasan mingguan (setiap Senin)",
        (DigestFrequency::None, Lang::Id) => "tanpa ringkasan, hanya pengingat tenggat",
        (DigestFrequency::Daily, Lang::En) => "a daily digest",
        (DigestFrequency::Weekly, Lang::En) => "a weekly digest (on Mondays)",
        (DigestFrequency::None, Lang::En) => "no digest, deadline alerts only",
    }
}

/// Records the `state` mail (CONFIRM, ALREADY, WELCOME) for `s`, inside the transaction.
async fn mail_state<C: ConnectionTrait>(
    db: &C,
    s: &subscription::Model,
    member_name: &str,
    state: &str,
) -> Result<Option<Uuid>, DbErr> {
    let lang = Lang::from_tag(&s.lang);
    let mut context = json!({
        "name": s.name,
        "member": member_name,
        "state": state,
        "frequency": frequency_label(s.frequency, lang),
    });
    if state == "CONFIRM" {
        context["confirm_subscription_id"] = json!(s.id.to_string());
    } else {
        // The unsubscribe link (and its headers) for mail to a confirmed address.
        context["subscription_id"] = json!(s.id.to_string());
    }
    worker::mail::record(
        db,
        worker::mail::NewMail {
            dedupe_key: format!(
                "subscription:{}:{state}:{}",
                s.id,
                s.requested_at.timestamp_micros()
            ),
            class: MailClass::Transactional,
            member_id: Some(s.member_id),
            recipient: s.email.clone(),
            lang,
            template: "subscription".into(),
            context,
        },
    )
    .await
}

/// Who the address is to the member: a team account, an organisation's contact, or the public.
async fn audience_of<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    email: &str,
) -> Result<SubscriberKind, DbErr> {
    let account = entity::account::Entity::find()
        .filter(entity::account::Column::Email.eq(email))
        .one(db)
        .await?;
    if let Some(a) = account
        && role_grant::Entity::find()
            .filter(role_grant::Column::AccountId.eq(a.id))
            .filter(role_grant::Column::MemberId.eq(member))
            .one(db)
            .await?
            .is_some()
    {
        return Ok(SubscriberKind::Team);
    }
    let people: Vec<Uuid> = person::Entity::find()
        .filter(person::Column::MemberId.eq(member))
        .filter(person::Column::Email.eq(email))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if !people.is_empty()
        && membership::Entity::find()
            .filter(membership::Column::PersonId.is_in(people))
            .filter(membership::Column::IsContact.eq(true))
            .one(db)
            .await?
            .is_some()
    {
        return Ok(SubscriberKind::Contact);
    }
    Ok(SubscriberKind::Public)
}

/// What using a link did.
pub enum LinkOutcome {
    Done(SubscriptionStatus),
    NoSuchLink,
}

/// Confirms (CONFIRM_PURPOSE) or unsubscribes (UNSUBSCRIBE_PURPOSE) the subscription behind a
/// signed link; the mails are recorded in the same transaction and queued after it.
pub async fn use_link(app: &AppState, purpose: &str, token: &str) -> Result<LinkOutcome, DbErr> {
    let token = token.trim();
    if token.len() > 1000 {
        return Ok(LinkOutcome::NoSuchLink);
    }
    // Real time: a link's lifetime is counted on the wall clock it was signed with (see
    // `worker::mail`), not the domain's date.
    let Ok(subject) = app.signer.verify(purpose, token, entity::clock::real_now()) else {
        return Ok(LinkOutcome::NoSuchLink);
    };
    if purpose == worker::mail::UNSUBSCRIBE_PURPOSE
        && let Some((member, email)) = worker::mail::parse_opt_out(&subject)
    {
        return opt_out(app, member, &email).await;
    }
    let Ok(id) = subject.parse::<Uuid>() else {
        return Ok(LinkOutcome::NoSuchLink);
    };
    let now = app.clock.now();
    let confirming = purpose == worker::mail::CONFIRM_PURPOSE;
    let outcome = entity::db::write(
        &app.db,
        async |tx| -> Result<(LinkOutcome, Vec<Uuid>), DbErr> {
            let Some(before) = subscription::Entity::find_by_id(id).one(tx).await? else {
                return Ok((LinkOutcome::NoSuchLink, vec![]));
            };
            let to = match (confirming, before.status) {
                // A confirmation link works once, on a pending request; an old one cannot
                // bring back an address that unsubscribed.
                (true, SubscriptionStatus::Pending) => SubscriptionStatus::Confirmed,
                (true, s) => return Ok((LinkOutcome::Done(s), vec![])),
                (false, SubscriptionStatus::Unsubscribed) => {
                    return Ok((LinkOutcome::Done(SubscriptionStatus::Unsubscribed), vec![]));
                }
                (false, _) => SubscriptionStatus::Unsubscribed,
            };
            let mut a: subscription::ActiveModel = before.clone().into();
            a.status = Set(to);
            if confirming {
                a.confirmed_at = Set(Some(now));
            } else {
                a.unsubscribed_at = Set(Some(now));
            }
            a.updated_at = Set(now);
            a.version = Set(before.version + 1);
            let after = subscription::Entity::update(a).exec(tx).await?;
            audit::record(
                tx,
                &Viewer::anonymous(),
                None,
                Change::of(
                    "subscription",
                    KIND,
                    if confirming { "CONFIRM" } else { "UNSUBSCRIBE" },
                    after.id,
                    Some(after.member_id),
                    Some(&before),
                    Some(&after),
                ),
                now,
            )
            .await?;
            let mut mails = vec![];
            if confirming {
                let member = entity::member::Entity::find_by_id(after.member_id)
                    .one(tx)
                    .await?
                    .map(|m| m.name)
                    .unwrap_or_default();
                mails.extend(mail_state(tx, &after, &member, "WELCOME").await?);
            }
            Ok((LinkOutcome::Done(to), mails))
        },
    )
    .await?;
    let (outcome, mails) = outcome;
    if !mails.is_empty() {
        super::session::queue_mail(app, &mails).await;
    }
    Ok(outcome)
}

/// The unsubscribe link of a mail sent for a role rather than a subscription (an alert to the
/// secretariat or to a milestone's people): the address's subscription row for the member is
/// made, or moved, to UNSUBSCRIBED, so no alert or digest of that member goes to it again.
async fn opt_out(app: &AppState, member: Uuid, email: &str) -> Result<LinkOutcome, DbErr> {
    let now = app.clock.now();
    entity::db::write(&app.db, async |tx| -> Result<LinkOutcome, DbErr> {
        if entity::member::Entity::find_by_id(member)
            .one(tx)
            .await?
            .is_none()
        {
            return Ok(LinkOutcome::NoSuchLink);
        }
        let existing = subscription::Entity::find()
            .filter(subscription::Column::MemberId.eq(member))
            .filter(subscription::Column::Email.eq(email))
            .one(tx)
            .await?;
        let (action, before, after) = match existing {
            Some(s) if s.status == SubscriptionStatus::Unsubscribed => {
                return Ok(LinkOutcome::Done(SubscriptionStatus::Unsubscribed));
            }
            Some(before) => {
                let mut a: subscription::ActiveModel = before.clone().into();
                a.status = Set(SubscriptionStatus::Unsubscribed);
                a.unsubscribed_at = Set(Some(now));
                a.updated_at = Set(now);
                a.version = Set(before.version + 1);
                let after = subscription::Entity::update(a).exec(tx).await?;
                ("UNSUBSCRIBE", Some(before), after)
            }
            None => {
                let row = subscription::Model {
                    id: Uuid::now_v7(),
                    member_id: member,
                    email: email.to_owned(),
                    name: None,
                    account_id: None,
                    audience: audience_of(tx, member, email).await?,
                    frequency: DigestFrequency::None,
                    lang: Lang::Id.tag().to_owned(),
                    topics: json!([]),
                    alerts_off: json!([]),
                    status: SubscriptionStatus::Unsubscribed,
                    requested_at: now,
                    confirmed_at: None,
                    unsubscribed_at: Some(now),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                subscription::Entity::insert(subscription::ActiveModel::from(row.clone()))
                    .exec_without_returning(tx)
                    .await?;
                ("UNSUBSCRIBE", None, row)
            }
        };
        audit::record(
            tx,
            &Viewer::anonymous(),
            None,
            Change::of(
                "subscription",
                KIND,
                action,
                after.id,
                Some(member),
                before.as_ref(),
                Some(&after),
            ),
            now,
        )
        .await?;
        Ok(LinkOutcome::Done(SubscriptionStatus::Unsubscribed))
    })
    .await
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
        let email = super::mail::parse_address(&input.email).map(|e| normalise(&e));
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
        let Some(member_row) = entity::member::Entity::find_by_id(member)
            .one(ctx.db())
            .await?
        else {
            return Ok(refused(Problems::one(
                &["input", "memberId"],
                Problem::NotFound,
            )));
        };
        let scope = super::mutation::person_scope(ctx, &email);
        let receipt = match Receipt::new(
            &scope,
            "subscribe",
            input.client_mutation_id.as_deref(),
            &input,
        ) {
            Ok(r) => r,
            Err(Refused(p)) => return Ok(refused(p)),
        };
        let now = app.clock.now();
        let frequency = input.frequency.unwrap_or(DigestFrequency::Weekly);
        let mails = entity::db::write(ctx.db(), async |tx| -> Result<Vec<Uuid>, Outcome> {
            if let Some(rc) = &receipt
                && rc.earlier(tx).await?.is_some()
            {
                // A retry: answered as before, without a second mail.
                return Ok(vec![]);
            }
            let existing = subscription::Entity::find()
                .filter(subscription::Column::MemberId.eq(member))
                .filter(subscription::Column::Email.eq(email.clone()))
                .one(tx)
                .await?;
            // A confirmed address is left as it is (whoever asks may not own it); it is told.
            if let Some(s) = &existing
                && s.status == SubscriptionStatus::Confirmed
            {
                if let Some(rc) = &receipt {
                    rc.save(tx, s.id).await?;
                }
                return Ok(mail_state(tx, s, &member_row.name, "ALREADY")
                    .await?
                    .into_iter()
                    .collect());
            }
            let audience = audience_of(tx, member, &email).await?;
            let (action, before, after) = match existing {
                Some(before) => {
                    let mut a: subscription::ActiveModel = before.clone().into();
                    a.name = Set(name.clone().or(before.name.clone()));
                    a.audience = Set(audience);
                    a.frequency = Set(frequency);
                    a.lang = Set(lang.tag().to_owned());
                    a.topics = Set(json!(topics));
                    a.status = Set(SubscriptionStatus::Pending);
                    a.requested_at = Set(now);
                    a.unsubscribed_at = Set(None);
                    a.updated_at = Set(ctx.app().clock.now());
                    a.version = Set(before.version + 1);
                    let after = subscription::Entity::update(a).exec(tx).await?;
                    ("UPDATE", Some(before), after)
                }
                None => {
                    let row = subscription::Model {
                        id: Uuid::now_v7(),
                        member_id: member,
                        email: email.clone(),
                        name: name.clone(),
                        account_id: None,
                        audience,
                        frequency,
                        lang: lang.tag().to_owned(),
                        topics: json!(topics),
                        alerts_off: json!([]),
                        status: SubscriptionStatus::Pending,
                        requested_at: now,
                        confirmed_at: None,
                        unsubscribed_at: None,
                        created_at: ctx.app().clock.now(),
                        updated_at: ctx.app().clock.now(),
                        version: 1,
                    };
                    subscription::Entity::insert(subscription::ActiveModel::from(row.clone()))
                        .exec_without_returning(tx)
                        .await?;
                    ("CREATE", None, row)
                }
            };
            if let Some(rc) = &receipt {
                rc.save(tx, after.id).await?;
            }
            entity::consent::record(
                tx,
                entity::consent::Given {
                    member: Some(member),
                    subject_type: KIND,
                    subject_id: after.id,
                    purpose: ConsentPurpose::Subscription,
                    statement: match lang {
                        Lang::Id => CONSENT_ID,
                        Lang::En => CONSENT_EN,
                    },
                    lang,
                    at: ctx.app().clock.now(),
                },
            )
            .await?;
            audit::record(
                tx,
                &ctx.viewer(),
                Some(&ctx.meta().request_id),
                Change::of(
                    "subscription",
                    KIND,
                    action,
                    after.id,
                    Some(member),
                    before.as_ref(),
                    Some(&after),
                ),
                ctx.app().clock.now(),
            )
            .await?;
            Ok(mail_state(tx, &after, &member_row.name, "CONFIRM")
                .await?
                .into_iter()
                .collect())
        })
        .await;
        let mails = match mails {
            Ok(m) => m,
            // A concurrent retry with the same id committed first: it sent the mail.
            Err(Outcome::Raced) => vec![],
            Err(Outcome::Refused(Refused(p))) => return Ok(refused(p)),
            Err(Outcome::Db(e)) => return Err(e.into()),
        };
        super::session::queue_mail(app, &mails).await;
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
            use_link(ctx.app(), worker::mail::CONFIRM_PURPOSE, &input.token).await?,
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
            use_link(ctx.app(), worker::mail::UNSUBSCRIBE_PURPOSE, &input.token).await?,
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
        let Some(account) = viewer.account.clone() else {
            return Err(errors::unauthenticated(lang));
        };
        let email = normalise(&account.email);
        let now = ctx.app().clock.now();
        let request_id = ctx.meta().request_id;
        let saved = entity::db::write(ctx.db(), async |tx| -> Result<subscription::Model, DbErr> {
            let existing = subscription::Entity::find()
                .filter(subscription::Column::MemberId.eq(member))
                .filter(subscription::Column::Email.eq(email.clone()))
                .one(tx)
                .await?;
            let mut row = existing.clone().unwrap_or(subscription::Model {
                id: Uuid::now_v7(),
                member_id: member,
                email: email.clone(),
                name: Some(account.name.clone()),
                account_id: Some(account.id),
                audience: SubscriberKind::Team,
                frequency: input.frequency,
                lang: account.lang.clone(),
                topics: json!([]),
                alerts_off: json!([]),
                status: SubscriptionStatus::Confirmed,
                requested_at: now,
                confirmed_at: Some(now),
                unsubscribed_at: None,
                created_at: ctx.app().clock.now(),
                updated_at: ctx.app().clock.now(),
                version: 0,
            });
            row.account_id = Some(account.id);
            row.audience = SubscriberKind::Team;
            row.frequency = input.frequency;
            row.topics = json!(input.topics);
            row.alerts_off = json!(input.alerts_off);
            if row.status != SubscriptionStatus::Confirmed {
                row.status = SubscriptionStatus::Confirmed;
                row.confirmed_at = Some(now);
                row.unsubscribed_at = None;
            }
            row.updated_at = ctx.app().clock.now();
            row.version += 1;
            if existing.is_some() {
                subscription::Entity::update(subscription::ActiveModel::from(row.clone()))
                    .exec(tx)
                    .await?;
            } else {
                subscription::Entity::insert(subscription::ActiveModel::from(row.clone()))
                    .exec_without_returning(tx)
                    .await?;
                entity::consent::record(
                    tx,
                    entity::consent::Given {
                        member: Some(member),
                        subject_type: KIND,
                        subject_id: row.id,
                        purpose: ConsentPurpose::Subscription,
                        statement: match lang {
                            Lang::Id => CONSENT_ID,
                            Lang::En => CONSENT_EN,
                        },
                        lang,
                        at: ctx.app().clock.now(),
                    },
                )
                .await?;
            }
            audit::record(
                tx,
                &viewer,
                Some(&request_id),
                Change::of(
                    "subscription",
                    KIND,
                    if existing.is_some() {
                        "UPDATE"
                    } else {
                        "CREATE"
                    },
                    row.id,
                    Some(member),
                    existing.as_ref(),
                    Some(&row),
                ),
                ctx.app().clock.now(),
            )
            .await?;
            Ok(row)
        })
        .await?;
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
        let member = super::member::decode_scope(ctx, &member_id)?;
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
        let member = super::member::decode_scope(ctx, &member_id)?;
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
