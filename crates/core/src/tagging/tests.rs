use super::*;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn n_tags(n: usize) -> Vec<(String, String)> {
    (0..n).map(|i| (i.to_string(), i.to_string())).collect()
}

#[test]
fn s3_object_tags_obey_s3_s_limits() {
    let r = &TagRules::S3_OBJECT;
    assert!(Tags::checked(n_tags(10), r).is_ok());
    assert_eq!(
        Tags::checked(n_tags(11), r),
        Err(TaggingError::TooMany { max: 10, got: 11 })
    );
    // 128 and 256 characters, not bytes: a key of 128 two-byte letters is fine.
    let key = "é".repeat(128);
    let value = "v".repeat(256);
    assert!(Tags::checked(pairs(&[(&key, &value)]), r).is_ok());
    assert_eq!(
        Tags::checked(pairs(&[(&"k".repeat(129), "v")]), r),
        Err(TaggingError::KeyTooLong { max: 128 })
    );
    assert_eq!(
        Tags::checked(pairs(&[("k", &"v".repeat(257))]), r),
        Err(TaggingError::ValueTooLong { max: 256 })
    );
    // Letters, numbers and spaces of any script, and + - = . _ : / @; an empty value.
    assert!(
        Tags::checked(
            pairs(&[("Grüße 名前 1", "a+b-c=d.e_f:g/h@i"), ("e", "")]),
            r
        )
        .is_ok()
    );
    assert!(matches!(
        Tags::checked(pairs(&[("a#b", "v")]), r),
        Err(TaggingError::InvalidKey(_))
    ));
    assert!(matches!(
        Tags::checked(pairs(&[("k", "a\nb")]), r),
        Err(TaggingError::InvalidValue(_))
    ));
    assert!(matches!(
        Tags::checked(pairs(&[("", "v")]), r),
        Err(TaggingError::InvalidKey(_))
    ));
    assert_eq!(
        Tags::checked(pairs(&[("k", "1"), ("k", "2")]), r),
        Err(TaggingError::DuplicateKey("k".into()))
    );
    assert_eq!(
        Tags::checked(pairs(&[("AWS:x", "1")]), r),
        Err(TaggingError::Reserved("aws:".into()))
    );
    // Buckets may have 50.
    assert!(Tags::checked(n_tags(50), &TagRules::S3_BUCKET).is_ok());
    assert!(Tags::checked(n_tags(51), &TagRules::S3_BUCKET).is_err());
}

#[test]
fn oss_and_bos_tags_obey_theirs() {
    for r in [&TagRules::OSS_OBJECT, &TagRules::BOS_OBJECT] {
        assert!(Tags::checked(n_tags(10), r).is_ok());
        assert!(Tags::checked(n_tags(11), r).is_err());
        assert!(Tags::checked(pairs(&[("a b+-=._:/", "0 9")]), r).is_ok());
        // ASCII letters only, and no `@`.
        assert!(Tags::checked(pairs(&[("名前", "v")]), r).is_err());
        assert!(Tags::checked(pairs(&[("k", "a@b")]), r).is_err());
        assert!(Tags::checked(pairs(&[("aws:k", "v")]), r).is_ok());
    }
    // OSS bucket tags: 20, keys of 64 bytes, values of 128, three reserved prefixes.
    let b = &TagRules::OSS_BUCKET;
    assert!(Tags::checked(n_tags(20), b).is_ok());
    assert!(Tags::checked(n_tags(21), b).is_err());
    assert!(Tags::checked(pairs(&[(&"é".repeat(32), "v")]), b).is_ok());
    assert!(Tags::checked(pairs(&[(&"é".repeat(33), "v")]), b).is_err());
    for reserved in ["http://x", "https://x", "aliyunX", "ALIYUN"] {
        assert!(
            Tags::checked(pairs(&[(reserved, "v")]), b).is_err(),
            "{reserved}"
        );
    }
}

#[test]
fn tags_are_kept_in_key_order() {
    let t = Tags::checked(
        pairs(&[("b", "1"), ("a", "2"), ("B", "3")]),
        &TagRules::S3_OBJECT,
    )
    .unwrap();
    assert_eq!(t.pairs(), pairs(&[("B", "3"), ("a", "2"), ("b", "1")]));
}

#[test]
fn tags_answer_what_they_hold() {
    let t = Tags::checked(pairs(&[("a", "1"), ("b", "2")]), &TagRules::S3_OBJECT).unwrap();
    assert_eq!(t.get("b"), Some("2"));
    assert_eq!(t.get("c"), None);
    assert!(t.contains_all(&pairs(&[("b", "2")])));
    assert!(t.contains_all(&[]));
    assert!(!t.contains_all(&pairs(&[("b", "1")])));
    assert_eq!(t.len(), 2);
    assert!(Tags::none().is_empty());
    // Stored as the list it is: postcard's encoding of the pairs, the empty set one byte.
    let bytes = postcard::to_stdvec(&t).unwrap();
    assert_eq!(bytes, postcard::to_stdvec(&t.pairs().to_vec()).unwrap());
    assert_eq!(postcard::to_stdvec(&Tags::none()).unwrap(), vec![0]);
}
