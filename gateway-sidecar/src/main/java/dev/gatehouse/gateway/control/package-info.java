/** What the gateway knows about its control channel; read by health and metrics. */
package dev.gatehouse.gateway.control;
