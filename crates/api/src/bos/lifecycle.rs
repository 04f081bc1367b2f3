//! Lifecycle configuration (`?lifecycle`): scaffolding until the codec is written.

use super::{BosApi, BosResult, Ctx};
use crate::body::Incoming;
use crate::operation::Unrouted;
use crate::pipeline::Dialect;

fn not_yet() -> BosResult {
    Err(BosApi::unrouted(Unrouted::Refused(
        "Lifecycle configuration".into(),
    )))
}

pub(super) fn get(_ctx: &Ctx<'_>) -> BosResult {
    not_yet()
}

pub(super) async fn put(_ctx: &Ctx<'_>, _body: Incoming) -> BosResult {
    not_yet()
}

pub(super) async fn delete(_ctx: &Ctx<'_>) -> BosResult {
    not_yet()
}
