//! The Alibaba OSS dialect on the wire: the V1 and V4 signatures.

pub mod auth;
