# The service's image: `make image` builds the jar, then this (needs a Docker engine that can pull the base image).
# Run it as root with the Docker socket AND Docker's data root mounted at the same paths as on the host:
# the system disk of a container is carried into its next version by copying its overlay2 layer directly.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends coreutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/gpu-docker-api
COPY target/gpu-docker-api.jar gpu-docker-api.jar
EXPOSE 2378
ENTRYPOINT ["java", "-jar", "/opt/gpu-docker-api/gpu-docker-api.jar"]
