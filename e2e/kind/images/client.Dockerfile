# The Gatehouse headless client (gatehouse-client). Build context: the repository root after
# `./mvnw -pl client -am package`. It needs /dev/net/tun and CAP_NET_ADMIN (TUN interface, addresses
# and routes), which its pod grants (see e2e/kind/client-job.yaml); the image adds `ip` for the
# routes and curl for fetching through the tunnel.
FROM docker.io/library/eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY client/target/lib/ /app/lib/
COPY client/target/gatehouse-client-*.jar /app/gatehouse-client.jar
COPY --chmod=0755 e2e/kind/images/gatehouse-client.sh /usr/local/bin/gatehouse-client
ENTRYPOINT ["gatehouse-client"]
