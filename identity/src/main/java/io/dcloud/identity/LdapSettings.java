package io.dcloud.identity;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcloud.identity.ldap} (see this module's reference.conf), read once at start. Wrong values
 * fail the start naming their key, rather than every sign-in later.
 *
 * @param roleMapping group name, lower-cased (directories compare names ignoring case), to roles
 * @param groupBaseDn empty: no group lookup, every user gets only {@code defaultRoles}
 */
public record LdapSettings(
    String url,
    String bindDn,
    String bindPassword,
    String userBaseDn,
    String userFilter,
    String usernameAttribute,
    String groupBaseDn,
    String groupFilter,
    String groupAttribute,
    Map<String, Set<Role>> roleMapping,
    Set<Role> defaultRoles,
    Duration connectTimeout,
    Duration responseTimeout,
    int poolSize) {

  private static final String PATH = "dcloud.identity.ldap";

  public static LdapSettings fromConfig(Config root) {
    Config config = root.getConfig(PATH);
    String url = config.getString("url");
    String lower = url.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("ldap://") && !lower.startsWith("ldaps://")) {
      throw new ConfigException.BadValue(PATH + ".url", "must start with ldap:// or ldaps://, was \"" + url + "\"");
    }
    try {
      new LDAPURL(url);
    } catch (LDAPException e) {
      throw new ConfigException.BadValue(PATH + ".url", "not an LDAP URL: " + e.getExceptionMessage());
    }
    String bindDn = config.getString("bind-dn");
    String bindPassword = config.getString("bind-password");
    if (bindDn.isEmpty() != bindPassword.isEmpty()) {
      throw new ConfigException.BadValue(PATH + ".bind-password",
          "bind-dn and bind-password are set together (both empty: anonymous searches)");
    }
    String userFilter = template(config, "user-filter", "{0}");
    String groupBaseDn = config.getString("group-base-dn");
    String groupFilter = groupBaseDn.isEmpty()
        ? config.getString("group-filter")
        : template(config, "group-filter", "{0}", "{1}");
    int poolSize = config.getInt("pool-size");
    if (poolSize < 1) {
      throw new ConfigException.BadValue(PATH + ".pool-size", "must be at least 1, was " + poolSize);
    }
    Map<String, Set<Role>> mapping = new HashMap<>();
    Config roleMapping = config.getConfig("role-mapping");
    // root().entrySet(), not entrySet(): a quoted group name with a dot is one key, not a path.
    for (Map.Entry<String, ConfigValue> group : roleMapping.root().entrySet()) {
      String key = "role-mapping.\"" + group.getKey() + "\"";
      mapping.computeIfAbsent(group.getKey().toLowerCase(Locale.ROOT), g -> EnumSet.noneOf(Role.class))
          .addAll(roles(key, roleMapping.getStringList("\"" + group.getKey() + "\"")));
    }
    mapping.replaceAll((group, roles) -> Set.copyOf(roles));
    return new LdapSettings(
        url,
        bindDn,
        bindPassword,
        config.getString("user-base-dn"),
        userFilter,
        config.getString("username-attribute"),
        groupBaseDn,
        groupFilter,
        config.getString("group-attribute"),
        Map.copyOf(mapping),
        Set.copyOf(roles("default-roles", config.getStringList("default-roles"))),
        config.getDuration("connect-timeout"),
        config.getDuration("response-timeout"),
        poolSize);
  }

  /** Without the search account's password, so logging the settings cannot leak it. */
  @Override
  public String toString() {
    return "LdapSettings[url=" + url + ", bindDn=" + bindDn + ", userBaseDn=" + userBaseDn + ", userFilter=" + userFilter
        + ", groupBaseDn=" + groupBaseDn + ", groupFilter=" + groupFilter + ", roleMapping=" + roleMapping
        + ", defaultRoles=" + defaultRoles + "]";
  }

  /** The roles a user with these groups gets: the defaults plus each mapped group's. */
  public Set<Role> rolesOf(List<String> groups) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    roles.addAll(defaultRoles);
    for (String group : groups) {
      roles.addAll(roleMapping.getOrDefault(group.toLowerCase(Locale.ROOT), Set.of()));
    }
    return Set.copyOf(roles);
  }

  /** A filter that names the user with one of {@code placeholders}: without, it would match everyone. */
  private static String template(Config config, String key, String... placeholders) {
    String filter = config.getString(key);
    if (Arrays.stream(placeholders).noneMatch(filter::contains)) {
      throw new ConfigException.BadValue(PATH + "." + key,
          "must name the user with " + String.join(" or ", placeholders) + ", was \"" + filter + "\"");
    }
    try {
      LdapFilter.fill(filter, "user", "user");
    } catch (LDAPException e) {
      throw new ConfigException.BadValue(PATH + "." + key, "not an LDAP filter: " + e.getExceptionMessage());
    }
    return filter;
  }

  private static Set<Role> roles(String key, List<String> names) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      roles.add(Role.parse(name).orElseThrow(() -> new ConfigException.BadValue(
          PATH + "." + key, "\"" + name + "\" is not a role; roles: " + Role.valid())));
    }
    return roles;
  }
}
