"""DuckDB with its httpfs extension (PyPI `duckdb` and `duckdb-ext-httpfs`, the extension as
a wheel, so nothing is downloaded at run time) against the S3 dialect: Parquet and CSV
written with COPY ... TO 's3://...' (multipart uploads for large files), read back, globbed
and filtered with range requests. Results are checked with boto3."""

from __future__ import annotations

import os

import duckdb
import pytest
from urllib.parse import urlsplit


@pytest.fixture
def con(server):
    import duckdb_ext  # noqa: F401  (the package that holds the extension files)

    ext = os.path.join(os.path.dirname(os.path.dirname(duckdb.__file__)), "duckdb_ext",
                       "extensions")
    c = duckdb.connect()
    c.execute("SET extension_directory = ?", (ext,))
    c.execute("SET autoinstall_known_extensions = false")
    c.execute("SET autoload_known_extensions = false")
    c.execute("LOAD httpfs")
    c.execute(
        "CREATE SECRET strata (TYPE s3, KEY_ID ?, SECRET ?, ENDPOINT ?, URL_STYLE 'path', "
        "USE_SSL false, REGION 'us-east-1')",
        (server.access_key, server.secret_key, urlsplit(server.endpoint).netloc),
    )
    yield c
    c.close()


def test_duckdb_writes_and_reads_parquet(con, s3, bucket):
    con.execute(f"COPY (SELECT range AS i, 'row ' || range AS s FROM range(200000)) "
                f"TO 's3://{bucket}/t/part-0.parquet' (FORMAT parquet)")
    con.execute(f"COPY (SELECT range + 200000 AS i, 'row ' || range AS s FROM range(1000)) "
                f"TO 's3://{bucket}/t/part-1.parquet' (FORMAT parquet)")
    head = s3.head_object(Bucket=bucket, Key="t/part-0.parquet")
    assert head["ContentLength"] > 0
    assert con.execute(f"SELECT count(*), sum(i) FROM 's3://{bucket}/t/part-0.parquet'"
                       ).fetchone() == (200000, 199999 * 200000 // 2)
    files = [r[0] for r in con.execute(f"SELECT file FROM glob('s3://{bucket}/t/*.parquet')"
                                       ).fetchall()]
    assert files == [f"s3://{bucket}/t/part-0.parquet", f"s3://{bucket}/t/part-1.parquet"]
    # A filter reads row groups by range.
    assert con.execute(f"SELECT s FROM 's3://{bucket}/t/*.parquet' WHERE i = 200500"
                       ).fetchall() == [("row 500",)]


def test_duckdb_large_csv_goes_up_in_parts(con, s3, bucket):
    # About 20 MB in parts of 5 MB (httpfs's part size is the largest file size over the
    # most parts).
    con.execute("SET s3_uploader_max_filesize = '50MB'")
    con.execute("SET s3_uploader_max_parts_per_file = 10")
    con.execute(f"COPY (SELECT range AS i, repeat('x', 90) AS pad FROM range(220000)) "
                f"TO 's3://{bucket}/big.csv' (FORMAT csv, HEADER)")
    head = s3.head_object(Bucket=bucket, Key="big.csv")
    assert head["ContentLength"] > 20_000_000
    assert "-" in head["ETag"], "expected a multipart upload"
    assert con.execute(f"SELECT count(*), max(i) FROM read_csv('s3://{bucket}/big.csv')"
                       ).fetchone() == (220000, 219999)
