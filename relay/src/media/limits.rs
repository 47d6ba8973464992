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

/// The types Meta's Cloud API sends as images, video, audio and documents
/// ("Supported media types" of its media reference); anything else goes
/// out as a document only where the provider takes any file.
const META_IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png"];
const META_VIDEO_TYPES: &[&str] = &["video/mp4", "video/3gpp"];
const META_AUDIO_TYPES: &[&str] = &[
    "audio/aac",
    "audio/amr",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
];
const META_DOCUMENT_TYPES: &[&str] = &[
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// WasenderApi's upload limit for documents ("Upload Media File": 50 MB;
/// images, video and audio 16 MB, under Meta's own limits here).
const WASENDER_DOCUMENT_MAX: u64 = 50 * MB;

impl Limits {
    /// How an agent's file of type `mime` and `size` bytes goes out through
    /// `provider`: as an image, video or audio message when the provider
    /// plays that type and it fits that kind's limit, else as a document
    /// (a 7 MB photo, a GIF), as WhatsApp's own apps do. `allowed_types`
    /// applies as to fetched files.
    ///
    /// # Errors
    /// `empty`, `type_not_allowed` (also a type the provider takes in no
    /// form) or `too_large` (permanent).
    pub fn outbound_kind(
        &self,
        provider: crate::envelope::Provider,
        mime: &str,
        size: u64,
    ) -> Result<crate::envelope::MediaKind, MediaError> {
        use crate::envelope::{MediaKind, Provider};
        if size == 0 {
            return Err(MediaError::permanent("empty", "the file is empty"));
        }
        self.check_type(mime)?;
        let essence = essence(mime);
        let is = |list: &[&str]| list.contains(&essence.as_str());
        let playable = [
            (MediaKind::Image, META_IMAGE_TYPES, MediaClass::Image),
            (MediaKind::Video, META_VIDEO_TYPES, MediaClass::Video),
            (MediaKind::Audio, META_AUDIO_TYPES, MediaClass::Audio),
        ];
        for (kind, types, class) in playable {
            if is(types) && size <= self.max_bytes(class) {
                return Ok(kind);
            }
        }
        let document_max = match provider {
            Provider::Wasender => self.document_max_bytes.min(WASENDER_DOCUMENT_MAX),
            Provider::Meta | Provider::Sandbox => self.document_max_bytes,
        };
        let any_file = matches!(provider, Provider::Wasender);
        let playable_type = playable.iter().any(|(_, types, _)| is(types));
        if !(any_file || playable_type || is(META_DOCUMENT_TYPES)) {
            return Err(MediaError::permanent(
                "type_not_allowed",
                format!(
                    "{} does not send files of type {essence}; send a PDF, an Office \
                     document, plain text, a JPEG or PNG image, MP4 video or AAC, AMR, MP3, \
                     M4A or OGG audio",
                    provider.as_str()
                ),
            ));
        }
        self.check_size(MediaClass::Document, size)?;
        if size > document_max {
            return Err(MediaError::permanent(
                "too_large",
                format!("a file of {size} bytes is over the provider's limit of {document_max}"),
            ));
        }
        Ok(MediaKind::Document)
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
    fn agents_files_go_out_as_the_kind_the_provider_plays_else_as_documents() {
        use crate::envelope::{MediaKind, Provider};
        let limits = Limits::default();
        let kind = |provider, mime, size| limits.outbound_kind(provider, mime, size);
        assert_eq!(kind(Provider::Meta, "image/png", MB), Ok(MediaKind::Image));
        assert_eq!(kind(Provider::Meta, "IMAGE/JPEG", MB), Ok(MediaKind::Image));
        // Over the image limit: a document, as WhatsApp's apps send it.
        assert_eq!(
            kind(Provider::Meta, "image/jpeg", 7 * MB),
            Ok(MediaKind::Document)
        );
        assert_eq!(
            kind(Provider::Meta, "audio/ogg; codecs=opus", MB),
            Ok(MediaKind::Audio)
        );
        assert_eq!(
            kind(Provider::Sandbox, "video/mp4", MB),
            Ok(MediaKind::Video)
        );
        assert_eq!(
            kind(Provider::Meta, "application/pdf", MB),
            Ok(MediaKind::Document)
        );
        let refused = kind(Provider::Meta, "application/zip", MB).expect_err("not Meta's");
        assert_eq!(refused.reason, "type_not_allowed");
        assert!(refused.detail.contains("application/zip"), "{refused}");
        // WasenderApi takes any file as a document, up to its 50 MB.
        assert_eq!(
            kind(Provider::Wasender, "application/zip", MB),
            Ok(MediaKind::Document)
        );
        let big = kind(Provider::Wasender, "application/pdf", 60 * MB).expect_err("over 50 MB");
        assert_eq!(big.reason, "too_large");
        assert!(kind(Provider::Meta, "application/pdf", 60 * MB).is_ok());
        assert_eq!(
            kind(Provider::Meta, "application/pdf", 101 * MB)
                .expect_err("over 100 MB")
                .reason,
            "too_large"
        );
        assert_eq!(
            kind(Provider::Meta, "application/pdf", 0)
                .expect_err("empty")
                .reason,
            "empty"
        );
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
