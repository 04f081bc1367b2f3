"""Fixtures of the S3 suite: boto3 clients, fresh buckets, and environments for the CLI tools.

Every client is boto3 1.44.5 as people configure it for an S3-compatible endpoint: SigV4
(`s3v4`), path-style addressing, region us-east-1, the SDK's default checksum behaviour
(`when_supported`: CRC32 on uploads, response validation on GET), and no retries, so a test
sees the first answer the server gives. The process environment is made hermetic for the
session: no AWS_* variables and empty AWS config/credentials files, so nothing on the
machine (e.g. ~/.aws) changes what boto3 sends.
"""

from __future__ import annotations

import os

import boto3
import pytest
from botocore.config import Config

from ..common import unique_bucket_name

REGION = "us-east-1"


def client_config(**overrides) -> Config:
    settings = dict(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        request_checksum_calculation="when_supported",
        response_checksum_validation="when_supported",
    )
    settings.update(overrides)
    return Config(**settings)


@pytest.fixture(scope="session")
def aws_environment(tmp_path_factory):
    """No AWS_* variable or ~/.aws file of the machine reaches boto3 during the session."""
    home = tmp_path_factory.mktemp("aws-home")
    (home / "config").write_text("")
    (home / "credentials").write_text("")
    mp = pytest.MonkeyPatch()
    for name in list(os.environ):
        if name.startswith("AWS_"):
            mp.delenv(name)
    mp.setenv("AWS_CONFIG_FILE", str(home / "config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield
    mp.undo()


@pytest.fixture(scope="session")
def boto_session(server, aws_environment):
    return boto3.session.Session(
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name=REGION,
    )


def make_client(session, server, **config):
    return session.client("s3", endpoint_url=server.endpoint, config=client_config(**config))


@pytest.fixture(scope="session")
def admin(boto_session, server):
    """Sets up and cleans up what a test does not examine (never gets event hooks)."""
    return make_client(boto_session, server)


@pytest.fixture
def s3(boto_session, server):
    """The client a test examines: its own, so event hooks never leak between tests."""
    return make_client(boto_session, server)


@pytest.fixture
def make_s3(boto_session, server):
    """Builds more clients: make_s3(secret_key=..., access_key=..., **Config options)."""

    def make(access_key=None, secret_key=None, **config):
        if access_key is None and secret_key is None:
            return make_client(boto_session, server, **config)
        return boto3.session.Session(
            aws_access_key_id=access_key or server.access_key,
            aws_secret_access_key=secret_key or server.secret_key,
            region_name=REGION,
        ).client("s3", endpoint_url=server.endpoint, config=client_config(**config))

    return make


def empty_bucket(admin, bucket: str) -> None:
    """Best effort: delete every version, delete marker and multipart upload of `bucket`."""
    for _ in range(200):  # bounded: a broken server must not loop forever
        try:
            page = admin.list_object_versions(Bucket=bucket, MaxKeys=1000)
        except Exception:
            break
        entries = [{"Key": e["Key"], "VersionId": e["VersionId"]}
                   for e in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if not entries:
            break
        try:
            admin.delete_objects(Bucket=bucket, Delete={"Objects": entries, "Quiet": True})
        except Exception:
            break
    for _ in range(200):  # in case the versions listing is broken
        try:
            keys = [{"Key": o["Key"]} for o in
                    admin.list_objects_v2(Bucket=bucket, MaxKeys=1000).get("Contents", [])]
        except Exception:
            break
        if not keys:
            break
        try:
            admin.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        except Exception:
            break
    try:
        for u in admin.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            try:
                admin.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
            except Exception:
                pass
    except Exception:
        pass


def remove_bucket(admin, bucket: str) -> None:
    empty_bucket(admin, bucket)
    try:
        admin.delete_bucket(Bucket=bucket)
    except Exception:
        pass


@pytest.fixture
def new_bucket_name(request, admin):
    """make() returns a fresh unique name; whatever got created under it is removed after."""
    names = []

    def make() -> str:
        name = unique_bucket_name(f"{request.node.nodeid}#{len(names)}")
        names.append(name)
        return name

    yield make
    for name in names:
        remove_bucket(admin, name)


@pytest.fixture
def bucket_name(new_bucket_name):
    return new_bucket_name()


def create_bucket(admin, name: str, versioning: str | None = None) -> str:
    try:
        admin.create_bucket(Bucket=name)
        if versioning:
            admin.put_bucket_versioning(Bucket=name,
                                        VersioningConfiguration={"Status": versioning})
        failure = None
    except Exception as e:  # reported without a traceback into boto3
        failure = f"setup: creating bucket {name} (versioning {versioning}) failed: {e}"
    if failure:
        pytest.fail(failure, pytrace=False)
    return name


@pytest.fixture
def bucket(bucket_name, admin):
    """A fresh, empty, never-versioned bucket."""
    return create_bucket(admin, bucket_name)


@pytest.fixture
def versioned_bucket(bucket_name, admin):
    """A fresh bucket with versioning Enabled."""
    return create_bucket(admin, bucket_name, "Enabled")


@pytest.fixture
def other_bucket(new_bucket_name, admin):
    """A second fresh never-versioned bucket."""
    return create_bucket(admin, new_bucket_name())
