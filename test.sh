#!/usr/bin/env bash
# The test command: makes sure what the tests need is installed and running, then runs them.
#   ./test.sh                      all tests
#   ./test.sh --filter PipelineSpec   any extra arguments go to `dotnet test`
# Needs: the .NET 10 SDK. Installs and starts PostgreSQL when missing (apt-get, pg_ctlcluster): it is
# the production store for Broker's persistence, whose tests will create their own databases on it.
# An existing PostgreSQL is only started if it is stopped. The tests connect over the local socket as the
# current OS user (peer authentication); test.sh adds that role with CREATEDB when it is missing, and
# changes nothing else. BROKER_TEST_POSTGRES overrides the connection string the tests use.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "test.sh: installing PostgreSQL (apt-get install -y postgresql)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "test.sh: PostgreSQL is installed but has no cluster under /etc/postgresql" >&2
    exit 1
  fi
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    echo "test.sh: starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  local user
  user=$(id -un)
  if [ -z "${BROKER_TEST_POSTGRES:-}" ] && \
     [ "$(as_root su postgres -c "psql -tAc \"select 1 from pg_roles where rolname = '$user'\"")" != "1" ]; then
    echo "test.sh: creating PostgreSQL role $user (CREATEDB) for the tests"
    as_root su postgres -c "psql -qc 'create role \"$user\" login createdb'"
  fi
}

ensure_postgres
dotnet test Broker.sln -c Release "$@"
