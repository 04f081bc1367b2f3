//! OSS's PostObject (browser uploads; the form's reading and the policy are `crate::post`'s
//! and `strata_wire::post`'s).

use super::error::OssError;
use crate::post::PostError;

impl From<PostError> for OssError {
    fn from(e: PostError) -> OssError {
        let (status, code) = e.status_code();
        let code = if e.is_timeout() {
            "RequestTimeout"
        } else {
            code
        };
        OssError::new(status, code, e.to_string())
    }
}
