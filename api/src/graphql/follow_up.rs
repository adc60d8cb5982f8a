//! Follow-up actions (*tindak lanjut*) from events, their owners, and `myTasks`: what a
//! signed-in person has to do, follow-ups and milestones together, soonest first.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::Utc;
use entity::follow_up::{self, FollowUpStatus};
use entity::milestone::{self, MilestoneStatus};
use entity::{Problem, Problems, follow_up_person, responsibility};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::{self as commitment_gql, Commitment, decode_people};
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::event::{self as event_gql, Event};
use super::ids;
use super::milestone::Milestone;
use super::mutation::{DeleteInput, DeletePayload, date_change, decode_maybe};
use super::organisation::{self as org_gql, Organisation};
use super::person::Person;
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::plans::follow_up as domain;

pub const KIND: &str = "FollowUp";

/// The most items `followUps` and `myTasks` answer.
const MAX_ITEMS: u64 = 500;

/// The partnership's own people see every follow-up; the public those of public events.
pub async fn visible_follow_up(ctx: &Context<'_>, id: Uuid) -> Result<Option<follow_up::Model>> {
    let Some(f) = follow_up::Entity::find_by_id(id).one(ctx.db()).await? else {
        return Ok(None);
    };
    if ctx.viewer().belongs_to(f.member_id) {
        return Ok(Some(f));
    }
    Ok(match f.event_id {
        Some(e) if event_gql::visible_event(ctx, e).await?.is_some() => Some(f),
        _ => None,
    })
}

pub struct FollowUp(pub follow_up::Model);

#[Object]
impl FollowUp {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    /// The event it was agreed at.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(id) = self.0.event_id else {
            return Ok(None);
        };
        Ok(event_gql::visible_event(ctx, id).await?.map(Event))
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn owner_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.owner_organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    /// The people who own it (the partnership's own people see them).
    async fn owners(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        let links = ctx
            .loaders()
            .people_of_follow_up
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let people = ctx
            .loaders()
            .person
            .load_many(links.iter().map(|l| l.person_id))
            .await?;
        let viewer = ctx.viewer();
        Ok(links
            .iter()
            .filter_map(|l| people.get(&l.person_id))
            .filter(|p| viewer.belongs_to(p.member_id))
            .map(|p| Person(p.clone()))
            .collect())
    }
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }
    async fn status(&self) -> FollowUpStatus {
        self.0.status
    }
    /// Past its due date (the member's calendar day) and neither done nor dropped.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        let today = visibility::today(ctx, self.0.member_id).await;
        self.0.is_overdue(today)
    }
    /// The commitment it serves, where the viewer may see it.
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Option<Commitment>> {
        let Some(id) = self.0.commitment_id else {
            return Ok(None);
        };
        Ok(visibility::visible_commitment(ctx, id)
            .await?
            .map(Commitment))
    }
    async fn created_at(&self) -> chrono::DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> chrono::DateTime<Utc> {
        self.0.updated_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

crate::payload!(FollowUpPayload, follow_up: FollowUp, follow_up::Model);

/// What `createFollowUp` takes: the required fields are required.
#[derive(InputObject, Serialize)]
pub struct CreateFollowUpInput {
    pub client_mutation_id: Option<String>,
    /// The member that holds it.
    pub member_id: ID,
    /// The event it was agreed at.
    pub event_id: Option<ID>,
    pub description: String,
    pub owner_organisation_id: Option<ID>,
    pub due_on: Option<Date>,
    pub commitment_id: Option<ID>,
    /// Its place among the event's follow-ups (default: last).
    pub ordinal: Option<i32>,
}

/// What `updateFollowUp` takes: the follow-up at the version read; a field left out stays as
/// it is, `null` clears it.
#[derive(InputObject, Serialize)]
pub struct UpdateFollowUpInput {
    pub id: ID,
    pub version: i32,
    pub event_id: MaybeUndefined<ID>,
    pub description: Option<String>,
    pub owner_organisation_id: MaybeUndefined<ID>,
    pub due_on: MaybeUndefined<Date>,
    pub commitment_id: MaybeUndefined<ID>,
    pub ordinal: Option<i32>,
}

impl From<CreateFollowUpInput> for FollowUpInput {
    fn from(i: CreateFollowUpInput) -> Self {
        Self {
            client_mutation_id: i.client_mutation_id,
            id: i.member_id,
            version: None,
            event_id: super::mutation::given(i.event_id),
            description: Some(i.description),
            owner_organisation_id: super::mutation::given(i.owner_organisation_id),
            due_on: super::mutation::given(i.due_on),
            commitment_id: super::mutation::given(i.commitment_id),
            ordinal: i.ordinal,
        }
    }
}

impl From<UpdateFollowUpInput> for FollowUpInput {
    fn from(i: UpdateFollowUpInput) -> Self {
        Self {
            client_mutation_id: None,
            id: i.id,
            version: Some(i.version),
            event_id: i.event_id,
            description: i.description,
            owner_organisation_id: i.owner_organisation_id,
            due_on: i.due_on,
            commitment_id: i.commitment_id,
            ordinal: i.ordinal,
        }
    }
}

/// Both inputs as the checks and writes read them (not part of the API).
#[derive(Serialize)]
pub struct FollowUpInput {
    pub client_mutation_id: Option<String>,
    /// The member (on create) or the follow-up (on update).
    pub id: ID,
    /// Required on update.
    pub version: Option<i32>,
    /// The event it was agreed at.
    pub event_id: MaybeUndefined<ID>,
    /// Required on create.
    pub description: Option<String>,
    pub owner_organisation_id: MaybeUndefined<ID>,
    pub due_on: MaybeUndefined<Date>,
    pub commitment_id: MaybeUndefined<ID>,
    /// Its place among the event's follow-ups (default: last).
    pub ordinal: Option<i32>,
}

#[derive(InputObject)]
pub struct TransitionFollowUpInput {
    pub id: ID,
    pub version: i32,
    pub to: FollowUpStatus,
}

#[derive(InputObject, Serialize)]
pub struct SetFollowUpOwnersInput {
    pub id: ID,
    pub version: i32,
    pub person_ids: Vec<ID>,
}

/// The follow-up's fields as the domain reads them, its ids decoded (problems in `p`).
fn fields(p: &mut Problems, input: &FollowUpInput) -> domain::FollowUpFields {
    domain::FollowUpFields {
        event: decode_maybe(p, "eventId", &input.event_id, event_gql::KIND),
        description: input.description.clone(),
        owner_organisation: decode_maybe(
            p,
            "ownerOrganisationId",
            &input.owner_organisation_id,
            org_gql::KIND,
        ),
        due_on: date_change(&input.due_on),
        commitment: decode_maybe(
            p,
            "commitmentId",
            &input.commitment_id,
            commitment_gql::KIND,
        ),
        ordinal: input.ordinal,
    }
}

fn not_found(lang: entity::Lang) -> FollowUpPayload {
    FollowUpPayload::refused(Problems::one(&["input", "id"], Problem::NotFound), lang)
}

/// The follow-up behind an id, past `rule`'s gate (the public is asked to sign in).
async fn follow_up_and_rule(
    ctx: &Context<'_>,
    rule: &str,
    id: &ID,
) -> Result<Option<(crate::auth::Viewer, follow_up::Model)>> {
    policy::gate(ctx, rule)?;
    let Some(uuid) = ids::decode_as(id, KIND) else {
        return Ok(None);
    };
    let Some(f) = follow_up::Entity::find_by_id(uuid).one(ctx.db()).await? else {
        return Ok(None);
    };
    // Who may act (the rule's roles, or an owner who is a team member) is the operation's
    // first decision (`Act::permit_responsible`).
    Ok(Some((ctx.viewer(), f)))
}

#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    /// Notes a follow-up action (OPEN).
    async fn create_follow_up(
        &self,
        ctx: &Context<'_>,
        input: CreateFollowUpInput,
    ) -> Result<FollowUpPayload> {
        let input = FollowUpInput::from(input);
        let (viewer, member) = policy::authorize_in(ctx, "createFollowUp", &input.id)?;
        let lang = ctx.lang();
        let mut p = Problems::new();
        let f = fields(&mut p, &input);
        let spec = Create {
            mutation: "createFollowUp",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, f).await
        })
        .await;
        FollowUpPayload::of(result, input.client_mutation_id.clone(), lang, FollowUp)
    }

    async fn update_follow_up(
        &self,
        ctx: &Context<'_>,
        input: UpdateFollowUpInput,
    ) -> Result<FollowUpPayload> {
        let input = FollowUpInput::from(input);
        let lang = ctx.lang();
        let Some((viewer, current)) = follow_up_and_rule(ctx, "updateFollowUp", &input.id).await?
        else {
            return Ok(not_found(lang));
        };
        let mut p = Problems::new();
        let version = input.version.unwrap_or_else(|| {
            p.push(&["input", "version"], Problem::Required);
            0
        });
        let f = fields(&mut p, &input);
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, version, p, f).await
        })
        .await;
        FollowUpPayload::of(result, None, lang, FollowUp)
    }

    /// OPEN → IN_PROGRESS / DONE / DROPPED; IN_PROGRESS → OPEN / DONE / DROPPED; a closed one
    /// reopens (DONE → IN_PROGRESS, DROPPED → OPEN).
    async fn transition_follow_up(
        &self,
        ctx: &Context<'_>,
        input: TransitionFollowUpInput,
    ) -> Result<FollowUpPayload> {
        let lang = ctx.lang();
        let Some((viewer, current)) =
            follow_up_and_rule(ctx, "transitionFollowUp", &input.id).await?
        else {
            return Ok(not_found(lang));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(act, &current, input.version, input.to).await
        })
        .await;
        FollowUpPayload::of(result, None, lang, FollowUp)
    }

    /// Names the people who own a follow-up (replacing the list).
    async fn set_follow_up_owners(
        &self,
        ctx: &Context<'_>,
        input: SetFollowUpOwnersInput,
    ) -> Result<FollowUpPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<follow_up::Entity>(ctx, "setFollowUpOwners", &input.id)
                .await?
        else {
            return Ok(not_found(lang));
        };
        let mut p = Problems::new();
        let people = decode_people(&mut p, &input.person_ids);
        let result = acting(ctx, &viewer, async |act| {
            domain::set_owners(act, &current, input.version, p, people).await
        })
        .await;
        FollowUpPayload::of(result, None, lang, FollowUp)
    }

    async fn delete_follow_up(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<follow_up::Entity>(ctx, "deleteFollowUp", &input.id).await?
        else {
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
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum TaskKind {
    FollowUp,
    Milestone,
}

/// Something a person has to do: a follow-up they own or a milestone they are responsible
/// for (directly or through its commitment).
#[derive(SimpleObject)]
pub struct Task {
    kind: TaskKind,
    title: String,
    due_on: Option<Date>,
    overdue: bool,
    follow_up: Option<FollowUp>,
    milestone: Option<Milestone>,
}

#[derive(Default)]
pub struct FollowUpQuery;

#[Object]
impl FollowUpQuery {
    /// A member's follow-ups, by due date (undated last), at most 500.
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        status: Option<FollowUpStatus>,
        #[graphql(default)] overdue_only: bool,
    ) -> Result<Vec<FollowUp>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        policy::authorize(ctx, "followUps", Some(member))?;
        let today = visibility::today(ctx, member).await;
        let mut q = follow_up::Entity::find().filter(follow_up::Column::MemberId.eq(member));
        if let Some(s) = status {
            q = q.filter(follow_up::Column::Status.eq(s));
        }
        if overdue_only {
            q = q
                .filter(follow_up::Column::Status.is_in(FollowUpStatus::OPEN))
                .filter(follow_up::Column::DueOn.lt(today));
        }
        let mut rows = q.limit(MAX_ITEMS).all(ctx.db()).await?;
        rows.sort_by_key(|f| (f.due_on.is_none(), f.due_on, f.ordinal, f.id));
        Ok(rows.into_iter().map(FollowUp).collect())
    }

    /// What the signed-in person has to do: open follow-ups they own and unfinished
    /// milestones they are responsible for, soonest due first (undated last).
    async fn my_tasks(&self, ctx: &Context<'_>) -> Result<Vec<Task>> {
        let viewer = policy::gate(ctx, "myTasks")?;
        let Some(person) = viewer.account.as_ref().and_then(|a| a.person_id) else {
            return Ok(vec![]);
        };
        let db = ctx.db();
        let follow_ups = follow_up::Entity::find()
            .filter(
                follow_up::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(follow_up_person::Column::FollowUpId)
                        .from(follow_up_person::Entity)
                        .and_where(follow_up_person::Column::PersonId.eq(person))
                        .to_owned(),
                ),
            )
            .filter(follow_up::Column::Status.is_in(FollowUpStatus::OPEN))
            .limit(MAX_ITEMS)
            .all(db)
            .await?;
        let mine = responsibility::Entity::find()
            .filter(responsibility::Column::PersonId.eq(person))
            .all(db)
            .await?;
        let (by_milestone, by_commitment): (Vec<_>, Vec<_>) = (
            mine.iter().filter_map(|r| r.milestone_id).collect(),
            mine.iter().filter_map(|r| r.commitment_id).collect(),
        );
        let milestones = if by_milestone.is_empty() && by_commitment.is_empty() {
            vec![]
        } else {
            milestone::Entity::find()
                .filter(
                    sea_orm::Condition::any()
                        .add(milestone::Column::Id.is_in(by_milestone))
                        .add(milestone::Column::CommitmentId.is_in(by_commitment)),
                )
                .filter(milestone::Column::Status.is_in(MilestoneStatus::OPEN))
                .order_by_asc(milestone::Column::EndsOn)
                .limit(MAX_ITEMS)
                .all(db)
                .await?
        };
        let mut tasks = Vec::with_capacity(follow_ups.len() + milestones.len());
        for f in follow_ups {
            let today = visibility::today(ctx, f.member_id).await;
            tasks.push(Task {
                kind: TaskKind::FollowUp,
                title: f.description.clone(),
                due_on: f.due_on.map(Date),
                overdue: f.is_overdue(today),
                follow_up: Some(FollowUp(f)),
                milestone: None,
            });
        }
        for m in milestones {
            let today = visibility::today(ctx, m.member_id).await;
            tasks.push(Task {
                kind: TaskKind::Milestone,
                title: m.title.clone(),
                due_on: m.ends_on.map(Date),
                overdue: m.ends_on.is_some_and(|e| e < today),
                follow_up: None,
                milestone: Some(Milestone(m)),
            });
        }
        tasks.sort_by_key(|t| (t.due_on.is_none(), t.due_on, t.kind == TaskKind::Milestone));
        Ok(tasks)
    }
}

/// Follow-ups of an event in the order they were noted.
pub fn in_order(mut rows: Vec<follow_up::Model>) -> Vec<follow_up::Model> {
    rows.sort_by_key(|f| (f.ordinal, f.id));
    rows
}
