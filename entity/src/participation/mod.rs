//! The public taking part: registrations for events with an open invitation (seats, the
//! waitlist, promotion, cancellation by link).

pub mod registration;
