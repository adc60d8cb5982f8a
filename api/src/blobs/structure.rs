//! Whether a file is, all the way through, the kind its first bytes say. A file that starts
//! `%PDF-1.4` and goes on as a program is not a PDF: a PDF must parse and have pages, an image
//! must hold together chunk by chunk (PNG: every CRC and the pixel data inflating to the size
//! the header gives), an office document must be a whole zip or compound file, a text must be
//! UTF-8 text to its last byte. Each check is linear in the file's size and bounded in memory.

/// Whether `bytes` are a whole file of the detected `kind`.
pub fn holds_together(kind: &str, bytes: &[u8]) -> bool {
    match kind {
        "application/pdf" => pdf(bytes),
        "image/png" => png(bytes),
        "image/jpeg" => jpeg(bytes),
        "image/gif" => gif(bytes),
        "image/webp" => webp(bytes),
        "application/x-ole-storage" => ole(bytes),
        "text/plain" => text(bytes),
        k if k.starts_with("application/vnd.") => zip(bytes),
        _ => false,
    }
}

/// Parses with lopdf and asks for at least one page.
fn pdf(bytes: &[u8]) -> bool {
    match lopdf::Document::load_mem(bytes) {
        Ok(doc) => !doc.get_pages().is_empty(),
        Err(_) => false,
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(parts: &[&[u8]]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (n, slot) in t.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    let mut c = 0xffff_ffffu32;
    for part in parts {
        for &b in *part {
            c = table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
        }
    }
    c ^ 0xffff_ffff
}

/// The largest decoded image taken (pixels × bytes per pixel): a compression bomb stops here.
const MAX_PIXEL_BYTES: usize = 512 << 20;

/// Signature, IHDR first, every chunk's CRC, IDAT inflating to the size IHDR gives, IEND last
/// and nothing after it.
fn png(bytes: &[u8]) -> bool {
    let Some(mut at) = bytes.starts_with(b"\x89PNG\r\n\x1a\n").then_some(8) else {
        return false;
    };
    let mut header: Option<(u32, u32, u8, u8, u8)> = None;
    let mut idat: Vec<&[u8]> = Vec::new();
    loop {
        let Some(len) = be32(bytes, at).map(|l| l as usize) else {
            return false;
        };
        let Some(kind) = bytes.get(at + 4..at + 8) else {
            return false;
        };
        let Some(data) = bytes.get(at + 8..at + 8 + len) else {
            return false;
        };
        let Some(crc) = be32(bytes, at + 8 + len) else {
            return false;
        };
        if crc32(&[kind, data]) != crc {
            return false;
        }
        at += 12 + len;
        match kind {
            b"IHDR" => {
                if header.is_some() || len != 13 {
                    return false;
                }
                let (w, h) = (be32(data, 0).unwrap_or(0), be32(data, 4).unwrap_or(0));
                header = Some((w, h, data[8], data[9], data[12]));
            }
            _ if header.is_none() => return false,
            b"IDAT" => idat.push(data),
            b"IEND" => break,
            _ => {}
        }
    }
    if at != bytes.len() || idat.is_empty() {
        return false;
    }
    let Some((width, height, depth, colour, interlace)) = header else {
        return false;
    };
    let channels = match colour {
        0 | 3 => 1usize,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => return false,
    };
    if width == 0 || height == 0 || !matches!(depth, 1 | 2 | 4 | 8 | 16) {
        return false;
    }
    let bits_per_pixel = channels * depth as usize;
    let row = (width as usize * bits_per_pixel).div_ceil(8);
    let Some(expected) = (row + 1).checked_mul(height as usize) else {
        return false;
    };
    if expected > MAX_PIXEL_BYTES {
        return false;
    }
    let data: Vec<u8> = idat.concat();
    let limit = expected + expected / 4 + 64;
    match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&data, limit) {
        // Adam7 interlacing adds a filter byte per row of each pass; only that it inflates and
        // is not larger than the image can be.
        Ok(pixels) if interlace == 1 => pixels.len() >= expected / 2 && pixels.len() <= limit,
        Ok(pixels) => pixels.len() == expected,
        Err(_) => false,
    }
}

/// Markers from SOI through a frame header and at least one scan to EOI. Cameras may append
/// data after EOI (motion photos); what follows EOI is not part of the image and is kept.
fn jpeg(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"\xff\xd8") {
        return false;
    }
    let mut at = 2;
    let (mut frame, mut scan) = (false, false);
    loop {
        // Fill bytes before a marker are allowed.
        while bytes.get(at) == Some(&0xff) && bytes.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xff) {
            return false;
        }
        let Some(&marker) = bytes.get(at + 1) else {
            return false;
        };
        at += 2;
        match marker {
            0xd9 => return frame && scan,
            0x01 | 0xd0..=0xd7 => continue,
            0x00 | 0xd8 => return false,
            _ => {}
        }
        let Some(len) = bytes
            .get(at..at + 2)
            .map(|s| u16::from_be_bytes([s[0], s[1]]) as usize)
        else {
            return false;
        };
        if len < 2 || at + len > bytes.len() {
            return false;
        }
        if matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            frame = true;
        }
        at += len;
        if marker == 0xda {
            if !frame {
                return false;
            }
            scan = true;
            // Entropy-coded data: up to the next marker that is not a stuffed byte or a restart.
            loop {
                let Some(i) = memchr::memchr(0xff, &bytes[at..]) else {
                    return false;
                };
                at += i;
                match bytes.get(at + 1) {
                    Some(0x00) | Some(0xd0..=0xd7) => at += 2,
                    Some(0xff) => at += 1,
                    Some(_) => break,
                    None => return false,
                }
            }
        }
    }
}

/// Header, screen descriptor, colour table, blocks (extensions and at least one image, each
/// with its sub-blocks) and the trailer as the last byte.
fn gif(bytes: &[u8]) -> bool {
    if bytes.len() < 13 || !(bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) {
        return false;
    }
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3usize << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let mut at = 13 + table(bytes[10]);
    // Sub-blocks: a length byte, that many bytes, until a zero length.
    let sub_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let n = *bytes.get(at)? as usize;
            at += 1 + n;
            if n == 0 {
                return (at <= bytes.len()).then_some(at);
            }
        }
    };
    let mut images = 0;
    loop {
        match bytes.get(at) {
            Some(0x3b) => return images > 0 && at + 1 == bytes.len(),
            Some(0x21) => match sub_blocks(at + 2) {
                Some(next) => at = next,
                None => return false,
            },
            Some(0x2c) => {
                let Some(&flags) = bytes.get(at + 9) else {
                    return false;
                };
                // Descriptor, local table, LZW minimum code size, then the data.
                let data = at + 10 + table(flags) + 1;
                match sub_blocks(data) {
                    Some(next) => {
                        images += 1;
                        at = next;
                    }
                    None => return false,
                }
            }
            _ => return false,
        }
    }
}

/// A RIFF container whose size is the file's, holding WEBP chunks to its end.
fn webp(bytes: &[u8]) -> bool {
    if le32(bytes, 4).map(|n| n as usize + 8) != Some(bytes.len()) {
        return false;
    }
    let mut at = 12;
    let mut first = true;
    while at < bytes.len() {
        let Some(kind) = bytes.get(at..at + 4) else {
            return false;
        };
        let Some(len) = le32(bytes, at + 4).map(|n| n as usize) else {
            return false;
        };
        if first && !matches!(kind, b"VP8 " | b"VP8L" | b"VP8X") {
            return false;
        }
        first = false;
        at += 8 + len + (len & 1);
    }
    !first && at == bytes.len()
}

/// The end-of-central-directory record, a central directory inside the file whose entries
/// each point at a local header, and nothing before the first local header.
fn zip(bytes: &[u8]) -> bool {
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let Some(eocd) =
        memchr::memmem::rfind(&bytes[tail_start..], b"PK\x05\x06").map(|i| tail_start + i)
    else {
        return false;
    };
    let (Some(entries), Some(size), Some(offset)) = (
        le16(bytes, eocd + 10),
        le32(bytes, eocd + 12),
        le32(bytes, eocd + 16),
    ) else {
        return false;
    };
    let (size, offset) = (size as usize, offset as usize);
    if entries == 0 || offset.checked_add(size) != Some(eocd) {
        return false;
    }
    let mut at = offset;
    for _ in 0..entries {
        if bytes.get(at..at + 4) != Some(b"PK\x01\x02") {
            return false;
        }
        let (Some(name), Some(extra), Some(comment), Some(local)) = (
            le16(bytes, at + 28),
            le16(bytes, at + 30),
            le16(bytes, at + 32),
            le32(bytes, at + 42),
        ) else {
            return false;
        };
        if bytes.get(local as usize..local as usize + 4) != Some(b"PK\x03\x04") {
            return false;
        }
        at += 46 + name as usize + extra as usize + comment as usize;
    }
    at == eocd
}

/// A compound file (Word and Excel 97–2003): its header's byte order, sector sizes, and whole
/// sectors after the header.
fn ole(bytes: &[u8]) -> bool {
    if bytes.len() < 512 || le16(bytes, 28) != Some(0xfffe) {
        return false;
    }
    let sector = match le16(bytes, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return false,
    };
    le16(bytes, 32) == Some(6)
        && bytes.len() >= sector * 2
        && (bytes.len() - sector).is_multiple_of(512)
}

/// UTF-8 text without control characters other than tabs and line breaks, to the last byte.
fn text(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(t) => t
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2×1 RGB PNG made here (filter byte + 6 bytes per row).
    pub fn tiny_png() -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
        };
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&2u32.to_be_bytes());
        ihdr.extend_from_slice(&1u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        let pixels = [0u8, 255, 0, 0, 0, 0, 255];
        chunk(
            b"IDAT",
            &miniz_oxide::deflate::compress_to_vec_zlib(&pixels, 6),
        );
        chunk(b"IEND", b"");
        out
    }

    #[test]
    fn a_header_followed_by_a_program_is_not_the_kind_it_claims() {
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
        let mut fake_pdf = b"%PDF-1.4\n".to_vec();
        fake_pdf.extend_from_slice(elf);
        fake_pdf.extend(std::iter::repeat_n(0u8, 4096));
        assert!(!holds_together("application/pdf", &fake_pdf));
        let png = tiny_png();
        assert!(holds_together("image/png", &png));
        let mut png_then_elf = png.clone();
        png_then_elf.extend_from_slice(elf);
        assert!(!holds_together("image/png", &png_then_elf));
        let mut bad_crc = png.clone();
        let n = bad_crc.len();
        bad_crc[n - 20] ^= 1;
        assert!(!holds_together("image/png", &bad_crc));
        let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
        fake_png.extend_from_slice(elf);
        assert!(!holds_together("image/png", &fake_png));
        assert!(!holds_together(
            "image/jpeg",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
        ));
        assert!(!holds_together(
            "image/gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00"
        ));
        assert!(!holds_together(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK\x03\x04word/document.xml then nothing"
        ));
        assert!(holds_together("text/plain", "No;Nama\n1;Nuty\n".as_bytes()));
        let mut text_then_binary = b"catatan\n".repeat(10_000);
        text_then_binary.extend_from_slice(elf);
        assert!(!holds_together("text/plain", &text_then_binary));
    }

    #[test]
    fn a_real_pdf_parses() {
        let pdf = crate::blobs::structure::tests::minimal_pdf();
        assert!(holds_together("application/pdf", &pdf));
        let mut cut = pdf.clone();
        cut.truncate(pdf.len() / 3);
        assert!(!holds_together("application/pdf", &cut));
    }

    #[test]
    fn a_minimal_gif_and_zip_hold_together() {
        // 1×1 GIF: header, screen descriptor with a 2-colour table, image, trailer.
        let gif_bytes: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";
        assert!(holds_together("image/gif", gif_bytes));
        let mut with_tail = gif_bytes.to_vec();
        with_tail.extend_from_slice(b"\x7fELF");
        assert!(!holds_together("image/gif", &with_tail));
    }

    /// A one-page PDF written by hand with a correct cross-reference table.
    pub fn minimal_pdf() -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}
