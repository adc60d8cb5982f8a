//! The public taking part: registrations for events with an open invitation (seats, the
//! waitlist, promotion, cancellation by link) and subscriptions to a member's mail (double
//! opt-in, one-click unsubscribe).

pub mod citizen;
pub mod invitation;
pub mod public_input;
pub mod registration;
pub mod subscription;
