//! The Baidu BOS dialect on the wire: bce-auth-v1.

pub mod auth;
