//! The route table: what each method, address and sub-resource becomes in each dialect.

use super::*;
use crate::pipeline::Dialect;
use http::HeaderMap;

const S3: Routes = <crate::s3::S3Api as Dialect>::ROUTES;
const OSS: Routes = <crate::oss::OssApi as Dialect>::ROUTES;
const BOS: Routes = <crate::bos::BosApi as Dialect>::ROUTES;

fn op(
    routes: &Routes,
    method: &str,
    uri: &str,
    headers: &[&'static str],
) -> Result<Operation, Unrouted> {
    let mut h = HeaderMap::new();
    for name in headers {
        h.insert(*name, "b/k".parse().unwrap());
    }
    let req = RequestParts::new(method.parse().unwrap(), &uri.parse().unwrap(), h, &[]).unwrap();
    route(routes, &req)
}

#[test]
fn the_shared_shape_routes_alike_in_every_dialect() {
    use Operation::*;
    let cases: &[(&str, &str, Operation)] = &[
        ("GET", "/", ListBuckets),
        ("PUT", "/b", CreateBucket),
        ("DELETE", "/b", DeleteBucket),
        ("PUT", "/b?versioning", PutBucketVersioning),
        ("GET", "/b?versioning", GetBucketVersioning),
        ("GET", "/b?location", GetBucketLocation),
        ("GET", "/b?versions", ListObjectVersions),
        ("GET", "/b?uploads", ListMultipartUploads),
        ("GET", "/b", ListObjects),
        ("POST", "/b?delete", DeleteObjects),
        ("PUT", "/b/k", PutObject),
        ("GET", "/b/k", GetObject),
        ("HEAD", "/b/k", HeadObject),
        ("DELETE", "/b/k", DeleteObject),
        ("DELETE", "/b/k?versionId=x", DeleteObject),
        ("POST", "/b/k?uploads", CreateMultipartUpload),
        ("PUT", "/b/k?partNumber=1&uploadId=u", UploadPart),
        ("GET", "/b/k?uploadId=u", ListParts),
        ("DELETE", "/b/k?uploadId=u", AbortMultipartUpload),
        ("POST", "/b/k?uploadId=u", CompleteMultipartUpload),
    ];
    for routes in [&S3, &OSS, &BOS] {
        for (method, uri, want) in cases {
            assert_eq!(op(routes, method, uri, &[]), Ok(*want), "{method} {uri}");
        }
        let copy = [routes.copy_source];
        assert_eq!(op(routes, "PUT", "/b/k", &copy), Ok(CopyObject));
        assert_eq!(
            op(routes, "PUT", "/b/k?partNumber=1&uploadId=u", &copy),
            Ok(UploadPartCopy)
        );
        // A copy-source header of another dialect makes no copy.
        let other = if routes.copy_source == S3.copy_source {
            OSS.copy_source
        } else {
            S3.copy_source
        };
        assert_eq!(op(routes, "PUT", "/b/k", &[other]), Ok(PutObject));
    }
}

#[test]
fn dialect_differences_are_data() {
    use Operation::*;
    // HEAD of a bucket: HeadBucket in S3 and BOS; in OSS, the GET it names.
    assert_eq!(op(&S3, "HEAD", "/b", &[]), Ok(HeadBucket));
    assert_eq!(op(&BOS, "HEAD", "/b", &[]), Ok(HeadBucket));
    assert_eq!(op(&OSS, "HEAD", "/b", &[]), Ok(ListObjects));
    assert_eq!(
        op(&OSS, "HEAD", "/b?versioning", &[]),
        Ok(GetBucketVersioning)
    );
    // Sub-resources only some dialects have.
    assert_eq!(op(&OSS, "GET", "/b?bucketInfo", &[]), Ok(GetBucketInfo));
    assert_eq!(op(&S3, "GET", "/b?bucketInfo", &[]), Ok(ListObjects));
    assert_eq!(op(&OSS, "HEAD", "/b/k?objectMeta", &[]), Ok(GetObjectMeta));
    assert_eq!(op(&S3, "HEAD", "/b/k?objectMeta", &[]), Ok(HeadObject));
    assert_eq!(
        op(&S3, "GET", "/b/k?attributes", &[]),
        Ok(GetObjectAttributes)
    );
    assert_eq!(op(&BOS, "GET", "/b/k?attributes", &[]), Ok(GetObject));
    assert_eq!(op(&S3, "GET", "/b?list-type=2", &[]), Ok(ListObjectsV2));
    assert_eq!(op(&BOS, "GET", "/b?list-type=2", &[]), Ok(ListObjects));
    for routes in [&S3, &OSS, &BOS] {
        assert_eq!(op(routes, "GET", "/b?acl", &[]), Ok(GetBucketAcl));
        assert_eq!(op(routes, "PUT", "/b?acl", &[]), Ok(PutBucketAcl));
        assert_eq!(op(routes, "GET", "/b/k?acl", &[]), Ok(GetObjectAcl));
        assert_eq!(op(routes, "PUT", "/b/k?acl", &[]), Ok(PutObjectAcl));
    }
    // Only BOS deletes an object's ACL; a DELETE of `?acl` elsewhere deletes the object.
    assert_eq!(op(&BOS, "DELETE", "/b/k?acl", &[]), Ok(DeleteObjectAcl));
    assert_eq!(op(&S3, "DELETE", "/b/k?acl", &[]), Ok(DeleteObject));
    // Policies and public access blocks are S3's and OSS's; Object Ownership S3's alone.
    for routes in [&S3, &OSS] {
        assert_eq!(op(routes, "PUT", "/b?policy", &[]), Ok(PutBucketPolicy));
        assert_eq!(op(routes, "GET", "/b?policy", &[]), Ok(GetBucketPolicy));
        assert_eq!(
            op(routes, "DELETE", "/b?policy", &[]),
            Ok(DeleteBucketPolicy)
        );
        assert_eq!(
            op(routes, "GET", "/b?policyStatus", &[]),
            Ok(GetBucketPolicyStatus)
        );
        assert_eq!(
            op(routes, "DELETE", "/b?publicAccessBlock", &[]),
            Ok(DeletePublicAccessBlock)
        );
    }
    assert_eq!(
        op(&S3, "PUT", "/b?ownershipControls", &[]),
        Ok(PutBucketOwnershipControls)
    );
    assert_eq!(
        op(&OSS, "PUT", "/b?ownershipControls", &[]),
        Ok(CreateBucket)
    );
    assert_eq!(op(&BOS, "GET", "/b?policy", &[]), Ok(ListObjects));
}

#[test]
fn methods_without_an_operation_and_refused_features() {
    for routes in [&S3, &OSS, &BOS] {
        assert_eq!(
            op(routes, "PUT", "/", &[]),
            Err(Unrouted::MethodNotAllowed { service: true })
        );
        assert_eq!(
            op(routes, "POST", "/b/k", &[]),
            Err(Unrouted::MethodNotAllowed { service: false })
        );
        assert_eq!(
            op(routes, "PATCH", "/b", &[]),
            Err(Unrouted::MethodNotAllowed { service: false })
        );
    }
    assert!(matches!(
        op(&S3, "GET", "/b?logging", &[]),
        Err(Unrouted::Refused(_))
    ));
    assert!(matches!(
        op(&OSS, "GET", "/b?logging", &[]),
        Err(Unrouted::Refused(_))
    ));
}

#[test]
fn cors_routes_in_every_dialect_by_its_methods_only() {
    use Operation::*;
    for routes in [&S3, &OSS, &BOS] {
        let at = |m| op(routes, m, "/b?cors", &[]);
        assert_eq!(at("PUT"), Ok(PutBucketCors));
        assert_eq!(at("GET"), Ok(GetBucketCors));
        assert_eq!(at("DELETE"), Ok(DeleteBucketCors));
        // Never a DeleteObjects or a CreateBucket, nor an object's read or write that
        // ignores it.
        assert!(at("POST").is_err());
        for m in ["GET", "PUT", "DELETE", "HEAD"] {
            assert!(op(routes, m, "/b/k?cors", &[]).is_err(), "{m}");
        }
    }
    // OSS answers HEAD of a bucket as the GET it names.
    assert_eq!(op(&OSS, "HEAD", "/b?cors", &[]), Ok(GetBucketCors));
}

#[test]
fn lifecycle_routes_in_every_dialect_by_its_methods_only() {
    use Operation::*;
    for routes in [&S3, &OSS, &BOS] {
        let at = |m| op(routes, m, "/b?lifecycle", &[]);
        assert_eq!(at("PUT"), Ok(PutBucketLifecycleConfiguration));
        assert_eq!(at("GET"), Ok(GetBucketLifecycleConfiguration));
        assert_eq!(at("DELETE"), Ok(DeleteBucketLifecycle));
        // Never a DeleteObjects, nor an object's read or write that ignores it.
        assert!(at("POST").is_err());
        for m in ["GET", "PUT", "DELETE"] {
            assert!(op(routes, m, "/b/k?lifecycle", &[]).is_err(), "{m}");
        }
    }
}

#[test]
fn tagging_routes_on_objects_and_buckets_in_every_dialect_by_its_methods_only() {
    use Operation::*;
    for routes in [&S3, &OSS, &BOS] {
        let object = |m| op(routes, m, "/b/k?tagging", &[]);
        assert_eq!(object("PUT"), Ok(PutObjectTagging));
        assert_eq!(object("GET"), Ok(GetObjectTagging));
        assert_eq!(object("DELETE"), Ok(DeleteObjectTagging));
        // Never a PutObject or a copy that ignores it, nor a HEAD or POST.
        assert_eq!(
            op(routes, "PUT", "/b/k?tagging", &[routes.copy_source]),
            Ok(PutObjectTagging)
        );
        assert!(object("POST").is_err() && object("HEAD").is_err());
        let bucket = |m| op(routes, m, "/b?tagging", &[]);
        assert_eq!(bucket("PUT"), Ok(PutBucketTagging));
        assert_eq!(bucket("GET"), Ok(GetBucketTagging));
        assert_eq!(bucket("DELETE"), Ok(DeleteBucketTagging));
        assert!(bucket("POST").is_err());
        // The versioned forms name the version's actions.
        let req = |uri: &str| {
            RequestParts::new(Method::GET, &uri.parse().unwrap(), HeaderMap::new(), &[]).unwrap()
        };
        assert_eq!(
            GetObjectTagging.action(&req("/b/k?tagging&versionId=v")),
            Some(Action::GetObjectVersionTagging)
        );
        assert_eq!(
            DeleteBucketTagging.action(&req("/b?tagging")),
            Some(Action::PutBucketTagging)
        );
    }
}

#[test]
fn get_object_attributes_is_judged_by_two_actions() {
    use Operation::*;
    let req = |uri: &str| {
        RequestParts::new(Method::GET, &uri.parse().unwrap(), HeaderMap::new(), &[]).unwrap()
    };
    let current = req("/b/k?attributes");
    let version = req("/b/k?attributes&versionId=v");
    assert_eq!(
        GetObjectAttributes.action(&current),
        Some(Action::GetObjectAttributes)
    );
    assert_eq!(
        GetObjectAttributes.also_action(&current),
        Some(Action::GetObject)
    );
    assert_eq!(
        GetObjectAttributes.action(&version),
        Some(Action::GetObjectVersionAttributes)
    );
    assert_eq!(
        GetObjectAttributes.also_action(&version),
        Some(Action::GetObjectVersion)
    );
    assert_eq!(GetObject.action(&req("/b/k")), Some(Action::GetObject));
    assert_eq!(GetObject.also_action(&req("/b/k")), None);
}

#[test]
fn retention_sub_resources_route_only_where_served_and_only_by_their_methods() {
    use Operation::*;
    let lock = Routes {
        object_lock: true,
        ..S3
    };
    let worm = |rule, complete, extend| Routes {
        worm: Some(WormQueries {
            rule,
            complete,
            extend,
        }),
        ..OSS
    };
    let (oss, bos) = (
        worm("worm", "wormId", "wormExtend"),
        worm("objectlock", "completeobjectlock", "extendobjectlock"),
    );
    let served: &[(&Routes, &str, &str, Operation)] = &[
        (&lock, "PUT", "/b?object-lock", PutObjectLockConfiguration),
        (&lock, "GET", "/b?object-lock", GetObjectLockConfiguration),
        (&lock, "PUT", "/b/k?retention", PutObjectRetention),
        (
            &lock,
            "GET",
            "/b/k?retention&versionId=v",
            GetObjectRetention,
        ),
        (&lock, "PUT", "/b/k?legal-hold", PutObjectLegalHold),
        (&lock, "GET", "/b/k?legal-hold", GetObjectLegalHold),
        (&oss, "POST", "/b?worm", InitiateBucketWorm),
        (&oss, "DELETE", "/b?worm", AbortBucketWorm),
        (&oss, "GET", "/b?worm", GetBucketWorm),
        (&oss, "POST", "/b?wormId=1", CompleteBucketWorm),
        (&oss, "POST", "/b?wormId=1&wormExtend", ExtendBucketWorm),
        (&bos, "POST", "/b?objectlock", InitiateBucketWorm),
        (&bos, "DELETE", "/b?objectlock", AbortBucketWorm),
        (&bos, "GET", "/b?objectlock", GetBucketWorm),
        (&bos, "POST", "/b?completeobjectlock", CompleteBucketWorm),
        (&bos, "POST", "/b?extendobjectlock", ExtendBucketWorm),
    ];
    for (routes, method, uri, want) in served {
        assert_eq!(op(routes, method, uri, &[]), Ok(*want), "{method} {uri}");
    }
    // Another method on them is no operation: never a CreateBucket, DeleteBucket, PutObject
    // or DeleteObject that ignores the sub-resource.
    let none: &[(&Routes, &str, &str)] = &[
        (&lock, "DELETE", "/b?object-lock"),
        (&lock, "POST", "/b?object-lock"),
        (&lock, "DELETE", "/b/k?retention"),
        (&lock, "POST", "/b/k?legal-hold"),
        (&oss, "PUT", "/b?worm"),
        (&oss, "DELETE", "/b?wormId=1"),
        (&bos, "PUT", "/b?objectlock"),
        (&bos, "DELETE", "/b?extendobjectlock"),
    ];
    for (routes, method, uri) in none {
        assert!(
            matches!(
                op(routes, method, uri, &[]),
                Err(Unrouted::MethodNotAllowed { .. })
            ),
            "{method} {uri}"
        );
    }
}

#[test]
fn append_routes_in_oss_and_bos_only_by_post() {
    assert_eq!(
        op(&OSS, "POST", "/b/k?append&position=0", &[]),
        Ok(Operation::AppendObject)
    );
    assert_eq!(
        op(&BOS, "POST", "/b/k?append&offset=3", &[]),
        Ok(Operation::AppendObject)
    );
    assert_eq!(
        op(&BOS, "POST", "/b/k?append", &[]),
        Ok(Operation::AppendObject)
    );
    // S3 has no appends.
    assert!(op(&S3, "POST", "/b/k?append", &[]).is_err());
}
