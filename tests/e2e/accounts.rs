//! Accounts as people use them: signing in and out, the lockout after repeated wrong passwords,
//! a deactivated colleague losing access at once, password reset and invitations by e-mail,
//! the audit log, and erasing a person's data on request.

use std::time::Duration;

use chrono::Duration as Span;
use entity::role_grant::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::foundation::{CREATE_ORG, create_member};
use crate::helpers::*;

const LOGIN: &str = r#"mutation($input: LoginInput!) {
  login(input: $input) { token expiresAt viewer { id email name } userErrors { field code message } } }"#;
const VIEWER: &str = "{ viewer { email name isOperator roles { role member { slug } } } }";

async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    app.ok_as(
        None,
        LOGIN,
        json!({"input": {"email": email, "password": password}}),
    )
    .await["login"]
        .clone()
}

fn member_uuid(gid: &str) -> Uuid {
    api::graphql::ids::decode_as(gid, "Member").unwrap()
}

/// The token in the first link of a mail (`…?token=XYZ`).
fn link_token(text: &str) -> String {
    let start = text.find("token=").expect("a link with a token") + 6;
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn sign_in_see_yourself_and_sign_out() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    app.account(
        "kominfo@bojonegorokab.go.id",
        &[(member_uuid(&member), Role::Secretariat)],
    )
    .await;

    let res = login(&app, " Kominfo@Bojonegorokab.go.id ", TEST_PASSWORD).await;
    assert_eq!(res["userErrors"], json!([]));
    let token = res["token"].as_str().unwrap().to_owned();
    assert_eq!(res["viewer"]["email"], "kominfo@bojonegorokab.go.id");
    assert_eq!(
        res["expiresAt"], "2018-08-15T02:00:00+00:00",
        "14 days from the set clock"
    );

    let me = app.ok_as(Some(&token), VIEWER, json!({})).await;
    assert_eq!(
        me["viewer"]["roles"],
        json!([{"role": "SECRETARIAT", "member": {"slug": "bojonegoro"}}])
    );
    assert_eq!(me["viewer"]["isOperator"], false);
    assert_eq!(
        app.ok_as(None, VIEWER, json!({})).await["viewer"],
        Value::Null
    );

    let wrong = login(&app, "kominfo@bojonegorokab.go.id", "not the password").await;
    assert_eq!(wrong["token"], Value::Null);
    assert_eq!(first_user_error(&wrong)["code"], "INVALID_CREDENTIALS");
    let unknown = login(&app, "nobody@example.org", TEST_PASSWORD).await;
    assert_eq!(
        first_user_error(&unknown)["message"],
        first_user_error(&wrong)["message"],
        "no hint about who has an account"
    );

    let out = app
        .ok_as(
            Some(&token),
            "mutation { logout(input: {}) { endedSessions } }",
            json!({}),
        )
        .await;
    assert_eq!(out["logout"]["endedSessions"], 1);
    let res = app.gql_as(Some(&token), VIEWER, json!({})).await;
    assert_eq!(error_code(&res), "UNAUTHENTICATED");
    let res = app.gql_as(Some("forged-token"), VIEWER, json!({})).await;
    assert_eq!(error_code(&res), "UNAUTHENTICATED");
    app.stop().await;
}

#[tokio::test]
async fn a_hundred_wrong_passwords_lock_the_account_until_the_lockout_ends() {
    let app = spawn_app().await;
    app.account("bupati@bojonegorokab.go.id", &[]).await;
    let mut refused = 0;
    for i in 0..100 {
        let res = app
            .gql_as(None, LOGIN, json!({"input": {"email": "bupati@bojonegorokab.go.id", "password": format!("guess-{i}")}}))
            .await;
        let token = &res["data"]["login"]["token"];
        assert!(token.is_null(), "attempt {i} signed in");
        refused += 1;
    }
    assert_eq!(refused, 100);
    // A minute later the client may try again, but the account is still locked.
    app.clock.advance(Span::seconds(61));
    let res = login(&app, "bupati@bojonegorokab.go.id", TEST_PASSWORD).await;
    assert_eq!(
        res["token"],
        Value::Null,
        "the right password during the lockout"
    );
    let err = first_user_error(&res);
    assert_eq!(err["code"], "LOCKED");
    assert!(err["message"].as_str().unwrap().contains("WIB"), "{err}");
    // After the lockout ends the right password works.
    app.clock.advance(Span::minutes(15));
    let res = login(&app, "bupati@bojonegorokab.go.id", TEST_PASSWORD).await;
    assert!(res["token"].is_string(), "{res}");
    app.stop().await;
}

#[tokio::test]
async fn a_deactivated_accounts_token_stops_working_on_its_next_request() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = member_uuid(&member);
    let (_, admin) = app
        .account("admin@bojonegorokab.go.id", &[(m, Role::Admin)])
        .await;
    let (staff_id, staff) = app
        .account("staf@bojonegorokab.go.id", &[(m, Role::Secretariat)])
        .await;
    app.ok_as(Some(&staff), VIEWER, json!({})).await;

    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: AccountActionInput!) { deactivateAccount(input: $input) {
                 account { status deactivatedAt } userErrors { code message } } }"#,
            json!({"input": {"accountId": api::graphql::ids::encode("Account", staff_id), "memberId": member, "reason": "mutasi ke Dinas PU"}}),
        )
        .await;
    assert_eq!(
        res["deactivateAccount"]["account"]["status"], "DEACTIVATED",
        "{res}"
    );
    let res = app.gql_as(Some(&staff), VIEWER, json!({})).await;
    assert_eq!(error_code(&res), "UNAUTHENTICATED");
    let res = login(&app, "staf@bojonegorokab.go.id", TEST_PASSWORD).await;
    assert_eq!(first_user_error(&res)["code"], "INVALID_CREDENTIALS");

    // Its history stays, with the reason.
    let log = app
        .ok_as(
            Some(&admin),
            r#"query($m: ID!) { auditLog(memberId: $m, action: "DEACTIVATE") { nodes { actorLabel after } } }"#,
            json!({"m": member}),
        )
        .await;
    let event = &log["auditLog"]["nodes"][0];
    assert_eq!(event["actorLabel"], "admin@bojonegorokab.go.id");
    assert_eq!(event["after"]["reason"], "mutasi ke Dinas PU");
    app.stop().await;
}

#[tokio::test]
async fn a_password_is_reset_by_a_single_use_link_from_an_email() {
    let app = spawn_app().await;
    let (_, old_session) = app.account("ppid@bojonegorokab.go.id", &[]).await;
    let ask = r#"mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { accepted userErrors { code } } }"#;
    let res = app
        .ok_as(
            None,
            ask,
            json!({"input": {"email": "PPID@bojonegorokab.go.id"}}),
        )
        .await;
    assert_eq!(res["requestPasswordReset"]["accepted"], true);
    // Unknown addresses get the same answer and no mail.
    let res = app
        .ok_as(None, ask, json!({"input": {"email": "nobody@example.org"}}))
        .await;
    assert_eq!(res["requestPasswordReset"]["accepted"], true);

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.smtp.received().len(),
        1,
        "one mail, to the address that has an account"
    );
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["ppid@bojonegorokab.go.id".to_owned()]);
    assert_eq!(mail.subject(), "Atur ulang kata sandi Pemerintahan Terbuka");
    assert!(mail.html().contains("atur-ulang-sandi?token="));
    let token = link_token(&mail.text());

    let reset = r#"mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { reset userErrors { field code } } }"#;
    let res = app
        .ok_as(
            None,
            reset,
            json!({"input": {"token": token, "newPassword": "pendek"}}),
        )
        .await;
    assert_eq!(
        first_user_error(&res["resetPassword"])["field"],
        json!(["input", "newPassword"])
    );
    let res = app
        .ok_as(
            None,
            reset,
            json!({"input": {"token": token, "newPassword": "sandi-baru-bojonegoro"}}),
        )
        .await;
    assert_eq!(res["resetPassword"]["reset"], true, "{res}");
    let res = app
        .ok_as(
            None,
            reset,
            json!({"input": {"token": token, "newPassword": "sandi-lain-lagi-2018"}}),
        )
        .await;
    assert_eq!(
        first_user_error(&res["resetPassword"])["code"],
        "INVALID_TOKEN",
        "single use"
    );

    assert_eq!(
        error_code(&app.gql_as(Some(&old_session), VIEWER, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert!(
        login(&app, "ppid@bojonegorokab.go.id", "sandi-baru-bojonegoro").await["token"].is_string()
    );
    assert_eq!(
        first_user_error(&login(&app, "ppid@bojonegorokab.go.id", TEST_PASSWORD).await)["code"],
        "INVALID_CREDENTIALS"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_admin_invites_a_person_who_chooses_a_password_and_holds_the_role() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (_, admin) = app
        .account(
            "admin@bojonegorokab.go.id",
            &[(member_uuid(&member), Role::Admin)],
        )
        .await;
    let invite = r#"mutation($input: InviteAccountInput!) { inviteAccount(input: $input) {
        account { id email status roles { role } } userErrors { field code } } }"#;
    let res = app
        .ok_as(
            Some(&admin),
            invite,
            json!({"input": {"memberId": member, "email": "Direktur@BI.or.id", "name": "Direktur BI", "role": "WATCHDOG"}}),
        )
        .await;
    let account = &res["inviteAccount"]["account"];
    assert_eq!(account["status"], "INVITED", "{res}");
    assert_eq!(account["email"], "direktur@bi.or.id");
    assert_eq!(account["roles"], json!([{"role": "WATCHDOG"}]));

    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    let mail = &mails[0];
    assert_eq!(
        mail.subject(),
        "Undangan bergabung di Pemerintahan Terbuka — Kabupaten Bojonegoro"
    );
    assert!(
        mail.text().contains("sebagai Pemantau (watchdog)"),
        "{}",
        mail.text()
    );
    let token = link_token(&mail.text());

    let accept = r#"mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) {
        token viewer { status roles { role } } userErrors { code } } }"#;
    let res = app
        .ok_as(
            None,
            accept,
            json!({"input": {"token": token, "password": "pemantau-bojonegoro", "consent": true}}),
        )
        .await;
    let session = res["acceptInvitation"]["token"]
        .as_str()
        .expect("signed in")
        .to_owned();
    let me = app.ok_as(Some(&session), VIEWER, json!({})).await;
    assert_eq!(me["viewer"]["roles"][0]["role"], "WATCHDOG");
    let res = app
        .ok_as(
            None,
            accept,
            json!({"input": {"token": token, "password": "pemantau-bojonegoro", "consent": true}}),
        )
        .await;
    assert_eq!(
        first_user_error(&res["acceptInvitation"])["code"],
        "INVALID_TOKEN"
    );

    // Another watchdog reads the audit log, without the personal data in it.
    let (_, other_watchdog) = app
        .account(
            "pemantau@kpi.or.id",
            &[(member_uuid(&member), Role::Watchdog)],
        )
        .await;
    let log = app
        .ok_as(
            Some(&other_watchdog),
            r#"query($m: ID!) { auditLog(memberId: $m, entityType: "Account", action: "CREATE") { nodes { after } } }"#,
            json!({"m": member}),
        )
        .await;
    let after = &log["auditLog"]["nodes"][0]["after"];
    assert_eq!(after["email"], "[disembunyikan]", "{after}");
    assert_eq!(after["status"], "INVITED");
    assert!(after.get("password_hash").is_none());
    let log = app
        .ok_as(
            Some(&admin),
            r#"query($m: ID!) { auditLog(memberId: $m, entityType: "Account", action: "CREATE") { nodes { after } } }"#,
            json!({"m": member}),
        )
        .await;
    assert_eq!(
        log["auditLog"]["nodes"][0]["after"]["email"],
        "direktur@bi.or.id"
    );
    app.stop().await;
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_before_and_after() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (_, sekretariat) = app
        .account(
            "sekretariat@bojonegorokab.go.id",
            &[(member_uuid(&member), Role::Secretariat)],
        )
        .await;
    let (_, watchdog) = app
        .account(
            "pemantau@bi.or.id",
            &[(member_uuid(&member), Role::Watchdog)],
        )
        .await;
    let data = app
        .ok_as(
            Some(&sekretariat),
            CREATE_ORG,
            json!({"input": {"memberId": member, "name": "IDFoS", "kind": "NGO"}}),
        )
        .await;
    let id = data["createOrganisation"]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok_as(
        Some(&sekretariat),
        r#"mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) { userErrors { code } } }"#,
        json!({"input": {"id": id, "version": 1, "name": "IDFoS Indonesia"}}),
    )
    .await;
    let log = app
        .ok_as(
            Some(&watchdog),
            r#"query($m: ID!, $e: ID) { auditLog(memberId: $m, entityId: $e) { totalCount nodes { action actorLabel entityType entityId before after requestId } } }"#,
            json!({"m": member, "e": id}),
        )
        .await;
    let nodes = log["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(log["auditLog"]["totalCount"], 2);
    assert_eq!(nodes[0]["action"], "UPDATE", "newest first");
    assert_eq!(nodes[0]["before"]["name"], "IDFoS");
    assert_eq!(nodes[0]["after"]["name"], "IDFoS Indonesia");
    assert_eq!(nodes[0]["actorLabel"], "sekretariat@bojonegorokab.go.id");
    assert_eq!(nodes[0]["entityId"], id);
    assert!(nodes[0]["requestId"].is_string());
    assert_eq!(nodes[1]["action"], "CREATE");
    assert_eq!(nodes[1]["before"], Value::Null);

    // The public and other roles may not read it; nothing can edit it.
    let q = r#"query($m: ID!) { auditLog(memberId: $m) { totalCount } }"#;
    assert_eq!(
        error_code(&app.gql_as(None, q, json!({"m": member})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(
            &app.gql_as(Some(&sekretariat), q, json!({"m": member}))
                .await
        ),
        "FORBIDDEN"
    );
    let sdl = api::graphql::sdl();
    assert!(
        !sdl.to_lowercase().contains("updateaudit") && !sdl.to_lowercase().contains("deleteaudit")
    );
    app.stop().await;
}

#[tokio::test]
async fn erasing_a_person_anonymises_their_data_everywhere_and_keeps_the_events() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (_, admin) = app
        .account(
            "admin@bojonegorokab.go.id",
            &[(member_uuid(&member), Role::Admin)],
        )
        .await;
    let invite = r#"mutation($input: InviteAccountInput!) { inviteAccount(input: $input) { account { id } userErrors { code } } }"#;
    let res = app
        .ok_as(Some(&admin), invite, json!({"input": {"memberId": member, "email": "warga.canary@example.org", "name": "Warga Canary", "role": "TEAM_MEMBER"}}))
        .await;
    let id = res["inviteAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.smtp.wait_for(1, Duration::from_secs(20)).await;

    let erase = r#"mutation($input: AccountActionInput!) { eraseAccount(input: $input) { account { name email status erasedAt } userErrors { code message } } }"#;
    let res = app
        .ok_as(
            Some(&admin),
            erase,
            json!({"input": {"accountId": id, "memberId": member, "reason": "permintaan warga"}}),
        )
        .await;
    let account = &res["eraseAccount"]["account"];
    assert_eq!(account["name"], "[dihapus]", "{res}");
    assert_eq!(account["status"], "DEACTIVATED");
    assert!(account["erasedAt"].is_string());
    assert!(!account["email"].as_str().unwrap().contains("canary"));

    // No trace of the address or the name anywhere in the database, the events kept.
    let dump = crate::privacy::dump_text(&app).await;
    assert!(
        !dump.contains("warga.canary@example.org"),
        "the address survived erasure"
    );
    assert!(!dump.contains("Warga Canary"), "the name survived erasure");
    let log = app
        .ok_as(Some(&admin), r#"query($m: ID!, $e: ID) { auditLog(memberId: $m, entityId: $e) { nodes { action } } }"#, json!({"m": member, "e": id}))
        .await;
    let actions: Vec<&str> = log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"CREATE") && actions.contains(&"ERASE_PERSONAL_DATA"),
        "{actions:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_first_operator_comes_from_the_environment_or_the_command_line() {
    let app = spawn_app_with(Options {
        env: vec![
            (
                "TERBUKA_ADMIN_EMAIL".into(),
                "kadis@bojonegorokab.go.id".into(),
            ),
            (
                "TERBUKA_ADMIN_PASSWORD".into(),
                "operator-pertama-2018".into(),
            ),
        ],
        ..Default::default()
    })
    .await;
    let res = login(&app, "kadis@bojonegorokab.go.id", "operator-pertama-2018").await;
    let token = res["token"]
        .as_str()
        .expect("the first operator signs in")
        .to_owned();
    assert_eq!(
        app.ok_as(Some(&token), VIEWER, json!({})).await["viewer"]["isOperator"],
        true
    );

    let out = terbuka_cli(
        &[
            "create-admin",
            "--email",
            "operator2@bojonegorokab.go.id",
            "--name",
            "Operator Dua",
        ],
        &[
            ("TERBUKA_DATABASE_URL", &app.database_url),
            ("TERBUKA_ADMIN_PASSWORD", "operator-kedua-2018"),
            ("TERBUKA_LOG", "warn"),
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        login(&app, "operator2@bojonegorokab.go.id", "operator-kedua-2018").await["token"]
            .is_string()
    );
    let out = terbuka_cli(
        &["create-admin", "--email", "operator3@bojonegorokab.go.id"],
        &[
            ("TERBUKA_DATABASE_URL", &app.database_url),
            ("TERBUKA_ADMIN_PASSWORD", "short"),
        ],
    )
    .await;
    assert!(!out.status.success(), "a weak password is refused");
    app.stop().await;
}

#[tokio::test]
async fn demo_logins_exist_in_the_demo_and_production_refuses_them() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Default::default()
    })
    .await;
    for (email, ..) in api::demo::DEMO_LOGINS {
        let res = login(&app, email, api::demo::DEMO_PASSWORD).await;
        assert!(res["token"].is_string(), "{email}: {res}");
    }
    let env = worker::env::Env::from_pairs([
        ("TERBUKA_MODE", "production"),
        ("TERBUKA_SECRET", "0123456789abcdef0123456789abcdef-prod"),
        ("TERBUKA_PUBLIC_URL", "https://terbuka.bojonegorokab.go.id"),
        ("TERBUKA_DEMO", "true"),
    ]);
    assert_eq!(api::Config::from_env(&env).unwrap_err().var, "TERBUKA_DEMO");
    app.stop().await;
}

#[tokio::test]
async fn erasing_a_person_removes_their_contact_details_and_their_accounts_data() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = member_uuid(&member);
    let (_, admin) = app
        .account("admin@bojonegorokab.go.id", &[(m, Role::Admin)])
        .await;
    let (account_id, session) = app
        .account("warga.hapus@example.org", &[(m, Role::TeamMember)])
        .await;
    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: CreatePersonInput!) { createPerson(input: $input) { person { id name email phone } userErrors { code } } }"#,
            json!({"input": {"memberId": member, "name": "Warga Hapus", "email": "warga.hapus@example.org", "phone": "+62 812 0000 4321", "title": "Anggota Tim"}}),
        )
        .await;
    let person = res["createPerson"]["person"].clone();
    assert_eq!(person["phone"], "+62 812 0000 4321");
    let link = r#"mutation($input: LinkAccountInput!) { linkAccountToPerson(input: $input) { account { id } userErrors { code } } }"#;
    let res = app
        .ok_as(Some(&admin), link, json!({"input": {"accountId": api::graphql::ids::encode("Account", account_id), "personId": person["id"], "memberId": member}}))
        .await;
    assert_eq!(res["linkAccountToPerson"]["userErrors"], json!([]), "{res}");

    let res = app
        .ok_as(
            Some(&admin),
            r#"mutation($input: ErasePersonInput!) { erasePerson(input: $input) { person { name email phone erasedAt } userErrors { code } } }"#,
            json!({"input": {"personId": person["id"], "reason": "permintaan warga"}}),
        )
        .await;
    let erased = &res["erasePerson"]["person"];
    assert_eq!(erased["name"], "[dihapus]", "{res}");
    assert_eq!(erased["email"], Value::Null);
    assert_eq!(erased["phone"], Value::Null);
    let dump = crate::privacy::dump_text(&app).await;
    for trace in ["Warga Hapus", "warga.hapus@example.org", "0000 4321"] {
        assert!(!dump.contains(trace), "{trace} survived erasure");
    }
    // The linked account is erased and signed out too.
    assert_eq!(
        error_code(&app.gql_as(Some(&session), VIEWER, json!({})).await),
        "UNAUTHENTICATED"
    );
    app.stop().await;
}
