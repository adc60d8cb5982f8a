//! Who receives stakeholder mail (digests and alerts), keyed by member and normalised address:
//! how often, in which language, on which topics, and which alert kinds are switched off.
//!
//! Members of the public confirm by an emailed link (double opt-in, consent recorded); the
//! partnership's own people set theirs when signed in. Digests go only to CONFIRMED
//! subscriptions; transactional mail (password resets, registrations) does not depend on this.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum DigestFrequency {
        Daily => "DAILY",
        /// A week from Monday (the member's time zone).
        Weekly => "WEEKLY",
        /// No digests (alerts still come unless switched off).
        None => "NONE",
    }
}

crate::text_enum! {
    pub enum SubscriptionStatus {
        /// Waiting for the address to confirm.
        Pending => "PENDING",
        Confirmed => "CONFIRMED",
        Unsubscribed => "UNSUBSCRIBED",
        /// Confirmed, but its mail is held: the address bounced too often (see
        /// `notify::bounce`); back to CONFIRMED when an admin clears the address or the
        /// subscriber confirms again.
        Suspended => "SUSPENDED",
    }
}

crate::text_enum! {
    /// Who the subscriber is to the partnership.
    pub enum SubscriberKind {
        /// Someone with an account and a role in the member.
        Team => "TEAM",
        /// A contact person (PIC) of one of the member's organisations.
        Contact => "CONTACT",
        Public => "PUBLIC",
    }
}

crate::text_enum! {
    /// What a digest can be about.
    pub enum Topic {
        PlanProgress => "PLAN_PROGRESS",
        EventsAndInvitations => "EVENTS_AND_INVITATIONS",
        Publications => "PUBLICATIONS",
        Deadlines => "DEADLINES",
    }
}

crate::text_enum! {
    /// The kinds of deadline alert, each of which can be switched off.
    pub enum AlertKind {
        /// The plan's submission deadline.
        SubmissionDeadline => "SUBMISSION_DEADLINE",
        MilestoneDue => "MILESTONE_DUE",
        FollowUpDue => "FOLLOW_UP_DUE",
        /// OGP requirements about to lapse (forum, minutes, invitations, inception assessment).
        OgpRequirement => "OGP_REQUIREMENT",
    }
}

impl Topic {
    pub const ALL: [Topic; 4] = [
        Topic::PlanProgress,
        Topic::EventsAndInvitations,
        Topic::Publications,
        Topic::Deadlines,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    /// PERSONAL; lower-cased and trimmed, unique per member.
    pub email: String,
    /// PERSONAL.
    pub name: Option<String>,
    pub account_id: Option<Uuid>,
    pub audience: SubscriberKind,
    pub frequency: DigestFrequency,
    pub lang: String,
    /// `["PLAN_PROGRESS", …]`.
    pub topics: Json,
    /// Alert kinds switched off: `["MILESTONE_DUE", …]`.
    pub alerts_off: Json,
    pub status: SubscriptionStatus,
    pub requested_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub unsubscribed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

impl Model {
    pub fn topics(&self) -> Vec<Topic> {
        serde_json::from_value(self.topics.clone()).unwrap_or_default()
    }

    pub fn alerts_off(&self) -> Vec<AlertKind> {
        serde_json::from_value(self.alerts_off.clone()).unwrap_or_default()
    }

    /// Whether mail of `class` about `alert` may go to this address now.
    pub fn wants(&self, class: crate::mail_delivery::MailClass, alert: Option<AlertKind>) -> bool {
        use crate::mail_delivery::MailClass;
        match class {
            MailClass::Transactional => true,
            MailClass::Digest => {
                self.status == SubscriptionStatus::Confirmed
                    && self.frequency != DigestFrequency::None
            }
            MailClass::Alert => {
                self.status == SubscriptionStatus::Confirmed
                    && alert.is_none_or(|a| !self.alerts_off().contains(&a))
            }
        }
    }
}

/// The form an address is kept in: trimmed and lower-cased.
pub fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail_delivery::MailClass;

    fn sub(status: SubscriptionStatus, frequency: DigestFrequency, off: &[AlertKind]) -> Model {
        let now = chrono::DateTime::UNIX_EPOCH;
        Model {
            id: Uuid::nil(),
            member_id: Uuid::nil(),
            email: "a@example.org".into(),
            name: None,
            account_id: None,
            audience: SubscriberKind::Public,
            frequency,
            lang: "id".into(),
            topics: serde_json::json!(["DEADLINES"]),
            alerts_off: serde_json::json!(off),
            status,
            requested_at: now,
            confirmed_at: None,
            unsubscribed_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn only_a_confirmed_subscription_gets_stakeholder_mail_and_alerts_switch_off_per_kind() {
        use SubscriptionStatus::*;
        let confirmed = sub(
            Confirmed,
            DigestFrequency::Weekly,
            &[AlertKind::MilestoneDue],
        );
        assert!(confirmed.wants(MailClass::Digest, None));
        assert!(confirmed.wants(MailClass::Alert, Some(AlertKind::SubmissionDeadline)));
        assert!(!confirmed.wants(MailClass::Alert, Some(AlertKind::MilestoneDue)));
        for s in [Pending, Unsubscribed, Suspended] {
            let other = sub(s, DigestFrequency::Weekly, &[]);
            assert!(!other.wants(MailClass::Digest, None));
            assert!(!other.wants(MailClass::Alert, Some(AlertKind::SubmissionDeadline)));
            // Transactional mail does not depend on a subscription.
            assert!(other.wants(MailClass::Transactional, None));
        }
        let alerts_only = sub(Confirmed, DigestFrequency::None, &[]);
        assert!(!alerts_only.wants(MailClass::Digest, None));
        assert!(alerts_only.wants(MailClass::Alert, Some(AlertKind::FollowUpDue)));
        assert_eq!(normalise("  Warga@Example.ORG "), "warga@example.org");
    }
}
