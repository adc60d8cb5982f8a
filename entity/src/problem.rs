//! What can be wrong with what a person sent, as a code a client can act on and a sentence a
//! person can read (Indonesian by default).

use serde::Serialize;

use crate::i18n::Lang;

/// Declares the user-error codes: the general ones (with no message of their own: the
/// [`Problem`] carrying them writes it) and, in one table, every rule of the domain that can
/// refuse a change, each with its own code and its Indonesian and English sentence.
macro_rules! codes {
    (
        general { $( $(#[$gdoc:meta])* $general:ident, )* }
        refusals { $( $(#[$rdoc:meta])* $refusal:ident => $id:literal, $en:literal; )* }
    ) => {
        /// The machine-readable code of a user error (`userErrors[].code`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        pub enum UserErrorCode {
            $( $(#[$gdoc])* $general, )*
            $( $(#[$rdoc])* $refusal, )*
        }

        /// A rule of the domain that refused a change: each has its own [`UserErrorCode`] of the
        /// same name and a fixed sentence in each language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum Refusal {
            $( $(#[$rdoc])* $refusal, )*
        }

        impl Refusal {
            /// Every refusal, in the order of the table.
            pub const ALL: &'static [Refusal] = &[ $( Refusal::$refusal, )* ];

            pub fn code(self) -> UserErrorCode {
                match self {
                    $( Refusal::$refusal => UserErrorCode::$refusal, )*
                }
            }

            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Refusal::$refusal, Lang::Id) => $id,
                        (Refusal::$refusal, Lang::En) => $en,
                    )*
                }
            }
        }
    };
}

codes! {
    general {
        /// A value is missing or blank.
        Required,
        /// A text is longer than allowed.
        TooLong,
        /// A number or date is outside the allowed range.
        OutOfRange,
        /// A value is not in the expected form.
        Invalid,
        /// A referenced record does not exist (or is not visible to the caller).
        NotFound,
        /// The record changed since the caller read it (stale `version`).
        Conflict,
        /// Another record already has this value.
        Duplicate,
        /// The status change is not one of the allowed steps.
        InvalidTransition,
        /// A rule of the domain refused the request (no longer sent: each rule now has its own
        /// code, listed after `FILE_TYPE_MISMATCH`; kept for clients that switch on it).
        NotAllowed,
        /// The e-mail address and password do not match an active account.
        InvalidCredentials,
        /// Too many wrong passwords: the account is locked for a while.
        Locked,
        /// A link from an e-mail is unknown, used or expired.
        InvalidToken,
        /// A parent that is the record itself or one of its descendants.
        ParentCycle,
        /// A parent that is not a higher level of government.
        ParentLevel,
        /// A file whose content is damaged or not a whole file of its kind.
        FileDamaged,
        /// A file whose content is not the kind it was declared as.
        FileTypeMismatch,
    }
    refusals {
        /// The end date is before the start date.
        EndBeforeStart =>
            "Tanggal akhir tidak boleh sebelum tanggal mulai.",
            "The end date cannot be before the start date.";
        /// An event's end time is before its start time.
        EventEndsBeforeStart =>
            "Waktu selesai tidak boleh sebelum waktu mulai.",
            "The end cannot be before the start.";
        /// Inviting to an event that is closed or cancelled.
        EventOver =>
            "Kegiatan ini sudah selesai atau dibatalkan.",
            "This event is over or cancelled.";
        /// Marking an event held before it started.
        EventNotStarted =>
            "Kegiatan belum dimulai.",
            "The event has not started yet.";
        /// Closing an event whose minutes (notulen) are not recorded.
        EventNeedsMinutes =>
            "Kegiatan hanya dapat ditutup bila notulen sudah diisi.",
            "An event can only be closed once its minutes are recorded.";
        /// Closing an event whose attendee count is not recorded.
        EventNeedsAttendeeCount =>
            "Kegiatan hanya dapat ditutup bila jumlah peserta sudah diisi.",
            "An event can only be closed once its attendee count is recorded.";
        /// Closing an event whose attending organisations are not recorded.
        EventNeedsOrganisations =>
            "Kegiatan hanya dapat ditutup bila organisasi yang hadir sudah dicatat.",
            "An event can only be closed once the attending organisations are recorded.";
        /// Removing a closed event's minutes or attendee count.
        ClosedEventKeepsMinutes =>
            "Notulen dan jumlah peserta kegiatan yang sudah ditutup tidak dapat dihapus.",
            "A closed event's minutes and attendee count cannot be removed.";
        /// Removing the last attending organisation of a closed event.
        ClosedEventKeepsOrganisations =>
            "Kegiatan yang sudah ditutup harus tetap mencatat organisasi yang hadir.",
            "A closed event must keep its attending organisations.";
        /// Deleting an event that took place.
        EventIsEvidence =>
            "Kegiatan yang sudah berlangsung adalah bukti proses dan tidak dapat dihapus.",
            "An event that took place is evidence of the process and cannot be deleted.";
        /// Registering for an event without an open invitation.
        RegistrationNotOpen =>
            "Kegiatan ini tidak membuka pendaftaran umum.",
            "This event is not open for registration.";
        /// Registering after registration closed or the event began.
        RegistrationClosed =>
            "Pendaftaran untuk kegiatan ini sudah ditutup.",
            "Registration for this event has closed.";
        /// Reporting progress on a cancelled milestone.
        MilestoneCancelled =>
            "Kegiatan ini dibatalkan.",
            "This milestone was cancelled.";
        /// A progress report dated after today.
        ReportDatedInFuture =>
            "Laporan kemajuan tidak boleh bertanggal di masa depan.",
            "A progress report cannot be dated in the future.";
        /// A decree (SK) signed without its number.
        DecreeNeedsNumber =>
            "Nomor SK harus diisi sebelum ditandatangani.",
            "The decree needs its number before it is signed.";
        /// A decree (SK) signed without its signing and effective dates.
        DecreeNeedsDates =>
            "Tanggal tanda tangan dan tanggal berlaku harus diisi.",
            "The signing date and the effective date are needed.";
        /// Public input received while the plan takes none.
        PlanNotTakingInput =>
            "Rencana aksi ini sedang tidak menerima masukan publik.",
            "This action plan is not taking public input now.";
        /// Recording online input by hand (the public sends it itself).
        OnlineInputIsPublic =>
            "Masukan daring dikirim sendiri oleh publik; pilih EVENT atau WRITTEN.",
            "Online input is sent by the public itself; choose EVENT or WRITTEN.";
        /// Responding to a hidden public input.
        InputHidden =>
            "Masukan yang disembunyikan tidak perlu ditanggapi; pulihkan dulu.",
            "A hidden input needs no response; restore it first.";
        /// Hiding a public input that is hidden already.
        InputAlreadyHidden =>
            "Masukan ini sudah disembunyikan.",
            "This input is already hidden.";
        /// Restoring a public input that is not hidden.
        InputNotHidden =>
            "Masukan ini tidak disembunyikan.",
            "This input is not hidden.";
        /// Deleting a news post that was ever published.
        PublishedPostKept =>
            "Berita yang pernah terbit tidak dapat dihapus; tarik saja.",
            "A post that was published cannot be deleted; withdraw it.";
        /// Voting on a post without a poll.
        PostHasNoPoll =>
            "Berita ini tidak memiliki jajak pendapat.",
            "This post has no poll.";
        /// An active online channel without its address.
        ChannelNeedsUrl =>
            "Kanal yang aktif memerlukan alamat (URL).",
            "An active channel needs its address (URL).";
        /// Evidence with both or neither of a file and a link.
        FileOrLink =>
            "Lampirkan satu berkas atau satu tautan.",
            "Attach either a file or a link.";
        /// A file of a kind that is not accepted as evidence.
        FileTypeNotAccepted =>
            "Jenis berkas ini tidak diterima (PDF, gambar, dokumen kantor, teks atau CSV).",
            "This kind of file is not accepted (PDF, images, office documents, text or CSV).";
        /// Retrying a mail delivery that did not fail.
        MailNotFailed =>
            "Hanya pesan yang gagal yang dapat dikirim ulang.",
            "Only a message that failed can be retried.";
        /// A report in a language it is not written in.
        ReportLanguageUnknown =>
            "Bahasa laporan: id atau en.",
            "The report's language: id or en.";
        /// An amount that is not whole rupiah.
        AmountInvalid =>
            "Jumlah dalam rupiah penuh, contoh: 250000000.",
            "An amount in whole rupiah, for example 250000000.";
        /// A phone number that is not one.
        PhoneInvalid =>
            "Nomor telepon tidak valid (contoh: +62 353 881826).",
            "This phone number is not valid (for example +62 353 881826).";
        /// Text with control characters.
        ControlCharacters =>
            "Teks berisi karakter kendali yang tidak diizinkan.",
            "The text contains control characters that are not allowed.";
        /// Deleting an organisation that other records name.
        OrganisationInUse =>
            "Organisasi ini masih dirujuk oleh data lain.",
            "Other records still refer to this organisation.";
        /// Deleting a record that other records name.
        RecordInUse =>
            "Data ini masih dirujuk oleh data lain.",
            "Other records still refer to this one.";
        /// Granting a role to an account that is not active.
        AccountNotActive =>
            "Akun ini tidak aktif.",
            "This account is not active.";
        /// An admin deactivating their own account.
        CannotDeactivateSelf =>
            "Anda tidak dapat menonaktifkan akun Anda sendiri.",
            "You cannot deactivate your own account.";
        /// An admin erasing their own personal data.
        CannotEraseSelf =>
            "Minta admin lain untuk menghapus data Anda.",
            "Ask another admin to erase your data.";
        /// Acting on an account whose personal data was erased.
        AccountErased =>
            "Data pribadi akun ini telah dihapus.",
            "This account's personal data was erased.";
        /// Acting on a person whose personal data was erased.
        PersonErased =>
            "Data pribadi orang ini telah dihapus.",
            "This person's personal data was erased.";
        /// Removing or deactivating a member's last admin.
        LastAdmin =>
            "Setiap pemerintah anggota memerlukan paling sedikit satu admin.",
            "Every member government needs at least one admin.";
        /// A password shorter than ten characters.
        PasswordTooShort =>
            "Kata sandi paling sedikit 10 karakter.",
            "The password needs at least 10 characters.";
        /// A password that is the account's e-mail address.
        PasswordIsEmail =>
            "Kata sandi tidak boleh sama dengan alamat email.",
            "The password cannot be the e-mail address.";
    }
}

/// One problem, with what a message needs to be written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    /// A list with more items than allowed.
    TooMany {
        max: usize,
    },
    /// A file over the size limit (in bytes).
    FileTooLarge {
        max_bytes: usize,
    },
    OutOfRange {
        min: String,
        max: String,
    },
    InvalidTimeZone,
    InvalidId,
    InvalidEmail,
    InvalidUrl,
    InvalidSlug,
    NotFound,
    StaleVersion {
        current: i32,
    },
    Duplicate,
    ParentCycle,
    ParentLevel,
    ClientMutationIdReused,
    InvalidCredentials,
    /// Locked until this time, shown in WIB.
    Locked {
        until_wib: String,
    },
    InvalidToken,
    InvalidTransition {
        from: String,
        to: String,
    },
    /// The file is damaged or not a whole file of its kind (`PDF`, `PNG`, …).
    FileDamaged {
        kind: String,
    },
    /// The file's content is `kind`, not the `declared` type.
    FileTypeMismatch {
        kind: String,
        declared: String,
    },
    /// A rule of the domain refused the change.
    Refused(Refusal),
}

impl Problem {
    /// The code a client switches on.
    pub fn code(&self) -> UserErrorCode {
        match self {
            Problem::Required => UserErrorCode::Required,
            Problem::TooLong { .. } | Problem::TooMany { .. } | Problem::FileTooLarge { .. } => {
                UserErrorCode::TooLong
            }
            Problem::OutOfRange { .. } => UserErrorCode::OutOfRange,
            Problem::InvalidTimeZone
            | Problem::InvalidId
            | Problem::InvalidEmail
            | Problem::InvalidUrl
            | Problem::InvalidSlug => UserErrorCode::Invalid,
            Problem::NotFound => UserErrorCode::NotFound,
            Problem::StaleVersion { .. } | Problem::ClientMutationIdReused => {
                UserErrorCode::Conflict
            }
            Problem::Duplicate => UserErrorCode::Duplicate,
            Problem::InvalidTransition { .. } => UserErrorCode::InvalidTransition,
            Problem::InvalidCredentials => UserErrorCode::InvalidCredentials,
            Problem::Locked { .. } => UserErrorCode::Locked,
            Problem::InvalidToken => UserErrorCode::InvalidToken,
            Problem::ParentCycle => UserErrorCode::ParentCycle,
            Problem::ParentLevel => UserErrorCode::ParentLevel,
            Problem::FileDamaged { .. } => UserErrorCode::FileDamaged,
            Problem::FileTypeMismatch { .. } => UserErrorCode::FileTypeMismatch,
            Problem::Refused(r) => r.code(),
        }
    }

    /// The sentence a person reads.
    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, Id};
        match (self, lang) {
            (Problem::Required, Id) => "Wajib diisi.".into(),
            (Problem::Required, En) => "This field is required.".into(),
            (Problem::TooLong { max }, Id) => format!("Paling banyak {max} karakter."),
            (Problem::TooLong { max }, En) => format!("At most {max} characters."),
            (Problem::TooMany { max }, Id) => format!("Paling banyak {max} butir."),
            (Problem::TooMany { max }, En) => format!("At most {max} items."),
            (Problem::FileTooLarge { max_bytes }, Id) => {
                format!("Berkas paling besar {}.", byte_size(*max_bytes, Id))
            }
            (Problem::FileTooLarge { max_bytes }, En) => {
                format!("A file may be at most {}.", byte_size(*max_bytes, En))
            }
            (Problem::OutOfRange { min, max }, Id) => {
                format!("Harus antara {min} dan {max}.")
            }
            (Problem::OutOfRange { min, max }, En) => format!("Must be between {min} and {max}."),
            (Problem::InvalidTimeZone, Id) => {
                "Zona waktu tidak dikenal (contoh: Asia/Jakarta).".into()
            }
            (Problem::InvalidTimeZone, En) => {
                "Unknown time zone (for example Asia/Jakarta).".into()
            }
            (Problem::InvalidId, Id) => "ID tidak valid.".into(),
            (Problem::InvalidId, En) => "This ID is not valid.".into(),
            (Problem::InvalidEmail, Id) => "Alamat email tidak valid.".into(),
            (Problem::InvalidEmail, En) => "This email address is not valid.".into(),
            (Problem::InvalidUrl, Id) => "Alamat web harus diawali http:// atau https://.".into(),
            (Problem::InvalidUrl, En) => {
                "A web address must start with http:// or https://.".into()
            }
            (Problem::InvalidSlug, Id) => {
                "Hanya huruf kecil, angka dan tanda hubung (contoh: bojonegoro).".into()
            }
            (Problem::InvalidSlug, En) => {
                "Only lower-case letters, digits and hyphens (for example bojonegoro).".into()
            }
            (Problem::NotFound, Id) => "Data tidak ditemukan.".into(),
            (Problem::NotFound, En) => "Not found.".into(),
            (Problem::StaleVersion { current }, Id) => format!(
                "Data ini telah diubah orang lain (versi sekarang {current}). Muat ulang lalu coba lagi."
            ),
            (Problem::StaleVersion { current }, En) => format!(
                "Someone else changed this record (now version {current}). Reload and try again."
            ),
            (Problem::Duplicate, Id) => "Sudah ada data dengan nilai ini.".into(),
            (Problem::Duplicate, En) => "A record with this value already exists.".into(),
            (Problem::ParentCycle, Id) => {
                "Induk tidak boleh dirinya sendiri atau turunannya.".into()
            }
            (Problem::ParentCycle, En) => {
                "The parent cannot be the record itself or one of its descendants.".into()
            }
            (Problem::ParentLevel, Id) => {
                "Induk harus berada pada tingkat pemerintahan yang lebih tinggi.".into()
            }
            (Problem::ParentLevel, En) => "The parent must be a higher level of government.".into(),
            (Problem::ClientMutationIdReused, Id) => {
                "clientMutationId ini sudah dipakai untuk permintaan yang berbeda.".into()
            }
            (Problem::ClientMutationIdReused, En) => {
                "This clientMutationId was already used for a different request.".into()
            }
            (Problem::InvalidCredentials, Id) => "Email atau kata sandi salah.".into(),
            (Problem::InvalidCredentials, En) => "Wrong e-mail address or password.".into(),
            (Problem::Locked { until_wib }, Id) => {
                format!("Terlalu banyak percobaan yang salah. Akun dikunci sampai {until_wib}.")
            }
            (Problem::Locked { until_wib }, En) => {
                format!("Too many wrong attempts. The account is locked until {until_wib}.")
            }
            (Problem::InvalidToken, Id) => {
                "Tautan ini tidak berlaku (sudah dipakai atau kedaluwarsa).".into()
            }
            (Problem::InvalidToken, En) => "This link is no longer valid (used or expired).".into(),
            (Problem::InvalidTransition { from, to }, Id) => {
                format!("Status tidak dapat diubah dari {from} ke {to}.")
            }
            (Problem::InvalidTransition { from, to }, En) => {
                format!("The status cannot change from {from} to {to}.")
            }
            (Problem::FileDamaged { kind }, Id) => {
                format!("Berkas ini rusak atau bukan {kind} yang utuh.")
            }
            (Problem::FileDamaged { kind }, En) => {
                format!("This file is damaged or not a whole {kind} file.")
            }
            (Problem::FileTypeMismatch { kind, declared }, Id) => {
                format!(
                    "Isi berkas ({kind}) tidak sesuai dengan jenis yang disebutkan ({declared})."
                )
            }
            (Problem::FileTypeMismatch { kind, declared }, En) => {
                format!(
                    "The file's content ({kind}) does not match its declared type ({declared})."
                )
            }
            (Problem::Refused(r), lang) => r.message(lang).to_owned(),
        }
    }
}

/// A size in bytes as people read it: `10 MiB`, `512 KiB`, `900 bita`.
fn byte_size(n: usize, lang: Lang) -> String {
    const KIB: usize = 1 << 10;
    const MIB: usize = 1 << 20;
    let whole = |unit: usize, name: &str| {
        let tenths = n * 10 / unit;
        if tenths.is_multiple_of(10) {
            format!("{} {name}", tenths / 10)
        } else {
            let sep = if lang == Lang::Id { "," } else { "." };
            format!("{}{sep}{} {name}", tenths / 10, tenths % 10)
        }
    };
    if n >= MIB {
        whole(MIB, "MiB")
    } else if n >= KIB {
        whole(KIB, "KiB")
    } else if lang == Lang::Id {
        format!("{n} bita")
    } else {
        format!("{n} bytes")
    }
}

/// A problem at a place in the input (`["input", "name"]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: Vec<String>,
    pub problem: Problem,
}

impl FieldProblem {
    pub fn new(field: &[&str], problem: Problem) -> Self {
        Self {
            field: field.iter().map(|s| (*s).to_owned()).collect(),
            problem,
        }
    }
}

/// All the problems found in one input; empty means valid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<FieldProblem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn one(field: &[&str], problem: Problem) -> Self {
        Self(vec![FieldProblem::new(field, problem)])
    }

    pub fn push(&mut self, field: &[&str], problem: Problem) {
        self.0.push(FieldProblem::new(field, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was found.
    pub fn into_result(self) -> Result<(), Problems> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Records the problem of a checked value and gives the value back when it is fine.
    pub fn check<T>(&mut self, result: Result<T, FieldProblem>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(p) => {
                self.0.push(p);
                None
            }
        }
    }
}

impl From<FieldProblem> for Problems {
    fn from(p: FieldProblem) -> Self {
        Self(vec![p])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_own_code_and_sentence_in_both_languages() {
        let mut codes = std::collections::HashSet::new();
        let mut sentences = std::collections::HashSet::new();
        for r in Refusal::ALL {
            assert!(codes.insert(r.code()), "{r:?} shares its code");
            for lang in [Lang::Id, Lang::En] {
                let m = r.message(lang);
                assert!(m.ends_with('.'), "{r:?} {lang:?}: {m}");
                assert!(sentences.insert(m), "{r:?} repeats the sentence {m:?}");
            }
            assert_eq!(Problem::Refused(*r).code(), r.code());
        }
        assert!(!codes.contains(&UserErrorCode::NotAllowed));
    }
}
