//! A local certificate authority for `wharf up --tls`: one CA and one
//! certificate for this machine (`localhost`, `127.0.0.1`; server and client
//! use, so NATS routes can present it too), kept in `<data_dir>/tls`. The
//! CA's key is not kept: nothing else is ever signed with it.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// The PEM files of a local TLS setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The CA certificate every client trusts.
    pub ca: PathBuf,
    /// This machine's certificate, signed by the CA.
    pub cert: PathBuf,
    /// Its private key (owner-readable only).
    pub key: PathBuf,
}

impl TlsFiles {
    fn in_dir(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server-key.pem"),
        }
    }
}

/// The files in `dir`, generated when any is missing.
///
/// # Errors
/// When the directory or a file cannot be written.
pub fn ensure_local_ca(dir: &Path) -> anyhow::Result<TlsFiles> {
    let files = TlsFiles::in_dir(dir);
    if files.ca.exists() && files.cert.exists() && files.key.exists() {
        return Ok(files);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (ca, cert, key) = generate().context("generating the local CA")?;
    crate::stack::write_private(&files.key, key.as_bytes())?;
    std::fs::write(&files.cert, cert)?;
    std::fs::write(&files.ca, ca)?;
    tracing::info!(dir = %dir.display(), "generated a local CA and certificate for TLS");
    Ok(files)
}

/// (CA certificate, machine certificate, machine key), PEM.
fn generate() -> Result<(String, String, String), rcgen::Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Wharf local CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate()?;
    let ca = ca_params.self_signed(&ca_key)?;

    let mut params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "wharf local");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca, &ca_key)?;
    Ok((ca.pem(), cert.pem(), key.serialize_pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_ca_is_made_once_and_its_certificate_serves_tls() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = ensure_local_ca(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let first = std::fs::read(&files.cert).unwrap_or_default();
        assert!(String::from_utf8_lossy(&first).starts_with("-----BEGIN CERTIFICATE-----"));
        let again = ensure_local_ca(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, files);
        assert_eq!(
            std::fs::read(&files.cert).unwrap_or_default(),
            first,
            "kept"
        );
        // The pair is accepted as an HTTP server certificate.
        let settings = relay::tls::TlsSettings {
            cert_file: files.cert.display().to_string(),
            key_file: files.key.display().to_string(),
            ca_file: files.ca.display().to_string(),
        };
        assert!(
            settings
                .server()
                .unwrap_or_else(|e| panic!("{e}"))
                .is_some()
        );
        settings
            .trust_for_clients()
            .unwrap_or_else(|e| panic!("{e}"));
        // A key that does not belong to the certificate is refused.
        let wrong = relay::tls::TlsSettings {
            key_file: files.ca.display().to_string(),
            ..settings
        };
        assert!(wrong.server().is_err());
    }
}
