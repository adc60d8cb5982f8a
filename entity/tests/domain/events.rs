//! Events: held only once started, closed only with minutes, a count and attending
//! organisations, and then keeping them; a held event is evidence and cannot be deleted; every
//! change raises the calendar's sequence.

use chrono::Duration;
use entity::attendance::AttendeeSector;
use entity::event::{self, EventKind, EventStatus, Frequency};
use entity::event_organisation::EventRole;
use entity::events::event::{self as ops, Attendee, EventDetails, RecurrenceAsked};
use entity::kernel::crud::{Act, Create};
use entity::problem::FieldProblem;
use entity::{Problem, Problems, Refusal};
use sea_orm::EntityTrait;

use crate::fixtures::{self, count, now};
use crate::{TestDb, refused};

const SPEC: Create<'static, &'static str> = Create {
    mutation: "createEvent",
    client_mutation_id: None,
    input: &"e",
    problems: Problems(Vec::new()),
};

fn meeting(hours_from_now: i64) -> EventDetails {
    EventDetails {
        kind: Some(EventKind::TeamMeeting),
        title: Some("Rapat persiapan Renaksi OGP".into()),
        venue_room: Some(Some("Ruang PPID".into())),
        starts_at: Some(now() + Duration::hours(hours_from_now)),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_event_is_held_once_started_and_closed_only_with_its_evidence() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let at = |hours: i64| Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now() + Duration::hours(hours),
    };
    let e = ops::create(&at(0), m.id, SPEC, meeting(2))
        .await
        .ok()
        .unwrap();
    assert_eq!((e.status, e.sequence), (EventStatus::Planned, 0));
    let early = ops::transition(&at(1), &e, e.version, EventStatus::Held).await;
    assert_eq!(
        refused(early),
        Problems::one(&["input", "to"], Problem::Refused(Refusal::EventNotStarted))
    );
    let held = ops::transition(&at(3), &e, e.version, EventStatus::Held)
        .await
        .ok()
        .unwrap();
    assert_eq!(held.held_at, Some(now() + Duration::hours(3)));
    assert_eq!(held.sequence, 1);
    // Held is evidence: it cannot be deleted.
    assert_eq!(
        refused(ops::delete(&at(3), &held, held.version).await),
        Problems::one(&["input", "id"], Problem::Refused(Refusal::EventIsEvidence))
    );
    // Closing needs minutes, a count and the organisations that attended.
    let bare = ops::transition(&at(4), &held, held.version, EventStatus::Closed).await;
    assert_eq!(
        refused(bare).0,
        vec![
            FieldProblem::new(
                &["input", "to"],
                Problem::Refused(Refusal::EventNeedsMinutes)
            ),
            FieldProblem::new(
                &["input", "to"],
                Problem::Refused(Refusal::EventNeedsAttendeeCount)
            ),
            FieldProblem::new(
                &["input", "to"],
                Problem::Refused(Refusal::EventNeedsOrganisations)
            ),
        ]
    );
    let noted = ops::update(
        &at(4),
        &held,
        held.version,
        Problems::new(),
        EventDetails {
            minutes: Some(Some("Disepakati jadwal penyusunan Renaksi.".into())),
            attendee_count: Some(Some(23)),
            ..Default::default()
        },
    )
    .await
    .ok()
    .unwrap();
    let bi = fixtures::organisation(&t.db, &m, "Bojonegoro Institute").await;
    let with_orgs = ops::set_organisations(
        &at(4),
        &noted,
        noted.version,
        Problems::new(),
        EventRole::Attending,
        vec![bi.id],
    )
    .await
    .ok()
    .unwrap();
    let closed = ops::transition(&at(5), &with_orgs, with_orgs.version, EventStatus::Closed)
        .await
        .ok()
        .unwrap();
    assert_eq!(
        closed.sequence, 4,
        "every change raises the calendar's sequence"
    );
    // Closed, it keeps its minutes and its attending organisations.
    let clear = ops::update(
        &at(6),
        &closed,
        closed.version,
        Problems::new(),
        EventDetails {
            minutes: Some(None),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        refused(clear),
        Problems::one(
            &["input", "minutes"],
            Problem::Refused(Refusal::ClosedEventKeepsMinutes)
        )
    );
    let none = ops::set_organisations(
        &at(6),
        &closed,
        closed.version,
        Problems::new(),
        EventRole::Attending,
        vec![],
    )
    .await;
    assert_eq!(
        refused(none),
        Problems::one(
            &["input", "organisationIds"],
            Problem::Refused(Refusal::ClosedEventKeepsOrganisations)
        )
    );
    let stored = event::Entity::find_by_id(e.id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, EventStatus::Closed);
    assert!(stored.minutes.is_some());
    t.finish().await;
}

#[tokio::test]
async fn recurrence_times_and_attendance_are_checked() {
    let t = TestDb::fresh().await;
    let m = fixtures::member(&t.db, "bojonegoro").await;
    let team = fixtures::team_actor(&t.db, &m, "tim@bojonegorokab.go.id").await;
    let act = Act {
        db: (&t.db).into(),
        actor: &team,
        request_id: None,
        now: now(),
    };
    let mut monthly = meeting(24);
    monthly.kind = Some(EventKind::Monev);
    monthly.recurrence = Some(Some(RecurrenceAsked {
        frequency: Frequency::Monthly,
        interval: Some(13),
        count: None,
        until: None,
        exceptions: vec![],
    }));
    monthly.ends_at = Some(Some(now()));
    assert_eq!(
        refused(ops::create(&act, m.id, SPEC, monthly).await).0,
        vec![
            FieldProblem::new(
                &["input", "recurrence", "interval"],
                Problem::OutOfRange {
                    min: "1".into(),
                    max: "12".into()
                }
            ),
            FieldProblem::new(
                &["input", "endsAt"],
                Problem::Refused(Refusal::EventEndsBeforeStart)
            ),
        ]
    );
    assert_eq!(count::<event::Entity, _>(&t.db).await, 0);
    let e = ops::create(&act, m.id, SPEC, meeting(24))
        .await
        .ok()
        .unwrap();
    // A line names a person or a name.
    let nobody = Attendee {
        person: None,
        name: None,
        organisation: None,
        sector: AttendeeSector::CivilSociety,
        gender: None,
    };
    let spec = Create {
        mutation: "recordAttendance",
        client_mutation_id: None,
        input: &"a",
        problems: Problems::new(),
    };
    assert_eq!(
        refused(ops::record_attendance(&act, &e, spec, false, nobody).await),
        Problems::one(&["input", "name"], Problem::Required)
    );
    let spec = Create {
        mutation: "recordAttendance",
        client_mutation_id: None,
        input: &"b",
        problems: Problems::new(),
    };
    let line = ops::record_attendance(
        &act,
        &e,
        spec,
        false,
        Attendee {
            person: None,
            name: Some("Perwakilan KPI".into()),
            organisation: None,
            sector: AttendeeSector::CivilSociety,
            gender: None,
        },
    )
    .await
    .ok()
    .unwrap();
    ops::remove_attendance(&act, &line).await.ok().unwrap();
    assert_eq!(count::<entity::attendance::Entity, _>(&t.db).await, 0);
    t.finish().await;
}
