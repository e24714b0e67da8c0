package io.dcloud.cli.device;

/**
 * What a simulated device logs in with: its account and secret (as {@code POST /devices} or
 * {@code POST /devices/{id}/credentials} answered them) and the broker to reach
 * ({@code GET /devices/broker}).
 */
record SimulatorCredentials(String username, String password, String broker) {}
