#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager (Kubernetes 1.20 from Debian's `kubernetes` source
# package) for the contract test tier, and caches them outside the repo, keyed by the Debian source
# version and the hash of our reflect2 patch. A warm machine returns in well under a second.
#
# Usage: test/kube-apiserver/build.sh            build if missing, print the binary directory last
#        KUBE_APISERVER_REFRESH=1 build.sh        re-resolve the Debian source version first
#
# Why from source: no registry we can reach ships an apiserver (Debian has only kubectl), and the
# Debian source tree is fully vendored, so the build never contacts the Go module proxy.
# Why the patch: vendored modern-go/reflect2 v1.0.1 crashes under Go >= 1.18 whenever the apiserver
# serialises a map (e.g. a ConfigMap's data); see patches/reflect2-map-iter.patch.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

here="$(cd "$(dirname "$0")" && pwd)"
patch_file="$here/patches/reflect2-map-iter.patch"
root="${CLAWLOOPS_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clawloops/kube-apiserver}"
apt_dir="$root/apt"
started=$SECONDS

log() { printf 'kube-apiserver build [%3ss]: %s\n' "$((SECONDS - started))" "$*" >&2; }

# Private apt configuration so that deb-src never touches /etc/apt.
# (Sandbox::User=root: the _apt user cannot write into root's cache directory.)
private_apt() {
  local tool=$1
  shift
  "$tool" -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o APT::Sandbox::User=root "$@"
}

resolve_version() {
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  # The machine's own Debian mirror, suites and keyring, as one-line deb-src entries.
  local uri suites comps key
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  suites=$(awk '/^Suites:/{$1=""; print; exit}' /etc/apt/sources.list.d/debian.sources)
  comps=$(awk '/^Components:/{$1=""; print; exit}' /etc/apt/sources.list.d/debian.sources)
  key=$(awk '/^Signed-By:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  : >"$apt_dir/sources.list"
  for s in $suites; do echo "deb-src [signed-by=$key] $uri $s $comps" >>"$apt_dir/sources.list"; done
  # Security fixes to the kubernetes package land in bookworm-security.
  if grep -q debian-security /etc/apt/sources.list.d/debian.sources; then
    local sec
    sec=$(awk '/^URIs:.*security/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    echo "deb-src [signed-by=$key] $sec bookworm-security $comps" >>"$apt_dir/sources.list"
  fi
  log "resolving the kubernetes source version (private apt lists in $apt_dir)"
  private_apt apt-get update -qq >/dev/null
  private_apt apt-cache showsrc kubernetes 2>/dev/null | awk '/^Version:/{print $2}' | sort -V | tail -1 >"$root/source-version"
  [ -s "$root/source-version" ] || { log "no kubernetes source package found"; exit 1; }
}

mkdir -p "$root"
if [ "${KUBE_APISERVER_REFRESH:-}" = 1 ] || [ ! -s "$root/source-version" ]; then resolve_version; fi
version=$(cat "$root/source-version")
patch_hash=$(sha256sum "$patch_file" | cut -c1-12)
out="$root/$version-$patch_hash"

if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && command -v etcd >/dev/null; then
  log "cached: $out"
  echo "$out"
  exit 0
fi

# Runtime (etcd) and build dependencies, all Debian packages.
need=()
command -v etcd >/dev/null || need+=(etcd-server)
[ -x /usr/lib/go-1.19/bin/go ] || need+=(golang-1.19-go)
command -v rsync >/dev/null || need+=(rsync)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ -s "$apt_dir/sources.list" ] || resolve_version

work="$root/build/$version"
tree="$work/gopath/src/k8s.io/kubernetes"
if [ ! -f "$tree/.clawloops-extracted" ]; then
  log "fetching and unpacking source $version (~34 MB)"
  rm -rf "$work" && mkdir -p "$work/src" "$work/gopath/src/k8s.io"
  (cd "$work/src" && private_apt apt-get source -qq kubernetes="$version" >/dev/null 2>&1)
  src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -1)
  mv "$src" "$tree"
  rm -rf "$work/src"
  touch "$tree/.clawloops-extracted"
fi

if [ "$(cat "$tree/.clawloops-patch" 2>/dev/null)" != "$patch_hash" ]; then
  if [ -f "$tree/.clawloops-patch" ]; then
    log "patch changed: restoring reflect2 from the pristine copy"
    cp "$tree/.clawloops-reflect2-orig/unsafe_map.go" "$tree/vendor/github.com/modern-go/reflect2/unsafe_map.go"
  else
    mkdir -p "$tree/.clawloops-reflect2-orig"
    cp "$tree/vendor/github.com/modern-go/reflect2/unsafe_map.go" "$tree/.clawloops-reflect2-orig/"
  fi
  log "applying $(basename "$patch_file")"
  patch -s -p1 -d "$tree" <"$patch_file"
  echo "$patch_hash" >"$tree/.clawloops-patch"
fi

export GOPATH="$work/gopath" GOCACHE="$root/gocache" GO111MODULE=off GOPROXY=off
export PATH="/usr/lib/go-1.19/bin:$PATH"
# Debian's rules build in GOPATH mode; the Makefile runs the code generators first (they need rsync).
for what in cmd/kube-apiserver cmd/kube-controller-manager; do
  log "make WHAT=$what (cold: several minutes on 2 cores)"
  make -C "$tree" WHAT="$what" GOLDFLAGS='-s -w' GOFLAGS= >"$work/make-$(basename "$what").log" 2>&1 ||
    { tail -40 "$work/make-$(basename "$what").log" >&2; exit 1; }
done

mkdir -p "$out.tmp"
cp "$tree/_output/local/bin/linux/amd64/kube-apiserver" "$tree/_output/local/bin/linux/amd64/kube-controller-manager" "$out.tmp/"
rm -rf "$out" && mv "$out.tmp" "$out"
log "built $("$out/kube-apiserver" --version) into $out"
echo "$out"
