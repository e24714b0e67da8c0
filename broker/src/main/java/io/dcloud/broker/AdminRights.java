package io.dcloud.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.broker.BrokerAccount.Acl;
import io.dcloud.device.DeviceTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the broker must hold besides the accounts: default access that denies every publish,
 * delivery and subscription not granted by a role, and a role {@value #ROLE} on DCloud's admin
 * account for its own connections (ingest, republished readings, commands, bindings documents),
 * including shared subscriptions ({@code $share/<group>/dcloud/...}).
 */
public final class AdminRights {
  public static final String ROLE = "dcloud";

  static final Set<Acl> ACLS = Set.of(
      Acl.allow(Acl.PUBLISH_SEND, DeviceTopics.PREFIX + "#"),
      Acl.allow(Acl.PUBLISH_RECEIVE, DeviceTopics.PREFIX + "#"),
      Acl.allow(Acl.SUBSCRIBE_PATTERN, DeviceTopics.PREFIX + "#"),
      Acl.allow(Acl.SUBSCRIBE_PATTERN, "$share/#"));

  private AdminRights() {}

  /**
   * The commands that make {@code broker} (as listed) hold them; the default access is always set.
   * Those of {@link #grantToAdmin} go last in a sync: giving a client a role drops its connections.
   */
  public static List<ObjectNode> commands(BrokerState broker, String adminUsername) {
    List<ObjectNode> commands = new ArrayList<>();
    ObjectNode defaults = DynamicSecurity.command("setDefaultACLAccess");
    defaults.withArray("acls").addObject().put("acltype", "publishClientSend").put("allow", false);
    defaults.withArray("acls").addObject().put("acltype", "publishClientReceive").put("allow", false);
    defaults.withArray("acls").addObject().put("acltype", "subscribe").put("allow", false);
    defaults.withArray("acls").addObject().put("acltype", "unsubscribe").put("allow", true);
    commands.add(defaults);
    Set<Acl> present = broker.roles().get(ROLE);
    if (present == null) {
      ObjectNode create = DynamicSecurity.command("createRole").put("rolename", ROLE)
          .put("textdescription", "DCloud's own connections (managed by DCloud)");
      ACLS.stream().sorted((a, b) -> (a.type() + a.topic()).compareTo(b.type() + b.topic())).forEach(acl ->
          create.withArray("acls").addObject().put("acltype", acl.type()).put("topic", acl.topic()).put("allow", true));
      commands.add(create);
    } else {
      ACLS.stream().filter(acl -> !present.contains(acl)).forEach(acl -> {
        if (present.stream().anyMatch(old -> old.type().equals(acl.type()) && old.topic().equals(acl.topic()))) {
          commands.add(DynamicSecurity.command("removeRoleACL").put("rolename", ROLE)
              .put("acltype", acl.type()).put("topic", acl.topic()));
        }
        commands.add(DynamicSecurity.command("addRoleACL").put("rolename", ROLE)
            .put("acltype", acl.type()).put("topic", acl.topic()).put("allow", true));
      });
    }
    return commands;
  }

  /**
   * Gives the admin account the role, once per broker. The broker then drops the admin's
   * connections, DCloud's own included, which reconnect (and sync again, finding nothing to do).
   */
  public static List<ObjectNode> grantToAdmin(BrokerState broker, String adminUsername) {
    BrokerState.Client admin = broker.clients().get(adminUsername);
    if (admin == null) {
      throw new IllegalStateException("the broker has no client " + adminUsername + " (dcloud.broker.admin-username)");
    }
    return admin.roles().contains(ROLE)
        ? List.of()
        : List.of(DynamicSecurity.command("addClientRole").put("username", adminUsername).put("rolename", ROLE));
  }
}
