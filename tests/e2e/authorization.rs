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
];

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
            let res = app
                .gql_as(token.as_deref(), &query, json!({"input": input}))
                .await;
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
