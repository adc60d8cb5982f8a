//! The office's own spreadsheets: the Renaksi matrix (commitments and their milestones), the
//! monev matrix (progress reports) and the DPA lines and NGO programmes, read with their
//! headings as officers write them (Indonesian, English accepted) and every problem tied to its
//! sheet and cell (`B14`), in the reader's language.
//!
//! [`read`] turns a file into sheets of typed cells; [`table`] finds a sheet's heading row and
//! its columns and reads each row's cells as the column wants them.

pub mod budget;
pub mod files;
pub mod monev;
pub mod read;
pub mod renaksi;
pub mod table;
pub mod verdict;
pub mod write;

use crate::i18n::Lang;

/// What is wrong with a file, a sheet or a cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Issue {
    EmptyFile,
    FileTooLarge {
        max_bytes: usize,
    },
    /// A workbook whose parts unpack to more than this (a zip bomb, or a sheet far past any
    /// limit).
    UnpacksTooLarge {
        max_bytes: usize,
    },
    NotASpreadsheet,
    /// The binary Excel 97–2003 format.
    OldExcel,
    Macros,
    Unreadable(String),
    TooManyRows {
        max: usize,
    },
    /// No sheet with the headings of this kind of file.
    NoSheet {
        wanted: &'static str,
    },
    /// A sheet with headings but no rows under them.
    EmptySheet,
    /// A heading cell merged with others (which columns it names cannot be told).
    MergedHeading {
        region: String,
    },
    MissingColumn {
        heading: &'static str,
    },
    /// Two columns with headings that mean the same.
    DuplicateColumn {
        heading: &'static str,
    },
    Formula,
    ErrorValue(String),
    /// A date typed as text in a spreadsheet (it sorts and filters wrongly there).
    DateAsText(String),
    NotADate,
    NotANumber,
    NotAWholeNumber,
    OutOfRange {
        min: i64,
        max: i64,
    },
    Required,
    TooLong {
        max: usize,
    },
    /// A value from a fixed list, not on it.
    NotOnList {
        allowed: String,
    },
    /// An organisation name or acronym the member does not have.
    UnknownOrganisation(String),
    /// A commitment code used on an earlier row.
    DuplicateCode(String),
    /// A milestone title used earlier in the same commitment.
    DuplicateMilestone(String),
    /// A value of a list (the OGP values) that is not on it.
    UnknownValue(String),
    /// A commitment code and milestone title the plan does not have.
    UnknownMilestone(String),
    /// A commitment code none of the member's plans has.
    UnknownCommitment(String),
    /// A commitment code more than one of the member's plans has.
    AmbiguousCommitment(String),
    /// A record's key (a DPA code, a programme's title) used on an earlier row.
    DuplicateRow(String),
    /// A rule of the record the row makes or changes (the same check as the API's).
    Rule(Box<Broken>),
}

/// A rule a row breaks, as the domain's operation refused it.
#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    /// The code the API's user errors carry (`END_BEFORE_START`).
    pub api: crate::UserErrorCode,
    pub id: String,
    pub en: String,
}

/// A problem with where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetProblem {
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub issue: Issue,
}

/// `EndBeforeStart` as the API writes it: `END_BEFORE_START`.
fn screaming(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

impl Issue {
    /// A stable code, as the API's user errors carry.
    pub fn code(&self) -> &'static str {
        match self {
            Issue::EmptyFile => "EMPTY_FILE",
            Issue::FileTooLarge { .. } | Issue::UnpacksTooLarge { .. } => "TOO_LONG",
            Issue::NotASpreadsheet | Issue::OldExcel => "NOT_A_SPREADSHEET",
            Issue::Macros => "MACROS_NOT_ACCEPTED",
            Issue::Unreadable(_) => "UNREADABLE",
            Issue::TooManyRows { .. } => "TOO_MANY_ROWS",
            Issue::NoSheet { .. } => "NO_SHEET",
            Issue::EmptySheet => "EMPTY_SHEET",
            Issue::MergedHeading { .. } => "MERGED_HEADING",
            Issue::MissingColumn { .. } => "MISSING_COLUMN",
            Issue::DuplicateColumn { .. } => "DUPLICATE_COLUMN",
            Issue::Formula => "FORMULA",
            Issue::ErrorValue(_) => "ERROR_VALUE",
            Issue::DateAsText(_) => "DATE_AS_TEXT",
            Issue::NotADate => "NOT_A_DATE",
            Issue::NotANumber | Issue::NotAWholeNumber => "NOT_A_NUMBER",
            Issue::OutOfRange { .. } => "OUT_OF_RANGE",
            Issue::Required => "REQUIRED",
            Issue::TooLong { .. } => "TOO_LONG",
            Issue::NotOnList { .. } => "NOT_ON_LIST",
            Issue::UnknownOrganisation(_) => "NOT_FOUND",
            Issue::DuplicateCode(_) | Issue::DuplicateMilestone(_) => "DUPLICATE",
            Issue::UnknownValue(_) => "NOT_ON_LIST",
            Issue::UnknownMilestone(_) | Issue::UnknownCommitment(_) => "NOT_FOUND",
            Issue::AmbiguousCommitment(_) => "AMBIGUOUS",
            Issue::DuplicateRow(_) => "DUPLICATE",
            Issue::Rule(_) => "INVALID",
        }
    }

    /// The user error code the problem is answered with in `userErrors`.
    pub fn user_error_code(&self) -> crate::UserErrorCode {
        use crate::UserErrorCode as U;
        match self {
            Issue::Rule(b) => b.api,
            Issue::Required => U::Required,
            Issue::TooLong { .. } | Issue::FileTooLarge { .. } | Issue::UnpacksTooLarge { .. } => {
                U::TooLong
            }
            Issue::OutOfRange { .. } => U::OutOfRange,
            Issue::UnknownOrganisation(_)
            | Issue::UnknownMilestone(_)
            | Issue::UnknownCommitment(_) => U::NotFound,
            Issue::DuplicateCode(_) | Issue::DuplicateMilestone(_) | Issue::DuplicateRow(_) => {
                U::Duplicate
            }
            Issue::NotASpreadsheet | Issue::OldExcel | Issue::Macros => U::FileTypeNotAccepted,
            _ => U::Invalid,
        }
    }

    /// The code of a broken rule is the API's own (`TOO_LONG`, `OUT_OF_RANGE`…).
    pub fn rule_code(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Issue::Rule(b) => screaming(&format!("{:?}", b.api)).into(),
            other => other.code().into(),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, Id};
        match (self, lang) {
            (Issue::Rule(b), Id) => b.id.clone(),
            (Issue::Rule(b), En) => b.en.clone(),
            (Issue::EmptyFile, Id) => "Berkasnya kosong.".into(),
            (Issue::EmptyFile, En) => "The file is empty.".into(),
            (Issue::FileTooLarge { max_bytes }, Id) => {
                format!("Berkas paling besar {} MiB.", max_bytes >> 20)
            }
            (Issue::FileTooLarge { max_bytes }, En) => {
                format!("Files may be at most {} MiB.", max_bytes >> 20)
            }
            (Issue::UnpacksTooLarge { max_bytes }, Id) => format!(
                "Isi buku kerja ini lebih dari {} MiB setelah dibuka: bagi menjadi beberapa berkas.",
                max_bytes >> 20
            ),
            (Issue::UnpacksTooLarge { max_bytes }, En) => format!(
                "This workbook unpacks to more than {} MiB: split it into several files.",
                max_bytes >> 20
            ),
            (Issue::NotASpreadsheet, Id) => {
                "Ini bukan lembar kerja: kirim berkas .xlsx atau .csv.".into()
            }
            (Issue::NotASpreadsheet, En) => {
                "This is not a spreadsheet: send an .xlsx or .csv file.".into()
            }
            (Issue::OldExcel, Id) => {
                "Format Excel lama (.xls) tidak dibaca: simpan ulang sebagai .xlsx.".into()
            }
            (Issue::OldExcel, En) => {
                "The old Excel format (.xls) is not read: save it again as .xlsx.".into()
            }
            (Issue::Macros, Id) => {
                "Berkas bermakro (.xlsm) tidak diterima: simpan ulang sebagai .xlsx tanpa makro."
                    .into()
            }
            (Issue::Macros, En) => {
                "Workbooks with macros (.xlsm) are not accepted: save it again as .xlsx without macros."
                    .into()
            }
            (Issue::Unreadable(e), Id) => format!("Berkas tidak dapat dibaca: {e}."),
            (Issue::Unreadable(e), En) => format!("The file cannot be read: {e}."),
            (Issue::TooManyRows { max }, Id) => {
                format!("Lembar ini lebih dari {max} baris: bagi menjadi beberapa berkas.")
            }
            (Issue::TooManyRows { max }, En) => {
                format!("This sheet has more than {max} rows: split it into several files.")
            }
            (Issue::NoSheet { wanted }, Id) => {
                format!("Tidak ada lembar dengan judul kolom {wanted}.")
            }
            (Issue::NoSheet { wanted }, En) => {
                format!("No sheet has the column headings of {wanted}.")
            }
            (Issue::EmptySheet, Id) => "Lembar ini tidak berisi baris di bawah judul kolom.".into(),
            (Issue::EmptySheet, En) => "This sheet has no rows under its headings.".into(),
            (Issue::MergedHeading { region }, Id) => format!(
                "Sel judul kolom {region} digabung: pisahkan agar setiap kolom punya judul sendiri."
            ),
            (Issue::MergedHeading { region }, En) => format!(
                "The heading cells {region} are merged: unmerge them so every column has its own heading."
            ),
            (Issue::MissingColumn { heading }, Id) => format!("Kolom \"{heading}\" tidak ada."),
            (Issue::MissingColumn { heading }, En) => {
                format!("The column \"{heading}\" is missing.")
            }
            (Issue::DuplicateColumn { heading }, Id) => {
                format!("Kolom \"{heading}\" ada lebih dari sekali.")
            }
            (Issue::DuplicateColumn { heading }, En) => {
                format!("The column \"{heading}\" appears more than once.")
            }
            (Issue::Formula, Id) => "Sel ini berisi rumus: tulis nilainya.".into(),
            (Issue::Formula, En) => "This cell holds a formula: type its value.".into(),
            (Issue::ErrorValue(e), Id) => format!("Sel ini berisi galat {e}."),
            (Issue::ErrorValue(e), En) => format!("This cell holds the error {e}."),
            (Issue::DateAsText(s), Id) => format!(
                "Tanggal \"{s}\" ditulis sebagai teks: format selnya sebagai tanggal."
            ),
            (Issue::DateAsText(s), En) => {
                format!("The date \"{s}\" is typed as text: format the cell as a date.")
            }
            (Issue::NotADate, Id) => "Bukan tanggal.".into(),
            (Issue::NotADate, En) => "Not a date.".into(),
            (Issue::NotANumber, Id) => "Bukan angka.".into(),
            (Issue::NotANumber, En) => "Not a number.".into(),
            (Issue::NotAWholeNumber, Id) => "Harus bilangan bulat.".into(),
            (Issue::NotAWholeNumber, En) => "Must be a whole number.".into(),
            (Issue::OutOfRange { min, max }, Id) => format!("Harus antara {min} dan {max}."),
            (Issue::OutOfRange { min, max }, En) => format!("Must be between {min} and {max}."),
            (Issue::Required, Id) => "Wajib diisi.".into(),
            (Issue::Required, En) => "This cell is required.".into(),
            (Issue::TooLong { max }, Id) => format!("Paling banyak {max} karakter."),
            (Issue::TooLong { max }, En) => format!("At most {max} characters."),
            (Issue::NotOnList { allowed }, Id) => format!("Pilih salah satu: {allowed}."),
            (Issue::NotOnList { allowed }, En) => format!("Choose one of: {allowed}."),
            (Issue::UnknownOrganisation(n), Id) => {
                format!("Organisasi \"{n}\" tidak terdaftar di anggota ini.")
            }
            (Issue::UnknownOrganisation(n), En) => {
                format!("The organisation \"{n}\" is not registered with this member.")
            }
            (Issue::DuplicateCode(c), Id) => {
                format!("Kode komitmen {c} sudah dipakai di baris sebelumnya.")
            }
            (Issue::DuplicateCode(c), En) => {
                format!("The commitment code {c} is used on an earlier row.")
            }
            (Issue::DuplicateMilestone(t), Id) => {
                format!("Kegiatan \"{t}\" sudah ada pada komitmen ini.")
            }
            (Issue::DuplicateMilestone(t), En) => {
                format!("The milestone \"{t}\" is already in this commitment.")
            }
            (Issue::UnknownMilestone(k), Id) => {
                format!("Kegiatan {k} tidak ada di rencana aksi ini.")
            }
            (Issue::UnknownMilestone(k), En) => {
                format!("The milestone {k} is not in this action plan.")
            }
            (Issue::UnknownCommitment(c), Id) => {
                format!("Komitmen berkode {c} tidak ada di rencana aksi anggota ini.")
            }
            (Issue::UnknownCommitment(c), En) => {
                format!("No action plan of this member has a commitment coded {c}.")
            }
            (Issue::AmbiguousCommitment(c), Id) => format!(
                "Kode komitmen {c} dipakai di lebih dari satu rencana aksi: ubah kodenya di salah satu rencana."
            ),
            (Issue::AmbiguousCommitment(c), En) => format!(
                "The commitment code {c} is used in more than one action plan: change it in one of them."
            ),
            (Issue::DuplicateRow(k), Id) => format!("{k} sudah ada di baris sebelumnya."),
            (Issue::DuplicateRow(k), En) => format!("{k} is on an earlier row too."),
            (Issue::UnknownValue(v), Id) => format!(
                "Nilai OGP \"{v}\" tidak dikenal: pilih Akses Informasi, Partisipasi Publik, Akuntabilitas Publik atau Teknologi dan Inovasi."
            ),
            (Issue::UnknownValue(v), En) => format!(
                "The OGP value \"{v}\" is unknown: use Access to Information, Civic Participation, Public Accountability or Technology and Innovation."
            ),
        }
    }
}

impl SheetProblem {
    /// The problem as one line: where, then what (`Renaksi!B14: Bukan tanggal.`).
    pub fn describe(&self, lang: Lang) -> String {
        let at = match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}: "),
            (Some(s), None) => format!("{s}: "),
            (None, Some(c)) => format!("{c}: "),
            (None, None) => String::new(),
        };
        format!("{at}{}", self.issue.message(lang))
    }
}

/// The member's organisations as sheets name them: by name or acronym (compared as headings
/// are), and written back by acronym when there is one.
pub struct Organisations {
    by_name: std::collections::HashMap<String, uuid::Uuid>,
    labels: std::collections::HashMap<uuid::Uuid, String>,
}

impl Organisations {
    pub fn new(organisations: &[crate::organisation::Model]) -> Self {
        let mut by_name = std::collections::HashMap::new();
        let mut labels = std::collections::HashMap::new();
        for o in organisations {
            by_name.insert(table::normalise(&o.name), o.id);
            if let Some(a) = &o.acronym {
                by_name.entry(table::normalise(a)).or_insert(o.id);
            }
            labels.insert(o.id, o.acronym.clone().unwrap_or_else(|| o.name.clone()));
        }
        Organisations { by_name, labels }
    }

    /// The organisation a cell names, or the problem at the cell.
    pub fn find(
        &self,
        table: &table::Table<'_>,
        row: usize,
        column: usize,
        value: &table::Value,
        problems: &mut Vec<SheetProblem>,
    ) -> Option<uuid::Uuid> {
        let name = value.text()?;
        let found = self.by_name.get(&table::normalise(name)).copied();
        if found.is_none() {
            problems.push(table.problem_at(
                row,
                column,
                Issue::UnknownOrganisation(name.to_owned()),
            ));
        }
        found
    }

    /// How a sheet names `id`.
    pub fn label(&self, id: Option<uuid::Uuid>) -> table::Value {
        match id.and_then(|id| self.labels.get(&id)) {
            Some(l) => table::Value::Text(l.clone()),
            None => table::Value::Empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_rule_carries_the_api_code_as_the_api_writes_it() {
        let rule = |api| {
            Issue::Rule(Box::new(Broken {
                api,
                id: String::new(),
                en: String::new(),
            }))
        };
        assert_eq!(
            rule(crate::UserErrorCode::EndBeforeStart).rule_code(),
            "END_BEFORE_START"
        );
        assert_eq!(rule(crate::UserErrorCode::Required).rule_code(), "REQUIRED");
        assert_eq!(Issue::Formula.rule_code(), "FORMULA");
    }
}
