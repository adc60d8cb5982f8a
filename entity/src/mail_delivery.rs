//! One e-mail message to one recipient, recorded before it is sent.
//!
//! The `dedupe_key` is unique, so the same message (recipient × kind × period or deadline) can
//! only ever be recorded once. A sender claims the record with a lease before talking to SMTP and
//! marks it sent in its own commit after the server accepted it; a claim whose lease ran out
//! (its process died) is taken over by the next sender.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// The three classes of mail, which differ in who may opt out.
    pub enum MailClass {
        /// Password resets, registration confirmations: always sent.
        Transactional => "TRANSACTIONAL",
        /// Deadline alerts: can be switched off per kind.
        Alert => "ALERT",
        /// Scheduled digests: only to confirmed subscribers, with one-click unsubscribe.
        Digest => "DIGEST",
    }
}

crate::text_enum! {
    /// Where a message is in its life.
    pub enum DeliveryStatus {
        /// Recorded, waiting for a sender.
        Pending => "PENDING",
        /// Claimed by a sender until `lease_until`.
        Sending => "SENDING",
        /// Accepted by the SMTP server (or written to the outbox).
        Sent => "SENT",
        /// Gave up after the allowed attempts; visible to admins, who can retry it.
        Failed => "FAILED",
        /// Nothing to say (an empty digest) or nobody to say it to (unsubscribed).
        Skipped => "SKIPPED",
        /// No longer relevant (the deadline moved, the milestone was done).
        Cancelled => "CANCELLED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mail_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub dedupe_key: String,
    pub class: MailClass,
    pub member_id: Option<Uuid>,
    /// PERSONAL: the recipient's address.
    pub recipient: String,
    pub lang: String,
    /// The template family (`test`, `password_reset`, `digest`, …).
    pub template: String,
    /// What the template renders (JSON object).
    pub context: Json,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// When a retry is due; the sweeper leaves a message alone until then.
    pub next_attempt_at: DateTimeUtc,
    pub message_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
