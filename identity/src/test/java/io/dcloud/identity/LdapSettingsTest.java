package io.dcloud.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LdapSettingsTest {

  @Test
  void theDefaultsSearchByUidAndGroupOfNames() {
    LdapSettings settings = read("url = \"ldaps://ldap.example.org\"");

    assertThat(settings.userFilter()).isEqualTo("(uid={0})");
    assertThat(settings.groupFilter()).isEqualTo("(member={0})");
    assertThat(settings.groupAttribute()).isEqualTo("cn");
    assertThat(settings.bindDn()).isEmpty();
    assertThat(settings.defaultRoles()).isEmpty();
    assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.poolSize()).isEqualTo(4);
    assertThat(settings.rolesOf(List.of("anything"))).isEmpty();
  }

  @Test
  void theSearchPasswordIsNotInTheSettingsText() {
    LdapSettings settings = read("url = \"ldap://h\"\nbind-dn = \"cn=search\"\nbind-password = \"s3cret-value\"");

    assertThat(settings.bindPassword()).isEqualTo("s3cret-value");
    assertThat(settings.toString()).contains("cn=search").doesNotContain("s3cret-value");
  }

  @Test
  void groupNamesMapToRolesIgnoringCaseAndMayHoldDots() {
    LdapSettings settings = read("url = \"ldap://h\"\n"
        + "role-mapping { \"ML.Lab\" = [data-scientist], \"ml.lab\" = [admin], devs = [app-developer] }\n"
        + "default-roles = [end-user]");

    assertThat(settings.rolesOf(List.of("ml.LAB", "unknown")))
        .isEqualTo(Set.of(Role.DATA_SCIENTIST, Role.ADMIN, Role.END_USER));
  }

  @Test
  void anUnknownRoleFailsNamingItsKey() {
    assertThatThrownBy(() -> read("url = \"ldap://h\"\nrole-mapping { staff = [superuser] }"))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("dcloud.identity.ldap.role-mapping.\"staff\"")
        .hasMessageContaining("\"superuser\" is not a role");
    assertThatThrownBy(() -> read("url = \"ldap://h\"\ndefault-roles = [root]"))
        .hasMessageContaining("dcloud.identity.ldap.default-roles");
  }

  @Test
  void badValuesFailTheStartNamingTheirKey() {
    assertThatThrownBy(() -> read("url = \"http://h\"")).hasMessageContaining("dcloud.identity.ldap.url");
    assertThatThrownBy(() -> read("url = \"\"")).hasMessageContaining("dcloud.identity.ldap.url");
    assertThatThrownBy(() -> read("url = \"ldap://h\"\nuser-filter = \"(objectClass=person)\""))
        .hasMessageContaining("dcloud.identity.ldap.user-filter").hasMessageContaining("{0}");
    assertThatThrownBy(() -> read("url = \"ldap://h\"\nuser-filter = \"(uid={0}\""))
        .hasMessageContaining("dcloud.identity.ldap.user-filter").hasMessageContaining("not an LDAP filter");
    assertThatThrownBy(() -> read("url = \"ldap://h\"\ngroup-base-dn = \"ou=g\"\ngroup-filter = \"(cn=all)\""))
        .hasMessageContaining("dcloud.identity.ldap.group-filter");
    assertThatThrownBy(() -> read("url = \"ldap://h\"\nbind-dn = \"cn=search\""))
        .hasMessageContaining("dcloud.identity.ldap.bind-password");
    assertThatThrownBy(() -> read("url = \"ldap://h\"\npool-size = 0"))
        .hasMessageContaining("dcloud.identity.ldap.pool-size");
  }

  private static LdapSettings read(String ldap) {
    return LdapSettings.fromConfig(ConfigFactory.parseString("dcloud.identity.ldap {\n" + ldap + "\n}")
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }
}
