//! Evidence, mail retries and report requests: each written with its audit record in one
//! transaction, refused without writing when its rule says no.

use entity::document::DocumentKind;
use entity::evidence::{self, Attach, Subject};
use entity::kernel::crud::{Act, Create};
use entity::mail_delivery::{self, DeliveryStatus, MailClass};
use entity::notify::{self, NewMail};
use entity::report::{ReportFormat, ReportKind, ReportStatus};
use entity::reporting::{self, Request};
use entity::{Lang, Problem, Problems, Refusal, document};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use crate::fixtures::{self, audits, count, now};
use crate::{TestDb, refused};

fn spec(mutation: &'static str) -> Create<'static, &'static str> {
    Create {
        mutation,
        client_mutation_id: None,
        input: &"r",
        problems: Problems::new(),
    }
}

#[tokio::test]
async fn evidence_is_attached_to_its_subject_and_removed_with_a_record() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let e = fixtures::open_event(&t.db, &m, None).await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    assert_eq!(
        Subject::Event(e.id).member(&t.db).await.unwrap(),
        Some(m.id)
    );
    let attach = |title: &str| Attach {
        subject: Subject::Event(e.id),
        kind: DocumentKind::Minutes,
        title: title.into(),
        file: None,
        url: Some("https://bojonegorokab.go.id/notulen-28-juni-2018".into()),
        is_public: true,
        document_date: None,
    };
    assert_eq!(
        refused(evidence::attach(&act, m.id, spec("attachDocument"), attach(" ")).await),
        Problems::one(&["input", "title"], Problem::Required)
    );
    let d = evidence::attach(&act, m.id, spec("attachDocument"), attach("Notulen rapat"))
        .await
        .ok()
        .unwrap();
    assert_eq!((d.event_id, d.uploaded_by), (Some(e.id), team.account_id()));
    assert_eq!(Subject::of(&d), Some(Subject::Event(e.id)));
    assert!(document::subject_is_public(&t.db, &d).await.unwrap());
    evidence::delete(&act, &d, d.version).await.ok().unwrap();
    assert_eq!(count::<document::Entity, _>(&t.db).await, 0);
    let actions: Vec<String> = audits(&t.db, d.id)
        .await
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["CREATE", "DELETE"]);
    t.finish().await;
}

#[tokio::test]
async fn only_a_failed_message_is_retried_and_the_retry_is_audited() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "admin@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: Some("req-retry"),
        now: now(),
    };
    let id = notify::record(
        &t.db,
        NewMail {
            dedupe_key: "test:retry".into(),
            class: MailClass::Transactional,
            member_id: Some(m.id),
            recipient: "warga@example.id".into(),
            lang: Lang::Id,
            template: "test".into(),
            context: serde_json::json!({}),
        },
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        refused(notify::retry(&act, id).await),
        Problems::one(&["input", "id"], Problem::Refused(Refusal::MailNotFailed))
    );
    mail_delivery::ActiveModel {
        id: Set(id),
        status: Set(DeliveryStatus::Failed),
        attempts: Set(5),
        ..Default::default()
    }
    .update(&t.db)
    .await
    .unwrap();
    let again = notify::retry(&act, id).await.ok().unwrap().unwrap();
    assert_eq!((again.status, again.attempts), (DeliveryStatus::Pending, 0));
    let audit = audits(&t.db, id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].request_id.as_deref()),
        ("RETRY", Some("req-retry"))
    );
    assert!(
        notify::retry(&act, uuid::Uuid::now_v7())
            .await
            .ok()
            .unwrap()
            .is_none()
    );
    t.finish().await;
}

#[tokio::test]
async fn a_report_is_queued_with_its_language_and_an_assessment_of_its_plan() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let ask = |kind, language: &str| Request {
        kind,
        format: ReportFormat::Pdf,
        plan: Some(c.plan_id),
        event: None,
        assessment: None,
        language: Some(language.into()),
        default_lang: Lang::Id,
    };
    assert_eq!(
        refused(
            reporting::request(
                &act,
                m.id,
                spec("requestReport"),
                ask(ReportKind::IrmAtAGlance, "")
            )
            .await
        ),
        Problems::one(&["input", "assessmentId"], Problem::Required)
    );
    assert_eq!(
        refused(
            reporting::request(
                &act,
                m.id,
                spec("requestReport"),
                ask(ReportKind::Monev, "jv")
            )
            .await
        ),
        Problems::one(
            &["input", "language"],
            Problem::Refused(Refusal::ReportLanguageUnknown)
        )
    );
    let r = reporting::request(
        &act,
        m.id,
        spec("requestReport"),
        ask(ReportKind::Monev, "en"),
    )
    .await
    .ok()
    .unwrap();
    assert_eq!((r.status, r.lang.as_str()), (ReportStatus::Queued, "en"));
    assert_eq!(r.requested_by, team.account_id());
    t.finish().await;
}
