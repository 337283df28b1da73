# The service's image: `make image` builds the jar, then this (needs a Docker engine that can pull the base image).
# Run it as root with the Docker socket AND Docker's data root mounted at the same paths as on the host:
# the system disk of a container is carried into its next version by copying its overlay2 layer directly.
# The jar is compiled for Java 17 and runs here on 25: the AOT cache recorded below (as `make build` records
# target/app/gpu-docker-api.aot, scripts/class-archive.sh) makes the start short; GDA_JVM_OPTS replaces the
# memory and thread options of scripts/java-runtime.sh. -Dspring.aot.enabled=true: the bean definitions the build
# wrote ahead of time (process-aot) replace the class scanning of every start.
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends coreutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/gpu-docker-api
COPY target/gpu-docker-api.jar /tmp/gpu-docker-api.jar
ENV GDA_JVM_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms16m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:MaxMetaspaceSize=256m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=128m -Dio.netty.eventLoopThreads=2 -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1"
# unpacked (a class archive needs a plain class path), then one start recorded that makes the context and stops before
# it reaches etcd or Docker (-Dspring.context.exit=onRefresh), so the build needs neither
RUN java -Djarmode=tools -jar /tmp/gpu-docker-api.jar extract --destination /opt/gpu-docker-api \
 && rm /tmp/gpu-docker-api.jar \
 && GDA_STATE_DIR=/tmp/record java -XX:AOTCacheOutput=/opt/gpu-docker-api/gpu-docker-api.aot $GDA_JVM_OPTS -Dspring.aot.enabled=true -Dspring.context.exit=onRefresh \
      -jar /opt/gpu-docker-api/gpu-docker-api.jar -e 127.0.0.1:2379 --gda.docker.host=unix:///tmp/record/docker.sock \
      --gda.gpu.nvidia-smi=/bin/false --gda.auth.admin-token=class-archive-recording-only > /tmp/record.log 2>&1 \
 && rm -rf /tmp/record /tmp/record.log
EXPOSE 2378
ENTRYPOINT ["sh", "-c", "exec java -XX:AOTCache=/opt/gpu-docker-api/gpu-docker-api.aot $GDA_JVM_OPTS -Dspring.aot.enabled=true -jar /opt/gpu-docker-api/gpu-docker-api.jar \"$@\"", "gpu-docker-api"]
