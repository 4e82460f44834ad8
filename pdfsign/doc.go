// Package pdfsign signs PDF files with PDF digital signatures and verifies
// them.
//
// A result notice (公示) is signed first by the owners' committee (业主委员会)
// and then countersigned by the residents' committee (居民委员会). Each
// signature is an incremental update appended to the file, so the earlier
// signature keeps covering exactly the bytes it signed, and any PDF viewer or
// poppler's pdfsig can check both: the last one covers the whole file, and a
// change to any signed byte invalidates them.
//
// Every signature adds an invisible signature field on page 1 and a /Sig
// dictionary of subfilter adbe.pkcs7.detached: a CMS SignedData (made with
// github.com/digitorus/pkcs7) over the signed byte ranges, with SHA-256 and
// a signing-time attribute. Signers are self-signed certificates (see
// NewIdentity); viewers therefore report the issuer as untrusted, and trust
// comes from comparing the signer certificate with the ones the platform
// publishes, which Verify makes easy.
//
// The package reads only what it needs of a PDF: the classic cross-reference
// tables and trailers (following /Prev), the catalog, the first page and the
// signature fields. That covers the files gofpdf writes and the files this
// package writes; anything else (cross-reference streams, object streams,
// encryption) is refused with ErrUnsupported rather than signed wrongly.
package pdfsign
