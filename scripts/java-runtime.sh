# Sourced by scripts/run.sh, scripts/class-archive.sh and scripts/bench-startup.sh: which java runs the service, with
# which options, from which files. The build stays on Java 17; the runtime prefers Java 25, whose AOT cache (classes
# loaded and linked ahead, recorded by `make build`) and virtual threads make the start short and the threads few.
# Without a Java 25 the service runs on the java found, with a Java 17 class data archive instead; nothing fails.
#   GDA_JAVA       the java to use (default: $JAVA_HOME/bin/java if 25+, else a Temurin 25 under /usr/lib/jvm, else `java`)
#   GDA_JVM_OPTS   replaces the default memory and thread options below (e.g. GDA_JVM_OPTS="-Xmx4g")
# shellcheck shell=bash

GDA_APP_DIR=${GDA_APP_DIR:-target/app}
GDA_JAR=${GDA_JAR:-target/gpu-docker-api.jar}

# absolute: a class archive only matches the class path it was recorded with, as written
app_jar() { echo "$(cd "$GDA_APP_DIR" && pwd)/gpu-docker-api.jar"; }

java_feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

find_java() {
  if [ -n "${GDA_JAVA:-}" ]; then echo "$GDA_JAVA"; return; fi
  local c
  for c in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /usr/lib/jvm/temurin-25-jre-amd64/bin/java \
           /usr/lib/jvm/java-25-openjdk-amd64/bin/java; do
    [ -n "$c" ] && [ -x "$c" ] && [ "$(java_feature "$c")" -ge 25 ] 2>/dev/null && { echo "$c"; return; }
  done
  command -v java || { echo "java-runtime: no java found; install a JDK (17 or later, 25 for the fast start)" >&2; return 1; }
}

# For a service that mostly waits: a heap that starts small and gives memory back after a burst (one GC thread,
# no concurrent GC threads), bounded metaspace, code cache and direct buffers, and gRPC's Netty event loops and
# buffer arenas sized for a handful of etcd connections rather than for the number of cores. Compiled by C1 alone
# (-XX:TieredStopAtLevel=1): the optimising C2 compiler spent as much CPU during a start as the start itself (3.6 s of
# 9 s on 2 cores) and its code pays off only for long hot loops, which a service waiting on Docker and etcd does not run.
GDA_DEFAULT_JVM_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms16m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 \
-XX:MaxMetaspaceSize=256m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=128m \
-Dio.netty.eventLoopThreads=2 -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
read -r -a GDA_JVM_OPTIONS <<< "${GDA_JVM_OPTS-$GDA_DEFAULT_JVM_OPTS}"
# The bean definitions Spring's ahead-of-time processing wrote into the jar at build time (process-aot): the start
# skips scanning the classes and weighing every auto-configuration's condition. Whether requests run on virtual threads
# is still decided at run time (web.RequestThreadsConfig). GDA_SPRING_AOT=false goes without.
GDA_JVM_OPTIONS+=(-Dspring.aot.enabled="${GDA_SPRING_AOT:-true}")

# The archive of the java that recorded it (an archive only fits the JVM that made it): -XX:AOTCache on 25+,
# -XX:SharedArchiveFile on 17-24. Sets GDA_LAUNCH: the java, its options and the jar to start.
launch_command() {
  local java; java=$(find_java) || return 1
  local archive=()
  if [ -f "$GDA_APP_DIR/gpu-docker-api.jar" ] && [ -f "$GDA_APP_DIR/java" ] && [ "$(cat "$GDA_APP_DIR/java")" = "$java" ] \
      && ! [ "$GDA_JAR" -nt "$GDA_APP_DIR/gpu-docker-api.jar" ]; then
    if [ -f "$GDA_APP_DIR/gpu-docker-api.aot" ]; then archive=(-XX:AOTCache="$(cd "$GDA_APP_DIR" && pwd)/gpu-docker-api.aot")
    elif [ -f "$GDA_APP_DIR/gpu-docker-api.jsa" ]; then archive=(-XX:SharedArchiveFile="$(cd "$GDA_APP_DIR" && pwd)/gpu-docker-api.jsa" -Xshare:auto)
    fi
  fi
  if [ ${#archive[@]} -gt 0 ]; then
    GDA_LAUNCH=("$java" "${archive[@]}" "${GDA_JVM_OPTIONS[@]}" -jar "$(app_jar)")
  else
    echo "java-runtime: no class archive for $java and $GDA_JAR (make build records one); starting without it, more slowly" >&2
    GDA_LAUNCH=("$java" "${GDA_JVM_OPTIONS[@]}" -jar "$GDA_JAR")
  fi
}
