//! The Amazon S3 dialect on the wire: SigV4 (header, presigned) and `aws-chunked` bodies.

pub mod auth;
pub mod chunked;
