package io.dcloud.cli;

/** What {@code dcloud login} keeps in the config file: the gateway and the session token it gave. */
record StoredLogin(String api, String username, String token) {}
