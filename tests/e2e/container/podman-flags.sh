# Copied unchanged (but for these two lines) from shared/container/podman-flags.sh, this workplace's
# infrastructure scripts; refresh the copy from there.
# Flags that let podman build and run images on these machines (source this file).
#  - runc: crun refuses this machine's hybrid cgroups;
#  - host network: builds reach the package registries the way the host does;
#  - the host's CA bundle, mounted read-only, so pip inside a build trusts what the host trusts;
#  - --pull=never: base images come from make-python-base-image.sh, never from a container registry;
#  - --ulimit within this shell's hard limits: podman run asks for nofile=1048576 and nproc=32768, and
#    without CAP_SYS_RESOURCE runc then dies with "error setting rlimit type 7: operation not permitted".
PODMAN_GLOBAL=(--runtime runc --cgroup-manager cgroupfs)
PODMAN_BUILD=(--pull=never --network=host -v /etc/ssl/certs:/etc/ssl/certs:ro)
PODMAN_RUN=(--rm --network=host)
_kart_cap() { local hard=$1 want=$2; if [ "$hard" = unlimited ] || [ "$hard" -gt "$want" ]; then echo "$want"; else echo "$hard"; fi; }
PODMAN_RUN+=(--ulimit "nofile=$(_kart_cap "$(ulimit -Hn)" 1048576):$(_kart_cap "$(ulimit -Hn)" 1048576)")
PODMAN_RUN+=(--ulimit "nproc=$(_kart_cap "$(ulimit -Hu)" 32768):$(_kart_cap "$(ulimit -Hu)" 32768)")
unset -f _kart_cap
if [ -n "${PIP_INDEX_URL:-}" ]; then PODMAN_BUILD+=(--build-arg "PIP_INDEX_URL=$PIP_INDEX_URL"); fi
