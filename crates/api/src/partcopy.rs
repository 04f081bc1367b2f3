//! UploadPartCopy, shared by the three dialects: the copy-source range a request names, the
//! read of the source it is resolved against, and the write of that read into the part.
//!
//! Each dialect names the source itself (its `object::copy_source`: bucket, key and version
//! from `x-amz-copy-source`, `x-oss-copy-source` or `x-bce-copy-source`), checks the
//! copy-source conditions (parsed into the core's `Precondition`, which the core evaluates on
//! the version it reads), and renders the answer; everything between is here, so a part copy
//! reads its source in one place for all three.

use strata_core::{
    ByteRange, CoreError, Expect, ObjectRead, PartOutcome, Precondition, Store, VersionId,
};

/// What a copy-source range header may say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeForm {
    /// Only `bytes=first-last` (S3: any other form is InvalidArgument).
    FirstLast,
    /// One range of any form: `bytes=a-b`, `bytes=a-`, `bytes=-n`.
    Any,
}

/// A copy-source range header that is there but does not parse.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

/// The range a copy-source range header asks for: `None` when it is absent or empty (the BOS
/// JavaScript SDK sends an empty one when no range is given).
pub fn parse_range(header: Option<&str>, form: RangeForm) -> Result<Option<ByteRange>, Malformed> {
    let Some(h) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    match crate::httpfmt::parse_range(h) {
        Some(r @ ByteRange::Span { .. }) => Ok(Some(r)),
        Some(r) if form == RangeForm::Any => Ok(Some(r)),
        _ => Err(Malformed),
    }
}

/// What happens to a range that reaches past the end of the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PastEnd {
    /// Refused as `CoreError::InvalidRange`: a part is never shorter than asked for.
    Refuse,
    /// Cut at the end, as a GET does (OSS). A range that starts past the end is refused either
    /// way.
    Clamp,
}

/// Whether `range` lies wholly inside an object of `size` bytes.
fn within(range: ByteRange, size: u64) -> bool {
    match range {
        ByteRange::Span { first, last } => first <= last && last < size,
        ByteRange::From(first) => first < size,
        ByteRange::Suffix(n) => n > 0 && n <= size,
    }
}

/// Reads the source of a part copy: the version named (the current one without a version),
/// whole, or the range asked for. A range that selects nothing is `CoreError::InvalidRange`,
/// and so is one that reaches past the end with `PastEnd::Refuse`; a source that is a delete
/// marker is the core's `MethodNotAllowed` (named by version) or `NoSuchKey`.
/// The copy-source conditions `cond` are evaluated by the core against the very version read
/// (in the snapshot it is resolved in); any failure is `CoreError::PreconditionFailed`. The
/// body is that version's bytes, whatever is written to the key meanwhile.
pub async fn read_source(
    store: &Store,
    (bucket, key, version): (&str, &str, Option<VersionId>),
    range: Option<ByteRange>,
    past_end: PastEnd,
    cond: &Precondition,
) -> Result<ObjectRead, CoreError> {
    let read = store
        .get_object_if(bucket, key, version, range, cond)
        .await?;
    let size = read.version.data.size;
    if past_end == PastEnd::Refuse
        && let Some(r) = range
        && !within(r, size)
    {
        return Err(CoreError::InvalidRange { size });
    }
    Ok(read)
}

/// Writes what `read_source` read as part `part_number` of the upload. The part must come out
/// exactly as long as what was read (and, for a whole source, with the source's CRC-64), or
/// nothing is stored.
pub async fn upload(
    store: &Store,
    bucket: &str,
    key: &str,
    upload_id: &str,
    part_number: u32,
    read: ObjectRead,
) -> Result<PartOutcome, CoreError> {
    let data = &read.version.data;
    let expect = match read.range {
        Some((first, last)) => Expect {
            size: Some(last - first + 1),
            ..Default::default()
        },
        None => Expect {
            size: Some(data.size),
            crc64: Some(data.crc64),
            ..Default::default()
        },
    };
    store
        .upload_part(bucket, key, upload_id, part_number, expect, read.body)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_or_empty_header_is_no_range() {
        for form in [RangeForm::FirstLast, RangeForm::Any] {
            assert_eq!(parse_range(None, form), Ok(None));
            assert_eq!(parse_range(Some(""), form), Ok(None));
            assert_eq!(parse_range(Some("  "), form), Ok(None));
        }
    }

    #[test]
    fn first_last_takes_only_a_span() {
        let f = |h| parse_range(Some(h), RangeForm::FirstLast);
        assert_eq!(
            f("bytes=0-9"),
            Ok(Some(ByteRange::Span { first: 0, last: 9 }))
        );
        // The forms ceph/s3-tests' test_multipart_copy_improper_range sends, and open ends.
        for bad in [
            "0-2",
            "bytes=0",
            "bytes=hello-world",
            "bytes=0-bar",
            "bytes=hello-",
            "bytes=0-2,3-5",
            "bytes=5-",
            "bytes=-5",
        ] {
            assert_eq!(f(bad), Err(Malformed), "{bad}");
        }
    }

    #[test]
    fn any_takes_open_ends_too() {
        let f = |h| parse_range(Some(h), RangeForm::Any);
        assert_eq!(f("bytes=5-"), Ok(Some(ByteRange::From(5))));
        assert_eq!(f("bytes=-5"), Ok(Some(ByteRange::Suffix(5))));
        for bad in ["0-2", "bytes=", "bytes=a-b", "bytes=1-2,4-5"] {
            assert_eq!(f(bad), Err(Malformed), "{bad}");
        }
    }

    #[test]
    fn a_range_is_within_only_when_every_byte_is() {
        let span = |first, last| ByteRange::Span { first, last };
        assert!(within(span(0, 4), 5));
        assert!(within(span(4, 4), 5));
        assert!(!within(span(0, 5), 5));
        assert!(!within(span(0, 21), 5));
        assert!(!within(span(3, 2), 5));
        assert!(within(ByteRange::From(4), 5));
        assert!(!within(ByteRange::From(5), 5));
        assert!(within(ByteRange::Suffix(5), 5));
        assert!(!within(ByteRange::Suffix(6), 5));
        assert!(!within(ByteRange::Suffix(0), 5));
    }
}
