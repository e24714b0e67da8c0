package io.dcloud.gateway.service;

import io.dcloud.device.Binding;
import java.time.Instant;
import java.util.List;

/** An end user's binding of a service to devices, as the API shows it. */
record BindingJson(String id, String service, String owner, List<String> devices, Instant createdAt) {

  record Listing(List<BindingJson> items) {}

  static BindingJson of(Binding binding) {
    return new BindingJson(binding.id(), binding.service(), binding.owner(), binding.devices(), binding.createdAt());
  }
}
