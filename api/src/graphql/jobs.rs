//! The worker's work as admins see it: every message (queued, sending, sent, skipped,
//! cancelled, or failed with its last error) and every scheduler run, with a retry for a
//! message that failed.
//!
//! A member's admins see their member's; operators see everything, including the mail that
//! belongs to no member (account invitations, password resets).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::mail_delivery::{self, DeliveryStatus, MailClass};
use entity::{Problem, Problems, schedule_tick};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::context::CtxExt;
use super::errors;
use super::mutation::{UserError, user_errors};
use super::policy;
use super::scalars::Date;

/// The most rows a list answers.
const MAX_ROWS: i32 = 500;

pub struct MailDelivery(mail_delivery::Model);

#[Object]
impl MailDelivery {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The address (PERSONAL).
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }
    async fn class(&self) -> MailClass {
        self.0.class
    }
    /// Which message: "digest", "alert", "registration", …
    async fn template(&self) -> &str {
        &self.0.template
    }
    async fn status(&self) -> DeliveryStatus {
        self.0.status
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Why the last attempt failed, or why it was skipped or cancelled.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When it is tried next (while queued).
    async fn next_attempt_at(&self) -> DateTime<Utc> {
        self.0.next_attempt_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

/// An address whose mail from the member bounces (PERSONAL), with its counts since it was last
/// cleared; while `held`, digests to it are skipped, its subscription is SUSPENDED and its
/// alerts go to the secretariat.
pub struct BouncingAddress(entity::bouncing_address::Model);

#[Object]
impl BouncingAddress {
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// Permanent refusals (5.x.x), counted towards holding the address.
    async fn hard_bounces(&self) -> i32 {
        self.0.hard_bounces
    }
    /// Passing ones (4.x.x): retried, never hold the address.
    async fn soft_bounces(&self) -> i32 {
        self.0.soft_bounces
    }
    async fn first_bounce_at(&self) -> DateTime<Utc> {
        self.0.first_bounce_at
    }
    async fn last_bounce_at(&self) -> DateTime<Utc> {
        self.0.last_bounce_at
    }
    /// The last status (`5.1.1`) or SMTP reply code (`550`).
    async fn last_status(&self) -> Option<&str> {
        self.0.last_status.as_deref()
    }
    /// What the receiving server said last.
    async fn last_diagnostic(&self) -> Option<&str> {
        self.0.last_diagnostic.as_deref()
    }
    /// Whether the member's mail to it is held.
    async fn held(&self) -> bool {
        self.0.suspended_at.is_some()
    }
    async fn held_since(&self) -> Option<DateTime<Utc>> {
        self.0.suspended_at
    }
}

#[derive(InputObject)]
pub struct ClearBouncingAddressInput {
    pub member_id: ID,
    /// The address that works again.
    pub address: String,
}

#[derive(SimpleObject)]
pub struct ClearBouncingAddressPayload {
    /// The address as it was before it was cleared.
    cleared: Option<BouncingAddress>,
    /// Subscriptions that are CONFIRMED again (0 or 1).
    resumed_subscriptions: i32,
    user_errors: Vec<UserError>,
}

/// One period of a schedule and who handled it.
#[derive(SimpleObject)]
pub struct ScheduleRun {
    /// `digest:weekly:{member}:2018-07-30`.
    key: String,
    /// The first local day of the period.
    period: Date,
    /// The worker process that holds or held it.
    claimed_by: String,
    done_at: Option<DateTime<Utc>>,
    /// Messages recorded (skipped ones included).
    mails: i32,
}

#[derive(InputObject)]
pub struct RetryMailDeliveryInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RetryMailDeliveryPayload {
    delivery: Option<MailDelivery>,
    user_errors: Vec<UserError>,
}

/// The member a query names, or none for an operator asking about everything.
fn scope(ctx: &Context<'_>, rule: &str, member_id: Option<&ID>) -> Result<Option<Uuid>> {
    policy::gate(ctx, rule)?;
    let member = match member_id {
        Some(id) => Some(super::ids::decode_scope(ctx, id)?),
        None => None,
    };
    policy::authorize(ctx, rule, member)?;
    Ok(member)
}

#[derive(Default)]
pub struct JobQuery;

#[Object]
impl JobQuery {
    /// A member's messages, newest first (operators: leave out `memberId` for all of them).
    async fn mail_deliveries(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        status: Option<DeliveryStatus>,
        #[graphql(default = 100, desc = "At most 500 (PAGE_SIZE_EXCEEDED beyond).")] first: i32,
    ) -> Result<Vec<MailDelivery>> {
        let member = scope(ctx, "mailDeliveries", member_id.as_ref())?;
        let mut select = mail_delivery::Entity::find().order_by_desc(mail_delivery::Column::Id);
        if let Some(m) = member {
            select = select.filter(mail_delivery::Column::MemberId.eq(m));
        }
        if let Some(s) = status {
            select = select.filter(mail_delivery::Column::Status.eq(s));
        }
        Ok(select
            .limit(super::pagination::bounded(ctx, first, MAX_ROWS)?)
            .all(ctx.db())
            .await?
            .into_iter()
            .map(MailDelivery)
            .collect())
    }

    /// The member's addresses whose mail bounces: held ones first, then by the last bounce.
    async fn bouncing_addresses(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        #[graphql(default = false, desc = "Only the addresses whose mail is held.")]
        held_only: bool,
        #[graphql(default = 100, desc = "At most 500 (PAGE_SIZE_EXCEEDED beyond).")] first: i32,
    ) -> Result<Vec<BouncingAddress>> {
        let member = scope(ctx, "bouncingAddresses", Some(&member_id))?.unwrap_or_default();
        let first = super::pagination::bounded(ctx, first, MAX_ROWS)?;
        Ok(
            entity::notify::bounce::list(ctx.db(), member, held_only, first)
                .await?
                .into_iter()
                .map(BouncingAddress)
                .collect(),
        )
    }

    /// The scheduler's runs for a member (digests and alerts), newest first.
    async fn schedule_runs(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        #[graphql(default = 100, desc = "At most 500 (PAGE_SIZE_EXCEEDED beyond).")] first: i32,
    ) -> Result<Vec<ScheduleRun>> {
        let member = scope(ctx, "scheduleRuns", Some(&member_id))?;
        let member = member.map(|m| m.to_string()).unwrap_or_default();
        Ok(schedule_tick::Entity::find()
            .filter(schedule_tick::Column::Schedule.like(format!("%:{member}")))
            .order_by_desc(schedule_tick::Column::Period)
            .order_by_asc(schedule_tick::Column::Key)
            .limit(super::pagination::bounded(ctx, first, MAX_ROWS)?)
            .all(ctx.db())
            .await?
            .into_iter()
            .map(|t| ScheduleRun {
                key: t.key,
                period: Date(t.period),
                claimed_by: t.claimed_by,
                done_at: t.done_at,
                mails: t.mails,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct JobMutation;

#[Object]
impl JobMutation {
    /// Clears an address that works again: its bounces are forgotten, its mail no longer held
    /// and its subscription CONFIRMED again (the reports of its bounces stay).
    async fn clear_bouncing_address(
        &self,
        ctx: &Context<'_>,
        input: ClearBouncingAddressInput,
    ) -> Result<ClearBouncingAddressPayload> {
        policy::gate(ctx, "clearBouncingAddress")?;
        let lang = ctx.lang();
        let member = super::ids::decode_scope(ctx, &input.member_id)?;
        let viewer = policy::authorize(ctx, "clearBouncingAddress", Some(member))?;
        match super::crud::acting(ctx, &viewer, async |act| {
            entity::notify::bounce::clear(act, member, &input.address).await
        })
        .await
        {
            Ok(done) => Ok(ClearBouncingAddressPayload {
                cleared: Some(BouncingAddress(done.before)),
                resumed_subscriptions: done.resumed as i32,
                user_errors: vec![],
            }),
            Err(super::mutation::Outcome::Refused(r)) => Ok(ClearBouncingAddressPayload {
                cleared: None,
                resumed_subscriptions: 0,
                user_errors: user_errors(r.0, lang),
            }),
            Err(e) => Err(errors::not_done(e, lang)),
        }
    }

    /// Sends a FAILED message again: back in the queue with a fresh count of attempts.
    async fn retry_mail_delivery(
        &self,
        ctx: &Context<'_>,
        input: RetryMailDeliveryInput,
    ) -> Result<RetryMailDeliveryPayload> {
        policy::gate(ctx, "retryMailDelivery")?;
        let lang = ctx.lang();
        let refused = |p: Problems| RetryMailDeliveryPayload {
            delivery: None,
            user_errors: user_errors(p, lang),
        };
        let found = match input.id.parse::<Uuid>() {
            Ok(id) => mail_delivery::Entity::find_by_id(id).one(ctx.db()).await?,
            Err(_) => None,
        };
        let Some(row) = found else {
            return Ok(refused(Problems::one(&["input", "id"], Problem::NotFound)));
        };
        let viewer = policy::authorize(ctx, "retryMailDelivery", row.member_id)?;
        let after = match super::crud::acting(ctx, &viewer, async |act| {
            entity::notify::retry(act, row.id).await
        })
        .await
        {
            Ok(after) => after,
            Err(super::mutation::Outcome::Refused(r)) => return Ok(refused(r.0)),
            Err(super::mutation::Outcome::Raced) => None,
            Err(e) => return Err(errors::not_done(e, lang)),
        };
        if after.is_some() {
            let app = ctx.app();
            app.queue
                .push_mail(&[row.id], app.config.worker.mail_attempts as usize)
                .await
                .map_err(|e| errors::internal(e, lang))?;
        }
        Ok(RetryMailDeliveryPayload {
            delivery: after.map(MailDelivery),
            user_errors: vec![],
        })
    }
}
