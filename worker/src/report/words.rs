//! The domain's codes as people read them in a report, in Indonesian or English. A code not
//! listed here is shown as it is.

use entity::Lang;

const WORDS: &[(&str, &str, &str)] = &[
    // Plan status.
    ("PLANNING", "Perencanaan", "Planning"),
    ("CO_CREATION", "Ko-kreasi", "Co-creation"),
    ("DRAFTING", "Penyusunan draf", "Drafting"),
    ("PUBLIC_REVIEW", "Uji publik", "Public review"),
    ("SUBMITTED", "Diserahkan", "Submitted"),
    ("IMPLEMENTING", "Pelaksanaan", "Implementing"),
    ("ENDED", "Berakhir", "Ended"),
    ("ASSESSED", "Telah dinilai", "Assessed"),
    ("WITHDRAWN", "Ditarik", "Withdrawn"),
    // Milestone and follow-up states.
    ("NOT_STARTED", "Belum dimulai", "Not started"),
    ("IN_PROGRESS", "Berjalan", "In progress"),
    ("COMPLETED", "Selesai", "Completed"),
    ("CANCELLED", "Dibatalkan", "Cancelled"),
    ("DELAYED", "Terlambat", "Delayed"),
    ("NOT_COMPLETED", "Tidak selesai", "Not completed"),
    ("OPEN", "Terbuka", "Open"),
    ("DONE", "Selesai", "Done"),
    ("DROPPED", "Tidak dilanjutkan", "Dropped"),
    // Event kinds and states.
    ("TEAM_MEETING", "Rapat tim", "Team meeting"),
    ("MONEV", "Rapat monev", "Monitoring meeting"),
    (
        "CO_CREATION_WORKSHOP",
        "Lokakarya ko-kreasi",
        "Co-creation workshop",
    ),
    (
        "PUBLIC_CONSULTATION",
        "Konsultasi publik",
        "Public consultation",
    ),
    ("HEARING", "Audiensi", "Hearing"),
    ("SEMINAR", "Seminar", "Seminar"),
    ("OUTREACH", "Sosialisasi", "Outreach"),
    ("TRAINING", "Pelatihan", "Training"),
    ("SITE_VISIT", "Kunjungan lapangan", "Site visit"),
    ("PLANNED", "Direncanakan", "Planned"),
    ("HELD", "Terlaksana", "Held"),
    ("CLOSED", "Ditutup", "Closed"),
    ("POSTPONED", "Ditunda", "Postponed"),
    // IRM scales.
    ("NONE", "Tidak ada", "None"),
    ("MINOR", "Kecil", "Minor"),
    ("MODERATE", "Sedang", "Moderate"),
    ("TRANSFORMATIVE", "Transformatif", "Transformative"),
    ("UNCLEAR", "Tidak jelas", "Unclear"),
    ("MODEST", "Sederhana", "Modest"),
    ("SUBSTANTIAL", "Substansial", "Substantial"),
    ("NO_EVIDENCE", "Tanpa bukti", "No evidence"),
    ("LIMITED", "Terbatas", "Limited"),
    ("COMPLETE", "Selesai", "Complete"),
    ("WORSENED", "Memburuk", "Worsened"),
    ("DID_NOT_CHANGE", "Tidak berubah", "Did not change"),
    ("MARGINAL", "Marginal", "Marginal"),
    ("MAJOR", "Besar", "Major"),
    ("OUTSTANDING", "Luar biasa", "Outstanding"),
    // OGP values.
    (
        "ACCESS_TO_INFORMATION",
        "Akses informasi",
        "Access to information",
    ),
    (
        "CIVIC_PARTICIPATION",
        "Partisipasi warga",
        "Civic participation",
    ),
    (
        "PUBLIC_ACCOUNTABILITY",
        "Akuntabilitas publik",
        "Public accountability",
    ),
    (
        "TECHNOLOGY_INNOVATION",
        "Teknologi dan inovasi",
        "Technology and innovation",
    ),
    // Assessment frameworks and kinds.
    ("IRM_PRE_2020", "IRM (sebelum 2020)", "IRM (before 2020)"),
    ("IRM_2020", "IRM (sejak 2020)", "IRM (since 2020)"),
    ("OGP_LOCAL", "OGP Lokal", "OGP Local"),
    ("SELF_ASSESSMENT", "Penilaian mandiri", "Self-assessment"),
    ("IRM_DESIGN", "Laporan desain IRM", "IRM design report"),
    (
        "IRM_PROGRESS",
        "Laporan kemajuan IRM",
        "IRM progress report",
    ),
    (
        "IRM_END_OF_TERM",
        "Laporan akhir IRM",
        "IRM end-of-term report",
    ),
    (
        "IRM_ACTION_PLAN_REVIEW",
        "Tinjauan rencana aksi IRM",
        "IRM action plan review",
    ),
    ("IRM_RESULTS", "Laporan hasil IRM", "IRM results report"),
    (
        "LOCAL_INCEPTION",
        "Penilaian awal OGP Lokal",
        "OGP Local inception",
    ),
    (
        "LOCAL_END_OF_COMMITMENT",
        "Penilaian akhir komitmen OGP Lokal",
        "OGP Local end of commitment",
    ),
    // Document kinds.
    ("INVITATION", "Undangan", "Invitation"),
    ("MINUTES", "Notulen", "Minutes"),
    ("ATTENDANCE_LIST", "Daftar hadir", "Attendance list"),
    ("PHOTO", "Foto", "Photo"),
    ("DECREE", "SK", "Decree"),
    ("DRAFT_PLAN", "Draf rencana aksi", "Draft plan"),
    ("FINAL_PLAN", "Rencana aksi final", "Final plan"),
    ("REPORT", "Laporan", "Report"),
    ("IRM_REPORT", "Laporan IRM", "IRM report"),
    ("BUDGET_DOCUMENT", "Dokumen anggaran", "Budget document"),
    ("VIDEO_LINK", "Video", "Video"),
    ("PRESS_RELEASE", "Siaran pers", "Press release"),
];

/// `code` as people read it in `lang`.
pub fn word(code: &str, lang: Lang) -> String {
    WORDS.iter().find(|(c, _, _)| *c == code).map_or_else(
        || code.to_owned(),
        |(_, id, en)| match lang {
            Lang::Id => (*id).to_owned(),
            Lang::En => (*en).to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words_and_unknown_ones_stay() {
        assert_eq!(word("DELAYED", Lang::Id), "Terlambat");
        assert_eq!(word("DELAYED", Lang::En), "Delayed");
        assert_eq!(word("SOMETHING_NEW", Lang::Id), "SOMETHING_NEW");
        let mut codes: Vec<&str> = WORDS.iter().map(|(c, _, _)| *c).collect();
        codes.sort();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code listed twice");
    }
}
