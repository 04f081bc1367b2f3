//! The RFC 3986 percent-encode sets, declared once: the signatures, the listings, the server's
//! answers and the client all encode with these two. Both write `%XX` with upper-case hex and
//! encode every non-ASCII byte (so UTF-8 text is encoded byte by byte).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, `/`
/// included. For single components: query names and values (the client's requests, the SigV4
/// and OSS V4 canonical queries, BOS's `E()`), each segment of the SigV4 canonical URI,
/// version IDs in copy sources, and the names OSS answers with under `encoding-type=url`.
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// [`UNRESERVED`] with `/` kept. For whole paths: the client's request paths and copy sources,
/// the OSS V4 and BOS canonical URIs, and the keys S3 answers with under `encoding-type=url`
/// (and in a completed upload's `Location`).
pub const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::utf8_percent_encode;

    #[test]
    fn unreserved_characters_stay_and_slash_stays_only_in_paths() {
        let text = "a-z_A.Z~09/ +%?=&ü";
        assert_eq!(
            utf8_percent_encode(text, UNRESERVED).to_string(),
            "a-z_A.Z~09%2F%20%2B%25%3F%3D%26%C3%BC"
        );
        assert_eq!(
            utf8_percent_encode(text, PATH).to_string(),
            "a-z_A.Z~09/%20%2B%25%3F%3D%26%C3%BC"
        );
    }
}
