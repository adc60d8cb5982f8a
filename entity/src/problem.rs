//! What can be wrong with what a person sent, as a code a client can act on and a sentence a
//! person can read (Indonesian by default).

use serde::Serialize;

use crate::i18n::Lang;

/// The machine-readable code of a user error (`userErrors[].code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum UserErrorCode {
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
    /// The request is well-formed but breaks a rule of the domain.
    NotAllowed,
    /// The e-mail address and password do not match an active account.
    InvalidCredentials,
    /// Too many wrong passwords: the account is locked for a while.
    Locked,
    /// A link from an e-mail is unknown, used or expired.
    InvalidToken,
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
    /// A rule of the domain, already phrased in both languages.
    Rule {
        id: String,
        en: String,
    },
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
            Problem::ParentCycle | Problem::ParentLevel | Problem::Rule { .. } => {
                UserErrorCode::NotAllowed
            }
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
            (Problem::Rule { id, .. }, Id) => id.clone(),
            (Problem::Rule { en, .. }, En) => en.clone(),
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
