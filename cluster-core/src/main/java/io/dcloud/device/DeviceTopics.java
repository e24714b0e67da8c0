package io.dcloud.device;

/**
 * The MQTT topics and broker user names of devices and apps; the one place they are spelled.
 * Devices publish raw readings on {@link #readings} and their commands' acknowledgements on
 * {@link #acks}, and receive commands on {@link #commands}. DCloud publishes each accepted,
 * time-stamped reading on {@link #processed}, which bound apps subscribe to; an app learns its
 * bindings from the retained message on {@link #serviceBindings} and commands a bound controller
 * by publishing on {@link #serviceCommands}.
 */
public final class DeviceTopics {
  private DeviceTopics() {}

  public static final String PREFIX = "dcloud/";

  public static String readings(String deviceId) {
    return "dcloud/devices/" + deviceId + "/readings";
  }

  public static String commands(String deviceId) {
    return "dcloud/devices/" + deviceId + "/commands";
  }

  public static String acks(String deviceId) {
    return "dcloud/devices/" + deviceId + "/acks";
  }

  public static String processed(String deviceId) {
    return "dcloud/readings/" + deviceId;
  }

  public static String serviceBindings(String service) {
    return "dcloud/services/" + service + "/bindings";
  }

  public static String serviceCommands(String service, String deviceId) {
    return "dcloud/services/" + service + "/commands/" + deviceId;
  }

  /** What DCloud's ingest subscribes to, shared among gateways ({@code $share/<group>/...}). */
  public static final String ALL_READINGS = "dcloud/devices/+/readings";
  public static final String ALL_ACKS = "dcloud/devices/+/acks";
  public static final String ALL_SERVICE_COMMANDS = "dcloud/services/+/commands/+";

  /** The broker user of a device. */
  public static String deviceUsername(String deviceId) {
    return "device-" + deviceId;
  }

  /** The broker user of a service's replicas (every replica shares it). */
  public static String serviceUsername(String service) {
    return "service-" + service;
  }

  /** The device id in a topic of {@code dcloud/devices/<id>/...}, or null. */
  public static String deviceOf(String topic) {
    String[] parts = topic.split("/", -1);
    return parts.length == 4 && parts[0].equals("dcloud") && parts[1].equals("devices") ? parts[2] : null;
  }
}
