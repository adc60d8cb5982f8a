//! Accounts: who signs in, with which roles in which member government, and the personal data
//! kept about people, erased on request (UU 27/2022, *Pelindungan Data Pribadi*).

pub mod access;
pub mod erasure;
pub mod links;
pub mod operators;
pub mod password;
pub mod session;
