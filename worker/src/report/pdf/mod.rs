//! PDF: A4 pages laid out here (wrapped text, tables whose heading row repeats on every page a
//! table reaches, page breaks, "Halaman n dari N" on each page) and written with `pdf-writer`.
//! The text is set in DejaVu Sans, embedded as a subset (Type0/CIDFontType2 with a ToUnicode
//! map), so Indonesian text and the IRM star ✪ print and can be copied or searched — the 14
//! built-in PDF fonts cannot show ✪.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Cancelled;

mod write;
use super::doc::{Block, Doc};
use write::write;

static REGULAR: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 56.0;
const MARGIN_BOTTOM: f32 = 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

struct Font {
    face: ttf_parser::Face<'static>,
    bytes: &'static [u8],
    /// Font units per em.
    units: f32,
}

fn fonts() -> &'static [Font; 2] {
    static FONTS: OnceLock<[Font; 2]> = OnceLock::new();
    FONTS.get_or_init(|| {
        let load = |bytes: &'static [u8]| {
            let face = ttf_parser::Face::parse(bytes, 0).expect("the bundled font parses");
            Font {
                units: f32::from(face.units_per_em()),
                face,
                bytes,
            }
        };
        [load(REGULAR), load(BOLD)]
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Face {
    Regular = 0,
    Bold = 1,
}

enum Op {
    Text {
        face: Face,
        size: f32,
        x: f32,
        y: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// Glyph ids and advances, looked up once per character and face.
#[derive(Default)]
struct Metrics {
    cache: HashMap<(Face, char), (u16, f32)>,
}

impl Metrics {
    fn glyph(&mut self, face: Face, c: char) -> (u16, f32) {
        *self.cache.entry((face, c)).or_insert_with(|| {
            let f = &fonts()[face as usize];
            let gid = f.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let adv = f.face.glyph_hor_advance(gid).unwrap_or(0);
            (gid.0, f32::from(adv) / f.units)
        })
    }

    fn width(&mut self, face: Face, size: f32, s: &str) -> f32 {
        s.chars().map(|c| self.glyph(face, c).1).sum::<f32>() * size
    }

    /// Breaks `text` into lines no wider than `max`: at spaces, else after `_`, `/`, `-` or
    /// `.` inside a long word (codes, links), else between characters. Line breaks in the text
    /// are kept.
    fn wrap(&mut self, face: Face, size: f32, text: &str, max: f32) -> Vec<String> {
        let mut out = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(face, size, &candidate) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                if self.width(face, size, word) <= max {
                    line = word.to_owned();
                    continue;
                }
                for piece in pieces(word) {
                    let joined = format!("{line}{piece}");
                    if self.width(face, size, &joined) <= max {
                        line = joined;
                        continue;
                    }
                    if !line.is_empty() {
                        out.push(std::mem::take(&mut line));
                    }
                    for c in piece.chars() {
                        line.push(c);
                        if self.width(face, size, &line) > max && line.chars().count() > 1 {
                            line.pop();
                            out.push(std::mem::take(&mut line));
                            line.push(c);
                        }
                    }
                }
            }
            out.push(line);
        }
        // Trailing empty lines add nothing.
        while out.len() > 1 && out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        out
    }
}

/// A long word cut after its natural break points: `REASONED_`, `RESPONSE_`, …
fn pieces(word: &str) -> Vec<&str> {
    let mut out = vec![];
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if matches!(c, '_' | '/' | '-' | '.' | '?' | '&') {
            out.push(&word[start..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
    m: Metrics,
    /// The text size of the table being laid out.
    cell: f32,
}

/// A table row's or a heading's lines, per cell.
struct Row {
    cells: Vec<Vec<String>>,
    face: Vec<Face>,
}

const BODY: f32 = 10.0;
/// Table text; a wide table steps down to [`SMALLEST`] before its words break.
const SMALL: f32 = 8.5;
const SMALLEST: f32 = 6.5;

impl Layout {
    fn new() -> Layout {
        let mut l = Layout {
            pages: Vec::new(),
            y: 0.0,
            m: Metrics::default(),
            cell: SMALL,
        };
        l.new_page();
        l
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN_TOP;
    }

    fn page(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn room(&self) -> f32 {
        self.y - MARGIN_BOTTOM
    }

    fn at_top(&self) -> bool {
        (self.y - (PAGE_H - MARGIN_TOP)).abs() < 0.01
    }

    fn text(&mut self, face: Face, size: f32, x: f32, baseline: f32, text: String) {
        if !text.is_empty() {
            self.page().push(Op::Text {
                face,
                size,
                x,
                y: baseline,
                text,
            });
        }
    }

    /// Wrapped text across the content width; `keep` asks for that much room below the first
    /// line (a heading is not left alone at a page's foot).
    fn lines(&mut self, face: Face, size: f32, text: &str, gap_before: f32, keep: f32) {
        let lh = size * 1.35;
        let lines = self.m.wrap(face, size, text, CONTENT_W);
        if !self.at_top() {
            if self.room() < gap_before + lh + keep {
                self.new_page();
            } else {
                self.y -= gap_before;
            }
        }
        for line in lines {
            if self.room() < lh {
                self.new_page();
            }
            self.y -= lh;
            let baseline = self.y + size * 0.3;
            self.text(face, size, MARGIN_X, baseline, line);
        }
    }

    fn hline(&mut self, x1: f32, x2: f32, y: f32) {
        self.page().push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
        });
    }

    fn vline(&mut self, x: f32, y1: f32, y2: f32) {
        self.page().push(Op::Line {
            x1: x,
            y1,
            x2: x,
            y2,
        });
    }

    fn row_of(&mut self, cells: &[String], faces: &[Face], widths: &[f32]) -> Row {
        let cells = cells
            .iter()
            .zip(widths)
            .zip(faces)
            .map(|((c, w), f)| self.m.wrap(*f, self.cell, c, w - 2.0 * PAD))
            .collect();
        Row {
            cells,
            face: faces.to_vec(),
        }
    }

    /// Draws lines `from..to` of every cell of `row` as one band at the cursor.
    fn band(&mut self, row: &Row, widths: &[f32], from: usize, to: usize, shade: bool) {
        let size = self.cell;
        let lh = size * 1.3;
        let h = (to - from) as f32 * lh + 2.0 * PAD;
        let top = self.y;
        let bottom = top - h;
        if shade {
            self.page().push(Op::Fill {
                x: MARGIN_X,
                y: bottom,
                w: CONTENT_W,
                h,
            });
        }
        let mut x = MARGIN_X;
        for (i, cell) in row.cells.iter().enumerate() {
            for (k, line) in cell.iter().enumerate().take(to).skip(from) {
                let baseline = top - PAD - (k - from + 1) as f32 * lh + size * 0.28;
                self.text(row.face[i], size, x + PAD, baseline, line.clone());
            }
            x += widths[i];
        }
        self.hline(MARGIN_X, MARGIN_X + CONTENT_W, top);
        self.hline(MARGIN_X, MARGIN_X + CONTENT_W, bottom);
        let mut x = MARGIN_X;
        self.vline(x, top, bottom);
        for w in widths {
            x += w;
            self.vline(x, top, bottom);
        }
        self.y = bottom;
    }

    /// A table: the heading row (if any) repeats at the top of every page the table reaches;
    /// a row taller than a page is split between pages.
    fn table(
        &mut self,
        header: Option<&Row>,
        rows: impl Iterator<Item = Row>,
        widths: &[f32],
        cancel: &mut dyn FnMut() -> bool,
    ) -> Result<(), Cancelled> {
        let lh = self.cell * 1.3;
        let header_h = header.map_or(0.0, |h| height(h, lh));
        let draw_header = |l: &mut Layout| {
            if let Some(h) = header {
                let n = h.cells.iter().map(Vec::len).max().unwrap_or(1);
                l.band(h, widths, 0, n, true);
            }
        };
        if self.room() < header_h + lh + 2.0 * PAD + 6.0 {
            self.new_page();
        } else if !self.at_top() {
            self.y -= 6.0;
        }
        draw_header(self);
        for (i, row) in rows.enumerate() {
            if i % 64 == 0 && cancel() {
                return Err(Cancelled);
            }
            let n = row.cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = height(&row, lh);
            let page_room = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - header_h;
            if h > self.room() && h <= page_room {
                self.new_page();
                draw_header(self);
            }
            let mut from = 0;
            while from < n {
                let fit = (((self.room() - 2.0 * PAD) / lh).floor().max(0.0)) as usize;
                if fit == 0 {
                    self.new_page();
                    draw_header(self);
                    continue;
                }
                let to = (from + fit).min(n);
                self.band(&row, widths, from, to, false);
                from = to;
                if from < n {
                    self.new_page();
                    draw_header(self);
                }
            }
        }
        Ok(())
    }
}

const PAD: f32 = 3.0;

/// The text size and column widths of a table: the largest size (from [`SMALL`] down to
/// [`SMALLEST`]) at which every column has room for its longest word.
fn table_layout(m: &mut Metrics, t: &super::doc::Table) -> (f32, Vec<f32>) {
    let mut size = SMALL;
    while size > SMALLEST {
        let (fits, widths) = column_fit(m, t, size);
        if fits {
            return (size, widths);
        }
        size -= 0.5;
    }
    (SMALLEST, column_fit(m, t, SMALLEST).1)
}

/// Column widths that fit the table: every column gets room for its longest word (so "Kemajuan"
/// and "2018-08-31" never break), then what is left goes to the columns whose text wraps, by
/// their declared weight, no wider than their longest cell needs.
fn column_fit(m: &mut Metrics, t: &super::doc::Table, size: f32) -> (bool, Vec<f32>) {
    let n = t.columns.len();
    let cap = CONTENT_W * 0.3;
    let mut min = vec![0f32; n];
    let mut want = vec![0f32; n];
    let mut measure = |m: &mut Metrics, i: usize, face: Face, text: &str| {
        for line in text.split('\n') {
            for word in line.split_whitespace() {
                min[i] = min[i].max(m.width(face, size, word).min(cap));
            }
            want[i] = want[i].max(m.width(face, size, line));
        }
    };
    for (i, c) in t.columns.iter().enumerate() {
        measure(m, i, Face::Bold, &c.title);
    }
    for row in &t.rows {
        for (i, cell) in row.iter().enumerate() {
            measure(m, i, Face::Regular, &cell.display());
        }
    }
    let min: Vec<f32> = min.iter().map(|w| w + 2.0 * PAD + 1.0).collect();
    let want: Vec<f32> = want
        .iter()
        .zip(&min)
        .map(|(w, lo)| (w + 2.0 * PAD + 1.0).max(*lo))
        .collect();
    let total_min: f32 = min.iter().sum();
    if total_min >= CONTENT_W {
        return (
            false,
            min.iter().map(|w| w * CONTENT_W / total_min).collect(),
        );
    }
    let mut widths = min.clone();
    let mut left = CONTENT_W - total_min;
    // Hand out what is left by weight, a few rounds so what one column cannot use goes on.
    for _ in 0..4 {
        let hungry: Vec<usize> = (0..n).filter(|&i| widths[i] + 0.01 < want[i]).collect();
        let weight: f32 = hungry.iter().map(|&i| t.columns[i].width).sum();
        if hungry.is_empty() || weight <= 0.0 || left < 0.5 {
            break;
        }
        let mut given = 0.0;
        for &i in &hungry {
            let share = left * t.columns[i].width / weight;
            let add = share.min(want[i] - widths[i]);
            widths[i] += add;
            given += add;
        }
        left -= given;
    }
    // Still room: the widest-weighted columns take it (a table spans the page).
    if left > 0.5 {
        let weight: f32 = t.columns.iter().map(|c| c.width).sum::<f32>().max(1.0);
        for (i, c) in t.columns.iter().enumerate() {
            widths[i] += left * c.width / weight;
        }
    }
    (true, widths)
}

fn height(row: &Row, lh: f32) -> f32 {
    row.cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * lh + 2.0 * PAD
}

/// Lays out and writes `doc`. `cancel` is asked now and then; when it says so the work stops.
pub fn render(doc: &Doc, cancel: &mut dyn FnMut() -> bool) -> Result<(Vec<u8>, usize), Cancelled> {
    let mut l = Layout::new();
    // A table sliced under several headings keeps one set of widths.
    let mut widths_of: HashMap<usize, (f32, Vec<f32>)> = HashMap::new();
    l.lines(Face::Bold, 16.0, &doc.title, 0.0, 0.0);
    for line in &doc.lines {
        l.lines(Face::Regular, BODY, line, 2.0, 0.0);
    }
    l.y -= 8.0;
    for block in &doc.blocks {
        match block {
            Block::Heading(s) => l.lines(Face::Bold, 13.0, s, 14.0, 40.0),
            Block::Subheading(s) => l.lines(Face::Bold, 11.0, s, 10.0, 30.0),
            Block::Paragraph(s) => l.lines(Face::Regular, BODY, s, 4.0, 0.0),
            Block::PageBreak => {
                if !l.at_top() {
                    l.new_page();
                }
            }
            Block::Fields(pairs) => {
                l.cell = SMALL;
                let widths = [CONTENT_W * 0.3, CONTENT_W * 0.7];
                let rows: Vec<Row> = pairs
                    .iter()
                    .map(|(k, v)| {
                        l.row_of(
                            &[k.clone(), v.clone()],
                            &[Face::Bold, Face::Regular],
                            &widths,
                        )
                    })
                    .collect();
                l.table(None, rows.into_iter(), &widths, cancel)?;
            }
            Block::Table(_) | Block::TableRows(..) => {
                let (i, range) = match block {
                    Block::TableRows(i, from, to) => (*i, *from..*to),
                    Block::Table(i) => (*i, 0..doc.tables[*i].rows.len()),
                    _ => unreachable!(),
                };
                let t = &doc.tables[i];
                let (size, widths) = match widths_of.get(&i) {
                    Some(w) => w.clone(),
                    None => {
                        let w = table_layout(&mut l.m, t);
                        widths_of.insert(i, w.clone());
                        w
                    }
                };
                l.cell = size;
                let titles: Vec<String> = t.columns.iter().map(|c| c.title.clone()).collect();
                let bold = vec![Face::Bold; widths.len()];
                let regular = vec![Face::Regular; widths.len()];
                let header = l.row_of(&titles, &bold, &widths);
                let rows: Vec<Row> = t.rows[range]
                    .iter()
                    .map(|r| {
                        let cells: Vec<String> = r.iter().map(|c| c.display()).collect();
                        l.row_of(&cells, &regular, &widths)
                    })
                    .collect();
                l.table(Some(&header), rows.into_iter(), &widths, cancel)?;
            }
        }
        if cancel() {
            return Err(Cancelled);
        }
    }
    // Page numbers, now that the count is known.
    let total = l.pages.len();
    for n in 0..total {
        let label = format!(
            "{} {} {} {}",
            doc.page_label.0,
            n + 1,
            doc.page_label.1,
            total
        );
        let w = l.m.width(Face::Regular, 7.5, &label);
        let footer = doc.footer.clone();
        let page = &mut l.pages[n];
        page.push(Op::Text {
            face: Face::Regular,
            size: 7.5,
            x: MARGIN_X,
            y: 30.0,
            text: footer,
        });
        page.push(Op::Text {
            face: Face::Regular,
            size: 7.5,
            x: PAGE_W - MARGIN_X - w,
            y: 30.0,
            text: label,
        });
    }
    let bytes = write(&doc.title, &l.pages, &mut l.m);
    Ok((bytes, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{Cell, Doc, Table};

    #[test]
    fn text_wraps_at_spaces_then_at_a_codes_underscores_and_never_overflows() {
        let mut m = Metrics::default();
        let lines = m.wrap(
            Face::Regular,
            10.0,
            "Forum bertemu sekurang-kurangnya setiap enam bulan",
            120.0,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| m.width(Face::Regular, 10.0, l) <= 120.0),
            "{lines:?}"
        );
        assert_eq!(
            lines.join(" "),
            "Forum bertemu sekurang-kurangnya setiap enam bulan"
        );
        let code = m.wrap(
            Face::Regular,
            8.5,
            "REASONED_RESPONSE_FOR_EVERY_INPUT",
            70.0,
        );
        assert!(code.len() > 1);
        assert!(
            code[..code.len() - 1].iter().all(|l| l.ends_with('_')),
            "{code:?}"
        );
        assert_eq!(code.concat(), "REASONED_RESPONSE_FOR_EVERY_INPUT");
        // Line breaks in the text stay.
        assert_eq!(
            m.wrap(Face::Regular, 10.0, "satu\ndua", 400.0),
            ["satu", "dua"]
        );
    }

    fn long_table_doc(rows: usize) -> Doc {
        let mut doc = Doc {
            title: "Uji tabel panjang ✪".into(),
            page_label: ("Halaman", "dari"),
            footer: "Terbuka".into(),
            ..Doc::default()
        };
        let mut t = Table::new(
            "kegiatan",
            "Kegiatan",
            &[
                ("no", "Nomor", 1.0),
                ("title", "Kegiatan", 5.0),
                ("ends_on", "Selesai", 2.0),
            ],
        );
        for i in 0..rows {
            t.push(vec![
                Cell::Int(i as i64),
                Cell::text(format!(
                    "Kegiatan ke-{i} dengan keluaran yang dapat diverifikasi"
                )),
                Cell::date(chrono::NaiveDate::from_ymd_opt(2018, 8, 31)),
            ]);
        }
        doc.table(t);
        doc
    }

    #[test]
    fn a_long_table_repeats_its_heading_row_on_every_page_and_numbers_the_pages() {
        let doc = long_table_doc(400);
        let (pdf, pages) = render(&doc, &mut || false).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pages > 5, "{pages}");
        // Lay it out again to look at each page.
        let mut l = Layout::new();
        let t = &doc.tables[0];
        let (size, widths) = table_layout(&mut l.m, t);
        l.cell = size;
        let titles: Vec<String> = t.columns.iter().map(|c| c.title.clone()).collect();
        let header = l.row_of(&titles, &[Face::Bold; 3], &widths);
        let rows: Vec<Row> = t
            .rows
            .iter()
            .map(|r| {
                let cells: Vec<String> = r.iter().map(Cell::display).collect();
                l.row_of(&cells, &[Face::Regular; 3], &widths)
            })
            .collect();
        l.table(Some(&header), rows.into_iter(), &widths, &mut || false)
            .unwrap();
        assert!(l.pages.len() > 5);
        for (n, page) in l.pages.iter().enumerate() {
            let has_heading = page.iter().any(
                |op| matches!(op, Op::Text { face: Face::Bold, text, .. } if text == "Selesai"),
            );
            assert!(has_heading, "page {} has no heading row", n + 1);
            // Nothing is drawn into the bottom margin.
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y >= MARGIN_BOTTOM - 1.0, "page {}: text at {y}", n + 1);
                }
            }
        }
        // Dates and numbers never break inside.
        assert!(widths[2] >= l.m.width(Face::Regular, size, "2018-08-31"));
    }

    #[test]
    fn a_render_stops_when_asked() {
        let doc = long_table_doc(2_000);
        let mut asked = 0;
        let r = render(&doc, &mut || {
            asked += 1;
            asked > 3
        });
        assert!(r.is_err());
    }

    #[test]
    fn the_font_is_embedded_as_a_subset_with_a_unicode_map() {
        let (pdf, _) = render(&long_table_doc(3), &mut || false).unwrap();
        let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"/FontFile2"));
        assert!(has(b"/ToUnicode"));
        assert!(has(b"TRBKAA+DejaVuSans"));
        // A subset, not the whole 700 KB font.
        assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
    }
}
