//! One report that mail did not reach an address: a permanent refusal while sending (the
//! SMTP server answered 5xx to the recipient or the message), or a delivery-status
//! notification (RFC 3464) that a mail server sent back later. Kept as reported; the
//! `dedupe_key` is unique, so the same report counts once however often it arrives.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Whether trying again can help.
    pub enum BounceKind {
        /// The address does not take mail (5.x.x: no such mailbox, domain gone): counted
        /// towards holding the address's mail.
        Hard => "HARD",
        /// For now (4.x.x: mailbox full, server busy, delayed): the sender keeps retrying;
        /// never holds an address.
        Soft => "SOFT",
    }
}

crate::text_enum! {
    /// Who told.
    pub enum BounceSource {
        /// Our own SMTP server refused while we were sending.
        Smtp => "SMTP",
        /// A delivery-status notification, posted to `/mail/bounces` or read from the maildir.
        Dsn => "DSN",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mail_bounce")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub dedupe_key: String,
    /// The member whose mail bounced (none for mail of no member, like an operator's test).
    pub member_id: Option<Uuid>,
    /// PERSONAL: the address that bounced, lower case.
    pub address: String,
    pub kind: BounceKind,
    pub source: BounceSource,
    /// The enhanced status (`5.1.1`) or the SMTP reply code (`550`).
    pub status: Option<String>,
    /// PERSONAL: what the server said (it often repeats the address).
    pub diagnostic: String,
    /// The message that bounced, when it is known.
    pub delivery_id: Option<Uuid>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
