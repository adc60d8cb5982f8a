//! Mail that came back. Every bounce is kept as reported ([`record`]: a permanent refusal
//! while sending, or a delivery-status notification, see [`super::dsn`]); per member, the
//! address is counted (hard and soft). When its hard bounces reach the deployment's limit
//! (`TERBUKA_BOUNCE_LIMIT`), its mail from that member is **held**: its subscription is
//! SUSPENDED, digests to it are skipped, and an alert meant for it goes to the secretariat
//! instead, with a note ([`divert`]). Soft bounces (4.x.x) are counted and never hold an
//! address: the sender keeps retrying as it always does. Admins see the addresses
//! ([`list`]) and clear one once it works again ([`clear`]); a subscriber who confirms again
//! clears it too.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::dsn::{self, DsnError};
use super::{NewMail, record as record_mail};
use crate::account::{self, AccountStatus};
use crate::bouncing_address;
use crate::kernel::audit::{self, Change};
use crate::kernel::{Act, Actor, Outcome};
use crate::mail_bounce::{self, BounceKind, BounceSource};
use crate::mail_delivery::{self, MailClass};
use crate::role_grant::{self, Role};
use crate::{Lang, Problem, Problems};

/// How many hard bounces hold an address when the deployment does not say.
pub const DEFAULT_LIMIT: u32 = 3;

/// What the audit log shows for changes the mail system made (no account acted).
const REQUEST: &str = "mail-bounce";

/// One bounce to record.
#[derive(Clone, Debug)]
pub struct Bounce {
    /// Unique per report: the same report arriving twice counts once.
    pub dedupe_key: String,
    pub address: String,
    pub kind: BounceKind,
    pub source: BounceSource,
    pub status: Option<String>,
    pub diagnostic: String,
    /// The message that bounced, when known.
    pub delivery: Option<Uuid>,
}

/// What recording one bounce did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub address: String,
    pub kind: BounceKind,
    /// The member whose mail it was, when it could be told.
    pub member: Option<Uuid>,
    /// False when the same report had been recorded before (nothing changed).
    pub counted: bool,
    /// The address's mail from the member is held (now or already).
    pub held: bool,
    /// This bounce is the one that held it.
    pub suspended_now: bool,
}

/// Records `bounce` in one transaction: the report, the member's count for the address, and,
/// when the hard bounces reach `limit`, the hold (the subscription SUSPENDED, audited).
pub async fn record(
    db: &DatabaseConnection,
    bounce: Bounce,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Recorded, DbErr> {
    crate::db::write(db, async |tx| record_in(tx, &bounce, limit, now).await).await
}

/// [`record`] inside the caller's transaction (the sender settles the refused message in the
/// same one).
pub async fn record_in<C: ConnectionTrait>(
    tx: &C,
    bounce: &Bounce,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Recorded, DbErr> {
    let address = crate::subscription::normalise(&bounce.address);
    let member = member_of(tx, bounce.delivery, &address, bounce.source).await?;
    let inserted = mail_bounce::Entity::insert(mail_bounce::ActiveModel {
        id: Set(Uuid::now_v7()),
        dedupe_key: Set(bounce.dedupe_key.clone()),
        member_id: Set(member),
        address: Set(address.clone()),
        kind: Set(bounce.kind),
        source: Set(bounce.source),
        status: Set(bounce.status.clone()),
        diagnostic: Set(bounce.diagnostic.chars().take(2000).collect()),
        delivery_id: Set(bounce.delivery),
        received_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(mail_bounce::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    let mut out = Recorded {
        address: address.clone(),
        kind: bounce.kind,
        member,
        counted: inserted > 0,
        held: false,
        suspended_now: false,
    };
    let Some(member) = member else {
        return Ok(out);
    };
    if out.counted {
        count(tx, member, &address, bounce, now).await?;
    }
    use bouncing_address::Column as B;
    let hold = bouncing_address::Entity::update_many()
        .col_expr(B::SuspendedAt, Expr::value(now))
        .col_expr(B::Version, Expr::col(B::Version).add(1))
        .filter(B::MemberId.eq(member))
        .filter(B::Address.eq(&address))
        .filter(B::SuspendedAt.is_null())
        .filter(B::HardBounces.gte(Ord::max(limit, 1) as i32))
        .exec(tx)
        .await?;
    if hold.rows_affected > 0 {
        out.suspended_now = true;
        let row = find(tx, member, &address).await?;
        audit::record(
            tx,
            &Actor::anonymous(),
            Some(REQUEST),
            Change::of(
                "bouncing_address",
                "BouncingAddress",
                "SUSPEND",
                row.as_ref().map(|r| r.id).unwrap_or_default(),
                Some(member),
                None,
                row.as_ref(),
            ),
            now,
        )
        .await?;
        crate::participation::subscription::set_held(
            tx,
            &Actor::anonymous(),
            Some(REQUEST),
            member,
            &address,
            true,
            now,
        )
        .await?;
    }
    out.held = held(tx, member, &address).await?.is_some();
    Ok(out)
}

/// Adds one bounce to the member's count for the address (made on the first one), atomically.
async fn count<C: ConnectionTrait>(
    tx: &C,
    member: Uuid,
    address: &str,
    bounce: &Bounce,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use bouncing_address::Column as B;
    let (hard, soft) = match bounce.kind {
        BounceKind::Hard => (1, 0),
        BounceKind::Soft => (0, 1),
    };
    let diagnostic: String = bounce.diagnostic.chars().take(2000).collect();
    let table = bouncing_address::Entity;
    bouncing_address::Entity::insert(bouncing_address::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        address: Set(address.to_owned()),
        hard_bounces: Set(hard),
        soft_bounces: Set(soft),
        first_bounce_at: Set(now),
        last_bounce_at: Set(now),
        last_status: Set(bounce.status.clone()),
        last_diagnostic: Set(Some(diagnostic.clone())),
        suspended_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .on_conflict(
        OnConflict::columns([B::MemberId, B::Address])
            .value(B::HardBounces, Expr::col((table, B::HardBounces)).add(hard))
            .value(B::SoftBounces, Expr::col((table, B::SoftBounces)).add(soft))
            .value(B::LastBounceAt, Expr::value(now))
            .value(B::LastStatus, Expr::value(bounce.status.clone()))
            .value(B::LastDiagnostic, Expr::value(diagnostic))
            .value(B::UpdatedAt, Expr::value(now))
            .value(B::Version, Expr::col((table, B::Version)).add(1))
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

/// Whose mail bounced: the member of the message named, or (a notification that returned no
/// headers of ours) of the last message sent to the address.
async fn member_of<C: ConnectionTrait>(
    tx: &C,
    delivery: Option<Uuid>,
    address: &str,
    source: BounceSource,
) -> Result<Option<Uuid>, DbErr> {
    use mail_delivery::Column as M;
    if let Some(id) = delivery
        && let Some(row) = mail_delivery::Entity::find_by_id(id).one(tx).await?
    {
        return Ok(row.member_id);
    }
    if source == BounceSource::Smtp {
        return Ok(None);
    }
    Ok(mail_delivery::Entity::find()
        .select_only()
        .column(M::MemberId)
        .filter(M::Recipient.eq(address))
        .filter(M::MemberId.is_not_null())
        .order_by_desc(M::Id)
        .into_tuple::<Option<Uuid>>()
        .one(tx)
        .await?
        .flatten())
}

async fn find<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    address: &str,
) -> Result<Option<bouncing_address::Model>, DbErr> {
    bouncing_address::Entity::find()
        .filter(bouncing_address::Column::MemberId.eq(member))
        .filter(bouncing_address::Column::Address.eq(address))
        .one(db)
        .await
}

/// The hold on `address`'s mail from `member`, if it is held.
pub async fn held<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    address: &str,
) -> Result<Option<bouncing_address::Model>, DbErr> {
    Ok(find(db, member, &crate::subscription::normalise(address))
        .await?
        .filter(|b| b.suspended_at.is_some()))
}

/// What reading one notification did, per recipient it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub delivery: Option<Uuid>,
    /// The recipients that bounced (a report that mail was delivered is read and left out).
    pub bounces: Vec<Recorded>,
}

/// Reads a delivery-status notification and records a bounce per recipient that bounced, all
/// in one transaction; a message that is not a notification is refused and nothing is written.
pub async fn from_dsn(
    db: &DatabaseConnection,
    raw: &[u8],
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Result<Notification, DsnError>, DbErr> {
    let report = match dsn::parse(raw) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    // Who sent it, once: the same report posted twice (or read from the maildir after a
    // post) is the same key.
    let origin = match (&report.delivery, &report.message_id) {
        (Some(d), _) => d.to_string(),
        (None, Some(m)) => format!("msg:{m}"),
        (None, None) => {
            use sha2::Digest;
            format!("sha256:{:x}", sha2::Sha256::digest(raw))
        }
    };
    let notification = crate::db::write(db, async |tx| -> Result<Notification, DbErr> {
        let mut bounces = vec![];
        for r in &report.recipients {
            let Some(kind) = r.bounce() else { continue };
            let bounce = Bounce {
                dedupe_key: format!("dsn:{origin}:{}:{}:{}", r.address, r.action, r.status),
                address: r.address.clone(),
                kind,
                source: BounceSource::Dsn,
                status: Some(r.status.clone()),
                diagnostic: r
                    .diagnostic
                    .clone()
                    .unwrap_or_else(|| format!("{} ({})", r.action, r.status)),
                delivery: report.delivery,
            };
            bounces.push(record_in(tx, &bounce, limit, now).await?);
        }
        Ok(Notification {
            delivery: report.delivery,
            bounces,
        })
    })
    .await?;
    Ok(Ok(notification))
}

/// Someone of the member's office who receives what a held address cannot: the secretariat
/// and the admins, active accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeContact {
    pub email: String,
    pub name: String,
    pub lang: Lang,
}

/// The member's secretariat and admins (active accounts), by address.
pub async fn office<C: ConnectionTrait>(db: &C, member: Uuid) -> Result<Vec<OfficeContact>, DbErr> {
    let ids: Vec<Uuid> = role_grant::Entity::find()
        .select_only()
        .column(role_grant::Column::AccountId)
        .filter(role_grant::Column::MemberId.eq(member))
        .filter(role_grant::Column::Role.is_in([Role::Secretariat, Role::Admin]))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<OfficeContact> = account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .filter(account::Column::Status.eq(AccountStatus::Active))
        .order_by_asc(account::Column::Email)
        .all(db)
        .await?
        .into_iter()
        .map(|a| OfficeContact {
            email: crate::subscription::normalise(&a.email),
            lang: Lang::from_tag(&a.lang),
            name: a.name,
        })
        .collect();
    out.dedup_by(|a, b| a.email == b.email);
    Ok(out)
}

/// Records, for an alert whose address is held, the same alert to each of the member's office
/// who is not held themselves, with a note of whom it was for; the ids to send. An alert that
/// was itself diverted is never diverted again.
pub async fn divert<C: ConnectionTrait>(
    db: &C,
    alert: &mail_delivery::Model,
    hold: &bouncing_address::Model,
) -> Result<Vec<Uuid>, DbErr> {
    if alert.class != MailClass::Alert || alert.context.get("bounced_for").is_some() {
        return Ok(vec![]);
    }
    let mut ids = vec![];
    for contact in office(db, hold.member_id).await? {
        if contact.email == hold.address
            || held(db, hold.member_id, &contact.email).await?.is_some()
        {
            continue;
        }
        let mut context = alert.context.clone();
        if let Value::Object(map) = &mut context {
            map.remove("subscription_id");
            map.insert(
                "bounced_for".into(),
                json!({
                    "name": alert.context.get("name").cloned().unwrap_or(Value::Null),
                    "address": hold.address,
                    "bounces": hold.hard_bounces,
                }),
            );
            map.insert("name".into(), Value::from(contact.name.clone()));
        }
        let mail = NewMail {
            dedupe_key: format!("{}:held-for:{}", alert.dedupe_key, contact.email),
            class: MailClass::Alert,
            member_id: alert.member_id,
            recipient: contact.email,
            lang: Lang::from_tag(&alert.lang),
            template: alert.template.clone(),
            context,
        };
        ids.extend(record_mail(db, mail).await?);
    }
    Ok(ids)
}

/// The member's bouncing addresses, held ones first, then by the last bounce, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    member: Uuid,
    held_only: bool,
    first: u64,
) -> Result<Vec<bouncing_address::Model>, DbErr> {
    use bouncing_address::Column as B;
    let mut select = bouncing_address::Entity::find().filter(B::MemberId.eq(member));
    if held_only {
        select = select.filter(B::SuspendedAt.is_not_null());
    }
    let mut rows = select
        .order_by_desc(B::LastBounceAt)
        .order_by_asc(B::Address)
        .limit(first)
        .all(db)
        .await?;
    rows.sort_by_key(|r| r.suspended_at.is_none());
    Ok(rows)
}

/// What clearing an address did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleared {
    /// The address as it was before it was cleared.
    pub before: bouncing_address::Model,
    /// Subscriptions back to CONFIRMED (0 or 1).
    pub resumed: u64,
}

/// Clears `address` for `member` (an admin says it works again): its count goes, its hold is
/// lifted and its subscription is CONFIRMED again, audited; the reports stay.
pub async fn clear(act: &Act<'_>, member: Uuid, address: &str) -> Result<Cleared, Outcome> {
    act.permit("clearBouncingAddress", Some(member))?;
    let address = crate::subscription::normalise(address);
    crate::db::write(act.db, async |tx| -> Result<Cleared, Outcome> {
        let Some(before) = find(tx, member, &address).await? else {
            return Err(Problems::one(&["input", "address"], Problem::NotFound).into());
        };
        bouncing_address::Entity::delete_by_id(before.id)
            .exec(tx)
            .await?;
        audit::record(
            tx,
            act.actor,
            act.request_id,
            Change::of(
                "bouncing_address",
                "BouncingAddress",
                "CLEAR",
                before.id,
                Some(member),
                Some(&before),
                None,
            ),
            act.now,
        )
        .await?;
        let resumed = crate::participation::subscription::set_held(
            tx,
            act.actor,
            act.request_id,
            member,
            &address,
            false,
            act.now,
        )
        .await?;
        Ok(Cleared { before, resumed })
    })
    .await
}

/// Lifts the hold on `address` for `member` without an admin (its subscriber just confirmed
/// by a link we mailed: the address works); the reports stay.
pub async fn release<C: ConnectionTrait>(db: &C, member: Uuid, address: &str) -> Result<(), DbErr> {
    bouncing_address::Entity::delete_many()
        .filter(bouncing_address::Column::MemberId.eq(member))
        .filter(bouncing_address::Column::Address.eq(crate::subscription::normalise(address)))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets everything about `address`'s bounces (its data is being erased): for one member,
/// or everywhere when `member` is `None`.
pub async fn forget<C: ConnectionTrait>(
    db: &C,
    member: Option<Uuid>,
    address: &str,
) -> Result<(), DbErr> {
    let address = crate::subscription::normalise(address);
    let mut held = bouncing_address::Entity::delete_many()
        .filter(bouncing_address::Column::Address.eq(&address));
    let mut reports =
        mail_bounce::Entity::delete_many().filter(mail_bounce::Column::Address.eq(&address));
    if let Some(m) = member {
        held = held.filter(bouncing_address::Column::MemberId.eq(m));
        reports = reports.filter(mail_bounce::Column::MemberId.eq(m));
    }
    held.exec(db).await?;
    reports.exec(db).await?;
    Ok(())
}
