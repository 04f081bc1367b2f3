# apt_install PACKAGE...: installs Debian packages with apt-get (as root, or through sudo),
# quietly, showing apt's output only when it fails. Sourced, not run.
apt_install() {
    local apt_cmd=(apt-get) apt_log
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        apt_cmd=(sudo apt-get)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$* not installed and apt-get is not available; install $*" >&2
        return 1
    fi
    echo "(installing $*: apt-get install $*)" >&2
    apt_log=$(mktemp)
    if ! { "${apt_cmd[@]}" update -q \
            && DEBIAN_FRONTEND=noninteractive "${apt_cmd[@]}" install -y -q "$@"; } \
            >"$apt_log" 2>&1; then
        tail -n 30 "$apt_log" >&2
        rm -f "$apt_log"
        echo "'apt-get install -y -q $*' failed (output above)" >&2
        return 1
    fi
    rm -f "$apt_log"
}
