# Copied unchanged (but for these two lines) from shared/container/podman-flags.sh, this workplace's
# infrastructure scripts; refresh the copy from there.
# Flags that let podman build and run images on these machines (source this file).
#  - runc: crun refuses this machine's hybrid cgroups;
#  - host network: builds reach the package registries the way the host does;
#  - the host's CA bundle, mounted read-only, so pip inside a build trusts what the host trusts;
#  - --pull=never: base images come from make-python-base-image.sh, never from a container registry.
PODMAN_GLOBAL=(--runtime runc --cgroup-manager cgroupfs)
PODMAN_BUILD=(--pull=never --network=host -v /etc/ssl/certs:/etc/ssl/certs:ro)
PODMAN_RUN=(--rm --network=host)
if [ -n "${PIP_INDEX_URL:-}" ]; then PODMAN_BUILD+=(--build-arg "PIP_INDEX_URL=$PIP_INDEX_URL"); fi
