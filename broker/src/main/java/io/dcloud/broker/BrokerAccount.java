package io.dcloud.broker;

import java.util.Set;

/**
 * One broker account DCloud manages: a device's or a service's client, with a role of the same name
 * holding exactly its rights (Mosquitto's default access denies everything else).
 */
public record BrokerAccount(String username, String password, boolean enabled, Set<Acl> acls) {

  public BrokerAccount {
    acls = Set.copyOf(acls);
  }

  /** Whether DCloud manages an account of this name (the ones it may delete when the registry has none). */
  public static boolean managed(String username) {
    return username.startsWith("device-") || username.startsWith("service-");
  }

  /** One right of a role, as the dynamic-security plugin spells it. */
  public record Acl(String type, String topic, boolean allow) {
    public static final String PUBLISH_SEND = "publishClientSend";
    public static final String PUBLISH_RECEIVE = "publishClientReceive";
    public static final String SUBSCRIBE_LITERAL = "subscribeLiteral";
    public static final String SUBSCRIBE_PATTERN = "subscribePattern";

    public static Acl allow(String type, String topic) {
      return new Acl(type, topic, true);
    }
  }
}
