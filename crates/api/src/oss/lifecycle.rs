//! Lifecycle configuration (`?lifecycle`): scaffolding until the codec is written.

use super::{Ctx, OssApi, OssResult};
use crate::body::Incoming;
use crate::operation::Unrouted;
use crate::pipeline::Dialect;

fn not_yet() -> OssResult {
    Err(OssApi::unrouted(Unrouted::Refused(
        "Lifecycle configuration".into(),
    )))
}

pub(super) fn get(_ctx: &Ctx<'_>) -> OssResult {
    not_yet()
}

pub(super) async fn put(_ctx: &Ctx<'_>, _body: Incoming) -> OssResult {
    not_yet()
}

pub(super) async fn delete(_ctx: &Ctx<'_>) -> OssResult {
    not_yet()
}
