# The Gatehouse TURN relay (gatehouse-relay). Build context: the repository root after
# `./mvnw -pl relay -am package`. It needs no capabilities and no writable root (the chart runs it
# as user 65532 with every capability dropped and a read-only root); flags come from the chart.
FROM docker.io/library/eclipse-temurin:25-jre
WORKDIR /app
COPY relay/target/lib/ /app/lib/
COPY relay/target/gatehouse-relay-*.jar /app/gatehouse-relay.jar
USER 65532:65532
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/gatehouse-relay.jar"]
