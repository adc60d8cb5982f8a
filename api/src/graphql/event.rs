//! Events (meetings, monev, workshops, consultations, hearings, seminars, outreach, trainings,
//! site visits) with their agenda and speakers, organisations, attendance list, and the rules
//! of their status: held only once started, closed only with minutes, the attendee count and
//! the attending organisations.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::attendance::{self, AttendeeSector, Gender};
use entity::event::{self, EventKind, EventStatus, Frequency, OutreachChannel};
use entity::event_organisation::EventRole;
use entity::{Problem, Problems, agenda_item};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::errors;
use super::follow_up::FollowUp;
use super::ids;
use super::mutation::{DeleteInput, DeletePayload, decode_maybe, decode_opt, maybe};
use super::organisation::{self as org_gql, Organisation};
use super::person::{self as person_gql, Person};
use super::plan::{self as plan_gql, ActionPlan};
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::events::event as domain;

pub const KIND: &str = entity::event::KIND;

/// The longest window `events` lists at once.
const MAX_WINDOW_DAYS: i64 = 400;
/// The most events `events` answers.
const MAX_EVENTS: u64 = 500;

/// Internal events are for the member's people; public ones for everyone.
pub fn sees_event(viewer: &crate::auth::Viewer, e: &event::Model) -> bool {
    e.is_public || viewer.belongs_to(e.member_id)
}

pub async fn visible_event(ctx: &Context<'_>, id: Uuid) -> Result<Option<event::Model>> {
    let viewer = ctx.viewer();
    Ok(ctx
        .loaders()
        .event
        .load_one(id)
        .await?
        .filter(|e| sees_event(&viewer, e)))
}

pub struct Event(pub event::Model);

#[derive(SimpleObject)]
pub struct Venue {
    /// "Kantor Bojonegoro Institute".
    name: Option<String>,
    /// "Jl. Panglima Polim Gg. Mangga I, Bojonegoro".
    address: Option<String>,
    /// "Ruang PPID".
    room: Option<String>,
}

/// How a regular meeting repeats.
#[derive(SimpleObject)]
pub struct RecurrenceRule {
    frequency: Frequency,
    interval: i32,
    count: Option<i32>,
    until: Option<Date>,
    /// Dates (local) on which the meeting does not take place.
    exceptions: Vec<Date>,
}

/// Whether the events selected ask for their agenda or speakers, which then come along with
/// the events in one statement (`entity::events::with_agenda`), unless compiled reads are
/// switched off.
fn with_agenda(ctx: &Context<'_>) -> bool {
    let events = ctx.look_ahead();
    ctx.app().config.compiled_reads
        && (events.field("agenda").exists() || events.field("speakers").exists())
}

pub struct AgendaItem(agenda_item::Model);

#[Object]
impl AgendaItem {
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn duration_minutes(&self) -> Option<i32> {
        self.0.duration_minutes
    }
    /// The speaker (*narasumber*) as announced.
    async fn speaker_name(&self) -> Option<&str> {
        self.0.speaker_name.as_deref()
    }
    /// The speaker, when on file (the partnership's own people only).
    async fn speaker(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.speaker_person_id else {
            return Ok(None);
        };
        let viewer = ctx.viewer();
        Ok(ctx
            .loaders()
            .person
            .load_one(id)
            .await?
            .filter(|p| viewer.belongs_to(p.member_id))
            .map(Person))
    }
}

pub struct Attendance(attendance::Model);

#[Object]
impl Attendance {
    async fn id(&self) -> ID {
        ids::encode("Attendance", self.0.id)
    }
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.person_id else {
            return Ok(None);
        };
        Ok(ctx.loaders().person.load_one(id).await?.map(Person))
    }
    /// The name as signed (for someone not on file).
    async fn name(&self, ctx: &Context<'_>) -> Option<String> {
        let v = ctx.viewer();
        v.may_read(
            entity::privacy::Class::Personal,
            Some(self.0.member_id),
            None,
        )
        .then(|| self.0.name.clone())
        .flatten()
    }
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    async fn sector(&self) -> AttendeeSector {
        self.0.sector
    }
    async fn gender(&self) -> Gender {
        self.0.gender
    }
}

/// How many signed the attendance list, by sector and gender (public for public events).
#[derive(SimpleObject, Default)]
pub struct AttendanceSummary {
    total: i32,
    female: i32,
    male: i32,
    undisclosed: i32,
    government: i32,
    civil_society: i32,
    other_sectors: i32,
}

#[Object]
impl Event {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<super::member::Member>> {
        Ok(ctx
            .loaders()
            .member
            .load_one(self.0.member_id)
            .await?
            .map(super::member::Member))
    }
    /// The plan it serves, where the viewer may see it.
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<ActionPlan>> {
        let Some(id) = self.0.plan_id else {
            return Ok(None);
        };
        Ok(visibility::visible_plan(ctx, id).await?.map(ActionPlan))
    }
    async fn kind(&self) -> EventKind {
        self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The convening organisation.
    async fn organiser(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.organiser_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    async fn co_organisers(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        self.organisations(ctx, EventRole::CoOrganiser).await
    }
    /// The organisations that attended (closing needs at least one).
    async fn attending_organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        self.organisations(ctx, EventRole::Attending).await
    }
    async fn venue(&self) -> Venue {
        Venue {
            name: self.0.venue_name.clone(),
            address: self.0.venue_address.clone(),
            room: self.0.venue_room.clone(),
        }
    }
    async fn online_url(&self) -> Option<&str> {
        self.0.online_url.as_deref()
    }
    /// UTC.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    /// The start in the member's time zone, e.g. `2018-06-28T12:00:00+07:00`.
    async fn starts_local(&self, ctx: &Context<'_>) -> String {
        let tz = visibility::member_tz(ctx, self.0.member_id).await;
        self.0.starts_at.with_timezone(&tz).to_rfc3339()
    }
    async fn ends_local(&self, ctx: &Context<'_>) -> Option<String> {
        let tz = visibility::member_tz(ctx, self.0.member_id).await;
        self.0.ends_at.map(|e| e.with_timezone(&tz).to_rfc3339())
    }
    async fn is_public(&self) -> bool {
        self.0.is_public
    }
    /// How an outreach reaches people.
    async fn channel(&self) -> Option<OutreachChannel> {
        self.0.channel
    }
    async fn recurrence(&self) -> Option<RecurrenceRule> {
        self.0.recurrence().map(|r| RecurrenceRule {
            frequency: r.frequency,
            interval: r.interval as i32,
            count: r.count.map(|c| c as i32),
            until: r.until.map(Date),
            exceptions: r.exceptions.into_iter().map(Date).collect(),
        })
    }
    /// The starts (UTC) of the occurrences whose local date lies in `from..=to` (at most
    /// 500); for a one-off event, its start when it lies there.
    async fn occurrences(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
    ) -> Result<Vec<DateTime<Utc>>> {
        let tz = visibility::member_tz(ctx, self.0.member_id).await;
        Ok(match self.0.recurrence() {
            Some(r) => r.occurrences(self.0.starts_at, tz, from.0, to.0),
            None => {
                let d = self.0.starts_at.with_timezone(&tz).date_naive();
                if d >= from.0 && d <= to.0 {
                    vec![self.0.starts_at]
                } else {
                    vec![]
                }
            }
        })
    }
    async fn status(&self) -> EventStatus {
        self.0.status
    }
    /// The minutes (*notulen*).
    async fn minutes(&self) -> Option<&str> {
        self.0.minutes.as_deref()
    }
    async fn attendee_count(&self) -> Option<i32> {
        self.0.attendee_count
    }
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Vec<AgendaItem>> {
        Ok(ctx
            .loaders()
            .agenda_of_event
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AgendaItem)
            .collect())
    }
    /// The speakers (*narasumber*) named on the agenda, in agenda order.
    async fn speakers(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let mut out: Vec<String> = vec![];
        let items = ctx
            .loaders()
            .agenda_of_event
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let people = ctx
            .loaders()
            .person
            .load_many(items.iter().filter_map(|i| i.speaker_person_id))
            .await?;
        let viewer = ctx.viewer();
        for i in items {
            let name = i.speaker_name.clone().or_else(|| {
                i.speaker_person_id
                    .and_then(|p| people.get(&p))
                    .filter(|p| viewer.belongs_to(p.member_id))
                    .map(|p| p.name.clone())
            });
            if let Some(n) = name
                && !out.contains(&n)
            {
                out.push(n);
            }
        }
        Ok(out)
    }
    /// The attendance list (*daftar hadir*): the partnership's own people only.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Vec<Attendance>> {
        if !ctx.viewer().belongs_to(self.0.member_id) {
            return Err(errors::forbidden(ctx.lang()));
        }
        Ok(ctx
            .loaders()
            .attendance_of_event
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Attendance)
            .collect())
    }
    /// Counts from the attendance list.
    async fn attendance_summary(&self, ctx: &Context<'_>) -> Result<AttendanceSummary> {
        let rows = ctx
            .loaders()
            .attendance_of_event
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let mut s = AttendanceSummary::default();
        for r in rows {
            s.total += 1;
            match r.gender {
                Gender::Female => s.female += 1,
                Gender::Male => s.male += 1,
                Gender::Undisclosed => s.undisclosed += 1,
            }
            match r.sector {
                AttendeeSector::Government => s.government += 1,
                AttendeeSector::CivilSociety => s.civil_society += 1,
                _ => s.other_sectors += 1,
            }
        }
        Ok(s)
    }
    /// The follow-up actions agreed at it, in the order they were noted.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<FollowUp>> {
        Ok(ctx
            .loaders()
            .follow_ups_of_event
            .load_one(self.0.id)
            .await?
            .map(super::follow_up::in_order)
            .unwrap_or_default()
            .into_iter()
            .map(FollowUp)
            .collect())
    }
    /// The open invitation, once published.
    async fn invitation(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::registration::Invitation>> {
        Ok(super::registration::invitation_of(ctx, self.0.id)
            .await?
            .map(super::registration::Invitation))
    }
    /// Whether an invitation was published (internal meetings need none).
    async fn invitation_published(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(super::registration::invitation_of(ctx, self.0.id)
            .await?
            .is_some())
    }
    /// Who registered, seats and waitlist (the organisers only).
    async fn registrations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::registration::Registration>> {
        super::registration::registrations_of(ctx, &self.0).await
    }
    /// The evidence attached to it (minutes, attendance lists, photos, …).
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::documents_of(ctx, super::document::Subject::Event(self.0.id)).await
    }
    /// Raised on every change (iCalendar SEQUENCE).
    async fn sequence(&self) -> i32 {
        self.0.sequence
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

impl Event {
    async fn organisations(&self, ctx: &Context<'_>, role: EventRole) -> Result<Vec<Organisation>> {
        let links = ctx
            .loaders()
            .organisations_of_event
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let ids: Vec<Uuid> = links
            .iter()
            .filter(|l| l.role == role)
            .map(|l| l.organisation_id)
            .collect();
        let orgs = ctx.loaders().organisation.load_many(ids.clone()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| orgs.get(id).cloned())
            .map(Organisation)
            .collect())
    }
}

crate::payload!(EventPayload, event: Event, event::Model);

#[derive(InputObject, Serialize, Clone)]
pub struct RecurrenceInput {
    pub frequency: Frequency,
    /// Every n weeks or months (1–12, default 1).
    pub interval: Option<i32>,
    /// How many occurrences in all (1–500).
    pub count: Option<i32>,
    /// The last local date an occurrence may fall on.
    pub until: Option<Date>,
    /// Local dates on which it does not take place.
    #[graphql(default)]
    pub exceptions: Vec<Date>,
}

/// What `createEvent` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateEventInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds the event.
    pub member_id: ID,
    pub kind: EventKind,
    pub title: String,
    pub description: Option<String>,
    pub plan_id: Option<ID>,
    pub organiser_id: Option<ID>,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub venue_room: Option<String>,
    pub online_url: Option<String>,
    /// RFC 3339 with an offset, e.g. `2018-06-28T12:00:00+07:00`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Default false (internal).
    pub is_public: Option<bool>,
    pub channel: Option<OutreachChannel>,
    pub recurrence: Option<RecurrenceInput>,
    pub minutes: Option<String>,
    pub attendee_count: Option<i32>,
}

/// What `updateEvent` takes: the event at the version read; a field left out stays as it is,
/// `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateEventInput {
    pub id: ID,
    pub version: i32,
    pub kind: Option<EventKind>,
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub plan_id: MaybeUndefined<ID>,
    pub organiser_id: MaybeUndefined<ID>,
    pub venue_name: MaybeUndefined<String>,
    pub venue_address: MaybeUndefined<String>,
    pub venue_room: MaybeUndefined<String>,
    pub online_url: MaybeUndefined<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    pub is_public: Option<bool>,
    pub channel: MaybeUndefined<OutreachChannel>,
    pub recurrence: MaybeUndefined<RecurrenceInput>,
    pub minutes: MaybeUndefined<String>,
    pub attendee_count: MaybeUndefined<i32>,
}

impl From<CreateEventInput> for EventInput {
    fn from(i: CreateEventInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            kind: Some(i.kind),
            title: Some(i.title),
            description: super::mutation::given(i.description),
            plan_id: super::mutation::given(i.plan_id),
            organiser_id: super::mutation::given(i.organiser_id),
            venue_name: super::mutation::given(i.venue_name),
            venue_address: super::mutation::given(i.venue_address),
            venue_room: super::mutation::given(i.venue_room),
            online_url: super::mutation::given(i.online_url),
            starts_at: Some(i.starts_at),
            ends_at: super::mutation::given(i.ends_at),
            is_public: i.is_public,
            channel: super::mutation::given(i.channel),
            recurrence: super::mutation::given(i.recurrence),
            minutes: super::mutation::given(i.minutes),
            attendee_count: super::mutation::given(i.attendee_count),
        }
    }
}

impl From<UpdateEventInput> for EventInput {
    fn from(i: UpdateEventInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            kind: i.kind,
            title: i.title,
            description: i.description,
            plan_id: i.plan_id,
            organiser_id: i.organiser_id,
            venue_name: i.venue_name,
            venue_address: i.venue_address,
            venue_room: i.venue_room,
            online_url: i.online_url,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            is_public: i.is_public,
            channel: i.channel,
            recurrence: i.recurrence,
            minutes: i.minutes,
            attendee_count: i.attendee_count,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct EventInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the event (on update).
    pub id: ID,
    /// Required on update.
    pub version: Option<i32>,
    /// Required on create.
    pub kind: Option<EventKind>,
    /// Required on create.
    pub title: Option<String>,
    pub description: MaybeUndefined<String>,
    pub plan_id: MaybeUndefined<ID>,
    pub organiser_id: MaybeUndefined<ID>,
    pub venue_name: MaybeUndefined<String>,
    pub venue_address: MaybeUndefined<String>,
    pub venue_room: MaybeUndefined<String>,
    pub online_url: MaybeUndefined<String>,
    /// RFC 3339 with an offset, e.g. `2018-06-28T12:00:00+07:00`. Required on create.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Default false (internal).
    pub is_public: Option<bool>,
    pub channel: MaybeUndefined<OutreachChannel>,
    pub recurrence: MaybeUndefined<RecurrenceInput>,
    pub minutes: MaybeUndefined<String>,
    pub attendee_count: MaybeUndefined<i32>,
}

#[derive(InputObject)]
pub struct TransitionEventInput {
    pub id: ID,
    pub version: i32,
    pub to: EventStatus,
}

#[derive(InputObject, Serialize)]
pub struct AgendaItemInput {
    pub title: String,
    pub duration_minutes: Option<i32>,
    pub speaker_name: Option<String>,
    pub speaker_person_id: Option<ID>,
}

#[derive(InputObject, Serialize)]
pub struct SetEventAgendaInput {
    pub id: ID,
    pub version: i32,
    pub items: Vec<AgendaItemInput>,
}

#[derive(InputObject, Serialize)]
pub struct SetEventOrganisationsInput {
    pub id: ID,
    pub version: i32,
    pub role: EventRole,
    pub organisation_ids: Vec<ID>,
}

#[derive(InputObject, Serialize)]
pub struct AttendanceInput {
    pub client_mutation_id: Option<String>,
    pub event_id: ID,
    /// A person on file, or `name`.
    pub person_id: Option<ID>,
    pub name: Option<String>,
    pub organisation_id: Option<ID>,
    pub sector: AttendeeSector,
    /// Default UNDISCLOSED.
    pub gender: Option<Gender>,
}

#[derive(InputObject)]
pub struct RemoveAttendanceInput {
    pub id: ID,
}

/// The event's details as the domain reads them, its ids decoded (problems on the way in `p`).
fn details_of(p: &mut Problems, input: &EventInput) -> domain::EventDetails {
    domain::EventDetails {
        kind: input.kind,
        title: input.title.clone(),
        description: maybe(&input.description),
        plan: decode_maybe(p, "planId", &input.plan_id, plan_gql::KIND),
        organiser: decode_maybe(p, "organiserId", &input.organiser_id, org_gql::KIND),
        venue_name: maybe(&input.venue_name),
        venue_address: maybe(&input.venue_address),
        venue_room: maybe(&input.venue_room),
        online_url: maybe(&input.online_url),
        starts_at: input.starts_at,
        ends_at: maybe(&input.ends_at),
        is_public: input.is_public,
        channel: maybe(&input.channel),
        recurrence: match &input.recurrence {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(r) => Some(Some(domain::RecurrenceAsked {
                frequency: r.frequency,
                interval: r.interval,
                count: r.count,
                until: r.until.map(|d| d.0),
                exceptions: r.exceptions.iter().map(|d| d.0).collect(),
            })),
        },
        minutes: maybe(&input.minutes),
        attendee_count: maybe(&input.attendee_count),
    }
}

/// The event behind an id with `rule` checked in its member.
async fn event_and_rule(
    ctx: &Context<'_>,
    rule: &str,
    id: &ID,
) -> Result<(crate::auth::Viewer, Option<event::Model>)> {
    crud::authorize_record::<event::Entity>(ctx, rule, id).await
}

fn not_found(lang: entity::Lang) -> EventPayload {
    EventPayload::refused(Problems::one(&["input", "id"], Problem::NotFound), lang)
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Plans an event (PLANNED).
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        input: CreateEventInput,
    ) -> Result<EventPayload> {
        let input = EventInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createEvent", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let details = details_of(&mut p, &input);
        let spec = Create {
            mutation: "createEvent",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, details).await
        })
        .await;
        EventPayload::of(result, input.client_mutation_id.clone(), lang, Event)
    }

    /// Changes an event (a closed one keeps its minutes and counts unless given again).
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        input: UpdateEventInput,
    ) -> Result<EventPayload> {
        let input = EventInput::from(input);
        let lang = ctx.lang();
        let (viewer, Some(current)) = event_and_rule(ctx, "updateEvent", &input.id).await? else {
            return Ok(not_found(lang));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        let details = details_of(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, version, p, details).await
        })
        .await;
        EventPayload::of(result, None, lang, Event)
    }

    /// Moves an event: PLANNED → HELD (once it has started) / POSTPONED / CANCELLED,
    /// POSTPONED → PLANNED / CANCELLED, HELD → CLOSED (with minutes, the attendee count and
    /// the attending organisations).
    async fn transition_event(
        &self,
        ctx: &Context<'_>,
        input: TransitionEventInput,
    ) -> Result<EventPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) = event_and_rule(ctx, "transitionEvent", &input.id).await?
        else {
            return Ok(not_found(lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(act, &current, input.version, input.to).await
        })
        .await;
        EventPayload::of(result, None, lang, Event)
    }

    /// Replaces an event's agenda.
    async fn set_event_agenda(
        &self,
        ctx: &Context<'_>,
        input: SetEventAgendaInput,
    ) -> Result<EventPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) = event_and_rule(ctx, "setEventAgenda", &input.id).await?
        else {
            return Ok(not_found(lang));
        };
        let mut p = Problems::new();
        let items = input
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| domain::AgendaItem {
                title: item.title.clone(),
                duration_minutes: item.duration_minutes,
                speaker_name: item.speaker_name.clone(),
                speaker_person: decode_opt(
                    &mut p,
                    &format!("items.{i}.speakerPersonId"),
                    item.speaker_person_id.as_ref(),
                    person_gql::KIND,
                ),
            })
            .collect();
        let result = acting(ctx, &viewer, async |act| {
            domain::set_agenda(act, &current, input.version, p, items).await
        })
        .await;
        EventPayload::of(result, None, lang, Event)
    }

    /// Replaces an event's co-organisers or attending organisations.
    async fn set_event_organisations(
        &self,
        ctx: &Context<'_>,
        input: SetEventOrganisationsInput,
    ) -> Result<EventPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            event_and_rule(ctx, "setEventOrganisations", &input.id).await?
        else {
            return Ok(not_found(lang));
        };
        let mut p = Problems::new();
        let mut orgs = vec![];
        for (i, id) in input.organisation_ids.iter().enumerate() {
            match ids::decode_as(id, org_gql::KIND) {
                Some(u) if !orgs.contains(&u) => orgs.push(u),
                Some(_) => {}
                None => p.push(
                    &["input", &format!("organisationIds.{i}")],
                    Problem::NotFound,
                ),
            }
        }
        let result = acting(ctx, &viewer, async |act| {
            domain::set_organisations(act, &current, input.version, p, input.role, orgs).await
        })
        .await;
        EventPayload::of(result, None, lang, Event)
    }

    /// Deletes an event that never took place (PLANNED, POSTPONED or CANCELLED).
    async fn delete_event(&self, ctx: &Context<'_>, input: DeleteInput) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) = event_and_rule(ctx, "deleteEvent", &input.id).await? else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        DeletePayload::of(
            acting(ctx, &viewer, async |act| {
                domain::delete(act, &current, input.version).await
            })
            .await,
            input.id,
            lang,
        )
    }

    /// Adds a line to an event's attendance list (*daftar hadir*).
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: AttendanceInput,
    ) -> Result<AttendancePayload> {
        let lang = ctx.lang();
        let (viewer, Some(ev)) = event_and_rule(ctx, "recordAttendance", &input.event_id).await?
        else {
            return Ok(AttendancePayload::refused(
                Problems::one(&["input", "eventId"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let person = decode_opt(
            &mut p,
            "personId",
            input.person_id.as_ref(),
            person_gql::KIND,
        );
        let org = decode_opt(
            &mut p,
            "organisationId",
            input.organisation_id.as_ref(),
            org_gql::KIND,
        );
        let attendee = domain::Attendee {
            person,
            name: input.name.clone(),
            organisation: org,
            sector: input.sector,
            gender: input.gender,
        };
        let spec = Create {
            mutation: "recordAttendance",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let named = input.person_id.is_some();
        let result = acting(ctx, &viewer, async |act| {
            domain::record_attendance(act, &ev, spec, named, attendee).await
        })
        .await;
        AttendancePayload::of(result, input.client_mutation_id.clone(), lang, Attendance)
    }

    /// Removes a line of an attendance list.
    async fn remove_attendance(
        &self,
        ctx: &Context<'_>,
        input: RemoveAttendanceInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<attendance::Entity>(ctx, "removeAttendance", &input.id)
                .await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        DeletePayload::of(
            acting(ctx, &viewer, async |act| {
                domain::remove_attendance(act, &current).await
            })
            .await,
            input.id,
            lang,
        )
    }
}

crate::payload!(AttendancePayload, attendance: Attendance, attendance::Model);

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// A member's events whose local date lies in `from..=to` (at most 400 days), soonest
    /// first, with the regular meetings that recur in the window; internal ones for the
    /// partnership's own people only.
    async fn events(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        from: Date,
        to: Date,
        kind: Option<EventKind>,
        status: Option<EventStatus>,
    ) -> Result<Vec<Event>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        let lang = ctx.lang();
        let span = (to.0 - from.0).num_days();
        if !(0..=MAX_WINDOW_DAYS).contains(&span) {
            return Err(errors::bad_argument(
                lang,
                "to",
                &format!("Rentang tanggal harus 0 sampai {MAX_WINDOW_DAYS} hari.",),
                &format!("The date window must be 0 to {MAX_WINDOW_DAYS} days."),
            ));
        }
        let tz = visibility::member_tz(ctx, member).await;
        let start = visibility::day_start(from.0, tz);
        let end = visibility::day_start(to.0 + chrono::Days::new(1), tz);
        let mut q = event::Entity::find()
            .filter(event::Column::MemberId.eq(member))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(event::Column::StartsAt.gte(start))
                            .add(event::Column::StartsAt.lt(end)),
                    )
                    .add(
                        Condition::all()
                            .add(event::Column::Recurrence.is_not_null())
                            .add(event::Column::StartsAt.lt(end)),
                    ),
            );
        if !ctx.viewer().belongs_to(member) {
            q = q.filter(event::Column::IsPublic.eq(true));
        }
        if let Some(k) = kind {
            q = q.filter(event::Column::Kind.eq(k));
        }
        if let Some(s) = status {
            q = q.filter(event::Column::Status.eq(s));
        }
        let q = q
            .order_by_asc(event::Column::StartsAt)
            .order_by_asc(event::Column::Id)
            .limit(MAX_EVENTS);
        let rows = if with_agenda(ctx) {
            // The agenda and its speakers come along in the same statement; the resolvers
            // below find them loaded (and hold the speakers to the viewer as ever).
            let read = entity::events::with_agenda(ctx.db(), q).await?;
            let l = ctx.loaders();
            let mut rows = Vec::with_capacity(read.len());
            let mut agendas = Vec::with_capacity(read.len());
            let mut speakers = Vec::new();
            for (e, items) in read {
                let mut agenda = Vec::with_capacity(items.len());
                for (item, speaker) in items {
                    speakers.extend(speaker);
                    agenda.push(item);
                }
                agendas.push((e.id, agenda));
                rows.push(e);
            }
            l.agenda_of_event.loader().prime(agendas);
            l.person.loader().prime(speakers);
            ctx.app().metrics.record_compiled_read("primed");
            rows
        } else {
            q.all(ctx.db()).await?
        };
        Ok(rows
            .into_iter()
            .filter(|e| match e.recurrence() {
                Some(r) if e.starts_at < start => {
                    !r.occurrences(e.starts_at, tz, from.0, to.0).is_empty()
                }
                _ => true,
            })
            .map(Event)
            .collect())
    }

    /// One event (internal ones for the partnership's own people only).
    async fn event(&self, ctx: &Context<'_>, id: ID) -> Result<Event> {
        let found = match ids::decode_as(&id, KIND) {
            Some(u) => visible_event(ctx, u).await?,
            None => None,
        };
        found
            .map(Event)
            .ok_or_else(|| errors::not_found(ctx.lang()))
    }
}
