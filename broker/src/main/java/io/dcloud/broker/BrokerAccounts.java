package io.dcloud.broker;

import io.dcloud.broker.BrokerAccount.Acl;
import io.dcloud.device.Binding;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.DeviceTopics;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The broker accounts the registry calls for, and each bound service's bindings document (JSON):
 * a device account per device (its own readings and acks; a controller's commands), a service
 * account per service whose app consumes devices, bound or not (its bindings document, its bound
 * devices' processed readings, commands to its bound controllers).
 */
public record BrokerAccounts(long version, Map<String, BrokerAccount> accounts, Map<String, String> documents) {

  public static final BrokerAccounts NONE = new BrokerAccounts(-1, Map.of(), Map.of());

  public BrokerAccounts {
    accounts = Map.copyOf(accounts);
    documents = Map.copyOf(documents);
  }

  public static BrokerAccounts from(RegistryView view, DeviceSecrets secrets) {
    Map<String, BrokerAccount> accounts = new TreeMap<>();
    for (Device device : view.devices().values()) {
      BrokerAccount account = device(device, view.typeOf(device.id()).map(SensorType::kind).orElse(SensorType.Kind.SENSOR), secrets);
      accounts.put(account.username(), account);
    }
    Map<String, String> documents = new TreeMap<>();
    // Those declared when deployed, and any bound before services were declared.
    Set<String> services = new TreeSet<>(view.services());
    view.bindings().values().stream().map(Binding::service).forEach(services::add);
    for (String service : services) {
      BrokerAccount account = service(view, service, secrets);
      accounts.put(account.username(), account);
      documents.put(service, BindingsDocument.of(view, service).json());
    }
    return new BrokerAccounts(view.version(), accounts, documents);
  }

  private static BrokerAccount device(Device device, SensorType.Kind kind, DeviceSecrets secrets) {
    String id = device.id();
    Set<Acl> acls = new LinkedHashSet<>();
    acls.add(Acl.allow(Acl.PUBLISH_SEND, DeviceTopics.readings(id)));
    acls.add(Acl.allow(Acl.PUBLISH_SEND, DeviceTopics.acks(id)));
    if (kind == SensorType.Kind.CONTROLLER) {
      acls.add(Acl.allow(Acl.SUBSCRIBE_LITERAL, DeviceTopics.commands(id)));
      acls.add(Acl.allow(Acl.PUBLISH_RECEIVE, DeviceTopics.commands(id)));
    }
    return new BrokerAccount(DeviceTopics.deviceUsername(id), secrets.devicePassword(device), device.enabled(), acls);
  }

  private static BrokerAccount service(RegistryView view, String service, DeviceSecrets secrets) {
    Set<Acl> acls = new HashSet<>();
    acls.add(Acl.allow(Acl.SUBSCRIBE_LITERAL, DeviceTopics.serviceBindings(service)));
    acls.add(Acl.allow(Acl.PUBLISH_RECEIVE, DeviceTopics.serviceBindings(service)));
    for (Binding binding : view.bindingsOf(service)) {
      for (String id : binding.devices()) {
        if (!view.devices().containsKey(id)) {
          continue;
        }
        acls.add(Acl.allow(Acl.SUBSCRIBE_LITERAL, DeviceTopics.processed(id)));
        acls.add(Acl.allow(Acl.PUBLISH_RECEIVE, DeviceTopics.processed(id)));
        if (view.typeOf(id).map(type -> type.kind() == SensorType.Kind.CONTROLLER).orElse(false)) {
          acls.add(Acl.allow(Acl.PUBLISH_SEND, DeviceTopics.serviceCommands(service, id)));
        }
      }
    }
    return new BrokerAccount(DeviceTopics.serviceUsername(service), secrets.servicePassword(service), true, acls);
  }
}
