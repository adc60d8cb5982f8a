//! What the API and the worker share about mail: the outbox record (a message recorded in
//! the transaction of the change it tells about, sent later by any worker), the purposes and
//! lifetimes of the signed links mail carries, and the names of the templates.

pub mod address;
pub mod bounce;
pub mod dsn;
pub mod tokens;

pub use address::Address;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::Lang;
use crate::mail_delivery::{self, DeliveryStatus, MailClass};

/// The mail templates (each in Indonesian and English, text and HTML, in the worker).
pub const TEMPLATES: &[&str] = &[
    "test",
    "invitation",
    "password_reset",
    "registration",
    "input_response",
    "subscription",
    "digest",
    "alert",
];

/// The purpose under which account links (invitation, password reset) are derived.
pub const LINK_PURPOSE: &str = "account-link";
/// Confirming a subscription (double opt-in); good for a week.
pub const CONFIRM_PURPOSE: &str = "subscription-confirm";
/// The subject of an unsubscribe token for an address that has no subscription row.
pub fn opt_out_subject(member: Uuid, email: &str) -> String {
    format!("optout:{member}:{}", crate::subscription::normalise(email))
}

/// The member and address of an [`opt_out_subject`].
pub fn parse_opt_out(subject: &str) -> Option<(Uuid, String)> {
    let rest = subject.strip_prefix("optout:")?;
    let (member, email) = rest.split_once(':')?;
    Some((member.parse().ok()?, email.to_owned()))
}

/// One-click unsubscribe (RFC 8058); good for 400 days, so an old digest still works.
pub const UNSUBSCRIBE_PURPOSE: &str = "unsubscribe";
pub const CONFIRM_DAYS: i64 = 7;
pub const UNSUBSCRIBE_DAYS: i64 = 400;

/// A message to record.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// Unique per message: `recipient × kind × period` or similar. Recording the same key twice
    /// records one message.
    pub dedupe_key: String,
    pub class: MailClass,
    pub member_id: Option<Uuid>,
    pub recipient: String,
    pub lang: Lang,
    pub template: String,
    pub context: Value,
}

/// Records a message, inside the caller's transaction when given one. Returns the new record's
/// id, or `None` when a message with that key was already recorded.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    mail: NewMail,
) -> Result<Option<Uuid>, sea_orm::DbErr> {
    debug_assert!(
        TEMPLATES.contains(&mail.template.as_str()),
        "unknown template {}",
        mail.template
    );
    let id = Uuid::now_v7();
    // Real time: the outbox row is due for the sender now, whatever the domain's date.
    let now = crate::clock::real_now();
    let row = mail_delivery::ActiveModel {
        id: Set(id),
        dedupe_key: Set(mail.dedupe_key),
        class: Set(mail.class),
        member_id: Set(mail.member_id),
        recipient: Set(mail.recipient),
        lang: Set(mail.lang.tag().to_owned()),
        template: Set(mail.template),
        context: Set(mail.context),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        lease_owner: Set(None),
        lease_until: Set(None),
        next_attempt_at: Set(now),
        message_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        sent_at: Set(None),
    };
    let inserted = mail_delivery::Entity::insert(row)
        .on_conflict(
            OnConflict::column(mail_delivery::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok((inserted > 0).then_some(id))
}

/// Records a message that is known to be empty or unwanted as SKIPPED under its dedupe key, so
/// the period counts as handled for that recipient (and is visible as such).
pub async fn record_skipped<C: ConnectionTrait>(
    db: &C,
    mail: NewMail,
    reason: &str,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    if let Some(id) = record(db, mail).await? {
        mail_delivery::Entity::update_many()
            .col_expr(
                mail_delivery::Column::Status,
                Expr::value(DeliveryStatus::Skipped),
            )
            .col_expr(mail_delivery::Column::LastError, Expr::value(reason))
            .filter(mail_delivery::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Puts a FAILED message back to be sent with a fresh count of attempts, audited in the same
/// transaction (`Ok(None)`: no such message; refused when it has not failed). The caller
/// queues it after the commit.
pub async fn retry(
    act: &crate::kernel::Act<'_>,
    id: Uuid,
) -> Result<Option<mail_delivery::Model>, crate::kernel::Outcome> {
    use crate::kernel::audit::{self, Change};
    use crate::{Problem, Problems, Refusal};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    crate::db::write(
        act.db,
        async |tx| -> Result<Option<mail_delivery::Model>, crate::kernel::Outcome> {
            let Some(row) = mail_delivery::Entity::find_by_id(id).one(tx).await? else {
                return Ok(None);
            };
            act.permit("retryMailDelivery", row.member_id)?;
            if row.status != DeliveryStatus::Failed {
                return Err(Problems::one(
                    &["input", "id"],
                    Problem::Refused(Refusal::MailNotFailed),
                )
                .into());
            }
            use mail_delivery::Column as C;
            mail_delivery::Entity::update_many()
                .col_expr(C::Status, Expr::value(DeliveryStatus::Pending))
                .col_expr(C::Attempts, Expr::value(0))
                .col_expr(C::NextAttemptAt, Expr::value(act.now))
                .col_expr(C::UpdatedAt, Expr::value(act.now))
                .filter(C::Id.eq(row.id))
                .exec(tx)
                .await?;
            audit::record(
                tx,
                act.actor,
                act.request_id,
                Change::of(
                    "mail_delivery",
                    "MailDelivery",
                    "RETRY",
                    row.id,
                    row.member_id,
                    Some(&row),
                    None::<&mail_delivery::Model>,
                ),
                act.now,
            )
            .await?;
            Ok(mail_delivery::Entity::find_by_id(id).one(tx).await?)
        },
    )
    .await
}
