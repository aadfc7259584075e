//! Client TLS settings from a service's `ssl-ca`, `ssl-cert`, `ssl-key` and
//! `insecure-skip-verify` keys (rustls with the ring provider, Mozilla roots).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// Accepts any certificate (`insecure-skip-verify`), still checking handshake signatures.
#[derive(Debug)]
struct NoVerify(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for NoVerify {
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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// A client configuration; errors name the file that could not be used.
pub(crate) fn client_config(
    ca: &str,
    cert: &str,
    key: &str,
    insecure_skip_verify: bool,
) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = if insecure_skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(
                provider.signature_verification_algorithms,
            )))
    } else {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if !ca.is_empty() {
            let certs = CertificateDer::pem_file_iter(ca)
                .map_err(|e| format!("failed to read ssl-ca {ca:?}: {e}"))?;
            for c in certs {
                let c = c.map_err(|e| format!("failed to read ssl-ca {ca:?}: {e}"))?;
                roots
                    .add(c)
                    .map_err(|e| format!("invalid certificate in ssl-ca {ca:?}: {e}"))?;
            }
        }
        builder.with_root_certificates(roots)
    };
    let config = if !cert.is_empty() && !key.is_empty() {
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| format!("failed to read ssl-cert {cert:?}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("failed to read ssl-cert {cert:?}: {e}"))?;
        let key_der = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("failed to read ssl-key {key:?}: {e}"))?;
        builder
            .with_client_auth_cert(chain, key_der)
            .map_err(|e| format!("invalid ssl-cert/ssl-key: {e}"))?
    } else {
        builder.with_no_client_auth()
    };
    Ok(Arc::new(config))
}
