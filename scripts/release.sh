#!/usr/bin/env bash
# Release vcode's modules at one version. See CONTRIBUTING.md, "Releasing".
#
#   scripts/release.sh prepare vX.Y.Z   rewrite the nested modules' requires to
#                                       vX.Y.Z and tidy them (no commit, no tag)
#   scripts/release.sh vX.Y.Z           on a clean tree: prepare, commit, run the
#                                       tests, tag the modules (no push)
#   scripts/release.sh -push vX.Y.Z     the same, then push the commit and tags
#
# Tags, in this order, all on one commit: vX.Y.Z (the core), then
# notify/twilio/vX.Y.Z, notify/sns/vX.Y.Z, notify/huaweicloud/vX.Y.Z, then
# cmd/vcoded/vX.Y.Z: each module's requirements are published before the
# module that needs them.
#
# The nested modules are tidied against a module proxy built from the tree
# (interop/modproxy), since the versions they require exist nowhere else
# until the tags are pushed; an empty, temporary module cache keeps those
# candidate zips out of this machine's cache. The tests need the servers of
# the README test command (source /work/redis/env.sh, or .ci/redis.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# The published modules that depend on others of the tree, in tag order
# after the core; their own requirements come first.
providers=(notify/twilio notify/sns notify/huaweicloud)
nested=("${providers[@]}" cmd/vcoded)

die() { echo "release: $*" >&2; exit 1; }

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

check_version() {
  [[ $1 =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] \
    || die "$1 is not a semantic version (vX.Y.Z or vX.Y.Z-rc.1)"
  [[ ${BASH_REMATCH[1]} == 0 || ${BASH_REMATCH[1]} == 1 ]] \
    || die "$1: a major version above 1 needs a /vN module path first"
}

tmp=$(mktemp -d)
cleanup() { chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# write_proxy VERSION: the tree's published modules into $tmp/proxy, and
# an empty module cache to fetch them into.
write_proxy() {
  chmod -R u+w "$tmp/modcache" 2>/dev/null || true
  rm -rf "$tmp/proxy" "$tmp/modcache"
  (cd interop/modproxy && GOWORK=off go run . -root ../.. -version "$1" -o "$tmp/proxy") >/dev/null
}

# in_proxy_env CMD...: run CMD as a user of that proxy would.
in_proxy_env() {
  local mirror goproxy="file://$tmp/proxy"
  mirror="$(go env GOMODCACHE)/cache/download"
  [ -d "$mirror" ] && goproxy+=",file://$mirror"
  GOPROXY="$goproxy,https://proxy.golang.org" GONOSUMDB='github.com/vcodekit/*' \
    GOFLAGS='-mod=mod -modcacherw' GOWORK=off GOMODCACHE="$tmp/modcache" "$@"
}

# paths DIR SECTION: the module paths of the tree that DIR/go.mod names in
# SECTION ("Require" or "Replace"), read from go mod edit -json.
paths() {
  (cd "$1" && go mod edit -json) | awk -v section="\"$2\":" '
    $1 == section { in_section = 1; next }
    in_section && /^\t[]}]/ { in_section = 0 }
    in_section && /"Path": "github\.com\/vcodekit\/vcode/ && !/"New"/ { gsub(/[",]/, "", $2); print $2 }
  ' | sort -u
}

prepare() {
  local version=$1 dir m
  for dir in "${nested[@]}"; do
    for m in $(paths "$dir" Replace); do
      (cd "$dir" && go mod edit -dropreplace="$m")
    done
    for m in $(paths "$dir" Require); do
      (cd "$dir" && go mod edit -require="$m@$version")
    done
    # Checksums of another version, or of the candidate built from an older
    # tree, would fail the tidy below: they are computed again.
    [ -f "$dir/go.sum" ] && sed -i '\#^github\.com/vcodekit/vcode[^ ]* #d' "$dir/go.sum"
  done
  sed -i "s#^\([[:space:]]*github\.com/vcodekit/vcode[^[:space:]]*\) v[^[:space:]]* =>#\1 $version =>#" go.work
  local round
  for round in 1 2 3; do
    write_proxy "$version"
    for dir in "${providers[@]}"; do
      (cd "$dir" && in_proxy_env go mod tidy)
    done
    write_proxy "$version" # cmd/vcoded reads the providers' go.mod from it
    (cd cmd/vcoded && in_proxy_env go mod tidy)
    # What the workspace's tests load, so that go.work.sum is complete and
    # running them changes nothing; go.work.sum is part of the core's zip,
    # so the checksums above are checked again after it.
    go list -deps -test github.com/vcodekit/vcode/... >/dev/null
    if sums_match "$version"; then return 0; fi
    echo "release: the core changed under the checksums (round $round); tidying again" >&2
  done
  die "the nested modules' go.sum do not settle on the tree's checksums"
}

# sums_match VERSION: every checksum of a tree module at VERSION in the
# nested go.sum files is that of the zip the tree gives now.
sums_match() {
  local dir path ver sum want
  write_proxy "$1"
  for dir in "${nested[@]}"; do
    while read -r path ver sum; do
      [ "$ver" = "$1" ] || continue
      want=$(cd "$tmp" && in_proxy_env go mod download -json "$path@$ver" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p')
      [ "$sum" = "$want" ] || { echo "release: $dir/go.sum has $path $ver $sum, the tree gives $want" >&2; return 1; }
    done < <(grep '^github\.com/vcodekit/vcode[^ ]* v[^ ]* h1:' "$dir/go.sum" || true)
  done
}

push=false
if [ "${1:-}" = "-push" ]; then push=true; shift; fi
[ $# -ge 1 ] || usage
if [ "$1" = "prepare" ]; then
  [ $# -eq 2 ] || usage
  check_version "$2"
  prepare "$2"
  git status --short
  exit 0
fi
[ $# -eq 1 ] || usage
version=$1
check_version "$version"

tags=("$version")
for dir in "${nested[@]}"; do tags+=("$dir/$version"); done

[ -z "$(git status --porcelain)" ] || die "the tree has uncommitted changes: commit or stash them first"
for tag in "${tags[@]}"; do
  ! git rev-parse -q --verify "refs/tags/$tag" >/dev/null || die "tag $tag exists already"
done

echo "== the nested modules require $version"
prepare "$version"
if [ -n "$(git status --porcelain)" ]; then
  git add -A
  git commit -q -m "release $version: the nested modules require $version"
fi

echo "== tests (the README test command)"
[ -n "${VCODE_TEST_REDIS:-}" ] || echo "release: VCODE_TEST_REDIS is not set: the Redis tests run on miniredis and the Cluster tests are skipped" >&2
go vet github.com/vcodekit/vcode/... && go test -race github.com/vcodekit/vcode/...
echo "== tests: a new user installs $version from a proxy built from the tree"
(cd interop/modproxy && GOWORK=off VCODE_RELEASE_VERSION="$version" go test -count=1 ./...)
[ -z "$(git status --porcelain)" ] || { git status --short; die "the tests changed the tree"; }

echo "== tags"
for tag in "${tags[@]}"; do
  git tag -a "$tag" -m "vcode $tag"
  echo "$tag"
done

remote=$(git config --get "branch.$(git rev-parse --abbrev-ref HEAD).remote" || echo origin)
if $push; then
  git push "$remote" HEAD
  for tag in "${tags[@]}"; do git push "$remote" "refs/tags/$tag"; done
else
  echo "not pushed; to publish, in this order:"
  echo "  git push $remote HEAD"
  for tag in "${tags[@]}"; do echo "  git push $remote refs/tags/$tag"; done
fi
