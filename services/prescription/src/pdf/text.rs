//! Text measured in the embedded fonts' own advance widths and wrapped to a width, so that
//! nothing on the printed page runs past its margin or is cut: a word longer than the line
//! is split where it must be, never dropped.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// The regular and bold faces, read from the fonts the page embeds.
pub struct Measure<'a> {
    regular: FontRef<'a>,
    bold: FontRef<'a>,
}

impl<'a> Measure<'a> {
    pub fn new(regular: &'a [u8], bold: &'a [u8]) -> Option<Self> {
        Some(Self {
            regular: FontRef::new(regular).ok()?,
            bold: FontRef::new(bold).ok()?,
        })
    }

    /// The advance of `text` at `size` points. Shaping may kern a little tighter, never
    /// wider, so this is an upper bound of what is drawn.
    pub fn width(&self, bold: bool, size: f32, text: &str) -> f32 {
        let font = if bold { &self.bold } else { &self.regular };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(size * 0.6)
            })
            .sum()
    }

    /// `text` broken into lines no wider than `width`: at spaces where it can, inside a
    /// word where a word alone is wider; its own line breaks kept.
    pub fn wrap(&self, bold: bool, size: f32, width: f32, text: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(bold, size, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line = self.split_long(bold, size, width, word, &mut lines);
            }
            if !line.is_empty() {
                lines.push(line);
            }
        }
        lines
    }

    /// Pushes full-width pieces of `word` onto `lines` and returns what is left of it.
    fn split_long(
        &self,
        bold: bool,
        size: f32,
        width: f32,
        word: &str,
        lines: &mut Vec<String>,
    ) -> String {
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if self.width(bold, size, &piece) > width && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        piece
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
    static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

    #[test]
    fn every_line_fits_and_every_character_is_kept() {
        let measure = Measure::new(REGULAR, BOLD).unwrap();
        let text = format!("Take {} with water\nthen rest", "x".repeat(150));
        let lines = measure.wrap(true, 12.0, 200.0, &text);
        assert!(lines.len() > 3, "{lines:?}");
        for line in &lines {
            assert!(measure.width(true, 12.0, line) <= 200.0, "{line}");
        }
        let kept: String = lines.concat();
        let original: String = text.split_whitespace().collect();
        assert_eq!(kept.replace(' ', ""), original);
        assert_eq!(lines.last().unwrap(), "then rest");
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let measure = Measure::new(REGULAR, BOLD).unwrap();
        let (regular, bold) = (
            measure.width(false, 10.0, "Amoxicillin"),
            measure.width(true, 10.0, "Amoxicillin"),
        );
        assert!(bold > regular && regular > 30.0, "{regular} {bold}");
    }
}
