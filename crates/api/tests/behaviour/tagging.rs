//! Tagging in every dialect: a write's tagging header, `?tagging` on a version (each keeps its
//! own), the tag count of reads, and a bucket's tags. S3 and OSS read and write the `<Tagging>`
//! document, BOS its JSON (`tagSet`/`tagInfo` for objects, `tags` for buckets).

use crate::dialect::{Dialect, content_md5};
use crate::harness::{Call, Node, Resp};
use crate::{each_dialect, setup};
use http::Method;
use serde_json::{Value, json};

each_dialect!(each_version_keeps_its_own_tags, bucket_tags);

fn object_doc(d: Dialect, pairs: &[(&str, &str)]) -> Vec<u8> {
    match d {
        Dialect::Bos => {
            let info: Vec<Value> = pairs
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            json!({"tagSet": [{"tagInfo": info}]})
                .to_string()
                .into_bytes()
        }
        _ => xml_doc(pairs),
    }
}

fn xml_doc(pairs: &[(&str, &str)]) -> Vec<u8> {
    let tags: String = pairs
        .iter()
        .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
        .collect();
    format!("<Tagging><TagSet>{tags}</TagSet></Tagging>").into_bytes()
}

fn bucket_doc(d: Dialect, pairs: &[(&str, &str)]) -> Vec<u8> {
    match d {
        Dialect::Bos => {
            let tags: Vec<Value> = pairs
                .iter()
                .map(|(k, v)| json!({"tagKey": k, "tagValue": v}))
                .collect();
            json!({ "tags": tags }).to_string().into_bytes()
        }
        _ => xml_doc(pairs),
    }
}

/// The tags an answer carries, in its order.
fn tags_in(d: Dialect, r: &Resp) -> Vec<(String, String)> {
    match d {
        Dialect::Bos => {
            let doc: Value = serde_json::from_slice(&r.body).expect("JSON");
            if let Some(tags) = doc.get("tag").and_then(Value::as_array) {
                return tags
                    .iter()
                    .map(|t| {
                        (
                            t["tagKey"].as_str().unwrap().into(),
                            t["tagValue"].as_str().unwrap().into(),
                        )
                    })
                    .collect();
            }
            doc["tagSet"][0]["tagInfo"]
                .as_object()
                .expect("a tagInfo map")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        }
        _ => Node::parse(&r.body)
            .child("TagSet")
            .expect("a TagSet")
            .all("Tag")
            .map(|t| (t.get("Key").unwrap(), t.get("Value").unwrap()))
            .collect(),
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn tagging(path: String, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{path}?tagging&versionId={v}"),
        None => format!("{path}?tagging"),
    }
}

async fn each_version_keeps_its_own_tags(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.versioned_bucket("bkt").await;
    let path = d.path("bkt", Some("k"));
    let put = Call::new(Method::PUT, path.clone())
        .header(d.h("tagging"), "team=a&stage=old")
        .body(b"1".to_vec());
    let r = c.send(put).await.expect(200);
    let v1 = r.header(&d.h("version-id")).unwrap().to_owned();
    let v2 = c.put_ok("bkt", "k", b"2").await.unwrap();
    let get = |v: Option<&str>| Call::new(Method::GET, tagging(path.clone(), v));
    let r = c.send(get(Some(&v1))).await.expect(200);
    assert_eq!(tags_in(d, &r), pairs(&[("stage", "old"), ("team", "a")]));
    let r = c.send(get(None)).await.expect(200);
    assert_eq!(tags_in(d, &r), pairs(&[]));
    // The current version's, by document.
    let doc = object_doc(d, &[("z", "1"), ("b", "2")]);
    let put = Call::new(Method::PUT, tagging(path.clone(), None))
        .header("content-md5", content_md5(&doc))
        .body(doc);
    c.send(put).await.expect(200);
    let r = c.send(get(Some(&v2))).await.expect(200);
    assert_eq!(tags_in(d, &r), pairs(&[("b", "2"), ("z", "1")]));
    let r = c.head("bkt", "k", None).await.expect(200);
    assert_eq!(r.header(&d.h("tagging-count")), Some("2"));
    // The older one's, removed by ID; the current one keeps its own.
    let del = Call::new(Method::DELETE, tagging(path.clone(), Some(&v1)));
    assert!(c.send(del).await.status.is_success());
    let r = c.send(get(Some(&v1))).await.expect(200);
    assert_eq!(tags_in(d, &r), pairs(&[]));
    let r = c.head("bkt", "k", Some(&v1)).await.expect(200);
    assert_eq!(r.header(&d.h("tagging-count")), None);
    let r = c.send(get(None)).await.expect(200);
    assert_eq!(tags_in(d, &r).len(), 2);
}

async fn bucket_tags(d: Dialect) {
    let (_s, c) = setup(d).await;
    c.create_bucket("bkt").await;
    let path = format!("{}?tagging", d.path("bkt", None));
    let doc = bucket_doc(d, &[("team", "x"), ("cost", "1")]);
    let put = Call::new(Method::PUT, path.clone())
        .header("content-md5", content_md5(&doc))
        .body(doc);
    assert!(c.send(put).await.status.is_success());
    let r = c
        .send(Call::new(Method::GET, path.clone()))
        .await
        .expect(200);
    assert_eq!(tags_in(d, &r), pairs(&[("cost", "1"), ("team", "x")]));
    let r = c.send(Call::new(Method::DELETE, path.clone())).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = c.send(Call::new(Method::GET, path)).await;
    match d {
        // OSS answers an empty set; S3 and BOS, that there is none.
        Dialect::Oss => assert_eq!(tags_in(d, &r.expect(200)), pairs(&[])),
        _ => c.assert_error(&r, 404, "NoSuchTagSet"),
    }
}
