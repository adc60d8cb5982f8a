//! Registrations for an event with an open invitation: a seat while there are any, else a
//! place on the waitlist that moves up by itself when someone cancels; a mail at each step,
//! recorded in the same transaction as the change; cancellation by the signed link in those
//! mails. Every step is audited (as the public when no account acts).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::event::{self, EventStatus};
use crate::invitation::{self, Audience};
use crate::kernel::Actor;
use crate::kernel::audit::{self, Change};
use crate::kernel::edit::{Outcome, Receipt};
use crate::mail_delivery::MailClass;
use crate::notify::tokens::Signer;
use crate::notify::{self, LINK_PURPOSE, NewMail};
use crate::registration::{self, RegistrationStatus};
use crate::{Lang, Problem, Problems, Refusal, consent};

/// The statement a registrant agrees to.
pub const CONSENT_ID: &str = "Saya setuju nama, email dan organisasi saya disimpan oleh \
    penyelenggara untuk keperluan pendaftaran dan daftar hadir kegiatan ini.";
pub const CONSENT_EN: &str = "I agree that the organisers keep my name, e-mail address and \
    organisation for this event's registration and attendance list.";

/// What registration mails need from the deployment: where their links point and the key the
/// links are signed with.
pub struct Links<'a> {
    pub public_url: &'a str,
    pub signer: &'a Signer,
}

use crate::notify::tokens::hash as token_hash;

/// Seats taken and waiting for `event`.
pub async fn counts<C: ConnectionTrait>(db: &C, event: Uuid) -> Result<(i32, i32), DbErr> {
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

/// A waitlisted registration's place in the queue (1 is next).
pub async fn position<C: ConnectionTrait>(db: &C, r: &registration::Model) -> Result<i32, DbErr> {
    let ahead = registration::Entity::find()
        .filter(registration::Column::EventId.eq(r.event_id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
        .filter(registration::Column::Id.lt(r.id))
        .count(db)
        .await?;
    Ok(ahead as i32 + 1)
}

/// The event's invitation, locked for the rest of the transaction (registrations for one
/// event are counted one at a time).
pub async fn locked_invitation(
    tx: &DatabaseTransaction,
    event: Uuid,
) -> Result<Option<invitation::Model>, DbErr> {
    crate::db::locked(
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
    links: &Links<'_>,
    r: &registration::Model,
    e: &event::Model,
    state: &str,
    position: Option<i32>,
) -> Result<Option<Uuid>, DbErr> {
    let lang = Lang::from_tag(&r.lang);
    // The event's time as people of its member read it (WIB in Bojonegoro, WIT in Papua).
    let zone = crate::member::Entity::find_by_id(e.member_id)
        .one(tx)
        .await?
        .map(|m| m.tz())
        .unwrap_or(chrono_tz::Asia::Jakarta);
    let mut context = json!({
        "name": r.name,
        "event": e.title,
        "when": crate::i18n::long_datetime(e.starts_at, zone, lang),
        "venue": venue(e),
        "state": state,
        "position": position,
    });
    if state != "CANCELLED" {
        context["link"] = json!({
            "base": format!("{}/registrations/cancel?token=", links.public_url),
            "token_id": r.id.to_string(),
        });
    }
    notify::record(
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

async fn audit_status(
    tx: &DatabaseTransaction,
    actor: &Actor,
    request_id: Option<&str>,
    before: &registration::Model,
    after: &registration::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit::record(
        tx,
        actor,
        request_id,
        Change::of(
            "registration",
            "Registration",
            "UPDATE",
            after.id,
            Some(after.member_id),
            Some(before),
            Some(after),
        ),
        now,
    )
    .await
}

/// Gives a freed seat of `e` to the first on its waitlist (if the event has room now), audits
/// it and records their mail. The caller holds the invitation's lock (`invitation` is what it
/// read).
pub async fn promote_next(
    tx: &DatabaseTransaction,
    actor: &Actor,
    links: &Links<'_>,
    e: &event::Model,
    invitation: Option<&invitation::Model>,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    if let Some(cap) = invitation.and_then(|i| i.capacity) {
        let (registered, _) = counts(tx, e.id).await?;
        if registered >= cap.max(0) {
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
    let promoted = registration::Entity::update(registration::ActiveModel {
        id: Set(next.id),
        status: Set(RegistrationStatus::Registered),
        promoted_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    audit_status(tx, actor, None, &next, &promoted, now).await?;
    record_mail(tx, links, &promoted, e, "PROMOTED", None).await
}

/// What cancelling by a link did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cancelled {
    Done(RegistrationStatus),
    AlreadyCancelled,
    NoSuchLink,
}

/// Cancels the registration behind a link's token and moves the first on the waitlist up
/// when a seat frees, in one write transaction with its audit records; returns what happened
/// and the mails recorded, for the caller to queue.
pub async fn cancel_by_token(
    db: &DatabaseConnection,
    actor: &Actor,
    links: &Links<'_>,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(Cancelled, Vec<Uuid>), DbErr> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Ok((Cancelled::NoSuchLink, vec![]));
    }
    let hash = token_hash(token);
    crate::db::write(db, async |tx| -> Result<(Cancelled, Vec<Uuid>), DbErr> {
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
        let cancelled = registration::Entity::update(registration::ActiveModel {
            id: Set(r.id),
            status: Set(RegistrationStatus::Cancelled),
            cancelled_at: Set(Some(now)),
            ..Default::default()
        })
        .exec(tx)
        .await?;
        audit_status(tx, actor, None, &r, &cancelled, now).await?;
        let mut mails = vec![];
        mails.extend(record_mail(tx, links, &cancelled, &e, "CANCELLED", None).await?);
        if was == RegistrationStatus::Registered {
            mails.extend(promote_next(tx, actor, links, &e, invitation.as_ref(), now).await?);
        }
        Ok((Cancelled::Done(was), mails))
    })
    .await
}

/// A registration asked for, its fields already checked.
pub struct Register {
    pub event_id: Uuid,
    pub name: String,
    /// A checked address, lower-cased.
    pub email: String,
    pub organisation: Option<String>,
    pub lang: Lang,
}

/// Registers `cmd` in one write transaction: the invitation locked, open and not closed, one
/// registration per address, a seat while there are any, else the waitlist; the consent, the
/// audit record (as `actor`, the public when no account) and the mail with it. A retry with
/// the receipt of an earlier request answers that request's registration. Returns the
/// registration and the mails to queue.
pub async fn register(
    db: &DatabaseConnection,
    actor: &Actor,
    links: &Links<'_>,
    receipt: Option<&Receipt<'_>>,
    request_id: Option<&str>,
    cmd: Register,
    now: DateTime<Utc>,
) -> Result<(registration::Model, Vec<Uuid>), Outcome> {
    let refused = |field: &str, problem: Problem| -> Result<_, Outcome> {
        Err(Problems::one(&["input", field], problem).into())
    };
    let outcome = crate::db::write(
        db,
        async |tx| -> Result<(registration::Model, Vec<Uuid>), Outcome> {
            if let Some(rc) = receipt
                && let Some(id) = rc.earlier(tx).await?
                && let Some(earlier) = registration::Entity::find_by_id(id).one(tx).await?
            {
                return Ok((earlier, vec![]));
            }
            let Some(e) = event::Entity::find_by_id(cmd.event_id).one(tx).await? else {
                return refused("eventId", Problem::NotFound);
            };
            let invitation = locked_invitation(tx, e.id).await?;
            let Some(inv) = invitation.filter(|i| i.audience == Audience::Open && e.is_public)
            else {
                return refused("eventId", Problem::Refused(Refusal::RegistrationNotOpen));
            };
            if e.status != EventStatus::Planned
                || e.starts_at <= now
                || inv.registration_closes_at.is_some_and(|c| c <= now)
            {
                return refused("eventId", Problem::Refused(Refusal::RegistrationClosed));
            }
            let duplicate = registration::Entity::find()
                .filter(registration::Column::EventId.eq(e.id))
                .filter(registration::Column::Email.eq(cmd.email.clone()))
                .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
                .one(tx)
                .await?;
            if duplicate.is_some() {
                return refused("email", Problem::Duplicate);
            }
            let (registered, _) = counts(tx, e.id).await?;
            // The id is made under the lock: ids order the waitlist.
            let id = Uuid::now_v7();
            let token = links.signer.derive(LINK_PURPOSE, &id.to_string());
            let status = match inv.capacity {
                Some(c) if registered >= c => RegistrationStatus::Waitlisted,
                _ => RegistrationStatus::Registered,
            };
            let r = registration::Model {
                id,
                member_id: e.member_id,
                event_id: e.id,
                name: cmd.name.clone(),
                email: cmd.email.clone(),
                organisation_name: cmd.organisation.clone(),
                status,
                cancel_token_hash: token_hash(&token),
                lang: cmd.lang.tag().to_owned(),
                created_at: now,
                promoted_at: None,
                cancelled_at: None,
            };
            if let Some(rc) = receipt {
                rc.save(tx, id).await?;
            }
            registration::Entity::insert(registration::ActiveModel::from(r.clone()))
                .exec_without_returning(tx)
                .await?;
            audit::record(
                tx,
                actor,
                request_id,
                Change::of(
                    "registration",
                    "Registration",
                    "CREATE",
                    id,
                    Some(e.member_id),
                    None,
                    Some(&r),
                ),
                now,
            )
            .await?;
            consent::record(
                tx,
                consent::Given {
                    member: Some(e.member_id),
                    subject_type: "Registration",
                    subject_id: id,
                    purpose: consent::ConsentPurpose::EventRegistration,
                    statement: match cmd.lang {
                        Lang::Id => CONSENT_ID,
                        Lang::En => CONSENT_EN,
                    },
                    lang: cmd.lang,
                    at: now,
                },
            )
            .await?;
            let (state, pos) = match status {
                RegistrationStatus::Waitlisted => ("WAITLISTED", Some(position(tx, &r).await?)),
                _ => ("REGISTERED", None),
            };
            let mails = record_mail(tx, links, &r, &e, state, pos)
                .await?
                .into_iter()
                .collect();
            Ok((r, mails))
        },
    )
    .await;
    // A concurrent retry with the same id that committed first: its registration.
    match (outcome, receipt) {
        (Err(Outcome::Raced), Some(rc)) => match rc.earlier(db).await? {
            Some(id) => registration::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|r| (r, vec![]))
                .ok_or(Outcome::Raced),
            None => Err(Outcome::Raced),
        },
        (other, _) => other,
    }
}
