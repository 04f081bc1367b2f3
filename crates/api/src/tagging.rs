//! What the dialects share of tagging: the query form of the tagging headers of writes
//! (`x-amz-tagging`, `x-oss-tagging`, `x-bce-tagging`: `k1=v1&k2=v2`, each part URL-encoded),
//! the `<Tagging>` document S3 and OSS read and write, and the tagging directive of copies.
//! The rules tags obey are the core's ([`strata_core::tagging::TagRules`]).

use crate::xml::{Xml, parse};
use strata_core::tagging::Tags;

/// Why a tagging header or document is refused before its tags are judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// A header part is not `key` or `key=value` (a second raw `=`).
    Header,
    /// The document is not XML, or not a `<Tagging>` with a `<TagSet>` of `<Tag>`s each with
    /// a `<Key>` and a `<Value>`.
    Document,
}

/// The tags of a tagging header: `&`-separated `key=value` parts (a lone `key` has the empty
/// value; empty parts are skipped), URL-decoded as a form is (`+` is a space).
pub fn parse_header(value: &str) -> Result<Vec<(String, String)>, FormError> {
    let decode = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for part in value.trim().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        if v.contains('=') {
            return Err(FormError::Header);
        }
        out.push((decode(k), decode(v)));
    }
    Ok(out)
}

/// Writes tags in the header's form (what a client would send).
pub fn write_header(tags: &Tags) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in tags.pairs() {
        out.append_pair(k, v);
    }
    out.finish()
}

/// The most elements a `<Tagging>` document may have: room for S3's 50 bucket tags.
const MAX_ELEMENTS: usize = 4 + 3 * 64;

/// The tags of a `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` document,
/// in order. An empty `<TagSet/>` has none.
pub fn parse_document(bytes: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    let doc = parse(bytes, MAX_ELEMENTS).map_err(|_| FormError::Document)?;
    if doc.name != "Tagging" {
        return Err(FormError::Document);
    }
    let set = doc.child("TagSet").ok_or(FormError::Document)?;
    set.children
        .iter()
        .map(|tag| {
            if tag.name != "Tag" {
                return Err(FormError::Document);
            }
            match (tag.child_text("Key"), tag.child_text("Value")) {
                (Some(k), Some(v)) => Ok((k.to_owned(), v.to_owned())),
                _ => Err(FormError::Document),
            }
        })
        .collect()
}

/// The `<Tagging>` document of `tags` (`root_attrs`: S3's namespace, or none for OSS).
pub fn write_document(tags: &Tags, root_attrs: &str) -> String {
    let mut x = Xml::new("Tagging", root_attrs);
    x.open("TagSet");
    for (k, v) in tags.pairs() {
        x.open("Tag").leaf("Key", k).leaf("Value", v).close();
    }
    x.close();
    x.finish()
}

/// What a copy does with tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// The source's tags (the default).
    Copy,
    /// The tags of the request's tagging header (none: no tags).
    Replace,
}

impl Directive {
    /// `COPY` or `REPLACE` in any case; `None` for anything else.
    pub fn parse(value: &str) -> Option<Directive> {
        match value.trim() {
            v if v.eq_ignore_ascii_case("copy") => Some(Directive::Copy),
            v if v.eq_ignore_ascii_case("replace") => Some(Directive::Replace),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::tagging::TagRules;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn headers_are_url_encoded_query_strings() {
        assert_eq!(
            parse_header("a=1&b%20c=d+e&empty=&lone").unwrap(),
            pairs(&[("a", "1"), ("b c", "d e"), ("empty", ""), ("lone", "")])
        );
        assert_eq!(
            parse_header("k=a%3Db%26c").unwrap(),
            pairs(&[("k", "a=b&c")])
        );
        assert_eq!(parse_header("").unwrap(), pairs(&[]));
        assert_eq!(
            parse_header("a=1&&b=2").unwrap(),
            pairs(&[("a", "1"), ("b", "2")])
        );
        assert_eq!(parse_header("aa=bb=cc"), Err(FormError::Header));
        let tags =
            Tags::checked(pairs(&[("k 1", "v/2"), ("x", "")]), &TagRules::S3_OBJECT).unwrap();
        assert_eq!(parse_header(&write_header(&tags)).unwrap(), tags.pairs());
    }

    #[test]
    fn documents_read_and_write_the_tag_set() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
            <Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>
              <Tag><Key>a</Key><Value> 1 </Value></Tag>
              <Tag><Key>b&amp;c</Key><Value/></Tag>
            </TagSet></Tagging>"#;
        let got = parse_document(doc).unwrap();
        assert_eq!(got, pairs(&[("a", " 1 "), ("b&c", "")]));
        let tags = Tags::checked(got, &TagRules::OSS_BUCKET).unwrap();
        let written = write_document(&tags, "");
        assert!(written.contains("<Tag><Key>b&amp;c</Key><Value></Value></Tag>"));
        assert_eq!(parse_document(written.as_bytes()).unwrap(), tags.pairs());
        assert_eq!(
            parse_document(b"<Tagging><TagSet/></Tagging>").unwrap(),
            pairs(&[])
        );
        for bad in [
            &b"<Tagging/>"[..],
            b"<Other><TagSet/></Other>",
            b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
            b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
            b"<Tagging><TagSet><Other/></TagSet></Tagging>",
            b"<Tagging><TagSet>",
            b"not xml",
        ] {
            assert_eq!(parse_document(bad), Err(FormError::Document), "{bad:?}");
        }
        // More elements than 64 tags take is refused before it is read whole.
        let many: String = (0..70)
            .map(|i| format!("<Tag><Key>{i}</Key><Value>v</Value></Tag>"))
            .collect();
        let big = format!("<Tagging><TagSet>{many}</TagSet></Tagging>");
        assert_eq!(parse_document(big.as_bytes()), Err(FormError::Document));
    }

    #[test]
    fn directives_read_in_any_case() {
        assert_eq!(Directive::parse("COPY"), Some(Directive::Copy));
        assert_eq!(Directive::parse("Replace"), Some(Directive::Replace));
        assert_eq!(Directive::parse(" replace "), Some(Directive::Replace));
        assert_eq!(Directive::parse("MOVE"), None);
    }
}
