//! The authorization matrix: every mutation in the schema (and the sensitive queries), run as
//! every role with valid input. Allowed cells succeed; refused cells answer FORBIDDEN or
//! UNAUTHENTICATED, never a validation error. A mutation this table does not know fails the
//! test, and so does one without a permission rule in `api::graphql::policy`.

use std::collections::BTreeMap;

use chrono::Utc;
use entity::role_grant::Role;
use entity::{account, account_token, organisation};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::foundation::create_member;
use crate::helpers::*;

const ROLES: [&str; 8] = [
    "anonymous",
    "no role",
    "team member",
    "watchdog",
    "secretariat",
    "admin",
    "admin elsewhere",
    "operator",
];

/// Who may run each mutation (by the roles above). Everyone else is refused.
const EXPECTED: &[(&str, &[&str])] = &[
    ("login", &ROLES),
    (
        "logout",
        &[
            "no role",
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "admin elsewhere",
            "operator",
        ],
    ),
    (
        "changePassword",
        &[
            "no role",
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "admin elsewhere",
            "operator",
        ],
    ),
    ("requestPasswordReset", &ROLES),
    ("resetPassword", &ROLES),
    ("acceptInvitation", &ROLES),
    ("inviteAccount", &["admin", "operator"]),
    ("grantRole", &["admin", "operator"]),
    ("revokeRole", &["admin", "operator"]),
    ("deactivateAccount", &["admin", "operator"]),
    ("reactivateAccount", &["admin", "operator"]),
    ("eraseAccount", &["admin", "operator"]),
    ("createMember", &["operator"]),
    ("updateMember", &["admin", "operator"]),
    ("createOrganisation", &["secretariat", "admin", "operator"]),
    ("updateOrganisation", &["secretariat", "admin", "operator"]),
    ("deleteOrganisation", &["admin", "operator"]),
    ("sendTestEmail", &["admin", "admin elsewhere", "operator"]),
    ("createPerson", &["secretariat", "admin", "operator"]),
    ("updatePerson", &["secretariat", "admin", "operator"]),
    ("linkAccountToPerson", &["admin", "operator"]),
    ("erasePerson", &["admin", "operator"]),
    // The action plan.
    ("createPlan", ADMIN_SECRETARIAT),
    ("updatePlan", ADMIN_SECRETARIAT),
    ("transitionPlan", ADMIN_SECRETARIAT),
    ("setPlanPhases", ADMIN_SECRETARIAT),
    ("createCommitment", ADMIN_SECRETARIAT),
    ("updateCommitment", ADMIN_SECRETARIAT),
    ("transitionCommitment", ADMIN_SECRETARIAT),
    ("setCommitmentActors", ADMIN_SECRETARIAT),
    ("setCommitmentPeople", ADMIN_SECRETARIAT),
    ("createMilestone", ADMIN_SECRETARIAT),
    ("updateMilestone", ADMIN_SECRETARIAT),
    ("transitionMilestone", ADMIN_SECRETARIAT),
    ("setMilestonePeople", ADMIN_SECRETARIAT),
    ("deleteMilestone", ADMIN_SECRETARIAT),
    ("reportMilestoneProgress", ADMIN_SECRETARIAT),
    ("createAssessment", ADMIN_SECRETARIAT),
    ("updateAssessment", ADMIN_SECRETARIAT),
    ("setCommitmentValues", ADMIN_SECRETARIAT),
    ("updateStarredRule", &["operator"]),
    // The partnership.
    ("createHeadOfRegionTerm", ADMIN_SECRETARIAT),
    ("updateHeadOfRegionTerm", ADMIN_SECRETARIAT),
    ("deleteHeadOfRegionTerm", ADMIN_SECRETARIAT),
    ("createMembership", ADMIN_SECRETARIAT),
    ("updateMembership", ADMIN_SECRETARIAT),
    ("deleteMembership", ADMIN_SECRETARIAT),
    ("createDecree", ADMIN_SECRETARIAT),
    ("updateDecree", ADMIN_SECRETARIAT),
    ("transitionDecree", ADMIN_SECRETARIAT),
    ("setDecreeAppendix", ADMIN_SECRETARIAT),
    ("createSecretariat", ADMIN_SECRETARIAT),
    ("updateSecretariat", ADMIN_SECRETARIAT),
    ("createAmbassador", ADMIN_SECRETARIAT),
    ("updateAmbassador", ADMIN_SECRETARIAT),
    ("deleteAmbassador", ADMIN_SECRETARIAT),
    // Events, attendance and follow-ups.
    ("createEvent", ADMIN_SECRETARIAT),
    ("updateEvent", ADMIN_SECRETARIAT),
    ("transitionEvent", ADMIN_SECRETARIAT),
    ("setEventAgenda", ADMIN_SECRETARIAT),
    ("setEventOrganisations", ADMIN_SECRETARIAT),
    ("deleteEvent", ADMIN_SECRETARIAT),
    ("recordAttendance", ADMIN_SECRETARIAT),
    ("removeAttendance", ADMIN_SECRETARIAT),
    ("createFollowUp", ADMIN_SECRETARIAT),
    ("updateFollowUp", ADMIN_SECRETARIAT),
    ("transitionFollowUp", ADMIN_SECRETARIAT),
    ("setFollowUpOwners", ADMIN_SECRETARIAT),
    ("deleteFollowUp", ADMIN_SECRETARIAT),
    // Invitations and registrations.
    ("publishInvitation", ADMIN_SECRETARIAT),
    ("registerForEvent", &ROLES),
    ("cancelRegistration", &ROLES),
    // Evidence.
    ("attachDocument", ADMIN_SECRETARIAT),
    ("deleteDocument", ADMIN_SECRETARIAT),
    // Spreadsheets.
    ("importSpreadsheet", ADMIN_SECRETARIAT),
    // Publications.
    ("createPublication", ADMIN_SECRETARIAT),
    ("updatePublication", ADMIN_SECRETARIAT),
    ("transitionPublication", ADMIN_SECRETARIAT),
    ("deletePublication", ADMIN_SECRETARIAT),
    ("recordView", &ROLES),
    ("votePoll", &ROLES),
    // Public input and channels.
    ("submitPublicInput", &ROLES),
    ("recordPublicInput", ADMIN_SECRETARIAT),
    ("respondToPublicInput", ADMIN_SECRETARIAT),
    ("hidePublicInput", ADMIN_SECRETARIAT),
    ("restorePublicInput", &["admin", "operator"]),
    ("createOnlineChannel", ADMIN_SECRETARIAT),
    ("updateOnlineChannel", ADMIN_SECRETARIAT),
    ("deleteOnlineChannel", ADMIN_SECRETARIAT),
    // The worker's jobs.
    ("retryMailDelivery", &["admin", "operator"]),
    ("clearBouncingAddress", &["admin", "operator"]),
    (
        "requestReport",
        &[
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "operator",
        ],
    ),
    ("eraseCitizen", &["admin", "operator"]),
    // Subscriptions.
    ("subscribe", &ROLES),
    ("confirmSubscription", &ROLES),
    ("unsubscribe", &ROLES),
    (
        "updateMySubscription",
        &[
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "operator",
        ],
    ),
    // Alignment and budget.
    ("createDevelopmentPlan", ADMIN_SECRETARIAT),
    ("updateDevelopmentPlan", ADMIN_SECRETARIAT),
    ("createDevelopmentGoal", ADMIN_SECRETARIAT),
    ("updateDevelopmentGoal", ADMIN_SECRETARIAT),
    ("createLegalReference", ADMIN_SECRETARIAT),
    ("updateLegalReference", ADMIN_SECRETARIAT),
    ("alignCommitment", ADMIN_SECRETARIAT),
    ("unalignCommitment", ADMIN_SECRETARIAT),
    ("createBudgetLine", ADMIN_SECRETARIAT),
    ("updateBudgetLine", ADMIN_SECRETARIAT),
    ("createNgoProgramme", ADMIN_SECRETARIAT),
    ("updateNgoProgramme", ADMIN_SECRETARIAT),
    ("addFunding", ADMIN_SECRETARIAT),
    ("removeFunding", ADMIN_SECRETARIAT),
];

const ADMIN_SECRETARIAT: &[&str] = &["secretariat", "admin", "operator"];

/// Sensitive queries and who may run them.
const EXPECTED_QUERIES: &[(&str, &str, &[&str])] = &[
    (
        "accounts",
        "query($m: ID!) { accounts(memberId: $m) { totalCount } }",
        &["admin", "operator"],
    ),
    (
        "auditLog",
        "query($m: ID!) { auditLog(memberId: $m) { totalCount } }",
        &["watchdog", "admin", "operator"],
    ),
    (
        "people",
        "query($m: ID!) { people(memberId: $m) { totalCount } }",
        &[
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "operator",
        ],
    ),
    (
        "followUps",
        "query($m: ID!) { followUps(memberId: $m) { id } }",
        &[
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "operator",
        ],
    ),
    (
        "myTasks",
        "query($m: ID!) { __typename m: member(id: $m) { id } myTasks { title } }",
        &[
            "no role",
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "admin elsewhere",
            "operator",
        ],
    ),
    (
        "subscriptions",
        "query($m: ID!) { subscriptions(memberId: $m) { id } }",
        ADMIN_SECRETARIAT,
    ),
    (
        "reports",
        "query($m: ID!) { reports(memberId: $m) { id } }",
        &[
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "operator",
        ],
    ),
    (
        "mailDeliveries",
        "query($m: ID!) { mailDeliveries(memberId: $m) { id } }",
        &["admin", "operator"],
    ),
    (
        "scheduleRuns",
        "query($m: ID!) { scheduleRuns(memberId: $m) { key } }",
        &["admin", "operator"],
    ),
    (
        "bouncingAddresses",
        "query($m: ID!) { bouncingAddresses(memberId: $m) { address } }",
        &["secretariat", "admin", "operator"],
    ),
    (
        "mySubscription",
        "query($m: ID!) { mySubscription(memberId: $m) { id } }",
        &[
            "no role",
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "admin elsewhere",
            "operator",
        ],
    ),
    (
        "memberships",
        "query($m: ID!) { member(id: $m) { memberships { id } } }",
        &[
            "team member",
            "watchdog",
            "secretariat",
            "admin",
            "operator",
        ],
    ),
];

struct World {
    member: String,
    member_id: Uuid,
    tokens: BTreeMap<&'static str, Option<String>>,
    accounts: BTreeMap<&'static str, Uuid>,
    seq: std::cell::Cell<u32>,
}

impl World {
    fn next(&self) -> u32 {
        let n = self.seq.get() + 1;
        self.seq.set(n);
        n
    }
}

async fn target(app: &TestApp, w: &World, roles: &[Role]) -> (Uuid, String) {
    let n = w.next();
    let grants: Vec<(Uuid, Role)> = roles.iter().map(|r| (w.member_id, *r)).collect();
    let (id, _) = app
        .account(&format!("target{n}@bojonegorokab.go.id"), &grants)
        .await;
    (id, api::graphql::ids::encode("Account", id).to_string())
}

async fn org(app: &TestApp, w: &World) -> String {
    let id = Uuid::now_v7();
    let name = format!("Org {}", w.next());
    organisation::Entity::insert(organisation::ActiveModel {
        id: Set(id),
        member_id: Set(w.member_id),
        name_key: Set(name.to_lowercase()),
        name: Set(name),
        acronym: Set(None),
        kind: Set(entity::organisation::OrganisationKind::Ngo),
        parent_id: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        version: Set(1),
        ..Default::default()
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    api::graphql::ids::encode("Organisation", id).to_string()
}

async fn person(app: &TestApp, w: &World) -> String {
    use entity::person;
    let id = Uuid::now_v7();
    person::Entity::insert(person::ActiveModel {
        id: Set(id),
        member_id: Set(w.member_id),
        name: Set(format!("Orang {}", w.next())),
        title: Set(None),
        organisation_id: Set(None),
        email: Set(Some("orang@example.org".into())),
        phone: Set(Some("+62 353 881826".into())),
        erased_at: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        version: Set(1),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    api::graphql::ids::encode("Person", id).to_string()
}

async fn plan(app: &TestApp, w: &World) -> (String, i64) {
    make(
        app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": w.member, "level": "REGIONAL", "title": format!("Renaksi {}", w.next()),
               "periodStart": "2018-09-01", "periodEnd": "2020-08-31", "submissionDeadline": "2018-08-31"}),
    )
    .await
}

async fn commitment(app: &TestApp, w: &World) -> (String, i64) {
    let (plan, _) = plan(app, w).await;
    make(
        app,
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": plan, "title": format!("Komitmen {}", w.next()), "ogpValues": ["ACCESS_TO_INFORMATION"]}),
    )
    .await
}

async fn milestone(app: &TestApp, w: &World) -> (String, i64) {
    let (commitment, _) = commitment(app, w).await;
    make(
        app,
        "createMilestone",
        "CreateMilestoneInput",
        "milestone",
        json!({"commitmentId": commitment, "title": format!("Kegiatan {}", w.next()),
               "startsOn": "2018-09-01", "endsOn": "2018-12-31", "weight": 1}),
    )
    .await
}

async fn assessment(app: &TestApp, w: &World) -> (String, String) {
    let (commitment, _) = commitment(app, w).await;
    let data = app
        .ok_as(
            Some(&app.operator),
            "query($id: ID!) { commitment(id: $id) { plan { id } } }",
            json!({"id": commitment}),
        )
        .await;
    let (id, _) = make(
        app,
        "createAssessment",
        "CreateAssessmentInput",
        "assessment",
        json!({"planId": data["commitment"]["plan"]["id"], "kind": "IRM_DESIGN", "framework": "IRM_PRE_2020",
               "title": format!("Laporan IRM {}", w.next())}),
    )
    .await;
    (id, commitment)
}

async fn decree(app: &TestApp, w: &World) -> (String, i64) {
    make(
        app,
        "createDecree",
        "CreateDecreeInput",
        "decree",
        json!({"memberId": w.member, "number": format!("188/{}/KEP/412.013/2018", w.next()),
               "title": "Tim Kemitraan Pemerintahan Terbuka"}),
    )
    .await
}

/// An event of the member, PLANNED, starting before the test clock (so it can be held).
async fn event(app: &TestApp, w: &World) -> (String, i64) {
    make(
        app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": w.member, "kind": "TEAM_MEETING", "title": format!("Rapat {}", w.next()),
               "startsAt": "2018-06-28T12:00:00+07:00"}),
    )
    .await
}

async fn follow_up(app: &TestApp, w: &World) -> (String, i64) {
    let (event, _) = event(app, w).await;
    make(
        app,
        "createFollowUp",
        "CreateFollowUpInput",
        "followUp",
        json!({"memberId": w.member, "eventId": event, "description": format!("Tindak lanjut {}", w.next()),
               "dueOn": "2018-07-31"}),
    )
    .await
}

/// A public seminar with an open invitation (registration is open on the test clock).
async fn open_event(app: &TestApp, w: &World) -> String {
    let (id, _) = make(
        app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": w.member, "kind": "SEMINAR", "isPublic": true, "title": format!("Seminar {}", w.next()),
               "startsAt": "2018-08-10T09:00:00+07:00"}),
    )
    .await;
    let p = app
        .mutate_as(
            Some(&app.operator),
            "publishInvitation",
            "PublishInvitationInput",
            "userErrors { code }",
            json!({"eventId": id, "channels": ["WEBSITE"]}),
        )
        .await;
    assert_eq!(p["userErrors"], json!([]), "{p}");
    id
}

/// A news post of the member, as a draft or published (with a poll).
async fn post(app: &TestApp, w: &World, published: bool) -> (String, i64) {
    let (id, v) = make(
        app,
        "createPublication",
        "CreatePublicationInput",
        "publication",
        json!({"memberId": w.member, "title": format!("Berita {}", w.next()), "body": "Isi berita.",
               "pollQuestion": "Bagaimana Tanggapan Anda?"}),
    )
    .await;
    if !published {
        return (id, v);
    }
    app.record_as(
        Some(&app.operator),
        "transitionPublication",
        "TransitionPublicationInput",
        "publication",
        json!({"id": id, "version": v, "to": "PUBLISHED"}),
    )
    .await
}

/// A plan of the member open for public review (the public can send input on it).
async fn review_plan(app: &TestApp, w: &World) -> String {
    let (id, mut v) = plan(app, w).await;
    for to in ["CO_CREATION", "DRAFTING", "PUBLIC_REVIEW"] {
        v = make(
            app,
            "transitionPlan",
            "TransitionPlanInput",
            "plan",
            json!({"id": id, "version": v, "to": to}),
        )
        .await
        .1;
    }
    id
}

/// An input noted by the secretariat, hidden or not.
async fn input(app: &TestApp, w: &World, hidden: bool) -> (String, i64) {
    let (plan, _) = plan(app, w).await;
    let (id, v) = make(
        app,
        "recordPublicInput",
        "RecordPublicInputInput",
        "publicInput",
        json!({"planId": plan, "source": "WRITTEN", "body": format!("Masukan {}", w.next())}),
    )
    .await;
    if !hidden {
        return (id, v);
    }
    make(
        app,
        "hidePublicInput",
        "HidePublicInputInput",
        "publicInput",
        json!({"id": id, "version": v, "reason": "Iklan, bukan masukan"}),
    )
    .await
}

async fn channel(app: &TestApp, w: &World) -> (String, i64) {
    make(
        app,
        "createOnlineChannel",
        "CreateOnlineChannelInput",
        "onlineChannel",
        json!({"memberId": w.member, "kind": "INSTAGRAM", "name": format!("Kanal {}", w.next())}),
    )
    .await
}

async fn created(app: &TestApp, w: &World, mutation: &str) -> (String, i64) {
    let n = w.next();
    let (input_type, field, input) = match mutation {
        "createHeadOfRegionTerm" => (
            "CreateHeadOfRegionTermInput",
            "term",
            json!({"memberId": w.member, "name": format!("Bupati {n}"), "inauguratedOn": "2018-09-24", "endsOn": "2023-09-24"}),
        ),
        "createMembership" => (
            "CreateMembershipInput",
            "membership",
            json!({"memberId": w.member, "personId": person(app, w).await, "body": "ORGANISATION", "organisationId": org(app, w).await}),
        ),
        "createSecretariat" => (
            "CreateSecretariatInput",
            "secretariat",
            json!({"memberId": w.member, "venueName": "Ruang PPID"}),
        ),
        "createAmbassador" => (
            "CreateAmbassadorInput",
            "ambassador",
            json!({"memberId": w.member, "personId": person(app, w).await, "cohort": "2018"}),
        ),
        "createDevelopmentPlan" => (
            "CreateDevelopmentPlanInput",
            "developmentPlan",
            json!({"memberId": w.member, "kind": "RPJMD", "title": format!("RPJMD {n}"), "startYear": 2018, "endYear": 2023}),
        ),
        "createDevelopmentGoal" => (
            "CreateDevelopmentGoalInput",
            "goal",
            json!({"memberId": w.member, "kind": "MISSION", "ordinal": 1, "text": format!("Misi {n}")}),
        ),
        "createLegalReference" => (
            "CreateLegalReferenceInput",
            "reference",
            json!({"memberId": w.member, "title": format!("UU 14/2008 {n}"), "kind": "UU"}),
        ),
        "createBudgetLine" => (
            "CreateBudgetLineInput",
            "budgetLine",
            json!({"memberId": w.member, "organisationId": org(app, w).await, "fiscalYear": 2018, "dpaVersion": "ORIGINAL",
                   "programName": format!("Program {n}"), "ceiling": "250000000"}),
        ),
        "createNgoProgramme" => (
            "CreateNgoProgrammeInput",
            "programme",
            json!({"memberId": w.member, "organisationId": org(app, w).await, "title": format!("Program LSM {n}"), "amount": "50000000"}),
        ),
        other => panic!("no fixture for {other}"),
    };
    make(app, mutation, input_type, field, input).await
}

async fn link(app: &TestApp, account: Uuid, purpose: account_token::TokenPurpose) -> String {
    let (token, hash) = api::auth::new_token();
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account),
        purpose: Set(purpose),
        token_hash: Set(hash),
        created_at: Set(Utc::now()),
        expires_at: Set(chrono::DateTime::<Utc>::MAX_UTC),
        used_at: Set(None),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    token
}

/// Valid input for `mutation` run as `role`, and the token to send (the role's own unless the
/// mutation needs a session it may end).
async fn fixture(app: &TestApp, w: &World, mutation: &str, role: &str) -> (Value, Option<String>) {
    let token = w.tokens[role].clone();
    let n = w.next();
    let input = match mutation {
        "login" => {
            let email = format!("login{n}@bojonegorokab.go.id");
            app.account(&email, &[]).await;
            json!({"email": email, "password": TEST_PASSWORD})
        }
        "logout" => {
            let fresh = match w.accounts.get(role) {
                Some(id) => Some(session_for(&app.db, *id).await),
                None => None,
            };
            return (json!({}), fresh);
        }
        "changePassword" => {
            if let Some(id) = w.accounts.get(role) {
                account::Entity::update(account::ActiveModel {
                    id: Set(*id),
                    password_hash: Set(Some(password_hash().await)),
                    ..Default::default()
                })
                .exec(&app.db)
                .await
                .unwrap();
            }
            json!({"currentPassword": TEST_PASSWORD, "newPassword": "kata-sandi-baru-2018"})
        }
        "requestPasswordReset" => json!({"email": "someone@example.org"}),
        "resetPassword" => {
            let (id, _) = app
                .account(&format!("reset{n}@bojonegorokab.go.id"), &[])
                .await;
            json!({"token": link(app, id, account_token::TokenPurpose::PasswordReset).await, "newPassword": "kata-sandi-baru-2018"})
        }
        "acceptInvitation" => {
            let id = api::operators::create_account(
                &app.db,
                &format!("invited{n}@bojonegorokab.go.id"),
                "Undangan",
                None,
                false,
                &[(w.member_id, Role::TeamMember)],
                app.clock.now(),
            )
            .await
            .unwrap();
            json!({"token": link(app, id, account_token::TokenPurpose::Invitation).await, "password": "kata-sandi-baru-2018", "consent": true})
        }
        "inviteAccount" => {
            json!({"memberId": w.member, "email": format!("baru{n}@bojonegorokab.go.id"), "name": "Baru", "role": "TEAM_MEMBER"})
        }
        "grantRole" => {
            let (_, gid) = target(app, w, &[Role::TeamMember]).await;
            json!({"accountId": gid, "memberId": w.member, "role": "WATCHDOG"})
        }
        "revokeRole" => {
            let (_, gid) = target(app, w, &[Role::TeamMember, Role::Watchdog]).await;
            json!({"accountId": gid, "memberId": w.member, "role": "WATCHDOG"})
        }
        "deactivateAccount" | "eraseAccount" => {
            let (_, gid) = target(app, w, &[Role::TeamMember]).await;
            json!({"accountId": gid, "memberId": w.member, "reason": "uji"})
        }
        "reactivateAccount" => {
            let (id, gid) = target(app, w, &[Role::TeamMember]).await;
            account::Entity::update(account::ActiveModel {
                id: Set(id),
                status: Set(entity::account::AccountStatus::Deactivated),
                ..Default::default()
            })
            .exec(&app.db)
            .await
            .unwrap();
            json!({"accountId": gid, "memberId": w.member})
        }
        "createMember" => {
            json!({"name": format!("Kabupaten Uji {n}"), "slug": format!("uji-{n}"), "level": "REGENCY"})
        }
        "updateMember" => {
            let current = entity::member::Entity::find_by_id(w.member_id)
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            json!({"id": w.member, "version": current.version, "name": format!("Kabupaten Bojonegoro {n}")})
        }
        "createOrganisation" => {
            json!({"memberId": w.member, "name": format!("Organisasi {n}"), "kind": "NGO"})
        }
        "updateOrganisation" => {
            json!({"id": org(app, w).await, "version": 1, "name": format!("Diubah {n}")})
        }
        "deleteOrganisation" => json!({"id": org(app, w).await, "version": 1}),
        "sendTestEmail" => json!({"to": "uji@example.org"}),
        "createPerson" => {
            json!({"memberId": w.member, "name": format!("Orang Baru {n}"), "email": "orang.baru@example.org", "phone": "0812 3456 7890"})
        }
        "updatePerson" => {
            json!({"id": person(app, w).await, "version": 1, "title": "Kepala Bidang"})
        }
        "linkAccountToPerson" => {
            let (_, account) = target(app, w, &[Role::TeamMember]).await;
            json!({"accountId": account, "personId": person(app, w).await, "memberId": w.member})
        }
        "erasePerson" => json!({"personId": person(app, w).await, "reason": "uji"}),
        "createPlan" => {
            json!({"memberId": w.member, "level": "REGIONAL", "title": format!("Renaksi Baru {n}")})
        }
        "updatePlan" => {
            let (id, version) = plan(app, w).await;
            json!({"id": id, "version": version, "title": format!("Renaksi Diubah {n}")})
        }
        "transitionPlan" => {
            let (id, version) = plan(app, w).await;
            json!({"id": id, "version": version, "to": "CO_CREATION"})
        }
        "setPlanPhases" => {
            let (id, version) = plan(app, w).await;
            json!({"id": id, "version": version, "phases": [{"name": "Ko-kreasi", "startsOn": "2018-06-28", "endsOn": "2018-07-31"}]})
        }
        "createCommitment" => {
            let (plan, _) = plan(app, w).await;
            json!({"planId": plan, "title": format!("Komitmen Baru {n}")})
        }
        "updateCommitment" => {
            let (id, version) = commitment(app, w).await;
            json!({"id": id, "version": version, "theme": "Keterbukaan informasi"})
        }
        "transitionCommitment" => {
            let (id, version) = commitment(app, w).await;
            json!({"id": id, "version": version, "to": "PROPOSED"})
        }
        "setCommitmentActors" => {
            let (id, version) = commitment(app, w).await;
            json!({"id": id, "version": version, "actors": [{"organisationId": org(app, w).await, "sector": "CIVIL_SOCIETY"}]})
        }
        "setCommitmentPeople" => {
            let (id, version) = commitment(app, w).await;
            json!({"id": id, "version": version, "personIds": [person(app, w).await]})
        }
        "createMilestone" => {
            let (commitment, _) = commitment(app, w).await;
            json!({"commitmentId": commitment, "title": format!("Kegiatan Baru {n}")})
        }
        "updateMilestone" => {
            let (id, version) = milestone(app, w).await;
            json!({"id": id, "version": version, "deliverable": "Laporan"})
        }
        "transitionMilestone" => {
            let (id, version) = milestone(app, w).await;
            json!({"id": id, "version": version, "to": "IN_PROGRESS"})
        }
        "setMilestonePeople" => {
            let (id, version) = milestone(app, w).await;
            json!({"id": id, "version": version, "personIds": [person(app, w).await]})
        }
        "deleteMilestone" => {
            let (id, version) = milestone(app, w).await;
            json!({"id": id, "version": version})
        }
        "reportMilestoneProgress" => {
            let (id, _) = milestone(app, w).await;
            json!({"milestoneId": id, "percent": 40, "note": "Monev Juli"})
        }
        "createAssessment" => {
            let (plan, _) = plan(app, w).await;
            json!({"planId": plan, "kind": "SELF_ASSESSMENT", "framework": "SELF_ASSESSMENT", "title": format!("Penilaian {n}")})
        }
        "updateAssessment" => {
            let (id, _) = assessment(app, w).await;
            json!({"id": id, "version": 1, "assessor": "IRM"})
        }
        "setCommitmentValues" => {
            let (id, commitment) = assessment(app, w).await;
            json!({"assessmentId": id, "commitmentId": commitment, "verifiable": true,
                   "relevantValues": ["ACCESS_TO_INFORMATION"], "potentialImpact": "MODERATE", "completion": "SUBSTANTIAL"})
        }
        "updateStarredRule" => {
            let data = app
                .ok("{ starredRules { framework version } }", json!({}))
                .await;
            let rule = data["starredRules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["framework"] == "SELF_ASSESSMENT")
                .unwrap()
                .clone();
            json!({"framework": "SELF_ASSESSMENT", "version": rule["version"], "requireVerifiable": true,
                   "requireRelevance": true, "minPotentialImpact": "MODERATE"})
        }
        "createHeadOfRegionTerm" => {
            json!({"memberId": w.member, "name": format!("Bupati {n}"), "inauguratedOn": "2018-09-24", "endsOn": "2023-09-24"})
        }
        "createMembership" => {
            json!({"memberId": w.member, "personId": person(app, w).await, "body": "ORGANISATION", "organisationId": org(app, w).await, "position": "Direktur"})
        }
        "createSecretariat" => {
            entity::secretariat::Entity::delete_many()
                .exec(&app.db)
                .await
                .unwrap();
            json!({"memberId": w.member, "venueName": "Ruang PPID", "address": "Jl. P. Mas Tumapel No. 1"})
        }
        "createAmbassador" => {
            json!({"memberId": w.member, "personId": person(app, w).await, "cohort": "2018"})
        }
        "createDecree" => {
            json!({"memberId": w.member, "number": format!("188/{n}/KEP/412.013/2018"), "title": "Tim Kemitraan"})
        }
        "createDevelopmentPlan" => {
            json!({"memberId": w.member, "kind": "RPJMD", "title": format!("RPJMD Baru {n}"), "startYear": 2018, "endYear": 2023})
        }
        "createDevelopmentGoal" => {
            json!({"memberId": w.member, "kind": "MISSION", "ordinal": 2, "text": format!("Misi Baru {n}")})
        }
        "createLegalReference" => {
            json!({"memberId": w.member, "title": format!("Perbup {n}"), "kind": "PERBUP"})
        }
        "createBudgetLine" => {
            json!({"memberId": w.member, "organisationId": org(app, w).await, "fiscalYear": 2018, "dpaVersion": "ORIGINAL",
                   "programName": format!("Program Baru {n}"), "ceiling": "100000000"})
        }
        "createNgoProgramme" => {
            json!({"memberId": w.member, "organisationId": org(app, w).await, "title": format!("Program LSM Baru {n}"), "amount": "10000000"})
        }
        "updateHeadOfRegionTerm"
        | "updateMembership"
        | "updateSecretariat"
        | "updateAmbassador"
        | "updateDevelopmentPlan"
        | "updateDevelopmentGoal"
        | "updateLegalReference"
        | "updateBudgetLine"
        | "updateNgoProgramme" => {
            let create = mutation.replacen("update", "create", 1);
            if create == "createSecretariat" {
                entity::secretariat::Entity::delete_many()
                    .exec(&app.db)
                    .await
                    .unwrap();
            }
            let (id, version) = created(app, w, &create).await;
            let mut input = json!({"id": id, "version": version});
            let (field, value) = match mutation {
                "updateHeadOfRegionTerm" => ("deputyName", json!("Wakil Bupati")),
                "updateMembership" => ("position", json!("Sekretaris")),
                "updateSecretariat" => ("room", json!("Ruang PPID")),
                "updateAmbassador" => ("activities", json!("Sosialisasi di sekolah")),
                "updateDevelopmentPlan" => ("stage", json!("FINAL")),
                "updateDevelopmentGoal" => ("text", json!("Misi diubah")),
                "updateLegalReference" => ("url", json!("https://jdih.bojonegorokab.go.id/")),
                "updateBudgetLine" => ("realisation", json!("90000000")),
                _ => ("funder", json!("Hivos")),
            };
            input[field] = value;
            input
        }
        "deleteHeadOfRegionTerm" | "deleteMembership" | "deleteAmbassador" => {
            let create = mutation.replacen("delete", "create", 1);
            let (id, version) = created(app, w, &create).await;
            json!({"id": id, "version": version})
        }
        "updateDecree" => {
            let (id, version) = decree(app, w).await;
            json!({"id": id, "version": version, "signatoryName": "Suyoto"})
        }
        "transitionDecree" => {
            let (id, version) = decree(app, w).await;
            json!({"id": id, "version": version, "to": "IN_LEGAL_REVIEW"})
        }
        "setDecreeAppendix" => {
            let (id, version) = decree(app, w).await;
            json!({"id": id, "version": version, "lines": [
                {"name": "Kepala Dinas Kominfo", "position": "KETUA", "represents": "GOVERNMENT"},
                {"name": "Direktur Bojonegoro Institute", "position": "WAKIL_KETUA", "represents": "CIVIL_SOCIETY", "personId": person(app, w).await}
            ]})
        }
        "alignCommitment" | "unalignCommitment" => {
            let (commitment, _) = commitment(app, w).await;
            let (goal, _) = created(app, w, "createDevelopmentGoal").await;
            if mutation == "unalignCommitment" {
                make(
                    app,
                    "alignCommitment",
                    "AlignInput",
                    "commitment",
                    json!({"commitmentId": commitment, "targetId": goal}),
                )
                .await;
            }
            json!({"commitmentId": commitment, "targetId": goal})
        }
        "addFunding" | "removeFunding" => {
            let (commitment, _) = commitment(app, w).await;
            let (source, _) = created(app, w, "createBudgetLine").await;
            if mutation == "removeFunding" {
                make(
                    app,
                    "addFunding",
                    "FundingInput",
                    "commitment",
                    json!({"commitmentId": commitment, "sourceId": source}),
                )
                .await;
            }
            json!({"commitmentId": commitment, "sourceId": source})
        }
        "createEvent" => {
            json!({"memberId": w.member, "kind": "MONEV", "title": format!("Monev {n}"),
                   "startsAt": "2018-07-05T09:00:00+07:00", "isPublic": false})
        }
        "updateEvent" => {
            let (id, version) = event(app, w).await;
            json!({"id": id, "version": version, "venueRoom": "Ruang PPID"})
        }
        "transitionEvent" => {
            let (id, version) = event(app, w).await;
            json!({"id": id, "version": version, "to": "HELD"})
        }
        "setEventAgenda" => {
            let (id, version) = event(app, w).await;
            json!({"id": id, "version": version, "items": [
                {"title": "Pembukaan", "durationMinutes": 10},
                {"title": "Paparan IRM", "durationMinutes": 30, "speakerPersonId": person(app, w).await}
            ]})
        }
        "setEventOrganisations" => {
            let (id, version) = event(app, w).await;
            json!({"id": id, "version": version, "role": "ATTENDING", "organisationIds": [org(app, w).await]})
        }
        "deleteEvent" => {
            let (id, version) = event(app, w).await;
            json!({"id": id, "version": version})
        }
        "recordAttendance" => {
            let (id, _) = event(app, w).await;
            json!({"eventId": id, "name": "Peserta", "sector": "CIVIL_SOCIETY", "gender": "FEMALE",
                   "organisationId": org(app, w).await})
        }
        "removeAttendance" => {
            let (event, _) = event(app, w).await;
            let added = app
                .mutate_as(
                    Some(&app.operator),
                    "recordAttendance",
                    "AttendanceInput",
                    "attendance { id }",
                    json!({"eventId": event, "personId": person(app, w).await, "sector": "GOVERNMENT"}),
                )
                .await;
            json!({"id": added["attendance"]["id"]})
        }
        "createFollowUp" => {
            json!({"memberId": w.member, "description": format!("Tindak lanjut {n}"), "dueOn": "2018-08-15"})
        }
        "updateFollowUp" => {
            let (id, version) = follow_up(app, w).await;
            json!({"id": id, "version": version, "ownerOrganisationId": org(app, w).await})
        }
        "transitionFollowUp" => {
            let (id, version) = follow_up(app, w).await;
            json!({"id": id, "version": version, "to": "IN_PROGRESS"})
        }
        "setFollowUpOwners" => {
            let (id, version) = follow_up(app, w).await;
            json!({"id": id, "version": version, "personIds": [person(app, w).await]})
        }
        "deleteFollowUp" => {
            let (id, version) = follow_up(app, w).await;
            json!({"id": id, "version": version})
        }
        "publishInvitation" => {
            let (id, _) = event(app, w).await;
            json!({"eventId": id, "channels": ["WEBSITE", "WHATSAPP"], "capacity": 40})
        }
        "registerForEvent" => {
            let id = open_event(app, w).await;
            json!({"eventId": id, "name": format!("Warga {n}"), "email": format!("warga{n}@example.org"), "consent": true})
        }
        "cancelRegistration" => {
            let id = open_event(app, w).await;
            let r = app
                .mutate_as(
                    None,
                    "registerForEvent",
                    "RegisterInput",
                    "registration { id }",
                    json!({"eventId": id, "name": "Warga", "email": format!("warga{n}@example.org"), "consent": true}),
                )
                .await;
            let rid = api::graphql::ids::decode_as(
                r["registration"]["id"].as_str().unwrap(),
                "Registration",
            )
            .unwrap();
            let token = worker::tokens::Signer::new(worker::config::DEVELOPMENT_SECRET.as_bytes())
                .derive(worker::mail::LINK_PURPOSE, &rid.to_string());
            json!({"token": token})
        }
        "importSpreadsheet" => {
            let (plan, _) = plan(app, w).await;
            json!({"kind": "RENAKSI", "planId": plan, "file": null, "dryRun": true})
        }
        "attachDocument" => {
            let (id, _) = event(app, w).await;
            json!({"subjectId": id, "kind": "VIDEO_LINK", "title": format!("Video sosialisasi {n}"),
                   "url": "https://www.youtube.com/watch?v=ogp-bojonegoro"})
        }
        "deleteDocument" => {
            let (event, _) = event(app, w).await;
            let (id, version) = make(
                app,
                "attachDocument",
                "AttachDocumentInput",
                "document",
                json!({"subjectId": event, "kind": "PHOTO", "title": "Foto", "url": "https://example.org/foto.jpg"}),
            )
            .await;
            json!({"id": id, "version": version})
        }
        "createPublication" => {
            json!({"memberId": w.member, "title": format!("Berita {n}"), "body": "Isi berita.", "authorCredit": "Nuty/Dinkominfo"})
        }
        "updatePublication" => {
            let (id, version) = post(app, w, false).await;
            json!({"id": id, "version": version, "titleEn": "News"})
        }
        "transitionPublication" => {
            let (id, version) = post(app, w, false).await;
            json!({"id": id, "version": version, "to": "PUBLISHED"})
        }
        "deletePublication" => {
            let (id, version) = post(app, w, false).await;
            json!({"id": id, "version": version})
        }
        "recordView" => {
            let (id, _) = post(app, w, true).await;
            json!({"publicationId": id})
        }
        "votePoll" => {
            let (id, _) = post(app, w, true).await;
            json!({"publicationId": id, "choice": "SANGAT_PUAS", "visitorToken": format!("visitor-token-{n:08}")})
        }
        "submitPublicInput" => {
            let plan = review_plan(app, w).await;
            json!({"planId": plan, "name": format!("Warga {n}"), "email": format!("warga{n}@example.org"),
                   "body": "Mohon jadwal konsultasi publik diumumkan lebih awal.", "consent": true})
        }
        "recordPublicInput" => {
            let (plan, _) = plan(app, w).await;
            let (event, _) = event(app, w).await;
            json!({"planId": plan, "eventId": event, "source": "EVENT", "organisationName": "IDFoS",
                   "body": format!("Masukan rapat {n}")})
        }
        "respondToPublicInput" => {
            let (id, version) = input(app, w, false).await;
            json!({"id": id, "version": version, "response": "DEFERRED", "reason": "Dibahas pada Renaksi berikutnya."})
        }
        "hidePublicInput" => {
            let (id, version) = input(app, w, false).await;
            json!({"id": id, "version": version, "reason": "Iklan, bukan masukan"})
        }
        "restorePublicInput" => {
            let (id, version) = input(app, w, true).await;
            json!({"id": id, "version": version})
        }
        "createOnlineChannel" => {
            json!({"memberId": w.member, "kind": "WEBSITE", "name": format!("Website {n}"),
                   "url": "https://bojonegorokab.go.id", "status": "ACTIVE"})
        }
        "updateOnlineChannel" => {
            let (id, version) = channel(app, w).await;
            json!({"id": id, "version": version, "handle": "@ogpbojonegoro"})
        }
        "deleteOnlineChannel" => {
            let (id, version) = channel(app, w).await;
            json!({"id": id, "version": version})
        }
        "subscribe" => {
            json!({"memberId": w.member, "email": format!("langganan{n}@example.org"), "consent": true})
        }
        "requestReport" => {
            let (plan, _) = plan(app, w).await;
            json!({"kind": "MONEV", "format": "CSV", "planId": plan})
        }
        "eraseCitizen" => {
            json!({"memberId": w.member, "email": format!("warga{n}@example.org"), "reason": "permintaan"})
        }
        "clearBouncingAddress" => {
            let address = format!("pental{n}@example.org");
            let id = worker::mail::record(
                &app.db,
                worker::mail::NewMail {
                    dedupe_key: format!("matrix-bounce:{n}"),
                    class: entity::mail_delivery::MailClass::Alert,
                    member_id: Some(w.member_id),
                    recipient: address.clone(),
                    lang: entity::Lang::Id,
                    template: "alert".into(),
                    context: json!({}),
                },
            )
            .await
            .unwrap()
            .unwrap();
            entity::notify::bounce::record(
                &app.db,
                entity::notify::bounce::Bounce {
                    dedupe_key: format!("matrix-bounce:{n}"),
                    address: address.clone(),
                    kind: entity::mail_bounce::BounceKind::Hard,
                    source: entity::mail_bounce::BounceSource::Smtp,
                    status: Some("550".into()),
                    diagnostic: "550 no such mailbox".into(),
                    delivery: Some(id),
                },
                3,
                app.clock.now(),
            )
            .await
            .unwrap();
            json!({"memberId": w.member, "address": address})
        }
        "retryMailDelivery" => {
            let id = worker::mail::record(
                &app.db,
                worker::mail::NewMail {
                    dedupe_key: format!("matrix:{n}"),
                    class: entity::mail_delivery::MailClass::Transactional,
                    member_id: Some(w.member_id),
                    recipient: "gagal@example.org".into(),
                    lang: entity::Lang::Id,
                    template: "test".into(),
                    context: json!({"sent_at": "-", "requested_by": "-"}),
                },
            )
            .await
            .unwrap()
            .unwrap();
            use sea_orm::{ColumnTrait, QueryFilter};
            entity::mail_delivery::Entity::update_many()
                .col_expr(
                    entity::mail_delivery::Column::Status,
                    sea_orm::sea_query::Expr::value(entity::mail_delivery::DeliveryStatus::Failed),
                )
                .filter(entity::mail_delivery::Column::Id.eq(id))
                .exec(&app.db)
                .await
                .unwrap();
            json!({"id": id.to_string()})
        }
        "confirmSubscription" | "unsubscribe" => {
            let email = format!("langganan{n}@example.org");
            let p = app
                .mutate_as(
                    None,
                    "subscribe",
                    "SubscribeInput",
                    "accepted",
                    json!({"memberId": w.member, "email": email, "consent": true}),
                )
                .await;
            assert_eq!(p["accepted"], true, "{p}");
            use sea_orm::{ColumnTrait, QueryFilter};
            let s = entity::subscription::Entity::find()
                .filter(entity::subscription::Column::Email.eq(email))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            let purpose = if mutation == "unsubscribe" {
                worker::mail::UNSUBSCRIBE_PURPOSE
            } else {
                worker::mail::CONFIRM_PURPOSE
            };
            let token = worker::tokens::Signer::new(worker::config::DEVELOPMENT_SECRET.as_bytes())
                .sign(
                    purpose,
                    &s.id.to_string(),
                    Utc::now() + chrono::Duration::days(1),
                );
            json!({"token": token})
        }
        "updateMySubscription" => {
            json!({"memberId": w.member, "frequency": "WEEKLY", "topics": ["DEADLINES"]})
        }
        other => panic!(
            "the authorization matrix has no valid input for the new mutation `{other}`: add it"
        ),
    };
    (input, token)
}

#[tokio::test]
async fn every_mutation_as_every_role() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let member_id = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let elsewhere = create_member(&app, "Kota Semarang", "semarang").await;
    let elsewhere_id = api::graphql::ids::decode_as(&elsewhere, "Member").unwrap();
    let mut tokens = BTreeMap::new();
    let mut accounts = BTreeMap::new();
    tokens.insert("anonymous", None);
    tokens.insert("operator", Some(app.operator.clone()));
    accounts.insert("operator", app.operator_id);
    for (role, grants) in [
        ("no role", vec![]),
        ("team member", vec![(member_id, Role::TeamMember)]),
        ("watchdog", vec![(member_id, Role::Watchdog)]),
        ("secretariat", vec![(member_id, Role::Secretariat)]),
        ("admin", vec![(member_id, Role::Admin)]),
        ("admin elsewhere", vec![(elsewhere_id, Role::Admin)]),
    ] {
        let (id, token) = app
            .account(&format!("{}@matrix.test", role.replace(' ', "-")), &grants)
            .await;
        tokens.insert(role, Some(token));
        accounts.insert(role, id);
    }
    let w = World {
        member: member.clone(),
        member_id,
        tokens,
        accounts,
        seq: Default::default(),
    };

    let schema = app
        .ok(
            r#"{ __schema { mutationType { fields { name args { name type { ofType { name } } }
                 type { ofType { name fields { name } } } } } } }"#,
            json!({}),
        )
        .await;
    let mutations = schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .clone();
    assert!(mutations.len() >= EXPECTED.len());
    let mut failures = Vec::new();
    for m in &mutations {
        let name = m["name"].as_str().unwrap();
        assert!(
            api::graphql::policy::rule(name).is_some(),
            "`{name}` has no permission rule in api::graphql::policy::RULES"
        );
        let allowed = EXPECTED
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| {
                panic!("the authorization matrix does not list the new mutation `{name}`")
            })
            .1;
        let input_type = m["args"][0]["type"]["ofType"]["name"].as_str().unwrap();
        let has_user_errors = m["type"]["ofType"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "userErrors");
        let selection = if has_user_errors {
            "__typename userErrors { field code message }"
        } else {
            "__typename"
        };
        let query = format!(
            "mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} }} }}"
        );
        for role in ROLES {
            // Public endpoints are rate-limited per client: each cell is a new minute.
            app.clock.advance(chrono::Duration::seconds(61));
            let (input, token) = fixture(&app, &w, name, role).await;
            let res = if name == "importSpreadsheet" {
                // The file is an upload: a GraphQL multipart request.
                let operations = json!({"query": query, "variables": {"input": input}});
                let form = reqwest::multipart::Form::new()
                    .text("operations", operations.to_string())
                    .text("map", json!({"0": ["variables.input.file"]}).to_string())
                    .part(
                        "0",
                        reqwest::multipart::Part::bytes(
                            "Kode Komitmen,Komitmen,Kegiatan\nK1,Satu,Rapat\n"
                                .as_bytes()
                                .to_vec(),
                        )
                        .file_name("renaksi.csv"),
                    );
                let mut req = app
                    .client
                    .post(format!("{}/graphql", app.base))
                    .multipart(form);
                if let Some(t) = token.as_deref() {
                    req = req.bearer_auth(t);
                }
                req.send().await.unwrap().json::<Value>().await.unwrap()
            } else {
                app.gql_as(token.as_deref(), &query, json!({"input": input}))
                    .await
            };
            let should = allowed.contains(&role);
            let outcome = if let Some(errors) = res.get("errors") {
                let code = errors[0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("?")
                    .to_owned();
                if should || !(code == "FORBIDDEN" || code == "UNAUTHENTICATED") {
                    Some(format!("error {code}: {}", errors[0]["message"]))
                } else {
                    None
                }
            } else if !should {
                Some("succeeded".into())
            } else if has_user_errors && res["data"][name]["userErrors"] != json!([]) {
                Some(format!("user errors {}", res["data"][name]["userErrors"]))
            } else {
                None
            };
            if let Some(o) = outcome {
                failures.push(format!(
                    "{name} as {role} (expected {}): {o}",
                    if should { "success" } else { "refusal" }
                ));
            }
        }
    }
    for (name, query, allowed) in EXPECTED_QUERIES {
        assert!(
            api::graphql::policy::rule(name).is_some(),
            "`{name}` has no rule"
        );
        for role in ROLES {
            let res = app
                .gql_as(w.tokens[role].as_deref(), query, json!({"m": member}))
                .await;
            let ok = res.get("errors").is_none();
            let code = res["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("");
            if allowed.contains(&role) != ok
                || (!ok && code != "FORBIDDEN" && code != "UNAUTHENTICATED")
            {
                failures.push(format!("query {name} as {role}: {res}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}
