#!/usr/bin/env bash
# Builds the Java runtime of Pier's container image with jlink: the modules jdeps finds in the jar, plus those used
# only through reflection or service loading. Run by the Dockerfile; scripts/check-image.sh runs it too, and then
# boots Pier on the result, so the image's runtime is checked on machines without a Docker engine.
#   scripts/image-runtime.sh JAR OUTPUT_DIR
set -euo pipefail
jar=$1
out=$2
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
release=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
found=$("$java_home/bin/jdeps" --ignore-missing-deps -q --multi-release "$release" --print-module-deps "$jar")
modules="$found,jdk.unsupported,jdk.naming.dns,jdk.net,jdk.management,jdk.crypto.ec,jdk.zipfs"
# jdk.crypto.ec was folded into java.base in Java 22: keep it only where it exists.
available=$("$java_home/bin/java" --list-modules | sed 's/@.*//' | tr '\n' ' ')
wanted=""
for m in ${modules//,/ }; do
  case " $available " in *" $m "*) wanted="$wanted,$m" ;; esac
done
rm -rf "$out"
"$java_home/bin/jlink" --add-modules "${wanted#,}" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out"
echo "jlink: ${wanted#,} -> $out ($(du -sh "$out" | cut -f1))"
