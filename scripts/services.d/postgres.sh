# Sourced by scripts/services: a PostgreSQL server on loopback for the API tests.
# Installs PostgreSQL if missing (apt), starts a private cluster as the postgres user on
# 127.0.0.1 with a free port (reused while it runs), creates the user (with CREATEDB) and a
# database, and exports DUBAN_TEST_POSTGRES_URL. The tests only take the server and the
# credentials from that URL: each pytest session works in a database of its own (tests/pg.py).
# Idempotent. Fails loudly: the postgres tests never skip.

_duban_pg() {
    local dir="${DUBAN_PG_DIR:-/tmp/duban-pg}" bin port run=()
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        echo "postgres: installing PostgreSQL (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || {
            echo "postgres: FAILED to install PostgreSQL with apt-get; install it and run again" >&2
            return 1
        }
    fi
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [ "$(id -u)" = 0 ]; then
        run=(runuser -u postgres --)
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
            echo "postgres: FAILED to create a cluster in $dir/data; see $dir/initdb.log" >&2
            return 1
        }
    fi
    if "${run[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && [ -f "$dir/port" ]; then
        port="$(cat "$dir/port")"
    else
        port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null || {
            echo "postgres: FAILED to start on 127.0.0.1:$port; see $dir/server.log" >&2
            return 1
        }
        echo "$port" >"$dir/port"
    fi
    local psql=("${run[@]}" "$bin/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA)
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='duban'")" != 1 ]; then
        "${psql[@]}" -c "CREATE ROLE duban LOGIN CREATEDB PASSWORD 'duban'" || return 1
    fi
    # Each pytest session creates (and drops) its own database (tests/pg.py): the role needs
    # CREATEDB. Granted here too for a cluster made before that.
    if [ "$("${psql[@]}" -c "SELECT rolcreatedb FROM pg_roles WHERE rolname='duban'")" != t ]; then
        "${psql[@]}" -c "ALTER ROLE duban CREATEDB" || return 1
    fi
    # DROP DATABASE ... WITH (FORCE) at the end of a session ends the processes still on it;
    # an autovacuum worker belongs to no role of ours, and ending it needs pg_signal_backend.
    if [ "$("${psql[@]}" -c "SELECT pg_has_role('duban', 'pg_signal_backend', 'MEMBER')")" != t ]; then
        "${psql[@]}" -c "GRANT pg_signal_backend TO duban" || return 1
    fi
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='duban_test'")" != 1 ]; then
        "${psql[@]}" -c "CREATE DATABASE duban_test OWNER duban" || return 1
    fi
    export DUBAN_TEST_POSTGRES_URL="postgresql://duban:duban@127.0.0.1:$port/duban_test"
    echo "postgres: $DUBAN_TEST_POSTGRES_URL"
}

_duban_pg || { echo "postgres: the PostgreSQL service could not be provided" >&2; return 1 2>/dev/null || exit 1; }
unset -f _duban_pg
