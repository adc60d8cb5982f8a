//! The partnership: the team decree (*SK Bupati*) that names the OGP team and its secretariat,
//! with its appendix of members.

pub mod channel;
pub mod decree;
