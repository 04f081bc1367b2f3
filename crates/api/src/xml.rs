//! XML for the S3 and OSS dialects: the element writer and the request-document parser of
//! `strata_wire::xml`, and what the dialects' readers make of a multi-delete document.

pub use strata_wire::xml::*;

/// What S3's DeleteObjects and OSS's DeleteMultipleObjects documents say: whether the answer
/// leaves out the successes (`Quiet`), and the entries. Each dialect reads its own document
/// (`s3::parse_delete_request`, `oss::parse_delete_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteRequest {
    pub quiet: bool,
    pub entries: Vec<strata_core::DeleteEntry>,
}
