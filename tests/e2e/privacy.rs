//! The PII canary: unique markers planted in every PERSONAL and SECRET field are found on no
//! anonymous surface, and no SECRET marker on any surface at all, for every role.

use std::collections::BTreeMap;
use std::time::Duration;

use entity::role_grant::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

/// Every row of every Terbuka table as text (the job queue's own tables left out).
pub async fn dump_text(app: &TestApp) -> String {
    let db = &app.db;
    let backend = db.get_database_backend();
    let tables: Vec<String> = match backend {
        DbBackend::Postgres => db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' \
                 AND table_type = 'BASE TABLE' ORDER BY table_name",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect(),
        _ => db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT IN ('Jobs', 'Workers', '_sqlx_migrations') ORDER BY name",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect(),
    };
    let mut out = String::new();
    for table in tables {
        let sql = match backend {
            DbBackend::Postgres => {
                format!("SELECT row_to_json(t)::text FROM \"{table}\" t ORDER BY 1")
            }
            _ => {
                let cols: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get_by_index::<String>(0).unwrap())
                    .collect();
                let parts: Vec<String> = cols.iter().map(|c| format!("quote(\"{c}\")")).collect();
                format!(
                    "SELECT {} FROM \"{table}\" ORDER BY 1",
                    parts.join(" || '|' || ")
                )
            }
        };
        out.push_str(&format!("== {table}\n"));
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
        {
            out.push_str(&row.try_get_by_index::<String>(0).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// Selections of every field reachable from a type without required arguments, from the
/// schema itself, so fields added later are covered without touching this test.
struct Schema(BTreeMap<String, Value>);

impl Schema {
    async fn load(app: &TestApp) -> Self {
        let data = app
            .ok(
                "{ __schema { types { name kind possibleTypes { name } fields { name args { type { kind } }
                   type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
                json!({}),
            )
            .await;
        Self(
            data["__schema"]["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
                .collect(),
        )
    }

    fn named(ty: &Value) -> (String, String) {
        let mut t = ty;
        while t["name"].is_null() {
            t = &t["ofType"];
        }
        (
            t["kind"].as_str().unwrap().to_owned(),
            t["name"].as_str().unwrap().to_owned(),
        )
    }

    fn selection(&self, ty: &str, depth: usize) -> String {
        let t = &self.0[ty];
        if t["kind"] == "INTERFACE" {
            let parts: Vec<String> = t["possibleTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let name = p["name"].as_str().unwrap();
                    format!("... on {name} {{ {} }}", self.selection(name, depth))
                })
                .collect();
            return format!("__typename {}", parts.join(" "));
        }
        let mut out = vec!["__typename".to_owned()];
        for f in t["fields"].as_array().into_iter().flatten() {
            let required_args = f["args"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["type"]["kind"] == "NON_NULL");
            if required_args {
                continue;
            }
            let name = f["name"].as_str().unwrap();
            let (kind, inner) = Self::named(&f["type"]);
            match kind.as_str() {
                "SCALAR" | "ENUM" => out.push(name.to_owned()),
                "OBJECT" | "INTERFACE" if depth > 0 => out.push(format!(
                    "{name} {{ {} }}",
                    self.selection(&inner, depth - 1)
                )),
                _ => {}
            }
        }
        out.join(" ")
    }
}

/// Every surface a role can read, as one text: the queries the schema offers (with the
/// member in scope), `node` for every record, and the non-GraphQL endpoints.
async fn surfaces(
    app: &TestApp,
    schema: &Schema,
    token: Option<&str>,
    member: &str,
    ids: &[String],
) -> String {
    let mut seen = String::new();
    let queries = [
        format!("{{ viewer {{ {} }} }}", schema.selection("Account", 3)),
        format!(
            "{{ members {{ nodes {{ {} }} }} }}",
            schema.selection("Member", 3)
        ),
        format!(
            "query($m: ID!) {{ accounts(memberId: $m) {{ nodes {{ {} }} }} }}",
            schema.selection("Account", 3)
        ),
        format!(
            "query($m: ID!) {{ auditLog(memberId: $m, first: 50) {{ nodes {{ {} }} }} }}",
            schema.selection("AuditEvent", 3)
        ),
        format!(
            "query($m: ID!) {{ people(memberId: $m, first: 50) {{ nodes {{ {} }} }} }}",
            schema.selection("Person", 3)
        ),
    ];
    for q in &queries {
        seen.push_str(&app.gql_as(token, q, json!({"m": member})).await.to_string());
    }
    let node = format!(
        "query($id: ID!) {{ node(id: $id) {{ {} }} }}",
        schema.selection("Node", 3)
    );
    for id in ids {
        seen.push_str(
            &app.gql_as(token, &node, json!({"id": id}))
                .await
                .to_string(),
        );
    }
    for path in ["/healthz", "/readyz", "/metrics", "/graphql"] {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        seen.push_str(&req.send().await.unwrap().text().await.unwrap());
    }
    seen
}

#[tokio::test]
async fn personal_and_secret_markers_never_reach_those_who_may_not_see_them() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let other = create_member(&app, "Kota Semarang", "semarang").await;
    let o = api::graphql::ids::decode_as(&other, "Member").unwrap();

    // Markers: a PERSONAL address and name, a SECRET password.
    let personal_email = "canary-personal-7f3a@example.org";
    let personal_name = "Canary Personal 7f3a";
    let secret_password = "canary-secret-7f3a-password";
    let (_, admin) = app
        .account("admin@bojonegorokab.go.id", &[(m, Role::Admin)])
        .await;
    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: InviteAccountInput!) { inviteAccount(input: $input) { account { id } } }"#,
            json!({"input": {"memberId": member, "email": personal_email, "name": personal_name, "role": "TEAM_MEMBER"}}),
        )
        .await;
    let canary_id = res["inviteAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mail = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    let text = mail[0].text();
    let start = text.find("token=").unwrap() + 6;
    let invitation: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let accepted = app
        .ok_as(
            None,
            r#"mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token } }"#,
            json!({"input": {"token": invitation, "password": secret_password, "consent": true}}),
        )
        .await;
    let canary_session = accepted["acceptInvitation"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A person with PERSONAL contact details.
    let personal_phone = "+62 812 7357 0001";
    let personal_person_email = "canary-person-7f3a@example.org";
    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id } userErrors { code } } }"#,
            json!({"input": {"memberId": member, "name": "Orang Canary", "email": personal_person_email, "phone": personal_phone}}),
        )
        .await;
    let person_id = res["createPerson"]["person"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Error bodies: a failed login and a reset request naming the markers.
    let wrong = app
        .gql_as(
            None,
            r#"mutation($i: LoginInput!) { login(input: $i) { token userErrors { message } } }"#,
            json!({"i": {"email": personal_email, "password": "wrong-password-x"}}),
        )
        .await;
    assert!(!wrong.to_string().contains(personal_email));

    // The SECRET values are not even in the database in the clear.
    let dump = dump_text(&app).await;
    assert!(!dump.contains(secret_password));
    assert!(!dump.contains(&canary_session));
    assert!(!dump.contains(&invitation));

    let ids: Vec<String> = vec![
        member.clone(),
        other.clone(),
        canary_id.clone(),
        person_id.clone(),
    ];
    let (_, team) = app
        .account("tim@bojonegorokab.go.id", &[(m, Role::TeamMember)])
        .await;
    let (_, watchdog) = app
        .account("pemantau@bi.or.id", &[(m, Role::Watchdog)])
        .await;
    let (_, secretariat) = app
        .account("sekretariat@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    let (_, other_admin) = app
        .account("admin@semarangkota.go.id", &[(o, Role::Admin)])
        .await;
    let (_, no_role) = app.account("warga@example.org", &[]).await;
    let schema = Schema::load(&app).await;

    let roles: Vec<(&str, Option<String>, bool)> = vec![
        // (role, token, may see PERSONAL)
        ("anonymous", None, false),
        ("no role", Some(no_role), false),
        ("team member", Some(team), false),
        ("watchdog", Some(watchdog), false),
        ("admin of another member", Some(other_admin), false),
        ("secretariat", Some(secretariat), true),
        ("admin", Some(admin), true),
        ("operator", Some(app.operator.clone()), true),
        ("the person", Some(canary_session.clone()), true),
    ];
    for (role, token, personal_ok) in roles {
        let seen = surfaces(&app, &schema, token.as_deref(), &member, &ids).await;
        assert!(
            !seen.contains(secret_password),
            "{role} saw the SECRET password"
        );
        assert!(
            !seen.contains(&invitation),
            "{role} saw the SECRET invitation token"
        );
        if role != "the person" {
            assert!(
                !seen.contains(&canary_session),
                "{role} saw the SECRET session token"
            );
        }
        if !personal_ok {
            assert!(
                !seen.contains(personal_email),
                "{role} saw the PERSONAL address"
            );
            assert!(
                !seen.contains(personal_phone),
                "{role} saw the PERSONAL phone"
            );
            assert!(
                !seen.contains(personal_person_email),
                "{role} saw the PERSONAL person address"
            );
            assert!(
                !seen.contains(personal_name) || role == "team member" || role == "watchdog",
                "{role} saw the PERSONAL name"
            );
        } else if role != "the person" {
            assert!(seen.contains(personal_phone), "{role} should see the phone");
        }
        if personal_ok && role != "secretariat" {
            // The surfaces really are read: those who may see it there do.
            assert!(
                seen.contains(personal_email),
                "{role} should see the address"
            );
        }
    }
    app.stop().await;
}
