//! The partnership: the team decree (*SK Bupati*) that names the OGP team and its secretariat,
//! with its appendix of members; the heads of region, memberships, the secretariat, youth
//! ambassadors and the partnership's online channels.

pub mod ambassador;
pub mod channel;
pub mod decree;
pub mod member;
pub mod membership;
pub mod organisation;
pub mod person;
pub mod secretariat;
pub mod term;
