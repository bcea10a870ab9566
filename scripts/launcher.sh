#!/bin/sh
# Launcher for @COMMAND@: runs the bundle installed beside this file's real location
# (PREFIX/bin/@COMMAND@ -> PREFIX/lib/wingmate), so it works through symlinks and from a staging tree.
self=$(readlink -f -- "$0") || exit 1
exec "${WINGMATE_NODE:-node}" "${self%/bin/*}/lib/wingmate/dist/@COMMAND@.js" "$@"
