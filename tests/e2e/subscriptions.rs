//! Subscriptions to digests and alerts: double opt-in by a mailed link (GET shows a button,
//! POST confirms), RFC 8058 one-click unsubscribe without a session, the partnership's own
//! people setting theirs, and stakeholder mail that is skipped — not sent — once its address
//! has unsubscribed.

use std::sync::Arc;
use std::time::Duration;

use entity::mail_delivery::{self, DeliveryStatus, MailClass};
use entity::role_grant::Role;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;

const SUBSCRIBE: &str = "accepted userErrors { field code message }";
const LIST: &str = "query($m: ID!) { subscriptions(memberId: $m) { id email name audience frequency status confirmedAt unsubscribedAt } }";

async fn subscribe(app: &TestApp, input: Value) -> Value {
    app.mutate_as(None, "subscribe", "SubscribeInput", SUBSCRIBE, input)
        .await
}

async fn list(app: &TestApp, member: &str) -> Vec<Value> {
    app.ok(LIST, json!({"m": member})).await["subscriptions"]
        .as_array()
        .unwrap()
        .clone()
}

/// The first `http…` URL in `text` that contains `path`.
fn url_in(text: &str, path: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(path))
        .unwrap_or_else(|| panic!("no {path} link in {text}"))
        .trim_end_matches(['>', ')', '.'])
        .to_owned()
}

/// `url` (made with the public URL) on the test server.
fn local(app: &TestApp, url: &str) -> String {
    let path = &url[url
        .find("/subscriptions/")
        .or_else(|| url.find("/unsubscribe"))
        .unwrap()..];
    format!("{}{path}", app.base)
}

/// A client that follows no redirect and keeps no cookies: what a mail client's one-click
/// POST looks like.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn mailer(app: &TestApp) -> worker::mail::Mailer {
    let env = worker::env::Env::from_pairs(app.env.clone());
    let config = worker::WorkerConfig::from_env(&env).unwrap();
    worker::WorkerState::new(app.db.clone(), Arc::new(config))
        .unwrap()
        .mailer
}

async fn record_digest(app: &TestApp, subscription: &str) -> uuid::Uuid {
    worker::mail::record(
        &app.db,
        worker::mail::NewMail {
            dedupe_key: format!("test-digest:{subscription}:{}", uuid::Uuid::now_v7()),
            class: MailClass::Digest,
            member_id: None,
            recipient: "warga@example.org".into(),
            lang: entity::Lang::Id,
            template: "subscription".into(),
            context: json!({"state": "WELCOME", "member": "Kabupaten Bojonegoro",
                            "frequency": "ringkasan mingguan", "subscription_id": subscription}),
        },
    )
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn the_public_confirms_by_mail_and_unsubscribes_with_one_click() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;

    // Bad input is refused on its fields, and nothing is written or sent.
    let bad = subscribe(
        &app,
        json!({"memberId": member, "email": "bukan alamat", "consent": false}),
    )
    .await;
    let codes: Vec<(&str, &str)> = bad["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"][1].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("email", "INVALID"), ("consent", "REQUIRED")]);
    assert!(list(&app, &member).await.is_empty());

    let ok = subscribe(
        &app,
        json!({"memberId": member, "email": "  Warga@Example.ORG ", "name": "Siti Warga", "consent": true}),
    )
    .await;
    assert_eq!(ok, json!({"accepted": true, "userErrors": []}));
    let subs = list(&app, &member).await;
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["email"], "warga@example.org");
    assert_eq!(subs[0]["status"], "PENDING");
    assert_eq!(subs[0]["audience"], "PUBLIC");
    assert_eq!(subs[0]["frequency"], "WEEKLY");
    let sub_id = subs[0]["id"].as_str().unwrap().to_owned();

    // The confirmation mail: a link, and no unsubscribe headers (nothing to unsubscribe yet).
    let mails = app.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0].to, ["warga@example.org"]);
    assert_eq!(
        mails[0].subject(),
        "Konfirmasi langganan — Kabupaten Bojonegoro"
    );
    assert!(mails[0].header("List-Unsubscribe").is_none());
    let confirm = local(
        &app,
        &url_in(&mails[0].text(), "/subscriptions/confirm?token="),
    );
    let client = bare_client();
    // A GET (a mail scanner following the link) changes nothing.
    let page = client.get(&confirm).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    assert_eq!(list(&app, &member).await[0]["status"], "PENDING");
    // The button's POST confirms.
    let done = client.post(&confirm).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Langganan aktif"));
    let subs = list(&app, &member).await;
    assert_eq!(subs[0]["status"], "CONFIRMED");
    assert_eq!(subs[0]["confirmedAt"], "2018-08-01T02:00:00+00:00");

    // The welcome mail carries the one-click unsubscribe headers and the link in both parts.
    let mails = app.smtp.wait_for(2, Duration::from_secs(20)).await;
    let welcome = &mails[1];
    assert_eq!(welcome.subject(), "Langganan aktif — Kabupaten Bojonegoro");
    let header = welcome.header("List-Unsubscribe").unwrap();
    assert!(header.starts_with('<') && header.ends_with('>'), "{header}");
    let published = header.trim_matches(['<', '>']).to_owned();
    assert!(
        published.starts_with("http://terbuka.test/unsubscribe?token="),
        "{published}"
    );
    let unsubscribe = local(&app, &published);
    assert_eq!(
        welcome.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(welcome.text().contains(&published));
    assert!(welcome.html().contains("Berhenti berlangganan"));

    // Asking again for a confirmed address changes nothing (whoever asks may not own it) and
    // answers the same; the owner is told.
    let again = subscribe(
        &app,
        json!({"memberId": member, "email": "warga@example.org", "frequency": "DAILY", "consent": true}),
    )
    .await;
    assert_eq!(again, json!({"accepted": true, "userErrors": []}));
    let mails = app.smtp.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(
        mails[2].subject(),
        "Anda sudah berlangganan — Kabupaten Bojonegoro"
    );
    assert_eq!(list(&app, &member).await[0]["frequency"], "WEEKLY");

    // A digest to a confirmed subscriber goes out with the unsubscribe headers.
    let sub_uuid = api::graphql::ids::decode_as(&sub_id, "Subscription").unwrap();
    let mailer = mailer(&app);
    let digest = record_digest(&app, &sub_uuid.to_string()).await;
    assert!(matches!(
        mailer.deliver(&app.db, digest).await.unwrap(),
        worker::mail::Outcome::Sent
    ));
    let mails = app.smtp.wait_for(4, Duration::from_secs(20)).await;
    assert!(mails[3].header("List-Unsubscribe").is_some());

    // One click: a GET only shows a page; the POST, with no session and no cookie,
    // unsubscribes and answers 200 without a redirect.
    let page = client.get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(list(&app, &member).await[0]["status"], "CONFIRMED");
    let clicked = client
        .post(&unsubscribe)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
    assert!(clicked.headers().get("location").is_none());
    let subs = list(&app, &member).await;
    assert_eq!(subs[0]["status"], "UNSUBSCRIBED");
    assert_eq!(subs[0]["unsubscribedAt"], "2018-08-01T02:00:00+00:00");
    // Clicking again is harmless.
    let twice = client
        .post(&unsubscribe)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 200);

    // The next stakeholder mail to that address is skipped, not sent.
    let skipped = record_digest(&app, &sub_uuid.to_string()).await;
    mailer.deliver(&app.db, skipped).await.unwrap();
    let row = mail_delivery::Entity::find_by_id(skipped)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, DeliveryStatus::Skipped);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.smtp.received().len(), 4);

    // The old confirmation link cannot bring the address back; a forged token is refused.
    let old = client.post(&confirm).send().await.unwrap();
    assert_eq!(old.status(), 200);
    assert_eq!(list(&app, &member).await[0]["status"], "UNSUBSCRIBED");
    let forged = app
        .mutate_as(
            None,
            "unsubscribe",
            "SubscriptionTokenInput",
            "status userErrors { field code }",
            json!({"token": "eyJwIjoidW5zdWJzY3JpYmUifQ.AAAA"}),
        )
        .await;
    assert_eq!(forged["userErrors"][0]["code"], "INVALID_TOKEN", "{forged}");
    // Subscribing again starts a new double opt-in.
    app.clock.advance(chrono::Duration::seconds(61));
    subscribe(
        &app,
        json!({"memberId": member, "email": "warga@example.org", "consent": true}),
    )
    .await;
    assert_eq!(list(&app, &member).await[0]["status"], "PENDING");
    app.stop().await;
}

#[tokio::test]
async fn the_partnerships_people_set_their_own_and_the_public_is_rate_limited() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let (_, team) = app
        .account("tim@bojonegorokab.go.id", &[(m, Role::TeamMember)])
        .await;
    let set = app
        .mutate_as(
            Some(&team),
            "updateMySubscription",
            "UpdateMySubscriptionInput",
            "subscription { email audience frequency topics alertsOff status } userErrors { code }",
            json!({"memberId": member, "frequency": "DAILY", "topics": ["PLAN_PROGRESS", "DEADLINES"],
                   "alertsOff": ["FOLLOW_UP_DUE"]}),
        )
        .await;
    assert_eq!(set["userErrors"], json!([]), "{set}");
    assert_eq!(
        set["subscription"],
        json!({"email": "tim@bojonegorokab.go.id", "audience": "TEAM", "frequency": "DAILY",
               "topics": ["PLAN_PROGRESS", "DEADLINES"], "alertsOff": ["FOLLOW_UP_DUE"], "status": "CONFIRMED"})
    );
    let mine = app
        .ok_as(
            Some(&team),
            "query($m: ID!) { mySubscription(memberId: $m) { frequency } }",
            json!({"m": member}),
        )
        .await;
    assert_eq!(mine["mySubscription"]["frequency"], "DAILY");
    // A change of one's own is kept (an update once answered with the new values and stored
    // nothing).
    let changed = app
        .mutate_as(
            Some(&team),
            "updateMySubscription",
            "UpdateMySubscriptionInput",
            "subscription { frequency version } userErrors { code }",
            json!({"memberId": member, "frequency": "WEEKLY", "topics": ["DEADLINES"]}),
        )
        .await;
    assert_eq!(changed["subscription"]["version"], 2, "{changed}");
    let mine = app
        .ok_as(
            Some(&team),
            "query($m: ID!) { mySubscription(memberId: $m) { frequency topics alertsOff version } }",
            json!({"m": member}),
        )
        .await;
    assert_eq!(
        mine["mySubscription"],
        json!({"frequency": "WEEKLY", "topics": ["DEADLINES"], "alertsOff": [], "version": 2})
    );
    // No mail for that: the account's address was confirmed when the account was made.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.smtp.received().is_empty());

    // Five requests a minute per client, then RATE_LIMITED; nothing is written by the sixth.
    for n in 0..5 {
        let r = subscribe(
            &app,
            json!({"memberId": member, "email": format!("warga{n}@example.org"), "consent": true}),
        )
        .await;
        assert_eq!(r["accepted"], true, "{r}");
    }
    let sixth = app
        .gql_as(
            None,
            &format!(
                "mutation($input: SubscribeInput!) {{ subscribe(input: $input) {{ {SUBSCRIBE} }} }}"
            ),
            json!({"input": {"memberId": member, "email": "warga6@example.org", "consent": true}}),
        )
        .await;
    assert_eq!(sixth["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(list(&app, &member).await.len(), 6);
    app.stop().await;
}

/// A retried `subscribe` with its clientMutationId answers as the first did, with the
/// request's public state, and sends no second confirmation; a changed input with that id is
/// a CONFLICT. The answer for an address that is already confirmed is the same (it never says).
#[tokio::test]
async fn a_retried_subscribe_answers_as_the_first_and_mails_once() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let fields = "clientMutationId accepted request { memberId email frequency topics lang awaitingConfirmation } userErrors { field code }";
    let input = json!({"clientMutationId": "langganan-1", "memberId": member,
                       "email": "Warga@Example.org", "frequency": "DAILY", "topics": ["PUBLICATIONS"],
                       "consent": true});
    let first = app
        .mutate_as(None, "subscribe", "SubscribeInput", fields, input.clone())
        .await;
    let expected = json!({
        "clientMutationId": "langganan-1",
        "accepted": true,
        "request": {"memberId": member, "email": "warga@example.org", "frequency": "DAILY",
                    "topics": ["PUBLICATIONS"], "lang": "id", "awaitingConfirmation": true},
        "userErrors": []
    });
    assert_eq!(first, expected);
    let again = app
        .mutate_as(None, "subscribe", "SubscribeInput", fields, input.clone())
        .await;
    assert_eq!(again, expected);
    let mut changed = input.clone();
    changed["frequency"] = json!("WEEKLY");
    let changed = app
        .mutate_as(None, "subscribe", "SubscribeInput", fields, changed)
        .await;
    assert_eq!(
        changed["userErrors"],
        json!([{"field": ["input", "clientMutationId"], "code": "CONFLICT"}])
    );
    assert_eq!(changed["request"], Value::Null);
    app.smtp.wait_for(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.smtp.received().len(), 1, "one confirmation mail");
    assert_eq!(list(&app, &member).await.len(), 1);
    app.stop().await;
}
