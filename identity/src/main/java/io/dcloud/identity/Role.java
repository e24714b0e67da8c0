package io.dcloud.identity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The seeds' roles (003), plus the administrator. A user may hold several; what each may do is
 * decided route by route in the gateway (see the README's roles table).
 */
public enum Role {
  ADMIN,
  PLATFORM_CONFIGURER,
  DATA_SCIENTIST,
  APP_DEVELOPER,
  END_USER;

  /** How the API, tokens, config and events spell it: {@code data-scientist}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @JsonCreator
  public static Role fromWireName(String text) {
    return parse(text).orElseThrow(() -> new IllegalArgumentException("not a role: " + text));
  }

  public static Optional<Role> parse(String text) {
    return Arrays.stream(values()).filter(role -> role.wireName().equals(text)).findFirst();
  }

  /** The roles as the API lists them, for error messages. */
  public static String valid() {
    return String.join(", ", Arrays.stream(values()).map(Role::wireName).toList());
  }
}
