//! Privacy classes, in one place.
//!
//! Every field the API exposes and every stored column that holds more than public data has a
//! class here. Resolvers, the audit log, feeds, calendars, downloads, reports and error messages
//! all ask this module; a test walks the GraphQL schema and fails on a field with no class.
//!
//! - **PUBLIC**: anyone may read it (published plans, public events, organisation names).
//! - **INTERNAL**: the partnership's own people (any role in the member, watchdogs included).
//! - **PERSONAL**: a person's contact and identity data (UU 27/2022): the member's admins and
//!   secretariat, and the person themself. Redacted for watchdogs, in the audit log too.
//! - **SECRET**: password hashes and tokens: never leave the server, never stored in the audit
//!   log, shown to nobody.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum Class {
    Public,
    Internal,
    Personal,
    Secret,
}

use Class::*;

/// GraphQL object fields and their classes, by type. A field not listed here is PUBLIC when its
/// type is in [`PUBLIC_TYPES`] (or is a connection, edge or payload), and unclassified
/// otherwise. Public records that are not yet published (a draft plan, an unsigned decree) are
/// hidden as a whole by `api::graphql::visibility`; their fields stay public here.
pub const FIELDS: &[(&str, &[(&str, Class)])] = &[
    (
        "Account",
        &[
            ("id", Internal),
            ("name", Internal),
            ("email", Personal),
            ("status", Internal),
            ("isOperator", Internal),
            ("lang", Internal),
            ("roles", Internal),
            ("lastLoginAt", Internal),
            ("deactivatedAt", Internal),
            ("erasedAt", Internal),
            ("createdAt", Internal),
            ("updatedAt", Internal),
            ("version", Internal),
        ],
    ),
    (
        "RoleGrant",
        &[
            ("id", Internal),
            ("account", Internal),
            ("member", Internal),
            ("role", Internal),
            ("grantedAt", Internal),
        ],
    ),
    (
        "AuditEvent",
        &[
            ("id", Internal),
            ("occurredAt", Internal),
            ("actor", Internal),
            ("actorLabel", Internal),
            ("member", Internal),
            ("entityType", Internal),
            ("entityId", Internal),
            ("action", Internal),
            ("before", Internal),
            ("after", Internal),
            ("requestId", Internal),
        ],
    ),
    (
        "Person",
        &[
            ("id", Internal),
            ("member", Internal),
            ("name", Internal),
            ("title", Internal),
            ("organisation", Internal),
            ("email", Personal),
            ("phone", Personal),
            ("account", Internal),
            ("erasedAt", Internal),
            ("createdAt", Internal),
            ("updatedAt", Internal),
            ("version", Internal),
        ],
    ),
    (
        "Membership",
        &[
            ("id", Internal),
            ("person", Internal),
            ("body", Internal),
            ("organisation", Internal),
            ("position", Internal),
            ("isContact", Internal),
            ("startsOn", Internal),
            ("endsOn", Internal),
            ("version", Internal),
        ],
    ),
    ("DecreeMember", &[("person", Internal)]),
    ("ProgressUpdate", &[("author", Internal)]),
    ("Secretariat", &[("staff", Internal)]),
    ("Commitment", &[("responsiblePeople", Internal)]),
    ("Milestone", &[("responsiblePeople", Internal)]),
    ("Member", &[("memberships", Internal)]),
    (
        "Event",
        &[("attendance", Internal), ("registrations", Personal)],
    ),
    (
        "Registration",
        &[
            ("id", Internal),
            ("name", Personal),
            ("email", Personal),
            ("organisationName", Personal),
            ("status", Internal),
            ("waitlistPosition", Internal),
            ("createdAt", Internal),
        ],
    ),
    (
        // What `subscribe` answers its caller: their own request, echoed.
        "SubscriptionRequest",
        &[
            ("memberId", Public),
            ("email", Personal),
            ("frequency", Internal),
            ("topics", Internal),
            ("lang", Internal),
            ("awaitingConfirmation", Public),
        ],
    ),
    ("AgendaItem", &[("speaker", Internal)]),
    (
        "MailDelivery",
        &[
            ("id", Internal),
            ("recipient", Personal),
            ("class", Internal),
            ("template", Internal),
            ("status", Internal),
            ("attempts", Internal),
            ("lastError", Internal),
            ("nextAttemptAt", Internal),
            ("createdAt", Internal),
            ("sentAt", Internal),
        ],
    ),
    (
        "Report",
        &[
            ("id", Internal),
            ("kind", Internal),
            ("format", Internal),
            ("language", Internal),
            ("status", Internal),
            ("progress", Internal),
            ("planId", Internal),
            ("eventId", Internal),
            ("assessmentId", Internal),
            ("requestedAt", Internal),
            ("startedAt", Internal),
            ("finishedAt", Internal),
            ("attempts", Internal),
            ("error", Internal),
            ("fileName", Internal),
            ("contentType", Internal),
            ("sizeBytes", Internal),
            ("pages", Internal),
            ("downloadUrl", Internal),
        ],
    ),
    (
        "BouncingAddress",
        &[
            ("address", Personal),
            ("hardBounces", Internal),
            ("softBounces", Internal),
            ("firstBounceAt", Internal),
            ("lastBounceAt", Internal),
            ("lastStatus", Internal),
            ("lastDiagnostic", Personal),
            ("held", Internal),
            ("heldSince", Internal),
        ],
    ),
    (
        "ClearBouncingAddressPayload",
        &[("cleared", Internal), ("resumedSubscriptions", Internal)],
    ),
    (
        "ScheduleRun",
        &[
            ("key", Internal),
            ("period", Internal),
            ("claimedBy", Internal),
            ("doneAt", Internal),
            ("mails", Internal),
        ],
    ),
    (
        "DigestSubscription",
        &[
            ("id", Internal),
            ("email", Personal),
            ("name", Personal),
            ("audience", Internal),
            ("frequency", Internal),
            ("lang", Internal),
            ("topics", Internal),
            ("alertsOff", Internal),
            ("status", Internal),
            ("confirmedAt", Internal),
            ("unsubscribedAt", Internal),
            ("createdAt", Internal),
            ("version", Internal),
        ],
    ),
    (
        "PublicInput",
        &[
            ("authorName", Personal),
            ("authorEmail", Personal),
            ("respondedBy", Internal),
            ("hidden", Internal),
            ("hiddenAt", Internal),
            ("hiddenReason", Internal),
            ("hiddenBy", Internal),
        ],
    ),
    (
        "Compliance",
        &[("from", Internal), ("to", Internal), ("checks", Internal)],
    ),
    (
        "ComplianceCheck",
        &[
            ("code", Internal),
            ("title", Internal),
            ("verdict", Internal),
            ("evidence", Internal),
            ("missing", Internal),
        ],
    ),
    ("FollowUp", &[("owners", Internal)]),
    (
        "Attendance",
        &[
            ("id", Internal),
            ("person", Internal),
            ("name", Personal),
            ("organisation", Internal),
            ("sector", Internal),
            ("gender", Internal),
        ],
    ),
    (
        "Task",
        &[
            ("kind", Internal),
            ("title", Internal),
            ("dueOn", Internal),
            ("overdue", Internal),
            ("followUp", Internal),
            ("milestone", Internal),
        ],
    ),
    (
        "Organisation",
        &[
            ("contactEmail", Internal),
            ("contactPhone", Internal),
            ("address", Internal),
            ("contacts", Internal),
        ],
    ),
    (
        "MailDelivery",
        &[
            ("id", Internal),
            ("class", Internal),
            ("recipient", Personal),
            ("template", Internal),
            ("status", Internal),
            ("attempts", Internal),
            ("lastError", Internal),
            ("createdAt", Internal),
            ("sentAt", Internal),
        ],
    ),
];

/// Types whose every field is PUBLIC (structural types and public records).
pub const PUBLIC_TYPES: &[&str] = &[
    "Node",
    "Member",
    // The national view: what the viewer sees of each plan was decided by
    // `entity::plans::national` (regional plans that are not public only for the national
    // member's people).
    "NationalOverview",
    "RegionOverview",
    "RegionalPlan",
    "ComplianceVerdict",
    "Organisation",
    "HeadOfRegionTerm",
    "Decree",
    "DecreeMember",
    "TeamOnDate",
    "Secretariat",
    "Channel",
    "Ambassador",
    "ActionPlan",
    "PlanPhase",
    "Commitment",
    "SupportingActor",
    "Milestone",
    "ProgressUpdate",
    "Assessment",
    "CommitmentValues",
    "AtAGlance",
    "StarredRule",
    "PlanDashboard",
    "DashboardCommitment",
    "StateCounts",
    "FundingSummary",
    "DevelopmentPlan",
    "DevelopmentGoal",
    "LegalReference",
    "BudgetLine",
    "NgoProgramme",
    "CommitmentFunding",
    "Event",
    "Venue",
    "RecurrenceRule",
    "AgendaItem",
    "AttendanceSummary",
    "FollowUp",
    "Publication",
    "Invitation",
    "Document",
    "RegistrationCounts",
    "PublicInput",
    "OnlineChannel",
    "Poll",
    "PollOption",
    "PageInfo",
    "UserError",
    // An import's answer goes only to the one who may import (it names codes and titles of
    // the plan, never a person).
    "SpreadsheetImport",
    "SpreadsheetRow",
    "SpreadsheetProblem",
    "Query",
    "Mutation",
    "Subscription",
];

/// The class of `field` on GraphQL type `ty`, if it is classified.
pub fn class_of(ty: &str, field: &str) -> Option<Class> {
    if let Some((_, fields)) = FIELDS.iter().find(|(t, _)| *t == ty)
        && let Some((_, c)) = fields.iter().find(|(f, _)| *f == field)
    {
        return Some(*c);
    }
    if PUBLIC_TYPES.contains(&ty)
        || ty.ends_with("Connection")
        || ty.ends_with("Edge")
        || ty.ends_with("Payload")
    {
        return Some(Public);
    }
    None
}

/// Stored columns that hold PERSONAL or SECRET data, by table: the audit log leaves SECRET
/// columns out and marks PERSONAL ones; erasure anonymises the PERSONAL ones.
pub const COLUMNS: &[(&str, &[(&str, Class)])] = &[
    (
        "account",
        &[
            ("email", Personal),
            ("name", Personal),
            ("password_hash", Secret),
            ("failed_logins", Secret),
            ("locked_until", Secret),
        ],
    ),
    ("account_session", &[("token_hash", Secret)]),
    (
        "person",
        &[("name", Personal), ("email", Personal), ("phone", Personal)],
    ),
    ("account_token", &[("token_hash", Secret)]),
    ("attendance", &[("name", Personal)]),
    ("poll_vote", &[("visitor_hash", Secret)]),
    (
        "registration",
        &[
            ("name", Personal),
            ("email", Personal),
            ("organisation_name", Personal),
            ("cancel_token_hash", Secret),
        ],
    ),
    (
        "public_input",
        &[("author_name", Personal), ("author_email", Personal)],
    ),
    ("subscription", &[("email", Personal), ("name", Personal)]),
    (
        "mail_delivery",
        &[("recipient", Personal), ("context", Personal)],
    ),
    (
        "mail_bounce",
        &[("address", Personal), ("diagnostic", Personal)],
    ),
    (
        "bouncing_address",
        &[("address", Personal), ("last_diagnostic", Personal)],
    ),
];

/// The columns of `table` in class `class`.
pub fn columns(table: &str, class: Class) -> impl Iterator<Item = &'static str> {
    COLUMNS
        .iter()
        .filter(move |(t, _)| *t == table)
        .flat_map(|(_, cols)| cols.iter())
        .filter(move |(_, c)| *c == class)
        .map(|(name, _)| *name)
}

/// What erased personal data reads as.
pub const ERASED: &str = "[dihapus]";
/// What personal data reads as for someone who may not see it.
pub const HIDDEN: &str = "[disembunyikan]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_looked_up_by_type_and_field() {
        assert_eq!(class_of("Account", "email"), Some(Personal));
        assert_eq!(class_of("Member", "name"), Some(Public));
        assert_eq!(class_of("MemberConnection", "totalCount"), Some(Public));
        assert_eq!(class_of("Account", "favouriteColour"), None);
        assert_eq!(class_of("Unknown", "x"), None);
        assert_eq!(
            columns("account", Secret).collect::<Vec<_>>(),
            ["password_hash", "failed_logins", "locked_until"]
        );
    }
}
