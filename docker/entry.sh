#!/bin/sh
# Entry point of the images: runs its arguments if there are any (a shell, a one-off command),
# or else wingmate as PID 1.
if [ "$#" -gt 0 ]; then
	exec "$@"
fi
exec wingmate
