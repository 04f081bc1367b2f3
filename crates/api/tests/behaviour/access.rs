//! Access control as every dialect carries it: a canned public-read object is read
//! anonymously (in S3's shape on S3's and OSS's address form, in BOS's on BOS's `/v1/`), a
//! private one is not; and with AWS's 2023 defaults a new bucket refuses ACLs and public
//! access.

use crate::dialect::Dialect;
use crate::each_dialect;
use crate::harness::{Call, Client, HOST, Resp, Server};
use http::{HeaderMap, HeaderValue, Method};

each_dialect!(
    a_public_read_object_is_read_anonymously,
    aws_2023_defaults_turn_acls_off_and_block_public_access,
);

/// The header of a canned ACL on a PutObject.
fn object_acl_header(d: Dialect) -> &'static str {
    match d {
        Dialect::S3 => "x-amz-acl",
        Dialect::Oss => "x-oss-object-acl",
        Dialect::Bos => "x-bce-acl",
    }
}

async fn put_with_acl(c: &Client, bucket: &str, key: &str, acl: &str) -> Resp {
    let d = c.d();
    let call = Call::new(Method::PUT, d.path(bucket, Some(key)))
        .header(object_acl_header(d), acl)
        .body(b"for everyone".to_vec());
    c.send(call).await
}

async fn anonymous_get(c: &Client, bucket: &str, key: &str) -> Resp {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static(HOST));
    c.raw(Method::GET, &c.d().path(bucket, Some(key)), h, Vec::new())
        .await
}

/// The shape an anonymous request on `d`'s address form is answered in.
fn anonymous_shape(s: &Server, d: Dialect) -> Client {
    s.client(if d == Dialect::Bos { d } else { Dialect::S3 })
}

async fn a_public_read_object_is_read_anonymously(d: Dialect) {
    let s = Server::start().await;
    let c = s.client(d);
    c.create_bucket("acl-bkt").await;
    put_with_acl(&c, "acl-bkt", "public", "public-read")
        .await
        .expect(200);
    c.put("acl-bkt", "private", b"mine").await.expect(200);
    let r = anonymous_get(&c, "acl-bkt", "public").await.expect(200);
    assert_eq!(&r.body[..], b"for everyone");
    let log = r.log.expect("a log record");
    assert!(log.anonymous && log.access_key.is_none());
    let r = anonymous_get(&c, "acl-bkt", "private").await;
    anonymous_shape(&s, d).assert_error(&r, 403, "AccessDenied");
    // Another user is no more than anonymous to the private object.
    let other = s.client_as(d, crate::harness::OTHER);
    let r = other.get("acl-bkt", "private", None).await;
    other.assert_error(&r, 403, "AccessDenied");
    assert_eq!(other.read("acl-bkt", "public", None).await, b"for everyone");
}

async fn aws_2023_defaults_turn_acls_off_and_block_public_access(d: Dialect) {
    let s = Server::start_with(true).await;
    let c = s.client(d);
    c.create_bucket("acl-bkt").await;
    let r = put_with_acl(&c, "acl-bkt", "public", "public-read").await;
    let code = match d {
        Dialect::S3 => "AccessControlListNotSupported",
        Dialect::Oss | Dialect::Bos => "InvalidArgument",
    };
    c.assert_error(&r, 400, code);
    c.put("acl-bkt", "plain", b"mine").await.expect(200);
    let r = anonymous_get(&c, "acl-bkt", "plain").await;
    anonymous_shape(&s, d).assert_error(&r, 403, "AccessDenied");
    assert_eq!(c.read("acl-bkt", "plain", None).await, b"mine");
}

/// S3's and OSS's listings (of versions, and of objects) name who wrote each entry: the
/// bucket's owner, or the user a public-read-write bucket let write.
#[tokio::test]
async fn listings_name_who_wrote_each_version() {
    use crate::harness::{Node, OTHER};
    for d in [Dialect::S3, Dialect::Oss] {
        let s = Server::start().await;
        let c = s.client(d);
        let acl = if d == Dialect::S3 {
            "x-amz-acl"
        } else {
            "x-oss-acl"
        };
        c.send(Call::new(Method::PUT, d.path("rw-bkt", None)).header(acl, "public-read-write"))
            .await
            .expect(200);
        c.put("rw-bkt", "admins", b"a").await.expect(200);
        s.client_as(d, OTHER)
            .put("rw-bkt", "others", b"o")
            .await
            .expect(200);
        let r = c
            .send(Call::new(
                Method::GET,
                format!("{}?versions", d.path("rw-bkt", None)),
            ))
            .await
            .expect(200);
        let doc = Node::parse(&r.body);
        let owners: Vec<(String, String)> = doc
            .all("Version")
            .map(|v| {
                let owner = v.child("Owner").expect("an Owner");
                (v.get("Key").unwrap(), owner.get("ID").unwrap())
            })
            .collect();
        assert_eq!(
            owners,
            vec![
                ("admins".to_owned(), crate::harness::ADMIN.0.to_owned()),
                ("others".to_owned(), OTHER.0.to_owned()),
            ],
            "{d:?}"
        );
        let r = c
            .send(Call::new(Method::GET, d.path("rw-bkt", None)))
            .await
            .expect(200);
        let doc = Node::parse(&r.body);
        let owners: Vec<String> = doc
            .all("Contents")
            .map(|o| o.child("Owner").expect("an Owner").get("ID").unwrap())
            .collect();
        assert_eq!(owners, [crate::harness::ADMIN.0, OTHER.0], "{d:?}");
    }
}

/// BOS's object listing names who wrote each object too.
#[tokio::test]
async fn bos_listings_name_who_wrote_each_object() {
    use crate::harness::OTHER;
    let d = Dialect::Bos;
    let s = Server::start().await;
    let c = s.client(d);
    c.send(Call::new(Method::PUT, d.path("rw-bkt", None)).header("x-bce-acl", "public-read-write"))
        .await
        .expect(200);
    c.put("rw-bkt", "admins", b"a").await.expect(200);
    s.client_as(d, OTHER)
        .put("rw-bkt", "others", b"o")
        .await
        .expect(200);
    let r = c
        .send(Call::new(Method::GET, d.path("rw-bkt", None)))
        .await
        .expect(200);
    let doc: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    let owners: Vec<&str> = doc["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .map(|o| o["owner"]["id"].as_str().expect("an owner id"))
        .collect();
    assert_eq!(owners, [crate::harness::ADMIN.0, OTHER.0]);
}
