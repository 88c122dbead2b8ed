/** Gateway settings and their validation, without Quarkus: a map of variables in, a record out. */
package dev.gatehouse.gateway.config;
