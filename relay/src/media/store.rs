//! The media bucket: the hub's JetStream Object Store `WHARF_MEDIA`
//! (`topology::ensure_media_store` creates it, replicated like the streams,
//! files kept `topology.media_max_age_secs`). One object per message, named
//! by its row id. The fetcher writes, the admin server reads (its NATS user
//! may only read); nothing else touches it.

use async_nats::jetstream::{self, object_store};
use tokio::io::AsyncReadExt;

use crate::provider::media::MediaError;
use crate::topology;

/// Bytes per chunk of a stored file. async-nats publishes a file's chunks
/// one after the other, each waiting for its (replicated) ack: 512 KiB
/// chunks instead of its 128 KiB default cut a 5 MB file's round trips from
/// 40 to 10, well under the hub's 1 MB `max_payload`.
const CHUNK_BYTES: usize = 512 * 1024;

/// Longest wait for the next bytes of a file being read whole.
const READ_IDLE: std::time::Duration = std::time::Duration::from_secs(15);

/// The media bucket, opened.
#[derive(Clone)]
pub struct MediaStore {
    store: object_store::ObjectStore,
}

/// A stored file being read, from `start` on, `len` bytes.
pub type Reader = Box<dyn tokio::io::AsyncRead + Send + Unpin>;

impl MediaStore {
    /// Opens the bucket (created by `wharf provision`).
    ///
    /// # Errors
    /// When the bucket does not exist or JetStream does not answer.
    pub async fn open(js: &jetstream::Context) -> crate::Result<Self> {
        let store = js
            .get_object_store(topology::MEDIA_BUCKET)
            .await
            .map_err(|e| {
                crate::Error::Config(format!(
                    "media bucket {}: {e} (run `wharf provision`)",
                    topology::MEDIA_BUCKET
                ))
            })?;
        Ok(Self { store })
    }

    /// Stores `bytes` as the file of message `message_id`; the object's name.
    ///
    /// # Errors
    /// `storage` (retryable) when JetStream does not take it.
    pub async fn put(
        &self,
        message_id: i64,
        mime: &str,
        bytes: &[u8],
    ) -> Result<String, MediaError> {
        self.put_named(topology::media_object(message_id), mime, bytes)
            .await
    }

    /// Stores `bytes` as object `name`; the name.
    ///
    /// # Errors
    /// `storage` (retryable) when JetStream does not take it.
    pub async fn put_named(
        &self,
        name: String,
        mime: &str,
        bytes: &[u8],
    ) -> Result<String, MediaError> {
        let meta = object_store::ObjectMetadata {
            name: name.clone(),
            description: Some(mime.to_owned()),
            chunk_size: Some(CHUNK_BYTES),
            ..Default::default()
        };
        let mut reader = bytes;
        self.store
            .put(meta, &mut reader)
            .await
            .map_err(|e| MediaError::retryable("storage", format!("media bucket: {e}")))?;
        Ok(name)
    }

    /// Deletes object `name` (an upload whose reply was refused).
    ///
    /// # Errors
    /// When JetStream does not answer.
    pub async fn delete(&self, name: &str) -> crate::Result<()> {
        self.store
            .delete(name)
            .await
            .map_err(|e| std::io::Error::other(e).into())
    }

    /// Reads the whole of object `name`; `None` when it is gone.
    ///
    /// # Errors
    /// When JetStream does not answer ([`crate::Error::Io`]).
    pub async fn read_all(&self, name: &str) -> crate::Result<Option<Vec<u8>>> {
        let stalled = || {
            std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "the media bucket sent nothing for {} s",
                    READ_IDLE.as_secs()
                ),
            )
        };
        let opened = tokio::time::timeout(READ_IDLE, self.read(name, 0, u64::MAX))
            .await
            .map_err(|_| stalled())?;
        let Some(mut reader) = opened? else {
            return Ok(None);
        };
        // A read that stops making progress fails (the caller retries)
        // instead of holding its reply for ever.
        let mut bytes = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = tokio::time::timeout(READ_IDLE, reader.read(&mut chunk))
                .await
                .map_err(|_| stalled())??;
            if n == 0 {
                return Ok(Some(bytes));
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads `len` bytes of object `name` from `start`; `None` when the
    /// object is gone (deleted, or older than the bucket's retention).
    ///
    /// # Errors
    /// When JetStream does not answer ([`crate::Error::Io`]).
    pub async fn read(&self, name: &str, start: u64, len: u64) -> crate::Result<Option<Reader>> {
        let mut object = match self.store.get(name).await {
            Ok(object) => object,
            Err(err) if err.kind() == object_store::GetErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(std::io::Error::other(err).into()),
        };
        if start > 0 {
            // The object is read in order: skip to the range's start.
            let mut skipped = (&mut object).take(start);
            tokio::io::copy(&mut skipped, &mut tokio::io::sink()).await?;
        }
        Ok(Some(Box::new(object.take(len))))
    }
}
