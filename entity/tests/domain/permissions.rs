//! Permission is decided by the operations themselves, whoever calls them (the API, an import,
//! the command line): a watchdog may read but not write, the public is asked to sign in, an
//! office of one member cannot write in another, and a team member may report on a milestone
//! only when responsible for it. A refused operation writes nothing.

use entity::kernel::Actor;
use entity::kernel::crud::{Act, Create};
use entity::kernel::edit::{Denied, Outcome};
use entity::partnership::channel::{self, ChannelFields};
use entity::partnership::organisation::{self as orgs, OrganisationFields};
use entity::partnership::person::{self as people, PersonFields};
use entity::plans::milestone::{self as milestones, NewMilestone, Report};
use entity::role_grant::Role;
use entity::{Problems, audit_event, online_channel, organisation, person, progress_update};

use crate::fixtures::{self, count, now};
use crate::{TestDb, denied};

fn spec(mutation: &'static str) -> Create<'static, &'static str> {
    Create {
        mutation,
        client_mutation_id: None,
        input: &"x",
        problems: Problems::new(),
    }
}

/// Three writes of three capabilities, as `act`.
async fn writes(act: &Act<'_>, member: uuid::Uuid) -> Vec<Outcome> {
    let mut out = vec![];
    let channel = ChannelFields {
        kind: Some(entity::online_channel::ChannelKind::Website),
        name: Some("Situs OGP Bojonegoro".into()),
        ..Default::default()
    };
    out.push(
        channel::create(act, member, spec("createOnlineChannel"), channel)
            .await
            .err()
            .unwrap(),
    );
    let org = OrganisationFields {
        name: Some("Bojonegoro Institute".into()),
        kind: Some(entity::organisation::OrganisationKind::Ngo),
        ..Default::default()
    };
    out.push(
        orgs::create(act, member, spec("createOrganisation"), org)
            .await
            .err()
            .unwrap(),
    );
    let person = PersonFields {
        name: Some("Aw Syaiful Huda".into()),
        ..Default::default()
    };
    out.push(
        people::create(act, member, spec("createPerson"), person)
            .await
            .err()
            .unwrap(),
    );
    out
}

fn kinds(outcomes: Vec<Outcome>) -> Vec<Denied> {
    outcomes.into_iter().map(|o| denied::<()>(Err(o))).collect()
}

#[tokio::test]
async fn only_the_members_office_writes_and_a_refusal_writes_nothing() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let other = fixtures::member(&t.db, "semarang").await;
    let audits_before = count::<audit_event::Entity, _>(&t.db).await;
    let watchdog =
        fixtures::actor(&t.db, "pemantau@kpi.or.id", false, m.id, &[Role::Watchdog]).await;
    let theirs = fixtures::team_actor(&t.db, &other, "tim@semarangkota.go.id").await;
    let public = Actor::anonymous();
    let act = |actor| Act {
        db: (&t.db).into(),
        actor,
        request_id: None,
        now: now(),
    };
    assert_eq!(
        kinds(writes(&act(&watchdog), m.id).await),
        [Denied::Forbidden; 3]
    );
    assert_eq!(
        kinds(writes(&act(&theirs), m.id).await),
        [Denied::Forbidden; 3]
    );
    assert_eq!(
        kinds(writes(&act(&public), m.id).await),
        [Denied::Unauthenticated; 3]
    );
    assert_eq!(count::<online_channel::Entity, _>(&t.db).await, 0);
    assert_eq!(count::<organisation::Entity, _>(&t.db).await, 0);
    assert_eq!(count::<person::Entity, _>(&t.db).await, 0);
    assert_eq!(count::<audit_event::Entity, _>(&t.db).await, audits_before);
    t.finish().await;
}

#[tokio::test]
async fn a_team_member_reports_on_a_milestone_only_when_responsible_for_it() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let c = fixtures::commitment(&t.db, &m).await;
    let office = fixtures::team_actor(&t.db, &m, "sekretariat@bojonegorokab.go.id").await;
    let office_act = Act {
        db: (&t.db).into(),
        actor: &office,
        request_id: None,
        now: now(),
    };
    let ms = milestones::create(
        &office_act,
        &c,
        spec("createMilestone"),
        NewMilestone {
            title: "Daftar informasi publik desa".into(),
            deliverable: None,
            starts_on: Some("2018-06-01".parse().unwrap()),
            ends_on: Some("2018-12-31".parse().unwrap()),
            responsible_organisation: None,
            weight: None,
        },
    )
    .await
    .ok()
    .unwrap();
    // A team member (no admin, no secretariat) with an account linked to a person.
    let ani = fixtures::person(&t.db, &m, "Ani (Dinas Kominfo)").await;
    let mut member_of_team = fixtures::actor(
        &t.db,
        "ani@bojonegorokab.go.id",
        false,
        m.id,
        &[Role::TeamMember],
    )
    .await;
    if let Some(a) = member_of_team.account.as_mut() {
        a.person_id = Some(ani.id);
    }
    let report = || Report {
        reported_on: Some("2018-06-27".parse().unwrap()),
        percent: 20,
        note: Some("Rapat monev".into()),
        evidence_links: vec![],
    };
    let team_act = Act {
        actor: &member_of_team,
        ..office_act
    };
    assert_eq!(
        denied(
            milestones::report_progress(&team_act, &ms, spec("reportMilestoneProgress"), report())
                .await
        ),
        Denied::Forbidden
    );
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 0);
    // Made responsible, the same person may.
    let ms = milestones::set_people(&office_act, &ms, ms.version, Problems::new(), vec![ani.id])
        .await
        .ok()
        .unwrap();
    milestones::report_progress(&team_act, &ms, spec("reportMilestoneProgress"), report())
        .await
        .ok()
        .unwrap();
    assert_eq!(count::<progress_update::Entity, _>(&t.db).await, 1);
    t.finish().await;
}
