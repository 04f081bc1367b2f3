//! BOS's PostObject (browser uploads; the form's reading and the policy are `crate::post`'s
//! and `strata_wire::post`'s).

use super::error::BosError;
use crate::post::PostError;

impl From<PostError> for BosError {
    fn from(e: PostError) -> BosError {
        let (status, code) = e.status_code();
        let code = if e.is_timeout() {
            "RequestTimeout"
        } else {
            code
        };
        BosError::new(status, code, e.to_string())
    }
}
