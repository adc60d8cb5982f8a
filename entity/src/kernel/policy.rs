//! Who may do what, in one table. Every mutation and every sensitive query names its rule
//! here; an operation asks [`allows`] before it reads or writes anything, and the
//! authorization-matrix test checks every mutation in the schema against its own expectations.

use uuid::Uuid;

use super::Actor as Viewer;
use crate::role_grant::Role;

/// A permission rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// The deployment's operators.
    Operator,
    /// One of these roles in the member the record belongs to (operators always pass).
    InMember(&'static [Role]),
    /// An admin of some member (operators pass).
    AnyAdmin,
}

const ADMIN: &[Role] = &[Role::Admin];
const ADMIN_SECRETARIAT: &[Role] = &[Role::Admin, Role::Secretariat];
const ADMIN_WATCHDOG: &[Role] = &[Role::Admin, Role::Watchdog];
const ANY_ROLE: &[Role] = &[
    Role::Admin,
    Role::Secretariat,
    Role::TeamMember,
    Role::Watchdog,
];

/// Mutations and sensitive queries with their rules.
pub const RULES: &[(&str, Rule)] = &[
    // Accounts and sessions.
    ("login", Rule::Public),
    ("logout", Rule::SignedIn),
    ("changePassword", Rule::SignedIn),
    ("requestPasswordReset", Rule::Public),
    ("resetPassword", Rule::Public),
    ("acceptInvitation", Rule::Public),
    ("inviteAccount", Rule::InMember(ADMIN)),
    ("grantRole", Rule::InMember(ADMIN)),
    ("revokeRole", Rule::InMember(ADMIN)),
    ("deactivateAccount", Rule::InMember(ADMIN)),
    ("reactivateAccount", Rule::InMember(ADMIN)),
    ("eraseAccount", Rule::InMember(ADMIN)),
    ("eraseCitizen", Rule::InMember(ADMIN)),
    ("accounts", Rule::InMember(ADMIN)),
    ("auditLog", Rule::InMember(ADMIN_WATCHDOG)),
    // The partnership.
    ("createMember", Rule::Operator),
    ("updateMember", Rule::InMember(ADMIN)),
    ("createOrganisation", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateOrganisation", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteOrganisation", Rule::InMember(ADMIN)),
    // People.
    ("people", Rule::InMember(ANY_ROLE)),
    ("createPerson", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updatePerson", Rule::InMember(ADMIN_SECRETARIAT)),
    ("linkAccountToPerson", Rule::InMember(ADMIN)),
    ("erasePerson", Rule::InMember(ADMIN)),
    // Plans, commitments, milestones, assessments.
    ("createPlan", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updatePlan", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionPlan", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setPlanPhases", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createCommitment", Rule::InMember(ADMIN_SECRETARIAT)),
    // The office's spreadsheets, each row then checked by its own operation's rule.
    ("importSpreadsheet", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateCommitment", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionCommitment", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setCommitmentActors", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setCommitmentPeople", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createMilestone", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateMilestone", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionMilestone", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setMilestonePeople", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteMilestone", Rule::InMember(ADMIN_SECRETARIAT)),
    ("reportMilestoneProgress", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createAssessment", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateAssessment", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setCommitmentValues", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateStarredRule", Rule::Operator),
    // The partnership: heads of region, memberships, the decree, the secretariat, ambassadors.
    ("createHeadOfRegionTerm", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateHeadOfRegionTerm", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteHeadOfRegionTerm", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createMembership", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateMembership", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteMembership", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createDecree", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateDecree", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionDecree", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setDecreeAppendix", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createSecretariat", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateSecretariat", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createAmbassador", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateAmbassador", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteAmbassador", Rule::InMember(ADMIN_SECRETARIAT)),
    ("memberships", Rule::InMember(ANY_ROLE)),
    // Alignment and budget.
    ("createDevelopmentPlan", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateDevelopmentPlan", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createDevelopmentGoal", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateDevelopmentGoal", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createLegalReference", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateLegalReference", Rule::InMember(ADMIN_SECRETARIAT)),
    ("alignCommitment", Rule::InMember(ADMIN_SECRETARIAT)),
    ("unalignCommitment", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createBudgetLine", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateBudgetLine", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createNgoProgramme", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateNgoProgramme", Rule::InMember(ADMIN_SECRETARIAT)),
    ("addFunding", Rule::InMember(ADMIN_SECRETARIAT)),
    ("removeFunding", Rule::InMember(ADMIN_SECRETARIAT)),
    // Events, attendance and follow-ups.
    ("createEvent", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateEvent", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionEvent", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setEventAgenda", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setEventOrganisations", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteEvent", Rule::InMember(ADMIN_SECRETARIAT)),
    ("recordAttendance", Rule::InMember(ADMIN_SECRETARIAT)),
    ("removeAttendance", Rule::InMember(ADMIN_SECRETARIAT)),
    ("createFollowUp", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateFollowUp", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionFollowUp", Rule::InMember(ADMIN_SECRETARIAT)),
    ("setFollowUpOwners", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteFollowUp", Rule::InMember(ADMIN_SECRETARIAT)),
    ("followUps", Rule::InMember(ANY_ROLE)),
    ("coCreationCompliance", Rule::InMember(ANY_ROLE)),
    ("myTasks", Rule::SignedIn),
    // Invitations and registrations.
    ("publishInvitation", Rule::InMember(ADMIN_SECRETARIAT)),
    ("registerForEvent", Rule::Public),
    ("cancelRegistration", Rule::Public),
    ("registrations", Rule::InMember(ADMIN_SECRETARIAT)),
    // Evidence.
    ("attachDocument", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteDocument", Rule::InMember(ADMIN_SECRETARIAT)),
    // Publications.
    ("createPublication", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updatePublication", Rule::InMember(ADMIN_SECRETARIAT)),
    ("transitionPublication", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deletePublication", Rule::InMember(ADMIN_SECRETARIAT)),
    ("recordView", Rule::Public),
    ("votePoll", Rule::Public),
    // Public input and its reasoned responses; channels.
    ("submitPublicInput", Rule::Public),
    ("recordPublicInput", Rule::InMember(ADMIN_SECRETARIAT)),
    ("respondToPublicInput", Rule::InMember(ADMIN_SECRETARIAT)),
    ("hidePublicInput", Rule::InMember(ADMIN_SECRETARIAT)),
    ("restorePublicInput", Rule::InMember(ADMIN)),
    ("createOnlineChannel", Rule::InMember(ADMIN_SECRETARIAT)),
    ("updateOnlineChannel", Rule::InMember(ADMIN_SECRETARIAT)),
    ("deleteOnlineChannel", Rule::InMember(ADMIN_SECRETARIAT)),
    // Subscriptions to digests and alerts.
    ("subscribe", Rule::Public),
    ("confirmSubscription", Rule::Public),
    ("unsubscribe", Rule::Public),
    ("updateMySubscription", Rule::InMember(ANY_ROLE)),
    ("subscriptions", Rule::InMember(ADMIN_SECRETARIAT)),
    ("mySubscription", Rule::SignedIn),
    // Mail.
    ("mailDeliveries", Rule::InMember(ADMIN)),
    ("scheduleRuns", Rule::InMember(ADMIN)),
    ("retryMailDelivery", Rule::InMember(ADMIN)),
    // Addresses whose mail bounces: the secretariat sees them (it gets their alerts), admins
    // clear one that works again.
    ("bouncingAddresses", Rule::InMember(ADMIN_SECRETARIAT)),
    ("clearBouncingAddress", Rule::InMember(ADMIN)),
    // Reports: anyone in the partnership may ask for one and download it.
    ("requestReport", Rule::InMember(ANY_ROLE)),
    // `reports`, `report(id)`, `reportProgress` and the download.
    ("reports", Rule::InMember(ANY_ROLE)),
    ("sendTestEmail", Rule::AnyAdmin),
];

/// The rule of `name`. A mutation without one is refused outright (and fails the tests).
pub fn rule(name: &str) -> Option<Rule> {
    RULES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

/// Whether `viewer` passes `rule` for a record of `member`.
pub fn allows(viewer: &Viewer, rule: Rule, member: Option<Uuid>) -> bool {
    match rule {
        Rule::Public => true,
        Rule::SignedIn => viewer.is_signed_in(),
        Rule::Operator => viewer.is_operator(),
        Rule::InMember(roles) => match member {
            Some(m) => viewer.has(m, roles),
            None => viewer.is_operator(),
        },
        Rule::AnyAdmin => {
            viewer.is_operator() || viewer.roles.iter().any(|(_, r)| *r == Role::Admin)
        }
    }
}

/// Whether the viewer may see records of `member` that are not public: when not, a record of
/// that member is answered NOT_FOUND, so its existence does not leak.
pub fn sees_member(viewer: &Viewer, member: Uuid) -> bool {
    viewer.belongs_to(member)
}
