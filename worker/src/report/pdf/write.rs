//! Writing laid-out pages as PDF objects: the two faces embedded as subsets (Type0 /
//! CIDFontType2, Identity-H, widths and a ToUnicode map so text can be searched and copied),
//! compressed content streams, the page tree and the document's title.

use std::collections::{BTreeMap, HashMap};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{Face, Metrics, Op, PAGE_H, PAGE_W, fonts};

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// The glyphs one face uses, renumbered for its subset.
struct Subset {
    /// old glyph id → new glyph id.
    map: HashMap<u16, u16>,
    /// new glyph id → (advance in 1/1000 em, the character it shows).
    glyphs: BTreeMap<u16, (f32, char)>,
    font: Vec<u8>,
}

fn subset(face: Face, chars: &std::collections::BTreeSet<char>, m: &mut Metrics) -> Subset {
    let f = &fonts()[face as usize];
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut used = Vec::new();
    for &c in chars {
        let (gid, adv) = m.glyph(face, c);
        remapper.remap(gid);
        used.push((gid, adv, c));
    }
    let (font, map): (Vec<u8>, HashMap<u16, u16>) = match subsetter::subset(f.bytes, 0, &remapper) {
        Ok(bytes) => (
            bytes,
            used.iter()
                .filter_map(|(g, _, _)| remapper.get(*g).map(|n| (*g, n)))
                .collect(),
        ),
        // A font the subsetter cannot handle goes in whole, glyph ids unchanged.
        Err(e) => {
            tracing::warn!(error = ?e, "embedding the whole font");
            (
                f.bytes.to_vec(),
                used.iter().map(|(g, _, _)| (*g, *g)).collect(),
            )
        }
    };
    let mut glyphs = BTreeMap::new();
    for (gid, adv, c) in used {
        glyphs.entry(map[&gid]).or_insert((adv * 1000.0, c));
    }
    Subset { map, glyphs, font }
}

pub(super) fn write(title: &str, pages: &[Vec<Op>], m: &mut Metrics) -> Vec<u8> {
    let mut chars: [std::collections::BTreeSet<char>; 2] = Default::default();
    for op in pages.iter().flatten() {
        if let Op::Text { face, text, .. } = op {
            chars[*face as usize].extend(text.chars());
        }
    }
    let subsets = [
        subset(Face::Regular, &chars[0], m),
        subset(Face::Bold, &chars[1], m),
    ];

    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let font_refs: Vec<[Ref; 5]> = (0..2)
        .map(|_| [alloc(), alloc(), alloc(), alloc(), alloc()])
        .collect();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(pages.len() as i32);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Terbuka"));

    let names = [Name(b"F1"), Name(b"F2")];
    let base = [&b"TRBKAA+DejaVuSans"[..], &b"TRBKAB+DejaVuSans-Bold"[..]];
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    for (i, s) in subsets.iter().enumerate() {
        let [type0, cid, descriptor, file, cmap] = font_refs[i];
        let f = &fonts()[i].face;
        let scale = 1000.0 / f32::from(f.units_per_em());
        pdf.type0_font(type0)
            .base_font(Name(base[i]))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        {
            let mut c = pdf.cid_font(cid);
            c.subtype(CidFontType::Type2)
                .base_font(Name(base[i]))
                .system_info(system)
                .font_descriptor(descriptor)
                .default_width(0.0)
                .cid_to_gid_map_predefined(Name(b"Identity"));
            let mut w = c.widths();
            for (gid, (adv, _)) in &s.glyphs {
                w.consecutive(*gid, [*adv]);
            }
        }
        let bbox = f.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(Name(base[i]))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                f32::from(bbox.x_min) * scale,
                f32::from(bbox.y_min) * scale,
                f32::from(bbox.x_max) * scale,
                f32::from(bbox.y_max) * scale,
            ))
            .italic_angle(0.0)
            .ascent(f32::from(f.ascender()) * scale)
            .descent(f32::from(f.descender()) * scale)
            .cap_height(f32::from(f.capital_height().unwrap_or(f.ascender())) * scale)
            .stem_v(if i == 1 { 120.0 } else { 80.0 })
            .font_file2(file);
        let packed = deflate(&s.font);
        pdf.stream(file, &packed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), s.font.len() as i32);
        let mut unicode = UnicodeCmap::new(Name(b"Custom"), system);
        for (gid, (_, c)) in &s.glyphs {
            unicode.pair(*gid, *c);
        }
        let data = unicode.finish();
        pdf.cmap(cmap, &data);
    }

    for (ops, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_ref);
        {
            let mut resources = page.resources();
            let mut fonts_dict = resources.fonts();
            fonts_dict.pair(names[0], font_refs[0][0]);
            fonts_dict.pair(names[1], font_refs[1][0]);
        }
        page.finish();

        let mut c = Content::new();
        c.set_line_width(0.5).set_stroke_gray(0.55);
        for op in ops {
            match op {
                Op::Fill { x, y, w, h } => {
                    c.set_fill_gray(0.9)
                        .rect(*x, *y, *w, *h)
                        .fill_nonzero()
                        .set_fill_gray(0.0);
                }
                Op::Line { x1, y1, x2, y2 } => {
                    c.move_to(*x1, *y1).line_to(*x2, *y2).stroke();
                }
                Op::Text {
                    face,
                    size,
                    x,
                    y,
                    text,
                } => {
                    let s = &subsets[*face as usize];
                    let mut encoded = Vec::with_capacity(text.len() * 2);
                    for ch in text.chars() {
                        let (gid, _) = m.glyph(*face, ch);
                        let new = s.map.get(&gid).copied().unwrap_or(0);
                        encoded.extend_from_slice(&new.to_be_bytes());
                    }
                    c.begin_text()
                        .set_font(names[*face as usize], *size)
                        .set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y])
                        .show(Str(&encoded))
                        .end_text();
                }
            }
        }
        let data = deflate(&c.finish());
        pdf.stream(*content_ref, &data).filter(Filter::FlateDecode);
    }
    pdf.finish()
}
