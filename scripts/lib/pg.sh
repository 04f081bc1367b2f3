# A PostgreSQL server for the scripts that need one (scripts/test-pg, the interop suites over
# several gateways in scripts/test, scripts/bench-gateways). Sourced, not run.
#
# pg_server GIVEN: sets PG_SERVER to a server's URL, postgres://postgres@HOST:PORT/: GIVEN if
# not empty; else the server at 127.0.0.1:5432 if it answers (user postgres, trust
# authentication), unless STRATA_PG_THROWAWAY=1; else a throwaway cluster of Debian's
# postgresql package (installed if missing), initdb'd into a temporary directory as an
# unprivileged user, on a free port, with fsync off. pg_server_stop stops and removes the
# throwaway cluster (nothing otherwise): the caller runs it on exit (`trap pg_server_stop EXIT`).

PG_SERVER=""
_pg_tmp=""
_pg_as=()

_pg_bin() { # directory of the newest installed PostgreSQL's programs, if any
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

pg_server() {
    if [ -n "${1:-}" ]; then
        PG_SERVER=$1
        return 0
    fi
    if [ -z "${STRATA_PG_THROWAWAY:-}" ] && command -v pg_isready >/dev/null 2>&1 \
        && pg_isready -q -h 127.0.0.1 -p 5432; then
        PG_SERVER=postgres://postgres@127.0.0.1:5432/
        return 0
    fi
    if [ -z "$(_pg_bin)" ]; then
        local apt_cmd=(apt-get)
        if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
            apt_cmd=(sudo apt-get)
        fi
        if ! command -v apt-get >/dev/null 2>&1; then
            echo "no PostgreSQL answers at 127.0.0.1:5432, none is installed and apt-get is" \
                "not available; install PostgreSQL or give a server's URL" >&2
            return 1
        fi
        echo "(installing postgresql: apt-get install postgresql)" >&2
        local apt_log
        apt_log=$(mktemp)
        if ! { "${apt_cmd[@]}" update -q \
                && DEBIAN_FRONTEND=noninteractive "${apt_cmd[@]}" install -y -q postgresql; } \
                >"$apt_log" 2>&1; then
            tail -n 30 "$apt_log" >&2
            rm -f "$apt_log"
            echo "'apt-get install -y -q postgresql' failed (output above)" >&2
            return 1
        fi
        rm -f "$apt_log"
    fi
    local bin port
    bin=$(_pg_bin) || { echo "PostgreSQL's programs not found" >&2; return 1; }
    # PostgreSQL refuses to run as root: the cluster belongs to nobody when we are root.
    _pg_as=()
    if [ "$(id -u)" -eq 0 ]; then
        _pg_as=(runuser -u nobody --)
    fi
    _pg_tmp=$(mktemp -d)
    chmod 755 "$_pg_tmp"
    [ "${#_pg_as[@]}" -eq 0 ] || chown nobody "$_pg_tmp"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${_pg_as[@]}" "$bin/initdb" -D "$_pg_tmp/data" -U postgres --auth=trust -E UTF8 --no-sync \
        >"$_pg_tmp/initdb.log" 2>&1 || { cat "$_pg_tmp/initdb.log" >&2; return 1; }
    # fsync off: a throwaway cluster for tests, not a test of PostgreSQL's durability.
    # max_connections: several gateways, each with its pool, and the tests' own databases.
    "${_pg_as[@]}" "$bin/pg_ctl" -D "$_pg_tmp/data" -l "$_pg_tmp/server.log" -w \
        -o "-p $port -k $_pg_tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
        start >/dev/null || { cat "$_pg_tmp/server.log" >&2; return 1; }
    _PG_BIN=$bin
    echo "(throwaway PostgreSQL cluster on 127.0.0.1:$port)" >&2
    PG_SERVER="postgres://postgres@127.0.0.1:$port/"
}

pg_server_stop() {
    if [ -n "$_pg_tmp" ]; then
        "${_pg_as[@]}" "$_PG_BIN/pg_ctl" -D "$_pg_tmp/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$_pg_tmp"
        _pg_tmp=""
    fi
}
