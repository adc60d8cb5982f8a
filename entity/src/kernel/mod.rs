//! What every capability's operations share: who acts ([`Actor`]) and what they may do
//! ([`policy`]), the write transaction ([`crate::db::write`]), a versioned edit with its
//! receipt and refusals ([`edit`]), the audit record ([`audit`]), the problems and their codes
//! ([`crate::problem`]) and the clock ([`crate::clock`]).

pub mod actor;
pub mod audit;
pub mod crud;
pub mod edit;
pub mod policy;

pub use actor::Actor;
pub use crud::{Act, Record};
pub use edit::{Outcome, Refused};
