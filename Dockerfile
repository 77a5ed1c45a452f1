# syntax=docker/dockerfile:1
# Pier's container image: built with the Maven wrapper in a JDK image, run on a jlink-ed Java runtime in a
# distroless image (no shell, no package manager) as uid 65532.
#   docker build -t pier .
#   docker run --rm -p 8080:8080 -p 8443:8443 -p 10254:10254 -v $PWD/examples/demowebsite/manifests:/m:ro \
#     pier --manifests /m          (the demo's upstreams live on the host's loopback: this shows startup only)

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -ntp -pl watcher -am package -DskipTests
# A runtime of the modules the jar needs (jdeps), plus those reached only through reflection or service loading.
RUN scripts/image-runtime.sh watcher/target/pier.jar /opt/java

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /opt/java /opt/java
COPY --from=build /src/watcher/target/pier.jar /opt/pier/pier.jar
# The JVM options of bin/jvm.options for Java 25, where each is explained (scripts/check-image.sh checks that they
# agree; bin/pier applies the same outside the image). Override them with the environment variable.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+UseSerialGC -XX:NewSize=32m -XX:+UseCompactObjectHeaders \
--sun-misc-unsafe-memory-access=allow -Dio.netty.leakDetection.level=disabled -XX:-UsePerfData"
USER 65532:65532
EXPOSE 8080 8443 10254
ENTRYPOINT ["/opt/java/bin/java", "-jar", "/opt/pier/pier.jar"]
