//! Events of the partnership — team meetings, monitoring meetings (*monev*), co-creation
//! workshops, public hearings, seminars, socialisation — with their agenda, the organisations
//! organising and attending, and the attendance list (*daftar hadir*).

pub mod event;

use sea_orm::{ConnectionTrait, DbErr, Select};

use crate::{agenda_item, person};

/// An event with its agenda in order, each item with its speaker when they are a person on
/// file (whom the caller shows only to the partnership's own people).
pub type WithAgenda = (
    crate::event::Model,
    Vec<(agenda_item::Model, Option<person::Model>)>,
);

/// The events `select` reads, each with its agenda and the speakers on file, in one
/// statement.
pub async fn with_agenda<C: ConnectionTrait>(
    db: &C,
    select: Select<crate::event::Entity>,
) -> Result<Vec<WithAgenda>, DbErr> {
    crate::nested::with_children::<_, agenda_item::Entity, person::Entity, _>(
        db,
        select,
        agenda_item::Column::EventId,
        Some(agenda_item::Column::SpeakerPersonId),
    )
    .await
}
