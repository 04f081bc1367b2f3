//! Lifecycle configuration (`?lifecycle`): scaffolding until the codec is written.

use super::{Ctx, S3Api, S3Result};
use crate::body::Incoming;
use crate::operation::Unrouted;
use crate::pipeline::Dialect;

fn not_yet() -> S3Result {
    Err(S3Api::unrouted(Unrouted::Refused(
        "Lifecycle configuration".into(),
    )))
}

pub(super) fn get(_ctx: &Ctx<'_>) -> S3Result {
    not_yet()
}

pub(super) async fn put(_ctx: &Ctx<'_>, _body: Incoming) -> S3Result {
    not_yet()
}

pub(super) async fn delete(_ctx: &Ctx<'_>) -> S3Result {
    not_yet()
}
