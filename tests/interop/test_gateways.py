"""The session's gateways: requests through the endpoint reach each of them, what one gateway
writes every other reads, and a bucket's configuration changed through one is in force on
all. With the single server of the default mode, the same checks over one gateway; with
`STRATA_GATEWAYS=N`, over N behind nginx (see gateways.py)."""

from __future__ import annotations

import json

import boto3
import pytest
import requests
from botocore.config import Config

from .common import unique_bucket_name
from .gateways import requests_served


def s3_client(server, endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1, "mode": "standard"}))


def test_requests_through_the_endpoint_reach_every_gateway(server):
    before = {g.name: requests_served(g.admin_endpoint) for g in server.gateways}
    sent = 4 * len(server.gateways)
    s3 = s3_client(server, server.endpoint)
    for _ in range(sent):
        s3.list_buckets()
    after = {g.name: requests_served(g.admin_endpoint) for g in server.gateways}
    served = {name: after[name] - before[name] for name in before}
    assert sum(served.values()) == sent, served
    assert all(n > 0 for n in served.values()), served


@pytest.fixture
def shared_bucket(request, server):
    s3 = s3_client(server, server.endpoint)
    name = unique_bucket_name(request.node.nodeid)
    s3.create_bucket(Bucket=name)
    yield name
    for v in s3.list_object_versions(Bucket=name).get("Versions", []):
        s3.delete_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
    for m in s3.list_object_versions(Bucket=name).get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=m["Key"], VersionId=m["VersionId"])
    s3.delete_bucket(Bucket=name)


def test_what_one_gateway_writes_every_gateway_reads(server, shared_bucket):
    clients = {g.name: s3_client(server, g.endpoint) for g in server.gateways}
    for name, s3 in clients.items():
        s3.put_object(Bucket=shared_bucket, Key=f"from-{name}", Body=f"written by {name}".encode())
    for reader, s3 in clients.items():
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=shared_bucket).get("Contents", [])]
        assert keys == sorted(f"from-{n}" for n in clients), (reader, keys)
        for writer in clients:
            body = s3.get_object(Bucket=shared_bucket, Key=f"from-{writer}")["Body"].read()
            assert body == f"written by {writer}".encode(), (reader, writer)


def test_versions_written_through_each_gateway_order_by_commit(server, shared_bucket):
    clients = [s3_client(server, g.endpoint) for g in server.gateways]
    clients[0].put_bucket_versioning(Bucket=shared_bucket,
                                     VersioningConfiguration={"Status": "Enabled"})
    written = []
    for round_ in range(2):
        for i, s3 in enumerate(clients):
            body = f"round {round_} gateway {i}".encode()
            written.append(s3.put_object(Bucket=shared_bucket, Key="k", Body=body)["VersionId"])
    for s3 in clients:
        versions = s3.list_object_versions(Bucket=shared_bucket, Prefix="k")["Versions"]
        # Newest first: the reverse of the order the writes were acknowledged in.
        assert [v["VersionId"] for v in versions] == written[::-1]
        assert [v["IsLatest"] for v in versions] == [True] + [False] * (len(written) - 1)
        latest = s3.get_object(Bucket=shared_bucket, Key="k")["Body"].read()
        assert latest == f"round 1 gateway {len(clients) - 1}".encode()


def test_a_bucket_policy_put_through_one_gateway_is_in_force_on_every_gateway(server,
                                                                             shared_bucket):
    """Each gateway keeps buckets' access configurations in memory between requests; a
    change made through another gateway must reach them (with one server, the same
    sequence checks the one cache)."""
    clients = [s3_client(server, g.endpoint) for g in server.gateways]
    clients[0].put_object(Bucket=shared_bucket, Key="k", Body=b"public soon")

    def anonymous_reads() -> list[int]:
        return [requests.get(f"{g.endpoint}/{shared_bucket}/k", timeout=10).status_code
                for g in server.gateways]

    assert anonymous_reads() == [403] * len(clients)  # every gateway has looked the bucket up
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{shared_bucket}/*"}]}
    clients[0].put_bucket_policy(Bucket=shared_bucket, Policy=json.dumps(policy))
    assert anonymous_reads() == [200] * len(clients)
    clients[-1].delete_bucket_policy(Bucket=shared_bucket)
    assert anonymous_reads() == [403] * len(clients)


def test_cors_rules_put_through_one_gateway_answer_preflights_on_every_gateway(server,
                                                                              shared_bucket):
    clients = [s3_client(server, g.endpoint) for g in server.gateways]
    origin = "https://app.example"

    def preflights() -> list[int]:
        return [requests.options(f"{g.endpoint}/{shared_bucket}/k", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "GET"}).status_code
            for g in server.gateways]

    assert preflights() == [403] * len(clients)  # no rules yet, seen by every gateway
    clients[0].put_bucket_cors(Bucket=shared_bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [origin], "AllowedMethods": ["GET"]}]})
    assert preflights() == [200] * len(clients)
