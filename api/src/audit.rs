//! The audit log, written by the domain (`entity::kernel::audit`).

pub use entity::kernel::audit::*;
