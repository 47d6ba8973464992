//! TLS of Wharf's HTTP side (`[tls]`): the certificate its HTTP servers
//! answer with (rustls through poem), and the extra CA its HTTP clients
//! trust (webhooks to edges, provider calls, alert scrapes). Owns loading
//! and checking the PEM files; NATS TLS is `nats::Access`'s.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use poem::listener::{
    AcceptorExt, BoxAcceptor, IntoTlsConfigStream, RustlsCertificate, RustlsConfig, TcpAcceptor,
};
use poem::{Endpoint, Server};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// `[tls]`: PEM file paths; empty = unset.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// Certificate chain of this process's HTTP servers (edge, admin,
    /// health endpoints, sandbox); with `key_file`, they serve HTTPS only.
    pub cert_file: String,
    pub key_file: String,
    /// A CA the HTTP clients trust besides the system's (a private CA).
    pub ca_file: String,
}

/// A TLS file that cannot be used, named by its key and path.
#[derive(Debug, thiserror::Error)]
#[error("tls.{key} ({path}): {reason}")]
pub struct TlsError {
    pub key: &'static str,
    pub path: String,
    pub reason: String,
}

fn read(key: &'static str, path: &str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(Path::new(path)).map_err(|e| TlsError {
        key,
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

impl TlsSettings {
    /// The HTTP servers' TLS config, when a certificate is set.
    ///
    /// # Errors
    /// When only one of the two files is set, a file is unreadable, or the
    /// pair is not a valid certificate and key.
    pub fn server(&self) -> Result<Option<ServerTls>, TlsError> {
        match (self.cert_file.is_empty(), self.key_file.is_empty()) {
            (true, true) => return Ok(None),
            (false, true) | (true, false) => {
                return Err(TlsError {
                    key: if self.key_file.is_empty() {
                        "key_file"
                    } else {
                        "cert_file"
                    },
                    path: String::new(),
                    reason: "cert_file and key_file go together".into(),
                });
            }
            (false, false) => {}
        }
        install_crypto();
        let tls = ServerTls {
            cert: read("cert_file", &self.cert_file)?,
            key: read("key_file", &self.key_file)?,
        };
        // Checked now, not at the first connection.
        let _ = tls.config().into_stream().map_err(|e| TlsError {
            key: "cert_file",
            path: self.cert_file.clone(),
            reason: e.to_string(),
        })?;
        Ok(Some(tls))
    }

    /// Makes [`client_builder`] trust `ca_file` (once per process; later
    /// calls keep the first CA).
    ///
    /// # Errors
    /// When the file is unreadable or holds no PEM certificate.
    pub fn trust_for_clients(&self) -> Result<(), TlsError> {
        if self.ca_file.is_empty() {
            return Ok(());
        }
        let pem = read("ca_file", &self.ca_file)?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| TlsError {
            key: "ca_file",
            path: self.ca_file.clone(),
            reason: e.to_string(),
        })?;
        if certificates.is_empty() {
            return Err(TlsError {
                key: "ca_file",
                path: self.ca_file.clone(),
                reason: "no certificate in the file".into(),
            });
        }
        let _ = EXTRA_ROOTS.set(certificates);
        Ok(())
    }
}

/// A server certificate chain and key (PEM), checked to go together.
#[derive(Clone)]
pub struct ServerTls {
    cert: Vec<u8>,
    key: Vec<u8>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerTls(***)")
    }
}

impl ServerTls {
    fn config(&self) -> RustlsConfig {
        RustlsConfig::new().fallback(
            RustlsCertificate::new()
                .cert(self.cert.clone())
                .key(self.key.clone()),
        )
    }
}

static EXTRA_ROOTS: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();

/// An HTTP client builder trusting the system's roots and `[tls] ca_file`.
pub fn client_builder() -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder();
    for certificate in EXTRA_ROOTS.get().into_iter().flatten() {
        builder = builder.add_root_certificate(certificate.clone());
    }
    builder
}

/// A bound listener of one of Wharf's HTTP servers (edge, admin,
/// operations, sandbox): plain HTTP, or HTTPS after [`Listener::with_tls`].
pub struct Listener {
    acceptor: BoxAcceptor,
    local_addr: SocketAddr,
}

impl Listener {
    /// Binds `addr` (port 0 picks a free port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            acceptor: TcpAcceptor::from_tokio(listener)?.boxed(),
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Answers with TLS when `tls` is set.
    #[must_use]
    pub fn with_tls(self, tls: Option<&ServerTls>) -> Self {
        let acceptor = match tls {
            None => self.acceptor,
            Some(tls) => self
                .acceptor
                .rustls(futures::stream::once(futures::future::ready(tls.config())))
                .boxed(),
        };
        Self { acceptor, ..self }
    }

    /// Serves `app` until `shutdown`, then lets requests in flight finish
    /// for up to `grace`.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn serve(
        self,
        app: impl Endpoint + 'static,
        shutdown: CancellationToken,
        grace: Duration,
    ) -> std::io::Result<()> {
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, async move { shutdown.cancelled().await }, Some(grace))
            .await
    }
}

/// Picks rustls' process-wide crypto provider (ring): with more than one
/// linked in, rustls cannot choose and TLS set-up would panic. Idempotent.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
