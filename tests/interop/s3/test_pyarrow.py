"""pyarrow's S3FileSystem (PyPI `pyarrow`, the AWS SDK for C++ inside) on its defaults.

It writes every file as a multipart upload whose parts carry the SDK's default checksums
(CRC64NVME in recent SDKs: before Strata computed it, every write was refused with 501),
and reads with ranged GETs. A Parquet file written and read back, a small one and one of
several parts, and a plain output stream; results checked with boto3.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from .support import MiB, random_bytes


@pytest.fixture
def fs(server):
    """An S3FileSystem as people point it at an S3-compatible endpoint: keys, endpoint,
    http, a region; nothing else changed."""
    return pafs.S3FileSystem(
        access_key=server.access_key,
        secret_key=server.secret_key,
        endpoint_override=server.endpoint.removeprefix("http://"),
        scheme="http",
        region="us-east-1",
    )


def test_a_parquet_file_is_written_and_read_back(fs, s3, bucket):
    table = pa.table({"n": list(range(5000)), "s": [f"row {i}" for i in range(5000)]})
    pq.write_table(table, f"{bucket}/small.parquet", filesystem=fs)
    assert pq.read_table(f"{bucket}/small.parquet", filesystem=fs).equals(table)
    head = s3.head_object(Bucket=bucket, Key="small.parquet", ChecksumMode="ENABLED")
    assert head["ContentLength"] == fs.get_file_info(f"{bucket}/small.parquet").size
    # The object's checksum is one S3 shows: its CRC-32 (or the one asked for).
    assert head["ChecksumType"] in ("FULL_OBJECT", "COMPOSITE")
    info = fs.get_file_info(pafs.FileSelector(bucket))
    assert [i.base_name for i in info] == ["small.parquet"]


def test_a_parquet_file_of_several_parts_round_trips(fs, s3, bucket):
    n = 3_000_000
    table = pa.table({"n": pa.array(range(n), pa.int64())})
    pq.write_table(table, f"{bucket}/big.parquet", filesystem=fs, compression="none")
    head = s3.head_object(Bucket=bucket, Key="big.parquet")
    assert head["ContentLength"] > 20 * MiB
    assert head["PartsCount"] >= 2, "written in several parts"
    back = pq.read_table(f"{bucket}/big.parquet", filesystem=fs)
    assert back.num_rows == n and back.equals(table)


def test_an_output_stream_is_stored_byte_for_byte(fs, s3, bucket):
    data = random_bytes(12 * MiB + 17, seed=31)
    with fs.open_output_stream(f"{bucket}/raw.bin") as out:
        out.write(data[: 7 * MiB])
        out.write(data[7 * MiB:])
    assert s3.get_object(Bucket=bucket, Key="raw.bin")["Body"].read() == data
    with fs.open_input_file(f"{bucket}/raw.bin") as f:
        f.seek(10 * MiB)
        assert f.read(1000) == data[10 * MiB: 10 * MiB + 1000]
    fs.delete_file(f"{bucket}/raw.bin")
    assert fs.get_file_info(f"{bucket}/raw.bin").type == pafs.FileType.NotFound
