//! The secretariat (*sekretariat*): one per member, where the team's work is kept and the public
//! can reach it (in Bojonegoro the PPID room).

use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::crud::{self, Act, Create, set};
use crate::kernel::edit::{Outcome, check_ref};
use crate::secretariat;
use crate::validate::{self, text_change};
use crate::{Problem, Problems};

/// At most this many other channels (WhatsApp, Instagram, …).
pub const MAX_CHANNELS: usize = 20;

/// A way to reach the secretariat besides its address, mail and phone.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Channel {
    /// "WHATSAPP", "INSTAGRAM", "WEBSITE", …
    pub kind: String,
    pub value: String,
}

/// The secretariat's fields as given: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Default)]
pub struct SecretariatFields {
    /// Required on creation.
    pub venue_name: Option<String>,
    pub decree: Option<Option<Uuid>>,
    pub room: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub channels: Option<Vec<Channel>>,
}

struct Checked {
    venue: Option<String>,
    room: Option<Option<String>>,
    address: Option<Option<String>>,
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
    channels: Option<serde_json::Value>,
}

fn check(p: &mut Problems, f: &SecretariatFields) -> Checked {
    let venue = f
        .venue_name
        .as_deref()
        .and_then(|v| p.check(validate::required_text(&["input", "venueName"], v, 200)));
    let email = validate::email_change(p, "contactEmail", &f.contact_email, false);
    let phone = validate::phone_change(p, "contactPhone", &f.contact_phone, false);
    if f.channels.as_ref().is_some_and(|c| c.len() > MAX_CHANNELS) {
        p.push(
            &["input", "channels"],
            Problem::TooMany { max: MAX_CHANNELS },
        );
    }
    Checked {
        venue,
        room: text_change(p, "room", f.room.clone(), 200, false),
        address: text_change(p, "address", f.address.clone(), 500, false),
        email,
        phone,
        channels: f
            .channels
            .as_ref()
            .map(|c| serde_json::to_value(c).unwrap_or_default()),
    }
}

/// Sets up `member`'s secretariat; a second one is refused (`DUPLICATE` on `input.id`).
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    f: SecretariatFields,
) -> Result<secretariat::Model, Outcome> {
    act.permit("createSecretariat", Some(member))?;
    let p = &mut spec.problems;
    if f.venue_name.is_none() {
        p.push(&["input", "venueName"], Problem::Required);
    }
    let c = check(p, &f);
    let decree = f.decree.flatten();
    crud::create::<secretariat::Entity, _>(
        act,
        spec,
        async |tx, p| {
            let exists = secretariat::Entity::find()
                .filter(secretariat::Column::MemberId.eq(member))
                .one(tx)
                .await?;
            if exists.is_some() {
                p.push(&["input", "id"], Problem::Duplicate);
            }
            check_ref::<crate::decree::Entity, _>(tx, p, "decreeId", decree, member, |x| {
                x.member_id
            })
            .await
        },
        |id, now| secretariat::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            decree_id: Set(decree),
            venue_name: Set(c.venue.clone().unwrap_or_default()),
            room: Set(c.room.clone().flatten()),
            address: Set(c.address.clone().flatten()),
            contact_email: Set(c.email.clone().flatten()),
            contact_phone: Set(c.phone.clone().flatten()),
            channels: Set(c.channels.clone().unwrap_or_else(|| serde_json::json!([]))),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Changes the secretariat if still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &secretariat::Model,
    version: i32,
    mut problems: Problems,
    f: SecretariatFields,
) -> Result<secretariat::Model, Outcome> {
    act.permit("updateSecretariat", Some(current.member_id))?;
    let c = check(&mut problems, &f);
    let member = current.member_id;
    crud::update::<secretariat::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, _, p| {
            check_ref::<crate::decree::Entity, _>(
                tx,
                p,
                "decreeId",
                f.decree.flatten(),
                member,
                |x| x.member_id,
            )
            .await
        },
        |_| secretariat::ActiveModel {
            venue_name: set(c.venue.clone()),
            decree_id: set(f.decree),
            room: set(c.room.clone()),
            address: set(c.address.clone()),
            contact_email: set(c.email.clone()),
            contact_phone: set(c.phone.clone()),
            channels: set(c.channels.clone()),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}
