//! Public input (*masukan*) on a draft plan or a commitment, the partnership's reasoned
//! response to each, and moderation of what the public writes.
//!
//! The public sends input online while the plan is open for it (co-creation, drafting, public
//! review), with consent recorded; the secretariat notes what was said at an event or in a
//! letter. Each input is answered with a reason (and whoever left an address is told by mail,
//! recorded in the same transaction); an abusive or off-topic one is hidden with a reason —
//! kept and audited, shown to nobody outside the partnership.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, DbErr, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::consent::{self, ConsentPurpose};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::Outcome;
use crate::mail_delivery::MailClass;
use crate::notify::{self, Address, NewMail};
use crate::public_input::{self, InputResponse, InputSource, OPEN_FOR_INPUT};
use crate::{Lang, Problem, Problems, Refusal, action_plan, commitment, event, validate};

/// The longest input, in characters.
pub const MAX_BODY: usize = 10_000;

/// The statement whoever sends input agrees to.
pub const CONSENT_ID: &str = "Saya setuju nama dan alamat email saya disimpan oleh Sekretariat \
    Pemerintahan Terbuka untuk menanggapi masukan ini. Nama dan email tidak ditampilkan kepada \
    publik.";
pub const CONSENT_EN: &str = "I agree that the Open Government secretariat keeps my name and \
    email address to answer this input. Name and email are not shown publicly.";

fn body_of(p: &mut Problems, raw: &str) -> Option<String> {
    match validate::long_text(&["input", "body"], Some(raw), MAX_BODY) {
        Ok(Some(body)) => Some(body),
        Ok(None) => {
            p.push(&["input", "body"], Problem::Required);
            None
        }
        Err(e) => p.check::<()>(Err(e)).and(None),
    }
}

/// The plan and commitment an input names, checked inside the transaction: the commitment
/// must be the plan's. Returns the plan.
async fn check_subject(
    tx: &DatabaseTransaction,
    p: &mut Problems,
    plan: Option<Uuid>,
    commitment: Option<Uuid>,
) -> Result<Option<action_plan::Model>, DbErr> {
    let Some(plan_id) = plan else { return Ok(None) };
    let Some(plan) = action_plan::Entity::find_by_id(plan_id).one(tx).await? else {
        p.push(&["input", "planId"], Problem::NotFound);
        return Ok(None);
    };
    if let Some(c) = commitment
        && commitment::Entity::find_by_id(c)
            .one(tx)
            .await?
            .is_none_or(|c| c.plan_id != plan.id)
    {
        p.push(&["input", "commitmentId"], Problem::NotFound);
    }
    Ok(Some(plan))
}

fn row(
    id: Uuid,
    member: Uuid,
    plan: Uuid,
    commitment: Option<Uuid>,
    stamp: DateTime<Utc>,
) -> public_input::ActiveModel {
    public_input::ActiveModel {
        id: Set(id),
        member_id: Set(member),
        plan_id: Set(plan),
        commitment_id: Set(commitment),
        event_id: Set(None),
        source: Set(InputSource::Online),
        author_name: Set(None),
        author_email: Set(None),
        organisation_name: Set(None),
        body: Set(String::new()),
        lang: Set(Lang::Id.tag().to_owned()),
        received_at: Set(stamp),
        response: Set(None),
        response_reason: Set(None),
        responded_by: Set(None),
        responded_at: Set(None),
        hidden_at: Set(None),
        hidden_reason: Set(None),
        hidden_by: Set(None),
        created_at: Set(stamp),
        updated_at: Set(stamp),
        version: Set(1),
    }
}

/// Input from a member of the public, sent online (consent given).
pub struct Submit {
    /// `None` when the request's plan id did not decode (already a problem).
    pub plan: Option<Uuid>,
    pub commitment: Option<Uuid>,
    pub name: String,
    pub email: Option<Address>,
    pub organisation: Option<String>,
    pub body: String,
    /// The language the person wrote in (of the consent statement they were shown).
    pub lang: Lang,
}

/// Takes input from the public on a plan it can see that is open for input, with the consent
/// and the audit record (as the actor, the public when no account).
pub async fn submit<I: Serialize>(
    act: &Act<'_>,
    mut spec: Create<'_, I>,
    cmd: Submit,
) -> Result<public_input::Model, Outcome> {
    act.permit("submitPublicInput", None)?;
    let p = &mut spec.problems;
    let name = p.check(validate::required_text(&["input", "name"], &cmd.name, 300));
    let organisation = p
        .check(validate::optional_text(
            &["input", "organisationName"],
            cmd.organisation.as_deref(),
            300,
        ))
        .flatten();
    let body = body_of(p, &cmd.body);
    let member = std::sync::OnceLock::new();
    let (plan, commitment, lang, actor) = (cmd.plan, cmd.commitment, cmd.lang, act.actor);
    crud::create::<public_input::Entity, _>(
        act,
        spec,
        async |tx, p| {
            let Some(plan) = check_subject(tx, p, plan, commitment).await? else {
                return Ok(());
            };
            // The public can only name a plan it can see.
            if !(actor.belongs_to(plan.member_id) || plan.status.is_public()) {
                p.0.retain(|x| x.field != ["input", "commitmentId"]);
                p.push(&["input", "planId"], Problem::NotFound);
                return Ok(());
            }
            if !OPEN_FOR_INPUT.contains(&plan.status) {
                p.push(
                    &["input", "planId"],
                    Problem::Refused(Refusal::PlanNotTakingInput),
                );
            }
            let _ = member.set(plan.member_id);
            Ok(())
        },
        |id, stamp| public_input::ActiveModel {
            author_name: Set(name.clone()),
            author_email: Set(cmd.email.clone().map(String::from)),
            organisation_name: Set(organisation.clone()),
            body: Set(body.clone().unwrap_or_default()),
            lang: Set(lang.tag().to_owned()),
            received_at: Set(act.now),
            ..row(
                id,
                member.get().copied().unwrap_or_default(),
                plan.unwrap_or_default(),
                commitment,
                stamp,
            )
        },
        async |tx, created| {
            consent::record(
                tx,
                consent::Given {
                    member: Some(created.member_id),
                    subject_type: "PublicInput",
                    subject_id: created.id,
                    purpose: ConsentPurpose::PublicInput,
                    statement: match lang {
                        Lang::Id => CONSENT_ID,
                        Lang::En => CONSENT_EN,
                    },
                    lang,
                    at: act.now,
                },
            )
            .await
            .map_err(Outcome::from)
        },
    )
    .await
}

/// Input noted by the secretariat: said at an event, or sent by letter or message.
pub struct Record {
    pub commitment: Option<Uuid>,
    /// Required when the source is EVENT (an event of the plan's member).
    pub event: Option<Uuid>,
    /// Whether the request named an event at all (one that did not decode counts).
    pub event_named: bool,
    pub source: InputSource,
    pub author: Option<String>,
    pub organisation: Option<String>,
    pub body: String,
    /// Default: the event's start, or now.
    pub received_at: Option<DateTime<Utc>>,
    /// The language it is written in.
    pub lang: Lang,
}

/// Notes input on `plan` given at an event or by letter (ONLINE is what the public sends
/// itself).
pub async fn record<I: Serialize>(
    act: &Act<'_>,
    plan: &action_plan::Model,
    mut spec: Create<'_, I>,
    cmd: Record,
) -> Result<public_input::Model, Outcome> {
    act.permit("recordPublicInput", Some(plan.member_id))?;
    let p = &mut spec.problems;
    match cmd.source {
        InputSource::Online => p.push(
            &["input", "source"],
            Problem::Refused(Refusal::OnlineInputIsPublic),
        ),
        InputSource::Event if !cmd.event_named => p.push(&["input", "eventId"], Problem::Required),
        _ => {}
    }
    let author = p
        .check(validate::optional_text(
            &["input", "authorName"],
            cmd.author.as_deref(),
            300,
        ))
        .flatten();
    let organisation = p
        .check(validate::optional_text(
            &["input", "organisationName"],
            cmd.organisation.as_deref(),
            300,
        ))
        .flatten();
    let body = body_of(p, &cmd.body);
    let event_start = std::sync::OnceLock::new();
    let (member, ev) = (plan.member_id, cmd.event);
    crud::create::<public_input::Entity, _>(
        act,
        spec,
        async |tx, p| {
            check_subject(tx, p, Some(plan.id), cmd.commitment).await?;
            if let Some(e) = ev {
                match event::Entity::find_by_id(e).one(tx).await? {
                    Some(e) if e.member_id == member => {
                        let _ = event_start.set(e.starts_at);
                    }
                    _ => p.push(&["input", "eventId"], Problem::NotFound),
                }
            }
            Ok(())
        },
        |id, stamp| public_input::ActiveModel {
            event_id: Set(ev),
            source: Set(cmd.source),
            author_name: Set(author.clone()),
            organisation_name: Set(organisation.clone()),
            body: Set(body.clone().unwrap_or_default()),
            lang: Set(cmd.lang.tag().to_owned()),
            received_at: Set(cmd
                .received_at
                .or_else(|| event_start.get().copied())
                .unwrap_or(act.now)),
            ..row(id, member, plan.id, cmd.commitment, stamp)
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Answers an input with a reason (answering again replaces the answer; the audit log keeps
/// the earlier one) and records the mail to whoever sent it, if they left an address. Returns
/// the input and the mails to queue.
pub async fn respond(
    act: &Act<'_>,
    current: &public_input::Model,
    version: i32,
    response: InputResponse,
    reason: &str,
) -> Result<(public_input::Model, Vec<Uuid>), Outcome> {
    act.permit("respondToPublicInput", Some(current.member_id))?;
    let mut p = Problems::new();
    let reason = match validate::long_text(&["input", "reason"], Some(reason), 5_000) {
        Ok(Some(r)) => Some(r),
        Ok(None) => {
            p.push(&["input", "reason"], Problem::Required);
            None
        }
        Err(e) => p.check::<()>(Err(e)).and(None),
    };
    let by = act.actor.account_id();
    let mails = std::sync::Mutex::new(Vec::<Uuid>::new());
    let answered = crud::update::<public_input::Entity>(
        act,
        current,
        version,
        p,
        async |_, before, p| {
            if before.is_hidden() {
                p.push(&["input", "id"], Problem::Refused(Refusal::InputHidden));
            }
            Ok(())
        },
        |_| public_input::ActiveModel {
            response: Set(Some(response)),
            response_reason: Set(reason.clone()),
            responded_by: Set(by),
            responded_at: Set(Some(act.now)),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, after| {
            if let Some(id) = mail_response(tx, after, act.now).await? {
                mails.lock().expect("not poisoned").push(id);
            }
            Ok(())
        },
    )
    .await?;
    Ok((answered, mails.into_inner().unwrap_or_default()))
}

/// Records the mail that tells whoever sent `input` (and left an address) what became of it,
/// inside the transaction that answered it. An answer given again is mailed again.
async fn mail_response(
    tx: &DatabaseTransaction,
    input: &public_input::Model,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let (Some(to), Some(response)) = (&input.author_email, input.response) else {
        return Ok(None);
    };
    let lang = Lang::from_tag(&input.lang);
    let plan = action_plan::Entity::find_by_id(input.plan_id)
        .one(tx)
        .await?;
    let commitment = match input.commitment_id {
        Some(c) => commitment::Entity::find_by_id(c).one(tx).await?,
        None => None,
    };
    let tz = crate::member::Entity::find_by_id(input.member_id)
        .one(tx)
        .await?
        .map_or(chrono_tz::Asia::Jakarta, |m| m.tz());
    let when = input.responded_at.unwrap_or(now);
    notify::record(
        tx,
        NewMail {
            dedupe_key: format!("input_response:{}:{}", input.id, input.version),
            class: MailClass::Transactional,
            member_id: Some(input.member_id),
            recipient: to.clone(),
            lang,
            template: "input_response".into(),
            context: serde_json::json!({
                "name": input.author_name,
                "plan": plan.map(|p| p.title),
                "commitment": commitment.map(|c| c.title),
                "body": input.body,
                "response_label": response.label(lang),
                "reason": input.response_reason,
                "when": crate::i18n::long_date(when.with_timezone(&tz).date_naive(), lang),
            }),
        },
    )
    .await
}

/// Hides an input from everyone outside the partnership, with the reason (moderation).
pub async fn hide(
    act: &Act<'_>,
    current: &public_input::Model,
    version: i32,
    reason: &str,
) -> Result<public_input::Model, Outcome> {
    act.permit("hidePublicInput", Some(current.member_id))?;
    let mut p = Problems::new();
    let reason = p.check(validate::required_text(&["input", "reason"], reason, 1_000));
    let by = act.actor.account_id();
    crud::update::<public_input::Entity>(
        act,
        current,
        version,
        p,
        async |_, before, p| {
            if before.is_hidden() {
                p.push(
                    &["input", "id"],
                    Problem::Refused(Refusal::InputAlreadyHidden),
                );
            }
            Ok(())
        },
        |_| public_input::ActiveModel {
            hidden_at: Set(Some(act.now)),
            hidden_reason: Set(reason.clone()),
            hidden_by: Set(by),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Shows a hidden input again.
pub async fn restore(
    act: &Act<'_>,
    current: &public_input::Model,
    version: i32,
) -> Result<public_input::Model, Outcome> {
    act.permit("restorePublicInput", Some(current.member_id))?;
    crud::update::<public_input::Entity>(
        act,
        current,
        version,
        Problems::new(),
        async |_, before, p| {
            if !before.is_hidden() {
                p.push(&["input", "id"], Problem::Refused(Refusal::InputNotHidden));
            }
            Ok(())
        },
        |_| public_input::ActiveModel {
            hidden_at: Set(None),
            hidden_reason: Set(None),
            hidden_by: Set(None),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}
