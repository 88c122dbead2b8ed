# The Gatehouse gateway (gateway-sidecar, Quarkus fast-jar). Build context: the repository root
# after `./mvnw -pl gateway-sidecar -am package`. Kernel mode needs NET_ADMIN and /dev/net/tun,
# which the operator's Deployment grants; the image itself carries only the tools to route.
FROM docker.io/library/eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 nftables \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY gateway-sidecar/target/quarkus-app/ /app/
EXPOSE 8080 51820/udp
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:MaxRAMPercentage=75", "-jar", "/app/quarkus-run.jar"]
