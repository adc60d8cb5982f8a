//! Events and follow-ups as the secretariat meets them: the status moves (a literal list),
//! holding only once started, closing only with minutes, the attendee count and the attending
//! organisations, regular monev with exceptions, who sees what, overdue follow-ups from the
//! clock, and `myTasks`.

use serde_json::{Value, json};

use crate::foundation::create_member;
use crate::helpers::*;
use crate::plans::{Machine, wrong_moves};

const EVENT: Machine = Machine {
    table: "event",
    kind: "Event",
    mutation: "transitionEvent",
    input_type: "TransitionEventInput",
    field: "event",
    statuses: &["PLANNED", "HELD", "CLOSED", "POSTPONED", "CANCELLED"],
    allowed: &[
        ("PLANNED", "HELD"),
        ("PLANNED", "POSTPONED"),
        ("PLANNED", "CANCELLED"),
        ("POSTPONED", "PLANNED"),
        ("POSTPONED", "CANCELLED"),
        ("HELD", "CLOSED"),
    ],
};

const FOLLOW_UP: Machine = Machine {
    table: "follow_up",
    kind: "FollowUp",
    mutation: "transitionFollowUp",
    input_type: "TransitionFollowUpInput",
    field: "followUp",
    statuses: &["OPEN", "IN_PROGRESS", "DONE", "DROPPED"],
    allowed: &[
        ("OPEN", "IN_PROGRESS"),
        ("OPEN", "DONE"),
        ("OPEN", "DROPPED"),
        ("IN_PROGRESS", "OPEN"),
        ("IN_PROGRESS", "DONE"),
        ("IN_PROGRESS", "DROPPED"),
        ("DONE", "IN_PROGRESS"),
        ("DROPPED", "OPEN"),
    ],
};

/// The 28 June 2018 meeting at the Bojonegoro Institute office (the test clock is 1 August).
async fn meeting(app: &TestApp, member: &str, public: bool) -> (String, i64) {
    make(
        app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "TEAM_MEETING", "isPublic": public,
               "title": "Rapat persiapan Renaksi OGP Daerah",
               "venueName": "Kantor Bojonegoro Institute",
               "venueAddress": "Jl. Panglima Polim Gg. Mangga I, Bojonegoro",
               "startsAt": "2018-06-28T12:00:00+07:00", "endsAt": "2018-06-28T14:00:00+07:00"}),
    )
    .await
}

async fn organisation(app: &TestApp, member: &str, name: &str) -> String {
    make(
        app,
        "createOrganisation",
        "CreateOrganisationInput",
        "organisation",
        json!({"memberId": member, "name": name, "kind": "NGO"}),
    )
    .await
    .0
}

async fn run(app: &TestApp, mutation: &str, input_type: &str, field: &str, input: Value) -> Value {
    app.mutate_as(
        Some(&app.operator),
        mutation,
        input_type,
        &format!("{field} {{ id version status }} userErrors {{ field code message }}"),
        input,
    )
    .await
}

#[tokio::test]
async fn every_event_and_follow_up_move_outside_the_allowed_list_is_refused() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let bi = organisation(&app, &member, "Bojonegoro Institute").await;
    // Events that have everything closing needs, so only the list decides.
    let mut failures = wrong_moves(&app, &EVENT, async |_| {
        let (id, v) = meeting(&app, &member, false).await;
        let p = run(
            &app,
            "updateEvent",
            "UpdateEventInput",
            "event",
            json!({"id": id, "version": v, "minutes": "Notulen rapat", "attendeeCount": 12}),
        )
        .await;
        let v = p["event"]["version"].as_i64().unwrap();
        run(
            &app,
            "setEventOrganisations",
            "SetEventOrganisationsInput",
            "event",
            json!({"id": id, "version": v, "role": "ATTENDING", "organisationIds": [bi]}),
        )
        .await;
        // `wrong_moves` sends version 1: set it back.
        use sea_orm::ConnectionTrait;
        let uuid = api::graphql::ids::decode_as(&id, "Event").unwrap();
        let stmt = sea_orm::sea_query::Query::update()
            .table(sea_orm::sea_query::Alias::new("event"))
            .value(sea_orm::sea_query::Alias::new("version"), 1)
            .and_where(sea_orm::sea_query::ExprTrait::eq(
                sea_orm::sea_query::Expr::col(sea_orm::sea_query::Alias::new("id")),
                uuid,
            ))
            .to_owned();
        app.db.execute(&stmt).await.unwrap();
        id
    })
    .await;
    failures.extend(
        wrong_moves(&app, &FOLLOW_UP, async |n| {
            make(
                &app,
                "createFollowUp",
                "CreateFollowUpInput",
                "followUp",
                json!({"memberId": member, "description": format!("Tindak lanjut {n}")}),
            )
            .await
            .0
        })
        .await,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    app.stop().await;
}

#[tokio::test]
async fn an_event_is_held_once_started_and_closed_only_with_minutes_count_and_organisations() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    // A seminar on 10 August cannot be held on 1 August.
    let (seminar, v) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "SEMINAR", "title": "Seminar terbuka bersama Bupati Terpilih",
               "isPublic": true, "startsAt": "2018-08-10T09:00:00+07:00"}),
    )
    .await;
    let p = run(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        json!({"id": seminar, "version": v, "to": "HELD"}),
    )
    .await;
    assert_eq!(p["userErrors"][0]["code"], "EVENT_NOT_STARTED", "{p}");
    assert_eq!(p["userErrors"][0]["field"], json!(["input", "to"]));
    app.clock
        .set(worker::config::parse_instant("2018-08-10T09:00+07:00").unwrap());
    let p = run(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        json!({"id": seminar, "version": v, "to": "HELD"}),
    )
    .await;
    assert_eq!(p["event"]["status"], "HELD", "{p}");

    // The meeting: held, then closing is refused for each missing piece, and nothing moves.
    let (id, v) = meeting(&app, &member, true).await;
    let p = run(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        json!({"id": id, "version": v, "to": "HELD"}),
    )
    .await;
    let v = p["event"]["version"].as_i64().unwrap();
    let close = json!({"id": id, "version": v, "to": "CLOSED"});
    let p = run(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        close.clone(),
    )
    .await;
    let messages: Vec<&str> = p["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 3, "{p}");
    assert!(messages[0].contains("notulen"), "{messages:?}");
    assert!(messages[1].contains("jumlah peserta"), "{messages:?}");
    assert!(messages[2].contains("organisasi"), "{messages:?}");
    assert!(p["event"].is_null());
    let now = app
        .ok(
            "query($id: ID!) { event(id: $id) { status version closedAt } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(now["event"]["status"], "HELD");
    assert_eq!(now["event"]["version"], v);

    // Minutes and the count, still no organisations: one reason left.
    let p = run(
        &app,
        "updateEvent",
        "UpdateEventInput",
        "event",
        json!({"id": id, "version": v, "minutes": "1. RPJMD versi teknokratik …", "attendeeCount": 15}),
    )
    .await;
    let v = p["event"]["version"].as_i64().unwrap();
    let p = run(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        json!({"id": id, "version": v, "to": "CLOSED"}),
    )
    .await;
    assert_eq!(p["userErrors"].as_array().unwrap().len(), 1, "{p}");

    let bi = organisation(&app, &member, "Bojonegoro Institute").await;
    let idfos = organisation(&app, &member, "IDFoS Indonesia").await;
    let p = run(
        &app,
        "setEventOrganisations",
        "SetEventOrganisationsInput",
        "event",
        json!({"id": id, "version": v, "role": "ATTENDING", "organisationIds": [bi, idfos]}),
    )
    .await;
    let v = p["event"]["version"].as_i64().unwrap();
    let p = run(
        &app,
        "transitionEvent",
        "TransitionEventInput",
        "event",
        json!({"id": id, "version": v, "to": "CLOSED"}),
    )
    .await;
    assert_eq!(p["event"]["status"], "CLOSED", "{p}");
    let v = p["event"]["version"].as_i64().unwrap();

    // A closed event keeps its minutes and its attending organisations; it cannot be deleted.
    let p = run(
        &app,
        "updateEvent",
        "UpdateEventInput",
        "event",
        json!({"id": id, "version": v, "minutes": null}),
    )
    .await;
    assert_eq!(
        p["userErrors"][0]["field"],
        json!(["input", "minutes"]),
        "{p}"
    );
    assert_eq!(
        p["userErrors"][0]["code"], "CLOSED_EVENT_KEEPS_MINUTES",
        "{p}"
    );
    let p = run(
        &app,
        "setEventOrganisations",
        "SetEventOrganisationsInput",
        "event",
        json!({"id": id, "version": v, "role": "ATTENDING", "organisationIds": []}),
    )
    .await;
    assert_eq!(
        p["userErrors"][0]["code"], "CLOSED_EVENT_KEEPS_ORGANISATIONS",
        "{p}"
    );
    let d = app
        .mutate_as(
            Some(&app.operator),
            "deleteEvent",
            "DeleteInput",
            "deletedId userErrors { code }",
            json!({"id": id, "version": v}),
        )
        .await;
    assert_eq!(d["userErrors"][0]["code"], "EVENT_IS_EVIDENCE", "{d}");

    let e = app
        .ok(
            "query($id: ID!) { event(id: $id) { status closedAt heldAt minutes attendeeCount sequence
               startsAt startsLocal venue { name address } attendingOrganisations { name } } }",
            json!({"id": id}),
        )
        .await["event"]
        .clone();
    assert_eq!(e["startsAt"], "2018-06-28T05:00:00+00:00");
    assert_eq!(e["startsLocal"], "2018-06-28T12:00:00+07:00");
    assert_eq!(
        e["attendingOrganisations"],
        json!([{"name": "Bojonegoro Institute"}, {"name": "IDFoS Indonesia"}])
    );
    assert!(e["closedAt"].is_string() && e["heldAt"].is_string());
    assert!(
        e["sequence"].as_i64().unwrap() >= 4,
        "every change raises it: {e}"
    );
    app.stop().await;
}

#[tokio::test]
async fn monthly_monev_recurs_with_exceptions_and_bad_rules_are_refused() {
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let bad = app
        .mutate_as(
            Some(&app.operator),
            "createEvent",
            "CreateEventInput",
            "event { id } userErrors { field code }",
            json!({"memberId": member, "kind": "MONEV", "title": "Monev bulanan",
                   "startsAt": "2018-07-05T09:00:00+07:00",
                   "recurrence": {"frequency": "MONTHLY", "interval": 0, "count": 900}}),
        )
        .await;
    assert_eq!(
        bad["userErrors"],
        json!([
            {"field": ["input", "recurrence", "interval"], "code": "OUT_OF_RANGE"},
            {"field": ["input", "recurrence", "count"], "code": "OUT_OF_RANGE"}
        ])
    );
    assert!(bad["event"].is_null());
    let (monev, _) = make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "MONEV", "title": "Monev bulanan Tim Kemitraan",
               "venueRoom": "Ruang PPID", "startsAt": "2018-07-05T09:00:00+07:00",
               "recurrence": {"frequency": "MONTHLY", "count": 6, "exceptions": ["2018-09-05"]}}),
    )
    .await;
    // An internal meeting: the team sees it in October, the public does not.
    let q = r#"query($m: ID!) { events(memberId: $m, from: "2018-10-01", to: "2018-10-31") {
        title occurrences(from: "2018-10-01", to: "2018-12-31") recurrence { frequency count exceptions } } }"#;
    let team = app.ok(q, json!({"m": member})).await;
    assert_eq!(
        team["events"],
        json!([{"title": "Monev bulanan Tim Kemitraan",
                "occurrences": ["2018-10-05T02:00:00+00:00", "2018-11-05T02:00:00+00:00", "2018-12-05T02:00:00+00:00"],
                "recurrence": {"frequency": "MONTHLY", "count": 6, "exceptions": ["2018-09-05"]}}])
    );
    let public = app.gql_as(None, q, json!({"m": member})).await;
    assert_eq!(public["data"]["events"], json!([]), "{public}");
    let hidden = app
        .gql_as(
            None,
            "query($id: ID!) { event(id: $id) { title } }",
            json!({"id": monev}),
        )
        .await;
    assert_eq!(hidden["errors"][0]["extensions"]["code"], "NOT_FOUND");
    // September is an exception; January 2019 is past the sixth occurrence.
    for (from, to) in [("2018-09-01", "2018-09-30"), ("2019-01-01", "2019-03-31")] {
        let q = format!(
            r#"query($m: ID!) {{ events(memberId: $m, from: "{from}", to: "{to}") {{ title }} }}"#
        );
        assert_eq!(
            app.ok(&q, json!({"m": member})).await["events"],
            json!([]),
            "{from}"
        );
    }
    // Too wide a window is a clear error on the argument.
    let wide = app
        .gql(
            r#"query($m: ID!) { events(memberId: $m, from: "2016-01-01", to: "2018-12-31") { title } }"#,
            json!({"m": member}),
        )
        .await;
    assert_eq!(wide["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(wide["errors"][0]["extensions"]["field"], "to");
    app.stop().await;
}

#[tokio::test]
async fn follow_ups_fall_overdue_by_the_clock_and_my_tasks_lists_them_soonest_first() {
    use entity::role_grant::Role;
    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let m = api::graphql::ids::decode_as(&member, "Member").unwrap();
    let (event, _) = meeting(&app, &member, true).await;
    let (person, _) = make(
        &app,
        "createPerson",
        "CreatePersonInput",
        "person",
        json!({"memberId": member, "name": "Nuty", "email": "nuty@bojonegorokab.go.id"}),
    )
    .await;
    let (account, token) = app
        .account("nuty@bojonegorokab.go.id", &[(m, Role::TeamMember)])
        .await;
    app.ok_as(
        Some(&app.operator),
        r#"mutation($input: LinkAccountInput!) { linkAccountToPerson(input: $input) { __typename } }"#,
        json!({"input": {"accountId": api::graphql::ids::encode("Account", account).to_string(),
                         "personId": person, "memberId": member}}),
    )
    .await;

    let mut follow_ups = vec![];
    for (text, due) in [
        ("Audiensi dengan Bupati Terpilih", "2018-08-20"),
        ("Undangan terbuka penyusunan Renaksi", "2018-07-15"),
        ("Akun media sosial OGP Bojonegoro", "2018-09-30"),
    ] {
        let (id, v) = make(
            &app,
            "createFollowUp",
            "CreateFollowUpInput",
            "followUp",
            json!({"memberId": member, "eventId": event, "description": text, "dueOn": due}),
        )
        .await;
        let p = run(
            &app,
            "setFollowUpOwners",
            "SetFollowUpOwnersInput",
            "followUp",
            json!({"id": id, "version": v, "personIds": [person]}),
        )
        .await;
        follow_ups.push((id, p["followUp"]["version"].as_i64().unwrap()));
    }
    // Someone else's follow-up is not the person's task.
    make(
        &app,
        "createFollowUp",
        "CreateFollowUpInput",
        "followUp",
        json!({"memberId": member, "eventId": event, "description": "Sinkronisasi DPA Kominfo", "dueOn": "2018-07-01"}),
    )
    .await;
    // A milestone the person is responsible for, due between two follow-ups.
    let (plan, _) = make(
        &app,
        "createPlan",
        "CreatePlanInput",
        "plan",
        json!({"memberId": member, "level": "REGIONAL", "title": "Renaksi 2018"}),
    )
    .await;
    let (commitment, _) = make(
        &app,
        "createCommitment",
        "CreateCommitmentInput",
        "commitment",
        json!({"planId": plan, "title": "Satu Data"}),
    )
    .await;
    let (milestone, v) = make(
        &app,
        "createMilestone",
        "CreateMilestoneInput",
        "milestone",
        json!({"commitmentId": commitment, "title": "Portal data", "endsOn": "2018-08-31"}),
    )
    .await;
    app.mutate_as(
        Some(&app.operator),
        "setMilestonePeople",
        "SetResponsiblePeopleInput",
        "userErrors { code }",
        json!({"id": milestone, "version": v, "personIds": [person]}),
    )
    .await;

    let tasks = "{ myTasks { kind title dueOn overdue } }";
    let mine = app.ok_as(Some(&token), tasks, json!({})).await;
    assert_eq!(
        mine["myTasks"],
        json!([
            {"kind": "FOLLOW_UP", "title": "Undangan terbuka penyusunan Renaksi", "dueOn": "2018-07-15", "overdue": true},
            {"kind": "FOLLOW_UP", "title": "Audiensi dengan Bupati Terpilih", "dueOn": "2018-08-20", "overdue": false},
            {"kind": "MILESTONE", "title": "Portal data", "dueOn": "2018-08-31", "overdue": false},
            {"kind": "FOLLOW_UP", "title": "Akun media sosial OGP Bojonegoro", "dueOn": "2018-09-30", "overdue": false}
        ])
    );

    // The owner (a team member) marks their own follow-up done; it leaves the list. They
    // cannot touch someone else's.
    let (late, v) = &follow_ups[1];
    let p = app
        .mutate_as(
            Some(&token),
            "transitionFollowUp",
            "TransitionFollowUpInput",
            "followUp { status } userErrors { code }",
            json!({"id": late, "version": v, "to": "DONE"}),
        )
        .await;
    assert_eq!(p["followUp"]["status"], "DONE", "{p}");
    let others = app
        .ok(
            "query($m: ID!) { followUps(memberId: $m, overdueOnly: true) { id description version } }",
            json!({"m": member}),
        )
        .await;
    assert_eq!(
        others["followUps"],
        json!([{"id": others["followUps"][0]["id"], "description": "Sinkronisasi DPA Kominfo", "version": 1}])
    );
    let refused = app
        .gql_as(
            Some(&token),
            "mutation($i: TransitionFollowUpInput!) { transitionFollowUp(input: $i) { followUp { status } } }",
            json!({"i": {"id": others["followUps"][0]["id"], "version": 1, "to": "DONE"}}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // On 21 August the audiensi is overdue too.
    app.clock
        .set(worker::config::parse_instant("2018-08-21T09:00+07:00").unwrap());
    let mine = app.ok_as(Some(&token), tasks, json!({})).await;
    let overdue: Vec<&str> = mine["myTasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["overdue"] == true)
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(overdue, ["Audiensi dengan Bupati Terpilih"]);

    // The public reads the follow-ups of a public meeting, without their owners.
    let public = app
        .gql_as(
            None,
            "query($id: ID!) { event(id: $id) { followUps { description owners { name } } attendanceSummary { total } } }",
            json!({"id": event}),
        )
        .await;
    let list = public["data"]["event"]["followUps"].as_array().unwrap();
    assert_eq!(list.len(), 4, "{public}");
    assert!(list.iter().all(|f| f["owners"] == json!([])));
    app.stop().await;
}

/// The calendar of one event and of the member, read back by an iCalendar parser.
#[tokio::test]
async fn calendars_say_what_a_calendar_needs() {
    use icalendar::{Calendar, CalendarComponent, Component, EventLike};
    use std::str::FromStr;

    async fn events_in(app: &TestApp, path: &str) -> Vec<icalendar::Event> {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let text = res.text().await.unwrap();
        assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
        let cal = Calendar::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        cal.components
            .into_iter()
            .filter_map(|c| match c {
                CalendarComponent::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    let app = spawn_app().await;
    let member = create_member(&app, "Kabupaten Bojonegoro", "bojonegoro").await;
    let (internal, _) = meeting(&app, &member, false).await;
    let (meeting, v) = meeting(&app, &member, true).await;
    let uuid = api::graphql::ids::decode_as(&meeting, "Event").unwrap();
    let path = format!("/events/{meeting}.ics");
    let first = events_in(&app, &path).await;
    assert_eq!(first.len(), 1);
    let e = &first[0];
    // 28 June 2018 12:00 WIB is 05:00Z.
    assert_eq!(e.property_value("DTSTART"), Some("20180628T050000Z"));
    assert_eq!(e.property_value("DTEND"), Some("20180628T070000Z"));
    assert_eq!(e.get_uid(), Some(format!("{uuid}@terbuka").as_str()));
    assert_eq!(e.get_summary(), Some("Rapat persiapan Renaksi OGP Daerah"));
    assert_eq!(
        e.get_location(),
        Some("Kantor Bojonegoro Institute, Jl. Panglima Polim Gg. Mangga I, Bojonegoro")
    );
    assert_eq!(e.property_value("SEQUENCE"), Some("0"));

    // A change: the same UID, a higher SEQUENCE.
    run(
        &app,
        "updateEvent",
        "UpdateEventInput",
        "event",
        json!({"id": meeting, "version": v, "startsAt": "2018-06-28T13:00:00+07:00"}),
    )
    .await;
    let second = events_in(&app, &format!("/events/{uuid}.ics")).await;
    assert_eq!(second[0].get_uid(), e.get_uid());
    assert_eq!(second[0].property_value("SEQUENCE"), Some("1"));
    assert_eq!(
        second[0].property_value("DTSTART"),
        Some("20180628T060000Z")
    );

    // Monthly monev, public, with September off; an internal meeting stays out.
    make(
        &app,
        "createEvent",
        "CreateEventInput",
        "event",
        json!({"memberId": member, "kind": "MONEV", "title": "Monev bulanan", "isPublic": true,
               "startsAt": "2018-07-05T09:00:00+07:00", "venueRoom": "Ruang PPID",
               "recurrence": {"frequency": "MONTHLY", "count": 6, "exceptions": ["2018-09-05"]}}),
    )
    .await;
    assert_eq!(
        app.get(&format!("/events/{internal}.ics")).await.status(),
        404
    );
    let all = events_in(&app, "/calendar/bojonegoro.ics").await;
    let titles: Vec<_> = all.iter().filter_map(|e| e.get_summary()).collect();
    assert_eq!(
        titles,
        ["Monev bulanan", "Rapat persiapan Renaksi OGP Daerah"]
    );
    let monev = &all[0];
    assert_eq!(
        monev.property_value("RRULE"),
        Some("FREQ=MONTHLY;INTERVAL=1;COUNT=6")
    );
    let exdate = monev
        .property_value("EXDATE")
        .map(str::to_owned)
        .or_else(|| {
            monev
                .multi_properties()
                .get("EXDATE")
                .and_then(|p| p.first())
                .map(|p| p.value().to_owned())
        });
    assert_eq!(exdate.as_deref(), Some("20180905T020000Z"));
    assert_eq!(app.get("/calendar/atlantis.ics").await.status(), 404);
    app.stop().await;
}
