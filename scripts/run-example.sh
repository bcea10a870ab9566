#!/bin/sh
# Runs wingmate on a configuration directory as PID 1 of a new PID namespace until Ctrl-C.
# Usage: run-example.sh NODE CONFIG_DIR
set -eu
node=$1
config=$(cd "$2" && pwd)
if [ "$(id -u)" = 0 ]; then
	set -- unshare --pid --fork --mount-proc --kill-child
else
	set -- unshare --user --map-root-user --pid --fork --mount-proc --kill-child
fi
echo "wingmate on $config as PID 1 of a new PID namespace; Ctrl-C stops it" >&2
WINGMATE_CONFIG_PATH=$config exec "$@" "$node" dist/wingmate.js
