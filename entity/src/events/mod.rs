//! Events of the partnership — team meetings, monitoring meetings (*monev*), co-creation
//! workshops, public hearings, seminars, socialisation — with their agenda, the organisations
//! organising and attending, and the attendance list (*daftar hadir*).

pub mod event;
