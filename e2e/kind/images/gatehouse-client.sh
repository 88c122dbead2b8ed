#!/bin/sh
# /usr/local/bin/gatehouse-client in the client image (client.Dockerfile): the headless client,
# e.g. `gatehouse-client --api ws://gatehouse-api.gatehouse.svc:8443` or `gatehouse-client status`.
exec java --enable-native-access=ALL-UNNAMED -XX:MaxRAMPercentage=75 -jar /app/gatehouse-client.jar "$@"
