//! The Baidu BOS dialect.

pub mod auth;
