//! Terbuka's data and domain rules: the sea-orm entities, the rules on them (status
//! transitions, roll-ups, deadlines) and the read queries both the API and the worker need, so
//! a report never disagrees with the screen.

pub mod clock;
pub mod db;
pub mod i18n;
pub mod macros;
pub mod privacy;
pub mod problem;
pub mod validate;

pub mod account;
pub mod account_session;
pub mod account_token;
pub mod action_plan;
pub mod agenda_item;
pub mod alignment;
pub mod ambassador;
pub mod assessment;
pub mod attendance;
pub mod audit_event;
pub mod blob;
pub mod budget_line;
pub mod commitment;
pub mod commitment_actor;
pub mod commitment_assessment;
pub mod compliance;
pub mod consent;
pub mod dashboard;
pub mod decree;
pub mod decree_member;
pub mod development_goal;
pub mod development_plan;
pub mod document;
pub mod event;
pub mod event_organisation;
pub mod follow_up;
pub mod follow_up_person;
pub mod funding;
pub mod head_of_region_term;
pub mod invitation;
pub mod irm;
pub mod legal_reference;
pub mod mail_delivery;
pub mod member;
pub mod membership;
pub mod milestone;
pub mod mutation_receipt;
pub mod ngo_programme;
pub mod online_channel;
pub mod organisation;
pub mod person;
pub mod plan_phase;
pub mod poll_vote;
pub mod progress_update;
pub mod public_input;
pub mod publication;
pub mod registration;
pub mod responsibility;
pub mod role_grant;
pub mod secretariat;
pub mod seed_run;
pub mod starred_rule;
pub mod transitions;

pub use clock::Clock;
pub use i18n::Lang;
pub use problem::{FieldProblem, Problem, Problems, UserErrorCode};
