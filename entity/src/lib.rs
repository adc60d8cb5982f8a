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
pub mod audit_event;
pub mod consent;
pub mod mail_delivery;
pub mod member;
pub mod mutation_receipt;
pub mod organisation;
pub mod person;
pub mod role_grant;
pub mod seed_run;

pub use clock::Clock;
pub use i18n::Lang;
pub use problem::{FieldProblem, Problem, Problems, UserErrorCode};
