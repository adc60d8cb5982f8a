//! Mail: recording a message (a delivery record with a unique key), and sending it with a
//! lease so that any number of processes send each message once.

pub mod templates;
pub mod transport;

use std::time::Duration;

use chrono::Utc;
use entity::Lang;
use entity::mail_delivery::{self, DeliveryStatus, MailClass};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

pub use entity::notify::{
    CONFIRM_DAYS, CONFIRM_PURPOSE, LINK_PURPOSE, NewMail, UNSUBSCRIBE_DAYS, UNSUBSCRIBE_PURPOSE,
    opt_out_subject, parse_opt_out, record,
};
pub use templates::Rendered;
pub use transport::{SendError, Transport};

/// The first pause before recording a delivery's outcome again ([`Mailer::until_recorded`]).
const RECORD_PAUSE: Duration = Duration::from_millis(100);
/// The longest pause between two tries of recording a delivery's outcome.
const RECORD_PAUSE_MAX: Duration = Duration::from_secs(5);

/// Everything a sender needs.
#[derive(Clone, Debug)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    pub public_url: String,
    /// Who holds a claim (this process).
    pub owner: String,
    pub lease: Duration,
    pub max_attempts: u32,
    /// The first retry's delay; it doubles per attempt, capped at ten minutes.
    pub backoff: Duration,
    /// Recomputes link tokens at send time (they are never stored).
    pub signer: entity::notify::tokens::Signer,
    /// The domain clock: a message's `Date` is the story's time (`TERBUKA_CLOCK`), as every
    /// date it mentions is.
    pub clock: entity::Clock,
    /// Asked just before an alert goes out: whether what it warns of is still due.
    pub still_due: StillDue,
    /// Hard bounces after which an address's mail is held (`TERBUKA_BOUNCE_LIMIT`).
    pub bounce_limit: u32,
}

/// The send-time check of an alert (its `alert_check` context): still due, or not any more.
pub type StillDue = for<'a> fn(
    &'a DatabaseConnection,
    &'a Value,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<bool, sea_orm::DbErr>> + Send + 'a>,
>;

/// What happened to one message.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Sent, failed for good, skipped or cancelled before we looked.
    AlreadySettled,
    /// Another sender holds a live claim on it.
    ClaimedElsewhere,
    /// Did not go out this time; will be tried again.
    Retry(String),
    /// Did not go out and will not be tried again.
    Failed(String),
    /// An alert to an address whose mail is held: these messages to the secretariat carry it
    /// instead, to be sent now.
    Diverted(Vec<Uuid>),
}

impl Mailer {
    /// Claims, renders, sends and settles one recorded message.
    pub async fn deliver(
        &self,
        db: &DatabaseConnection,
        id: Uuid,
    ) -> Result<Outcome, sea_orm::DbErr> {
        // Real time: leases and attempts are about this process and the SMTP server.
        let now = entity::clock::real_now();
        let lease_until = now + chrono::Duration::from_std(self.lease).unwrap_or_default();
        use mail_delivery::Column as C;
        let mut claimed = mail_delivery::Entity::update_many()
            .col_expr(C::Status, Expr::value(DeliveryStatus::Sending))
            .col_expr(C::LeaseOwner, Expr::value(self.owner.clone()))
            .col_expr(C::LeaseUntil, Expr::value(lease_until))
            .col_expr(C::UpdatedAt, Expr::value(now))
            .filter(C::Id.eq(id))
            .filter(C::Status.eq(DeliveryStatus::Pending))
            .exec(db)
            .await?;
        if claimed.rows_affected == 0 {
            // A claim whose sender stopped (its lease ran out, or it stopped beating): the
            // attempt it had in flight counts, since the message may have gone out.
            claimed = mail_delivery::Entity::update_many()
                .col_expr(C::Status, Expr::value(DeliveryStatus::Sending))
                .col_expr(C::LeaseOwner, Expr::value(self.owner.clone()))
                .col_expr(C::LeaseUntil, Expr::value(lease_until))
                .col_expr(C::UpdatedAt, Expr::value(now))
                .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
                .col_expr(
                    C::LastError,
                    Expr::value("taken over: the previous sender stopped while sending"),
                )
                .filter(C::Id.eq(id))
                .filter(C::Status.eq(DeliveryStatus::Sending))
                .filter(entity::worker_beat::claim_is_free(
                    C::LeaseOwner,
                    C::LeaseUntil,
                    C::UpdatedAt,
                    now,
                ))
                .exec(db)
                .await?;
        }
        let Some(row) = mail_delivery::Entity::find_by_id(id).one(db).await? else {
            return Ok(Outcome::AlreadySettled);
        };
        if claimed.rows_affected == 0 {
            return Ok(match row.status {
                DeliveryStatus::Sending => Outcome::ClaimedElsewhere,
                _ => Outcome::AlreadySettled,
            });
        }
        // Stakeholder mail goes only to a subscription that still wants it: one unsubscribed
        // (or switched off) between recording and sending is skipped, not sent.
        if let Some((status, reason, diverted)) = self.unwanted(db, &row).await? {
            mail_delivery::Entity::update_many()
                .col_expr(C::Status, Expr::value(status))
                .col_expr(C::LastError, Expr::value(reason))
                .col_expr(C::LeaseOwner, Expr::value(Option::<String>::None))
                .col_expr(
                    C::LeaseUntil,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                // Real time: a delivery's record is of attempts on the wire.
                .col_expr(C::UpdatedAt, Expr::value(entity::clock::real_now()))
                .filter(C::Id.eq(id))
                .filter(C::LeaseOwner.eq(self.owner.clone()))
                .exec(db)
                .await?;
            if !diverted.is_empty() {
                return Ok(Outcome::Diverted(diverted));
            }
            return Ok(Outcome::AlreadySettled);
        }
        let message = match self.build(&row) {
            Ok(m) => m,
            Err(e) => {
                return self
                    .until_recorded(id, lease_until, || {
                        self.settle_failure(db, &row, e.clone(), true)
                    })
                    .await;
            }
        };
        // From here on what happened on the wire must be recorded: a message whose outcome is
        // lost waits out its claim and goes out a second time.
        match self.transport.send(message).await {
            Ok(()) => {
                // Real time: when the SMTP server took the message.
                let now = entity::clock::real_now();
                let done = self
                    .until_recorded(id, lease_until, || {
                        mail_delivery::Entity::update_many()
                            .col_expr(C::Status, Expr::value(DeliveryStatus::Sent))
                            .col_expr(C::SentAt, Expr::value(now))
                            .col_expr(C::UpdatedAt, Expr::value(now))
                            .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
                            .col_expr(C::LeaseOwner, Expr::value(Option::<String>::None))
                            .col_expr(
                                C::LeaseUntil,
                                Expr::value(Option::<chrono::DateTime<Utc>>::None),
                            )
                            .col_expr(C::MessageId, Expr::value(message_id(&row)))
                            .col_expr(C::LastError, Expr::value(Option::<String>::None))
                            .filter(C::Id.eq(id))
                            .filter(C::LeaseOwner.eq(self.owner.clone()))
                            .exec(db)
                    })
                    .await?;
                if done.rows_affected == 0 {
                    tracing::warn!(delivery = %id, "sent, but the claim had passed to another sender");
                }
                Ok(Outcome::Sent)
            }
            Err(SendError::Permanent(e)) => {
                // The server refused the recipient or the message for good: the address
                // bounced (counted once per claim of this message).
                let bounce = entity::notify::bounce::Bounce {
                    dedupe_key: format!("smtp:{}:{}", row.id, row.updated_at.timestamp_micros()),
                    address: row.recipient.clone(),
                    kind: entity::mail_bounce::BounceKind::Hard,
                    source: entity::mail_bounce::BounceSource::Smtp,
                    status: smtp_code(&e),
                    diagnostic: e.clone(),
                    delivery: Some(row.id),
                };
                // The delivery settled and the bounce counted together, or neither.
                self.until_recorded(id, lease_until, || {
                    entity::db::write(db, async |tx| -> Result<Outcome, sea_orm::DbErr> {
                        let outcome = self.settle_failure(tx, &row, e.clone(), true).await?;
                        // Real time: when the refusal was heard.
                        entity::notify::bounce::record_in(
                            tx,
                            &bounce,
                            self.bounce_limit,
                            entity::clock::real_now(),
                        )
                        .await?;
                        Ok(outcome)
                    })
                })
                .await
            }
            Err(SendError::Transient(e)) => {
                self.until_recorded(id, lease_until, || {
                    self.settle_failure(db, &row, e.clone(), false)
                })
                .await
            }
        }
    }

    /// Runs `write` until it lands or this process's claim on the message runs out
    /// (`lease_until`), pausing between tries from 100 ms, doubling, to 5 s. A write after
    /// the SMTP conversation records what the server said; if a full disk or a database that
    /// went away for a moment lost it, the message would sit claimed until the lease ran out
    /// and then go out again. Each write is guarded by the claim (`lease_owner` is this
    /// process), so one landing after another sender took over changes nothing.
    async fn until_recorded<T, W: Future<Output = Result<T, sea_orm::DbErr>>>(
        &self,
        id: Uuid,
        lease_until: chrono::DateTime<Utc>,
        mut write: impl FnMut() -> W,
    ) -> Result<T, sea_orm::DbErr> {
        let mut pause = RECORD_PAUSE;
        let mut tries = 1u32;
        loop {
            match write().await {
                Ok(done) => {
                    if tries > 1 {
                        tracing::info!(delivery = %id, tries, "the delivery's outcome is recorded");
                    }
                    return Ok(done);
                }
                // Real time: the claim's lease.
                Err(e) if entity::clock::real_now() + pause < lease_until => {
                    tracing::warn!(delivery = %id, tries, error = %e, "cannot record the delivery's outcome yet; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(RECORD_PAUSE_MAX);
                    tries += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Why `row` must not go out now, if it must not: what it warns of is no longer due
    /// (CANCELLED), its address's mail is held after bounces (SKIPPED; an alert goes to the
    /// secretariat instead: the messages recorded for it), or its subscription no longer
    /// wants it (SKIPPED).
    async fn unwanted(
        &self,
        db: &DatabaseConnection,
        row: &mail_delivery::Model,
    ) -> Result<Option<(DeliveryStatus, String, Vec<Uuid>)>, sea_orm::DbErr> {
        use entity::subscription::{self, AlertKind};
        if let Some(check) = row.context.get("alert_check")
            && !(self.still_due)(db, check).await?
        {
            return Ok(Some((
                DeliveryStatus::Cancelled,
                "no longer due: done, or its date moved".into(),
                vec![],
            )));
        }
        if row.class != MailClass::Transactional
            && let Some(member) = row.member_id
            && let Some(hold) = entity::notify::bounce::held(db, member, &row.recipient).await?
        {
            let diverted = entity::notify::bounce::divert(db, row, &hold).await?;
            let reason = format!(
                "held: the address bounced {} times{}",
                hold.hard_bounces,
                if diverted.is_empty() {
                    ""
                } else {
                    "; sent to the secretariat instead"
                }
            );
            return Ok(Some((DeliveryStatus::Skipped, reason, diverted)));
        }
        let Some(id) = row
            .context
            .get("subscription_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Uuid>().ok())
        else {
            return Ok(None);
        };
        let alert: Option<AlertKind> = row
            .context
            .get("alert_kind")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        Ok(match subscription::Entity::find_by_id(id).one(db).await? {
            Some(s) if s.wants(row.class, alert) => None,
            Some(s) => Some((
                DeliveryStatus::Skipped,
                format!("not wanted: subscription {:?}", s.status),
                vec![],
            )),
            None => Some((
                DeliveryStatus::Skipped,
                "the subscription no longer exists".into(),
                vec![],
            )),
        })
    }

    async fn settle_failure<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        row: &mail_delivery::Model,
        error: String,
        permanent: bool,
    ) -> Result<Outcome, sea_orm::DbErr> {
        use mail_delivery::Column as C;
        let attempts = row.attempts + 1;
        let give_up = permanent || attempts >= self.max_attempts as i32;
        // Real time: the retry pause is counted on the wall clock.
        let next = entity::clock::real_now()
            + chrono::Duration::from_std(retry_delay(self.backoff, attempts)).unwrap_or_default();
        let status = if give_up {
            DeliveryStatus::Failed
        } else {
            DeliveryStatus::Pending
        };
        mail_delivery::Entity::update_many()
            .col_expr(C::Status, Expr::value(status))
            .col_expr(C::Attempts, Expr::value(attempts))
            .col_expr(C::LastError, Expr::value(error.clone()))
            .col_expr(C::NextAttemptAt, Expr::value(next))
            // A message to try again stays held by this process, whose job retries it: if
            // that job ends with its worker (apalis stops one at a storage error), the worker
            // starting again finds it among its own and queues it at once.
            .col_expr(
                C::LeaseOwner,
                Expr::value((!give_up).then(|| self.owner.clone())),
            )
            .col_expr(
                C::LeaseUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            // Real time: a delivery's record is of attempts on the wire.
            .col_expr(C::UpdatedAt, Expr::value(entity::clock::real_now()))
            .filter(C::Id.eq(row.id))
            .filter(C::LeaseOwner.eq(self.owner.clone()))
            .exec(db)
            .await?;
        tracing::warn!(delivery = %row.id, attempts, give_up, %error, "mail not delivered");
        Ok(if give_up {
            Outcome::Failed(error)
        } else {
            Outcome::Retry(error)
        })
    }

    /// Builds the MIME message: text and HTML alternatives, a stable Message-ID (a resend after a
    /// crash carries the same one, so mail clients can fold the two), and for alerts and digests
    /// the RFC 8058 one-click unsubscribe headers.
    pub fn build(&self, row: &mail_delivery::Model) -> Result<Message, String> {
        let lang = Lang::from_tag(&row.lang);
        let mut context = row.context.clone();
        // A link that carries a secret token is stored as its base and the token's record id;
        // the token itself is derived here, so it exists only in the mail.
        if let Some(link) = context.get("link").cloned()
            && let (Some(base), Some(id)) = (
                link.get("base").and_then(Value::as_str),
                link.get("token_id").and_then(Value::as_str),
            )
            && let Value::Object(map) = &mut context
        {
            let token = self.signer.derive(LINK_PURPOSE, id);
            map.insert("link".into(), Value::from(format!("{base}{token}")));
        }
        // Real time: a link's lifetime is counted on the wall clock (checked the same way).
        let now = entity::clock::real_now();
        let mut unsubscribe = None;
        if let Value::Object(map) = &mut context {
            if let Some(id) = row.context.get("subscription_id").and_then(Value::as_str) {
                let token = self.signer.sign(
                    UNSUBSCRIBE_PURPOSE,
                    id,
                    now + chrono::Duration::days(UNSUBSCRIBE_DAYS),
                );
                let url = format!("{}/unsubscribe?token={token}", self.public_url);
                map.insert("unsubscribe_url".into(), Value::from(url.clone()));
                unsubscribe = Some(url);
            } else if row.class != MailClass::Transactional
                && let Some(member) = row.member_id
            {
                // Sent for a role (the secretariat, a milestone's people), not a subscription:
                // the link records the address's opt-out for the member when it is used.
                let token = self.signer.sign(
                    UNSUBSCRIBE_PURPOSE,
                    &opt_out_subject(member, &row.recipient),
                    now + chrono::Duration::days(UNSUBSCRIBE_DAYS),
                );
                let url = format!("{}/unsubscribe?token={token}", self.public_url);
                map.insert("unsubscribe_url".into(), Value::from(url.clone()));
                unsubscribe = Some(url);
            }
            if let Some(id) = row
                .context
                .get("confirm_subscription_id")
                .and_then(Value::as_str)
            {
                let token = self.signer.sign(
                    CONFIRM_PURPOSE,
                    id,
                    now + chrono::Duration::days(CONFIRM_DAYS),
                );
                map.insert(
                    "confirm_url".into(),
                    Value::from(format!(
                        "{}/subscriptions/confirm?token={token}",
                        self.public_url
                    )),
                );
            }
        }
        let rendered = templates::render(&row.template, lang, &context, &self.public_url)?;
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(message_id(row)))
            .date(std::time::SystemTime::from(self.clock.now()))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                lang.tag().to_owned(),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Terbuka-Delivery"),
                row.id.to_string(),
            ));
        if let Some(url) = unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        if row.class != MailClass::Transactional {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ));
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(rendered.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(rendered.html),
                    ),
            )
            .map_err(|e| format!("message: {e}"))
    }
}

/// The delay before retry number `attempts` (1-based): `base × 2^(attempts-1)`, at most 10 min.
pub fn retry_delay(base: Duration, attempts: i32) -> Duration {
    let factor = 1u32 << attempts.clamp(1, 20).saturating_sub(1) as u32;
    (base * factor).min(Duration::from_secs(600))
}

/// The SMTP reply code at the start of a refusal lettre reports (`permanent error (550): …`).
fn smtp_code(error: &str) -> Option<String> {
    let start = error.find(|c: char| c.is_ascii_digit())?;
    let code: String = error[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (code.len() == 3).then_some(code)
}

fn message_id(row: &mail_delivery::Model) -> String {
    format!("<{}@terbuka>", row.id)
}

/// Marks the pending messages of a job this process has taken as held by it (`lease_owner`,
/// status unchanged): if the process dies before sending them, the sweeper sees whose they were
/// and queues them again as soon as that process stops beating, instead of waiting for the
/// queue to give up on the lost job.
pub async fn hold(
    db: &DatabaseConnection,
    ids: &[Uuid],
    owner: &str,
) -> Result<(), sea_orm::DbErr> {
    use mail_delivery::Column as C;
    mail_delivery::Entity::update_many()
        .col_expr(C::LeaseOwner, Expr::value(owner.to_owned()))
        .filter(C::Id.is_in(ids.iter().copied()))
        .filter(C::Status.eq(DeliveryStatus::Pending))
        .exec(db)
        .await?;
    Ok(())
}

/// Everything `owner` (this process) holds goes back to pending, for a job worker of this
/// process that ended while its jobs were in hand (a sending message's attempt counts); returns
/// them to queue again.
pub async fn release_own(
    db: &DatabaseConnection,
    owner: &str,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    use mail_delivery::Column as C;
    use sea_orm::QuerySelect;
    let held = || {
        Condition::all()
            .add(C::LeaseOwner.eq(owner.to_owned()))
            .add(C::Status.is_in([DeliveryStatus::Pending, DeliveryStatus::Sending]))
    };
    let ids: Vec<Uuid> = mail_delivery::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(held())
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(ids);
    }
    // Real time: released claims are due again now.
    let now = entity::clock::real_now();
    mail_delivery::Entity::update_many()
        .col_expr(
            C::Attempts,
            Expr::case(
                C::Status.eq(DeliveryStatus::Sending),
                Expr::col(C::Attempts).add(1),
            )
            .finally(Expr::col(C::Attempts))
            .into(),
        )
        .col_expr(C::Status, Expr::value(DeliveryStatus::Pending))
        .col_expr(C::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(
            C::LeaseUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.is_in(ids.iter().copied()))
        .filter(held())
        .exec(db)
        .await?;
    Ok(ids)
}

/// Messages that need a sender, ready to be queued again:
/// - claims of a sender that stopped (it stopped beating, or its lease ran out) go back to
///   pending, the attempt it had in flight counted (the message may have gone out);
/// - pending messages held by a job of a sender that stopped are released;
/// - pending messages whose next attempt was due `idle` ago, held or not: their job was lost
///   (the process died between recording and queueing), gave up on a storage error, or ended
///   with a worker that apalis stopped while the database could not be written. A live job
///   that is merely late claims before it sends, so a second job for the same message sends
///   nothing twice.
pub async fn stranded(
    db: &DatabaseConnection,
    idle: Duration,
    limit: u64,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    use entity::worker_beat::{claim_is_free, holder_is_dead};
    use mail_delivery::Column as C;
    use sea_orm::{QueryOrder, QuerySelect};
    // Liveness and leases run on real time (the domain clock may be set or frozen).
    let now = entity::clock::real_now();
    let ids = |condition: Condition| {
        mail_delivery::Entity::find()
            .select_only()
            .column(C::Id)
            .filter(condition)
            .order_by_asc(C::Id)
            .limit(limit)
            .into_tuple::<Uuid>()
            .all(db)
    };
    let stopped_claim = || {
        Condition::all()
            .add(C::Status.eq(DeliveryStatus::Sending))
            .add(claim_is_free(
                C::LeaseOwner,
                C::LeaseUntil,
                C::UpdatedAt,
                now,
            ))
    };
    let taken_back = ids(stopped_claim()).await?;
    if !taken_back.is_empty() {
        mail_delivery::Entity::update_many()
            .col_expr(C::Status, Expr::value(DeliveryStatus::Pending))
            .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
            .col_expr(
                C::LastError,
                Expr::value("taken back: the sender stopped while sending"),
            )
            .col_expr(C::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(
                C::LeaseUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(C::UpdatedAt, Expr::value(now))
            .filter(C::Id.is_in(taken_back.iter().copied()))
            .filter(stopped_claim())
            .exec(db)
            .await?;
    }
    let held_by_stopped = || {
        Condition::all()
            .add(C::Status.eq(DeliveryStatus::Pending))
            .add(C::LeaseOwner.is_not_null())
            .add(holder_is_dead(C::LeaseOwner, now))
    };
    let released = ids(held_by_stopped()).await?;
    if !released.is_empty() {
        mail_delivery::Entity::update_many()
            .col_expr(C::LeaseOwner, Expr::value(Option::<String>::None))
            .filter(C::Id.is_in(released.iter().copied()))
            .filter(held_by_stopped())
            .exec(db)
            .await?;
    }
    let idle_since = now - chrono::Duration::from_std(idle).unwrap_or_default();
    let lost = ids(Condition::all()
        .add(C::Status.eq(DeliveryStatus::Pending))
        .add(C::NextAttemptAt.lt(idle_since)))
    .await?;
    if !lost.is_empty() {
        // Queued again now: not "lost" again before another `idle` has passed; the job it
        // goes to holds it.
        mail_delivery::Entity::update_many()
            .col_expr(C::NextAttemptAt, Expr::value(now))
            .col_expr(C::LeaseOwner, Expr::value(Option::<String>::None))
            .filter(C::Id.is_in(lost.iter().copied()))
            .filter(C::Status.eq(DeliveryStatus::Pending))
            .filter(C::NextAttemptAt.lt(idle_since))
            .exec(db)
            .await?;
    }
    let mut out: Vec<Uuid> = taken_back.into_iter().chain(released).chain(lost).collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
