//! TLS as libpq's `sslmode` defines it, on rustls: `disable`, `allow`/`prefer` (TLS when the
//! server offers it, no certificate check), `require` (TLS, no certificate check unless a
//! root certificate is given — then as `verify-ca`, like libpq), `verify-ca` (the chain must
//! lead to a trusted root) and `verify-full` (and the certificate must name the host).
//! Roots: `sslrootcert` (a PEM file, or `system`), else the system's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// What tokio-postgres is told: whether TLS is attempted and whether it is required.
    pub fn wire(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as W;
        match self {
            SslMode::Disable => W::Disable,
            SslMode::Allow | SslMode::Prefer => W::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => W::Require,
        }
    }
}

/// TLS settings of one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    pub mode: SslMode,
    /// `sslrootcert`: a PEM file, or the word `system`.
    pub root_cert: Option<String>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self {
            mode: SslMode::Prefer,
            root_cert: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read sslrootcert {path}: {message}")]
    RootCert { path: PathBuf, message: String },
    #[error("sslrootcert {path} holds no certificate")]
    NoCertificate { path: PathBuf },
    #[error("no trusted root certificates: the system has none; give sslrootcert")]
    NoSystemRoots,
    #[error("TLS set-up failed: {0}")]
    Setup(String),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(root_cert: Option<&str>) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    match root_cert {
        Some(path) if path != "system" => {
            let path = Path::new(path);
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| TlsError::RootCert {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?
                .collect::<Result<_, _>>()
                .map_err(|e| TlsError::RootCert {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(TlsError::NoCertificate {
                    path: path.to_path_buf(),
                });
            }
            for c in certs {
                store.add(c).map_err(|e| TlsError::RootCert {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
            }
        }
        _ => {
            // Unreadable system certificates are skipped, as every TLS client does.
            for c in rustls_native_certs::load_native_certs().certs {
                let _ = store.add(c);
            }
            if store.is_empty() {
                return Err(TlsError::NoSystemRoots);
            }
        }
    }
    Ok(store)
}

/// The rustls client configuration for `opts`.
pub fn client_config(opts: &TlsOptions) -> Result<ClientConfig, TlsError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?;
    let mode = match (opts.mode, &opts.root_cert) {
        // libpq: `require` with a root certificate file verifies the chain.
        (SslMode::Require, Some(_)) => SslMode::VerifyCa,
        (m, _) => m,
    };
    let config = match mode {
        SslMode::VerifyFull => builder
            .with_root_certificates(roots(opts.root_cert.as_deref())?)
            .with_no_client_auth(),
        SslMode::VerifyCa => {
            let inner = WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(opts.root_cert.as_deref())?),
                provider.clone(),
            )
            .build()
            .map_err(|e| TlsError::Setup(e.to_string()))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly { inner }))
                .with_no_client_auth()
        }
        SslMode::Disable | SslMode::Allow | SslMode::Prefer | SslMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// `verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct ChainOnly {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `prefer`/`require` without a root certificate: encrypted, not authenticated (libpq's
/// meaning). The handshake signatures are still checked.
#[derive(Debug)]
struct Unverified {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A one-line reason for a TLS failure, from the error chain's text.
pub fn explain(message: &str, opts: &TlsOptions, host: &str) -> Option<String> {
    let root = opts.root_cert.as_deref().unwrap_or("the system's roots");
    if message.contains("UnknownIssuer") || message.contains("BadSignature") {
        Some(format!(
            "TLS ({}): the server's certificate is not signed by a trusted CA ({root})",
            opts.mode.as_str()
        ))
    } else if message.contains("NotValidForName") || message.contains("not valid for name") {
        Some(format!(
            "TLS (verify-full): the server's certificate is not valid for host `{host}`"
        ))
    } else if message.contains("Expired")
        || message.contains("expired")
        || message.contains("NotValidYet")
    {
        Some("TLS: the server's certificate is expired or not yet valid".into())
    } else if message.contains("server does not support TLS")
        || message.contains("does not support SSL")
    {
        Some(format!(
            "TLS ({}): the server does not accept TLS connections",
            opts.mode.as_str()
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_map_to_the_wire() {
        for m in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            assert_eq!(SslMode::parse(m).map(|m| m.as_str()), Some(m));
        }
        assert_eq!(SslMode::parse("verify"), None);
        assert_eq!(
            SslMode::VerifyCa.wire(),
            tokio_postgres::config::SslMode::Require
        );
    }

    #[test]
    fn a_missing_root_file_is_a_clear_error() {
        let e = client_config(&TlsOptions {
            mode: SslMode::VerifyFull,
            root_cert: Some("/nonexistent/ca.pem".into()),
        })
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            e.contains("cannot read sslrootcert /nonexistent/ca.pem"),
            "{e}"
        );
    }
}
