# shellcheck shell=bash
# Makes sure PostgreSQL, MariaDB, Redis, RabbitMQ and NATS (with JetStream) answer at the
# URLs the tests use, and exports them:
#
#   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/test
#   MYSQL_URL     default mysql://root@127.0.0.1:3306/test
#   REDIS_URL     default redis://127.0.0.1:6379/
#   AMQP_URL      default amqp://guest:guest@127.0.0.1:5672/%2f
#   NATS_URL      default nats://127.0.0.1:4222
#
# For each one that does not answer: start a throwaway server from the installed binaries,
# with its data in $INSTRUMENT_SERVICES_DIR (default /tmp/instrument-services); when the
# binaries are missing, install them with apt-get (as root), or stop saying what to install.
# Source it (`. scripts/services.sh`) or run it (`bash scripts/services.sh`).

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export MYSQL_URL="${MYSQL_URL:-mysql://root@127.0.0.1:3306/test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
SERVICES_DIR="${INSTRUMENT_SERVICES_DIR:-${TMPDIR:-/tmp}/instrument-services}"

services_say() { printf 'services: %s\n' "$*" >&2; }
services_fail() { printf 'services: error: %s\n' "$*" >&2; return 1; }

# Splits scheme://[user@]host[:port][/path] into URL_USER URL_HOST URL_PORT URL_PATH.
services_parse_url() {
  local re='^[a-z]+://(([^@/:]*)(:[^@/]*)?@)?([^:/?]+)(:([0-9]+))?(/([^?]*))?'
  if [[ ! $1 =~ $re ]]; then
    services_fail "cannot read the URL '$1' (expected scheme://[user@]host[:port][/path])"
    return 1
  fi
  URL_USER="${BASH_REMATCH[2]}"
  URL_HOST="${BASH_REMATCH[4]}"
  URL_PORT="${BASH_REMATCH[6]:-$2}"
  URL_PATH="${BASH_REMATCH[8]}"
}

# apt-get install, once per run, only as root; else say what to install and fail.
services_install() {
  local what=$1; shift
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    services_fail "$what is not installed and I cannot install it here. Install the Debian packages: $*  (or point the URL variable at a running server)"
    return 1
  fi
  services_say "installing $* with apt-get"
  if [ -z "${SERVICES_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    SERVICES_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

services_wait() { # command... : retries for up to 30 s
  local i
  for i in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  return 1
}

# Runs a command as the given user when we are root (PostgreSQL refuses to run as root).
services_as() {
  local user=$1; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

ensure_postgres() {
  services_parse_url "$DATABASE_URL" 5432 || return 1
  local user=${URL_USER:-postgres} host=$URL_HOST port=$URL_PORT db=${URL_PATH:-test}
  command -v psql >/dev/null 2>&1 || services_install "the PostgreSQL client" postgresql-client || return 1
  if ! PGCONNECT_TIMEOUT=3 psql "postgresql://$user@$host:$port/postgres" -qtAc 'select 1' >/dev/null 2>&1; then
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ]; then
      services_install "PostgreSQL" postgresql || return 1
      bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    local dir="$SERVICES_DIR/postgres-$port"
    services_say "PostgreSQL does not answer at $host:$port; starting a throwaway server in $dir"
    mkdir -p "$SERVICES_DIR"; chmod 755 "$SERVICES_DIR"
    if [ ! -f "$dir/PG_VERSION" ]; then
      rm -rf "$dir"; mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres "$dir"
      services_as postgres "$bin/initdb" -D "$dir" -U "$user" --auth=trust -E UTF8 >/dev/null || { services_fail "initdb failed"; return 1; }
    fi
    services_as postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=$host" start >/dev/null \
      || { services_fail "PostgreSQL did not start; see $dir/server.log"; return 1; }
  fi
  if [ "$(psql "postgresql://$user@$host:$port/postgres" -qtAc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    psql "postgresql://$user@$host:$port/postgres" -qc "create database \"$db\"" >/dev/null
  fi
  psql "postgresql://$user@$host:$port/$db" -qtAc 'select 1' >/dev/null \
    && services_say "PostgreSQL answers at $host:$port/$db"
}

ensure_mariadb() {
  services_parse_url "$MYSQL_URL" 3306 || return 1
  local user=${URL_USER:-root} host=$URL_HOST port=$URL_PORT db=${URL_PATH:-test}
  local client=(mariadb --protocol=TCP -h "$host" -P "$port" -u "$user" --connect-timeout=3)
  command -v mariadb >/dev/null 2>&1 || services_install "the MariaDB client" mariadb-client || return 1
  if ! "${client[@]}" -e 'select 1' >/dev/null 2>&1; then
    command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || services_install "MariaDB" mariadb-server || return 1
    local dir="$SERVICES_DIR/mariadb-$port" run_as
    run_as=$(id -un)
    services_say "MariaDB does not answer at $host:$port; starting a throwaway server in $dir"
    mkdir -p "$dir"
    if [ ! -d "$dir/data/mysql" ]; then
      mariadb-install-db --no-defaults --datadir="$dir/data" --user="$run_as" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
        || { services_fail "mariadb-install-db failed; see $dir/install.log"; return 1; }
    fi
    nohup /usr/sbin/mariadbd --no-defaults --datadir="$dir/data" --port="$port" --bind-address="$host" \
      --socket="$dir/mariadb.sock" --pid-file="$dir/mariadb.pid" --user="$run_as" \
      >"$dir/server.log" 2>&1 </dev/null &
    disown || true
    services_wait "${client[@]}" -e 'select 1' || { services_fail "MariaDB did not start; see $dir/server.log"; return 1; }
  fi
  "${client[@]}" -e "create database if not exists \`$db\`" \
    && services_say "MariaDB answers at $host:$port/$db"
}

ensure_redis() {
  services_parse_url "$REDIS_URL" 6379 || return 1
  local host=$URL_HOST port=$URL_PORT
  command -v redis-cli >/dev/null 2>&1 || services_install "Redis" redis-server redis-tools || return 1
  if [ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" != PONG ]; then
    command -v redis-server >/dev/null 2>&1 || services_install "Redis" redis-server || return 1
    local dir="$SERVICES_DIR/redis-$port"
    services_say "Redis does not answer at $host:$port; starting a throwaway server in $dir"
    mkdir -p "$dir"
    redis-server --port "$port" --bind "$host" --daemonize yes --save '' --appendonly no \
      --dir "$dir" --logfile "$dir/server.log" >/dev/null
    services_wait test "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = PONG \
      || { services_fail "Redis did not start; see $dir/server.log"; return 1; }
  fi
  services_say "Redis answers at $host:$port"
}

# Does an AMQP 0.9.1 broker answer at host:port? It answers the protocol header with
# its connection.start frame (frame type 1).
amqp_answers() {
  local host=$1 port=$2 first
  first=$(timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'AMQP\\0\\0\\x09\\x01' >&3 && head -c 1 <&3 | od -An -tu1" 2>/dev/null) || return 1
  [ "$(echo "$first" | tr -d ' ')" = 1 ]
}

ensure_rabbitmq() {
  services_parse_url "$AMQP_URL" 5672 || return 1
  local host=$URL_HOST port=$URL_PORT
  if ! amqp_answers "$host" "$port"; then
    command -v rabbitmq-server >/dev/null 2>&1 || services_install "RabbitMQ" rabbitmq-server || return 1
    local dir="$SERVICES_DIR/rabbitmq-$port"
    services_say "RabbitMQ does not answer at $host:$port; starting a throwaway node in $dir"
    mkdir -p "$dir"
    # Debian's rabbitmq-server runs the node as the rabbitmq user when started as root.
    [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1 && chown rabbitmq "$dir"
    # A configuration of its own: the machine's may name another listener.
    printf 'listeners.tcp.default = %s:%s\n' "$host" "$port" >"$dir/rabbitmq.conf"
    : >"$dir/rabbitmq-env.conf"
    (cd "$dir" && RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
      RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
      RABBITMQ_NODENAME="instrument-$port@localhost" RABBITMQ_MNESIA_BASE="$dir/mnesia" \
      RABBITMQ_FEATURE_FLAGS_FILE="$dir/feature_flags" RABBITMQ_LOG_BASE="$dir" \
      RABBITMQ_DIST_PORT=$((port + 20000)) rabbitmq-server -detached >/dev/null 2>&1)
    services_wait amqp_answers "$host" "$port" \
      || { services_fail "RabbitMQ did not start; see $dir"; return 1; }
  fi
  services_say "RabbitMQ answers at $host:$port"
}

# Does a NATS server answer at host:port? It greets every connection with INFO.
nats_answers() {
  local host=$1 port=$2
  [ "$(timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && head -c 4 <&3" 2>/dev/null)" = INFO ]
}

ensure_nats() {
  services_parse_url "$NATS_URL" 4222 || return 1
  local host=$URL_HOST port=$URL_PORT
  if ! nats_answers "$host" "$port"; then
    command -v nats-server >/dev/null 2>&1 || services_install "NATS" nats-server || return 1
    local dir="$SERVICES_DIR/nats-$port"
    services_say "NATS does not answer at $host:$port; starting a throwaway server with JetStream in $dir"
    mkdir -p "$dir"
    nohup nats-server --jetstream --store_dir "$dir/jetstream" --addr "$host" --port "$port" \
      --log "$dir/server.log" >/dev/null 2>&1 &
    disown || true
    services_wait nats_answers "$host" "$port" \
      || { services_fail "NATS did not start; see $dir/server.log"; return 1; }
  fi
  services_say "NATS answers at $host:$port"
}

ensure_services() {
  ensure_postgres && ensure_mariadb && ensure_redis && ensure_rabbitmq && ensure_nats
}

# Run directly: just bring them up.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_services
fi
