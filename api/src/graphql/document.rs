//! The evidence repository: documents attached to events, plans, commitments, milestones and
//! decrees. Files arrive through the GraphQL multipart request spec, are checked by their
//! bytes, stored once per content, and downloaded at `GET /files/{id}` by those who may.

use entity::Refusal;
use std::io::Read;

use async_graphql::{Context, ID, InputObject, Object, Result, Upload};
use chrono::{DateTime, Utc};
use entity::document::{self, DocumentKind};
use entity::{Problem, Problems, validate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{DeleteInput, DeletePayload};
use super::policy;
use super::scalars::Date;
use super::visibility;

pub const KIND: &str = entity::document::KIND;

pub use entity::evidence::Subject;

/// The subject behind a global id, if it is one of the kinds documents attach to.
pub fn decode_subject(id: &ID) -> Option<Subject> {
    let (kind, uuid) = ids::decode(id)?;
    Some(match kind.as_str() {
        super::event::KIND => Subject::Event(uuid),
        super::plan::KIND => Subject::Plan(uuid),
        super::commitment::KIND => Subject::Commitment(uuid),
        super::milestone::KIND => Subject::Milestone(uuid),
        super::decree::KIND => Subject::Decree(uuid),
        _ => return None,
    })
}

/// The subject's member, when the viewer may see the subject.
pub async fn visible_member(subject: Subject, ctx: &Context<'_>) -> Result<Option<Uuid>> {
    Ok(match subject {
        Subject::Event(u) => super::event::visible_event(ctx, u)
            .await?
            .map(|e| e.member_id),
        Subject::Plan(u) => visibility::visible_plan(ctx, u).await?.map(|p| p.member_id),
        Subject::Commitment(u) => visibility::visible_commitment(ctx, u)
            .await?
            .map(|c| c.member_id),
        Subject::Milestone(u) => visibility::visible_milestone(ctx, u)
            .await?
            .map(|m| m.member_id),
        Subject::Decree(u) => visibility::visible_decree(ctx, u)
            .await?
            .map(|d| d.member_id),
    })
}

/// Whether the viewer may see (and download) a document: the member's own people always; the
/// public when the document is public and so is what it documents.
pub async fn may_see(ctx: &Context<'_>, d: &document::Model) -> Result<bool> {
    if ctx.viewer().belongs_to(d.member_id) {
        return Ok(true);
    }
    if !d.is_public {
        return Ok(false);
    }
    Ok(match Subject::of(d) {
        Some(s) => visible_member(s, ctx).await?.is_some(),
        None => false,
    })
}

pub struct Document(pub document::Model);

#[Object]
impl Document {
    async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn kind(&self) -> DocumentKind {
        self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn file_name(&self) -> Option<&str> {
        self.0.file_name.as_deref()
    }
    /// Detected from the file's bytes.
    async fn content_type(&self) -> Option<&str> {
        self.0.content_type.as_deref()
    }
    /// Bytes.
    async fn size(&self) -> Option<f64> {
        self.0.size.map(|s| s as f64)
    }
    /// SHA-256 of the content (the same file twice has the same one).
    async fn sha256(&self) -> Option<&str> {
        self.0.blob_sha256.as_deref()
    }
    /// Where to get it: the file here, or the link it is.
    async fn url(&self, ctx: &Context<'_>) -> Option<String> {
        match (&self.0.blob_sha256, &self.0.url) {
            (Some(_), _) => Some(format!(
                "{}/files/{}",
                ctx.app().config.worker.public_url.trim_end_matches('/'),
                self.0.id
            )),
            (None, u) => u.clone(),
        }
    }
    async fn is_public(&self) -> bool {
        self.0.is_public
    }
    async fn document_date(&self) -> Option<Date> {
        self.0.document_date.map(Date)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

crate::payload!(DocumentPayload, document: Document, document::Model);

#[derive(InputObject)]
pub struct AttachDocumentInput {
    pub client_mutation_id: Option<String>,
    /// An event, plan, commitment, milestone or decree.
    pub subject_id: ID,
    pub kind: DocumentKind,
    pub title: String,
    /// The file (GraphQL multipart request), or `url` for a link.
    pub file: Option<Upload>,
    pub url: Option<String>,
    /// Default false: only the partnership's people see it.
    #[graphql(default)]
    pub is_public: bool,
    pub document_date: Option<Date>,
}

/// What the receipt of a retried upload is keyed on (the file itself is not serialised).
#[derive(serde::Serialize)]
struct Fingerprint<'a> {
    subject: &'a str,
    kind: DocumentKind,
    title: &'a str,
    sha256: Option<&'a str>,
    url: Option<&'a str>,
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Attaches a file or a link as evidence. Files are checked by their bytes (PDF, images,
    /// office documents, plain text and CSV; never programs), at most 10 MiB by default.
    async fn attach_document(
        &self,
        ctx: &Context<'_>,
        input: AttachDocumentInput,
    ) -> Result<DocumentPayload> {
        policy::gate(ctx, "attachDocument")?;
        let lang = ctx.lang();
        let refused = |field: &str, p: Problem| {
            DocumentPayload::refused(Problems::one(&["input", field], p), lang)
        };
        let Some(subject) = decode_subject(&input.subject_id) else {
            return Ok(refused("subjectId", Problem::NotFound));
        };
        let Some(member) = subject.member(ctx.db()).await? else {
            return Ok(refused("subjectId", Problem::NotFound));
        };
        let viewer = policy::authorize(ctx, "attachDocument", Some(member))?;
        let mut p = Problems::new();
        let url = p
            .check(validate::optional_url(
                &["input", "url"],
                input.url.as_deref(),
            ))
            .flatten();
        let app = ctx.app();
        let max = app.config.max_file_bytes;
        let mut file: Option<(String, String, Vec<u8>)> = None;
        match (&input.file, &url) {
            (Some(_), Some(_)) | (None, None) => {
                p.push(&["input", "file"], Problem::Refused(Refusal::FileOrLink))
            }
            (Some(upload), None) => {
                let value = upload.value(ctx)?;
                let name = value.filename.clone();
                let declared = value.content_type.clone();
                let mut bytes = Vec::new();
                value
                    .into_read()
                    .take(max as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| super::errors::internal(e, lang))?;
                if bytes.len() > max {
                    p.push(&["input", "file"], Problem::FileTooLarge { max_bytes: max });
                } else {
                    match crate::blobs::detect(&bytes) {
                        Some(kind)
                            if crate::blobs::agrees(declared.as_deref(), kind)
                                && !crate::blobs::structure::holds_together(kind, &bytes) =>
                        {
                            p.push(
                                &["input", "file"],
                                Problem::FileDamaged {
                                    kind: kind.to_owned(),
                                },
                            )
                        }
                        Some(kind) if crate::blobs::agrees(declared.as_deref(), kind) => {
                            file = Some((
                                crate::blobs::clean_file_name(&name),
                                kind.to_owned(),
                                bytes,
                            ));
                        }
                        Some(kind) => {
                            let declared = declared.unwrap_or_default();
                            p.push(
                                &["input", "file"],
                                Problem::FileTypeMismatch {
                                    kind: kind.to_owned(),
                                    declared,
                                },
                            )
                        }
                        None => p.push(
                            &["input", "file"],
                            Problem::Refused(Refusal::FileTypeNotAccepted),
                        ),
                    }
                }
            }
            (None, Some(_)) => {}
        }
        // The bytes go to the store before the record (stored once; an unused file is
        // harmless, a record without its file is not).
        let stored = match (&file, p.is_empty()) {
            (Some((_, _, bytes)), true) => Some(
                crate::blobs::store(&app.config.worker.blob_dir, bytes)
                    .map_err(|e| super::errors::internal(e, lang))?,
            ),
            _ => None,
        };
        let subject_text = input.subject_id.to_string();
        let fingerprint = Fingerprint {
            subject: &subject_text,
            kind: input.kind,
            title: &input.title,
            sha256: stored.as_deref(),
            url: url.as_deref(),
        };
        let attach = entity::evidence::Attach {
            subject,
            kind: input.kind,
            title: input.title.clone(),
            file: match (&file, &stored) {
                (Some((name, content_type, bytes)), Some(sha)) => {
                    Some(entity::evidence::StoredFile {
                        sha256: sha.clone(),
                        name: name.clone(),
                        content_type: content_type.clone(),
                        size: bytes.len() as i64,
                    })
                }
                _ => None,
            },
            url: url.clone(),
            is_public: input.is_public,
            document_date: input.document_date.map(|d| d.0),
        };
        let spec = Create {
            mutation: "attachDocument",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &fingerprint,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            entity::evidence::attach(act, member, spec, attach).await
        })
        .await;
        DocumentPayload::of(result, input.client_mutation_id.clone(), lang, Document)
    }

    /// Removes a document (its file stays while another document holds the same content).
    async fn delete_document(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<document::Entity>(ctx, "deleteDocument", &input.id).await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        DeletePayload::of(
            acting(ctx, &viewer, async |act| {
                entity::evidence::delete(act, &current, input.version).await
            })
            .await,
            input.id,
            lang,
        )
    }
}

/// The documents of a subject the viewer may see, oldest first.
pub async fn documents_of(ctx: &Context<'_>, subject: Subject) -> Result<Vec<Document>> {
    let Some(member) = visible_member(subject, ctx).await? else {
        return Ok(vec![]);
    };
    let (col, id) = subject.column();
    let mut q = document::Entity::find().filter(col.eq(id));
    if !ctx.viewer().belongs_to(member) {
        q = q.filter(document::Column::IsPublic.eq(true));
    }
    Ok(q.order_by_asc(document::Column::Id)
        .all(ctx.db())
        .await?
        .into_iter()
        .map(Document)
        .collect())
}

#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    /// The evidence attached to an event, plan, commitment, milestone or decree.
    async fn documents(&self, ctx: &Context<'_>, subject_id: ID) -> Result<Vec<Document>> {
        match decode_subject(&subject_id) {
            Some(s) => documents_of(ctx, s).await,
            None => Err(super::errors::not_found(ctx.lang())),
        }
    }
}

pub use entity::document::subject_is_public;
