package io.dcloud.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A 403 for a missing role says which roles would do, in words that read right for one or several. */
class RoleRefusalTest {
  private static Caller withRoles(Role... roles) {
    return new Caller("ana", Set.of(roles), "t1", Instant.now().plusSeconds(60), null, false, Set.of());
  }

  @Test
  void anAdminOnlyRouteNamesTheOneRole() {
    assertThat(Authentication.lacking(withRoles(Role.DATA_SCIENTIST), Authentication.ADMINS).orElseThrow().detail())
        .isEqualTo("this needs the role admin; ana has data-scientist");
  }

  @Test
  void severalRolesAreListedAndAdminsPassToo() {
    assertThat(Authentication.lacking(withRoles(), Authentication.CREATORS).orElseThrow().detail())
        .isEqualTo("this needs one of the roles app-developer, data-scientist (or admin); ana has none");
    assertThat(Authentication.lacking(withRoles(Role.END_USER), Authentication.CONFIGURERS).orElseThrow().detail())
        .isEqualTo("this needs the role platform-configurer (or admin); ana has end-user");
    assertThat(Authentication.lacking(withRoles(Role.ADMIN), Authentication.CONFIGURERS)).isEmpty();
    assertThat(Authentication.lacking(withRoles(Role.PLATFORM_CONFIGURER), Authentication.CONFIGURERS)).isEmpty();
  }
}
