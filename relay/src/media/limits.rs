//! How large a fetched file may be, per kind, and which types are taken.
//! The defaults are Meta's documented maxima ("Supported media types" of
//! the Cloud API media reference): images 5 MB, video and audio 16 MB,
//! documents 100 MB, stickers 500 KB (animated; static ones are 100 KB).
//! A file over its limit is never stored: refused before the download when
//! the provider states its size, else as soon as the download passes it.

use serde::{Deserialize, Serialize};

use crate::provider::media::{MediaClass, MediaError};

const MB: u64 = 1024 * 1024;

/// `[media.limits]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub image_max_bytes: u64,
    pub video_max_bytes: u64,
    pub audio_max_bytes: u64,
    pub document_max_bytes: u64,
    pub sticker_max_bytes: u64,
    /// MIME types taken (`image/jpeg`) or families (`image/`); empty: any.
    /// Parameters (`; codecs=opus`) are ignored.
    pub allowed_types: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            image_max_bytes: 5 * MB,
            video_max_bytes: 16 * MB,
            audio_max_bytes: 16 * MB,
            document_max_bytes: 100 * MB,
            sticker_max_bytes: 500 * 1024,
            allowed_types: Vec::new(),
        }
    }
}

impl Limits {
    /// The largest file of `class`.
    pub fn max_bytes(&self, class: MediaClass) -> u64 {
        match class {
            MediaClass::Image => self.image_max_bytes,
            MediaClass::Video => self.video_max_bytes,
            MediaClass::Audio => self.audio_max_bytes,
            MediaClass::Document => self.document_max_bytes,
            MediaClass::Sticker => self.sticker_max_bytes,
        }
    }

    /// Checks a size against `class`'s limit.
    ///
    /// # Errors
    /// `too_large` (permanent: the same file stays too large).
    pub fn check_size(&self, class: MediaClass, size: u64) -> Result<(), MediaError> {
        let max = self.max_bytes(class);
        if size > max {
            return Err(MediaError::permanent(
                "too_large",
                format!(
                    "{} of {size} bytes is over the limit of {max}",
                    class.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// Checks a MIME type against `allowed_types`.
    ///
    /// # Errors
    /// `type_not_allowed` (permanent).
    pub fn check_type(&self, mime: &str) -> Result<(), MediaError> {
        if self.allowed_types.is_empty() {
            return Ok(());
        }
        let essence = essence(mime);
        let allowed = self.allowed_types.iter().any(|allowed| {
            let allowed = allowed.trim().to_ascii_lowercase();
            if allowed.ends_with('/') {
                essence.starts_with(&allowed)
            } else {
                essence == allowed
            }
        });
        if allowed {
            Ok(())
        } else {
            Err(MediaError::permanent(
                "type_not_allowed",
                format!("type {essence} is not in media.limits.allowed_types"),
            ))
        }
    }
}

/// A MIME type without parameters, lowercase (`audio/ogg; codecs=opus` →
/// `audio/ogg`).
pub fn essence(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_metas_maxima() {
        let limits = Limits::default();
        assert!(limits.check_size(MediaClass::Image, 5 * MB).is_ok());
        let err = limits
            .check_size(MediaClass::Image, 5 * MB + 1)
            .expect_err("over the limit");
        assert_eq!(err.reason, "too_large");
        assert!(!err.retryable);
        assert!(limits.check_size(MediaClass::Document, 100 * MB).is_ok());
        assert!(limits.check_size(MediaClass::Sticker, 600 * 1024).is_err());
        assert!(limits.check_type("application/x-anything").is_ok());
    }

    #[test]
    fn types_match_by_essence_or_family() {
        let limits = Limits {
            allowed_types: vec!["image/".into(), "audio/ogg".into()],
            ..Limits::default()
        };
        assert!(limits.check_type("image/png").is_ok());
        assert!(limits.check_type("audio/ogg; codecs=opus").is_ok());
        let err = limits
            .check_type("application/zip")
            .expect_err("not allowed");
        assert_eq!(err.reason, "type_not_allowed");
    }
}
