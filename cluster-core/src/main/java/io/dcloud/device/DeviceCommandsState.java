package io.dcloud.device;

import io.dcloud.device.DeviceCommand.Status;
import io.dcloud.device.DeviceCommands.Answered;
import io.dcloud.device.DeviceCommands.Event;
import io.dcloud.device.DeviceCommands.Issued;
import io.dcloud.device.DeviceCommands.Sent;
import io.dcloud.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The commands one controller keeps, newest first, as their events made them (also its snapshot). */
public record DeviceCommandsState(List<DeviceCommand> commands) implements CborSerializable {
  public static final DeviceCommandsState EMPTY = new DeviceCommandsState(List.of());

  public DeviceCommandsState {
    commands = List.copyOf(commands);
  }

  public Optional<DeviceCommand> find(String commandId) {
    return commands.stream().filter(c -> c.id().equals(commandId)).findFirst();
  }

  /** The commands still to deliver or to hear back about, oldest first. */
  public List<DeviceCommand> unfinished() {
    List<DeviceCommand> open = new ArrayList<>(commands.stream().filter(c -> !c.status().finished()).toList());
    Collections.reverse(open);
    return open;
  }

  /**
   * {@code kept}: how many commands stay (the oldest go first, finished or not); events of a command
   * no longer kept change nothing.
   */
  public DeviceCommandsState apply(Event event, int kept) {
    if (event instanceof Issued e) {
      List<DeviceCommand> more = new ArrayList<>();
      more.add(e.command());
      more.addAll(commands.subList(0, Math.min(commands.size(), Math.max(0, kept - 1))));
      return new DeviceCommandsState(more);
    } else if (event instanceof Sent e) {
      return with(e.commandId(), c -> new DeviceCommand(c.id(), c.device(), c.name(), c.params(), c.issuedBy(),
          c.issuedAt(), c.status() == Status.PENDING ? Status.SENT : c.status(), c.attempts() + 1, e.at(),
          c.answeredAt(), c.answer()));
    } else if (event instanceof Answered e) {
      return with(e.commandId(), c -> new DeviceCommand(c.id(), c.device(), c.name(), c.params(), c.issuedBy(),
          c.issuedAt(), e.status(), c.attempts(), c.lastSentAt(), e.at(), e.message()));
    } else if (event instanceof DeviceCommands.Forgotten) {
      return EMPTY;
    }
    return this;
  }

  private DeviceCommandsState with(String commandId, UnaryOperator<DeviceCommand> change) {
    return new DeviceCommandsState(commands.stream().map(c -> c.id().equals(commandId) ? change.apply(c) : c).toList());
  }
}
