//! Public input: the public writes only on a plan it can see that is open for input, with its
//! consent, audited as the public; an answer needs a reason and is mailed to whoever left an
//! address; a hidden input takes no answer; the secretariat notes what was said elsewhere.

use entity::action_plan::{self, PlanStatus};
use entity::kernel::Actor;
use entity::kernel::crud::{Act, Create};
use entity::notify::Address;
use entity::participation::public_input::{self as ops, Record, Submit};
use entity::public_input::{self, InputResponse, InputSource};
use entity::{Lang, Problem, Problems, Refusal, consent};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::fixtures::{self, audits, count, mails_to, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "submitPublicInput",
    client_mutation_id: None,
    input: &"i",
    problems: Problems(Vec::new()),
};

fn input(plan: uuid::Uuid) -> Submit {
    Submit {
        plan: Some(plan),
        commitment: None,
        name: "Warga Kalitidu".into(),
        email: Address::parse("warga@example.id"),
        organisation: None,
        body: "Mohon data APBDes dibuka per desa.".into(),
        lang: Lang::Id,
    }
}

async fn set_status(t: &TestDb, plan: uuid::Uuid, s: PlanStatus) {
    action_plan::ActiveModel {
        id: Set(plan),
        status: Set(s),
        ..Default::default()
    }
    .update(&t.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn the_public_writes_on_a_plan_it_can_see_and_is_answered_by_mail() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let public = Actor::anonymous();
    let as_public = Act {
        db: (&t.db).into(),
        actor: &public,
        request_id: None,
        now: now(),
    };
    // In co-creation the plan is not public yet: the public cannot name it.
    assert_eq!(
        refused(ops::submit(&as_public, SPEC, input(c.plan_id)).await),
        Problems::one(&["input", "planId"], Problem::NotFound)
    );
    set_status(&t, c.plan_id, PlanStatus::PublicReview).await;
    let sent = ops::submit(&as_public, SPEC, input(c.plan_id))
        .await
        .ok()
        .unwrap();
    assert_eq!(sent.author_email.as_deref(), Some("warga@example.id"));
    assert_eq!(count::<consent::Entity, _>(&t.db).await, 1);
    let audit = audits(&t.db, sent.id).await;
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor_id),
        ("CREATE", None)
    );

    // Answered with a reason: the sender is told by mail.
    let team = fixtures::team_actor(&t.db, &m, "sekretariat@bojonegorokab.go.id").await;
    let as_team = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    assert_eq!(
        refused(ops::respond(&as_team, &sent, sent.version, InputResponse::Accepted, " ").await),
        Problems::one(&["input", "reason"], Problem::Required)
    );
    let (answered, mails) = ops::respond(
        &as_team,
        &sent,
        sent.version,
        InputResponse::Accepted,
        "Dimasukkan ke komitmen K1.",
    )
    .await
    .ok()
    .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails_to(&t.db, "warga@example.id").await,
        ["input_response:"]
    );
    assert_eq!(answered.responded_by, team.account_id());

    // Hidden, it takes no answer; shown again, it does.
    let hidden = ops::hide(&as_team, &answered, answered.version, "Di luar topik")
        .await
        .ok()
        .unwrap();
    assert_eq!(
        refused(
            ops::respond(
                &as_team,
                &hidden,
                hidden.version,
                InputResponse::Rejected,
                "x"
            )
            .await
        ),
        Problems::one(&["input", "id"], Problem::Refused(Refusal::InputHidden))
    );
    assert_eq!(
        refused(ops::hide(&as_team, &hidden, hidden.version, "lagi").await),
        Problems::one(
            &["input", "id"],
            Problem::Refused(Refusal::InputAlreadyHidden)
        )
    );
    let shown = ops::restore(&as_team, &hidden, hidden.version)
        .await
        .ok()
        .unwrap();
    assert!(shown.hidden_at.is_none());
    // Closed for input once submitted.
    set_status(&t, c.plan_id, PlanStatus::Submitted).await;
    assert_eq!(
        refused(ops::submit(&as_public, SPEC, input(c.plan_id)).await),
        Problems::one(
            &["input", "planId"],
            Problem::Refused(Refusal::PlanNotTakingInput)
        )
    );
    t.finish().await;
}

#[tokio::test]
async fn the_secretariat_notes_input_from_events_and_letters_only() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let plan = action_plan::Entity::find_by_id(c.plan_id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    let team = fixtures::team_actor(&t.db, &m, "sekretariat@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let noted = |source, event_named| Record {
        commitment: Some(c.id),
        event: None,
        event_named,
        source,
        author: Some("Peserta musrenbang".into()),
        organisation: None,
        body: "Usulan pelatihan keterbukaan informasi bagi perangkat desa.".into(),
        received_at: None,
        lang: Lang::Id,
    };
    assert_eq!(
        refused(ops::record(&act, &plan, SPEC, noted(InputSource::Online, false)).await),
        Problems::one(
            &["input", "source"],
            Problem::Refused(Refusal::OnlineInputIsPublic)
        )
    );
    assert_eq!(
        refused(ops::record(&act, &plan, SPEC, noted(InputSource::Event, false)).await),
        Problems::one(&["input", "eventId"], Problem::Required)
    );
    let e = fixtures::open_event(&t.db, &m, None).await;
    let mut at_event = noted(InputSource::Event, true);
    at_event.event = Some(e.id);
    let r = ops::record(&act, &plan, SPEC, at_event).await.ok().unwrap();
    assert_eq!(r.received_at, e.starts_at, "received when the event began");
    let letter = ops::record(&act, &plan, SPEC, noted(InputSource::Written, false))
        .await
        .ok()
        .unwrap();
    assert_eq!(letter.received_at, now());
    assert_eq!(count::<public_input::Entity, _>(&t.db).await, 2);
    t.finish().await;
}
