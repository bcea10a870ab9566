#!/bin/sh
# Copies the production dependencies (not the dev tools) from node_modules into the bundle at $1.
set -eu
bundle=$1
npm ls --omit=dev --all --parseable 2>/dev/null | while read -r dir; do
	case $dir in
	"$PWD") continue ;;
	"$PWD"/node_modules/*) relative=${dir#"$PWD"/} ;;
	*) continue ;;
	esac
	mkdir -p "$bundle/$(dirname "$relative")"
	cp -R "$dir" "$bundle/$relative"
done
