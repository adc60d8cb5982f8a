//! The GraphQL schema: one module per domain area, assembled here with the limits every
//! request is held to.

pub mod access;
pub mod account;
pub mod alignment;
pub mod assessment;
pub mod audit_log;
pub mod budget;
pub mod channel;
pub mod citizen_erasure;
pub mod commitment;
pub mod compiled;
pub mod compliance;
pub mod context;
pub mod crud;
pub mod dashboard;
pub mod decree;
pub mod document;
pub mod errors;
pub mod event;
pub mod executor;
pub mod extension;
pub mod follow_up;
pub mod ids;
pub mod jobs;
pub mod loaders;
pub mod mail;
pub mod member;
pub mod milestone;
pub mod mutation;
pub mod national;
pub mod order;
pub mod organisation;
pub mod pagination;
pub mod parsed;
pub mod partnership;
pub mod person;
pub mod plan;
pub mod policy;
pub mod public_input;
pub mod publication;
pub mod registration;
pub mod report;
pub mod scalars;
pub mod session;
pub mod sheets;
pub mod spliced;
pub mod subscription;
pub mod transport;
pub mod visibility;

use async_graphql::{Context, ID, Interface, MergedObject, Object, Result, Schema};

use context::{AppState, CtxExt};
use extension::{Guard, Limits};
use sea_orm::EntityTrait;

pub type TerbukaSchema = Schema<Query, Mutation, report::SubscriptionRoot>;

/// Anything with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Account(account::Account),
    Member(member::Member),
    Organisation(organisation::Organisation),
    Person(person::Person),
    ActionPlan(plan::ActionPlan),
    Commitment(commitment::Commitment),
    Milestone(milestone::Milestone),
    Assessment(assessment::Assessment),
    Decree(decree::Decree),
    Event(event::Event),
    FollowUp(follow_up::FollowUp),
    Publication(publication::Publication),
    PublicInput(public_input::PublicInput),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any record by its global id.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Node> {
        let lang = ctx.lang();
        let Some((kind, uuid)) = ids::decode(&id) else {
            return Err(errors::not_found(lang));
        };
        let loaders = ctx.loaders();
        let node = match kind.as_str() {
            account::KIND => account::visible_account(ctx, uuid)
                .await?
                .map(Node::Account),
            member::KIND => loaders
                .member
                .load_one(uuid)
                .await?
                .map(|m| Node::Member(member::Member(m))),
            organisation::KIND => loaders
                .organisation
                .load_one(uuid)
                .await?
                .map(|o| Node::Organisation(organisation::Organisation(o))),
            person::KIND => entity::person::Entity::find_by_id(uuid)
                .one(ctx.db())
                .await?
                .filter(|p| ctx.viewer().belongs_to(p.member_id))
                .map(|p| Node::Person(person::Person(p))),
            plan::KIND => visibility::visible_plan(ctx, uuid)
                .await?
                .map(|p| Node::ActionPlan(plan::ActionPlan(p))),
            commitment::KIND => visibility::visible_commitment(ctx, uuid)
                .await?
                .map(|c| Node::Commitment(commitment::Commitment(c))),
            milestone::KIND => visibility::visible_milestone(ctx, uuid)
                .await?
                .map(|m| Node::Milestone(milestone::Milestone(m))),
            assessment::KIND => visibility::visible_assessment(ctx, uuid)
                .await?
                .map(|a| Node::Assessment(assessment::Assessment(a))),
            decree::KIND => visibility::visible_decree(ctx, uuid)
                .await?
                .map(|d| Node::Decree(decree::Decree(d))),
            event::KIND => event::visible_event(ctx, uuid)
                .await?
                .map(|e| Node::Event(event::Event(e))),
            follow_up::KIND => follow_up::visible_follow_up(ctx, uuid)
                .await?
                .map(|f| Node::FollowUp(follow_up::FollowUp(f))),
            publication::KIND => publication::visible_publication(ctx, uuid)
                .await?
                .map(|p| Node::Publication(publication::Publication(p))),
            public_input::KIND => public_input::visible_input(ctx, uuid)
                .await?
                .map(|i| Node::PublicInput(public_input::PublicInput(i))),
            _ => None,
        };
        node.ok_or_else(|| errors::not_found(lang))
    }

    /// Terbuka's version, for clients and support.
    async fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    account::AccountQuery,
    member::MemberQuery,
    organisation::OrganisationQuery,
    person::PersonQuery,
    audit_log::AuditQuery,
    plan::PlanQuery,
    commitment::CommitmentQuery,
    assessment::AssessmentQuery,
    dashboard::DashboardQuery,
    budget::BudgetQuery,
    event::EventQuery,
    follow_up::FollowUpQuery,
    publication::PublicationQuery,
    document::DocumentQuery,
    compliance::ComplianceQuery,
    national::NationalQuery,
    public_input::PublicInputQuery,
    subscription::SubscriptionQuery,
    jobs::JobQuery,
    report::ReportQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    session::SessionMutation,
    access::AccessMutation,
    member::MemberMutation,
    organisation::OrganisationMutation,
    person::PersonMutation,
    mail::MailMutation,
    plan::PlanMutation,
    commitment::CommitmentMutation,
    milestone::MilestoneMutation,
    assessment::AssessmentMutation,
    partnership::PartnershipMutation,
    decree::DecreeMutation,
    alignment::AlignmentMutation,
    budget::BudgetMutation,
    event::EventMutation,
    follow_up::FollowUpMutation,
    publication::PublicationMutation,
    registration::RegistrationMutation,
    document::DocumentMutation,
    public_input::PublicInputMutation,
    channel::ChannelMutation,
    subscription::SubscriptionMutation,
    jobs::JobMutation,
    citizen_erasure::CitizenErasure,
    report::ReportMutation,
    sheets::SheetMutation,
);

pub use crate::config::SchemaLimits;

/// Builds the schema; `state` is `None` only for printing the SDL.
pub fn build(state: Option<AppState>, limits: SchemaLimits) -> TerbukaSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        report::SubscriptionRoot,
    )
    .limit_depth(limits.depth)
    // The larger limit here; the guard holds anonymous requests to theirs.
    .limit_complexity(limits.complexity.max(limits.complexity_signed_in))
    // The recursion-depth and directive limits are decided by the guard (in linear time);
    // async-graphql's own checks are not reached (see `extension::Guard`).
    .extension(Guard::new(Limits {
        max_aliases: limits.aliases,
        max_expanded_fields: 2_000,
        max_recursive_depth: 32,
        max_directives: 20,
        max_complexity_anonymous: limits.complexity,
    }));
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The schema in SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    build(None, SchemaLimits::default()).sdl()
}

/// Who a client mutation id belongs to: the account, or the public.
pub fn scope(ctx: &Context<'_>) -> String {
    match ctx.viewer().account_id() {
        Some(id) => format!("account:{id}"),
        None => "public".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    /// The committed SDL is the schema: a change to the API shows up in review as a change to
    /// `api/schema.graphql`. This test never rewrites the file; run
    /// `cargo run -- schema > api/schema.graphql` after an intended change.
    #[test]
    fn the_committed_sdl_matches_the_schema() {
        let committed =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
                .expect("api/schema.graphql is committed");
        let current = super::sdl();
        if committed != current {
            let first = committed
                .lines()
                .zip(current.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(current.lines().count()));
            panic!(
                "api/schema.graphql is out of date (first difference at line {}); \
                 regenerate it with `cargo run -- schema > api/schema.graphql`",
                first + 1
            );
        }
    }
}

#[cfg(test)]
mod privacy_coverage {
    use async_graphql::parser::parse_schema;
    use async_graphql::parser::types::TypeKind;

    /// Every field of every output type has a privacy class (`entity::privacy`): a field added
    /// without one fails here.
    #[test]
    fn every_output_field_has_a_privacy_class() {
        let sdl = super::sdl();
        let doc = parse_schema(&sdl).expect("the SDL parses");
        let mut missing = Vec::new();
        for def in &doc.definitions {
            let async_graphql::parser::types::TypeSystemDefinition::Type(ty) = def else {
                continue;
            };
            let name = ty.node.name.node.as_str();
            let fields = match &ty.node.kind {
                TypeKind::Object(o) => &o.fields,
                TypeKind::Interface(i) => &i.fields,
                _ => continue,
            };
            for f in fields {
                let field = f.node.name.node.as_str();
                if entity::privacy::class_of(name, field).is_none() {
                    missing.push(format!("{name}.{field}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "fields without a privacy class in entity::privacy: {missing:?}"
        );
    }
}
