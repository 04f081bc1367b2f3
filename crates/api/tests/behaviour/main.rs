//! One behaviour suite over the three dialects, in process: every test is written once
//! against [`dialect::Dialect`] and run for S3, OSS and BOS (as object_store runs one
//! integration suite over every backend). Requests are signed `http::Request`s handed to the
//! router through `strata_api::handle`; no socket, no binary. The Python suites
//! (`tests/interop`) check the same server against the vendors' SDKs.

mod dialect;
mod harness;
mod ops;
mod sign;

mod access;
mod admin;
mod cors;
mod deletes;
mod errors;
mod gateways;
mod listing;
mod multipart;
mod objects;
mod tagging;
mod versioning;

/// Runs each named `async fn(Dialect)` of the calling module once per dialect, as
/// `MODULE::s3::NAME`, `MODULE::oss::NAME` and `MODULE::bos::NAME`.
#[macro_export]
macro_rules! each_dialect {
    ($($test:ident),* $(,)?) => {
        $crate::each_dialect!(@one s3, S3, $($test),*);
        $crate::each_dialect!(@one oss, Oss, $($test),*);
        $crate::each_dialect!(@one bos, Bos, $($test),*);
    };
    (@one $module:ident, $dialect:ident, $($test:ident),*) => {
        mod $module {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test($crate::dialect::Dialect::$dialect).await
                }
            )*
        }
    };
}

/// A server of its own and the administrator's client in `d`.
pub async fn setup(d: dialect::Dialect) -> (harness::Server, harness::Client) {
    let server = harness::Server::start().await;
    let client = server.client(d);
    (server, client)
}
