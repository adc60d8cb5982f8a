//! Events: planned, changed (every change raises the calendar's SEQUENCE), moved along
//! PLANNED → HELD (once it has started) / POSTPONED / CANCELLED, POSTPONED → PLANNED /
//! CANCELLED, HELD → CLOSED (with minutes, the attendee count and the attending
//! organisations), given an agenda and organisations, deleted only if it never took place, and
//! their attendance lists kept.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use crate::attendance::{self, AttendeeSector, Gender};
use crate::event::{self, EventKind, EventStatus, Frequency, OutreachChannel, Recurrence};
use crate::event_organisation::{self, EventRole};
use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::validate::text_change;
use crate::{Problem, Problems, Refusal, agenda_item, validate};

/// A recurrence as asked for (checked here).
pub struct RecurrenceAsked {
    pub frequency: Frequency,
    /// Every n weeks or months (1–12, default 1).
    pub interval: Option<i32>,
    /// How many occurrences in all.
    pub count: Option<i32>,
    pub until: Option<NaiveDate>,
    pub exceptions: Vec<NaiveDate>,
}

fn recurrence(p: &mut Problems, r: &RecurrenceAsked) -> Option<serde_json::Value> {
    let interval = r.interval.unwrap_or(1);
    let mut ok = true;
    if !(1..=12).contains(&interval) {
        p.push(
            &["input", "recurrence", "interval"],
            Problem::OutOfRange {
                min: "1".into(),
                max: "12".into(),
            },
        );
        ok = false;
    }
    if let Some(c) = r.count
        && !(1..=event::MAX_OCCURRENCES as i32).contains(&c)
    {
        p.push(
            &["input", "recurrence", "count"],
            Problem::OutOfRange {
                min: "1".into(),
                max: event::MAX_OCCURRENCES.to_string(),
            },
        );
        ok = false;
    }
    if r.exceptions.len() > 200 {
        p.push(
            &["input", "recurrence", "exceptions"],
            Problem::TooMany { max: 200 },
        );
        ok = false;
    }
    let mut exceptions = r.exceptions.clone();
    exceptions.sort();
    exceptions.dedup();
    ok.then(|| {
        serde_json::to_value(Recurrence {
            frequency: r.frequency,
            interval: interval as u32,
            count: r.count.map(|c| c as u32),
            until: r.until,
            exceptions,
        })
        .unwrap_or_default()
    })
}

/// An event's details as given: `None` leaves a field as it is (or empty, on creation),
/// `Some(None)` clears it.
#[derive(Default)]
pub struct EventDetails {
    /// Required on creation.
    pub kind: Option<EventKind>,
    /// Required on creation.
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub plan: Option<Option<Uuid>>,
    pub organiser: Option<Option<Uuid>>,
    pub venue_name: Option<Option<String>>,
    pub venue_address: Option<Option<String>>,
    pub venue_room: Option<Option<String>>,
    pub online_url: Option<Option<String>>,
    /// Required on creation.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// Default false (internal).
    pub is_public: Option<bool>,
    pub channel: Option<Option<OutreachChannel>>,
    pub recurrence: Option<Option<RecurrenceAsked>>,
    pub minutes: Option<Option<String>>,
    pub attendee_count: Option<Option<i32>>,
}

/// [`EventDetails`] checked.
struct Checked {
    title: Option<String>,
    description: Option<Option<String>>,
    venue_name: Option<Option<String>>,
    venue_address: Option<Option<String>>,
    venue_room: Option<Option<String>>,
    online_url: Option<Option<String>>,
    recurrence: Option<Option<serde_json::Value>>,
    minutes: Option<Option<String>>,
}

fn check(p: &mut Problems, d: &EventDetails) -> Checked {
    let title = d
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let online_url = match &d.online_url {
        None => None,
        Some(None) => Some(None),
        Some(Some(u)) => p.check(validate::optional_url(&["input", "onlineUrl"], Some(u))),
    };
    if let Some(Some(n)) = d.attendee_count
        && !(0..=1_000_000).contains(&n)
    {
        p.push(
            &["input", "attendeeCount"],
            Problem::OutOfRange {
                min: "0".into(),
                max: "1000000".into(),
            },
        );
    }
    let recurrence = match &d.recurrence {
        None => None,
        Some(None) => Some(None),
        Some(Some(r)) => recurrence(p, r).map(Some),
    };
    Checked {
        title,
        description: text_change(p, "description", d.description.clone(), 20_000, true),
        venue_name: text_change(p, "venueName", d.venue_name.clone(), 300, false),
        venue_address: text_change(p, "venueAddress", d.venue_address.clone(), 500, false),
        venue_room: text_change(p, "venueRoom", d.venue_room.clone(), 200, false),
        online_url,
        recurrence,
        minutes: text_change(p, "minutes", d.minutes.clone(), 200_000, true),
    }
}

fn check_times(p: &mut Problems, starts: DateTime<Utc>, ends: Option<DateTime<Utc>>) {
    if ends.is_some_and(|e| e < starts) {
        p.push(
            &["input", "endsAt"],
            Problem::Refused(Refusal::EventEndsBeforeStart),
        );
    }
}

async fn check_refs(
    tx: &DatabaseTransaction,
    p: &mut Problems,
    member: Uuid,
    d: &EventDetails,
) -> Result<(), DbErr> {
    check_ref::<crate::action_plan::Entity, _>(tx, p, "planId", d.plan.flatten(), member, |x| {
        x.member_id
    })
    .await?;
    check_ref::<crate::organisation::Entity, _>(
        tx,
        p,
        "organiserId",
        d.organiser.flatten(),
        member,
        |x| x.member_id,
    )
    .await
}

/// Plans an event of `member` (PLANNED).
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    d: EventDetails,
) -> Result<event::Model, Outcome> {
    act.permit("createEvent", Some(member))?;
    let p = &mut spec.problems;
    if d.kind.is_none() {
        p.push(&["input", "kind"], Problem::Required);
    }
    if d.title.is_none() {
        p.push(&["input", "title"], Problem::Required);
    }
    if d.starts_at.is_none() {
        p.push(&["input", "startsAt"], Problem::Required);
    }
    let c = check(p, &d);
    let starts = d.starts_at.unwrap_or_default();
    let ends = d.ends_at.flatten();
    check_times(p, starts, ends);
    crud::create::<event::Entity, _>(
        act,
        spec,
        async |tx, p| check_refs(tx, p, member, &d).await,
        |id, now| event::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            plan_id: Set(d.plan.flatten()),
            kind: Set(d.kind.unwrap_or(EventKind::TeamMeeting)),
            title: Set(c.title.clone().unwrap_or_default()),
            description: Set(c.description.clone().flatten()),
            organiser_id: Set(d.organiser.flatten()),
            venue_name: Set(c.venue_name.clone().flatten()),
            venue_address: Set(c.venue_address.clone().flatten()),
            venue_room: Set(c.venue_room.clone().flatten()),
            online_url: Set(c.online_url.clone().flatten()),
            starts_at: Set(starts),
            ends_at: Set(ends),
            is_public: Set(d.is_public.unwrap_or(false)),
            channel: Set(d.channel.flatten()),
            recurrence: Set(c.recurrence.clone().flatten()),
            status: Set(EventStatus::Planned),
            minutes: Set(c.minutes.clone().flatten()),
            attendee_count: Set(d.attendee_count.flatten()),
            held_at: Set(None),
            closed_at: Set(None),
            sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes an event if it is still at `version` (a closed one keeps its minutes and counts).
pub async fn update(
    act: &Act<'_>,
    current: &event::Model,
    version: i32,
    mut problems: Problems,
    d: EventDetails,
) -> Result<event::Model, Outcome> {
    act.permit("updateEvent", Some(current.member_id))?;
    let p = &mut problems;
    let c = check(p, &d);
    let starts = d.starts_at.unwrap_or(current.starts_at);
    let ends = d.ends_at.unwrap_or(current.ends_at);
    check_times(p, starts, ends);
    let member = current.member_id;
    let clears = matches!(c.minutes, Some(None)) || matches!(d.attendee_count, Some(None));
    crud::update::<event::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            // Decided on the event as it is inside the write.
            if before.status == EventStatus::Closed && clears {
                p.push(
                    &["input", "minutes"],
                    Problem::Refused(Refusal::ClosedEventKeepsMinutes),
                );
            }
            check_refs(tx, p, member, &d).await
        },
        |before| event::ActiveModel {
            kind: set(d.kind),
            title: set(c.title.clone()),
            description: set(c.description.clone()),
            plan_id: set(d.plan),
            organiser_id: set(d.organiser),
            venue_name: set(c.venue_name.clone()),
            venue_address: set(c.venue_address.clone()),
            venue_room: set(c.venue_room.clone()),
            online_url: set(c.online_url.clone()),
            starts_at: set(d.starts_at),
            ends_at: set(d.ends_at),
            is_public: set(d.is_public),
            channel: set(d.channel),
            recurrence: set(c.recurrence.clone()),
            minutes: set(c.minutes.clone()),
            attendee_count: set(d.attendee_count),
            sequence: Set(before.sequence + 1),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// What closing needs that the event does not have yet.
async fn closing_problems(
    tx: &DatabaseTransaction,
    e: &event::Model,
    p: &mut Problems,
) -> Result<(), DbErr> {
    if e.minutes.as_deref().is_none_or(|m| m.trim().is_empty()) {
        p.push(
            &["input", "to"],
            Problem::Refused(Refusal::EventNeedsMinutes),
        );
    }
    if e.attendee_count.is_none_or(|n| n <= 0) {
        p.push(
            &["input", "to"],
            Problem::Refused(Refusal::EventNeedsAttendeeCount),
        );
    }
    let attending = event_organisation::Entity::find()
        .filter(event_organisation::Column::EventId.eq(e.id))
        .filter(event_organisation::Column::Role.eq(EventRole::Attending))
        .one(tx)
        .await?;
    if attending.is_none() {
        p.push(
            &["input", "to"],
            Problem::Refused(Refusal::EventNeedsOrganisations),
        );
    }
    Ok(())
}

/// Moves an event to `to` when that step is allowed (see the module's rules).
pub async fn transition(
    act: &Act<'_>,
    current: &event::Model,
    version: i32,
    to: EventStatus,
) -> Result<event::Model, Outcome> {
    act.permit("transitionEvent", Some(current.member_id))?;
    let now = act.now;
    crud::transition::<event::Entity, _>(
        act,
        current,
        version,
        to,
        |e| e.status,
        async |tx, before, p| {
            match to {
                EventStatus::Held if before.starts_at > now => {
                    p.push(&["input", "to"], Problem::Refused(Refusal::EventNotStarted))
                }
                EventStatus::Closed => closing_problems(tx, before, p).await?,
                _ => {}
            }
            Ok(())
        },
        |before, to| event::ActiveModel {
            status: Set(to),
            held_at: if to == EventStatus::Held {
                Set(Some(now))
            } else {
                NotSet
            },
            closed_at: if to == EventStatus::Closed {
                Set(Some(now))
            } else {
                NotSet
            },
            sequence: Set(before.sequence + 1),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await
}

/// One agenda item, as asked for.
pub struct AgendaItem {
    pub title: String,
    /// 1–1440.
    pub duration_minutes: Option<i32>,
    pub speaker_name: Option<String>,
    pub speaker_person: Option<Uuid>,
}

/// Replaces an event's agenda (at most 100 items, in order).
pub async fn set_agenda(
    act: &Act<'_>,
    current: &event::Model,
    version: i32,
    mut problems: Problems,
    items: Vec<AgendaItem>,
) -> Result<event::Model, Outcome> {
    act.permit("setEventAgenda", Some(current.member_id))?;
    let p = &mut problems;
    if items.len() > 100 {
        p.push(&["input", "items"], Problem::TooMany { max: 100 });
    }
    let mut rows = vec![];
    for (i, item) in items.iter().enumerate() {
        let at = |f: &str| format!("items.{i}.{f}");
        let title = p.check(validate::required_text(
            &["input", &at("title")],
            &item.title,
            500,
        ));
        let speaker = p
            .check(validate::optional_text(
                &["input", &at("speakerName")],
                item.speaker_name.as_deref(),
                300,
            ))
            .flatten();
        if let Some(d) = item.duration_minutes
            && !(1..=24 * 60).contains(&d)
        {
            p.push(
                &["input", &at("durationMinutes")],
                Problem::OutOfRange {
                    min: "1".into(),
                    max: "1440".into(),
                },
            );
        }
        rows.push((
            title.unwrap_or_default(),
            item.duration_minutes,
            speaker,
            item.speaker_person,
        ));
    }
    let member = current.member_id;
    crud::update::<event::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            for (i, (_, _, _, person)) in rows.iter().enumerate() {
                check_ref::<crate::person::Entity, _>(
                    tx,
                    p,
                    &format!("items.{i}.speakerPersonId"),
                    *person,
                    member,
                    |x| x.member_id,
                )
                .await?;
            }
            Ok(())
        },
        |before| event::ActiveModel {
            sequence: Set(before.sequence + 1),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, e| {
            agenda_item::Entity::delete_many()
                .filter(agenda_item::Column::EventId.eq(e.id))
                .exec(tx)
                .await?;
            for (i, (title, minutes, speaker, person)) in rows.iter().enumerate() {
                agenda_item::Entity::insert(agenda_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(member),
                    event_id: Set(e.id),
                    ordinal: Set(i as i32),
                    title: Set(title.clone()),
                    duration_minutes: Set(*minutes),
                    speaker_person_id: Set(*person),
                    speaker_name: Set(speaker.clone()),
                })
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
    )
    .await
}

/// Replaces an event's organisations in `role` (co-organisers or attending); a closed event
/// keeps at least one attending organisation.
pub async fn set_organisations(
    act: &Act<'_>,
    current: &event::Model,
    version: i32,
    problems: Problems,
    role: EventRole,
    orgs: Vec<Uuid>,
) -> Result<event::Model, Outcome> {
    act.permit("setEventOrganisations", Some(current.member_id))?;
    let member = current.member_id;
    crud::update::<event::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            for (i, o) in orgs.iter().enumerate() {
                check_ref::<crate::organisation::Entity, _>(
                    tx,
                    p,
                    &format!("organisationIds.{i}"),
                    Some(*o),
                    member,
                    |x| x.member_id,
                )
                .await?;
            }
            if before.status == EventStatus::Closed
                && role == EventRole::Attending
                && orgs.is_empty()
            {
                p.push(
                    &["input", "organisationIds"],
                    Problem::Refused(Refusal::ClosedEventKeepsOrganisations),
                );
            }
            Ok(())
        },
        |before| event::ActiveModel {
            sequence: Set(before.sequence + 1),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, e| {
            event_organisation::Entity::delete_many()
                .filter(event_organisation::Column::EventId.eq(e.id))
                .filter(event_organisation::Column::Role.eq(role))
                .exec(tx)
                .await?;
            for o in &orgs {
                event_organisation::Entity::insert(event_organisation::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(member),
                    event_id: Set(e.id),
                    organisation_id: Set(*o),
                    role: Set(role),
                })
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
    )
    .await
}

/// Deletes an event that never took place (PLANNED, POSTPONED or CANCELLED): a held or closed
/// one is evidence.
pub async fn delete(act: &Act<'_>, current: &event::Model, version: i32) -> Result<(), Outcome> {
    act.permit("deleteEvent", Some(current.member_id))?;
    if matches!(current.status, EventStatus::Held | EventStatus::Closed) {
        return Err(
            Problems::one(&["input", "id"], Problem::Refused(Refusal::EventIsEvidence)).into(),
        );
    }
    crud::delete::<event::Entity>(act, current, version).await
}

/// A line of an attendance list, as asked for: a person on file or a name.
pub struct Attendee {
    pub person: Option<Uuid>,
    pub name: Option<String>,
    pub organisation: Option<Uuid>,
    pub sector: AttendeeSector,
    /// Default UNDISCLOSED.
    pub gender: Option<Gender>,
}

/// Adds a line to `ev`'s attendance list. `named_someone` says whether the request named a
/// person at all (a person id that did not decode still counts as named).
pub async fn record_attendance<I: Serialize>(
    act: &Act<'_>,
    ev: &event::Model,
    mut spec: Create<'_, I>,
    named_someone: bool,
    a: Attendee,
) -> Result<attendance::Model, Outcome> {
    act.permit("recordAttendance", Some(ev.member_id))?;
    let p = &mut spec.problems;
    let name = p
        .check(validate::optional_text(
            &["input", "name"],
            a.name.as_deref(),
            300,
        ))
        .flatten();
    if a.person.is_none() && name.is_none() && !named_someone {
        p.push(&["input", "name"], Problem::Required);
    }
    let (member, person, org) = (ev.member_id, a.person, a.organisation);
    crud::create::<attendance::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_ref::<crate::person::Entity, _>(tx, p, "personId", person, member, |x| {
                x.member_id
            })
            .await?;
            check_ref::<crate::organisation::Entity, _>(tx, p, "organisationId", org, member, |x| {
                x.member_id
            })
            .await
        },
        |id, now| attendance::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            event_id: Set(ev.id),
            person_id: Set(person),
            name: Set(name.clone()),
            organisation_id: Set(org),
            sector: Set(a.sector),
            gender: Set(a.gender.unwrap_or(Gender::Undisclosed)),
            created_at: Set(now),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Removes a line of an attendance list.
pub async fn remove_attendance(act: &Act<'_>, current: &attendance::Model) -> Result<(), Outcome> {
    act.permit("removeAttendance", Some(current.member_id))?;
    crud::delete_unversioned::<attendance::Entity>(act, current).await
}
