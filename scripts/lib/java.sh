# Sourced by Pier's scripts: pier_select_jdk exports JAVA_HOME pointing at a JDK 21 or newer and puts it first on
# PATH; pier_build_jar builds watcher/target/pier.jar when it is stale.
# JDK order: $JAVA_HOME if it is new enough, then `java` on PATH, then the newest JDK under /usr/lib/jvm or /opt.

pier_java_major() { # $1 = a java executable; prints its feature version (17, 21, 25...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

pier_select_jdk() {
  local min=21 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(pier_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge "$min" ]; then best=$JAVA_HOME; best_major=$major; fi
  fi
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(pier_java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge "$min" ]; then best=$candidate; best_major=$major; fi
  fi
  if [ -z "$best" ]; then
    for candidate in /usr/lib/jvm/* /opt/*jdk* /opt/java/*; do
      [ -x "$candidate/bin/javac" ] || continue
      major=$(pier_java_major "$candidate/bin/java")
      if [ "${major:-0}" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
    done
  fi
  if [ -z "$best" ]; then
    echo "Pier needs a JDK $min or newer; none found in JAVA_HOME, on PATH, or under /usr/lib/jvm." >&2
    echo "Install one (for example Temurin 21 or 25) or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

# Builds watcher/target/pier.jar when it is missing or older than any main source; prints nothing otherwise.
# Needs pier_select_jdk first. Usage: pier_build_jar REPO_DIR
pier_build_jar() {
  local repo=$1 jar="$1/watcher/target/pier.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$repo" -name '*.java' -path '*/src/main/*' -newer "$jar" -print -quit)" ]; then
    echo "Building Pier (first run takes a minute)..."
    (cd "$repo" && ./mvnw -B -q -ntp package -DskipTests)
  fi
}
