//! Erasing a person's personal data on request (UU 27/2022 on personal data protection).
//!
//! Every place that keeps a person's PERSONAL data (see `crate::privacy::COLUMNS`) is
//! anonymised here, and the audit log keeps each event without the data. A new place that
//! stores personal data adds its step here.

use crate::account::{self, AccountStatus};
use crate::mail_delivery::{self, DeliveryStatus};
use crate::privacy::ERASED;
use crate::{account_token, audit_event, consent, person};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;

use crate::kernel::audit::redact;

/// The address an erased account is left with (unique, undeliverable).
pub fn erased_address(account: &account::Model) -> String {
    format!("dihapus-{}@invalid.terbuka", account.id.simple())
}

/// Anonymises `account` and every trace of its personal data (in the caller's transaction).
pub async fn erase_account<C: ConnectionTrait>(
    db: &C,
    account: &account::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use account::Column as A;
    account::Entity::update_many()
        .col_expr(A::Email, Expr::value(erased_address(account)))
        .col_expr(A::Name, Expr::value(ERASED))
        .col_expr(A::PasswordHash, Expr::value(Option::<String>::None))
        .col_expr(A::Status, Expr::value(AccountStatus::Deactivated))
        .col_expr(
            A::DeactivatedAt,
            Expr::value(account.deactivated_at.unwrap_or(now)),
        )
        .col_expr(A::ErasedAt, Expr::value(now))
        .col_expr(A::PersonId, Expr::value(Option::<uuid::Uuid>::None))
        .col_expr(A::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(A::UpdatedAt, Expr::value(now))
        .col_expr(A::Version, Expr::value(account.version + 1))
        .filter(A::Id.eq(account.id))
        .exec(db)
        .await?;
    account_token::Entity::delete_many()
        .filter(account_token::Column::AccountId.eq(account.id))
        .exec(db)
        .await?;

    // Mail to the person: what has not gone out is cancelled; the address and the content go.
    use mail_delivery::Column as M;
    mail_delivery::Entity::update_many()
        .col_expr(M::Status, Expr::value(DeliveryStatus::Cancelled))
        .filter(M::Recipient.eq(&account.email))
        .filter(M::Status.is_in([DeliveryStatus::Pending, DeliveryStatus::Failed]))
        .exec(db)
        .await?;
    mail_delivery::Entity::update_many()
        .col_expr(M::Recipient, Expr::value(erased_address(account)))
        .col_expr(M::Context, Expr::value(json!({})))
        .filter(M::Recipient.eq(&account.email))
        .exec(db)
        .await?;
    crate::notify::bounce::forget(db, None, &account.email).await?;

    // The audit log keeps the events, without the data.
    redact_audit(db, "Account", account.id).await?;
    audit_event::Entity::update_many()
        .col_expr(audit_event::Column::ActorLabel, Expr::value(ERASED))
        .filter(audit_event::Column::ActorId.eq(account.id))
        .exec(db)
        .await?;

    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(now))
        .filter(consent::Column::SubjectType.eq("Account"))
        .filter(consent::Column::SubjectId.eq(account.id))
        .filter(consent::Column::WithdrawnAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces the personal values in the audit events about one record.
async fn redact_audit<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    id: uuid::Uuid,
) -> Result<(), DbErr> {
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq(entity_type))
        .filter(audit_event::Column::EntityId.eq(id))
        .all(db)
        .await?;
    for e in events {
        let personal: Vec<String> =
            serde_json::from_value(e.personal_fields.clone()).unwrap_or_default();
        if personal.is_empty() {
            continue;
        }
        audit_event::Entity::update_many()
            .col_expr(
                audit_event::Column::Before,
                Expr::value(redact(&e.before, &personal, ERASED)),
            )
            .col_expr(
                audit_event::Column::After,
                Expr::value(redact(&e.after, &personal, ERASED)),
            )
            .filter(audit_event::Column::Id.eq(e.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Anonymises a person, and the account linked to them (in the caller's transaction).
pub async fn erase_person<C: ConnectionTrait>(
    db: &C,
    person: &person::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use person::Column as P;
    person::Entity::update_many()
        .col_expr(P::Name, Expr::value(ERASED))
        .col_expr(P::Email, Expr::value(Option::<String>::None))
        .col_expr(P::Phone, Expr::value(Option::<String>::None))
        .col_expr(P::ErasedAt, Expr::value(now))
        .col_expr(P::UpdatedAt, Expr::value(now))
        .col_expr(P::Version, Expr::value(person.version + 1))
        .filter(P::Id.eq(person.id))
        .exec(db)
        .await?;
    redact_audit(db, "Person", person.id).await?;
    if let Some(email) = &person.email {
        use mail_delivery::Column as M;
        mail_delivery::Entity::update_many()
            .col_expr(M::Status, Expr::value(DeliveryStatus::Cancelled))
            .filter(M::Recipient.eq(email))
            .filter(M::Status.is_in([DeliveryStatus::Pending, DeliveryStatus::Failed]))
            .exec(db)
            .await?;
        mail_delivery::Entity::update_many()
            .col_expr(
                M::Recipient,
                Expr::value(format!("dihapus-{}@invalid.terbuka", person.id.simple())),
            )
            .col_expr(M::Context, Expr::value(json!({})))
            .filter(M::Recipient.eq(email))
            .exec(db)
            .await?;
        crate::notify::bounce::forget(db, None, email).await?;
    }
    let accounts = account::Entity::find()
        .filter(account::Column::PersonId.eq(person.id))
        .all(db)
        .await?;
    for a in accounts {
        erase_account(db, &a, now).await?;
    }
    Ok(())
}

/// What erasing a member of the public touched.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CitizenErased {
    pub inputs: u64,
    pub registrations: u64,
    pub subscriptions: u64,
    /// Events where a seat was freed (the waitlist moves up).
    pub freed_seats: Vec<uuid::Uuid>,
}

/// Erases what a member of the public left with `email` in `member` (UU 27/2022): the name and
/// address on their inputs (the text stays, as a public record of the consultation), their
/// registrations (cancelled), their subscription, their consents and the mail to them; the
/// audit log keeps the events without the data.
pub async fn erase_citizen<C: ConnectionTrait>(
    db: &C,
    member: uuid::Uuid,
    email: &str,
    now: DateTime<Utc>,
) -> Result<CitizenErased, DbErr> {
    use crate::registration::{self, RegistrationStatus};
    use crate::{public_input, subscription};
    let mut done = CitizenErased::default();
    let mut subjects: Vec<(&str, uuid::Uuid)> = vec![];

    let inputs = public_input::Entity::find()
        .filter(public_input::Column::MemberId.eq(member))
        .filter(public_input::Column::AuthorEmail.eq(email))
        .all(db)
        .await?;
    for i in &inputs {
        public_input::Entity::update_many()
            .col_expr(public_input::Column::AuthorName, Expr::value(ERASED))
            .col_expr(
                public_input::Column::AuthorEmail,
                Expr::value(Option::<String>::None),
            )
            .col_expr(public_input::Column::UpdatedAt, Expr::value(now))
            .col_expr(public_input::Column::Version, Expr::value(i.version + 1))
            .filter(public_input::Column::Id.eq(i.id))
            .exec(db)
            .await?;
        subjects.push(("PublicInput", i.id));
    }
    done.inputs = inputs.len() as u64;

    let registrations = registration::Entity::find()
        .filter(registration::Column::MemberId.eq(member))
        .filter(registration::Column::Email.eq(email))
        .all(db)
        .await?;
    for r in &registrations {
        let mut update = registration::Entity::update_many()
            .col_expr(registration::Column::Name, Expr::value(ERASED))
            .col_expr(
                registration::Column::Email,
                Expr::value(format!("dihapus-{}@invalid.terbuka", r.id.simple())),
            )
            .col_expr(
                registration::Column::OrganisationName,
                Expr::value(Option::<String>::None),
            );
        if r.status == RegistrationStatus::Registered && !done.freed_seats.contains(&r.event_id) {
            done.freed_seats.push(r.event_id);
        }
        if r.status != RegistrationStatus::Cancelled {
            update = update
                .col_expr(
                    registration::Column::Status,
                    Expr::value(RegistrationStatus::Cancelled),
                )
                .col_expr(registration::Column::CancelledAt, Expr::value(now));
        }
        update
            .filter(registration::Column::Id.eq(r.id))
            .exec(db)
            .await?;
        subjects.push(("Registration", r.id));
    }
    done.registrations = registrations.len() as u64;

    let subs = subscription::Entity::find()
        .filter(subscription::Column::MemberId.eq(member))
        .filter(subscription::Column::Email.eq(email))
        .all(db)
        .await?;
    for s in &subs {
        subscription::Entity::delete_by_id(s.id).exec(db).await?;
        subjects.push(("Subscription", s.id));
    }
    done.subscriptions = subs.len() as u64;

    for (kind, id) in subjects {
        redact_audit(db, kind, id).await?;
        consent::Entity::update_many()
            .col_expr(consent::Column::WithdrawnAt, Expr::value(now))
            .filter(consent::Column::SubjectType.eq(kind))
            .filter(consent::Column::SubjectId.eq(id))
            .filter(consent::Column::WithdrawnAt.is_null())
            .exec(db)
            .await?;
    }
    use mail_delivery::Column as M;
    mail_delivery::Entity::update_many()
        .col_expr(M::Status, Expr::value(DeliveryStatus::Cancelled))
        .filter(M::MemberId.eq(member))
        .filter(M::Recipient.eq(email))
        .filter(M::Status.is_in([DeliveryStatus::Pending, DeliveryStatus::Failed]))
        .exec(db)
        .await?;
    mail_delivery::Entity::update_many()
        .col_expr(
            M::Recipient,
            Expr::value(format!(
                "dihapus-{}@invalid.terbuka",
                uuid::Uuid::now_v7().simple()
            )),
        )
        .col_expr(M::Context, Expr::value(json!({})))
        .filter(M::MemberId.eq(member))
        .filter(M::Recipient.eq(email))
        .exec(db)
        .await?;
    crate::notify::bounce::forget(db, Some(member), email).await?;
    Ok(done)
}
