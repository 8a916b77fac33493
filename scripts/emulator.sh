# Sourced by scripts/demo.sh and scripts/test-module.sh: starts the Graph
# emulator in the background, waits for its -ready-file, and stops it when
# the script exits. The guide "Testing your configuration offline" shows the
# same steps for users' own CI.
#
#   start_emulator DIR BINARY TOKEN [FLAG...]
#
# DIR holds the ready file and the emulator's output; the emulator listens
# on a free loopback port. Sets emulator_pid, endpoint and group_id.
# stop_emulator stops it (start_emulator's caller runs it from its EXIT
# trap).

emulator_pid=""

start_emulator() {
	local dir=$1 binary=$2 token=$3
	shift 3
	"$binary" -listen 127.0.0.1:0 -token "$token" -ready-file "$dir/ready.json" "$@" \
		>"$dir/emulator.out" 2>"$dir/emulator.err" &
	emulator_pid=$!
	# The emulator writes the ready file once it listens (normally within
	# milliseconds); 60 s bounds a machine that is very busy.
	local _
	for _ in $(seq 1 600); do
		[[ -s $dir/ready.json ]] && break
		if ! kill -0 "$emulator_pid" 2>/dev/null; then
			cat "$dir/emulator.err" >&2
			echo "the emulator exited" >&2
			return 1
		fi
		sleep 0.1
	done
	[[ -s $dir/ready.json ]] || { echo "the emulator did not start within 60 s" >&2; return 1; }
	endpoint=$(sed -n 's/.*"endpoint": *"\([^"]*\)".*/\1/p' "$dir/ready.json")
	group_id=$(sed -n 's/.*"group_id": *"\([^"]*\)".*/\1/p' "$dir/ready.json")
	echo "endpoint: $endpoint"
	echo "group:    $group_id"
}

stop_emulator() {
	if [[ -n $emulator_pid ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
}
