//! Subscriptions to a member's digests and alerts.
//!
//! - The public asks with [`subscribe`] (no account; consent recorded); a confirmation link is
//!   mailed (double opt-in) and nothing else is sent until it is used ([`use_link`]). The
//!   answer is the same whether or not the address was known: a confirmed address is left as
//!   it is and its mailbox is told.
//! - The partnership's own people set theirs with [`update_mine`] (confirmed at once: the
//!   account's address was confirmed when it was made).
//! - Everyone unsubscribes with the signed link in every mail ([`use_link`] with
//!   [`UNSUBSCRIBE_PURPOSE`]); a link sent for a role rather than a subscription opts the
//!   address out of the member's mail altogether.
//!
//! Every change is audited, as the public when no account acts; the mails are recorded in the
//! transaction of the change, for the caller to queue after it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use crate::consent::{self, ConsentPurpose};
use crate::kernel::Actor;
use crate::kernel::audit::{self, Change};
use crate::kernel::edit::{Outcome, Receipt};
use crate::mail_delivery::MailClass;
use crate::notify::tokens::Signer;
use crate::notify::{self, Address, CONFIRM_PURPOSE, NewMail, UNSUBSCRIBE_PURPOSE};
use crate::subscription::{
    self, AlertKind, DigestFrequency, SubscriberKind, SubscriptionStatus, Topic,
};
use crate::{Lang, Problem, Problems, membership, person, role_grant};

/// The global-ID type of a subscription.
pub const KIND: &str = "Subscription";

/// The statement a subscriber agrees to.
pub const CONSENT_ID: &str = "Saya setuju alamat email saya dipakai untuk mengirimkan kabar \
    Pemerintahan Terbuka yang saya pilih, sampai saya berhenti berlangganan.";
pub const CONSENT_EN: &str = "I agree that my email address is used to send me the Open \
    Government updates I chose, until I unsubscribe.";

fn consent_statement(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => CONSENT_ID,
        Lang::En => CONSENT_EN,
    }
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
    notify::record(
        db,
        NewMail {
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
pub async fn audience_of<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    email: &str,
) -> Result<SubscriberKind, DbErr> {
    let account = crate::account::Entity::find()
        .filter(crate::account::Column::Email.eq(email))
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

async fn find<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    email: &str,
) -> Result<Option<subscription::Model>, DbErr> {
    subscription::Entity::find()
        .filter(subscription::Column::MemberId.eq(member))
        .filter(subscription::Column::Email.eq(email))
        .one(db)
        .await
}

/// A new row, not yet stored.
fn new_row(member: Uuid, email: &str, now: DateTime<Utc>) -> subscription::Model {
    subscription::Model {
        id: Uuid::now_v7(),
        member_id: member,
        email: email.to_owned(),
        name: None,
        account_id: None,
        audience: SubscriberKind::Public,
        frequency: DigestFrequency::None,
        lang: Lang::Id.tag().to_owned(),
        topics: json!([]),
        alerts_off: json!([]),
        status: SubscriptionStatus::Pending,
        requested_at: now,
        confirmed_at: None,
        unsubscribed_at: None,
        created_at: now,
        updated_at: now,
        version: 0,
    }
}

/// Stores `row` (version raised; inserted when `before` is `None`) and audits the change.
async fn save<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    request_id: Option<&str>,
    action: &'static str,
    before: Option<&subscription::Model>,
    mut row: subscription::Model,
    now: DateTime<Utc>,
) -> Result<subscription::Model, DbErr> {
    row.updated_at = now;
    row.version += 1;
    if before.is_some() {
        // Every column set: a model turned into an active model is all "unchanged", and an
        // update of unchanged columns writes nothing.
        subscription::Entity::update(subscription::ActiveModel::from(row.clone()).reset_all())
            .exec(tx)
            .await?;
    } else {
        subscription::Entity::insert(subscription::ActiveModel::from(row.clone()))
            .exec_without_returning(tx)
            .await?;
    }
    audit::record(
        tx,
        actor,
        request_id,
        Change::of(
            "subscription",
            KIND,
            action,
            row.id,
            Some(row.member_id),
            before,
            Some(&row),
        ),
        now,
    )
    .await?;
    Ok(row)
}

async fn record_consent<C: ConnectionTrait>(
    tx: &C,
    s: &subscription::Model,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    consent::record(
        tx,
        consent::Given {
            member: Some(s.member_id),
            subject_type: KIND,
            subject_id: s.id,
            purpose: ConsentPurpose::Subscription,
            statement: consent_statement(lang),
            lang,
            at: now,
        },
    )
    .await
}

/// A request from the public, its fields already checked (consent given).
pub struct Subscribe {
    pub member: Uuid,
    pub email: Address,
    pub name: Option<String>,
    pub frequency: DigestFrequency,
    /// Not empty.
    pub topics: Vec<Topic>,
    /// The language of the mails.
    pub lang: Lang,
}

/// Asks for `cmd`: the request (pending until its link is used), the consent, the audit record
/// and the confirmation mail in one write transaction. A confirmed address is left as it is
/// (whoever asks may not own it) and told so by mail. A retry with the receipt of an earlier
/// request sends nothing again. Returns the mails to queue.
pub async fn subscribe(
    db: &DatabaseConnection,
    actor: &Actor,
    receipt: Option<&Receipt<'_>>,
    request_id: Option<&str>,
    cmd: Subscribe,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, Outcome> {
    let email = cmd.email.as_str();
    let outcome = crate::db::write(db, async |tx| -> Result<Vec<Uuid>, Outcome> {
        if let Some(rc) = receipt
            && rc.earlier(tx).await?.is_some()
        {
            // A retry: answered as before, without a second mail.
            return Ok(vec![]);
        }
        let Some(member) = crate::member::Entity::find_by_id(cmd.member)
            .one(tx)
            .await?
        else {
            return Err(Problems::one(&["input", "memberId"], Problem::NotFound).into());
        };
        let existing = find(tx, member.id, email).await?;
        if let Some(s) = &existing
            && s.status == SubscriptionStatus::Confirmed
        {
            if let Some(rc) = receipt {
                rc.save(tx, s.id).await?;
            }
            return Ok(mail_state(tx, s, &member.name, "ALREADY")
                .await?
                .into_iter()
                .collect());
        }
        let mut row = existing
            .clone()
            .unwrap_or_else(|| new_row(member.id, email, now));
        row.name = cmd.name.clone().or(row.name);
        row.audience = audience_of(tx, member.id, email).await?;
        row.frequency = cmd.frequency;
        row.lang = cmd.lang.tag().to_owned();
        row.topics = json!(cmd.topics);
        row.status = SubscriptionStatus::Pending;
        row.requested_at = now;
        row.unsubscribed_at = None;
        let action = if existing.is_some() {
            "UPDATE"
        } else {
            "CREATE"
        };
        let after = save(tx, actor, request_id, action, existing.as_ref(), row, now).await?;
        if let Some(rc) = receipt {
            rc.save(tx, after.id).await?;
        }
        record_consent(tx, &after, cmd.lang, now).await?;
        Ok(mail_state(tx, &after, &member.name, "CONFIRM")
            .await?
            .into_iter()
            .collect())
    })
    .await;
    match outcome {
        // A concurrent retry with the same id committed first: it sent the mail.
        Err(Outcome::Raced) => Ok(vec![]),
        other => other,
    }
}

/// What using a link did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    Done(SubscriptionStatus),
    NoSuchLink,
}

/// Confirms ([`CONFIRM_PURPOSE`]) or unsubscribes ([`UNSUBSCRIBE_PURPOSE`]) the subscription
/// behind a signed link, as the public, in one write transaction with its audit record and (on
/// confirming) the welcome mail. Returns what happened and the mails to queue.
pub async fn use_link(
    db: &DatabaseConnection,
    signer: &Signer,
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(LinkOutcome, Vec<Uuid>), DbErr> {
    let token = token.trim();
    if token.len() > 1000 {
        return Ok((LinkOutcome::NoSuchLink, vec![]));
    }
    // Real time: a link's lifetime is counted on the wall clock it was signed with, not the
    // domain's date.
    let Ok(subject) = signer.verify(purpose, token, crate::clock::real_now()) else {
        return Ok((LinkOutcome::NoSuchLink, vec![]));
    };
    if purpose == UNSUBSCRIBE_PURPOSE
        && let Some((member, email)) = notify::parse_opt_out(&subject)
    {
        return Ok((opt_out(db, member, &email, now).await?, vec![]));
    }
    let Ok(id) = subject.parse::<Uuid>() else {
        return Ok((LinkOutcome::NoSuchLink, vec![]));
    };
    let confirming = purpose == CONFIRM_PURPOSE;
    crate::db::write(db, async |tx| -> Result<(LinkOutcome, Vec<Uuid>), DbErr> {
        let Some(before) = subscription::Entity::find_by_id(id).one(tx).await? else {
            return Ok((LinkOutcome::NoSuchLink, vec![]));
        };
        let to = match (confirming, before.status) {
            // A confirmation link works once, on a pending request; an old one cannot bring
            // back an address that unsubscribed.
            (true, SubscriptionStatus::Pending) => SubscriptionStatus::Confirmed,
            (true, s) => return Ok((LinkOutcome::Done(s), vec![])),
            (false, SubscriptionStatus::Unsubscribed) => {
                return Ok((LinkOutcome::Done(SubscriptionStatus::Unsubscribed), vec![]));
            }
            (false, _) => SubscriptionStatus::Unsubscribed,
        };
        let mut row = before.clone();
        row.status = to;
        if confirming {
            row.confirmed_at = Some(now);
        } else {
            row.unsubscribed_at = Some(now);
        }
        let action = if confirming { "CONFIRM" } else { "UNSUBSCRIBE" };
        let after = save(
            tx,
            &Actor::anonymous(),
            None,
            action,
            Some(&before),
            row,
            now,
        )
        .await?;
        let mut mails = vec![];
        if confirming {
            // The address just received and answered a mail: it works again.
            crate::notify::bounce::release(tx, after.member_id, &after.email).await?;
            let member = crate::member::Entity::find_by_id(after.member_id)
                .one(tx)
                .await?
                .map(|m| m.name)
                .unwrap_or_default();
            mails.extend(mail_state(tx, &after, &member, "WELCOME").await?);
        }
        Ok((LinkOutcome::Done(to), mails))
    })
    .await
}

/// The unsubscribe link of a mail sent for a role rather than a subscription (an alert to the
/// secretariat or to a milestone's people): the address's subscription row for the member is
/// made, or moved, to UNSUBSCRIBED, so no alert or digest of that member goes to it again.
async fn opt_out(
    db: &DatabaseConnection,
    member: Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<LinkOutcome, DbErr> {
    crate::db::write(db, async |tx| -> Result<LinkOutcome, DbErr> {
        if crate::member::Entity::find_by_id(member)
            .one(tx)
            .await?
            .is_none()
        {
            return Ok(LinkOutcome::NoSuchLink);
        }
        let existing = find(tx, member, email).await?;
        if existing
            .as_ref()
            .is_some_and(|s| s.status == SubscriptionStatus::Unsubscribed)
        {
            return Ok(LinkOutcome::Done(SubscriptionStatus::Unsubscribed));
        }
        let mut row = match &existing {
            Some(s) => s.clone(),
            None => {
                let mut row = new_row(member, email, now);
                row.audience = audience_of(tx, member, email).await?;
                row
            }
        };
        row.status = SubscriptionStatus::Unsubscribed;
        row.unsubscribed_at = Some(now);
        let actor = Actor::anonymous();
        save(tx, &actor, None, "UNSUBSCRIBE", existing.as_ref(), row, now).await?;
        Ok(LinkOutcome::Done(SubscriptionStatus::Unsubscribed))
    })
    .await
}

/// Moves `member`'s CONFIRMED subscription of `email` to `to` (SUSPENDED when its mail is held,
/// CONFIRMED again when the hold is cleared: `from` says which), audited as `action`; how many
/// moved (0 or 1).
pub(crate) async fn set_held<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    request_id: Option<&str>,
    member: Uuid,
    email: &str,
    held: bool,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let (from, to, action) = if held {
        (
            SubscriptionStatus::Confirmed,
            SubscriptionStatus::Suspended,
            "SUSPEND",
        )
    } else {
        (
            SubscriptionStatus::Suspended,
            SubscriptionStatus::Confirmed,
            "RESUME",
        )
    };
    let Some(before) = find(tx, member, &subscription::normalise(email))
        .await?
        .filter(|s| s.status == from)
    else {
        return Ok(0);
    };
    let mut row = before.clone();
    row.status = to;
    save(tx, actor, request_id, action, Some(&before), row, now).await?;
    Ok(1)
}

/// What a signed-in person sets for their own mail from a member.
pub struct UpdateMine {
    pub member: Uuid,
    pub frequency: DigestFrequency,
    pub topics: Vec<Topic>,
    pub alerts_off: Vec<AlertKind>,
    /// The language the person acts in (of the consent statement they were shown).
    pub lang: Lang,
}

/// Sets the acting account's own subscription to `cmd.member`'s mail, confirmed (the
/// account's address is), with the consent when it is new and the audit record. `None` when
/// no account acts.
pub async fn update_mine(
    db: &DatabaseConnection,
    actor: &Actor,
    request_id: Option<&str>,
    cmd: UpdateMine,
    now: DateTime<Utc>,
) -> Result<Option<subscription::Model>, DbErr> {
    let Some(account) = actor.account.clone() else {
        return Ok(None);
    };
    let email = subscription::normalise(&account.email);
    crate::db::write(
        db,
        async |tx| -> Result<Option<subscription::Model>, DbErr> {
            let existing = find(tx, cmd.member, &email).await?;
            let mut row = existing.clone().unwrap_or_else(|| {
                let mut row = new_row(cmd.member, &email, now);
                row.name = Some(account.name.clone());
                row.lang = account.lang.clone();
                row
            });
            row.account_id = Some(account.id);
            row.audience = SubscriberKind::Team;
            row.frequency = cmd.frequency;
            row.topics = json!(cmd.topics);
            row.alerts_off = json!(cmd.alerts_off);
            // A held address stays held: setting preferences does not show the mailbox works.
            if !matches!(
                row.status,
                SubscriptionStatus::Confirmed | SubscriptionStatus::Suspended
            ) {
                row.status = SubscriptionStatus::Confirmed;
                row.confirmed_at = Some(now);
                row.unsubscribed_at = None;
            }
            let action = if existing.is_some() {
                "UPDATE"
            } else {
                "CREATE"
            };
            let saved = save(tx, actor, request_id, action, existing.as_ref(), row, now).await?;
            if existing.is_none() {
                record_consent(tx, &saved, cmd.lang, now).await?;
            }
            Ok(Some(saved))
        },
    )
    .await
}
