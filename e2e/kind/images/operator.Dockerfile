# The Gatehouse operator. Build context: the repository root after `./mvnw -pl operator -am package`.
FROM docker.io/library/eclipse-temurin:25-jre
WORKDIR /app
COPY operator/target/lib/ /app/lib/
COPY operator/target/gatehouse-operator-*.jar /app/operator.jar
# The API node's admin CLI, for `kubectl exec … -- gatehouse-admin` (its jar is in lib/ already).
COPY --chmod=0755 e2e/kind/images/gatehouse-admin.sh /usr/local/bin/gatehouse-admin
# Runs as a non-root user under the restricted Pod Security Standard.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-XX:MaxRAMPercentage=75", "-jar", "/app/operator.jar"]
