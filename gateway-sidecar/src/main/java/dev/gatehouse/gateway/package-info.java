/**
 * The gateway process's Quarkus shell: maps configuration, produces the core objects, exposes
 * health and metrics. Everything with logic lives in plain classes ({@code config}, {@code
 * control}) that tests build with {@code new}.
 */
package dev.gatehouse.gateway;
