//! The plain fields the compiled read writes itself: of the plan and its member from their
//! models, of the rows below from the cells the database wrote (`tree::read_columns`).

use async_graphql::resolver_utils::enum_value;
use async_graphql::{OutputType, ScalarType, Value};
use chrono::{DateTime, NaiveDate, Utc};
use entity::plans::tree;
use entity::{action_plan, commitment, member, milestone, organisation};
use uuid::Uuid;

use super::super::commitment::Commitment;
use super::super::ids;
use super::super::member::Member;
use super::super::milestone::Milestone;
use super::super::organisation::Organisation;
use super::super::plan::ActionPlan;
use super::super::scalars::Date;

// The answer written from the rows. A selection is compiled once per level (response keys,
// which field each is, which columns it reads) and applied to every row of that level. The
// plan and its member are one row each and come as models; the rows below come as the cells
// the database wrote (`tree::read_columns`), and a plain field that is a column as stored
// (text, a status, a date, a number) is copied into the answer as it is.

/// What the plain fields are computed from besides their row.
pub(super) struct Env {
    /// Today in the member's time zone.
    pub(super) today: NaiveDate,
    /// Whether the plan is over (its open milestones are NOT_COMPLETED).
    pub(super) plan_over: bool,
}

/// A stored value the answer cannot be written from (a cell that does not read as its type).
#[derive(Debug)]
pub(super) struct Unreadable;

pub(super) type Written = Result<(), Unreadable>;

/// The answer's text as it is written.
pub(super) type Out = Vec<u8>;

/// Writes `v` as JSON.
pub(super) fn put(out: &mut Out, v: &Value) -> Written {
    serde_json::to_writer(out, v).map_err(|_| Unreadable)
}

/// A plain field of a plan or member: its value from the model alone.
pub(super) type Leaf<M> = fn(&M, &Env) -> Value;

pub(super) fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

pub(super) fn opt_text(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, text)
}

pub(super) fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Date(d).to_value())
}

pub(super) fn time(t: &DateTime<Utc>) -> Value {
    t.to_value()
}

pub(super) fn id(kind: &str, id: Uuid) -> Value {
    Value::String(ids::encode(kind, id).0)
}

pub(super) fn type_name<T: OutputType>() -> Value {
    Value::String(T::type_name().into_owned())
}

pub(super) fn plan_leaf(name: &str) -> Option<Leaf<action_plan::Model>> {
    let f: Leaf<action_plan::Model> = match name {
        "__typename" => |_, _| type_name::<ActionPlan>(),
        "id" => |p, _| id(super::super::plan::KIND, p.id),
        "level" => |p, _| enum_value(p.level),
        "title" => |p, _| text(&p.title),
        "periodStart" => |p, _| date(p.period_start),
        "periodEnd" => |p, _| date(p.period_end),
        "submissionDeadline" => |p, _| date(p.submission_deadline),
        "submittedOn" => |p, _| date(p.submitted_on),
        "documentVersion" => |p, _| opt_text(&p.document_version),
        "status" => |p, _| enum_value(p.status),
        "summary" => |p, _| opt_text(&p.summary),
        "isLate" => |p, e| Value::Boolean(p.is_late(e.today)),
        "daysToDeadline" => |p, e| {
            p.days_to_deadline(e.today)
                .map_or(Value::Null, |d| Value::from(d as i32))
        },
        "createdAt" => |p, _| time(&p.created_at),
        "updatedAt" => |p, _| time(&p.updated_at),
        "version" => |p, _| Value::from(p.version),
        _ => return None,
    };
    Some(f)
}

pub(super) fn member_leaf(name: &str) -> Option<Leaf<member::Model>> {
    let f: Leaf<member::Model> = match name {
        "__typename" => |_, _| type_name::<Member>(),
        "id" => |m, _| id(super::super::member::KIND, m.id),
        "slug" => |m, _| text(&m.slug),
        "name" => |m, _| text(&m.name),
        "level" => |m, _| enum_value(m.level),
        "timeZone" => |m, _| text(&m.time_zone),
        "ogpMemberSince" => |m, _| date(m.ogp_member_since),
        "websiteUrl" => |m, _| opt_text(&m.website_url),
        "repositoryUrl" => |m, _| opt_text(&m.repository_url),
        "createdAt" => |m, _| time(&m.created_at),
        "updatedAt" => |m, _| time(&m.updated_at),
        "version" => |m, _| Value::from(m.version),
        _ => return None,
    };
    Some(f)
}

/// Writes a row's cells (the ones its field reads) as the field's value.
pub(super) type Write = fn(&[&str], &Env, &mut Out) -> Written;

/// A plain field of a row below the plan: the columns it reads and how it writes them.
pub(super) struct Cell<C: 'static> {
    pub(super) columns: &'static [C],
    pub(super) write: Write,
}

impl<C> Cell<C> {
    /// A column whose stored JSON is the field's value (text, a status, a date as `YYYY-MM-DD`,
    /// a number, a boolean).
    pub(super) const fn stored(columns: &'static [C]) -> Self {
        Self {
            columns,
            write: copy,
        }
    }

    /// A time, stored as either backend writes it, in the `DateTime` scalar's form.
    pub(super) const fn time(columns: &'static [C]) -> Self {
        Self {
            columns,
            write: |c, _, out| put(out, &parsed::<DateTime<Utc>>(one(c)?)?.to_value()),
        }
    }

    pub(super) const fn with(columns: &'static [C], write: Write) -> Self {
        Self { columns, write }
    }
}

pub(super) fn one<'a>(cells: &[&'a str]) -> Result<&'a str, Unreadable> {
    cells.first().copied().ok_or(Unreadable)
}

pub(super) fn copy(cells: &[&str], _: &Env, out: &mut Out) -> Written {
    out.extend_from_slice(one(cells)?.as_bytes());
    Ok(())
}

pub(super) fn parsed<T: serde::de::DeserializeOwned>(cell: &str) -> Result<T, Unreadable> {
    serde_json::from_str(cell).map_err(|_| Unreadable)
}

/// The global id of the row whose id is in the first cell.
pub(super) fn id_cell(kind: &str, cells: &[&str], out: &mut Out) -> Written {
    let u = tree::cell_uuid(one(cells)?).ok_or(Unreadable)?;
    put(out, &id(kind, u))
}

pub(super) fn commitment_cell(name: &str) -> Option<Cell<commitment::Column>> {
    use commitment::Column as C;
    Some(match name {
        "__typename" => Cell::with(&[], |_, _, o| put(o, &type_name::<Commitment>())),
        "id" => Cell::with(&[C::Id], |c, _, o| {
            id_cell(super::super::commitment::KIND, c, o)
        }),
        "code" => Cell::stored(&[C::Code]),
        "title" => Cell::stored(&[C::Title]),
        "theme" => Cell::stored(&[C::Theme]),
        "problem" => Cell::stored(&[C::Problem]),
        "baseline" => Cell::stored(&[C::Baseline]),
        "objective" => Cell::stored(&[C::Objective]),
        "description" => Cell::stored(&[C::Description]),
        "howItSolves" => Cell::stored(&[C::HowItSolves]),
        "ogpValues" => Cell::with(&[C::OgpValues], |c, _, o| {
            let values = commitment::values_in(one(c)?);
            put(
                o,
                &Value::List(values.into_iter().map(enum_value).collect()),
            )
        }),
        "ambition" => Cell::stored(&[C::Ambition]),
        "officialInCharge" => Cell::stored(&[C::OfficialInCharge]),
        "startsOn" => Cell::stored(&[C::StartsOn]),
        "endsOn" => Cell::stored(&[C::EndsOn]),
        "status" => Cell::stored(&[C::Status]),
        "createdAt" => Cell::time(&[C::CreatedAt]),
        "updatedAt" => Cell::time(&[C::UpdatedAt]),
        "version" => Cell::stored(&[C::Version]),
        _ => return None,
    })
}

pub(super) fn milestone_cell(name: &str) -> Option<Cell<milestone::Column>> {
    use milestone::Column as C;
    Some(match name {
        "__typename" => Cell::with(&[], |_, _, o| put(o, &type_name::<Milestone>())),
        "id" => Cell::with(&[C::Id], |c, _, o| {
            id_cell(super::super::milestone::KIND, c, o)
        }),
        "title" => Cell::stored(&[C::Title]),
        "deliverable" => Cell::stored(&[C::Deliverable]),
        "startsOn" => Cell::stored(&[C::StartsOn]),
        "endsOn" => Cell::stored(&[C::EndsOn]),
        "weight" => Cell::stored(&[C::Weight]),
        "status" => Cell::stored(&[C::Status]),
        "state" => Cell::with(&[C::Status, C::EndsOn], |c, e, o| {
            let (status, ends_on) = match c {
                [s, d] => (parsed(s)?, parsed(d)?),
                _ => return Err(Unreadable),
            };
            put(
                o,
                &enum_value(milestone::state_of(status, ends_on, e.today, e.plan_over)),
            )
        }),
        "progress" => Cell::with(&[C::Status, C::Progress], |c, _, o| {
            let (status, progress) = match c {
                [s, p] => (parsed(s)?, parsed(p)?),
                _ => return Err(Unreadable),
            };
            put(o, &Value::from(milestone::percent_of(status, progress)))
        }),
        "createdAt" => Cell::time(&[C::CreatedAt]),
        "updatedAt" => Cell::time(&[C::UpdatedAt]),
        "version" => Cell::stored(&[C::Version]),
        _ => return None,
    })
}

pub(super) fn organisation_cell(name: &str) -> Option<Cell<organisation::Column>> {
    use organisation::Column as C;
    Some(match name {
        "__typename" => Cell::with(&[], |_, _, o| put(o, &type_name::<Organisation>())),
        "id" => Cell::with(&[C::Id], |c, _, o| {
            id_cell(super::super::organisation::KIND, c, o)
        }),
        "name" => Cell::stored(&[C::Name]),
        "acronym" => Cell::stored(&[C::Acronym]),
        "kind" => Cell::stored(&[C::Kind]),
        "isGovernment" => Cell::with(&[C::Kind], |c, _, o| {
            let kind: organisation::OrganisationKind = parsed(one(c)?)?;
            put(o, &Value::Boolean(kind.is_government()))
        }),
        "partnershipRole" => Cell::stored(&[C::PartnershipRole]),
        "websiteUrl" => Cell::stored(&[C::WebsiteUrl]),
        "contactPublic" => Cell::stored(&[C::ContactPublic]),
        "createdAt" => Cell::time(&[C::CreatedAt]),
        "updatedAt" => Cell::time(&[C::UpdatedAt]),
        "version" => Cell::stored(&[C::Version]),
        _ => return None,
    })
}

/// A compiled cell field: where its cells are in the row, and how it writes them.
#[derive(Clone, Copy)]
pub(super) struct At {
    pub(super) cells: (usize, usize),
    pub(super) write: Write,
}

impl At {
    pub(super) fn write(&self, row: &[&str], env: &Env, out: &mut Out) -> Written {
        let cells = row.get(self.cells.0..self.cells.1).ok_or(Unreadable)?;
        (self.write)(cells, env, out)
    }
}

/// Places `cell` in the row of a level whose columns are `columns` (after the id, which is
/// cell 0).
pub(super) fn place<C: Copy>(columns: &mut Vec<C>, cell: Cell<C>) -> At {
    let from = 1 + columns.len();
    columns.extend_from_slice(cell.columns);
    At {
        cells: (from, 1 + columns.len()),
        write: cell.write,
    }
}
