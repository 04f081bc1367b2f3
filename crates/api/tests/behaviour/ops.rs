//! The operations the tests use, written once over [`Dialect`].

use crate::dialect::{Dialect, Listing, Versioning, Versions, content_md5};
use crate::harness::{Call, Client, Resp};
use http::Method;

impl Client {
    pub fn d(&self) -> Dialect {
        self.dialect
    }

    pub async fn create_bucket(&self, bucket: &str) {
        let d = self.d();
        self.send(Call::new(Method::PUT, d.path(bucket, None)))
            .await
            .expect(200);
    }

    pub async fn set_versioning(&self, bucket: &str, v: Versioning) -> Resp {
        let d = self.d();
        let body = d.versioning_doc(v);
        self.send(Call::new(Method::PUT, format!("{}?versioning", d.path(bucket, None))).body(body))
            .await
    }

    /// A GET of the bucket with `query` (`?versioning`, …), which must succeed.
    async fn get_bucket(&self, bucket: &str, query: &str) -> Resp {
        let target = format!("{}{query}", self.d().path(bucket, None));
        self.send(Call::new(Method::GET, target)).await.expect(200)
    }

    pub async fn versioning(&self, bucket: &str) -> Versioning {
        let r = self.get_bucket(bucket, "?versioning").await;
        self.d().read_versioning(&r)
    }

    /// A bucket with versioning enabled.
    pub async fn versioned_bucket(&self, bucket: &str) {
        self.create_bucket(bucket).await;
        self.set_versioning(bucket, Versioning::Enabled)
            .await
            .expect(200);
    }

    pub async fn put(&self, bucket: &str, key: &str, data: &[u8]) -> Resp {
        let d = self.d();
        self.send(Call::new(Method::PUT, d.path(bucket, Some(key))).body(data))
            .await
    }

    /// Puts and returns the version ID the answer reports (`None` when it has none).
    pub async fn put_ok(&self, bucket: &str, key: &str, data: &[u8]) -> Option<String> {
        let r = self.put(bucket, key, data).await.expect(200);
        r.header(&self.d().h("version-id")).map(str::to_owned)
    }

    fn versioned(&self, bucket: &str, key: &str, version: Option<&str>) -> String {
        let p = self.d().path(bucket, Some(key));
        match version {
            Some(v) => format!("{p}?versionId={v}"),
            None => p,
        }
    }

    pub async fn get(&self, bucket: &str, key: &str, version: Option<&str>) -> Resp {
        self.send(Call::new(Method::GET, self.versioned(bucket, key, version)))
            .await
    }

    /// The body of the object (version), which must exist.
    pub async fn read(&self, bucket: &str, key: &str, version: Option<&str>) -> Vec<u8> {
        self.get(bucket, key, version)
            .await
            .expect(200)
            .body
            .to_vec()
    }

    pub async fn head(&self, bucket: &str, key: &str, version: Option<&str>) -> Resp {
        self.send(Call::new(
            Method::HEAD,
            self.versioned(bucket, key, version),
        ))
        .await
    }

    pub async fn delete(&self, bucket: &str, key: &str, version: Option<&str>) -> Resp {
        self.send(Call::new(
            Method::DELETE,
            self.versioned(bucket, key, version),
        ))
        .await
    }

    pub async fn multi_delete(
        &self,
        bucket: &str,
        entries: &[(&str, Option<&str>)],
        quiet: bool,
    ) -> Resp {
        let d = self.d();
        let body = d.delete_doc(entries, quiet);
        let call = Call::new(Method::POST, format!("{}?delete", d.path(bucket, None)))
            .header("content-md5", content_md5(&body))
            .body(body);
        self.send(call).await
    }

    pub async fn list(
        &self,
        bucket: &str,
        v2: bool,
        prefix: &str,
        delimiter: Option<&str>,
        max: u32,
        from: Option<&str>,
    ) -> Listing {
        let d = self.d();
        let r = self
            .get_bucket(bucket, &d.list_query(v2, prefix, delimiter, max, from))
            .await;
        d.read_listing(&r)
    }

    /// Every key and common prefix, a page of `max` at a time; also the number of pages.
    pub async fn list_all(
        &self,
        bucket: &str,
        v2: bool,
        prefix: &str,
        delimiter: Option<&str>,
        max: u32,
    ) -> (Vec<String>, Vec<String>, usize) {
        let (mut keys, mut prefixes, mut pages) = (Vec::new(), Vec::new(), 0);
        let mut from: Option<String> = None;
        loop {
            let page = self
                .list(bucket, v2, prefix, delimiter, max, from.as_deref())
                .await;
            pages += 1;
            assert!(page.keys.len() + page.prefixes.len() <= max as usize);
            keys.extend(page.keys);
            prefixes.extend(page.prefixes);
            if !page.truncated {
                return (keys, prefixes, pages);
            }
            from = Some(page.next.expect("a truncated page says where to go on"));
            assert!(pages < 100, "listing does not end");
        }
    }

    pub async fn versions(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        max: u32,
        from: Option<&(String, String)>,
    ) -> Versions {
        let d = self.d();
        let r = self
            .get_bucket(bucket, &d.versions_query(prefix, delimiter, max, from))
            .await;
        d.read_versions(&r)
    }

    /// Every version entry of the bucket under `prefix`, in one listing.
    pub async fn all_versions(&self, bucket: &str) -> Vec<crate::dialect::Entry> {
        let v = self.versions(bucket, "", None, 1000, None).await;
        assert!(!v.truncated);
        v.entries
    }

    pub async fn initiate(&self, bucket: &str, key: &str) -> String {
        let d = self.d();
        let r = self
            .send(Call::new(
                Method::POST,
                format!("{}?uploads", d.path(bucket, Some(key))),
            ))
            .await
            .expect(200);
        d.read_upload_id(&r)
    }

    fn part_target(&self, bucket: &str, key: &str, id: &str, n: u32) -> String {
        let p = self.d().path(bucket, Some(key));
        format!("{p}?partNumber={n}&uploadId={id}")
    }

    /// Uploads part `n` and returns its ETag.
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        id: &str,
        n: u32,
        data: &[u8],
    ) -> String {
        let target = self.part_target(bucket, key, id, n);
        let r = self
            .send(Call::new(Method::PUT, target).body(data))
            .await
            .expect(200);
        r.header("etag").expect("an ETag").to_owned()
    }

    pub async fn copy_part(
        &self,
        bucket: &str,
        key: &str,
        id: &str,
        n: u32,
        source: &str,
        range: Option<&str>,
    ) -> Resp {
        let d = self.d();
        let mut call = Call::new(Method::PUT, self.part_target(bucket, key, id, n))
            .header(d.h("copy-source"), source);
        if let Some(r) = range {
            call = call.header(d.h("copy-source-range"), r);
        }
        self.send(call).await
    }

    pub async fn complete(
        &self,
        bucket: &str,
        key: &str,
        id: &str,
        parts: &[(u32, String)],
    ) -> Resp {
        let d = self.d();
        let target = format!("{}?uploadId={id}", d.path(bucket, Some(key)));
        self.send(Call::new(Method::POST, target).body(d.complete_doc(parts)))
            .await
    }

    pub async fn list_parts(&self, bucket: &str, key: &str, id: &str) -> Resp {
        let target = format!("{}?uploadId={id}", self.d().path(bucket, Some(key)));
        self.send(Call::new(Method::GET, target)).await
    }

    pub async fn abort(&self, bucket: &str, key: &str, id: &str) -> Resp {
        let target = format!("{}?uploadId={id}", self.d().path(bucket, Some(key)));
        self.send(Call::new(Method::DELETE, target)).await
    }

    /// Panics unless `r` is the dialect's error `code` with `status`, its format's
    /// content type and a request ID.
    #[track_caller]
    pub fn assert_error(&self, r: &Resp, status: u16, code: &str) {
        let d = self.d();
        assert_eq!(r.status.as_u16(), status, "{}", r.text());
        let id = r.header(&d.request_id_header());
        assert!(
            id.is_some_and(|id| !id.is_empty()),
            "no request ID: {:?}",
            r.headers
        );
        if !r.body.is_empty() {
            assert_eq!(r.header("content-type"), Some(d.error_content_type()));
            assert_eq!(d.error_code(r).as_deref(), Some(code), "{}", r.text());
        }
    }
}
