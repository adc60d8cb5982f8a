//! Accounts: signing in with a lockout, links spent once, invitations accepted with consent,
//! roles kept with at least one admin, accounts switched off and erased.

use chrono::Duration;
use entity::account::{self, AccountStatus};
use entity::account_session;
use entity::accounts::access::{self, Invite};
use entity::accounts::links::AccountLinks;
use entity::accounts::{operators, password, session};
use entity::kernel::Actor;
use entity::kernel::crud::Act;
use entity::role_grant::{self, Role};
use entity::{Lang, Problem, Problems, Refusal, consent};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, denied, refused};

const PASSWORD: &str = "kominfo-bojonegoro-2018";

fn act<'a>(
    db: &'a DatabaseConnection,
    actor: &'a Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> Act<'a> {
    Act {
        db: db.into(),
        actor,
        request_id: None,
        now: at,
    }
}

/// An active account with a password and the given roles.
async fn account(db: &DatabaseConnection, email: &str, roles: &[(Uuid, Role)]) -> Actor {
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    let id = operators::create_account(db, email, "Ani", Some(hash), false, roles, now())
        .await
        .unwrap();
    Actor {
        account: account::Entity::find_by_id(id).one(db).await.unwrap(),
        session_id: None,
        roles: roles.to_vec(),
    }
}

async fn sessions_open(db: &DatabaseConnection, account: Uuid) -> usize {
    account_session::Entity::find()
        .filter(account_session::Column::AccountId.eq(account))
        .filter(account_session::Column::RevokedAt.is_null())
        .all(db)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_and_the_failures_are_kept() {
    let t = TestDb::fresh().await;
    let ani = account(&t.db, "ani@bojonegorokab.go.id", &[]).await;
    let public = Actor::anonymous();
    let a = act(&t.db, &public, now());
    let invalid = Problems::one(&["input", "password"], Problem::InvalidCredentials);
    for _ in 0..4 {
        let r = session::login(&a, "ani@bojonegorokab.go.id", "salah".into(), Lang::Id).await;
        assert_eq!(refused(r.map(|s| s.token)), invalid);
    }
    // The refusals were answers, and each attempt still counted.
    let id = ani.account_id().unwrap();
    let row = account::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.failed_logins, 4);
    let r = session::login(&a, " ANI@bojonegorokab.go.id ", "salah".into(), Lang::Id).await;
    assert_eq!(refused(r.map(|s| s.token)), invalid);
    // Locked now: even the right password is refused, with the time the lock ends (WIB).
    let r = session::login(&a, "ani@bojonegorokab.go.id", PASSWORD.into(), Lang::Id).await;
    let p = refused(r.map(|s| s.token));
    assert!(
        matches!(&p.0[0].problem, Problem::Locked { until_wib } if until_wib.contains("09.15")),
        "{p:?}"
    );
    // A quarter of an hour later it opens again.
    let later = act(&t.db, &public, now() + Duration::minutes(16));
    let s = session::login(&later, "ani@bojonegorokab.go.id", PASSWORD.into(), Lang::Id)
        .await
        .ok()
        .unwrap();
    assert_eq!(s.account.id, id);
    assert_eq!(sessions_open(&t.db, id).await, 1);
    let actions: Vec<String> = audits(&t.db, id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["LOCKED", "LOGIN"]);
    // An unknown address reads the same as a wrong password.
    let r = session::login(&a, "siapa@bojonegorokab.go.id", PASSWORD.into(), Lang::Id).await;
    assert_eq!(refused(r.map(|s| s.token)), invalid);
    t.finish().await;
}

#[tokio::test]
async fn a_reset_link_is_spent_once_and_ends_every_session() {
    let t = TestDb::fresh().await;
    let ani = account(&t.db, "ani@bojonegorokab.go.id", &[]).await;
    let id = ani.account_id().unwrap();
    let public = Actor::anonymous();
    let a = act(&t.db, &public, now());
    session::login(&a, "ani@bojonegorokab.go.id", PASSWORD.into(), Lang::Id)
        .await
        .ok()
        .unwrap();
    let signer = fixtures::signer();
    let links = AccountLinks {
        app_url: "https://terbuka.bojonegorokab.go.id",
        signer: &signer,
    };
    assert_eq!(
        refused(session::request_password_reset(&a, &links, "bukan alamat").await),
        Problems::one(&["input", "email"], Problem::InvalidEmail)
    );
    // An address without an account is accepted the same way, and nothing is sent.
    assert_eq!(
        session::request_password_reset(&a, &links, "siapa@bojonegorokab.go.id")
            .await
            .ok()
            .unwrap(),
        None
    );
    let mail = session::request_password_reset(&a, &links, "ani@bojonegorokab.go.id")
        .await
        .ok()
        .unwrap()
        .expect("a mail for an active account");
    let link = entity::account_token::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let token = signer.derive(entity::notify::LINK_PURPOSE, &link.id.to_string());
    let delivery = entity::mail_delivery::Entity::find_by_id(mail)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(delivery.template, "password_reset");
    // The mail keeps the link's id, never the token.
    assert!(!delivery.context.to_string().contains(&token));
    assert_eq!(
        refused(session::reset_password(&a, &token, "pendek".into()).await),
        Problems::one(
            &["input", "newPassword"],
            Problem::Refused(Refusal::PasswordTooShort)
        )
    );
    session::reset_password(&a, &token, "sandi-baru-yang-panjang".into())
        .await
        .ok()
        .unwrap();
    assert_eq!(sessions_open(&t.db, id).await, 0);
    assert_eq!(
        refused(session::reset_password(&a, &token, "sandi-lain-yang-panjang".into()).await),
        Problems::one(&["input", "token"], Problem::InvalidToken)
    );
    assert!(
        session::login(
            &a,
            "ani@bojonegorokab.go.id",
            "sandi-baru-yang-panjang".into(),
            Lang::Id
        )
        .await
        .is_ok()
    );
    // An hour and more later a fresh link has expired.
    session::request_password_reset(&a, &links, "ani@bojonegorokab.go.id")
        .await
        .ok()
        .unwrap();
    let newest = entity::account_token::Entity::find()
        .filter(entity::account_token::Column::UsedAt.is_null())
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let token = signer.derive(entity::notify::LINK_PURPOSE, &newest.id.to_string());
    let late = act(&t.db, &public, now() + Duration::minutes(61));
    assert_eq!(
        refused(session::reset_password(&late, &token, "sandi-ketiga-panjang".into()).await),
        Problems::one(&["input", "token"], Problem::InvalidToken)
    );
    t.finish().await;
}

#[tokio::test]
async fn an_invitation_is_accepted_once_with_consent_and_a_member_keeps_one_admin() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let admin = account(&t.db, "admin@bojonegorokab.go.id", &[(m.id, Role::Admin)]).await;
    let a = act(&t.db, &admin, now());
    let signer = fixtures::signer();
    let links = AccountLinks {
        app_url: "https://terbuka.bojonegorokab.go.id",
        signer: &signer,
    };
    let invite = |email: &'static str| Invite {
        client_mutation_id: Some("undang-1"),
        input: &"invite",
        email,
        name: "Budi (IDFoS)",
        role: Role::Watchdog,
        lang: Lang::Id,
    };
    assert_eq!(
        refused(
            access::invite(
                &a,
                &links,
                m.id,
                Invite {
                    client_mutation_id: None,
                    ..invite("budi")
                }
            )
            .await
        ),
        Problems::one(&["input", "email"], Problem::InvalidEmail)
    );
    let (budi, mail) = access::invite(&a, &links, m.id, invite("budi@idfos.or.id"))
        .await
        .ok()
        .unwrap();
    assert_eq!(budi.status, AccountStatus::Invited);
    assert!(mail.is_some());
    // The same request again (a retry) is the same account and no second mail.
    let (again, mail) = access::invite(&a, &links, m.id, invite("budi@idfos.or.id"))
        .await
        .ok()
        .unwrap();
    assert_eq!((again.id, mail), (budi.id, None));
    assert_eq!(count::<entity::account_token::Entity, _>(&t.db).await, 1);
    let link = entity::account_token::Entity::find()
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let token = signer.derive(entity::notify::LINK_PURPOSE, &link.id.to_string());
    let public = Actor::anonymous();
    let p = act(&t.db, &public, now());
    assert_eq!(
        refused(
            session::accept_invitation(&p, &token, "sandi-budi-panjang".into(), false)
                .await
                .map(|s| s.token)
        ),
        Problems::one(&["input", "consent"], Problem::Required)
    );
    let s = session::accept_invitation(&p, &token, "sandi-budi-panjang".into(), true)
        .await
        .ok()
        .unwrap();
    assert_eq!(s.account.status, AccountStatus::Active);
    assert_eq!(count::<consent::Entity, _>(&t.db).await, 1);
    assert_eq!(
        refused(
            session::accept_invitation(&p, &token, "sandi-budi-panjang".into(), true)
                .await
                .map(|s| s.token)
        ),
        Problems::one(&["input", "token"], Problem::InvalidToken)
    );
    // Roles: a second grant of the same role is a duplicate; the last admin stays.
    assert_eq!(
        refused(access::grant_role(&a, m.id, Some(budi.id), Role::Watchdog).await),
        Problems::one(&["input", "role"], Problem::Duplicate)
    );
    access::grant_role(&a, m.id, Some(budi.id), Role::TeamMember)
        .await
        .ok()
        .unwrap();
    let me = admin.account_id();
    assert_eq!(
        refused(access::revoke_role(&a, m.id, me, Role::Admin).await),
        Problems::one(&["input", "role"], Problem::Refused(Refusal::LastAdmin))
    );
    // Another member's roles are not this admin's to give; an account of another member is
    // not found from this one, even by that member's admin.
    let other = fixtures::member(&t.db, "semarang").await;
    assert_eq!(
        denied(access::grant_role(&a, other.id, Some(budi.id), Role::Watchdog).await),
        entity::kernel::edit::Denied::Forbidden
    );
    let theirs = fixtures::actor(
        &t.db,
        "admin@semarangkota.go.id",
        false,
        other.id,
        &[Role::Admin],
    )
    .await;
    assert_eq!(
        refused(
            access::grant_role(
                &act(&t.db, &theirs, now()),
                other.id,
                Some(budi.id),
                Role::Watchdog
            )
            .await
        ),
        Problems::one(&["input", "accountId"], Problem::NotFound)
    );
    // The public is asked to sign in.
    assert_eq!(
        denied(access::grant_role(&p, m.id, Some(budi.id), Role::Watchdog).await),
        entity::kernel::edit::Denied::Unauthenticated
    );
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::AccountId.eq(budi.id))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(grants.len(), 2);
    t.finish().await;
}

#[tokio::test]
async fn a_deactivated_account_loses_its_sessions_and_an_erased_one_its_data() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let admin = account(&t.db, "admin@bojonegorokab.go.id", &[(m.id, Role::Admin)]).await;
    let staff = account(
        &t.db,
        "staf@bojonegorokab.go.id",
        &[(m.id, Role::Secretariat)],
    )
    .await;
    let staff_id = staff.account_id();
    let public = Actor::anonymous();
    session::login(
        &act(&t.db, &public, now()),
        "staf@bojonegorokab.go.id",
        PASSWORD.into(),
        Lang::Id,
    )
    .await
    .ok()
    .unwrap();
    let a = act(&t.db, &admin, now());
    assert_eq!(
        refused(access::deactivate(&a, m.id, admin.account_id(), None).await),
        Problems::one(
            &["input", "accountId"],
            Problem::Refused(Refusal::CannotDeactivateSelf)
        )
    );
    let off = access::deactivate(&a, m.id, staff_id, Some("mutasi ke Dinas PU"))
        .await
        .ok()
        .unwrap();
    assert_eq!(off.status, AccountStatus::Deactivated);
    assert_eq!(sessions_open(&t.db, off.id).await, 0);
    let last = audits(&t.db, off.id).await.pop().unwrap();
    assert_eq!(last.action, "DEACTIVATE");
    assert!(
        last.after
            .unwrap()
            .to_string()
            .contains("mutasi ke Dinas PU")
    );
    // Switched off, the right password does not sign in.
    assert!(
        session::login(
            &act(&t.db, &public, now()),
            "staf@bojonegorokab.go.id",
            PASSWORD.into(),
            Lang::Id
        )
        .await
        .is_err()
    );
    let on = access::reactivate(&a, m.id, staff_id).await.ok().unwrap();
    assert_eq!(on.status, AccountStatus::Active);
    assert_eq!(
        refused(access::erase(&a, m.id, admin.account_id(), None).await),
        Problems::one(
            &["input", "accountId"],
            Problem::Refused(Refusal::CannotEraseSelf)
        )
    );
    let erased = access::erase(&a, m.id, staff_id, Some("permintaan tertulis"))
        .await
        .ok()
        .unwrap();
    assert!(erased.erased_at.is_some());
    assert!(!erased.email.contains("staf@"));
    assert_eq!(
        refused(access::reactivate(&a, m.id, staff_id).await),
        Problems::one(
            &["input", "accountId"],
            Problem::Refused(Refusal::AccountErased)
        )
    );
    t.finish().await;
}

#[tokio::test]
async fn signing_out_and_the_first_operator_are_audited() {
    let t = TestDb::fresh().await;
    let id = operators::create_operator(&t.db, "operator@terbuka.id", "Operator", PASSWORD, now())
        .await
        .unwrap();
    assert!(matches!(
        operators::create_operator(&t.db, "Operator@terbuka.id", "Lagi", PASSWORD, now()).await,
        Err(operators::OperatorRefused::Exists(_))
    ));
    let public = Actor::anonymous();
    let s = session::login(
        &act(&t.db, &public, now()),
        "operator@terbuka.id",
        PASSWORD.into(),
        Lang::Id,
    )
    .await
    .ok()
    .unwrap();
    let signed_in = Actor {
        account: Some(s.account.clone()),
        session_id: entity::account_session::Entity::find()
            .one(&t.db)
            .await
            .unwrap()
            .map(|x| x.id),
        roles: vec![],
    };
    assert_eq!(
        session::logout(&act(&t.db, &signed_in, now()), false)
            .await
            .ok(),
        Some(1)
    );
    assert_eq!(sessions_open(&t.db, id).await, 0);
    // The public has nothing to sign out of.
    assert_eq!(
        crate::denied(session::logout(&act(&t.db, &public, now()), false).await),
        entity::kernel::edit::Denied::Unauthenticated
    );
    let actions: Vec<String> = audits(&t.db, id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE_OPERATOR", "LOGIN", "LOGOUT"]);
    t.finish().await;
}
